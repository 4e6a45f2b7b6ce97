package events

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
	"time"
)

// Binary format, version 1. The embedded log stores events in this form; a
// bar takes about a third of the bytes of its JSON and decodes several times
// faster (see the benchmarks).
//
// Every record starts with two bytes, then the fields of its type in order:
//
//	byte 0   format version (FormatV1 = 1)
//	byte 1   event type     (TypeBar = 1, TypeTrade = 2, TypeSignal = 3, TypeDeadLetter = 4)
//	...      fields
//
// Field encodings:
//
//	uvarint  unsigned LEB128, as encoding/binary.AppendUvarint; at most 10 bytes
//	varint   a signed integer, zigzag-mapped then written as a uvarint
//	fixed    a Fixed: varint coefficient, then one byte scale (0..18); always
//	         normalised (no trailing zeros in the coefficient when scale > 0)
//	time     varint Unix nanoseconds, UTC; MinInt64 is the zero time.Time
//	string   uvarint length, then the bytes (not necessarily UTF-8)
//	f64      8 bytes, IEEE 754 bits, little-endian; never NaN or infinite
//
// Bar (type 1): uvarint len(symbol), uvarint len(venue), symbol bytes, venue
// bytes (adjacent, so the decoder allocates both with one string), varint
// interval (ns), time open_time, time close_time, fixed open, high, low,
// close, volume, byte flags (bit 0: quote_volume follows, bit 1: trade_count
// follows, other bits 0), [fixed quote_volume], [varint trade_count].
//
// Trade (type 2): uvarint len(symbol), len(venue), len(id), then the three
// strings' bytes, time time, fixed price, fixed quantity, byte side (0
// unknown, 1 buy, 2 sell).
//
// Signal (type 3): string id, strategy, strategy_version, param_hash, symbol;
// varint timeframe (ns); time time; byte kind (1..4); byte status (0..1); f64
// strength; fixed price; string reason; uvarint n, then n × (string name,
// string value) params; uvarint n, then n × (string name, f64 value)
// indicators; string source stream, varint partition (int32), varint offset.
//
// DeadLetter (type 4): string original, string reason, string source, time time.
//
// A record is exactly its fields: trailing bytes are an error. These numbers
// and layouts are frozen; a change needs a new format version, and decoders
// keep reading the old ones.

// FormatV1 is the first byte of every version-1 binary record. Frozen. No
// version may be '{' or JSON white space, so that [IsJSON] can tell the two
// encodings apart by the first byte.
const FormatV1 = 1

// Bar flags (frozen).
const (
	barHasQuoteVolume = 1 << 0
	barHasTradeCount  = 1 << 1
)

// zeroTimeNanos stands for time.Time{}, whose Unix nanoseconds do not fit in
// an int64. Frozen.
const zeroTimeNanos = math.MinInt64

// IsJSON reports whether data looks like a JSON event (its first non-space
// byte is '{') rather than a binary record (whose first byte is a version).
func IsJSON(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// EventType returns the event type of a binary record without decoding it.
// It returns an error wrapping ErrTruncated for fewer than two bytes,
// ErrUnknownVersion for an unknown format version (JSON included; see
// [IsJSON]) and ErrWrongType for an unknown type byte.
func EventType(data []byte) (Type, error) {
	if len(data) < 2 {
		return 0, &DecodeError{Format: "binary", Offset: len(data), Err: ErrTruncated}
	}
	if data[0] != FormatV1 {
		return 0, &DecodeError{Format: "binary", Detail: "version byte " + strconv.Itoa(int(data[0])), Err: ErrUnknownVersion}
	}
	t := Type(data[1])
	if t < TypeBar || t > TypeDeadLetter {
		return 0, &DecodeError{Format: "binary", Offset: 1, Detail: "type byte " + strconv.Itoa(int(data[1])), Err: ErrWrongType}
	}
	return t, nil
}

func appendVarint(dst []byte, v int64) []byte {
	return binary.AppendUvarint(dst, uint64(v<<1)^uint64(v>>63))
}

func appendBinFixed(dst []byte, f Fixed) []byte {
	return append(appendVarint(dst, f.coef), f.scale)
}

func appendBinTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return appendVarint(dst, zeroTimeNanos)
	}
	return appendVarint(dst, t.UnixNano())
}

func appendBinString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

