package events_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/events"
)

// The budget (ARCHITECTURE.md): binary decode <= 100 ns and <= 1 allocation
// per event; encoders 0 allocations with a reused buffer.

func BenchmarkDecodeBarBinary(b *testing.B) {
	data := sampleBar(b).AppendBinary(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var bar events.Bar
	for b.Loop() {
		if err := events.DecodeBar(data, &bar); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBarBinary(b *testing.B) {
	bar := sampleBar(b)
	buf := make([]byte, 0, 256)
	b.SetBytes(int64(len(bar.AppendBinary(nil))))
	b.ReportAllocs()
	for b.Loop() {
		buf = bar.AppendBinary(buf[:0])
	}
}

func BenchmarkDecodeBarJSON(b *testing.B) {
	for _, strict := range []bool{true, false} {
		name := "lenient"
		if strict {
			name = "strict"
		}
		b.Run(name, func(b *testing.B) {
			data := sampleBar(b).AppendJSON(nil)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := events.DecodeBarJSON(data, strict); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeBarJSON(b *testing.B) {
	bar := sampleBar(b)
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(bar.AppendJSON(nil))))
	b.ReportAllocs()
	for b.Loop() {
		buf = bar.AppendJSON(buf[:0])
	}
}

func BenchmarkDecodeTradeBinary(b *testing.B) {
	data := sampleTrade(b).AppendBinary(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var tr events.Trade
	for b.Loop() {
		if err := events.DecodeTrade(data, &tr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSignalBinary(b *testing.B) {
	data := sampleSignal(b).AppendBinary(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var s events.Signal
	for b.Loop() {
		if err := events.DecodeSignal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSignalBinary(b *testing.B) {
	s := sampleSignal(b)
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(s.AppendBinary(nil))))
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendBinary(buf[:0])
	}
}

func BenchmarkDecodeSignalJSON(b *testing.B) {
	data := sampleSignal(b).AppendJSON(nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.DecodeSignalJSON(data, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSignalJSON(b *testing.B) {
	s := sampleSignal(b)
	buf := make([]byte, 0, 1024)
	b.SetBytes(int64(len(s.AppendJSON(nil))))
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendJSON(buf[:0])
	}
}

func BenchmarkParseFixed(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.ParseFixed("28923.63"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBarValidate(b *testing.B) {
	bar := sampleBar(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := bar.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
