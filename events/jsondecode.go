package events

import (
	"encoding/base64"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// A hand-written JSON reader for the flat event documents. Compared with
// encoding/json it matches member names exactly (encoding/json folds case,
// which would let "Symbol" through a strict decoder), rejects duplicate
// members, names the member at fault in its errors, and allocates only for
// the strings it keeps.

// maxJSONDepth bounds the nesting an unknown member may have in lenient mode,
// so that skipping it cannot exhaust the stack.
const maxJSONDepth = 64

type jsonReader struct {
	data    []byte
	pos     int
	strict  bool
	typ     Type
	scratch []byte
	// strs, when set, supplies the strings of symbol and venue members, so
	// that a BarDecoder can hand out the same string for the same bytes.
	strs *BarDecoder

	// field is the member being read. Inside a nested object, parent names
	// it ("source", "params") and elem is its array index or -1; the full
	// name ("params[2].name") is only built for an error.
	field  string
	parent string
	elem   int
}

func (r *jsonReader) fail(err error, detail string) error {
	return &DecodeError{Format: "json", Type: r.typ, Field: r.fieldName(), Offset: r.pos, Detail: detail, Err: err}
}

func (r *jsonReader) fieldName() string {
	if r.parent == "" {
		return r.field
	}
	name := r.parent
	if r.elem >= 0 {
		name += "[" + strconv.Itoa(r.elem) + "]"
	}
	if r.field != "" {
		name += "." + r.field
	}
	return name
}

// nested runs object for a member's nested object, named for errors as
// parent[elem] (elem >= 0) or parent (elem < 0).
func (r *jsonReader) nested(parent string, elem int, names []string, required uint32, read func(idx int) error) error {
	r.parent, r.elem = parent, elem
	err := r.object(1, names, required, read)
	if err == nil {
		r.parent, r.field = "", parent
	}
	return err
}

func (r *jsonReader) ws() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or an ErrTruncated error.
func (r *jsonReader) peek() (byte, error) {
	r.ws()
	if r.pos >= len(r.data) {
		return 0, r.fail(ErrTruncated, "")
	}
	return r.data[r.pos], nil
}

func (r *jsonReader) unexpected(want string) error {
	if r.pos >= len(r.data) {
		return r.fail(ErrTruncated, "")
	}
	return r.fail(ErrMalformed, "expected "+want+", found "+strconv.QuoteRune(rune(r.data[r.pos])))
}

func (r *jsonReader) expect(c byte, want string) error {
	got, err := r.peek()
	if err != nil {
		return err
	}
	if got != c {
		return r.unexpected(want)
	}
	r.pos++
	return nil
}

// member reads the next member name of an object, whose '{' has been read.
// It returns ok == false at the closing '}'. The name is valid until the next
// read.
func (r *jsonReader) member(first bool) (name []byte, ok bool, err error) {
	c, err := r.peek()
	if err != nil {
		return nil, false, err
	}
	if c == '}' {
		r.pos++
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, r.unexpected("',' or '}'")
		}
		r.pos++
		if c, err = r.peek(); err != nil {
			return nil, false, err
		}
	}
	if c != '"' {
		return nil, false, r.unexpected("member name")
	}
	if name, err = r.stringBytes(); err != nil {
		return nil, false, err
	}
	if err := r.expect(':', "':'"); err != nil {
		return nil, false, err
	}
	return name, true, nil
}

// stringBytes reads a JSON string at r.pos (which holds '"') and returns its
// decoded bytes: a slice of the input when it has no escapes, else of the
// scratch buffer. Invalid UTF-8 decodes to U+FFFD, as in encoding/json.
func (r *jsonReader) stringBytes() ([]byte, error) {
	r.pos++ // opening quote
	start := r.pos
	for i := start; i < len(r.data); i++ {
		c := r.data[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return r.data[start:i], nil
		case c == '\\' || c >= utf8.RuneSelf:
			if c >= utf8.RuneSelf && utf8.FullRune(r.data[i:]) {
				if ru, size := utf8.DecodeRune(r.data[i:]); ru != utf8.RuneError || size != 1 {
					i += size - 1
					continue
				}
			}
			return r.slowString(start, i)
		case c < 0x20:
			r.pos = i
			return nil, r.fail(ErrMalformed, "control character in string")
		}
	}
	r.pos = len(r.data)
	return nil, r.fail(ErrTruncated, "unterminated string")
}

