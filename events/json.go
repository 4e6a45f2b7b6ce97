package events

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Canonical JSON. The appenders below write each event's one canonical form:
// members in a fixed order, lower snake_case names, no insignificant space,
// decimals as JSON strings, times as RFC 3339 UTC with up to nine fractional
// digits, floats in strconv's shortest 'g' form. The same event always gives
// the same bytes, which is what deterministic signal logs and golden files
// rely on. The appenders do not validate: a NaN or infinite float is written
// as null, which no decoder and no schema accepts, so it cannot pass silently;
// MarshalJSON refuses it with ErrNotFinite instead.

// AppendJSON appends the canonical JSON of b to dst and returns the extended
// buffer. It allocates only when dst must grow. Optional members (venue,
// quote_volume, trade_count) are omitted when absent.
func (b Bar) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"symbol":`...)
	dst = appendJSONString(dst, b.Symbol)
	if b.Venue != "" {
		dst = append(dst, `,"venue":`...)
		dst = appendJSONString(dst, b.Venue)
	}
	dst = append(dst, `,"interval":"`...)
	dst = appendInterval(dst, b.Interval)
	dst = append(dst, `","open_time":`...)
	dst = appendJSONTime(dst, b.OpenTime)
	dst = append(dst, `,"close_time":`...)
	dst = appendJSONTime(dst, b.CloseTime)
	dst = append(dst, `,"open":`...)
	dst = appendJSONFixed(dst, b.Open)
	dst = append(dst, `,"high":`...)
	dst = appendJSONFixed(dst, b.High)
	dst = append(dst, `,"low":`...)
	dst = appendJSONFixed(dst, b.Low)
	dst = append(dst, `,"close":`...)
	dst = appendJSONFixed(dst, b.Close)
	dst = append(dst, `,"volume":`...)
	dst = appendJSONFixed(dst, b.Volume)
	if b.HasQuoteVolume {
		dst = append(dst, `,"quote_volume":`...)
		dst = appendJSONFixed(dst, b.QuoteVolume)
	}
	if b.HasTradeCount {
		dst = append(dst, `,"trade_count":`...)
		dst = strconv.AppendInt(dst, b.TradeCount, 10)
	}
	return append(dst, '}')
}

// AppendJSON appends the canonical JSON of t to dst (see [Bar.AppendJSON]).
// Optional members (venue, id) are omitted when empty.
func (t Trade) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"symbol":`...)
	dst = appendJSONString(dst, t.Symbol)
	if t.Venue != "" {
		dst = append(dst, `,"venue":`...)
		dst = appendJSONString(dst, t.Venue)
	}
	dst = append(dst, `,"time":`...)
	dst = appendJSONTime(dst, t.Time)
	dst = append(dst, `,"price":`...)
	dst = appendJSONFixed(dst, t.Price)
	dst = append(dst, `,"quantity":`...)
	dst = appendJSONFixed(dst, t.Quantity)
	dst = append(dst, `,"side":"`...)
	dst = append(dst, t.Side.String()...)
	dst = append(dst, '"')
	if t.ID != "" {
		dst = append(dst, `,"id":`...)
		dst = appendJSONString(dst, t.ID)
	}
	return append(dst, '}')
}

// AppendJSON appends the canonical JSON of s to dst (see [Bar.AppendJSON]).
// Every member is always written; params and indicators as [] when empty.
func (s Signal) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, s.ID)
	dst = append(dst, `,"strategy":`...)
	dst = appendJSONString(dst, s.Strategy)
	dst = append(dst, `,"strategy_version":`...)
	dst = appendJSONString(dst, s.StrategyVersion)
	dst = append(dst, `,"param_hash":`...)
	dst = appendJSONString(dst, s.ParamHash)
	dst = append(dst, `,"params":[`...)
	for i, p := range s.Params {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, p.Name)
		dst = append(dst, `,"value":`...)
		dst = appendJSONString(dst, p.Value)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"symbol":`...)
	dst = appendJSONString(dst, s.Symbol)
	dst = append(dst, `,"timeframe":"`...)
	dst = appendInterval(dst, s.Timeframe)
	dst = append(dst, `","time":`...)
	dst = appendJSONTime(dst, s.Time)
	dst = append(dst, `,"kind":"`...)
	dst = append(dst, s.Kind.String()...)
	dst = append(dst, `","strength":`...)
	dst = appendJSONFloat(dst, s.Strength)
	dst = append(dst, `,"price":`...)
	dst = appendJSONFixed(dst, s.Price)
	dst = append(dst, `,"reason":`...)
	dst = appendJSONString(dst, s.Reason)
	dst = append(dst, `,"indicators":[`...)
	for i, iv := range s.Indicators {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, iv.Name)
		dst = append(dst, `,"value":`...)
		dst = appendJSONFloat(dst, iv.Value)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"status":"`...)
	dst = append(dst, s.Status.String()...)
	dst = append(dst, `","source":{"stream":`...)
	dst = appendJSONString(dst, s.Source.Stream)
	dst = append(dst, `,"partition":`...)
	dst = strconv.AppendInt(dst, int64(s.Source.Partition), 10)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, s.Source.Offset, 10)
	return append(dst, `}}`...)
}

