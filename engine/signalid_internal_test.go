package engine

import (
	"encoding/hex"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
)

// BenchmarkSignalID compares hashing a signal ID in full (appendSignalID)
// with hashing from the cached midstate of its constant prefix
// (Core.signalID), on an ID of the reference workload's shape.
func BenchmarkSignalID(b *testing.B) {
	c := &Core{insts: []instance{{name: "macd_cross@5m", hash: "3672fe3b69601ecc7b3f99284db967e8"}}}
	v := &view{s: &series{symbol: "BTC-USDT"}, f: &frame{tfText: "5m"}, r: &run{}}
	pos := events.Position{Stream: events.StreamBars, Offset: 123456}
	dst := make([]byte, 0, 64)
	var scratch [256]byte
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = appendSignalID(dst[:0], scratch[:0], "macd_cross@5m", "3672fe3b69601ecc7b3f99284db967e8",
				"BTC-USDT", "5m", pos, events.StatusConfirmed, 0)
		}
	})
	b.Run("midstate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = c.signalID(dst[:0], v, pos, events.StatusConfirmed, 0)
		}
	})
	want := appendSignalID(nil, nil, "macd_cross@5m", "3672fe3b69601ecc7b3f99284db967e8",
		"BTC-USDT", "5m", pos, events.StatusConfirmed, 0)
	if got := c.signalID(nil, v, pos, events.StatusConfirmed, 0); string(got) != string(want) {
		b.Fatalf("midstate ID %s, want %s", got, want)
	}
}

// TestAppendHex16 checks the table encoder against encoding/hex on every
// byte value, appending after existing bytes.
func TestAppendHex16(t *testing.T) {
	for start := 0; start < 256; start += 16 {
		var p [16]byte
		for i := range p {
			p[i] = byte(start + i)
		}
		got := appendHex16([]byte("x"), p[:])
		if want := hex.AppendEncode([]byte("x"), p[:]); string(got) != string(want) {
			t.Fatalf("%x: got %s, want %s", p, got, want)
		}
	}
}