func (r *jsonReader) slowString(start, i int) ([]byte, error) {
	b := append(r.scratch[:0], r.data[start:i]...)
	for i < len(r.data) {
		c := r.data[i]
		switch {
		case c == '"':
			r.pos = i + 1
			r.scratch = b
			return b, nil
		case c < 0x20:
			r.pos = i
			return nil, r.fail(ErrMalformed, "control character in string")
		case c == '\\':
			if i+1 >= len(r.data) {
				r.pos = len(r.data)
				return nil, r.fail(ErrTruncated, "unterminated string")
			}
			e := r.data[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				ru, ok := hex4(r.data, i)
				if !ok {
					r.pos = i
					return nil, r.fail(ErrMalformed, `bad \u escape`)
				}
				i += 4
				if utf16.IsSurrogate(ru) {
					ru2, ok2 := rune(-1), false
					if i+1 < len(r.data) && r.data[i] == '\\' && r.data[i+1] == 'u' {
						ru2, ok2 = hex4(r.data, i+2)
					}
					if dec := utf16.DecodeRune(ru, ru2); ok2 && dec != utf8.RuneError {
						ru = dec
						i += 6
					} else {
						ru = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, ru)
			default:
				r.pos = i - 1
				return nil, r.fail(ErrMalformed, "bad escape "+strconv.QuoteRune(rune(e)))
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			ru, size := utf8.DecodeRune(r.data[i:])
			if ru == utf8.RuneError && size == 1 {
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, r.data[i:i+size]...)
			}
			i += size
		}
	}
	r.pos = len(r.data)
	return nil, r.fail(ErrTruncated, "unterminated string")
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var v rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | rune(c)
	}
	return v, true
}

// isNull consumes a JSON null if one comes next.
func (r *jsonReader) isNull() bool {
	r.ws()
	if len(r.data)-r.pos >= 4 && string(r.data[r.pos:r.pos+4]) == "null" {
		r.pos += 4
		return true
	}
	return false
}

func (r *jsonReader) str() (string, error) {
	b, err := r.strBytes()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// internedStr is str through r.strs when it is set.
func (r *jsonReader) internedStr() (string, error) {
	if r.strs == nil {
		return r.str()
	}
	b, err := r.strBytes()
	if err != nil {
		return "", err
	}
	return r.strs.intern(b), nil
}

// strBytes reads a JSON string at r.pos, failing on any other value, and
// returns stringBytes' decoded bytes.
func (r *jsonReader) strBytes() ([]byte, error) {
	c, err := r.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, r.unexpected("string")
	}
	return r.stringBytes()
}

// number reads a JSON number and returns its text, checked against the JSON
// grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jsonReader) number() ([]byte, error) {
	if _, err := r.peek(); err != nil {
		return nil, err
	}
	d, start := r.data, r.pos
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if !digits() {
		return nil, r.unexpected("number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if !digits() {
			r.pos = i
			return nil, r.unexpected("digit")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if !digits() {
			r.pos = i
			return nil, r.unexpected("digit")
		}
	}
	r.pos = i
	return d[start:i], nil
}

// fixed reads a decimal written as a JSON string or a JSON number.
func (r *jsonReader) fixed() (Fixed, error) {
	c, err := r.peek()
	if err != nil {
		return Fixed{}, err
	}
	var text []byte
	at := r.pos
	if c == '"' {
		text, err = r.stringBytes()
	} else {
		text, err = r.number()
	}
	if err != nil {
		return Fixed{}, err
	}
	f, err := parseFixed(text)
	if err != nil {
		r.pos = at
		return Fixed{}, r.fail(err, strconv.Quote(string(text)))
	}
	return f, nil
}