func appendBinFloat(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendBinary appends the binary encoding of b (see the format above) to dst
// and returns the extended buffer; it allocates only when dst must grow. Times
// outside the years 1678..2262 cannot be encoded faithfully; [Bar.Validate]
// rejects them.
func (b Bar) AppendBinary(dst []byte) []byte {
	dst = append(dst, FormatV1, byte(TypeBar))
	dst = binary.AppendUvarint(dst, uint64(len(b.Symbol)))
	dst = binary.AppendUvarint(dst, uint64(len(b.Venue)))
	dst = append(dst, b.Symbol...)
	dst = append(dst, b.Venue...)
	dst = appendVarint(dst, int64(b.Interval))
	dst = appendBinTime(dst, b.OpenTime)
	dst = appendBinTime(dst, b.CloseTime)
	dst = appendBinFixed(dst, b.Open)
	dst = appendBinFixed(dst, b.High)
	dst = appendBinFixed(dst, b.Low)
	dst = appendBinFixed(dst, b.Close)
	dst = appendBinFixed(dst, b.Volume)
	var flags byte
	if b.HasQuoteVolume {
		flags |= barHasQuoteVolume
	}
	if b.HasTradeCount {
		flags |= barHasTradeCount
	}
	dst = append(dst, flags)
	if b.HasQuoteVolume {
		dst = appendBinFixed(dst, b.QuoteVolume)
	}
	if b.HasTradeCount {
		dst = appendVarint(dst, b.TradeCount)
	}
	return dst
}

// AppendBinary appends the binary encoding of t to dst; see [Bar.AppendBinary].
func (t Trade) AppendBinary(dst []byte) []byte {
	dst = append(dst, FormatV1, byte(TypeTrade))
	dst = binary.AppendUvarint(dst, uint64(len(t.Symbol)))
	dst = binary.AppendUvarint(dst, uint64(len(t.Venue)))
	dst = binary.AppendUvarint(dst, uint64(len(t.ID)))
	dst = append(dst, t.Symbol...)
	dst = append(dst, t.Venue...)
	dst = append(dst, t.ID...)
	dst = appendBinTime(dst, t.Time)
	dst = appendBinFixed(dst, t.Price)
	dst = appendBinFixed(dst, t.Quantity)
	return append(dst, byte(t.Side))
}

// AppendBinary appends the binary encoding of s to dst; see [Bar.AppendBinary].
// A NaN or infinite strength or indicator value is written as is, and the
// decoder rejects it ([Signal.Validate] reports it first).
func (s Signal) AppendBinary(dst []byte) []byte {
	dst = append(dst, FormatV1, byte(TypeSignal))
	dst = appendBinString(dst, s.ID)
	dst = appendBinString(dst, s.Strategy)
	dst = appendBinString(dst, s.StrategyVersion)
	dst = appendBinString(dst, s.ParamHash)
	dst = appendBinString(dst, s.Symbol)
	dst = appendVarint(dst, int64(s.Timeframe))
	dst = appendBinTime(dst, s.Time)
	dst = append(dst, byte(s.Kind), byte(s.Status))
	dst = appendBinFloat(dst, s.Strength)
	dst = appendBinFixed(dst, s.Price)
	dst = appendBinString(dst, s.Reason)
	dst = binary.AppendUvarint(dst, uint64(len(s.Params)))
	for _, p := range s.Params {
		dst = appendBinString(dst, p.Name)
		dst = appendBinString(dst, p.Value)
	}
	dst = binary.AppendUvarint(dst, uint64(len(s.Indicators)))
	for _, iv := range s.Indicators {
		dst = appendBinString(dst, iv.Name)
		dst = appendBinFloat(dst, iv.Value)
	}
	dst = appendBinString(dst, s.Source.Stream)
	dst = appendVarint(dst, int64(s.Source.Partition))
	return appendVarint(dst, s.Source.Offset)
}

// AppendBinary appends the binary encoding of d to dst; see [Bar.AppendBinary].
func (d DeadLetter) AppendBinary(dst []byte) []byte {
	dst = append(dst, FormatV1, byte(TypeDeadLetter))
	dst = appendBinString(dst, string(d.Original))
	dst = appendBinString(dst, d.Reason)
	dst = appendBinString(dst, d.Source)
	return appendBinTime(dst, d.Time)
}

// binReader reads fields of a binary record. Errors are kept in err, so a
// decoder reads all fields and checks once; the first error wins.
type binReader struct {
	data  []byte
	pos   int
	typ   Type
	err   error
	field string
}

func (r *binReader) fail(field string, err error, detail string) {
	if r.err == nil {
		r.err = &DecodeError{Format: "binary", Type: r.typ, Field: field, Offset: r.pos, Detail: detail, Err: err}
	}
	// Park at the end so that later reads fail fast and do nothing.
	r.pos = len(r.data)
}

func (r *binReader) header() {
	if len(r.data) < 2 {
		r.fail("", ErrTruncated, "")
		return
	}
	if r.data[0] != FormatV1 {
		r.fail("", ErrUnknownVersion, "version byte "+strconv.Itoa(int(r.data[0])))
		return
	}
	if Type(r.data[1]) != r.typ {
		r.pos = 1
		r.fail("", ErrWrongType, "record holds a "+Type(r.data[1]).String())
		return
	}
	r.pos = 2
}

// uvarint is split so that the one-byte case (lengths, small counts, scales)
// inlines into the caller; the loop lives in uvarintSlow.
func (r *binReader) uvarint(field string) uint64 {
	if r.pos < len(r.data) {
		if c := r.data[r.pos]; c < 0x80 {
			r.pos++
			return uint64(c)
		}
	}
	return r.uvarintSlow(field)
}

func (r *binReader) uvarintSlow(field string) uint64 {
	d := r.data[r.pos:]
	var v uint64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if i == 9 && c > 1 {
			r.fail(field, ErrMalformed, "varint overflows 64 bits")
			return 0
		}
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			if c == 0 && i > 0 {
				// Only the shortest form is canonical, and AppendUvarint
				// writes only that; anything else is corruption.
				r.fail(field, ErrMalformed, "overlong varint")
				return 0
			}
			r.pos += i + 1
			return v
		}
	}
	r.fail(field, ErrTruncated, "")
	return 0
}

