package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// groupTimeouts are short group timeouts for tests, on a cluster whose
// minimum session timeout allows them (kfake's default minimum is 6s).
var groupTimeouts = kafka.GroupConfig{SessionTimeout: 2 * time.Second, HeartbeatInterval: 100 * time.Millisecond, RebalanceTimeout: 10 * time.Second}

// groupCluster starts a cluster that accepts groupTimeouts, with topic
// holding n records in each of its partitions, and opens a Log on it.
func groupCluster(t *testing.T, topic string, partitions, n int) (kafka.Config, *kafka.Log) {
	t.Helper()
	cfg := fakeBrokers(t, kfake.GroupMinSessionTimeout(100*time.Millisecond))
	ctx := context.Background()
	if _, err := kafka.CreateTopics(ctx, cfg, []kafka.TopicSpec{{Name: topic, Partitions: partitions}}); err != nil {
		t.Fatal(err)
	}
	l, err := kafka.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	for p := range partitions {
		recs := make([]eventlog.Record, n)
		for i := range recs {
			recs[i] = eventlog.Record{Key: []byte("k"), Value: fmt.Appendf(nil, "%d/%d", p, i)}
		}
		if n > 0 {
			if _, err := l.Partition(int32(p)).Append(ctx, topic, recs); err != nil {
				t.Fatal(err)
			}
		}
	}
	return cfg, l
}

// committed returns the group's committed offset of each partition.
func committed(t *testing.T, cfg kafka.Config, group, topic string, partitions int) map[int]int64 {
	t.Helper()
	parts := make([]int, partitions)
	for i := range parts {
		parts[i] = i
	}
	resp, err := cfg.Client().OffsetFetch(context.Background(), &kafkago.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: parts}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int64{}
	for _, po := range resp.Topics[topic] {
		out[po.Partition] = po.CommittedOffset
	}
	return out
}

func TestGroupConfigValidate(t *testing.T) {
	work := func(context.Context, int32, eventlog.Log, func(int64) error) error { return nil }
	for _, tc := range []struct {
		name   string
		cfg    kafka.GroupConfig
		fields []string
	}{
		{"defaults", kafka.GroupConfig{Work: work}, nil},
		{"no work", kafka.GroupConfig{}, []string{"GroupConfig.Work"}},
		{"bad topic", kafka.GroupConfig{Work: work, Topic: "a/b"}, []string{"GroupConfig.Topic"}},
		{"negative", kafka.GroupConfig{Work: work, RebalanceTimeout: -1, OncePoll: -1}, []string{"GroupConfig.RebalanceTimeout", "GroupConfig.OncePoll"}},
		{"heartbeat too slow", kafka.GroupConfig{Work: work, SessionTimeout: time.Second, HeartbeatInterval: time.Second}, []string{"GroupConfig.HeartbeatInterval"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate: %v, want ErrInvalidConfig", err)
			}
			for _, f := range tc.fields {
				found := false
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var ce *kafka.ConfigError
					if errors.As(e, &ce) && ce.Field == f {
						found = true
					}
				}
				if !found {
					t.Errorf("Validate: %v; want a ConfigError for %s", err, f)
				}
			}
		})
	}
	if err := kafka.RunGroup(context.Background(), nil, kafka.GroupConfig{Work: work}); !errors.Is(err, kafka.ErrInvalidConfig) {
		t.Fatalf("RunGroup without a log: %v", err)
	}
}

