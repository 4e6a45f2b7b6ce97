package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
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
parameters, symbols and intervals; flags given explicitly override it.`)
	configPath := fs.String("config", "", "YAML run configuration (see deploy/run.example.yaml)")
	dataDir := dataDirFlag(fs)
	once := fs.Bool("once", false, "process what is in the market stream, then exit")
	strategyList := fs.String("strategy", "", "comma-separated built-in strategy names or rule files (default: every built-in)")
	symbolList := fs.String("symbols", "", "comma-separated symbols to run on (default: every symbol)")
	snapEvery := fs.Int("snapshot-every", engine.DefaultSnapshotEvery, "input events between snapshots")
	provisional := fs.Bool("provisional", false, "also evaluate forming higher-timeframe bars (provisional signals)")
	logLevel := fs.String("log-level", "info", "log level on stderr: debug, info, warn, error")
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

	reg, err := strategies.NewRegistry(strategies.Builtins()...)
	if err != nil {
		return err
	}
	ireg, err := indicators.NewRegistry(indicators.Settings{})
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
