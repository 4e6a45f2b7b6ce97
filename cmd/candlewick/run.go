package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func cmdRun(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "run", "[flags]", `
Run strategies over the market stream (market.bars.v1) of the embedded event log
and append their signals to signals.v1. Without --once, keep following the stream
until interrupted (SIGINT or SIGTERM), then snapshot and exit 0.

The engine snapshots its state to engine.snapshots.v1 every --snapshot-every
input events and on shutdown. A restart restores the latest snapshot, replays the
market stream after it and does not append a signal that is already in
signals.v1: after a crash nothing is lost and nothing is duplicated. Events that
cannot be decoded or applied go to deadletter.v1 with the reason; the run goes on.

With no --config and no --strategy, every built-in strategy runs with its default
parameters on every symbol and interval. A config file (YAML; see
deploy/run.example.yaml) lists strategies by built-in name or rule file, with
parameters, symbols and intervals; flags given explicitly override it.

With --brokers, run consumes the market topic (--topic) of a Kafka cluster in
the consumer group --group instead: any number of instances share its
partitions, each running one engine per partition it is assigned. The standard
topics are created if missing (as many partitions as the market topic has, or
--partitions when it does not exist either). Each partition's engine restores
its latest snapshot from engine.snapshots.v1, replays the partition after it,
appends to the same partition of signals.v1 only the signals not already there,
and commits the group's offset after each snapshot: after a crash or a
rebalance every signal is in signals.v1 exactly once. --once stops when the
group has consumed every partition up to its end at start. A broker that goes
away is retried, not fatal.`)
	configPath := fs.String("config", "", "YAML run configuration (see deploy/run.example.yaml)")
	dataDir := dataDirFlag(fs)
	once := fs.Bool("once", false, "process what is in the market stream, then exit")
	strategyList := fs.String("strategy", "", "comma-separated built-in strategy names or rule files (default: every built-in)")
	symbolList := fs.String("symbols", "", "comma-separated symbols to run on (default: every symbol)")
	snapEvery := fs.Int("snapshot-every", engine.DefaultSnapshotEvery, "input events between snapshots")
	provisional := fs.Bool("provisional", false, "also evaluate forming higher-timeframe bars (provisional signals)")
	logLevel := fs.String("log-level", "info", "log level on stderr: debug, info, warn, error")
	kopts := kafkaFlags(fs)
	group := fs.String("group", kafka.DefaultGroupID, "with --brokers: the consumer group of the engine instances")
	topic := fs.String("topic", kafka.TopicBars, "with --brokers: the market topic to consume")
	partitions := fs.Int("partitions", 6, "with --brokers: partitions of the topics created when the market topic does not exist")
	sessionTimeout := fs.Duration("session-timeout", kafka.DefaultSessionTimeout, "with --brokers: how long the group waits for a silent instance before handing its partitions on")
	heartbeat := fs.Duration("heartbeat-interval", kafka.DefaultHeartbeatInterval, "with --brokers: how often an instance heartbeats (and learns of rebalances)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var cfg runConfig
	if *configPath != "" {
		var err error
		if cfg, err = loadRunConfig(*configPath); err != nil {
			return usageError{err.Error()}
		}
	}
	if set["data-dir"] || cfg.DataDir == "" {
		cfg.DataDir = *dataDir
	}
	if set["once"] {
		cfg.Once = *once
	}
	if set["provisional"] {
		cfg.Provisional = *provisional
	}
	if set["snapshot-every"] || cfg.SnapshotEvery == 0 {
		cfg.SnapshotEvery = *snapEvery
	}
	if cfg.SnapshotEvery <= 0 {
		return usagef("--snapshot-every %d: want a positive number of events", cfg.SnapshotEvery)
	}
	if set["symbols"] {
		cfg.Symbols = splitList(*symbolList)
	}
	if set["strategy"] {
		cfg.Strategies = nil
		for _, s := range splitList(*strategyList) {
			if isRuleFile(s) {
				cfg.Strategies = append(cfg.Strategies, strategyConfig{File: s})
			} else {
				cfg.Strategies = append(cfg.Strategies, strategyConfig{Strategy: s})
			}
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", *logLevel)
	}
	logger := slog.New(slog.NewTextHandler(sio.err, &slog.HandlerOptions{Level: level}))

	reg, ireg, err := registries()
	if err != nil {
		return err
	}
	insts, err := instances(reg, cfg.Strategies, cfg.Symbols, ruleLoader(ireg))
	if err != nil {
		return usageError{err.Error()}
	}
	ecfg := engine.Config{Indicators: ireg, Strategies: insts, Provisional: cfg.Provisional}
	if err := ecfg.Validate(); err != nil {
		return usageError{err.Error()}
	}
	if kopts.Enabled() {
		if *partitions <= 0 {
			return usagef("--partitions %d: want a positive number", *partitions)
		}
		kcfg, err := kopts.Config(logger)
		if err != nil {
			return usageError{err.Error()}
		}
		gcfg := kafka.GroupConfig{
			ID: *group, Topic: *topic, Once: cfg.Once, Logger: logger,
			SessionTimeout: *sessionTimeout, HeartbeatInterval: *heartbeat,
		}
		sum, err := runKafka(ctx, kcfg, gcfg, ecfg, *partitions, cfg.SnapshotEvery, logger)
		if err != nil {
			return err
		}
		sum.print(sio.out)
		return nil
	}
	// Every append is synced before the run goes on: a snapshot must never
	// be durable while the signals it accounts for are not.
	log, err := disk.Open(disk.Config{Dir: cfg.DataDir, Fsync: disk.FsyncAlways, Logger: logger})
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	m, err := runEngine(ctx, log, ecfg, cfg.Once, cfg.SnapshotEvery, logger)
	err = errors.Join(err, log.Close())
	if err != nil {
		return err
	}
	fmt.Fprintf(sio.out, "handled %d events: %d signals appended, %d already present, %d dead letters; next position %d\n",
		m.EventsIn, m.SignalsOut, m.Suppressed, m.DeadLetters, m.Next)
	return nil
}

// runEngine runs an engine.Runner over log until ctx ends (or, with once,
// until the market stream's current end) and returns its metrics.
func runEngine(ctx context.Context, log *disk.Log, ecfg engine.Config, once bool, snapEvery int, logger *slog.Logger) (engine.Metrics, error) {
	r, err := engine.NewRunner(engine.RunnerConfig{
		Log:           log,
		NewCore:       func() (engine.Processor, error) { return engine.New(ecfg) },
		SnapshotEvery: snapEvery,
		Once:          once,
		Logger:        logger,
	})
	if err != nil {
		return engine.Metrics{}, err
	}
	err = r.Run(ctx)
	return r.Metrics(), err
}

// kafkaSummary adds up the metrics of the engines an instance ran, one per
// partition and generation. Safe for concurrent use.
type kafkaSummary struct {
	mu   sync.Mutex
	m    engine.Metrics
	next map[int32]int64 // the latest next position of each partition run
}

func (s *kafkaSummary) add(p int32, m engine.Metrics) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m.EventsIn += m.EventsIn
	s.m.SignalsOut += m.SignalsOut
	s.m.Suppressed += m.Suppressed
	s.m.DeadLetters += m.DeadLetters
	s.m.Snapshots += m.Snapshots
	if s.next == nil {
		s.next = map[int32]int64{}
	}
	s.next[p] = m.Next
}

