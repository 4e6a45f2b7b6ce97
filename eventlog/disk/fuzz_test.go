package disk_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/disk/internal/memfs"
)

const fuzzSeg = "00000000000000000000.seg"

// validHeader builds a version-1 segment header for base 0 (see doc.go); the
// fuzz body prepends it on request so that the fuzzer can spend its time on
// the frames.
func validHeader() []byte {
	h := make([]byte, 40)
	copy(h, "CNDLWLOG")
	binary.LittleEndian.PutUint32(h[8:], 1)
	binary.LittleEndian.PutUint32(h[32:], crc32.Checksum(h[:32], crc32.MakeTable(crc32.Castagnoli)))
	return h
}

// FuzzSegment opens arbitrary bytes as the only segment of a stream: Open
// and reads must not panic; Open either fails with ErrCorrupt or yields
// records that read back in sequence and survive append → read unchanged.
// The first byte selects a mode: odd means "prepend a valid header".
func FuzzSegment(f *testing.F) {
	// Seeds: a valid segment, truncated and bit-flipped copies, empty files.
	// The in-memory FS keeps each run cheap.
	m := memfs.New()
	l, err := disk.Open(disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncNone})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	l.Append(ctx, "s", []eventlog.Record{{Key: []byte("k"), Value: []byte("v1"), Headers: []eventlog.Header{{Key: "h", Value: []byte("x")}}}})
	l.Append(ctx, "s", []eventlog.Record{{Value: []byte("v2")}, {}, {Key: []byte("BTC-USDT"), Value: bytes.Repeat([]byte("z"), 100)}})
	l.Close()
	valid, err := m.ReadFile("/log/s/" + fuzzSeg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte{0}, valid...))
	f.Add(append([]byte{1}, valid[40:]...))
	f.Add(append([]byte{0}, valid[:len(valid)-3]...))
	flipped := append([]byte{0}, valid...)
	flipped[50] ^= 4
	f.Add(flipped)
	f.Add([]byte{0})
	f.Add([]byte{1})
	f.Add(append([]byte{0}, valid[:40]...))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		seg := data[1:]
		if data[0]&1 == 1 {
			seg = append(validHeader(), seg...)
		}
		m := memfs.New()
		if err := m.WriteFile("/log/s/"+fuzzSeg, seg); err != nil {
			t.Fatal(err)
		}
		l, err := disk.Open(disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncNone})
		if err != nil {
			if !errors.Is(err, eventlog.ErrCorrupt) {
				t.Fatalf("Open = %v, want nil or ErrCorrupt", err)
			}
			return
		}
		defer l.Close()
		it, err := l.Read(ctx, "s", 0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := eventlog.Collect(it, -1)
		if err != nil {
			t.Fatalf("reading a segment Open accepted: %v", err)
		}
		last, _ := l.Last(ctx, "s")
		if int64(len(got)) != last+1 {
			t.Fatalf("read %d records, Last = %d", len(got), last)
		}
		if len(got) == 0 {
			return
		}
		// decode → encode → decode gives the same records.
		if _, err := l.Append(ctx, "s", got); err != nil {
			t.Fatal(err)
		}
		it, err = l.Read(ctx, "s", last+1)
		if err != nil {
			t.Fatal(err)
		}
		again, err := eventlog.Collect(it, -1)
		if err != nil || len(again) != len(got) {
			t.Fatalf("re-read %d records (%v), want %d", len(again), err, len(got))
		}
		for i := range got {
			a, b := got[i], again[i]
			if b.Seq != last+1+int64(i) || !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) || len(a.Headers) != len(b.Headers) {
				t.Fatalf("record %d changed on round trip: %+v -> %+v", i, a, b)
			}
			for j := range a.Headers {
				if a.Headers[j].Key != b.Headers[j].Key || !bytes.Equal(a.Headers[j].Value, b.Headers[j].Value) {
					t.Fatalf("record %d header %d changed on round trip", i, j)
				}
			}
		}
	})
}

// FuzzCatchUp gives arbitrary bytes to a log that is already open, as if
// another process had written them: the lock-free catch-up of Last and Read
// must not panic and exposes only verified records (or reports
// ErrCorrupt); an Append then repairs or refuses (ErrCorrupt) under the
// lock, and what it exposes reads back in sequence. The first byte selects
// a mode as in FuzzSegment.
func FuzzCatchUp(f *testing.F) {
	m := memfs.New()
	l, err := disk.Open(disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncNone})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	l.Append(ctx, "s", []eventlog.Record{{Key: []byte("k"), Value: []byte("v1")}, {Value: []byte("v2")}})
	l.Append(ctx, "s", []eventlog.Record{{Value: []byte("v3")}})
	l.Close()
	valid, err := m.ReadFile("/log/s/" + fuzzSeg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append([]byte{0}, valid...))
	f.Add(append([]byte{0}, valid[:len(valid)-5]...))
	f.Add(append([]byte{1}, valid[40:len(valid)-9]...))
	f.Add(append([]byte{0}, valid[:20]...))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		seg := data[1:]
		if data[0]&1 == 1 {
			seg = append(validHeader(), seg...)
		}
		m := memfs.New()
		if err := m.MkdirAll("/log/s", 0o755); err != nil {
			t.Fatal(err)
		}
		l, err := disk.Open(disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncNone})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if err := m.WriteFile("/log/s/"+fuzzSeg, seg); err != nil {
			t.Fatal(err)
		}
		readAll := func() ([]eventlog.Record, error) {
			last, err := l.Last(ctx, "s")
			if err != nil {
				return nil, err
			}
			it, err := l.Read(ctx, "s", 0)
			if err != nil {
				return nil, err
			}
			got, err := eventlog.Collect(it, -1)
			if err == nil && int64(len(got)) != last+1 {
				t.Fatalf("read %d records, Last = %d", len(got), last)
			}
			return got, err
		}
		before, err := readAll()
		if err != nil && !errors.Is(err, eventlog.ErrCorrupt) {
			t.Fatalf("lock-free catch-up = %v, want nil or ErrCorrupt", err)
		}
		seqs, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("new")}})
		if err != nil {
			if !errors.Is(err, eventlog.ErrCorrupt) {
				t.Fatalf("Append = %v, want nil or ErrCorrupt", err)
			}
			return
		}
		after, err := readAll()
		if err != nil {
			t.Fatalf("read after a successful Append: %v", err)
		}
		if len(after) < len(before)+1 || seqs[0] != int64(len(after)-1) || string(after[len(after)-1].Value) != "new" {
			t.Fatalf("after Append: %d records (had %d), new one at %d", len(after), len(before), seqs[0])
		}
	})
}
