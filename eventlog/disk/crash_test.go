package disk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

const crashStream = "market.bars.v1"

// TestTruncateEveryOffset cuts the segment at every byte offset inside the
// last batch and reopens: exactly that batch is lost (a batch is never half
// there), earlier records are intact, the cut is reported, and the log takes
// appends again.
func TestTruncateEveryOffset(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lastBatch int
	}{
		{"SingleRecordBatch", 1},
		{"ThreeRecordBatch", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := t.TempDir()
			l := mustOpen(t, disk.Config{Dir: src, Fsync: disk.FsyncNone})
			for _, n := range []int{1, 2, 1} {
				appendN(t, l, crashStream, n)
			}
			seg := segFiles(t, src, crashStream)[0]
			before := fileSize(t, seg)
			appendN(t, l, crashStream, tc.lastBatch)
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			full := readFile(t, seg)
			const keep = 4 // records before the last batch
			dir := t.TempDir()
			path := filepath.Join(dir, crashStream, filepath.Base(seg))
			for cut := before; cut < int64(len(full)); cut++ {
				writeFile(t, path, full[:cut])
				l, err := disk.Open(disk.Config{Dir: dir, Fsync: disk.FsyncNone})
				if err != nil {
					t.Fatalf("cut at %d: Open: %v", cut, err)
				}
				rec := l.Recovered()
				switch {
				case cut == before && len(rec) != 0:
					t.Fatalf("cut at a batch boundary: Recovered = %+v, want none", rec)
				case cut > before && (len(rec) != 1 || rec[0].Offset != before || rec[0].BytesLost != cut-before || rec[0].File != path || rec[0].Stream != crashStream):
					t.Fatalf("cut at %d: Recovered = %+v, want one cut of %d bytes at %d", cut, rec, cut-before, before)
				}
				checkAll(t, l, crashStream, 0, keep-1)
				appendN(t, l, crashStream, 2)
				checkAll(t, l, crashStream, 0, keep+1)
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				if got := fileSize(t, path); got != before+(int64(len(full))-before)/int64(tc.lastBatch)*2 {
					t.Fatalf("cut at %d: file is %d bytes after appending 2 records", cut, got)
				}
			}
		})
	}
}

// TestBitFlips flips one bit at every byte of a two-segment stream and
// reopens. A flip in the last batch of the last segment (with nothing valid
// after it) is a torn tail: cut and reported. Any other flip makes Open fail
// with a CorruptError naming the file and an offset at or before the flip.
// No flip ever yields wrong records.
func TestBitFlips(t *testing.T) {
	src := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: src, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize})
	for _, n := range []int{3, 4, 1, 2, 3, 1, 1, 1} {
		appendN(t, l, crashStream, n)
	}
	segs := segFiles(t, src, crashStream)
	if len(segs) < 2 {
		t.Fatalf("want at least 2 segments, got %d", len(segs))
	}
	lastSeg := segs[len(segs)-1]
	lastBatchStart := fileSize(t, lastSeg) // before the final 1-record batch
	appendN(t, l, crashStream, 1)
	const total = 3 + 4 + 1 + 2 + 3 + 1 + 1 + 1 + 1
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	orig := map[string][]byte{}
	for _, p := range segs {
		orig[filepath.Base(p)] = readFile(t, p)
	}

	// Every byte of the last segment, where torn and corrupt must be told
	// apart; every third byte of older ones, where any flip is corruption.
	step, oldStep := 1, 3
	if testing.Short() {
		step, oldStep = 5, 11
	}
	dir := t.TempDir()
	restore := func() {
		for name, b := range orig {
			writeFile(t, filepath.Join(dir, crashStream, name), b)
		}
	}
	for si, p := range segs {
		name := filepath.Base(p)
		path := filepath.Join(dir, crashStream, name)
		isLast := si == len(segs)-1
		st := oldStep
		if isLast {
			st = step
		}
		for off := 0; off < len(orig[name]); off += st {
			restore()
			b := append([]byte(nil), orig[name]...)
			b[off] ^= 1 << (off % 8)
			writeFile(t, path, b)
			l, err := disk.Open(disk.Config{Dir: dir, Fsync: disk.FsyncNone})
			if err != nil {
				var ce *eventlog.CorruptError
				if !errors.Is(err, eventlog.ErrCorrupt) || !errors.As(err, &ce) {
					t.Fatalf("%s flip at %d: Open = %v, want a CorruptError", name, off, err)
				}
				if ce.File != path || ce.Offset > int64(off) || ce.Offset < 0 {
					t.Fatalf("%s flip at %d: CorruptError names %s offset %d", name, off, ce.File, ce.Offset)
				}
				continue
			}
			if !isLast || int64(off) < lastBatchStart {
				l.Close()
				t.Fatalf("%s flip at %d: Open succeeded; want ErrCorrupt", name, off)
			}
			if rec := l.Recovered(); len(rec) != 1 || rec[0].Offset != lastBatchStart {
				t.Fatalf("%s flip at %d: Recovered = %+v, want a cut at %d", name, off, rec, lastBatchStart)
			}
			checkAll(t, l, crashStream, 0, total-2)
			l.Close()
		}
	}
}

