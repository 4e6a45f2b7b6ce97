package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
)

// demoStrategies runs every built-in strategy with its default parameters,
// and the rule files of rulesDir that load, over the demo's market stream
// with 'run --once' semantics, then prints the signals per strategy and
// symbol.
func demoStrategies(ctx context.Context, sio stdio, log *disk.Log, rulesDir string) error {
	reg, ireg, err := registries()
	if err != nil {
		return err
	}
	cfgs := make([]strategyConfig, 0, len(reg.Names()))
	for _, name := range reg.Names() {
		cfgs = append(cfgs, strategyConfig{Strategy: name})
	}
	var ruleNames []string
	if rulesDir != "" {
		files, _ := filepath.Glob(filepath.Join(rulesDir, "*.yaml"))
		sort.Strings(files)
		load := ruleLoader(ireg)
		for _, f := range files {
			def, err := load(f)
			if err != nil {
				fmt.Fprintf(sio.out, "\nskipping rule strategy %s: %v\n", f, oneLine(err))
				continue
			}
			if _, clash := reg.Lookup(def.Name); clash {
				continue
			}
			cfgs = append(cfgs, strategyConfig{File: f})
			ruleNames = append(ruleNames, def.Name)
		}
	}
	insts, err := instances(reg, cfgs, nil, ruleLoader(ireg))
	if err != nil {
		return err
	}
	fmt.Fprintf(sio.out, "\nRunning %d built-in strategies", len(reg.Names()))
	if len(ruleNames) > 0 {
		fmt.Fprintf(sio.out, " and %d rule strategies from %s", len(ruleNames), rulesDir)
	}
	fmt.Fprintf(sio.out, " over %s (candlewick run --once)...\n", events.StreamBars)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if f, ok := sio.err.(*os.File); !ok || f != os.Stderr {
		logger = slog.New(slog.NewTextHandler(sio.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	m, err := runEngine(ctx, log, engine.Config{Indicators: ireg, Strategies: insts}, true, engine.DefaultSnapshotEvery, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(sio.out, "handled %d events: %d signals, %d dead letters\n", m.EventsIn, m.SignalsOut, m.DeadLetters)
	return summariseSignals(ctx, sio, log)
}

// summariseSignals prints the count of signals per strategy and symbol, by
// kind, in name order.
func summariseSignals(ctx context.Context, sio stdio, log *disk.Log) error {
	type row struct {
		strategy, symbol, timeframes string
		kinds                        [5]int64
		total                        int64
		tfs                          map[events.Interval]bool
	}
	rows := map[[2]string]*row{}
	it, err := log.Read(ctx, events.StreamSignals, 0)
	if err != nil {
		return err
	}
	for it.Next() {
		s, err := events.DecodeSignalJSON(it.Record().Value, false)
		if err != nil {
			it.Close()
			return fmt.Errorf("%s record %d: %w", events.StreamSignals, it.Record().Seq, err)
		}
		k := [2]string{s.Strategy, s.Symbol}
		r := rows[k]
		if r == nil {
			r = &row{strategy: s.Strategy, symbol: s.Symbol, tfs: map[events.Interval]bool{}}
			rows[k] = r
		}
		if s.Kind.Valid() {
			r.kinds[s.Kind]++
		}
		r.total++
		r.tfs[s.Timeframe] = true
	}
	if err := it.Close(); err != nil {
		return err
	}
	keys := make([][2]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	fmt.Fprintf(sio.out, "\nSignal stream %s:\n", events.StreamSignals)
	fmt.Fprintf(sio.out, "  %-20s %-10s %-10s %6s %6s %6s %6s %7s\n", "strategy", "symbol", "timeframe", "long", "short", "exit", "flat", "total")
	var total int64
	for _, k := range keys {
		r := rows[k]
		tfs := make([]events.Interval, 0, len(r.tfs))
		for tf := range r.tfs {
			tfs = append(tfs, tf)
		}
		sort.Slice(tfs, func(i, j int) bool { return tfs[i] < tfs[j] })
		tf := ""
		for i, x := range tfs {
			if i > 0 {
				tf += ","
			}
			tf += x.String()
		}
		fmt.Fprintf(sio.out, "  %-20s %-10s %-10s %6d %6d %6d %6d %7d\n", r.strategy, r.symbol, tf,
			r.kinds[events.KindLong], r.kinds[events.KindShort], r.kinds[events.KindExit], r.kinds[events.KindFlat], r.total)
		total += r.total
	}
	fmt.Fprintf(sio.out, "  %d signals (to keep them: candlewick demo --data-dir DIR, then candlewick signals --data-dir DIR --strategy NAME --symbol SYMBOL)\n", total)
	return nil
}