// print writes the embedded run's summary line, summed over the partitions
// (the next position is the sum of theirs), and the partitions' positions.
func (s *kafkaSummary) print(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := make([]int32, 0, len(s.next))
	var next int64
	for p, n := range s.next {
		parts = append(parts, p)
		next += n
	}
	slices.Sort(parts)
	fmt.Fprintf(w, "handled %d events: %d signals appended, %d already present, %d dead letters; next position %d\n",
		s.m.EventsIn, s.m.SignalsOut, s.m.Suppressed, s.m.DeadLetters, next)
	if len(parts) > 0 {
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%d:%d", p, s.next[p])
		}
		fmt.Fprintf(w, "partitions (partition:next position): %s\n", b.String())
	}
}

// runKafka runs the engine as a member of a consumer group over the
// market topic of kcfg's cluster until ctx ends (or, with gcfg.Once, the
// group is done), one engine.Runner per assigned partition. A failure (a
// broker gone for longer than the log's retries, say) is logged and the
// member rejoins with a fresh log after a backoff: each partition's next
// owner restores from its snapshot, so nothing is lost or duplicated.
func runKafka(ctx context.Context, kcfg kafka.Config, gcfg kafka.GroupConfig, ecfg engine.Config,
	partitions, snapEvery int, logger *slog.Logger) (*kafkaSummary, error) {
	sum := &kafkaSummary{}
	gcfg.Work = func(ctx context.Context, p int32, plog eventlog.Log, commit func(int64) error) error {
		r, err := engine.NewRunner(engine.RunnerConfig{
			Log:           plog,
			NewCore:       func() (engine.Processor, error) { return engine.New(ecfg) },
			Input:         gcfg.Topic,
			Output:        kafka.TopicSignals,
			DeadLetter:    kafka.TopicDeadLetter,
			Snapshots:     kafka.TopicSnapshots,
			Partition:     p,
			Direct:        true, // no watermill Router per event: Kafka's round trips need the headroom
			SnapshotEvery: snapEvery,
			Once:          gcfg.Once,
			Logger:        logger.With("partition", p),
			OnSnapshot:    func(_ context.Context, next int64) error { return commit(next) },
		})
		if err != nil {
			return err
		}
		err = r.Run(ctx)
		sum.add(p, r.Metrics())
		return err
	}
	if err := gcfg.Validate(); err != nil {
		return nil, usageError{err.Error()}
	}
	const maxBackoff = 30 * time.Second
	backoff := 500 * time.Millisecond
	for first := true; ; first = false {
		err := runGroupOnce(ctx, kcfg, gcfg, partitions, first)
		if err == nil || ctx.Err() != nil {
			return sum, nil
		}
		var ue usageError
		if errors.As(err, &ue) || errors.Is(err, kafka.ErrInvalidConfig) || errors.Is(err, kafka.ErrPartitionMismatch) {
			return nil, err
		}
		logger.ErrorContext(ctx, "engine group failed; rejoining", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return sum, nil
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// runGroupOnce opens the log, creates the standard topics if missing and
// runs the group until it ends.
func runGroupOnce(ctx context.Context, kcfg kafka.Config, gcfg kafka.GroupConfig, partitions int, first bool) error {
	log, err := kafka.Open(ctx, kcfg)
	if err != nil {
		return err
	}
	defer log.Close()
	n, err := log.Partitions(ctx, gcfg.Topic)
	if err != nil {
		return err
	}
	if n == 0 {
		n = partitions
	}
	specs := kafka.StandardTopics(n, kcfg.ReplicationFactor)
	if !slices.ContainsFunc(specs, func(s kafka.TopicSpec) bool { return s.Name == gcfg.Topic }) {
		specs = append(specs, kafka.TopicSpec{Name: gcfg.Topic, Partitions: n, ReplicationFactor: kcfg.ReplicationFactor})
	}
	if _, err := kafka.CreateTopics(ctx, kcfg, specs); err != nil {
		if first && errors.Is(err, kafka.ErrPartitionMismatch) {
			return usageError{fmt.Sprintf("%v: the market, signal, dead-letter and snapshot topics must have the same partition count", err)}
		}
		return err
	}
	return kafka.RunGroup(ctx, log, gcfg)
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func isRuleFile(s string) bool {
	return strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml") || strings.ContainsRune(s, '/')
}

// formatInt is strconv.FormatInt for table cells.
func formatInt(n int64) string { return strconv.FormatInt(n, 10) }
