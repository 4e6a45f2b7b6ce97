package disk_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/disk/internal/memfs"
)

// Two logs opened on one directory behave like two processes: their locks
// exclude each other (flock(2) locks belong to the open file, memfs's to the
// handle) and neither sees the other's in-memory state. These tests run in
// one process, quickly and under the race detector.

// TestTwoLogsShareDir appends from goroutines of two logs on one directory
// while a third follows: every record is there once, in order.
func TestTwoLogsShareDir(t *testing.T) {
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) (string, disk.FS)
	}{
		{"MemFS", func(t *testing.T) (string, disk.FS) { return "/log", memfs.New() }},
		{"OSFS", func(t *testing.T) (string, disk.FS) { return t.TempDir(), nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, fsys := tc.dir(t)
			cfg := disk.Config{Dir: dir, FS: fsys, Fsync: disk.FsyncNone, SegmentSize: 4 << 10, PollInterval: time.Millisecond}
			logs := []*disk.Log{mustOpen(t, cfg), mustOpen(t, cfg)}
			follower := mustOpen(t, cfg)
			const writers, batches = 4, 60
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			// As in TestFollowAcrossProcesses: each side stores its count,
			// then loads the other's.
			var followed, target atomic.Int64
			target.Store(-1)
			reached := make(chan struct{})
			var once sync.Once
			followErr := make(chan error, 1)
			go func() {
				next := map[int]int{}
				var n int64
				followErr <- follower.Follow(ctx, mpStream, 0, func(r eventlog.Record) error {
					id, k, ok := parseMPValue(r.Value)
					if r.Seq != n || !ok || k != next[id] {
						return fmt.Errorf("record %d: seq %d value %q, want writer %d record %d", n, r.Seq, r.Value, id, next[id])
					}
					next[id]++
					n++
					followed.Store(n)
					if n == target.Load() {
						once.Do(func() { close(reached) })
					}
					return nil
				})
			}()

			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				acks []ack
			)
			for id := 0; id < writers; id++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := logs[id%len(logs)]
					k := 0
					for b := 0; b < batches; b++ {
						n := 1 + (b*7+id)%10
						recs := make([]eventlog.Record, n)
						for i := range recs {
							recs[i] = eventlog.Record{Value: mpValue(id, k+i)}
						}
						seqs, err := l.Append(ctx, mpStream, recs)
						if err != nil {
							t.Errorf("writer %d: %v", id, err)
							return
						}
						mu.Lock()
						acks = append(acks, ack{id: id, n: n, k: k, seq: seqs[0]})
						mu.Unlock()
						k += n
					}
				}()
			}
			wg.Wait()
			var total int64
			for _, a := range acks {
				total += int64(a.n)
			}
			// Each log sees all records, whoever wrote them.
			for i, l := range logs {
				if last, err := l.Last(ctx, mpStream); err != nil || last != total-1 {
					t.Fatalf("log %d: Last = %d, %v; want %d", i, last, err, total-1)
				}
			}
			checkMP(t, logs[0], acks)
			checkMP(t, logs[1], acks)
			target.Store(total)
			if followed.Load() == total {
				once.Do(func() { close(reached) })
			}
			select {
			case <-reached:
			case err := <-followErr:
				t.Fatalf("Follow = %v after %d of %d records", err, followed.Load(), total)
			case <-ctx.Done():
				t.Fatalf("Follow delivered %d of %d records", followed.Load(), total)
			}
			cancel()
			<-followErr
			checkMP(t, mustOpen(t, cfg), acks)
		})
	}
}

// pauseFS pauses the next segment write, once armed, half-way: it writes
// half the bytes, reports on paused and waits for resume.
type pauseFS struct {
	*memfs.FS
	armed  atomic.Bool
	paused chan struct{}
	resume chan struct{}
}

func (p *pauseFS) OpenFile(name string, flag int, perm fs.FileMode) (disk.File, error) {
	f, err := p.FS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, ".seg") {
		return f, err
	}
	return &pauseFile{File: f, p: p}, nil
}

type pauseFile struct {
	disk.File
	p *pauseFS
}

func (f *pauseFile) WriteAt(b []byte, off int64) (int, error) {
	if f.p.armed.CompareAndSwap(true, false) {
		n, err := f.File.WriteAt(b[:len(b)/2], off)
		if err != nil {
			return n, err
		}
		close(f.p.paused)
		<-f.p.resume
		m, err := f.File.WriteAt(b[len(b)/2:], off+int64(n))
		return n + m, err
	}
	return f.File.WriteAt(b, off)
}

// TestNoPartialBatchAcrossLogs stops a writer in the middle of writing a
// batch: a reader in another log (process) sees none of it, then all of it.
func TestNoPartialBatchAcrossLogs(t *testing.T) {
	pfs := &pauseFS{FS: memfs.New(), paused: make(chan struct{}), resume: make(chan struct{})}
	cfg := disk.Config{Dir: "/log", FS: pfs, Fsync: disk.FsyncNone}
	w, r := mustOpen(t, cfg), mustOpen(t, cfg)
	ctx := context.Background()
	appendN(t, w, crashStream, 3)
	checkAll(t, r, crashStream, 0, 2)
	pfs.armed.Store(true)
	done := make(chan error, 1)
	go func() {
		_, err := w.Append(ctx, crashStream, batch(3, 5))
		done <- err
	}()
	<-pfs.paused
	if last, err := r.Last(ctx, crashStream); err != nil || last != 2 {
		t.Fatalf("Last during the write = %d, %v; want 2", last, err)
	}
	checkAll(t, r, crashStream, 0, 2)
	close(pfs.resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkAll(t, r, crashStream, 0, 7)
	if rec := r.Recovered(); len(rec) != 0 {
		t.Fatalf("reader recovered %+v; a live writer's batch is not torn", rec)
	}
}

// TestSharedDirStreamsAndRetention: a stream created by another log shows
// up in Streams; retention in one log removes segments the other then
// stops listing; and appends from the other continue the numbering.
func TestSharedDirStreamsAndRetention(t *testing.T) {
	m := memfs.New()
	cfg := disk.Config{Dir: "/log", FS: m, Fsync: disk.FsyncNone, SegmentSize: disk.MinSegmentSize}
	a, b := mustOpen(t, cfg), mustOpen(t, cfg)
	ctx := context.Background()
	appendN(t, a, "signals.v1", 40)
	names, err := b.Streams(ctx)
	if err != nil || !slices.Equal(names, []string{"signals.v1"}) {
		t.Fatalf("Streams = %v, %v; want [signals.v1]", names, err)
	}
	for i := 0; i < 30; i++ {
		appendN(t, []eventlog.Log{a, b}[i%2], "signals.v1", 3)
	}
	checkAll(t, b, "signals.v1", 0, 129)
	rcfg := cfg
	rcfg.Retention.MaxBytes = 3 * disk.MinSegmentSize
	c := mustOpen(t, rcfg) // Open enforces retention
	first, err := c.Read(ctx, "signals.v1", 0)
	if err == nil {
		first.Close()
		t.Fatal("Read(0) after retention succeeded")
	}
	appendN(t, b, "signals.v1", 2)
	if last, err := a.Last(ctx, "signals.v1"); err != nil || last != 131 {
		t.Fatalf("Last = %d, %v; want 131", last, err)
	}
	it, err := a.Read(ctx, "signals.v1", 125)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil || len(recs) != 7 || recs[6].Seq != 131 {
		t.Fatalf("read %d records, %v; want 125..131", len(recs), err)
	}
}