func (r *binReader) varint(field string) int64 {
	u := r.uvarint(field)
	return int64(u>>1) ^ -int64(u&1)
}

func (r *binReader) byte(field string) byte {
	if r.pos >= len(r.data) {
		r.fail(field, ErrTruncated, "")
		return 0
	}
	c := r.data[r.pos]
	r.pos++
	return c
}

func (r *binReader) fixed(field string) Fixed {
	coef := r.varint(field)
	scale := r.byte(field)
	if r.err != nil {
		return Fixed{}
	}
	if scale > MaxScale {
		r.pos--
		r.fail(field, ErrFixedRange, "scale "+strconv.Itoa(int(scale)))
		return Fixed{}
	}
	if scale > 0 && coef%10 == 0 {
		r.pos--
		r.fail(field, ErrMalformed, "decimal not normalised")
		return Fixed{}
	}
	return Fixed{coef: coef, scale: scale}
}

func (r *binReader) time(field string) time.Time {
	n := r.varint(field)
	if n == zeroTimeNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (r *binReader) f64(field string) float64 {
	if len(r.data)-r.pos < 8 {
		r.fail(field, ErrTruncated, "")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.data[r.pos:]))
	if math.IsNaN(v) || math.IsInf(v, 0) {
		r.fail(field, ErrMalformed, "NaN or infinite float")
		return 0
	}
	r.pos += 8
	return v
}

// length reads a byte count and checks that that many bytes remain.
func (r *binReader) length(field string) int {
	n := r.uvarint(field)
	if n > uint64(len(r.data)-r.pos) {
		if r.err == nil {
			r.fail(field, ErrTruncated, "length "+strconv.FormatUint(n, 10)+" beyond the record")
		}
		return 0
	}
	return int(n)
}

// str returns the next n bytes as a substring of all, a string copy of the
// whole record made once per decode, so that every string of a record
// shares one allocation.
func (r *binReader) str(field string, all *string) string {
	n := r.length(field)
	if r.err != nil || n == 0 {
		return ""
	}
	if *all == "" {
		*all = string(r.data)
	}
	s := (*all)[r.pos : r.pos+n]
	r.pos += n
	return s
}

func (r *binReader) done() error {
	if r.err == nil && r.pos != len(r.data) {
		r.fail("", ErrMalformed, strconv.Itoa(len(r.data)-r.pos)+" bytes after the record")
	}
	return r.err
}

