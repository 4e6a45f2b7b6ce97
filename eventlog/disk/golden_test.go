package disk_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/internal/golden"
)

// goldenRecords exercise every field of the frame payload.
var goldenRecords = [][]eventlog.Record{
	{{Key: []byte("BTC-USDT"), Value: []byte(`{"close":"42000.5"}`), Headers: []eventlog.Header{{Key: "content-type", Value: []byte("application/json")}}}},
	{{}, {Value: []byte("no key")}, {Key: []byte{0, 0xff}, Headers: []eventlog.Header{{Key: "reason", Value: []byte("bad price")}, {Key: "", Value: nil}}}},
}

// TestGoldenSegment freezes the on-disk format: the bytes written for a
// fixed input (and a fixed clock) must equal testdata/segment-v1.golden, and
// that file must read back as the input. Run with -update only for a new
// format version (and keep a reader for the old one).
func TestGoldenSegment(t *testing.T) {
	path := filepath.Join("testdata", "segment-v1.golden")
	clock := func() time.Time { return time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC) }
	dir := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: dir, Clock: clock, Fsync: disk.FsyncNone})
	ctx := context.Background()
	for _, b := range goldenRecords {
		if _, err := l.Append(ctx, "signals.v1", b); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	got := readFile(t, filepath.Join(dir, "signals.v1", "00000000000000000000.seg"))
	if !golden.Check(t, path, got) {
		t.FailNow() // the on-disk format changed
	}
	want := readFile(t, path)

	// The committed file reads back as the input.
	dir = t.TempDir()
	writeFile(t, filepath.Join(dir, "signals.v1", "00000000000000000000.seg"), want)
	l = mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone})
	it, err := l.Read(ctx, "signals.v1", 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for _, b := range goldenRecords {
		for _, w := range b {
			if i >= len(recs) {
				t.Fatalf("golden segment holds %d records", len(recs))
			}
			r := recs[i]
			if r.Seq != int64(i) || !bytes.Equal(r.Key, w.Key) || !bytes.Equal(r.Value, w.Value) || len(r.Headers) != len(w.Headers) {
				t.Fatalf("record %d = %+v, want %+v", i, r, w)
			}
			i++
		}
	}
	if i != len(recs) {
		t.Fatalf("golden segment holds %d records, want %d", len(recs), i)
	}
}
