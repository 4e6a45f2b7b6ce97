package disk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  disk.Config
		want []string // substrings of the error; none means valid
	}{
		{"ZeroButDir", disk.Config{Dir: "x"}, nil},
		{"AllSet", disk.Config{Dir: "x", Fsync: disk.FsyncInterval, FsyncInterval: time.Second, SegmentSize: 1 << 20,
			MaxRecordSize: 1 << 10, Retention: disk.RetentionConfig{MaxBytes: 1 << 30, MaxAge: time.Hour}}, nil},
		{"NoDir", disk.Config{}, []string{"Dir is empty"}},
		{"Everything", disk.Config{Fsync: 7, FsyncInterval: -1, SegmentSize: 10, MaxRecordSize: -1, PollInterval: -time.Millisecond,
			Retention: disk.RetentionConfig{MaxBytes: -1, MaxAge: -time.Second}},
			[]string{"Dir is empty", "Fsync 7", "FsyncInterval", "SegmentSize 10", "MaxRecordSize -1", "MaxBytes -1", "MaxAge -1s", "PollInterval -1ms"}},
		{"RecordTooBig", disk.Config{Dir: "x", MaxRecordSize: disk.MaxRecordSizeLimit + 1}, []string{"MaxRecordSize"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Validate = nil, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, missing %q", err, w)
				}
			}
			if _, oerr := disk.Open(tc.cfg); oerr == nil || oerr.Error() != err.Error() {
				t.Errorf("Open = %v, want the Validate error", oerr)
			}
		})
	}
}

// fakeClock is a deterministic Config.Clock.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func TestRetention(t *testing.T) {
	ctx := context.Background()
	t.Run("MaxBytes", func(t *testing.T) {
		dir := t.TempDir()
		cfg := disk.Config{Dir: dir, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize,
			Retention: disk.RetentionConfig{MaxBytes: 4 * disk.MinSegmentSize}}
		l := mustOpen(t, cfg)
		for i := 0; i < 100; i++ {
			appendN(t, l, crashStream, 2)
		}
		segs := segFiles(t, dir, crashStream)
		var total int64
		for _, p := range segs {
			total += fileSize(t, p)
		}
		if total > 5*disk.MinSegmentSize || len(segs) < 3 {
			t.Fatalf("%d segments of %d bytes in all; want about MaxBytes", len(segs), total)
		}
		first := firstSeq(t, segs[0])
		if _, err := l.Read(ctx, crashStream, 0); !errors.Is(err, eventlog.ErrOutOfRange) {
			t.Fatalf("Read(0) after retention = %v, want ErrOutOfRange", err)
		}
		checkAll(t, l, crashStream, first, 199)
		if err := l.Follow(ctx, crashStream, first-1, func(eventlog.Record) error { return nil }); !errors.Is(err, eventlog.ErrOutOfRange) {
			t.Fatalf("Follow before the first retained record = %v, want ErrOutOfRange", err)
		}
		// Reopen keeps the numbering.
		l.Close()
		l = mustOpen(t, cfg) // Open enforces retention too
		if again := firstSeq(t, segFiles(t, dir, crashStream)[0]); again < first {
			t.Fatalf("first retained record went back from %d to %d", first, again)
		} else {
			first = again
		}
		checkAll(t, l, crashStream, first, 199)
		appendN(t, l, crashStream, 1)
		checkAll(t, l, crashStream, first, 200)
	})
	t.Run("MaxAge", func(t *testing.T) {
		dir := t.TempDir()
		clock := &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
		cfg := disk.Config{Dir: dir, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize, Clock: clock.Now,
			Retention: disk.RetentionConfig{MaxAge: time.Hour}}
		l := mustOpen(t, cfg)
		for i := 0; i < 30; i++ {
			appendN(t, l, crashStream, 2)
		}
		old := len(segFiles(t, dir, crashStream))
		clock.now = clock.now.Add(50 * time.Minute)
		for i := 0; i < 30; i++ {
			appendN(t, l, crashStream, 2)
		}
		if err := l.EnforceRetention(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(segFiles(t, dir, crashStream)); n < old {
			t.Fatalf("segments younger than MaxAge deleted: %d left of %d", n, old)
		}
		clock.now = clock.now.Add(20 * time.Minute) // the first batch is now 70m old
		if err := l.EnforceRetention(ctx); err != nil {
			t.Fatal(err)
		}
		segs := segFiles(t, dir, crashStream)
		first := firstSeq(t, segs[0])
		if first == 0 || first > 60 {
			t.Fatalf("after MaxAge: first retained record %d, want the segments of the first hour gone", first)
		}
		checkAll(t, l, crashStream, first, 119)
		clock.now = clock.now.Add(24 * time.Hour)
		if err := l.EnforceRetention(ctx); err != nil {
			t.Fatal(err)
		}
		if segs := segFiles(t, dir, crashStream); len(segs) != 1 {
			t.Fatalf("after a day: %d segments, want only the active one", len(segs))
		}
		appendN(t, l, crashStream, 1)
		if last, _ := l.Last(ctx, crashStream); last != 120 {
			t.Fatalf("Last = %d, want 120", last)
		}
	})
}

func firstSeq(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	name := path[strings.LastIndexByte(path, '/')+1:]
	for _, c := range name[:20] {
		n = n*10 + int64(c-'0')
	}
	return n
}

// TestReadIndexed reads a large segment from many positions, before and
// after reopening (the sparse index is built by appends, then by Open).
func TestReadIndexed(t *testing.T) {
	dir := t.TempDir()
	cfg := disk.Config{Dir: dir, Fsync: disk.FsyncNone}
	l := mustOpen(t, cfg)
	const n = 20000
	for i := 0; i < n; i += 500 {
		appendN(t, l, crashStream, 500)
	}
	check := func(l *disk.Log) {
		for _, from := range []int64{0, 1, 499, 500, 4321, 10000, 12345, n - 1, n, n + 5} {
			it, err := l.Read(context.Background(), crashStream, from)
			if err != nil {
				t.Fatal(err)
			}
			want := from
			for it.Next() && want < from+50 {
				if r := it.Record(); r.Seq != want || string(r.Value) != string(value(want)) {
					t.Fatalf("from %d: got seq %d, want %d", from, r.Seq, want)
				}
				want++
			}
			if err := it.Close(); err != nil {
				t.Fatal(err)
			}
			if want != min(from+50, max(from, n)) {
				t.Fatalf("from %d: read up to %d", from, want)
			}
		}
	}
	check(l)
	l.Close()
	check(mustOpen(t, cfg))
}

func TestOpenIgnoresStrangers(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/not a stream/x", []byte("x"))
	writeFile(t, dir+"/README", []byte("x"))
	writeFile(t, dir+"/signals.v1/notes.txt", []byte("x"))
	l := mustOpen(t, disk.Config{Dir: dir})
	names, err := l.Streams(context.Background())
	if err != nil || len(names) != 0 {
		t.Fatalf("Streams = %v, %v; want none", names, err)
	}
	appendN(t, l, "signals.v1", 3)
	checkAll(t, l, "signals.v1", 0, 2)
}
