package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Defaults of [GroupConfig].
const (
	DefaultGroupID           = "candlewick-engine"
	DefaultSessionTimeout    = 10 * time.Second
	DefaultHeartbeatInterval = time.Second
	DefaultRebalanceTimeout  = 30 * time.Second
	DefaultOncePoll          = 50 * time.Millisecond
)

// GroupConfig configures [RunGroup]. Work is required; every other field
// has a default, applied when it is the zero value.
type GroupConfig struct {
	// ID is the consumer group; default "candlewick-engine".
	ID string
	// Topic is the topic whose partitions the members share; default
	// market.bars.v1.
	Topic string
	// Work processes one assigned partition of Topic for one generation
	// of the group. log is the [Log.Partition] view of the partition: every
	// stream in it is partition `partition` of its topic; it is closed when
	// Work returns. commit commits
	// next (the offset of the first record not yet accounted for) as the
	// group's position in the partition; call it only once what the
	// records before next caused is durable (the engine calls it from
	// [engine.RunnerConfig.OnSnapshot]). It blocks while the broker cannot
	// take it, and returns nil without committing once the generation has
	// ended: a commit is an optimisation (lag, Once), never needed for
	// correctness, and the partition's next owner commits again.
	//
	// ctx ends when the generation ends (a rebalance: a member joined or
	// left) or RunGroup's ctx does; Work must then return promptly, having
	// made its state durable (the engine snapshots and commits), because
	// the member cannot rejoin, and nobody else gets the partition, before
	// every Work of the generation returned. A Work that returns nil
	// earlier leaves its partition idle until the generation ends. An error
	// other than ctx's ends RunGroup: it is returned once the generation is
	// torn down and the member left the group.
	Work func(ctx context.Context, partition int32, log eventlog.Log, commit func(next int64) error) error
	// Once makes RunGroup return nil when the group's committed offsets
	// reach, in every partition of Topic, the end offsets RunGroup saw when
	// it started. Work should then process up to the end it sees when it
	// starts and return (an engine.Runner with Once does).
	Once bool
	// SessionTimeout is how long the coordinator waits for a heartbeat
	// before it declares a member dead and hands its partitions to others;
	// default 10s. It must lie within the broker's
	// group.min.session.timeout.ms and group.max.session.timeout.ms (Kafka's
	// defaults: 6s and 30 min).
	SessionTimeout time.Duration
	// HeartbeatInterval is how often a member heartbeats, and so how soon
	// it learns of a rebalance; default 1s. Keep it well under
	// SessionTimeout.
	HeartbeatInterval time.Duration
	// RebalanceTimeout is how long the coordinator waits for every member to
	// rejoin during a rebalance (that is, for their Work to return); default
	// 30s.
	RebalanceTimeout time.Duration
	// OncePoll is how often a Once run fetches the group's committed
	// offsets; default 50ms.
	OncePoll time.Duration
	// Logger receives lifecycle messages (Info) and retried errors (Warn);
	// nil discards them.
	Logger *slog.Logger
}

func (g GroupConfig) withDefaults() GroupConfig {
	g.ID = cmp.Or(g.ID, DefaultGroupID)
	g.Topic = cmp.Or(g.Topic, TopicBars)
	g.SessionTimeout = cmp.Or(g.SessionTimeout, DefaultSessionTimeout)
	g.HeartbeatInterval = cmp.Or(g.HeartbeatInterval, DefaultHeartbeatInterval)
	g.RebalanceTimeout = cmp.Or(g.RebalanceTimeout, DefaultRebalanceTimeout)
	g.OncePoll = cmp.Or(g.OncePoll, DefaultOncePoll)
	g.Logger = cmp.Or(g.Logger, slog.New(slog.DiscardHandler))
	return g
}

// Validate reports every problem of g (after defaults) at once, each a
// [*ConfigError].
func (g GroupConfig) Validate() error {
	g = g.withDefaults()
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: "GroupConfig." + field, Reason: fmt.Sprintf(format, args...)})
	}
	if g.Work == nil {
		bad("Work", "required")
	}
	if err := eventlog.ValidateStream(g.Topic); err != nil {
		bad("Topic", "%v", err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"SessionTimeout", g.SessionTimeout}, {"HeartbeatInterval", g.HeartbeatInterval},
		{"RebalanceTimeout", g.RebalanceTimeout}, {"OncePoll", g.OncePoll},
	} {
		if d.v < 0 {
			bad(d.name, "%v is negative", d.v)
		}
	}
	if g.HeartbeatInterval >= g.SessionTimeout {
		bad("HeartbeatInterval", "%v is not below SessionTimeout %v", g.HeartbeatInterval, g.SessionTimeout)
	}
	return errors.Join(errs...)
}

