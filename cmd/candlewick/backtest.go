package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
)

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	*l = append(*l, splitList(s)...)
	return nil
}

func cmdBacktest(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "backtest", "--strategy NAME|FILE (--input FILE... | --data-dir DIR) --out DIR [flags]", `
Backtest one strategy: replay market bars through the engine, trade its confirmed
signals with a simulated portfolio (fills at the next bar's open, fees, slippage,
optional stop-loss and take-profit; all money in exact decimals), and write to --out:
report.json (metrics, parameters, run fingerprint), trades.csv, equity.csv,
signals.jsonl and report.html (charts, opens offline). Prints the metrics of the
strategy against buy-and-hold of the same symbols.

The bars come from --input files (any format 'candlewick import' accepts; several
files are merged by open time) or from a stream of the embedded log in --data-dir.
The same inputs and flags always give the same fingerprint.

With --brokers, the bars come from a Kafka topic (--topic, default market.bars.v1):
every partition, from --from-offset to --to-offset in each (or by event time with
--from-time and --to-time), merged by open time, then partition, then offset; the
positions (topic, partition, offset) are those of a live run's signals.`)
	strategy := fs.String("strategy", "", "built-in strategy name or YAML rule file (required)")
	params := fs.String("params", "", "strategy parameters, e.g. fast=10,slow=30")
	var inputs listFlag
	fs.Var(&inputs, "input", "bar file to backtest (repeatable, or comma-separated)")
	dataDir := dataDirFlag(fs)
	stream := fs.String("stream", events.StreamBars, "stream of --data-dir to read")
	fromOff := fs.Int64("from-offset", 0, "first sequence number of --stream to read")
	toOff := fs.Int64("to-offset", 0, "sequence number of --stream to stop before (0: the end)")
	ko := kafkaFlags(fs)
	var rf topicRangeFlags
	rf.register(fs, events.StreamBars, false)
	symbolList := fs.String("symbols", "", "comma-separated symbols to trade (default: every symbol)")
	from := fs.String("from", "", "first bar open time, RFC 3339 or YYYY-MM-DD (inclusive)")
	to := fs.String("to", "", "last bar open time bound, RFC 3339 or YYYY-MM-DD (exclusive)")
	cash := fs.String("cash", "10000", "initial cash in quote units")
	feeBps := fs.String("fee-bps", "10", "taker fee in basis points")
	makerBps := fs.String("maker-fee-bps", "", "maker fee (take-profits) in basis points (default: --fee-bps)")
	slipBps := fs.String("slippage-bps", "0", "slippage in basis points of the price")
	slipRange := fs.String("slippage-range", "0", "slippage as a fraction of the fill bar's high-low range (replaces --slippage-bps)")
	fraction := fs.String("fraction", "1", "fraction of equity per entry")
	notional := fs.String("notional", "0", "fixed quote amount per entry (replaces --fraction)")
	lot := fs.String("lot-size", "0", "quantity step (0: 8 decimal places)")
	minNotional := fs.String("min-notional", "0", "smallest order value accepted")
	noShort := fs.Bool("no-short", false, "treat short signals as exits")
	stopLoss := fs.String("stop-loss", "0", "stop-loss as a fraction of the entry price, e.g. 0.05 (0: off)")
	takeProfit := fs.String("take-profit", "0", "take-profit as a fraction of the entry price (0: off)")
	out := fs.String("out", "", "output directory (required)")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	sweep := fs.String("sweep", "", `parameter grid to sweep instead of one backtest, e.g. "fast=5:20:5,slow=20:100:20" (start:stop:step, inclusive) or "fast=5|10|20"; writes sweep.csv`)
	walkForward := fs.String("walk-forward", "", `with --sweep: optimise on each training window, test on the next, e.g. "train=90d,test=30d"; writes walkforward.json, walkforward.csv, walkforward_equity.csv`)
	rank := fs.String("rank", backtest.DefaultRank, "metric that ranks sweep points: "+strings.Join(backtest.RankMetrics(), ", "))
	top := fs.Int("top", backtest.DefaultTop, "rows of the sweep's top table")
	workers := fs.Int("workers", 0, "parallel sweep runs (default: every core)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	inputs = append(inputs, fs.Args()...)
	if *strategy == "" {
		return usagef("--strategy is required")
	}
	if *out == "" {
		return usagef("--out is required")
	}
	var errs []error
	num := func(name, s string) decimal.Decimal {
		d, err := decimal.NewFromString(strings.TrimSpace(s))
		if err != nil {
			errs = append(errs, fmt.Errorf("--%s %q: want a decimal number", name, s))
		}
		return d
	}
	pf := backtest.PortfolioConfig{
		InitialCash: num("cash", *cash),
		AllowShort:  !*noShort,
		Sizing:      backtest.Sizing{Fraction: num("fraction", *fraction), Notional: num("notional", *notional)},
		Lot:         backtest.Lot{Size: num("lot-size", *lot), MinNotional: num("min-notional", *minNotional)},
		FeeBps:      decimal.NewNullDecimal(num("fee-bps", *feeBps)),
		SlippageBps: num("slippage-bps", *slipBps), SlippageRangeFrac: num("slippage-range", *slipRange),
		StopLoss: num("stop-loss", *stopLoss), TakeProfit: num("take-profit", *takeProfit),
	}
	if *makerBps != "" {
		pf.MakerFeeBps = decimal.NewNullDecimal(num("maker-fee-bps", *makerBps))
	}
	cfg := backtest.Config{Portfolio: pf, Symbols: splitList(*symbolList), KeepPrices: true}
	var err error
	if cfg.From, err = parseTimeFlag(*from); err != nil {
		errs = append(errs, fmt.Errorf("--from: %w", err))
	}
	if cfg.To, err = parseTimeFlag(*to); err != nil {
		errs = append(errs, fmt.Errorf("--to: %w", err))
	}
	over := map[string]string{}
	for _, kv := range splitList(*params) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			errs = append(errs, fmt.Errorf("--params %q: want name=value", kv))
			continue
		}
		over[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if *fromOff < 0 || *toOff < 0 {
		errs = append(errs, fmt.Errorf("--from-offset and --to-offset must not be negative"))
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...).Error()}
	}
	reg, ireg, err := registries()
	if err != nil {
		return err
	}
	sc := strategyConfig{Strategy: *strategy, Params: over}
	if isRuleFile(*strategy) {
		sc = strategyConfig{File: *strategy, Params: over}
	}
	insts, err := instances(reg, []strategyConfig{sc}, nil, ruleLoader(ireg))
	if err != nil {
		return usageError{err.Error()}
	}
	cfg.Strategies, cfg.Indicators = insts, ireg
	if err := cfg.Validate(); err != nil {
		return usageError{err.Error()}
	}

	sweepOpt := backtest.SweepOptions{Grid: *sweep, WalkForward: *walkForward, Rank: *rank, Top: *top, Workers: *workers}
	if *walkForward != "" && *sweep == "" {
		return usagef("--walk-forward needs a --sweep grid to optimise")
	}
	if *sweep != "" {
		if _, _, err := sweepOpt.Parse(); err != nil {
			return usageError{err.Error()}
		}
	}

	var src backtest.Source
	switch {
	case len(inputs) > 0:
		src = &backtest.FileSource{Paths: inputs}
	case ko.Enabled():
		cfg, err := kafkaConfigLogged(ko, nil)
		if err != nil {
			return err
		}
		rf.fromOff, rf.toOff = *fromOff, *toOff
		rng, err := rf.resolve()
		if err != nil {
			return err
		}
		src = &kafkaBarSource{cfg: cfg, rng: rng}
	default:
		log, err := disk.Open(disk.Config{Dir: *dataDir, Fsync: disk.FsyncNone})
		if err != nil {
			return fmt.Errorf("open event log: %w", err)
		}
		defer log.Close()
		src = &backtest.LogSource{Log: log, Stream: *stream, From: *fromOff, To: *toOff}
	}
	if *sweep != "" {
		// Sweeps and walk-forward load the bars once and run many
		// backtests over them (see backtest.RunSweep).
		cfg.Market, cfg.KeepPrices = src, false
		err := backtest.RunSweep(ctx, cfg, sweepOpt, *out, sio.out)
		if errors.Is(err, backtest.ErrGrid) || errors.Is(err, backtest.ErrWalkForward) {
			return usageError{err.Error()}
		}
		return err
	}
	in, err := src.Load(ctx)
	if err != nil {
		return err
	}
	var bar interface {
		Set64(int64) error
		Finish() error
		Clear() error
	}
	cfg.Progress = func(done, total int) {
		if bar == nil {
			pb := newProgress(sio, "backtest", int64(total), *quiet || total < 200000)
			if pb == nil {
				cfg.Progress = nil
				return
			}
			bar = pb
		}
		_ = bar.Set64(int64(done))
	}
	res, err := backtest.RunBars(ctx, cfg, &in)
	if bar != nil {
		_ = bar.Finish()
		_ = bar.Clear()
	}
	if err != nil {
		return err
	}
	if err := backtest.WriteOutputs(*out, res); err != nil {
		return err
	}
	if !*quiet {
		printSummary(sio, res, *out)
	}
	return nil
}

// printSummary prints the strategy against buy-and-hold as a table.
func printSummary(sio stdio, res *backtest.Result, dir string) {
	p := res.Params
	fmt.Fprintf(sio.out, "%s on %s, %s bars %s .. %s: %d bars, %d signals, %d trades\n\n",
		p.Strategies[0].Name, strings.Join(p.Symbols, ","), p.Interval,
		p.From.Format(time.RFC3339), p.To.Format(time.RFC3339), res.Counts.Bars, res.Counts.Signals, len(res.Trades))
	tw := tabwriter.NewWriter(sio.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tstrategy\tbuy & hold\t")
	for _, r := range backtest.MetricRows(res.Metrics) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", r[0], r[1], r[2])
	}
	tw.Flush()
	fmt.Fprintf(sio.out, "\nfees %s, slippage %s; fingerprint %s\nwrote %s\n",
		res.Costs.Fees.StringFixed(2), res.Costs.Slippage.StringFixed(2), res.Fingerprint, dir)
}
