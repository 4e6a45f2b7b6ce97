package disk_test

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/disk/internal/memfs"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
)

// TestConformanceMemFS runs the suite on the in-memory FS with FsyncAlways
// and tiny segments: many roll-overs without the cost of real fsyncs.
func TestConformanceMemFS(t *testing.T) {
	cfg := func(m *memfs.FS) disk.Config {
		return disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncAlways, SegmentSize: disk.MinSegmentSize}
	}
	var mu sync.Mutex
	fss := map[eventlog.Log]*memfs.FS{} // the file system of each open log
	eventlogtest.Run(t, eventlogtest.Harness{
		New: func(t *testing.T) eventlog.Log {
			m := memfs.New()
			l := mustOpen(t, cfg(m))
			mu.Lock()
			fss[l] = m
			mu.Unlock()
			return l
		},
		Reopen: func(t *testing.T, l eventlog.Log) eventlog.Log {
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			m := fss[l]
			nl := mustOpen(t, cfg(m))
			fss[nl] = m
			return nl
		},
		MaxRecordSize: disk.DefaultMaxRecordSize,
	})
}

// syncCrashFS wraps a memfs.FS and, at every Sync, first records the state
// a crash just before that fsync would leave (torn at random): a crash in
// the middle of an Append.
type syncCrashFS struct {
	*memfs.FS
	mu     sync.Mutex // guards rng and images
	rng    *rand.Rand
	images []*memfs.FS
}

func (c *syncCrashFS) OpenFile(name string, flag int, perm fs.FileMode) (disk.File, error) {
	f, err := c.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &syncCrashFile{File: f, c: c}, nil
}

type syncCrashFile struct {
	disk.File
	c *syncCrashFS
}

func (f *syncCrashFile) Sync() error {
	f.c.mu.Lock()
	f.c.images = append(f.c.images, f.c.FS.CrashClone(f.c.rng))
	f.c.mu.Unlock()
	return f.File.Sync()
}

// TestCrashAtEveryAppend appends batches and simulates machine crashes
// (only synced data survives, plus a random prefix of unsynced bytes):
// after every append, and, with FsyncAlways, before every fsync inside an
// append. Every crash image must open (a crash only tears the tail), read
// back as whole, correct batches and, under FsyncAlways, keep every record
// acknowledged before the crash.
func TestCrashAtEveryAppend(t *testing.T) {
	for _, pol := range []disk.FsyncPolicy{disk.FsyncAlways, disk.FsyncInterval} {
		t.Run(pol.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(pol)))
			cfs := &syncCrashFS{FS: memfs.New(), rng: rng}
			// The test calls Sync itself; the flusher's period is out of reach.
			cfg := disk.Config{Dir: "/log", FS: cfs, Fsync: pol, FsyncInterval: time.Hour, SegmentSize: 2 * disk.MinSegmentSize}
			l := mustOpen(t, cfg)
			ctx := context.Background()
			ends := []int64{-1} // last seq of each acknowledged batch
			recovered := 0
			// check opens a crash image. acked is the last record acknowledged
			// before the crash; inFlight the end of the batch being appended
			// (a crash before its fsync may keep all of it), or acked.
			check := func(i int, img *memfs.FS, acked, inFlight int64) {
				t.Helper()
				c := cfg
				c.FS = img
				cl, err := disk.Open(c)
				if err != nil {
					t.Fatalf("append %d: Open after crash = %v", i, err)
				}
				defer cl.Close()
				recovered += len(cl.Recovered())
				got, err := cl.Last(ctx, crashStream)
				if err != nil {
					t.Fatal(err)
				}
				if pol == disk.FsyncAlways && got < acked {
					t.Fatalf("append %d: lost acknowledged records: last %d, acknowledged %d", i, got, acked)
				}
				if !slices.Contains(ends, got) && got != acked && got != inFlight {
					t.Fatalf("append %d: crash left a partial batch ending at %d", i, got)
				}
				checkAll(t, cl, crashStream, 0, got)
			}
			for i := 0; i < 120; i++ {
				before := ends[len(ends)-1]
				cfs.images = cfs.images[:0]
				n := 1 + rng.IntN(12)
				seqs, err := l.Append(ctx, crashStream, batch(before+1, n))
				if err != nil {
					t.Fatal(err)
				}
				// Crashes inside the append: everything before it survives.
				for _, img := range cfs.images {
					check(i, img, before, seqs[len(seqs)-1])
				}
				ends = append(ends, seqs[len(seqs)-1])
				if pol == disk.FsyncInterval && i%10 == 0 {
					// What the flusher does every period.
					if err := l.Sync(); err != nil {
						t.Fatal(err)
					}
				}
				for k := 0; k < 3; k++ {
					check(i, cfs.CrashClone(rng), seqs[len(seqs)-1], seqs[len(seqs)-1])
				}
			}
			t.Logf("%d torn tails recovered", recovered)
			if recovered == 0 {
				t.Error("no crash image had a torn tail: the test exercises nothing")
			}
		})
	}
}