// decodeBarChecked is DecodeBar with a precise error for every failure; the
// fast path hands failed records to it to find out what is wrong.
func decodeBarChecked(data []byte, b *Bar) error {
	r := binReader{data: data, typ: TypeBar}
	r.header()
	ls := r.uvarint("symbol")
	lv := r.uvarint("venue")
	if r.err == nil && (ls > uint64(len(data)-r.pos) || lv > uint64(len(data)-r.pos)-ls) {
		r.fail("symbol", ErrTruncated, "")
	}
	var sym, venue string
	if r.err == nil && ls+lv > 0 {
		both := string(data[r.pos : r.pos+int(ls+lv)])
		sym, venue = both[:ls], both[ls:]
		r.pos += int(ls + lv)
	}
	*b = Bar{
		Symbol:    sym,
		Venue:     venue,
		Interval:  Interval(r.varint("interval")),
		OpenTime:  r.time("open_time"),
		CloseTime: r.time("close_time"),
		Open:      r.fixed("open"),
		High:      r.fixed("high"),
		Low:       r.fixed("low"),
		Close:     r.fixed("close"),
		Volume:    r.fixed("volume"),
	}
	flags := r.byte("flags")
	if flags&^(barHasQuoteVolume|barHasTradeCount) != 0 {
		r.pos--
		r.fail("flags", ErrMalformed, "unknown flag bits")
	}
	if flags&barHasQuoteVolume != 0 {
		b.QuoteVolume = r.fixed("quote_volume")
		b.HasQuoteVolume = true
	}
	if flags&barHasTradeCount != 0 {
		b.TradeCount = r.varint("trade_count")
		b.HasTradeCount = true
	}
	if err := r.done(); err != nil {
		*b = Bar{}
		return err
	}
	return nil
}

// decodeTradeChecked is DecodeTrade with a precise error for every failure.
func decodeTradeChecked(data []byte, t *Trade) error {
	r := binReader{data: data, typ: TypeTrade}
	r.header()
	ls := r.uvarint("symbol")
	lv := r.uvarint("venue")
	li := r.uvarint("id")
	rest := uint64(len(data) - r.pos)
	if r.err == nil && (ls > rest || lv > rest-ls || li > rest-ls-lv) {
		r.fail("symbol", ErrTruncated, "")
	}
	var all string
	if r.err == nil && ls+lv+li > 0 {
		all = string(data[r.pos : r.pos+int(ls+lv+li)])
		r.pos += int(ls + lv + li)
	}
	*t = Trade{
		Time:     r.time("time"),
		Price:    r.fixed("price"),
		Quantity: r.fixed("quantity"),
		Side:     Side(r.byte("side")),
	}
	if r.err == nil {
		t.Symbol, t.Venue, t.ID = all[:ls], all[ls:ls+lv], all[ls+lv:]
		if t.Side > SideSell {
			r.pos--
			r.fail("side", ErrMalformed, "unknown side "+strconv.Itoa(int(t.Side)))
		}
	}
	if err := r.done(); err != nil {
		*t = Trade{}
		return err
	}
	return nil
}

