package main

import (
	"context"
	"fmt"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

func cmdCheckLookahead(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "check-lookahead", "[flags] [bar files...]", `
Check strategies for look-ahead: run them over the whole market stream, then over
prefixes of it (--cuts evenly spaced lengths plus --random-cuts random ones drawn
with --seed), and fail if any signal at time t changes, appears or disappears when
later data is added. Exit 0 when every prefix run agrees; otherwise print the
earliest offending signal as both runs saw it and exit 1.

The market stream is market.bars.v1 of --data-dir, or the bar files given as
arguments. The strategy flags (--config, --strategy, --symbols, --provisional)
are those of 'candlewick run'. Each prefix is a full replay: the check costs
about (cuts + random cuts) / 2 times a replay of the stream.`)
	sf := addStrategyFlags(fs)
	cuts := fs.Int("cuts", backtest.DefaultLookaheadCuts, "evenly spaced prefixes to check")
	randomCuts := fs.Int("random-cuts", backtest.DefaultLookaheadRandomCuts, "prefixes of random length to check")
	seed := fs.Uint64("seed", 1, "seed of the random prefix lengths")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cuts < 0 || *randomCuts < 0 || *cuts+*randomCuts == 0 {
		return usagef("--cuts %d, --random-cuts %d: want at least one prefix", *cuts, *randomCuts)
	}
	ecfg, err := sf.resolve(fs)
	if err != nil {
		return err
	}
	var log *disk.Log
	defer func() {
		if log != nil {
			log.Close()
		}
	}()
	src, err := marketSource(fs.Args(), func() (*disk.Log, error) {
		log, err = openLog(sf.dataDir)
		return log, err
	})
	if err != nil {
		return err
	}
	in, err := src.Load(ctx)
	if err != nil {
		return err
	}
	// Zero means the default in LookaheadConfig; a flag of 0 means none.
	neg := func(n int) int {
		if n == 0 {
			return -1
		}
		return n
	}
	res, err := backtest.CheckLookahead(ctx, backtest.LookaheadConfig{
		Engine: ecfg, Bars: in.Bars, Stream: in.Stream,
		Cuts: neg(*cuts), RandomCuts: neg(*randomCuts), Seed: *seed,
	})
	if err != nil {
		return err
	}
	if v := res.Violation; v != nil {
		fmt.Fprint(sio.out, v.String())
		return fmt.Errorf("look-ahead: signals of input %s@%d:%d change with later data (prefix of %d bars)",
			v.Pos.Stream, v.Pos.Partition, v.Pos.Offset, v.Cut)
	}
	fmt.Fprintf(sio.out, "no look-ahead: %d signals over %d bars agree with %d prefix runs %v\n",
		res.Signals, res.Bars, len(res.Cuts), res.Cuts)
	return nil
}
