package engine_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
)

// TestSnapshotRestoreEverywhere cuts the replay at many points, snapshots,
// restores into a fresh Core and continues: the signal bytes must equal an
// uninterrupted run's.
func TestSnapshotRestoreEverywhere(t *testing.T) {
	bars := dedupe(sample(t))
	cfg := sampleConfig(t, true)
	want, _ := encode(t, replay(t, newCore(t, cfg), bars, 0, len(bars)))

	step := 97
	if testing.Short() {
		step = 611
	}
	cuts := []int{0, 1, 2, 3, 4, 5, 11, 12, 13, len(bars) - 1, len(bars)}
	for k := 17; k < len(bars); k += step {
		cuts = append(cuts, k)
	}
	// One Core runs straight through; at each cut its snapshot seeds a new
	// Core that replays the rest, chained, so every cut is exercised on the
	// state the previous restore produced.
	c := newCore(t, cfg)
	var got []events.Signal
	prev := 0
	for _, cut := range sortedUnique(cuts) {
		got = append(got, replay(t, c, bars, prev, cut)...)
		snap, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		c = newCore(t, cfg)
		if err := c.UnmarshalBinary(snap); err != nil {
			t.Fatalf("restore at %d: %v", cut, err)
		}
		again, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(snap, again) {
			t.Fatalf("snapshot at %d does not survive a restore unchanged", cut)
		}
		if cut > 0 {
			if p, ok := c.Position(); !ok || p != posAt(cut-1) {
				t.Fatalf("restored position %v %v, want %v", p, ok, posAt(cut-1))
			}
		}
		prev = cut
	}
	got = append(got, replay(t, c, bars, prev, len(bars))...)
	g, _ := encode(t, got)
	if !bytes.Equal(g, want) {
		t.Fatalf("restore + continue differs from an uninterrupted run (%d vs %d bytes)", len(g), len(want))
	}
}

func sortedUnique(xs []int) []int {
	seen := map[int]bool{}
	var out []int
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// fixCRC recomputes the trailing checksum (the documented format: CRC-32C of
// everything before the last four bytes, little-endian), so that mutations
// reach the decoder behind it.
func fixCRC(b []byte) []byte {
	if len(b) < 4 {
		return b
	}
	b = bytes.Clone(b)
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], crc32.MakeTable(crc32.Castagnoli)))
	return b
}

func snapshotAt(t testing.TB, cfg engine.Config, bars []events.Bar, n int) []byte {
	t.Helper()
	c := newCore(t, cfg)
	replay(t, c, bars, 0, n)
	snap, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func TestSnapshotErrors(t *testing.T) {
	bars := dedupe(sample(t))
	cfg := sampleConfig(t, true)
	snap := snapshotAt(t, cfg, bars, 4400)
	other := sampleConfig(t, false)
	unstable := sampleConfig(t, true)
	reg, err := indicators.NewRegistry(indicators.Settings{Unstable: map[string]int{"EMA": 10}})
	if err != nil {
		t.Fatal(err)
	}
	unstable.Indicators = reg
	for _, tc := range []struct {
		name string
		data []byte
		cfg  engine.Config
	}{
		{"empty", nil, cfg},
		{"truncated", snap[:len(snap)/2], cfg},
		{"truncated, checksum fixed", fixCRC(snap[:len(snap)/2]), cfg},
		{"bit flip", func() []byte { b := bytes.Clone(snap); b[len(b)/3] ^= 4; return b }(), cfg},
		{"bad magic", fixCRC(append([]byte("XX"), snap[2:]...)), cfg},
		{"future version", func() []byte { b := bytes.Clone(snap); b[8] = 9; return fixCRC(b) }(), cfg},
		{"other config", snap, other},
		{"other unstable periods", snap, unstable},
		{"trailing bytes", fixCRC(append(bytes.Clone(snap[:len(snap)-4]), 0, 0, 0, 0, 0)), cfg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCore(t, tc.cfg)
			replay(t, c, bars, 0, 100)
			before, _ := c.MarshalBinary()
			err := c.UnmarshalBinary(tc.data)
			var se *engine.SnapshotError
			if !errors.Is(err, engine.ErrSnapshot) || !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SnapshotError", err)
			}
			after, _ := c.MarshalBinary()
			if !bytes.Equal(before, after) {
				t.Fatal("a refused snapshot changed the Core")
			}
		})
	}
}

// FuzzCoreSnapshot feeds arbitrary bytes to UnmarshalBinary, both as they
// are and with the checksum made to match (so mutations reach the parser):
// no panic, and a snapshot that is accepted re-encodes to itself and keeps
// the Core working.
func FuzzCoreSnapshot(f *testing.F) {
	bars := dedupe(sample(f))
	cfg := sampleConfig(f, true)
	for _, n := range []int{0, 1, 13, 300, 4400} {
		s := snapshotAt(f, cfg, bars, n)
		f.Add(s)
		f.Add(s[:len(s)-5])
		b := bytes.Clone(s)
		b[len(b)/2] ^= 0x10
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, fixCRC(data)} {
			c := newCore(t, cfg)
			if err := c.UnmarshalBinary(d); err != nil {
				if !errors.Is(err, engine.ErrSnapshot) && !errors.Is(err, engine.ErrStrategy) {
					t.Fatalf("unexpected error class: %v", err)
				}
				continue
			}
			again, err := c.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			c2 := newCore(t, cfg)
			if err := c2.UnmarshalBinary(again); err != nil {
				t.Fatalf("re-encoded snapshot refused: %v", err)
			}
			// The restored Core must take more bars without panicking;
			// rejections are fine (the fuzzed state may be anywhere in time).
			for i := len(bars) - 20; i < len(bars); i++ {
				_, _ = c.Apply(posAt(i), &bars[i], nil)
			}
		}
	})
}
