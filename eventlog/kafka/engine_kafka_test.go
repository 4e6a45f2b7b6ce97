package kafka_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/internal/kafkatest"
	"github.com/candlewick-labs/candlewick/strategies"
)

// engineConfig is what the engines of these tests run: every built-in
// strategy with its defaults, on the input interval and on 1h.
func engineConfig(t testing.TB) engine.Config {
	t.Helper()
	var insts []engine.Instance
	for _, tf := range []string{"", "1h"} {
		for _, def := range strategies.Builtins() {
			over, name := map[string]string{}, def.Name
			if tf != "" {
				over["timeframe"], name = tf, name+"@"+tf
			}
			p, err := strategies.Bind(def, over)
			if err != nil {
				t.Fatal(err)
			}
			insts = append(insts, engine.Instance{Name: name, Def: def, Params: p})
		}
	}
	return engine.Config{Strategies: insts}
}

// engineMember runs one engine instance of group g over l until ctx ends,
// adding up what its Runners did.
type engineMember struct {
	mu       sync.Mutex
	restored int // Runners that restored a snapshot
	m        engine.Metrics
	done     chan error
}

func startMember(ctx context.Context, l *kafka.Log, g kafka.GroupConfig, ecfg engine.Config, every int, direct bool) *engineMember {
	em := &engineMember{done: make(chan error, 1)}
	g.Work = func(ctx context.Context, p int32, log eventlog.Log, commit func(int64) error) error {
		r, err := engine.NewRunner(engine.RunnerConfig{
			Log: log, NewCore: func() (engine.Processor, error) { return engine.New(ecfg) },
			Input: kafka.TopicBars, Output: kafka.TopicSignals, DeadLetter: kafka.TopicDeadLetter,
			Snapshots: kafka.TopicSnapshots, Partition: p, SnapshotEvery: every, Once: g.Once, Direct: direct,
			OnSnapshot: func(_ context.Context, next int64) error { return commit(next) },
		})
		if err != nil {
			return err
		}
		err = r.Run(ctx)
		m := r.Metrics()
		em.mu.Lock()
		em.m.EventsIn += m.EventsIn
		em.m.SignalsOut += m.SignalsOut
		em.m.Suppressed += m.Suppressed
		if m.EventsIn < m.Next {
			em.restored++
		}
		em.mu.Unlock()
		return err
	}
	go func() { em.done <- kafka.RunGroup(ctx, l, g) }()
	return em
}

func (em *engineMember) metrics() (engine.Metrics, int) {
	em.mu.Lock()
	defer em.mu.Unlock()
	return em.m, em.restored
}

// signalCounts returns the number of records in each signal partition.
func signalCounts(t testing.TB, l *kafka.Log, partitions int) []int64 {
	t.Helper()
	out := make([]int64, partitions)
	for p := range partitions {
		last, err := l.Partition(int32(p)).Last(context.Background(), kafka.TopicSignals)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = last + 1
	}
	return out
}

// TestEngineGroupHandOff runs the engine in a consumer group in this
// process while the market topic is fed: member a alone, then b joins (a
// rebalance hands half of a's partitions over mid-stream), then a leaves
// (b takes everything). Every signal partition must equal, byte for byte,
// a single engine's run over that market partition: the hand-offs lost and
// duplicated nothing. It runs the Runners both ways: Direct (what
// `candlewick run --brokers` uses) and through the watermill Router, as on
// the disk log: the same engine code on either backend by configuration.
func TestEngineGroupHandOff(t *testing.T) {
	t.Run("direct", func(t *testing.T) { testEngineGroupHandOff(t, true) })
	t.Run("router", func(t *testing.T) {
		if testing.Short() {
			t.Skip("-short: the direct variant covers the group logic")
		}
		testEngineGroupHandOff(t, false)
	})
}

func testEngineGroupHandOff(t *testing.T, direct bool) {
	const partitions = 6
	ecfg := engineConfig(t)
	bars := kafkatest.MergeByTime(kafkatest.SampleSeries(t)...)
	msgs, parts := kafkatest.MarketMessages(bars, partitions)
	want, _ := kafkatest.ReferenceSignals(t, msgs, parts, partitions, ecfg)
	wantCount := make([]int64, partitions)
	total := int64(0)
	for p := range partitions {
		wantCount[p] = int64(bytes.Count(want[p], []byte("\n")))
		total += wantCount[p]
	}
	if total == 0 {
		t.Fatal("the reference emitted no signals: the test would prove nothing")
	}

	cfg := fakeBrokers(t, kfake.GroupMinSessionTimeout(100*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if _, err := kafka.CreateTopics(ctx, cfg, kafka.StandardTopics(partitions, 1)); err != nil {
		t.Fatal(err)
	}
	l, err := kafka.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	w := cfg.Writer(kafka.TopicBars, &kafkago.Murmur2Balancer{})
	defer w.Close()
	feed := func(from, to int) {
		t.Helper()
		if err := w.WriteMessages(ctx, msgs[from:to]...); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(c []int64) (n int64) {
		for _, x := range c {
			n += x
		}
		return n
	}
	// The engines run on their own: poll the signal partitions' ends.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	waitSignals := func(n int64) {
		t.Helper()
		for sum(signalCounts(t, l, partitions)) < n {
			if ctx.Err() != nil {
				t.Fatalf("signals: %v, want at least %d in all", signalCounts(t, l, partitions), n)
			}
			<-tick.C
		}
	}

	g := groupTimeouts
	g.ID = "engines"
	ctxA, stopA := context.WithCancel(ctx)
	defer stopA()
	ctxB, stopB := context.WithCancel(ctx)
	defer stopB()
	const every = 97
	third := len(msgs) / 3
	feed(0, third)
	a := startMember(ctxA, l, g, ecfg, every, direct)
	waitSignals(total / 6)
	b := startMember(ctxB, l, g, ecfg, every, direct)
	feed(third, 2*third)
	waitSignals(total / 2)
	stopA()
	if err := <-a.done; err != nil {
		t.Fatalf("member a: %v", err)
	}
	feed(2*third, len(msgs))
	for {
		c := signalCounts(t, l, partitions)
		if slices.Equal(c, wantCount) {
			break
		}
		for p := range c {
			if c[p] > wantCount[p] {
				t.Fatalf("signal partition %d has %d records, more than the reference's %d", p, c[p], wantCount[p])
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("signals per partition %v, want %v", c, wantCount)
		}
		<-tick.C
	}
	stopB()
	if err := <-b.done; err != nil {
		t.Fatalf("member b: %v", err)
	}
	for p := range partitions {
		got := eventlogtest.Render(t, l.Partition(int32(p)), kafka.TopicSignals)
		if d := golden.Diff(got, want[p]); d != "" {
			t.Fatalf("signal partition %d differs from the single-engine run: %s", p, d)
		}
	}
	ma, ra := a.metrics()
	mb, rb := b.metrics()
	t.Logf("%d bars, %d signals; a: %d events, %d signals, %d suppressed; b: %d events, %d signals, %d suppressed, %d restores",
		len(msgs), total, ma.EventsIn, ma.SignalsOut, ma.Suppressed, mb.EventsIn, mb.SignalsOut, mb.Suppressed, ra+rb)
	if rb == 0 {
		t.Error("b never restored a snapshot: no hand-off happened mid-stream")
	}
}
