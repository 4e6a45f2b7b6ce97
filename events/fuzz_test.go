package events_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
)

// Fuzz targets for every decoder: no panic, and decode -> encode -> decode
// gives the same value. Binary records are canonical, so a record that
// decodes must also re-encode to exactly its own bytes. Crashers the fuzzer
// finds are kept in testdata/fuzz/<Target>/ and rerun by go test.

// addSeeds seeds a corpus with each record, a truncated copy and a few
// bit-flipped copies.
func addSeeds(f *testing.F, recs ...[]byte) {
	for _, r := range recs {
		f.Add(r)
		f.Add(r[:len(r)/2])
		for _, i := range []int{0, 1, 2, len(r) / 3, len(r) - 1} {
			c := bytes.Clone(r)
			c[i] ^= 0x04
			f.Add(c)
		}
	}
}

func addJSONSeeds(f *testing.F, recs ...[]byte) {
	for _, r := range recs {
		for _, strict := range []bool{true, false} {
			f.Add(r, strict)
			f.Add(r[:len(r)/2], strict)
			c := bytes.Clone(r)
			c[len(c)/3] ^= 0x04
			f.Add(c, strict)
		}
	}
	f.Add([]byte(`{"x":[[[{"a":null}]]],"y":"\ud83d\ude00"}`), false)
	f.Add([]byte(`{}`), true)
}

func FuzzDecodeBarJSON(f *testing.F) {
	min := events.Bar{Symbol: "X", Interval: 90 * events.Second, Open: fx("1e-18")}
	addJSONSeeds(f, sampleBar(f).AppendJSON(nil), min.AppendJSON(nil),
		[]byte(`{"symbol":"A","interval":"PT1H","open_time":"2021-01-01T01:00:00+01:00","close_time":"2021-01-01T01:00:00Z","open":1.5e3,"high":"2","low":"0.1","close":3,"volume":"0","trade_count":1e2,"other":{}}`))
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		b, err := events.DecodeBarJSON(data, strict)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc := b.AppendJSON(nil)
		b2, err := events.DecodeBarJSON(enc, true)
		if err != nil || !barEqual(b, b2) {
			t.Fatalf("re-decode of %s: %+v, %v; want %+v", enc, b2, err, b)
		}
		if enc2 := b2.AppendJSON(nil); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not canonical:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzDecodeTradeJSON(f *testing.F) {
	addJSONSeeds(f, sampleTrade(f).AppendJSON(nil), []byte(`{"symbol":"","time":"0001-01-01T00:00:00Z","price":0,"quantity":"-1"}`))
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		v, err := events.DecodeTradeJSON(data, strict)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc := v.AppendJSON(nil)
		v2, err := events.DecodeTradeJSON(enc, true)
		if err != nil || !tradeEqual(v, v2) {
			t.Fatalf("re-decode of %s: %+v, %v; want %+v", enc, v2, err, v)
		}
	})
}

func FuzzDecodeSignalJSON(f *testing.F) {
	addJSONSeeds(f, sampleSignal(f).AppendJSON(nil),
		[]byte(`{"id":"a","strategy":"s","symbol":"X","timeframe":"1m","time":"2021-01-01T00:00:00.5Z","kind":"flat","strength":-0,"price":"0","source":{"stream":"","partition":0,"offset":0},"params":[],"indicators":[{"name":"x","value":1e308}]}`))
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		v, err := events.DecodeSignalJSON(data, strict)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc := v.AppendJSON(nil)
		v2, err := events.DecodeSignalJSON(enc, true)
		if err != nil || !signalEqual(v, v2) {
			t.Fatalf("re-decode of %s: %+v, %v; want %+v", enc, v2, err, v)
		}
		if enc2 := v2.AppendJSON(nil); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not canonical:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzDecodeDeadLetterJSON(f *testing.F) {
	addJSONSeeds(f, sampleDeadLetter(f).AppendJSON(nil),
		[]byte(`{"original":"","reason":"\u0000","source":"s","time":"2021-01-01T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		v, err := events.DecodeDeadLetterJSON(data, strict)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		enc := v.AppendJSON(nil)
		v2, err := events.DecodeDeadLetterJSON(enc, true)
		if err != nil || !deadLetterEqual(v, v2) {
			t.Fatalf("re-decode of %s: %+v, %v; want %+v", enc, v2, err, v)
		}
	})
}

func FuzzDecodeBarBinary(f *testing.F) {
	addSeeds(f, sampleBar(f).AppendBinary(nil), events.Bar{}.AppendBinary(nil), realBars(f)[0].AppendBinary(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var b, checked events.Bar
		err := events.DecodeBar(data, &b)
		cerr := events.DecodeBarChecked(data, &checked)
		if (err == nil) != (cerr == nil) || !barEqual(b, checked) {
			t.Fatalf("fast and checked decoders disagree on % x: %v vs %v", data, err, cerr)
		}
		if err != nil {
			return
		}
		enc := b.AppendBinary(nil)
		if !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, enc)
		}
		var b2 events.Bar
		if err := events.DecodeBar(enc, &b2); err != nil || !barEqual(b, b2) {
			t.Fatalf("re-decode: %+v, %v; want %+v", b2, err, b)
		}
		// A valid bar survives JSON too.
		if b.Validate() == nil {
			j, err := events.DecodeBarJSON(b.AppendJSON(nil), true)
			if err != nil || !barEqual(j, b) {
				t.Fatalf("JSON round trip of valid %+v: %+v, %v", b, j, err)
			}
		}
	})
}

func FuzzDecodeTradeBinary(f *testing.F) {
	addSeeds(f, sampleTrade(f).AppendBinary(nil), events.Trade{}.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v, checked events.Trade
		err := events.DecodeTrade(data, &v)
		cerr := events.DecodeTradeChecked(data, &checked)
		if (err == nil) != (cerr == nil) || !tradeEqual(v, checked) {
			t.Fatalf("fast and checked decoders disagree on % x: %v vs %v", data, err, cerr)
		}
		if err != nil {
			return
		}
		if enc := v.AppendBinary(nil); !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, enc)
		}
		if v.Validate() == nil {
			j, err := events.DecodeTradeJSON(v.AppendJSON(nil), true)
			if err != nil || !tradeEqual(j, v) {
				t.Fatalf("JSON round trip of valid %+v: %+v, %v", v, j, err)
			}
		}
	})
}

func FuzzDecodeSignalBinary(f *testing.F) {
	addSeeds(f, sampleSignal(f).AppendBinary(nil), events.Signal{Kind: events.KindExit}.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v events.Signal
		if err := events.DecodeSignal(data, &v); err != nil {
			return
		}
		if enc := v.AppendBinary(nil); !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, enc)
		}
		if v.Validate() == nil {
			j, err := events.DecodeSignalJSON(v.AppendJSON(nil), true)
			if err != nil || !signalEqual(j, v) {
				t.Fatalf("JSON round trip of valid %+v: %+v, %v", v, j, err)
			}
		}
	})
}

func FuzzDecodeDeadLetterBinary(f *testing.F) {
	addSeeds(f, sampleDeadLetter(f).AppendBinary(nil), events.DeadLetter{}.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v events.DeadLetter
		if err := events.DecodeDeadLetter(data, &v); err != nil {
			return
		}
		if enc := v.AppendBinary(nil); !bytes.Equal(enc, data) {
			t.Fatalf("re-encoding differs:\n% x\n% x", data, enc)
		}
	})
}
