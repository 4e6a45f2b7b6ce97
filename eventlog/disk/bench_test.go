package disk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

// benchBatch is a batch of n records with ~100-byte values, like encoded
// bars keyed by symbol.
func benchBatch(n int) ([]eventlog.Record, int) {
	rs := batch(0, n)
	size := 0
	for _, r := range rs {
		size += len(r.Key) + len(r.Value)
	}
	return rs, size / n
}

// BenchmarkAppend measures batched appends; b.N counts records.
func BenchmarkAppend(b *testing.B) {
	for _, pol := range []disk.FsyncPolicy{disk.FsyncNone, disk.FsyncInterval, disk.FsyncAlways} {
		for _, n := range []int{100, 1000} {
			b.Run(fmt.Sprintf("fsync=%s/batch=%d", pol, n), func(b *testing.B) {
				l := mustOpen(b, disk.Config{Dir: b.TempDir(), Fsync: pol})
				rs, per := benchBatch(n)
				ctx := context.Background()
				b.SetBytes(int64(per))
				b.ReportAllocs()
				start := time.Now()
				b.ResetTimer()
				for done := 0; done < b.N; done += n {
					if _, err := l.Append(ctx, "market.bars.v1", rs[:min(n, b.N-done)]); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkAppendShared measures batched appends alternating between two
// logs open on one directory, as two processes appending to one stream
// would: every batch first catches up with (reads and verifies) the other
// log's last batch. b.N counts records.
func BenchmarkAppendShared(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("fsync=none/batch=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			ls := []*disk.Log{mustOpen(b, disk.Config{Dir: dir, Fsync: disk.FsyncNone}), mustOpen(b, disk.Config{Dir: dir, Fsync: disk.FsyncNone})}
			rs, per := benchBatch(n)
			ctx := context.Background()
			b.SetBytes(int64(per))
			b.ReportAllocs()
			start := time.Now()
			b.ResetTimer()
			for i, done := 0, 0; done < b.N; i, done = i+1, done+n {
				if _, err := ls[i%2].Append(ctx, "deadletter.v1", rs[:min(n, b.N-done)]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
		})
	}
}

// BenchmarkScan measures a sequential scan with the iterator; b.N counts
// records. The log holds scanRecords records; the scan wraps around.
func BenchmarkScan(b *testing.B) {
	const scanRecords = 500_000
	dir := b.TempDir()
	l := mustOpen(b, disk.Config{Dir: dir, Fsync: disk.FsyncNone})
	ctx := context.Background()
	rs, per := benchBatch(1000)
	for i := 0; i < scanRecords; i += len(rs) {
		if _, err := l.Append(ctx, "market.bars.v1", rs); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(per))
	b.ReportAllocs()
	start := time.Now()
	b.ResetTimer()
	var sum int
	for done := 0; done < b.N; {
		it, err := l.Read(ctx, "market.bars.v1", 0)
		if err != nil {
			b.Fatal(err)
		}
		for done < b.N && it.Next() {
			sum += len(it.Record().Value)
			done++
		}
		if err := it.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	if sum == 0 && b.N > 0 {
		b.Fatal("read nothing")
	}
}

// BenchmarkFollow measures the tail: one goroutine appends batches of 1000
// while Follow delivers them; b.N counts records.
func BenchmarkFollow(b *testing.B) {
	l := mustOpen(b, disk.Config{Dir: b.TempDir(), Fsync: disk.FsyncNone})
	rs, per := benchBatch(1000)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.SetBytes(int64(per))
	b.ReportAllocs()
	start := time.Now()
	b.ResetTimer()
	go func() {
		for done := 0; done < b.N; done += len(rs) {
			if _, err := l.Append(ctx, "signals.v1", rs[:min(len(rs), b.N-done)]); err != nil {
				return
			}
		}
	}()
	n := 0
	err := l.Follow(ctx, "signals.v1", 0, func(r eventlog.Record) error {
		if n++; n == b.N {
			cancel()
		}
		return nil
	})
	b.StopTimer()
	if n != b.N {
		b.Fatalf("followed %d of %d records: %v", n, b.N, err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}
