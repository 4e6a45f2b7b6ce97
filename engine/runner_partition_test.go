package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
	"github.com/candlewick-labs/candlewick/events"
)

// partitionRunner returns a Once Runner of partition p over l with hook as
// its OnSnapshot.
func partitionRunner(t *testing.T, l eventlog.Log, p int32, every int, hook func(context.Context, int64) error) *engine.Runner {
	t.Helper()
	r, err := engine.NewRunner(engine.RunnerConfig{
		Log: l, NewCore: liveCores(t)[0].new, Once: true, SnapshotEvery: every, Partition: p, OnSnapshot: hook,
		Clock: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunnerPartition runs the real Core as the Runner of partition 3 (a
// Kafka partition view) and checks that the partition is everywhere the
// input position is: signal sources, dead-letter sources and snapshot keys;
// and that partition 0 keeps the embedded log's "@0:" and key "0".
func TestRunnerPartition(t *testing.T) {
	recs := barRecords(liveBars(t))
	poison := eventlog.Record{Key: []byte("ETH-USD"), Value: []byte(`{"poison":1}`)}
	recs = append(recs[:100:100], append([]eventlog.Record{poison}, recs[100:]...)...)
	for _, tc := range []struct {
		name      string
		partition int32
		source    string
		key       string
	}{
		{"partition 0", 0, events.StreamBars + "@0:100", engine.SnapshotKey},
		{"partition 3", 3, events.StreamBars + "@3:100", "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := memlog.New(memlog.Config{})
			defer l.Close()
			appendAll(t, l, events.StreamBars, recs)
			if err := partitionRunner(t, l, tc.partition, 1000, nil).Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			sigs := eventlogtest.ReadAll(t, l, events.StreamSignals)
			if len(sigs) == 0 {
				t.Fatal("no signals: the test would prove nothing")
			}
			for _, rec := range sigs {
				s, err := events.DecodeSignalJSON(rec.Value, false)
				if err != nil {
					t.Fatal(err)
				}
				if s.Source.Partition != tc.partition || s.Source.Stream != events.StreamBars {
					t.Fatalf("signal source %+v, want partition %d of %s", s.Source, tc.partition, events.StreamBars)
				}
			}
			dead := eventlogtest.ReadAll(t, l, events.StreamDeadLetter)
			if len(dead) != 1 || eventlog.DeadLetterOf(dead[0]).Source != tc.source {
				t.Fatalf("dead letters %v, want one from %s", dead, tc.source)
			}
			snaps := eventlogtest.ReadAll(t, l, events.StreamSnapshots)
			if len(snaps) < 2 {
				t.Fatalf("%d snapshots, want several", len(snaps))
			}
			for _, s := range snaps {
				if string(s.Key) != tc.key {
					t.Fatalf("snapshot key %q, want %q", s.Key, tc.key)
				}
			}
		})
	}
}

// TestRunnerPartitionSignalsDiffer checks that a partition's signals have
// IDs of their own: the same bars at the same offsets of another partition
// are other events.
func TestRunnerPartitionSignalsDiffer(t *testing.T) {
	recs := barRecords(liveBars(t))
	ids := map[int32][]string{}
	for _, p := range []int32{0, 3} {
		l := memlog.New(memlog.Config{})
		appendAll(t, l, events.StreamBars, recs)
		if err := partitionRunner(t, l, p, -1, nil).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, rec := range eventlogtest.ReadAll(t, l, events.StreamSignals) {
			for _, h := range rec.Headers {
				if h.Key == engine.HeaderSignalID {
					ids[p] = append(ids[p], string(h.Value))
				}
			}
		}
		l.Close()
	}
	if len(ids[0]) == 0 || len(ids[0]) != len(ids[3]) {
		t.Fatalf("%d and %d signals, want the same non-zero number", len(ids[0]), len(ids[3]))
	}
	for i := range ids[0] {
		if ids[0][i] == ids[3][i] {
			t.Fatalf("signal %d has ID %s in partitions 0 and 3", i, ids[0][i])
		}
	}
}

// TestRunnerPartitionRestart stops a partition-3 run half-way and checks
// that the next one picks up exactly: its signals equal an uninterrupted
// run's (the restart found its snapshot by the partition's key and the
// signals by their partition-3 sources).
func TestRunnerPartitionRestart(t *testing.T) {
	recs := barRecords(liveBars(t))
	ref := memlog.New(memlog.Config{})
	defer ref.Close()
	appendAll(t, ref, events.StreamBars, recs)
	if err := partitionRunner(t, ref, 3, 0, nil).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := eventlogtest.Render(t, ref, events.StreamSignals)

	l := memlog.New(memlog.Config{})
	defer l.Close()
	half := len(recs) / 2
	appendAll(t, l, events.StreamBars, recs[:half])
	if err := partitionRunner(t, l, 3, 700, nil).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, events.StreamBars, recs[half:])
	r := partitionRunner(t, l, 3, 700, nil)
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := r.Metrics(); m.EventsIn != int64(len(recs)-half) {
		t.Fatalf("the second run handled %d events, want %d", m.EventsIn, len(recs)-half)
	}
	diffStreams(t, "restarted partition 3", eventlogtest.Render(t, l, events.StreamSignals), want)
}

// TestRunnerOnSnapshot checks the hook's contract: it runs after each
// snapshot record is in the log (with every signal of the events before it
// appended), with the snapshot's position, once more after a restore, and
// an error from it stops the run.
func TestRunnerOnSnapshot(t *testing.T) {
	recs := barRecords(liveBars(t))
	l := memlog.New(memlog.Config{})
	defer l.Close()
	appendAll(t, l, events.StreamBars, recs)

	var calls []int64
	hook := func(ctx context.Context, next int64) error {
		last, err := l.Last(ctx, events.StreamSnapshots)
		if err != nil {
			return err
		}
		if int(last) != len(calls) {
			return fmt.Errorf("hook call %d sees snapshot %d: not called once per snapshot, after it", len(calls), last)
		}
		// Every signal caused by an input before next is appended already.
		for _, rec := range eventlogtest.ReadAll(t, l, events.StreamSignals) {
			s, err := events.DecodeSignalJSON(rec.Value, false)
			if err != nil {
				return err
			}
			if s.Source.Offset >= next {
				return fmt.Errorf("signal of input %d appended before the snapshot at %d", s.Source.Offset, next)
			}
		}
		calls = append(calls, next)
		return nil
	}
	const every = 1000
	r := partitionRunner(t, l, 3, every, hook)
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := int64(len(recs))
	if len(calls) == 0 || calls[len(calls)-1] != n {
		t.Fatalf("hook calls %v: want the last at %d", calls, n)
	}
	for i, c := range calls[:len(calls)-1] {
		if c != int64(every*(i+1)) {
			t.Fatalf("hook calls %v: want every %d events", calls, every)
		}
	}

	// A restart restores the last snapshot and reports it, though it takes
	// none: a crash may have come between a snapshot and its hook.
	var again []int64
	r = partitionRunner(t, l, 3, every, func(_ context.Context, next int64) error {
		again = append(again, next)
		return nil
	})
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(again) != 1 || again[0] != n {
		t.Fatalf("after a restore: hook calls %v, want [%d]", again, n)
	}

	// A failing hook stops the run with its error, after the first snapshot.
	l2 := memlog.New(memlog.Config{})
	defer l2.Close()
	appendAll(t, l2, events.StreamBars, recs)
	errHook := errors.New("commit refused")
	r = partitionRunner(t, l2, 3, every, func(context.Context, int64) error { return errHook })
	err := r.Run(context.Background())
	if !errors.Is(err, errHook) {
		t.Fatalf("Run: %v, want the hook's error", err)
	}
	if !strings.Contains(err.Error(), "snapshot") {
		t.Errorf("error %q does not say it came after a snapshot", err)
	}
	if m := r.Metrics(); m.Next != every || m.Snapshots != 1 {
		t.Fatalf("run stopped at %d after %d snapshots, want %d after 1", m.Next, m.Snapshots, every)
	}
}

// TestRunnerDirect checks that a Direct Runner (Log.Follow without
// watermill) gives the Router's output byte for byte: the signals and the
// dead letters of a market stream salted with poison, followed live while
// it is appended, in runs cancelled and restarted mid-way.
func TestRunnerDirect(t *testing.T) {
	recs := barRecords(liveBars(t))
	for i := 0; i < 5; i++ {
		at := (i + 1) * len(recs) / 6
		poison := eventlog.Record{Key: []byte("ETH-USD"), Value: fmt.Appendf(nil, `{"poison":%d}`, i)}
		recs = append(recs[:at:at], append([]eventlog.Record{poison}, recs[at:]...)...)
	}
	for _, c := range liveCores(t) {
		t.Run(c.name, func(t *testing.T) {
			ref := memlog.New(memlog.Config{})
			defer ref.Close()
			appendAll(t, ref, events.StreamBars, recs)
			runOnce(t, ref, c.new, 300)
			want := eventlogtest.Render(t, ref, events.StreamSignals)
			wantDead := deadSources(t, ref)

			l := memlog.New(memlog.Config{})
			defer l.Close()
			half := len(recs) / 2
			appendAll(t, l, events.StreamBars, recs[:half])
			for k, fed := 0, half; ; k++ {
				r, err := engine.NewRunner(engine.RunnerConfig{
					Log: l, NewCore: c.new, SnapshotEvery: 300, Direct: true,
					Clock: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- r.Run(ctx) }()
				if fed < len(recs) {
					n := min(len(recs)-fed, 400)
					appendAll(t, l, events.StreamBars, recs[fed:fed+n])
					fed += n
				}
				target := min(int64(fed), int64(half/4*(k+1)))
				waitFor(t, func() bool { return r.Metrics().Next >= target }, done)
				cancel()
				if err := <-done; err != nil {
					t.Fatalf("run %d: %v", k, err)
				}
				if r.Metrics().Next == int64(len(recs)) {
					break
				}
			}
			diffStreams(t, "direct", eventlogtest.Render(t, l, events.StreamSignals), want)
			if got := deadSources(t, l); got != wantDead {
				t.Fatalf("dead letters %q, want %q", got, wantDead)
			}
		})
	}
}

// deadSources lists the sources of a log's dead letters.
func deadSources(t *testing.T, l eventlog.Log) string {
	t.Helper()
	var b strings.Builder
	for _, rec := range eventlogtest.ReadAll(t, l, events.StreamDeadLetter) {
		fmt.Fprintf(&b, "%s;", eventlog.DeadLetterOf(rec).Source)
	}
	return b.String()
}

// gateLog holds the first append to the signal stream until gate is
// closed, and records the value bytes of every signal append.
type gateLog struct {
	eventlog.Log
	gate  chan struct{}
	mu    sync.Mutex
	sizes []int
}

func (g *gateLog) Append(ctx context.Context, stream string, recs []eventlog.Record) ([]int64, error) {
	if stream == events.StreamSignals {
		<-g.gate
		n := 0
		for _, r := range recs {
			n += len(r.Value)
		}
		g.mu.Lock()
		g.sizes = append(g.sizes, n)
		g.mu.Unlock()
	}
	return g.Log.Append(ctx, stream, recs)
}

// TestRunnerOutputBatches holds the signal stream's first append while the
// run goes on: the signals gathered meanwhile go out in appends of at most
// 256 KiB of values (under a Kafka broker's default 1 MiB batch limit), in
// order, and the stream equals an unhindered run's.
func TestRunnerOutputBatches(t *testing.T) {
	recs := barRecords(liveBars(t))
	want, _ := referenceRun(t, recs, liveCores(t)[0].new)
	l := memlog.New(memlog.Config{})
	defer l.Close()
	appendAll(t, l, events.StreamBars, recs)
	g := &gateLog{Log: l, gate: make(chan struct{})}
	r, err := engine.NewRunner(engine.RunnerConfig{
		Log: g, NewCore: liveCores(t)[0].new, Once: true, SnapshotEvery: -1, Direct: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(context.Background()) }()
	// Until the gate opens the run can only queue signals (up to its
	// bound); let it queue a good many.
	waitFor(t, func() bool { return r.Metrics().Next >= int64(len(recs)/2) }, done)
	close(g.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	diffStreams(t, "gated", eventlogtest.Render(t, l, events.StreamSignals), want)
	g.mu.Lock()
	defer g.mu.Unlock()
	big := 0
	for _, n := range g.sizes {
		if n > 256<<10 {
			t.Fatalf("an append of %d bytes of signals: over 256 KiB", n)
		}
		if n > 128<<10 {
			big++
		}
	}
	if big == 0 {
		t.Fatalf("append sizes %v: no large batch, the test proves nothing", g.sizes)
	}
}

// BenchmarkRunnerModes compares the Runner's two ways of following its
// input over an in-memory log (Once, every built-in strategy on two
// timeframes): through the watermill Router, and Direct (Log.Follow on
// Run's goroutine). It reports input events per second.
func BenchmarkRunnerModes(b *testing.B) {
	recs := barRecords(liveBars(b))
	newCore := liveCores(b)[0].new
	for _, mode := range []struct {
		name   string
		direct bool
	}{{"router", false}, {"direct", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				l := memlog.New(memlog.Config{})
				appendAll(b, l, events.StreamBars, recs)
				r, err := engine.NewRunner(engine.RunnerConfig{Log: l, NewCore: newCore, Once: true, Direct: mode.direct})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := r.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				l.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
