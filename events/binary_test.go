package events_test

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

func TestBarBinaryLayout(t *testing.T) {
	b := events.Bar{Symbol: "AB", Venue: "v", Interval: events.Interval(time.Second),
		OpenTime: time.Unix(0, 1).UTC(), CloseTime: time.Unix(0, 1_000_000_001).UTC(),
		Open: fx("1.5"), High: fx("-1"), Low: fx("0"), Close: fx("64"), Volume: fx("0.01"),
		HasTradeCount: true, TradeCount: -2}
	want := []byte{
		1, 1, // version, type
		2, 1, 'A', 'B', 'v', // lengths, then symbol and venue bytes
		0x80, 0xa8, 0xd6, 0xb9, 0x07, // interval 1e9 ns, zigzag 2e9
		2,                            // open time 1 ns
		0x82, 0xa8, 0xd6, 0xb9, 0x07, // close time
		30, 1, // open 15e-1
		1, 0, // high -1
		0, 0, // low 0
		0x80, 1, 0, // close 64 (zigzag 128)
		2, 2, // volume 1e-2
		2, // flags: trade count
		3, // trade count -2
	}
	got := b.AppendBinary(nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
	var back events.Bar
	if err := events.DecodeBar(got, &back); err != nil || !barEqual(back, b) {
		t.Fatalf("DecodeBar = %+v, %v", back, err)
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	bars := append(realBars(t), sampleBar(t), events.Bar{}, events.Bar{Symbol: "X", HasQuoteVolume: true,
		OpenTime: time.Unix(0, math.MaxInt64).UTC(), CloseTime: time.Unix(0, math.MinInt64+1).UTC(),
		Open: events.FixedFromInt(math.MinInt64), Interval: -1})
	for _, b := range bars {
		data := b.AppendBinary(nil)
		var got events.Bar
		if err := events.DecodeBar(data, &got); err != nil || !barEqual(got, b) {
			t.Fatalf("DecodeBar(% x) = %+v, %v; want %+v", data, got, err, b)
		}
		if again := got.AppendBinary(nil); !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", again, data)
		}
		if typ, err := events.EventType(data); err != nil || typ != events.TypeBar {
			t.Fatalf("EventType = %v, %v", typ, err)
		}
	}
	trades := []events.Trade{sampleTrade(t), {}, {Symbol: "A", ID: "id"}}
	for _, tr := range trades {
		data := tr.AppendBinary(nil)
		var got events.Trade
		if err := events.DecodeTrade(data, &got); err != nil || !tradeEqual(got, tr) {
			t.Fatalf("DecodeTrade = %+v, %v; want %+v", got, err, tr)
		}
	}
	s := sampleSignal(t)
	empty := events.Signal{Kind: events.KindFlat}
	for _, sig := range []events.Signal{s, empty} {
		data := sig.AppendBinary(nil)
		var got events.Signal
		if err := events.DecodeSignal(data, &got); err != nil || !signalEqual(got, sig) {
			t.Fatalf("DecodeSignal = %+v, %v; want %+v", got, err, sig)
		}
	}
	for _, d := range []events.DeadLetter{sampleDeadLetter(t), {}} {
		data := d.AppendBinary(nil)
		var got events.DeadLetter
		if err := events.DecodeDeadLetter(data, &got); err != nil || !deadLetterEqual(got, d) {
			t.Fatalf("DecodeDeadLetter = %+v, %v; want %+v", got, err, d)
		}
	}
}

func TestDecodeDoesNotAliasInput(t *testing.T) {
	data := sampleSignal(t).AppendBinary(nil)
	var s events.Signal
	if err := events.DecodeSignal(data, &s); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = 0
	}
	if !signalEqual(s, sampleSignal(t)) {
		t.Fatal("decoded signal changed when the input buffer was overwritten")
	}
	dl := sampleDeadLetter(t).AppendBinary(nil)
	var d events.DeadLetter
	if err := events.DecodeDeadLetter(dl, &d); err != nil {
		t.Fatal(err)
	}
	clear(dl)
	if !deadLetterEqual(d, sampleDeadLetter(t)) {
		t.Fatal("decoded dead letter aliases its input")
	}
}