// DecodeSignal decodes a binary signal record into *s; see [DecodeBar]. All
// strings share one allocation; Params and Indicators get new slices (nil
// when empty), never the ones *s held, which the caller may still be using.
func DecodeSignal(data []byte, s *Signal) error {
	r := binReader{data: data, typ: TypeSignal}
	r.header()
	var all string
	*s = Signal{
		ID:              r.str("id", &all),
		Strategy:        r.str("strategy", &all),
		StrategyVersion: r.str("strategy_version", &all),
		ParamHash:       r.str("param_hash", &all),
		Symbol:          r.str("symbol", &all),
		Timeframe:       Interval(r.varint("timeframe")),
		Time:            r.time("time"),
		Kind:            SignalKind(r.byte("kind")),
		Status:          SignalStatus(r.byte("status")),
	}
	if r.err == nil && !s.Kind.Valid() {
		r.pos -= 2
		r.fail("kind", ErrMalformed, "unknown kind "+strconv.Itoa(int(s.Kind)))
	}
	if r.err == nil && !s.Status.Valid() {
		r.pos--
		r.fail("status", ErrMalformed, "unknown status "+strconv.Itoa(int(s.Status)))
	}
	s.Strength = r.f64("strength")
	s.Price = r.fixed("price")
	s.Reason = r.str("reason", &all)
	// Each param takes at least two bytes, so the remaining length bounds
	// the count and a corrupt count cannot make us allocate gigabytes.
	if n := r.uvarint("params"); n > 0 && r.err == nil {
		if n > uint64(len(data)-r.pos)/2 {
			r.fail("params", ErrTruncated, "count "+strconv.FormatUint(n, 10)+" beyond the record")
		} else {
			s.Params = make([]Param, n)
			for i := range s.Params {
				s.Params[i] = Param{Name: r.str("params.name", &all), Value: r.str("params.value", &all)}
			}
		}
	}
	if n := r.uvarint("indicators"); n > 0 && r.err == nil {
		if n > uint64(len(data)-r.pos)/9 {
			r.fail("indicators", ErrTruncated, "count "+strconv.FormatUint(n, 10)+" beyond the record")
		} else {
			s.Indicators = make([]IndicatorValue, n)
			for i := range s.Indicators {
				s.Indicators[i] = IndicatorValue{Name: r.str("indicators.name", &all), Value: r.f64("indicators.value")}
			}
		}
	}
	s.Source.Stream = r.str("source.stream", &all)
	part := r.varint("source.partition")
	if part < math.MinInt32 || part > math.MaxInt32 {
		r.fail("source.partition", ErrMalformed, "partition out of int32 range")
	}
	s.Source.Partition = int32(part)
	s.Source.Offset = r.varint("source.offset")
	if err := r.done(); err != nil {
		*s = Signal{}
		return err
	}
	return nil
}

// DecodeDeadLetter decodes a binary dead-letter record into *d; see
// [DecodeBar]. Original is a new slice (nil when empty), not part of data.
func DecodeDeadLetter(data []byte, d *DeadLetter) error {
	r := binReader{data: data, typ: TypeDeadLetter}
	r.header()
	var orig []byte
	if n := r.length("original"); n > 0 && r.err == nil {
		orig = append([]byte(nil), data[r.pos:r.pos+n]...)
		r.pos += n
	}
	var all string
	*d = DeadLetter{
		Original: orig,
		Reason:   r.str("reason", &all),
		Source:   r.str("source", &all),
		Time:     r.time("time"),
	}
	if err := r.done(); err != nil {
		*d = DeadLetter{}
		return err
	}
	return nil
}

// The fast path. DecodeBar and DecodeTrade run on every event the engine
// reads, so they keep the read position in a local variable and carry
// failure as a negative position through the remaining reads instead of
// checking after each field: a failed read returns -1, and every read given
// -1 fails again. Only at the end is the position checked; a failed record is
// then decoded again by the checked decoder, which names the field and byte
// at fault. Both must accept exactly the same records (a fuzz test checks).

// uvAt reads a uvarint at p. Where eight bytes are left it decodes without
// a loop: the first byte with a clear top bit ends the varint, and the 7-bit
// groups before it are packed together with shifts and masks.
func uvAt(d []byte, p int) (uint64, int) {
	if p >= 0 && p <= len(d)-8 {
		x := binary.LittleEndian.Uint64(d[p:])
		if stop := ^x & 0x8080808080808080; stop != 0 {
			n := bits.TrailingZeros64(stop)>>3 + 1 // bytes in the varint
			x &= 1<<(8*uint(n)) - 1                // n == 8: the shift gives 0, the mask all ones
			if n > 1 && x>>(8*uint(n-1)) == 0 {
				return 0, -1 // overlong: a zero final byte
			}
			return pack7(x), p + n
		}
		return uvAtLong(d, p)
	}
	return uvAtSlow(d, p)
}

// pack7 joins the low 7 bits of each byte of x, least significant first,
// merging neighbours in three rounds: bytes into 14-bit pairs, pairs into
// 28-bit quads, quads into the 56-bit result.
func pack7(x uint64) uint64 {
	x &= 0x7f7f7f7f7f7f7f7f
	x = x&0x007f007f007f007f | x>>1&0x3f803f803f803f80
	x = x&0x00003fff00003fff | x>>2&0x0fffc0000fffc000
	return x&0x000000000fffffff | x>>4&0x00fffffff0000000
}