// TestCorruptionSeenByReader damages a sealed segment while the log is open:
// the reader stops with a CorruptError instead of returning the bad record.
func TestCorruptionSeenByReader(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize})
	for i := 0; i < 20; i++ {
		appendN(t, l, crashStream, 3)
	}
	seg := segFiles(t, dir, crashStream)[0]
	b := readFile(t, seg)
	b[len(b)-5] ^= 0x40
	writeFile(t, seg, b)
	it, err := l.Read(context.Background(), crashStream, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for it.Next() {
		if string(it.Record().Value) != string(value(int64(n))) {
			t.Fatalf("record %d: wrong data returned", n)
		}
		n++
	}
	var ce *eventlog.CorruptError
	if err := it.Close(); !errors.As(err, &ce) || ce.File != seg {
		t.Fatalf("after %d records: err = %v, want a CorruptError in %s", n, err, seg)
	}
}

// TestTornSegmentHeader simulates a crash while a new segment was being
// created: the header is rewritten and the stream continues.
func TestTornSegmentHeader(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone})
	appendN(t, l, crashStream, 5)
	l.Close()
	torn := filepath.Join(dir, crashStream, "00000000000000000005.seg")
	writeFile(t, torn, []byte("CNDLW"))
	l = mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone})
	if rec := l.Recovered(); len(rec) != 1 || rec[0].File != torn {
		t.Fatalf("Recovered = %+v, want the torn header of %s", rec, torn)
	}
	checkAll(t, l, crashStream, 0, 4)
	appendN(t, l, crashStream, 2)
	checkAll(t, l, crashStream, 0, 6)
}

// TestMissingSegment deletes a segment in the middle: Open refuses to start.
func TestMissingSegment(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize})
	for i := 0; i < 30; i++ {
		appendN(t, l, crashStream, 3)
	}
	l.Close()
	segs := segFiles(t, dir, crashStream)
	if len(segs) < 3 {
		t.Fatalf("want at least 3 segments, got %d", len(segs))
	}
	if err := os.Remove(segs[1]); err != nil {
		t.Fatal(err)
	}
	_, err := disk.Open(disk.Config{Dir: dir})
	var ce *eventlog.CorruptError
	if !errors.As(err, &ce) || ce.File != segs[2] {
		t.Fatalf("Open = %v, want a CorruptError naming %s", err, segs[2])
	}
}

// TestTruncateCorruptTail: with the option set, corruption in the last
// segment followed by valid data is cut off instead of refused.
func TestTruncateCorruptTail(t *testing.T) {
	dir := t.TempDir()
	l := mustOpen(t, disk.Config{Dir: dir, Fsync: disk.FsyncNone})
	appendN(t, l, crashStream, 3)
	seg := segFiles(t, dir, crashStream)[0]
	cut := fileSize(t, seg)
	appendN(t, l, crashStream, 3)
	appendN(t, l, crashStream, 3)
	l.Close()
	b := readFile(t, seg)
	b[cut+20] ^= 0x10 // inside the first record of the second batch
	writeFile(t, seg, b)
	if _, err := disk.Open(disk.Config{Dir: dir}); !errors.Is(err, eventlog.ErrCorrupt) {
		t.Fatalf("Open = %v, want ErrCorrupt", err)
	}
	l = mustOpen(t, disk.Config{Dir: dir, TruncateCorruptTail: true})
	if rec := l.Recovered(); len(rec) != 1 || rec[0].Offset != cut || rec[0].BytesLost != int64(len(b))-cut {
		t.Fatalf("Recovered = %+v, want a cut at %d", rec, cut)
	}
	checkAll(t, l, crashStream, 0, 2)
	appendN(t, l, crashStream, 1)
	checkAll(t, l, crashStream, 0, 3)
}