// TestRunGroupOnce runs two members with Once: each Work commits the end of
// its partition (one empty); both RunGroups return nil when the committed
// offsets reach the ends, and every partition was worked on.
func TestRunGroupOnce(t *testing.T) {
	const topic, parts, n = "once.v1", 6, 5
	cfg, l := groupCluster(t, topic, parts, n)
	// One more partition's worth: partition 5 gets 3 more records, so the
	// ends differ.
	if _, err := l.Partition(5).Append(context.Background(), topic, make([]eventlog.Record, 3)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	worked := map[int32]int{}
	g := groupTimeouts
	g.ID, g.Topic, g.Once = "g-once", topic, true
	g.Work = func(ctx context.Context, p int32, log eventlog.Log, commit func(int64) error) error {
		last, err := log.Last(ctx, topic)
		if err != nil {
			return err
		}
		mu.Lock()
		worked[p]++
		mu.Unlock()
		return commit(last + 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	errs := make(chan error, 2)
	for range 2 {
		go func() { errs <- kafka.RunGroup(ctx, l, g) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("RunGroup: %v", err)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("RunGroup returned only at the deadline")
	}
	got := committed(t, cfg, g.ID, topic, parts)
	for p := range parts {
		want := int64(n)
		if p == 5 {
			want = n + 3
		}
		if got[p] != want {
			t.Errorf("partition %d: committed %d, want %d", p, got[p], want)
		}
		if worked[int32(p)] == 0 {
			t.Errorf("partition %d: no Work ran", p)
		}
	}
}

// TestRunGroupWorkError checks that a Work error ends RunGroup with it,
// after the other Works were cancelled.
func TestRunGroupWorkError(t *testing.T) {
	const topic = "fail.v1"
	_, l := groupCluster(t, topic, 3, 1)
	boom := errors.New("boom")
	var cancelled atomic.Int32
	// The failing Work waits until the other two run: a Work that would
	// start after the generation ended is (rightly) never called.
	started := make(chan struct{}, 2)
	g := groupTimeouts
	g.ID, g.Topic = "g-fail", topic
	g.Work = func(ctx context.Context, p int32, _ eventlog.Log, _ func(int64) error) error {
		if p == 1 {
			<-started
			<-started
			return boom
		}
		started <- struct{}{}
		<-ctx.Done()
		cancelled.Add(1)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := kafka.RunGroup(ctx, l, g)
	if !errors.Is(err, boom) {
		t.Fatalf("RunGroup: %v, want the Work's error", err)
	}
	if ctx.Err() != nil {
		t.Fatal("RunGroup returned only at the deadline")
	}
	if cancelled.Load() != 2 {
		t.Fatalf("%d other Works were cancelled and returned, want 2", cancelled.Load())
	}
}

// TestRunGroupHandOff runs one member, adds a second one and stops the
// first: a partition is never worked on by two Works at once (the old
// owner's returns before the new owner's starts), every partition is
// worked on throughout, and the offsets the first owner commits on its way
// out are there for the next.
func TestRunGroupHandOff(t *testing.T) {
	const topic, parts = "handoff.v1", 4
	cfg, l := groupCluster(t, topic, parts, 2)
	var (
		mu      sync.Mutex
		active  = map[int32]int{}
		starts  = map[int32]int{}
		overlap error
		changed = make(chan struct{}, 100)
	)
	work := func(member string) func(context.Context, int32, eventlog.Log, func(int64) error) error {
		return func(ctx context.Context, p int32, _ eventlog.Log, commit func(int64) error) error {
			mu.Lock()
			active[p]++
			starts[p]++
			if active[p] > 1 && overlap == nil {
				overlap = fmt.Errorf("partition %d worked on twice at once (member %s joined)", p, member)
			}
			mu.Unlock()
			changed <- struct{}{}
			<-ctx.Done()
			// As the engine does: make the state durable, then commit.
			mu.Lock()
			n := starts[p]
			mu.Unlock()
			err := commit(int64(n))
			mu.Lock()
			active[p]--
			mu.Unlock()
			return err
		}
	}
	g := groupTimeouts
	g.ID, g.Topic = "g-handoff", topic
	ctxA, stopA := context.WithCancel(context.Background())
	defer stopA()
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	ga, gb := g, g
	ga.Work, gb.Work = work("a"), work("b")
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- kafka.RunGroup(ctxA, l, ga) }()
	waitStarts := func(want int) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			mu.Lock()
			total := 0
			for _, n := range starts {
				total += n
			}
			mu.Unlock()
			if total >= want {
				return
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("%d Work starts, want %d", total, want)
			}
		}
	}
	waitStarts(parts) // a owns all
	go func() { doneB <- kafka.RunGroup(ctxB, l, gb) }()
	waitStarts(2 * parts) // rebalanced: every partition again, split
	stopA()
	if err := <-doneA; err != nil {
		t.Fatalf("member a: %v", err)
	}
	waitStarts(3 * parts) // rebalanced again: b owns all
	stopB()
	if err := <-doneB; err != nil {
		t.Fatalf("member b: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap != nil {
		t.Fatal(overlap)
	}
	got := committed(t, cfg, g.ID, topic, parts)
	for p := range int32(parts) {
		if got[int(p)] != int64(starts[p]) {
			t.Errorf("partition %d: committed %d, want %d (its last Work's commit on the way out)", p, got[int(p)], starts[p])
		}
	}
}
