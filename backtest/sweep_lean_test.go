package backtest_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// TestSweepMatchesPlainRuns checks that every sweep point (which runs
// lean: shared selection and input hash, no per-point equity decimals)
// gives the stats, benchmark, signal count and fingerprint of a plain run
// with the same parameters: on one symbol, and on two interleaved symbols
// with rejected (repeated) bars, the last one included, which make the
// sweep fall back to plain runs.
func TestSweepMatchesPlainRuns(t *testing.T) {
	base := emaBase(t)
	btc := loadBTC(t)
	var two, clean []events.Bar
	for i, b := range btc[:600] {
		two = append(two, b)
		e := b
		e.Symbol = "ETHUSDT"
		two = append(two, e)
		clean = append(clean, b, e)
		if i%97 == 50 {
			two = append(two, b) // same open time again: rejected
		}
	}
	rejLast := slices.Clone(two)
	rejLast = append(rejLast, rejLast[len(rejLast)-1])
	inputs := map[string]backtest.Input{
		"btc":               {Stream: "files", Bars: btc},
		"two symbols clean": {Stream: "two", Bars: clean},
		"two symbols":       {Stream: "two", Bars: two[:len(two)-3]},
		"rejected last bar": {Stream: "two", Bars: rejLast},
	}
	grid, err := backtest.ParseGrid("fast=5|10,slow=20|40")
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			cfg := base
			cfg.Market = &backtest.InputSource{Input: in}
			got, err := backtest.Sweep(context.Background(), cfg, grid, 2)
			if err != nil {
				t.Fatal(err)
			}
			def := cfg.Strategies[0].Def
			for _, r := range got {
				if r.Skipped != "" {
					continue
				}
				p, err := strategies.Bind(def, map[string]string{"fast": r.Values[0], "slow": r.Values[1]})
				if err != nil {
					t.Fatal(err)
				}
				one := cfg
				one.Strategies = []engine.Instance{{Def: def, Params: p}}
				res, err := backtest.Run(context.Background(), one)
				if err != nil {
					t.Fatal(err)
				}
				if name != "btc" && name != "two symbols clean" && res.Counts.RejectedBars == 0 {
					t.Fatal("no rejected bars")
				}
				if (name == "btc" || name == "two symbols clean") && res.Counts.RejectedBars != 0 {
					t.Fatal("rejected bars")
				}
				if r.Fingerprint != res.Fingerprint || r.Signals != len(res.Signals) ||
					!reflect.DeepEqual(r.Stats, res.Metrics.Strategy) || !reflect.DeepEqual(r.Benchmark, res.Metrics.Benchmark) {
					t.Fatalf("point %v: sweep %+v\nplain fingerprint %s signals %d stats %+v bench %+v",
						r.Values, r, res.Fingerprint, len(res.Signals), res.Metrics.Strategy, res.Metrics.Benchmark)
				}
			}
		})
	}
}
