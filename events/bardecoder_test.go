package events_test

import (
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"github.com/candlewick-labs/candlewick/events"
)

// TestBarDecoder checks that BarDecoder.Decode gives what DecodeBar gives,
// record after record through one decoder, for streams with fewer and more
// series than it caches, for empty strings and for records that fail.
func TestBarDecoder(t *testing.T) {
	base := sampleBar(t)
	bar := func(sym, venue string) []byte {
		b := base
		b.Symbol, b.Venue = sym, venue
		return b.AppendBinary(nil)
	}
	var many [][]byte
	for i := range 40 {
		many = append(many, bar(fmt.Sprintf("S%02d-USDT", i%20), "binance"))
	}
	truncated := bar("BTC-USDT", "binance")
	truncated = truncated[:len(truncated)-3]
	tests := []struct {
		name string
		recs [][]byte
	}{
		{"one series", [][]byte{bar("BTC-USDT", "binance"), bar("BTC-USDT", "binance")}},
		{"rotation", [][]byte{bar("BTC-USDT", "binance"), bar("ETH-USDT", "binance"), bar("ADA-USDT", "binance"),
			bar("BTC-USDT", "binance"), bar("ETH-USDT", "binance"), bar("ADA-USDT", "binance")}},
		{"same bytes, other split", [][]byte{bar("BTC-USDTbin", "ance"), bar("BTC-USDT", "binance"), bar("BTC-USDTbinance", "")}},
		{"empty strings", [][]byte{bar("", ""), bar("BTC-USDT", ""), bar("", "binance")}},
		{"more series than slots", many},
		{"errors in between", [][]byte{bar("BTC-USDT", "binance"), truncated, {1}, nil, bar("BTC-USDT", "binance")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d events.BarDecoder
			for i, rec := range tc.recs {
				var got, want events.Bar
				got.Symbol = "stale"
				err := d.Decode(rec, &got)
				werr := events.DecodeBar(rec, &want)
				if (err == nil) != (werr == nil) || !barEqual(got, want) {
					t.Fatalf("record %d: Decode = %+v, %v; DecodeBar = %+v, %v", i, got, err, want, werr)
				}
				if err != nil {
					var de *events.DecodeError
					if !errors.As(err, &de) || err.Error() != werr.Error() {
						t.Fatalf("record %d: error %v, want %v", i, err, werr)
					}
				}
			}
		})
	}
}