func (r *jsonReader) int64() (int64, error) {
	at := r.pos
	text, err := r.number()
	if err != nil {
		return 0, err
	}
	// Going through parseFixed accepts 1e3 and 12.0 as the integers they
	// are, as JSON does not distinguish them.
	f, err := parseFixed(text)
	if err != nil || f.scale != 0 {
		r.pos = at
		return 0, r.fail(ErrMalformed, "not an integer: "+string(text))
	}
	return f.coef, nil
}

func (r *jsonReader) float() (float64, error) {
	at := r.pos
	text, err := r.number()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		// Out of float64 range: JSON allows it, an event may not hold it.
		r.pos = at
		return 0, r.fail(ErrNotFinite, string(text))
	}
	return v, nil
}

func (r *jsonReader) time() (time.Time, error) {
	c, err := r.peek()
	if err != nil {
		return time.Time{}, err
	}
	if c != '"' {
		return time.Time{}, r.unexpected("RFC 3339 time string")
	}
	at := r.pos
	b, err := r.stringBytes()
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		r.pos = at
		return time.Time{}, r.fail(ErrMalformed, "not an RFC 3339 time: "+strconv.Quote(string(b)))
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		// An offset can carry year 0 or 9999 out of what RFC 3339 can
		// write back in UTC.
		r.pos = at
		return time.Time{}, r.fail(ErrMalformed, "year "+strconv.Itoa(y)+" outside 0..9999 in UTC: "+strconv.Quote(string(b)))
	}
	return t, nil
}

func (r *jsonReader) interval() (Interval, error) {
	c, err := r.peek()
	if err != nil {
		return 0, err
	}
	if c != '"' {
		return 0, r.unexpected("interval string")
	}
	at := r.pos
	b, err := r.stringBytes()
	if err != nil {
		return 0, err
	}
	var text string
	if r.strs != nil {
		// A bar stream repeats a few interval texts: reuse their strings.
		text = r.strs.intern(b)
	} else {
		text = string(b)
	}
	iv, err := ParseInterval(text)
	if err != nil {
		r.pos = at
		return 0, r.fail(err, strconv.Quote(string(b)))
	}
	return iv, nil
}

// enum reads a string and maps it with parse.
func enumJSON[T any](r *jsonReader, parse func(string) (T, error)) (T, error) {
	var zero T
	c, err := r.peek()
	if err != nil {
		return zero, err
	}
	if c != '"' {
		return zero, r.unexpected("string")
	}
	at := r.pos
	b, err := r.stringBytes()
	if err != nil {
		return zero, err
	}
	v, err := parse(string(b))
	if err != nil {
		r.pos = at
		return zero, r.fail(ErrMalformed, "unknown value "+strconv.Quote(string(b)))
	}
	return v, nil
}