// uvAtLong reads a uvarint of nine or ten bytes (Unix-nanosecond times are
// nine) whose first eight bytes all have the continuation bit set.
func uvAtLong(d []byte, p int) (uint64, int) {
	v := pack7(binary.LittleEndian.Uint64(d[p:]))
	if p+8 >= len(d) {
		return 0, -1
	}
	c := d[p+8]
	if c < 0x80 {
		if c == 0 {
			return 0, -1
		}
		return v | uint64(c)<<56, p + 9
	}
	if p+9 >= len(d) {
		return 0, -1
	}
	c2 := d[p+9]
	if c2 != 1 {
		return 0, -1 // 0 is overlong, more overflows 64 bits
	}
	return v | uint64(c&0x7f)<<56 | 1<<63, p + 10
}

// uvAtSlow reads a uvarint near the end of the record, byte by byte.
func uvAtSlow(d []byte, p int) (uint64, int) {
	if p < 0 {
		return 0, -1
	}
	var v uint64
	for i := 0; i < 10 && p+i < len(d); i++ {
		c := d[p+i]
		v |= uint64(c&0x7f) << (7 * uint(i))
		if c < 0x80 {
			if (c == 0 && i > 0) || (i == 9 && c > 1) {
				return 0, -1 // overlong, or overflows 64 bits
			}
			return v, p + i + 1
		}
	}
	return 0, -1
}

func varintAt(d []byte, p int) (int64, int) {
	u, p := uvAt(d, p)
	return int64(u>>1) ^ -int64(u&1), p
}

func fixedAt(d []byte, p int) (Fixed, int) {
	coef, p := varintAt(d, p)
	if uint(p) >= uint(len(d)) {
		return Fixed{}, -1
	}
	sc := d[p]
	if sc > MaxScale || (sc > 0 && coef%10 == 0) {
		return Fixed{}, -1
	}
	return Fixed{coef: coef, scale: sc}, p + 1
}

func timeAt(d []byte, p int) (time.Time, int) {
	n, p := varintAt(d, p)
	return nanosTime(n), p
}