// TestBarDecoderReuses checks the point of the decoder: the second bar of a
// series gets the first one's strings.
func TestBarDecoderReuses(t *testing.T) {
	var d events.BarDecoder
	recs := [][]byte{sampleBar(t).AppendBinary(nil), realBars(t)[0].AppendBinary(nil)}
	var first [2]events.Bar
	for i, rec := range recs {
		if err := d.Decode(rec, &first[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i, rec := range recs {
		var b events.Bar
		if err := d.Decode(rec, &b); err != nil {
			t.Fatal(err)
		}
		if unsafe.StringData(b.Symbol) != unsafe.StringData(first[i].Symbol) {
			t.Errorf("record %d: Symbol not reused", i)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, rec := range recs {
			var b events.Bar
			if err := d.Decode(rec, &b); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run of cached series, want 0", allocs)
	}
}

// FuzzBarDecoder feeds two records through one decoder (so that the second
// may hit the cache the first filled) and checks each against DecodeBar.
func FuzzBarDecoder(f *testing.F) {
	a, b := sampleBar(f).AppendBinary(nil), realBars(f)[0].AppendBinary(nil)
	f.Add(a, b)
	f.Add(a, a)
	f.Add(b, a[:len(a)-1])
	f.Add([]byte{}, events.Bar{}.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, r1, r2 []byte) {
		var d events.BarDecoder
		for i, rec := range [][]byte{r1, r2, r1} {
			var got, want events.Bar
			err := d.Decode(rec, &got)
			werr := events.DecodeBar(rec, &want)
			if (err == nil) != (werr == nil) || !barEqual(got, want) {
				t.Fatalf("record %d (% x): Decode = %+v, %v; DecodeBar = %+v, %v", i, rec, got, err, want, werr)
			}
		}
	})
}

func BenchmarkBarDecoder(b *testing.B) {
	bars := realBars(b)
	var recs [][]byte
	for _, sym := range []string{"BTC-USDT", "ETH-USDT", "ADA-USDT", "SOL-USDT", "XRP-USDT"} {
		bar := bars[0]
		bar.Symbol = sym
		recs = append(recs, bar.AppendBinary(nil))
	}
	b.ReportAllocs()
	var d events.BarDecoder
	var bar events.Bar
	i := 0
	for b.Loop() {
		if err := d.Decode(recs[i], &bar); err != nil {
			b.Fatal(err)
		}
		if i++; i == len(recs) {
			i = 0
		}
	}
}

func ExampleBarDecoder() {
	var d events.BarDecoder
	var b events.Bar
	for _, sym := range []string{"BTC-USDT", "ETH-USDT", "BTC-USDT"} {
		rec := events.Bar{Symbol: sym, Venue: "binance", Interval: events.Interval(300e9)}.AppendBinary(nil)
		if err := d.Decode(rec, &b); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(b.Symbol, b.Venue, b.Interval)
	}
	// Output:
	// BTC-USDT binance 5m
	// ETH-USDT binance 5m
	// BTC-USDT binance 5m
}

// TestBarDecoderJSON checks DecodeJSON against DecodeBarJSON, lenient and
// strict, through one decoder, on good and bad documents; and that cached
// series decode without allocating.
func TestBarDecoderJSON(t *testing.T) {
	var docs [][]byte
	for i, b := range append([]events.Bar{sampleBar(t)}, realBars(t)[:20]...) {
		b.Symbol = fmt.Sprintf("S%02d-USDT", i%18) // more series than slots
		docs = append(docs, b.AppendJSON(nil))
	}
	good := docs[0]
	docs = append(docs, good[:len(good)-2], []byte(`{"symbol":1}`), []byte(`{"Symbol":"X"}`), nil,
		[]byte(`{"symbol":"BTC-USDT","unknown":1}`), good)
	for _, strict := range []bool{false, true} {
		var d events.BarDecoder
		for i, doc := range docs {
			var got events.Bar
			got.Symbol = "stale"
			err := d.DecodeJSON(doc, strict, &got)
			want, werr := events.DecodeBarJSON(doc, strict)
			if (err == nil) != (werr == nil) || !barEqual(got, want) || (err != nil && err.Error() != werr.Error()) {
				t.Fatalf("strict=%v doc %d %q: DecodeJSON = %+v, %v; DecodeBarJSON = %+v, %v", strict, i, doc, got, err, want, werr)
			}
		}
	}
	var d events.BarDecoder
	doc := realBars(t)[0].AppendJSON(nil)
	allocs := testing.AllocsPerRun(100, func() {
		var b events.Bar
		if err := d.DecodeJSON(doc, false, &b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per JSON bar of a cached series, want 0", allocs)
	}
}

// FuzzBarDecoderJSON is FuzzBarDecoder for DecodeJSON against DecodeBarJSON.
func FuzzBarDecoderJSON(f *testing.F) {
	a, b := sampleBar(f).AppendJSON(nil), realBars(f)[0].AppendJSON(nil)
	f.Add(a, b, false)
	f.Add(a, a, true)
	f.Add(b, a[:len(a)-1], false)
	f.Fuzz(func(t *testing.T, r1, r2 []byte, strict bool) {
		var d events.BarDecoder
		for i, doc := range [][]byte{r1, r2, r1} {
			var got events.Bar
			err := d.DecodeJSON(doc, strict, &got)
			want, werr := events.DecodeBarJSON(doc, strict)
			if (err == nil) != (werr == nil) || !barEqual(got, want) {
				t.Fatalf("doc %d (%q): DecodeJSON = %+v, %v; DecodeBarJSON = %+v, %v", i, doc, got, err, want, werr)
			}
		}
	})
}