// skip reads and discards one JSON value of any kind.
func (r *jsonReader) skip(depth int) error {
	if depth > maxJSONDepth {
		return r.fail(ErrMalformed, "nested too deeply")
	}
	c, err := r.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '"':
		_, err = r.stringBytes()
		return err
	case c == '{':
		r.pos++
		for first := true; ; first = false {
			_, ok, err := r.member(first)
			if err != nil || !ok {
				return err
			}
			if err := r.skip(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		r.pos++
		return r.array(func(int) error { return r.skip(depth + 1) })
	case c == '-' || (c >= '0' && c <= '9'):
		_, err = r.number()
		return err
	}
	for _, lit := range [...]string{"null", "true", "false"} {
		if len(r.data)-r.pos >= len(lit) && string(r.data[r.pos:r.pos+len(lit)]) == lit {
			r.pos += len(lit)
			return nil
		}
	}
	if len(r.data)-r.pos < 5 {
		return r.fail(ErrTruncated, "")
	}
	return r.unexpected("value")
}

// array reads the elements of an array whose '[' has been read.
func (r *jsonReader) array(elem func(i int) error) error {
	for i := 0; ; i++ {
		c, err := r.peek()
		if err != nil {
			return err
		}
		if c == ']' {
			r.pos++
			return nil
		}
		if i > 0 {
			if c != ',' {
				return r.unexpected("',' or ']'")
			}
			r.pos++
		}
		if err := elem(i); err != nil {
			return err
		}
	}
}

// unknown handles a member the type does not have.
func (r *jsonReader) unknown(name []byte, depth int) error {
	r.field = string(name)
	if r.strict {
		return r.fail(ErrUnknownField, "")
	}
	return r.skip(depth)
}

// object runs the member loop for one object: known maps a name to a bit
// index (or -1 for unknown); read decodes the member with that index. It
// rejects duplicates and checks that the required bits are all set.
func (r *jsonReader) object(depth int, names []string, required uint32, read func(idx int) error) error {
	if err := r.expect('{', "'{'"); err != nil {
		return err
	}
	var seen uint32
	for first := true; ; first = false {
		name, ok, err := r.member(first)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		idx := -1
		for i, n := range names {
			if string(name) == n {
				idx = i
				break
			}
		}
		if idx < 0 {
			if err := r.unknown(name, depth+1); err != nil {
				return err
			}
			continue
		}
		r.field = names[idx]
		if seen&(1<<idx) != 0 {
			return r.fail(ErrDuplicateField, "")
		}
		seen |= 1 << idx
		if r.isNull() {
			// null means absent: fine for an optional member, reported
			// below for a required one.
			seen &^= 1 << idx
			if required&(1<<idx) != 0 {
				return r.fail(ErrMissingField, "null")
			}
			continue
		}
		if err := read(idx); err != nil {
			return err
		}
	}
	if missing := required &^ seen; missing != 0 {
		for i, n := range names {
			if missing&(1<<i) != 0 {
				r.field = n
				return r.fail(ErrMissingField, "")
			}
		}
	}
	r.field = ""
	return nil
}

// end checks that nothing but white space follows the document.
func (r *jsonReader) end() error {
	r.ws()
	if r.pos != len(r.data) {
		r.field = ""
		return r.fail(ErrMalformed, "data after the document")
	}
	return nil
}

var barJSONNames = []string{"symbol", "venue", "interval", "open_time", "close_time",
	"open", "high", "low", "close", "volume", "quote_volume", "trade_count"}

const barJSONRequired = 1<<0 | 1<<2 | 1<<3 | 1<<4 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9

// DecodeBarJSON decodes one JSON document into a Bar. Decimals may be JSON
// strings or numbers; times are RFC 3339 with any offset and are converted to
// UTC. With strict, members the Bar does not have are an error
// ([ErrUnknownField]); without, they are skipped. Errors are [*DecodeError]s
// naming the member and byte offset. It does not validate the bar; see
// [Bar.Validate]. Safe for concurrent use; data is not retained.
func DecodeBarJSON(data []byte, strict bool) (Bar, error) {
	var b Bar
	err := decodeBarJSON(data, strict, &b, nil)
	return b, err
}

// decodeBarJSON is DecodeBarJSON into *b (left zero on error), taking the
// symbol and venue strings from d when it is not nil.
func decodeBarJSON(data []byte, strict bool, b *Bar, d *BarDecoder) error {
	*b = Bar{}
	r := jsonReader{data: data, strict: strict, typ: TypeBar, strs: d}
	err := r.object(0, barJSONNames, barJSONRequired, func(idx int) error {
		var err error
		switch idx {
		case 0:
			b.Symbol, err = r.internedStr()
		case 1:
			b.Venue, err = r.internedStr()
		case 2:
			b.Interval, err = r.interval()
		case 3:
			b.OpenTime, err = r.time()
		case 4:
			b.CloseTime, err = r.time()
		case 5:
			b.Open, err = r.fixed()
		case 6:
			b.High, err = r.fixed()
		case 7:
			b.Low, err = r.fixed()
		case 8:
			b.Close, err = r.fixed()
		case 9:
			b.Volume, err = r.fixed()
		case 10:
			b.QuoteVolume, err = r.fixed()
			b.HasQuoteVolume = true
		case 11:
			b.TradeCount, err = r.int64()
			b.HasTradeCount = true
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		*b = Bar{}
	}
	return err
}

var tradeJSONNames = []string{"symbol", "venue", "time", "price", "quantity", "side", "id"}

const tradeJSONRequired = 1<<0 | 1<<2 | 1<<3 | 1<<4

// DecodeTradeJSON decodes one JSON document into a Trade; see
// [DecodeBarJSON]. An absent side is SideUnknown.
func DecodeTradeJSON(data []byte, strict bool) (Trade, error) {
	var t Trade
	r := jsonReader{data: data, strict: strict, typ: TypeTrade}
	err := r.object(0, tradeJSONNames, tradeJSONRequired, func(idx int) error {
		var err error
		switch idx {
		case 0:
			t.Symbol, err = r.str()
		case 1:
			t.Venue, err = r.str()
		case 2:
			t.Time, err = r.time()
		case 3:
			t.Price, err = r.fixed()
		case 4:
			t.Quantity, err = r.fixed()
		case 5:
			t.Side, err = enumJSON(&r, ParseSide)
		case 6:
			t.ID, err = r.str()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return Trade{}, err
	}
	return t, nil
}

var signalJSONNames = []string{"id", "strategy", "strategy_version", "param_hash", "params",
	"symbol", "timeframe", "time", "kind", "strength", "price", "reason", "indicators",
	"status", "source"}

// Required: all but strategy_version, param_hash, params, reason, indicators
// and status, which have natural empty values.
const signalJSONRequired = 1<<0 | 1<<1 | 1<<5 | 1<<6 | 1<<7 | 1<<8 | 1<<9 | 1<<10 | 1<<14

var (
	paramJSONNames     = []string{"name", "value"}
	indicatorJSONNames = []string{"name", "value"}
	sourceJSONNames    = []string{"stream", "partition", "offset"}
)

// DecodeSignalJSON decodes one JSON document into a Signal; see
// [DecodeBarJSON]. Empty params and indicators decode to nil slices; an
// absent status is StatusConfirmed.
func DecodeSignalJSON(data []byte, strict bool) (Signal, error) {
	var s Signal
	r := jsonReader{data: data, strict: strict, typ: TypeSignal}
	err := r.object(0, signalJSONNames, signalJSONRequired, func(idx int) error {
		var err error
		switch idx {
		case 0:
			s.ID, err = r.str()
		case 1:
			s.Strategy, err = r.str()
		case 2:
			s.StrategyVersion, err = r.str()
		case 3:
			s.ParamHash, err = r.str()
		case 4:
			if err = r.expect('[', "'['"); err != nil {
				return err
			}
			err = r.array(func(i int) error {
				var p Param
				err := r.nested("params", i, paramJSONNames, 3, func(idx int) error {
					var err error
					if idx == 0 {
						p.Name, err = r.str()
					} else {
						p.Value, err = r.str()
					}
					return err
				})
				s.Params = append(s.Params, p)
				return err
			})
		case 5:
			s.Symbol, err = r.str()
		case 6:
			s.Timeframe, err = r.interval()
		case 7:
			s.Time, err = r.time()
		case 8:
			s.Kind, err = enumJSON(&r, ParseSignalKind)
		case 9:
			s.Strength, err = r.float()
		case 10:
			s.Price, err = r.fixed()
		case 11:
			s.Reason, err = r.str()
		case 12:
			if err = r.expect('[', "'['"); err != nil {
				return err
			}
			err = r.array(func(i int) error {
				var iv IndicatorValue
				err := r.nested("indicators", i, indicatorJSONNames, 3, func(idx int) error {
					var err error
					if idx == 0 {
						iv.Name, err = r.str()
					} else {
						iv.Value, err = r.float()
					}
					return err
				})
				s.Indicators = append(s.Indicators, iv)
				return err
			})
		case 13:
			s.Status, err = enumJSON(&r, ParseSignalStatus)
		case 14:
			err = r.nested("source", -1, sourceJSONNames, 7, func(idx int) error {
				var err error
				switch idx {
				case 0:
					s.Source.Stream, err = r.str()
				case 1:
					var v int64
					at := r.pos
					if v, err = r.int64(); err == nil && (v < -1<<31 || v > 1<<31-1) {
						r.pos = at
						err = r.fail(ErrMalformed, "partition out of int32 range")
					}
					s.Source.Partition = int32(v)
				case 2:
					s.Source.Offset, err = r.int64()
				}
				return err
			})
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return Signal{}, err
	}
	return s, nil
}

var deadLetterJSONNames = []string{"original", "reason", "source", "time"}

const deadLetterJSONRequired = 1<<0 | 1<<1 | 1<<3

// DecodeDeadLetterJSON decodes one JSON document into a DeadLetter; see
// [DecodeBarJSON]. original must be standard, padded base64; an empty one
// decodes to a nil slice.
func DecodeDeadLetterJSON(data []byte, strict bool) (DeadLetter, error) {
	var d DeadLetter
	r := jsonReader{data: data, strict: strict, typ: TypeDeadLetter}
	err := r.object(0, deadLetterJSONNames, deadLetterJSONRequired, func(idx int) error {
		var err error
		switch idx {
		case 0:
			c, err := r.peek()
			if err != nil {
				return err
			}
			if c != '"' {
				return r.unexpected("base64 string")
			}
			at := r.pos
			b, err := r.stringBytes()
			if err != nil {
				return err
			}
			if len(b) > 0 {
				d.Original, err = base64.StdEncoding.AppendDecode(make([]byte, 0, base64.StdEncoding.DecodedLen(len(b))), b)
				if err != nil {
					r.pos = at
					return r.fail(ErrMalformed, "bad base64: "+err.Error())
				}
			}
		case 1:
			d.Reason, err = r.str()
		case 2:
			d.Source, err = r.str()
		case 3:
			d.Time, err = r.time()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return DeadLetter{}, err
	}
	return d, nil
}

// UnmarshalJSON implements json.Unmarshaler with DecodeBarJSON in lenient
// mode (unknown members skipped, for forward compatibility). A JSON null
// leaves b unchanged.
func (b *Bar) UnmarshalJSON(data []byte) error { return unmarshalLenient(b, data, DecodeBarJSON) }

// UnmarshalJSON implements json.Unmarshaler; see [Bar.UnmarshalJSON].
func (t *Trade) UnmarshalJSON(data []byte) error { return unmarshalLenient(t, data, DecodeTradeJSON) }

// UnmarshalJSON implements json.Unmarshaler; see [Bar.UnmarshalJSON].
func (s *Signal) UnmarshalJSON(data []byte) error {
	return unmarshalLenient(s, data, DecodeSignalJSON)
}

// UnmarshalJSON implements json.Unmarshaler; see [Bar.UnmarshalJSON].
func (d *DeadLetter) UnmarshalJSON(data []byte) error {
	return unmarshalLenient(d, data, DecodeDeadLetterJSON)
}

// unmarshalLenient is the UnmarshalJSON of the event types: decode in
// lenient mode into *dst, which a JSON null or an error leaves unchanged.
func unmarshalLenient[T any](dst *T, data []byte, decode func([]byte, bool) (T, error)) error {
	if string(data) == "null" {
		return nil
	}
	v, err := decode(data, false)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}