// nanosTime is the time of an encoded Unix-nanosecond count.
func nanosTime(n int64) time.Time {
	if n == zeroTimeNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// unzig undoes the zigzag encoding of a signed varint.
func unzig(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// barFields holds the fixed run of a bar record after its strings: interval,
// open and close time (varints, still zigzag-encoded) and the five prices
// (varint coefficient, scale byte).
type barFields struct {
	u  [3]uint64
	px [5]Fixed
}

// read decodes the fixed run at p and returns the position after it, or -1
// (and then the record is malformed). It exists because those eight varints
// were eight calls of uvAt (too big to inline) plus calls of timeAt and
// fixedAt: one loop holding uvAt's fast path decodes a bar's numbers in
// about two thirds of the time. Where that path does not apply (fewer than
// eight bytes left, which is the last field or two of a bar without quote
// volume and trade count, or a varint of ten bytes) it calls uvAt for that
// field, so it accepts and rejects exactly what uvAt does.
func (f *barFields) read(d []byte, p int) int {
	for k := range 8 {
		var v uint64
		if p >= 0 && p <= len(d)-8 {
			x := binary.LittleEndian.Uint64(d[p:])
			if stop := ^x & 0x8080808080808080; stop != 0 {
				n := bits.TrailingZeros64(stop)>>3 + 1
				x &= 1<<(8*uint(n)) - 1
				if n > 1 && x>>(8*uint(n-1)) == 0 {
					return -1 // overlong: a zero final byte
				}
				v, p = pack7(x), p+n
			} else if p+8 < len(d) && d[p+8]-1 < 0x7f {
				// Nine bytes, the last one 1..0x7f: Unix-nanosecond times.
				v, p = pack7(x)|uint64(d[p+8])<<56, p+9
			} else {
				v, p = uvAt(d, p)
			}
		} else {
			v, p = uvAt(d, p)
		}
		if p < 0 {
			return -1
		}
		if k < 3 {
			f.u[k] = v
			continue
		}
		if p >= len(d) {
			return -1
		}
		coef, sc := int64(v>>1)^-int64(v&1), d[p]
		if sc > MaxScale || (sc > 0 && coef%10 == 0) {
			return -1
		}
		f.px[k-3] = Fixed{coef: coef, scale: sc}
		p++
	}
	return p
}

// DecodeBar decodes a binary bar record into *b, overwriting every field. It
// costs at most one allocation: Symbol and Venue share one new string (data
// is not retained). On error *b is left zero and the error is a *DecodeError
// wrapping ErrTruncated, ErrUnknownVersion, ErrWrongType, ErrMalformed or
// ErrFixedRange. It does not validate the bar; see [Bar.Validate]. Safe for
// concurrent use with distinct *b.
func DecodeBar(data []byte, b *Bar) error { return decodeBar(data, b, nil) }

// decodeBar is DecodeBar, taking Symbol and Venue from the cache of d when
// d is not nil and holds them.
func decodeBar(data []byte, b *Bar, d *BarDecoder) error {
	if len(data) < 2 || data[0] != FormatV1 || data[1] != byte(TypeBar) {
		return decodeBarChecked(data, b)
	}
	ls, p := uvAt(data, 2)
	lv, p := uvAt(data, p)
	if p < 0 || ls > uint64(len(data)-p) || lv > uint64(len(data)-p)-ls {
		return decodeBarChecked(data, b)
	}
	var sym, venue string
	if n := int(ls + lv); n > 0 {
		var both string
		if d != nil {
			both = d.intern(data[p : p+n])
		} else {
			both = string(data[p : p+n])
		}
		sym, venue = both[:ls], both[ls:]
		p += n
	}
	var f barFields
	p = f.read(data, p)
	iv, ot, ct := unzig(f.u[0]), nanosTime(unzig(f.u[1])), nanosTime(unzig(f.u[2]))
	o, h, l, c, v := f.px[0], f.px[1], f.px[2], f.px[3], f.px[4]
	if uint(p) >= uint(len(data)) {
		return decodeBarChecked(data, b)
	}
	flags := data[p]
	p++
	var qv Fixed
	var tc int64
	if flags&barHasQuoteVolume != 0 {
		qv, p = fixedAt(data, p)
	}
	if flags&barHasTradeCount != 0 {
		tc, p = varintAt(data, p)
	}
	if p != len(data) || flags&^(barHasQuoteVolume|barHasTradeCount) != 0 {
		return decodeBarChecked(data, b)
	}
	// Field by field rather than *b = Bar{...}: the composite literal is
	// built on the stack and copied with a typed memmove, which scans the
	// whole struct for pointers when the GC is marking; here only the
	// pointer words take a barrier, and the strings only when they change
	// (a BarDecoder hands out the same strings bar after bar).
	if b.Symbol != sym {
		b.Symbol = sym
	}
	if b.Venue != venue {
		b.Venue = venue
	}
	b.Interval = Interval(iv)
	b.OpenTime, b.CloseTime = ot, ct
	b.Open, b.High, b.Low, b.Close, b.Volume = o, h, l, c, v
	b.QuoteVolume, b.HasQuoteVolume = qv, flags&barHasQuoteVolume != 0
	b.TradeCount, b.HasTradeCount = tc, flags&barHasTradeCount != 0
	return nil
}

// DecodeTrade decodes a binary trade record into *t; see [DecodeBar]. It
// costs at most one allocation (Symbol, Venue and ID share one string).
func DecodeTrade(data []byte, t *Trade) error {
	if len(data) < 2 || data[0] != FormatV1 || data[1] != byte(TypeTrade) {
		return decodeTradeChecked(data, t)
	}
	ls, p := uvAt(data, 2)
	lv, p := uvAt(data, p)
	li, p := uvAt(data, p)
	if p < 0 {
		return decodeTradeChecked(data, t)
	}
	rest := uint64(len(data) - p)
	if ls > rest || lv > rest-ls || li > rest-ls-lv {
		return decodeTradeChecked(data, t)
	}
	var all string
	if n := int(ls + lv + li); n > 0 {
		all = string(data[p : p+n])
		p += n
	}
	tm, p := timeAt(data, p)
	price, p := fixedAt(data, p)
	qty, p := fixedAt(data, p)
	if p != len(data)-1 || data[p] > byte(SideSell) {
		return decodeTradeChecked(data, t)
	}
	*t = Trade{Symbol: all[:ls], Venue: all[ls : ls+lv], ID: all[ls+lv:], Time: tm,
		Price: price, Quantity: qty, Side: Side(data[p])}
	return nil
}