func TestBinaryErrors(t *testing.T) {
	bar := sampleBar(t).AppendBinary(nil)
	with := func(i int, v byte) []byte {
		c := bytes.Clone(bar)
		c[i] = v
		return c
	}
	// Index of the open price scale byte: header 2, lengths 2, strings 15,
	// interval 5 bytes, times 9 + 9, coef of 28923.63 is 4 bytes.
	tests := []struct {
		name string
		data []byte
		err  error
	}{
		{"nil", nil, events.ErrTruncated},
		{"one byte", []byte{1}, events.ErrTruncated},
		{"JSON", []byte(`{"symbol":"x"}`), events.ErrUnknownVersion},
		{"version 2", with(0, 2), events.ErrUnknownVersion},
		{"trade record", sampleTrade(t).AppendBinary(nil), events.ErrWrongType},
		{"trailing byte", append(bytes.Clone(bar), 0), events.ErrMalformed},
		{"symbol too long", with(2, 100), events.ErrTruncated},
		{"unknown flags", with(len(bar)-1-3-9, 0xff), events.ErrMalformed},
		{"overlong varint", []byte{1, 1, 0x80, 0x00}, events.ErrMalformed},
		{"varint overflow", []byte{1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, events.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := sampleBar(t)
			err := events.DecodeBar(tc.data, &b)
			if !errors.Is(err, tc.err) {
				t.Fatalf("DecodeBar error %v; want %v", err, tc.err)
			}
			var de *events.DecodeError
			if !errors.As(err, &de) || de.Format != "binary" {
				t.Fatalf("%#v is not a binary *DecodeError", err)
			}
			if !barEqual(b, events.Bar{}) {
				t.Fatalf("bar not zeroed on error: %+v", b)
			}
		})
	}
	// A scale above 18 and a non-normalised decimal.
	for _, tc := range []struct {
		name  string
		fixed []byte
		err   error
	}{{"scale 19", []byte{2, 19}, events.ErrFixedRange}, {"not normalised", []byte{20, 1}, events.ErrMalformed}} {
		rec := []byte{1, 2, 0, 0, 0, 2}
		rec = append(rec, tc.fixed...)
		rec = append(rec, 2, 0, 0)
		var tr events.Trade
		if err := events.DecodeTrade(rec, &tr); !errors.Is(err, tc.err) {
			t.Fatalf("%s: error %v; want %v", tc.name, err, tc.err)
		}
	}
	// Signals: bad kind, NaN strength, huge param count.
	sig := sampleSignal(t)
	sig.Strength = math.NaN()
	var s events.Signal
	if err := events.DecodeSignal(sig.AppendBinary(nil), &s); !errors.Is(err, events.ErrMalformed) {
		t.Fatalf("NaN strength: %v", err)
	}
	sig = sampleSignal(t)
	sig.Kind = 9
	if err := events.DecodeSignal(sig.AppendBinary(nil), &s); !errors.Is(err, events.ErrMalformed) || fieldOf(err) != "kind" {
		t.Fatalf("bad kind: %v", err)
	}
	huge := []byte{1, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}
	if err := events.DecodeSignal(huge, &s); !errors.Is(err, events.ErrTruncated) {
		t.Fatalf("huge param count: %v", err)
	}
}

// TestBinaryTruncatedAndFlipped decodes every prefix and every single-bit
// flip of each record: a prefix must fail with ErrTruncated (or, cut inside
// a varint, ErrMalformed is not possible, so only ErrTruncated), and no flip
// may panic or decode to something that re-encodes differently.
func TestBinaryTruncatedAndFlipped(t *testing.T) {
	recs := [][]byte{sampleBar(t).AppendBinary(nil), sampleTrade(t).AppendBinary(nil),
		sampleSignal(t).AppendBinary(nil), sampleDeadLetter(t).AppendBinary(nil)}
	for _, rec := range recs {
		for n := 0; n < len(rec); n++ {
			if _, err := decodeAnyBinary(rec[:n]); !errors.Is(err, events.ErrTruncated) {
				t.Fatalf("prefix %d of % x: error %v; want ErrTruncated", n, rec, err)
			}
		}
		for i := range rec {
			for bit := 0; bit < 8; bit++ {
				c := bytes.Clone(rec)
				c[i] ^= 1 << bit
				again, err := decodeAnyBinary(c)
				if err == nil && !bytes.Equal(again, c) {
					t.Fatalf("flip %d.%d: decoded record re-encodes differently:\n% x\n% x", i, bit, c, again)
				}
			}
		}
	}
}

// decodeAnyBinary decodes a record of any type and re-encodes it.
func decodeAnyBinary(data []byte) ([]byte, error) {
	typ, err := events.EventType(data)
	if err != nil {
		return nil, err
	}
	switch typ {
	case events.TypeBar:
		var v events.Bar
		err = events.DecodeBar(data, &v)
		return v.AppendBinary(nil), err
	case events.TypeTrade:
		var v events.Trade
		err = events.DecodeTrade(data, &v)
		return v.AppendBinary(nil), err
	case events.TypeSignal:
		var v events.Signal
		err = events.DecodeSignal(data, &v)
		return v.AppendBinary(nil), err
	default:
		var v events.DeadLetter
		err = events.DecodeDeadLetter(data, &v)
		return v.AppendBinary(nil), err
	}
}

