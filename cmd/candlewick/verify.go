package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
)

func cmdVerify(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "verify", "[flags] [bar files...]", `
Replay a market stream through the engine with the same strategy configuration as a
recorded run and compare the signals with the recorded signal stream, byte for byte.
Exit 0 when they are identical; otherwise print the first divergence (the input
position, the input bar, both signals as JSON and the indicator values each saw)
and exit 1.

The market stream is market.bars.v1 of --data-dir, or the bar files given as
arguments (any format 'candlewick import' accepts; their bars get the positions
an import of them into an empty data directory gives). The recorded signals are
signals.v1 of --data-dir, or --signals, a JSONL file as 'candlewick signals'
prints and backtests write (signals.jsonl).

The strategy flags (--config, --strategy, --symbols, --provisional) are those of
'candlewick run' and must match the recorded run.

With --brokers, the market stream is a range of a Kafka topic (--topic, default
market.bars.v1; --from-offset/--to-offset in every partition, or --from-time and
--to-time by open time) and the recorded signals are the signal topic
(--signals-topic, default signals.v1) or --signals. The replay applies each
partition in offset order, one partition after the other, as a live run's one
engine shard per partition does, and compares the recorded signals in the order
it emits them (by the position of their input). Recorded signals whose input is on
the market topic but outside the range are left out (a note says how many); a
range that starts mid-topic replays from a cold start and may differ from a run
that saw the bars before it.`)
	sf := addStrategyFlags(fs)
	signalsPath := fs.String("signals", "", "recorded signals as a JSONL file (default: signals.v1 of --data-dir)")
	ko := kafkaFlags(fs)
	var rf topicRangeFlags
	rf.register(fs, events.StreamBars, true)
	signalsTopic := fs.String("signals-topic", events.StreamSignals, "with --brokers: the topic of the recorded signals")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ecfg, err := sf.resolve(fs)
	if err != nil {
		return err
	}
	if ko.Enabled() {
		if fs.NArg() > 0 {
			return usagef("bar files and --brokers exclude each other: the market stream is one or the other")
		}
		market, recorded, err := kafkaVerifyInputs(ctx, sio, ko, &rf, *signalsTopic, *signalsPath)
		if err != nil {
			return err
		}
		return verifyAndReport(ctx, sio, ecfg, market, recorded)
	}
	var log *disk.Log
	openData := func() (*disk.Log, error) {
		if log == nil {
			if log, err = openLog(sf.dataDir); err != nil {
				return nil, err
			}
		}
		return log, nil
	}
	defer func() {
		if log != nil {
			log.Close()
		}
	}()
	market, err := marketSource(fs.Args(), openData)
	if err != nil {
		return err
	}
	var recorded []events.Signal
	if *signalsPath != "" {
		f, err := os.Open(*signalsPath)
		if err != nil {
			return err
		}
		recorded, err = backtest.ReadSignalsJSONL(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *signalsPath, err)
		}
	} else {
		l, err := openData()
		if err != nil {
			return err
		}
		if recorded, err = backtest.ReadSignalsLog(ctx, l, events.StreamSignals); err != nil {
			return err
		}
	}
	return verifyAndReport(ctx, sio, ecfg, market, recorded)
}

// verifyAndReport replays market, compares with recorded and prints the
// result (the first divergence, or "identical").
func verifyAndReport(ctx context.Context, sio stdio, ecfg engine.Config, market backtest.Source, recorded []events.Signal) error {
	res, err := backtest.Verify(ctx, backtest.VerifyConfig{Engine: ecfg, Market: market, Recorded: recorded})
	if err != nil {
		return err
	}
	if d := res.Divergence; d != nil {
		fmt.Fprint(sio.out, d.String())
		return fmt.Errorf("signal streams diverge at signal %d (input %s@%d:%d); %d signals agree before it",
			d.Index, d.Pos.Stream, d.Pos.Partition, d.Pos.Offset, res.Replayed)
	}
	fmt.Fprintf(sio.out, "identical: %d signals from %d market events (%d skipped)\n", res.Replayed, res.Inputs, res.Skipped)
	return nil
}

// marketSource is the market stream of verify and check-lookahead: the bar
// files when there are any, else market.bars.v1 of the data directory.
func marketSource(files []string, openData func() (*disk.Log, error)) (backtest.Source, error) {
	if len(files) > 0 {
		// Positions as an import into an empty data directory gives them.
		return renamedSource{&backtest.FileSource{Paths: files}, events.StreamBars}, nil
	}
	l, err := openData()
	if err != nil {
		return nil, err
	}
	return &backtest.LogSource{Log: l, Stream: events.StreamBars}, nil
}

// renamedSource gives the bars of src the positions stream@0:i.
type renamedSource struct {
	src    backtest.Source
	stream string
}

func (s renamedSource) Load(ctx context.Context) (backtest.Input, error) {
	in, err := s.src.Load(ctx)
	in.Stream, in.Positions = s.stream, nil
	return in, err
}

// strategyFlags are the strategy flags verify and check-lookahead share
// with run; resolve merges them with a --config file as run does.
type strategyFlags struct {
	config, strategy, symbols, dataDir string
	provisional                        bool
}

func addStrategyFlags(fs *flag.FlagSet) *strategyFlags {
	f := &strategyFlags{}
	fs.StringVar(&f.config, "config", "", "YAML run configuration of the run (see deploy/run.example.yaml)")
	fs.StringVar(&f.dataDir, "data-dir", defaultDataDir(), "directory of the embedded event log (env CANDLEWICK_DATA_DIR)")
	fs.StringVar(&f.strategy, "strategy", "", "comma-separated built-in strategy names or rule files (default: every built-in)")
	fs.StringVar(&f.symbols, "symbols", "", "comma-separated symbols to run on (default: every symbol)")
	fs.BoolVar(&f.provisional, "provisional", false, "also evaluate forming higher-timeframe bars (provisional signals)")
	return f
}

// resolve returns the engine configuration, and sets f.dataDir from the
// config file unless --data-dir was given. Problems are usage errors.
func (f *strategyFlags) resolve(fs *flag.FlagSet) (engine.Config, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	var cfg runConfig
	if f.config != "" {
		var err error
		if cfg, err = loadRunConfig(f.config); err != nil {
			return engine.Config{}, usageError{err.Error()}
		}
	}
	if !set["data-dir"] && cfg.DataDir != "" {
		f.dataDir = cfg.DataDir
	}
	if set["provisional"] {
		cfg.Provisional = f.provisional
	}
	if set["symbols"] {
		cfg.Symbols = splitList(f.symbols)
	}
	if set["strategy"] {
		cfg.Strategies = nil
		for _, s := range splitList(f.strategy) {
			if isRuleFile(s) {
				cfg.Strategies = append(cfg.Strategies, strategyConfig{File: s})
			} else {
				cfg.Strategies = append(cfg.Strategies, strategyConfig{Strategy: s})
			}
		}
	}
	reg, ireg, err := registries()
	if err != nil {
		return engine.Config{}, err
	}
	insts, err := instances(reg, cfg.Strategies, cfg.Symbols, ruleLoader(ireg))
	if err != nil {
		return engine.Config{}, usageError{err.Error()}
	}
	ecfg := engine.Config{Indicators: ireg, Strategies: insts, Provisional: cfg.Provisional}
	if err := ecfg.Validate(); err != nil {
		return engine.Config{}, usageError{err.Error()}
	}
	return ecfg, nil
}