// AppendJSON appends the canonical JSON of d to dst: the original bytes as a
// standard (padded) base64 string, then reason, source and time.
func (d DeadLetter) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"original":"`...)
	dst = base64.StdEncoding.AppendEncode(dst, d.Original)
	dst = append(dst, `","reason":`...)
	dst = appendJSONString(dst, d.Reason)
	dst = append(dst, `,"source":`...)
	dst = appendJSONString(dst, d.Source)
	dst = append(dst, `,"time":`...)
	dst = appendJSONTime(dst, d.Time)
	return append(dst, '}')
}

// MarshalJSON implements json.Marshaler with [Bar.AppendJSON]. It returns an
// error for a time outside the years 0..9999, which RFC 3339 cannot write.
func (b Bar) MarshalJSON() ([]byte, error) {
	if err := checkJSONTimes(TypeBar, "open_time", b.OpenTime, "close_time", b.CloseTime); err != nil {
		return nil, err
	}
	return b.AppendJSON(make([]byte, 0, 256)), nil
}

// MarshalJSON implements json.Marshaler with [Trade.AppendJSON]; see
// [Bar.MarshalJSON] for its errors.
func (t Trade) MarshalJSON() ([]byte, error) {
	if err := checkJSONTimes(TypeTrade, "time", t.Time, "", time.Time{}); err != nil {
		return nil, err
	}
	return t.AppendJSON(make([]byte, 0, 160)), nil
}

// MarshalJSON implements json.Marshaler with [Signal.AppendJSON]. It returns
// an error wrapping [ErrNotFinite] for a NaN or infinite strength or
// indicator value, and one for an undeclared kind or status or a time outside
// the years 0..9999.
func (s Signal) MarshalJSON() ([]byte, error) {
	if err := checkJSONTimes(TypeSignal, "time", s.Time, "", time.Time{}); err != nil {
		return nil, err
	}
	if !isFinite(s.Strength) {
		return nil, &DecodeError{Type: TypeSignal, Field: "strength", Err: ErrNotFinite}
	}
	for i, iv := range s.Indicators {
		if !isFinite(iv.Value) {
			return nil, &DecodeError{Type: TypeSignal, Field: "indicators[" + strconv.Itoa(i) + "].value", Err: ErrNotFinite}
		}
	}
	if !s.Kind.Valid() {
		return nil, enumError("kind", strconv.Itoa(int(s.Kind)))
	}
	if !s.Status.Valid() {
		return nil, enumError("status", strconv.Itoa(int(s.Status)))
	}
	return s.AppendJSON(make([]byte, 0, 512)), nil
}

// MarshalJSON implements json.Marshaler with [DeadLetter.AppendJSON]; see
// [Bar.MarshalJSON] for its errors.
func (d DeadLetter) MarshalJSON() ([]byte, error) {
	if err := checkJSONTimes(TypeDeadLetter, "time", d.Time, "", time.Time{}); err != nil {
		return nil, err
	}
	return d.AppendJSON(make([]byte, 0, 64+len(d.Original)*4/3+len(d.Reason)+len(d.Source))), nil
}

func checkJSONTimes(typ Type, f1 string, t1 time.Time, f2 string, t2 time.Time) error {
	for _, c := range [...]struct {
		f string
		t time.Time
	}{{f1, t1}, {f2, t2}} {
		if c.f == "" {
			continue
		}
		if y := c.t.UTC().Year(); y < 0 || y > 9999 {
			return &DecodeError{Type: typ, Field: c.f, Detail: "year " + strconv.Itoa(y) + " outside 0..9999", Err: ErrMalformed}
		}
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func appendJSONFixed(dst []byte, f Fixed) []byte {
	dst = append(dst, '"')
	dst = f.AppendText(dst)
	return append(dst, '"')
}

// appendJSONFloat writes the shortest form that parses back to v. JSON has no
// NaN or Inf; null keeps the output parseable and makes decoders reject it.
func appendJSONFloat(dst []byte, v float64) []byte {
	if !isFinite(v) {
		return append(dst, "null"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

func appendJSONTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendInterval writes iv.String() without the allocation String makes.
func appendInterval(dst []byte, iv Interval) []byte {
	if iv <= 0 {
		return dst
	}
	for _, u := range [...]struct {
		d Interval
		s byte
	}{{Week, 'w'}, {Day, 'd'}, {Hour, 'h'}, {Minute, 'm'}, {Second, 's'}} {
		if iv%u.d == 0 {
			dst = strconv.AppendInt(dst, int64(iv/u.d), 10)
			return append(dst, u.s)
		}
	}
	return append(dst, time.Duration(iv).String()...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string, escaping only what JSON
// requires (quote, backslash, control characters). Invalid UTF-8 becomes
// U+FFFD, as encoding/json does, so the output is always valid JSON.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