func TestEventTypeAndIsJSON(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		typ    events.Type
		err    error
		isJSON bool
	}{
		{"bar", sampleBar(t).AppendBinary(nil), events.TypeBar, nil, false},
		{"trade", sampleTrade(t).AppendBinary(nil), events.TypeTrade, nil, false},
		{"signal", sampleSignal(t).AppendBinary(nil), events.TypeSignal, nil, false},
		{"deadletter", sampleDeadLetter(t).AppendBinary(nil), events.TypeDeadLetter, nil, false},
		{"json", sampleBar(t).AppendJSON(nil), 0, events.ErrUnknownVersion, true},
		{"json with space", []byte(" \n{}"), 0, events.ErrUnknownVersion, true},
		{"type 9", []byte{1, 9}, 0, events.ErrWrongType, false},
		{"empty", nil, 0, events.ErrTruncated, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ, err := events.EventType(tc.data)
			if typ != tc.typ || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("EventType = %v, %v; want %v, %v", typ, err, tc.typ, tc.err)
			}
			if events.IsJSON(tc.data) != tc.isJSON {
				t.Fatalf("IsJSON = %v", !tc.isJSON)
			}
		})
	}
}

func TestBinaryAllocs(t *testing.T) {
	b := sampleBar(t)
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = b.AppendBinary(buf[:0]) }); n != 0 {
		t.Fatalf("Bar.AppendBinary: %v allocs; want 0", n)
	}
	data := b.AppendBinary(nil)
	var out events.Bar
	if n := testing.AllocsPerRun(100, func() { _ = events.DecodeBar(data, &out) }); n > 1 {
		t.Fatalf("DecodeBar: %v allocs; want <= 1", n)
	}
	tr := sampleTrade(t).AppendBinary(nil)
	var outT events.Trade
	if n := testing.AllocsPerRun(100, func() { _ = events.DecodeTrade(tr, &outT) }); n > 1 {
		t.Fatalf("DecodeTrade: %v allocs; want <= 1", n)
	}
	s := sampleSignal(t)
	if n := testing.AllocsPerRun(100, func() { buf = s.AppendBinary(buf[:0]) }); n != 0 {
		t.Fatalf("Signal.AppendBinary: %v allocs; want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { buf = s.AppendJSON(buf[:0]) }); n != 0 {
		t.Fatalf("Signal.AppendJSON: %v allocs; want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { buf = b.AppendJSON(buf[:0]) }); n != 0 {
		t.Fatalf("Bar.AppendJSON: %v allocs; want 0", n)
	}
}

// TestFastPathAgreesWithChecked mutates valid records with a seeded source
// and checks that the fast decoders accept exactly what the checked ones do,
// with the same result.
func TestFastPathAgreesWithChecked(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bars := [][]byte{sampleBar(t).AppendBinary(nil), events.Bar{}.AppendBinary(nil), realBars(t)[7].AppendBinary(nil)}
	trades := [][]byte{sampleTrade(t).AppendBinary(nil), events.Trade{}.AppendBinary(nil)}
	mutate := func(rec []byte) []byte {
		c := bytes.Clone(rec)
		switch rng.IntN(4) {
		case 0:
			c[rng.IntN(len(c))] ^= byte(1 << rng.IntN(8))
		case 1:
			c[rng.IntN(len(c))] = byte(rng.IntN(256))
		case 2:
			c = c[:rng.IntN(len(c)+1)]
		default:
			i := rng.IntN(len(c) + 1)
			c = append(c[:i], append([]byte{byte(rng.IntN(256))}, c[i:]...)...)
		}
		return c
	}
	accepted := 0
	for i := 0; i < 20000; i++ {
		rec := mutate(bars[i%len(bars)])
		var fast, checked events.Bar
		err, cerr := events.DecodeBar(rec, &fast), events.DecodeBarChecked(rec, &checked)
		if (err == nil) != (cerr == nil) || !barEqual(fast, checked) {
			t.Fatalf("bar % x: fast %v, checked %v", rec, err, cerr)
		}
		if err == nil {
			accepted++
		}
		trec := mutate(trades[i%len(trades)])
		var ft, ct events.Trade
		err, cerr = events.DecodeTrade(trec, &ft), events.DecodeTradeChecked(trec, &ct)
		if (err == nil) != (cerr == nil) || !tradeEqual(ft, ct) {
			t.Fatalf("trade % x: fast %v, checked %v", trec, err, cerr)
		}
	}
	if accepted == 0 {
		t.Fatal("no mutated bar decoded; the test is not exercising the success path")
	}
}
