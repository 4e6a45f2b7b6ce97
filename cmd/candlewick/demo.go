package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/examples"
	"github.com/candlewick-labs/candlewick/feeds"
)

func cmdDemo(ctx context.Context, sio stdio, args []string) error {
	flags := newFlagSet(sio, "demo", "[flags]", `
Import the real sample data bundled with Candlewick (Binance, Binance.US and
Coinbase candles; see examples/data/PROVENANCE.md) into a fresh embedded event log
and summarise it: what each file held, what was rejected and why, and the bars per
symbol now in the market stream. Then run every built-in strategy with its default
parameters, and the YAML rule strategies of --rules, over the market stream (as
'candlewick run --once' does) and print the signals per strategy and symbol.
Finally backtest the EMA crossover on the Binance BTC-USDT and ETH-USDT hourly bars
(as 'candlewick backtest' does) and write its report (report.html, report.json,
trades.csv, equity.csv, signals.jsonl) to --report. The event log lives in a
temporary directory that is removed afterwards unless --data-dir is given.`)
	dataDir := flags.String("data-dir", "", "keep the event log in this directory (default: a temporary one)")
	report := flags.String("report", "candlewick-report", "directory for the backtest report (empty: no backtest)")
	rulesDir := flags.String("rules", filepath.Join("strategies", "examples"), "also run the YAML rule strategies in this directory, if it exists")
	if err := parseFlags(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usagef("unexpected argument %q", flags.Arg(0))
	}
	dir := *dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "candlewick-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	log, err := openLog(dir)
	if err != nil {
		return err
	}
	err = runDemo(ctx, sio, log, rulesDir)
	if err == nil && *report != "" {
		fmt.Fprintf(sio.out, "\nBacktest: ema_cross(20/50) on BTC-USDT and ETH-USDT 1h, fills at the next open, 10 bps fees (candlewick backtest)...\n")
		err = cmdBacktest(ctx, sio, []string{"--data-dir", dir, "--strategy", "ema_cross",
			"--symbols", "BTC-USDT,ETH-USDT", "--out", *report})
	}
	return errors.Join(err, log.Close())
}

// demoOptions says what a sample file's name does not: ninjabot's files
// are Binance spot BTCUSDT and ETHUSDT (examples/data/PROVENANCE.md).
func demoOptions(file string) feeds.Options {
	switch file {
	case "btc-1h.csv":
		return feeds.Options{Symbol: "BTC-USDT", Venue: "binance"}
	case "eth-1h.csv":
		return feeds.Options{Symbol: "ETH-USDT", Venue: "binance"}
	}
	return feeds.Options{}
}

func runDemo(ctx context.Context, sio stdio, log *disk.Log, rulesDir *string) error {
	names, err := fs.Glob(examples.Data, "data/*")
	if err != nil {
		return err
	}
	open := func(name string) (io.ReadCloser, int64, error) {
		f, err := examples.Data.Open(name)
		if err != nil {
			return nil, 0, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, 0, err
		}
		return f, st.Size(), nil
	}
	fmt.Fprintf(sio.out, "Importing the sample files in examples/data into a fresh embedded event log...\n")
	var tot importTotals
	for _, n := range names {
		if path.Ext(n) == ".md" {
			continue
		}
		t, err := importFrom(ctx, sio, log, demoOptions(path.Base(n)), []string{n}, false, open)
		if err != nil {
			return err
		}
		tot.add(t)
	}
	fmt.Fprintf(sio.out, "\n%d files: read %d rows, imported %d bars, dropped %d duplicates, rejected %d rows\n",
		tot.files, tot.read, tot.imported, tot.dups, tot.rejected)
	if err := summariseMarket(ctx, sio, log); err != nil {
		return err
	}
	return demoStrategies(ctx, sio, log, *rulesDir)
}

// summariseMarket prints the bars per symbol and interval in the market
// stream, and the dead letters with their reasons.
func summariseMarket(ctx context.Context, sio stdio, log eventlog.Log) error {
	type series struct {
		symbol      string
		interval    events.Interval
		bars        int
		first, last events.Bar
	}
	byKey := map[string]*series{}
	it, err := log.Read(ctx, events.StreamBars, 0)
	if err != nil {
		return err
	}
	var b events.Bar
	var dec events.BarDecoder
	for it.Next() {
		if err := dec.Decode(it.Record().Value, &b); err != nil {
			it.Close()
			return fmt.Errorf("%s record %d: %w", events.StreamBars, it.Record().Seq, err)
		}
		k := b.Symbol + " " + b.Interval.String()
		s := byKey[k]
		if s == nil {
			s = &series{symbol: b.Symbol, interval: b.Interval, first: b}
			byKey[k] = s
		}
		s.bars++
		s.last = b
	}
	if err := it.Close(); err != nil {
		return err
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(sio.out, "\nMarket stream %s:\n", events.StreamBars)
	fmt.Fprintf(sio.out, "  %-10s %-8s %7s  %-20s  %-20s  %14s  %14s\n", "symbol", "interval", "bars", "first open", "last open", "first close", "last close")
	for _, k := range keys {
		s := byKey[k]
		fmt.Fprintf(sio.out, "  %-10s %-8s %7d  %-20s  %-20s  %14s  %14s\n", s.symbol, s.interval, s.bars,
			s.first.OpenTime.Format("2006-01-02 15:04"), s.last.OpenTime.Format("2006-01-02 15:04"),
			s.first.Close, s.last.Close)
	}

	it, err = log.Read(ctx, events.StreamDeadLetter, 0)
	if err != nil {
		return err
	}
	dead, err := eventlog.Collect(it, -1)
	if err != nil {
		return err
	}
	fmt.Fprintf(sio.out, "\nDead-letter stream %s: %d records\n", events.StreamDeadLetter, len(dead))
	for i, r := range dead {
		if i == 5 {
			fmt.Fprintf(sio.out, "  ... see 'candlewick cat %s'\n", events.StreamDeadLetter)
			break
		}
		d := eventlog.DeadLetterOf(r)
		fmt.Fprintf(sio.out, "  %s: %s\n", d.Source, d.Reason)
	}
	return nil
}