// RunGroup makes this process a member of consumer group g.ID over g.Topic
// and runs g.Work on each partition the group assigns it, one goroutine per
// partition, generation after generation (on kafka-go's
// [kafkago.ConsumerGroup], with the range and round-robin assignors). It
// returns nil when ctx ends (after every Work returned and the member left
// the group, so the others take its partitions over at once) or, with
// g.Once, when the group is done; the first error of a Work that is not a
// cancellation; or an invalid configuration. Errors joining the group (a
// broker away, a coordinator moving) are logged and retried, not returned.
//
// # Exactly-once effect without transactions
//
// Kafka hands a partition to a new owner only after the old one's Work
// returned (a rebalance waits for every member to rejoin) or the old one
// was declared dead (no heartbeat for SessionTimeout). The engine makes
// that enough: a Work restores the partition's latest snapshot, reads the
// tail of the co-partitioned signal partition, replays the market
// partition from the snapshot's offset and appends only the signals not
// already there; it snapshots before returning, and commits offsets only
// after the snapshot (and the signals before it) are written. The committed
// offsets are not what a new owner resumes from (the snapshot is); they
// are the group's visible progress, for lag monitoring and Once.
//
// kill -9 is safe: a dead process appends nothing more, and by the time
// the coordinator gives up on it (SessionTimeout) every request it had sent
// was answered or dropped with its connections, so the next owner's read
// of the signal tail sees everything it will ever have written. What the
// dead member derived after its last snapshot is derived again, and
// suppressed where it was appended.
//
// # Zombies
//
// A member that is paused rather than dead (a stopped process, a long GC
// or swap pause, a network partition from the coordinator but not from the
// partition leaders) is a zombie: the coordinator expels it after
// SessionTimeout and hands its partitions on, but it does not learn that
// until its next heartbeat, and an append it makes in between, after the
// new owner read the signal tail, is a duplicate the new owner will not
// suppress. Kafka transactions (a fencing producer epoch) are what closes
// this window; without them keep it small: HeartbeatInterval well under
// SessionTimeout, and SessionTimeout longer than the pauses to expect.
func RunGroup(ctx context.Context, l *Log, g GroupConfig) error {
	if l == nil {
		return &ConfigError{Field: "Log", Reason: "nil"}
	}
	if err := g.Validate(); err != nil {
		return err
	}
	g = g.withDefaults()
	cfg := l.cfg
	logger := g.Logger.With("component", "kafka.group", "group", g.ID, "topic", g.Topic)

	var ends map[int]int64
	if g.Once {
		var err error
		if ends, err = endOffsets(ctx, l, g.Topic); err != nil {
			return err
		}
	}
	cg, err := kafkago.NewConsumerGroup(kafkago.ConsumerGroupConfig{
		ID:                    g.ID,
		Brokers:               cfg.Brokers,
		Dialer:                cfg.Dialer(),
		Topics:                []string{g.Topic},
		HeartbeatInterval:     g.HeartbeatInterval,
		SessionTimeout:        g.SessionTimeout,
		RebalanceTimeout:      g.RebalanceTimeout,
		JoinGroupBackoff:      min(time.Second, g.SessionTimeout/4),
		WatchPartitionChanges: true,
		StartOffset:           kafkago.FirstOffset,
		Logger: kafkago.LoggerFunc(func(msg string, args ...any) {
			logger.Debug(fmt.Sprintf(msg, args...))
		}),
		ErrorLogger: kafkago.LoggerFunc(func(msg string, args ...any) {
			logger.Warn(fmt.Sprintf(msg, args...))
		}),
	})
	if err != nil {
		return &ConfigError{Field: "GroupConfig", Reason: err.Error()}
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Leave as soon as the run ends: closing the group first makes the
	// generation's end a departure. Were the Works to return first, kafka-go
	// would take the generation's end for a rebalance and join again
	// (another rebalance for every other member) before leaving.
	left := make(chan struct{})
	go func() {
		defer close(left)
		<-runCtx.Done()
		// Close ends the current generation, waits for its Works (which
		// snapshot and commit) and leaves the group.
		if err := cg.Close(); err != nil {
			logger.WarnContext(ctx, "leaving the group", "err", err)
		}
	}()
	var (
		mu    sync.Mutex
		fatal error
	)
	fail := func(err error) {
		mu.Lock()
		if fatal == nil {
			fatal = err
		}
		mu.Unlock()
		cancel()
	}
	var watch sync.WaitGroup
	if g.Once {
		watch.Add(1)
		go func() {
			defer watch.Done()
			if waitCommitted(runCtx, cfg, g, ends, logger) {
				logger.InfoContext(ctx, "group reached the end offsets seen at start", "ends", ends)
				cancel()
			}
		}()
	}

	for runCtx.Err() == nil {
		gen, err := cg.Next(runCtx)
		if err != nil {
			if runCtx.Err() != nil || errors.Is(err, kafkago.ErrGroupClosed) {
				break
			}
			// kafka-go backs off (JoinGroupBackoff) before its next try.
			logger.WarnContext(ctx, "joining the group", "err", err)
			continue
		}
		parts := gen.Assignments[g.Topic]
		ids := make([]int32, 0, len(parts))
		for _, pa := range parts {
			ids = append(ids, int32(pa.ID))
		}
		slices.Sort(ids)
		logger.InfoContext(ctx, "generation", "generation", gen.ID, "member", gen.MemberID, "partitions", ids)
		var commitMu sync.Mutex // one commit at a time on the generation's connection
		for _, p := range ids {
			gen.Start(func(gctx context.Context) {
				if gctx.Err() != nil {
					// Started after the generation ended (kafka-go still
					// calls fn): the partition may be someone else's.
					return
				}
				// Not runCtx's child: a Work ends with its generation, which
				// ends when the group closes (see left), so that kafka-go
				// sees a departure, not a rebalance.
				wctx, wcancel := context.WithCancel(context.WithoutCancel(runCtx))
				defer wcancel()
				stop := context.AfterFunc(gctx, wcancel)
				defer stop()
				commit := func(next int64) error {
					commitMu.Lock()
					defer commitMu.Unlock()
					return commitOffset(gctx, gen, g.Topic, p, next, logger)
				}
				view := l.Partition(p)
				defer view.Close()
				err := g.Work(wctx, p, view, commit)
				if err != nil && wctx.Err() == nil {
					fail(fmt.Errorf("kafka: group %s: partition %d: %w", g.ID, p, err))
					return
				}
				if err != nil {
					logger.InfoContext(ctx, "partition work ended with its generation", "partition", p, "err", err)
				}
				// Returning would end the generation for every partition
				// (kafka-go's rule): idle until it ends.
				<-wctx.Done()
			})
		}
	}
	cancel()
	<-left
	watch.Wait()
	mu.Lock()
	defer mu.Unlock()
	return fatal
}

// commitOffset commits next for partition p, retrying while the generation
// lasts.
func commitOffset(gctx context.Context, gen *kafkago.Generation, topic string, p int32, next int64, logger *slog.Logger) error {
	backoff := 10 * time.Millisecond
	for {
		err := gen.CommitOffsets(map[string]map[int]int64{topic: {int(p): next}})
		if err == nil {
			return nil
		}
		if gctx.Err() != nil {
			// The partition may belong to another member by now, which will
			// commit after its own snapshot.
			logger.Debug("commit after the generation ended", "partition", p, "next", next, "err", err)
			return nil
		}
		logger.Warn("commit", "partition", p, "next", next, "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-gctx.Done():
			t.Stop()
			return nil
		}
		backoff = min(2*backoff, time.Second)
	}
}

// endOffsets returns the high watermark (the offset the next record gets)
// of every partition of topic.
func endOffsets(ctx context.Context, l *Log, topic string) (map[int]int64, error) {
	n, err := l.Partitions(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("kafka: group: partitions of %s: %w", topic, err)
	}
	if n == 0 {
		return nil, &TopicError{Topic: topic, Reason: "does not exist", Err: kafkago.UnknownTopicOrPartition}
	}
	ends := make(map[int]int64, n)
	for p := range n {
		last, err := l.Partition(int32(p)).Last(ctx, topic)
		if err != nil {
			return nil, fmt.Errorf("kafka: group: end of %s partition %d: %w", topic, p, err)
		}
		ends[p] = last + 1
	}
	return ends, nil
}

// waitCommitted polls the group's committed offsets until they reach ends
// in every partition (true) or ctx ends (false).
func waitCommitted(ctx context.Context, cfg Config, g GroupConfig, ends map[int]int64, logger *slog.Logger) bool {
	cl := cfg.Client()
	defer cl.Transport.(*kafkago.Transport).CloseIdleConnections()
	parts := make([]int, 0, len(ends))
	for p := range ends {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	tick := time.NewTicker(g.OncePoll)
	defer tick.Stop()
	for {
		resp, err := cl.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: g.ID, Topics: map[string][]int{g.Topic: parts}})
		if err == nil && resp.Error != nil {
			err = resp.Error
		}
		if err == nil {
			done := 0
			for _, po := range resp.Topics[g.Topic] {
				if po.Error == nil && po.CommittedOffset >= ends[po.Partition] {
					done++
				}
			}
			if done == len(parts) {
				return true
			}
		} else if ctx.Err() == nil {
			logger.Warn("fetching the group's committed offsets", "err", err)
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
