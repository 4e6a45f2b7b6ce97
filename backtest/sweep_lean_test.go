package backtest_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

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

// TestSweepMatchesPlainRunsBuiltins checks every built-in strategy the same
// way on a small grid, all of it on one worker and on two, so that a
// worker's engine and portfolio, reset from point to point (indicators of
// one point reused by the next when their spec is the same), give what a
// fresh run gives.
func TestSweepMatchesPlainRunsBuiltins(t *testing.T) {
	btc := loadBTC(t)
	grids := map[string]string{
		"bollinger":         "period=10|20,nbdev=1.5|2,mode=reversion|breakout",
		"donchian_breakout": "period=10|20|30",
		"ema_cross":         "fast=5|10,slow=20|30,ma=ema|sma",
		"macd_cross":        "fast=8|12,slow=26,signal=5|9",
		"rsi_reversion":     "period=7|14,lower=25|30",
		"supertrend":        "period=7|10,multiplier=2|3",
	}
	for _, def := range strategies.Builtins() {
		spec, ok := grids[def.Name]
		if !ok {
			t.Errorf("no grid for built-in %s", def.Name)
			continue
		}
		t.Run(def.Name, func(t *testing.T) {
			grid, err := backtest.ParseGrid(spec)
			if err != nil {
				t.Fatal(err)
			}
			p, err := strategies.Bind(def, nil)
			if err != nil {
				t.Fatal(err)
			}
			plain := backtest.Config{
				Market:     &backtest.InputSource{Input: backtest.Input{Stream: "files", Bars: btc}},
				Strategies: []engine.Instance{{Def: def, Params: p}},
			}
			// Shorts, stops, slippage and a lot size: every path of the
			// portfolio a reset must clear.
			costly := plain
			costly.Portfolio = backtest.PortfolioConfig{
				AllowShort: true, SlippageBps: decimal.NewFromInt(3),
				StopLoss: decimal.RequireFromString("0.02"), TakeProfit: decimal.RequireFromString("0.03"),
				MakerFeeBps: decimal.NewNullDecimal(decimal.NewFromInt(2)),
				Lot:         backtest.Lot{Size: decimal.RequireFromString("0.001")},
			}
			for k, workers := range []int{1, 2, 1, 2} {
				cfg := plain
				if k >= 2 {
					cfg = costly
				}
				got, err := backtest.Sweep(context.Background(), cfg, grid, workers)
				if err != nil {
					t.Fatal(err)
				}
				ran := 0
				for _, r := range got {
					if r.Skipped != "" {
						continue
					}
					ran++
					over := map[string]string{}
					for k, a := range grid {
						over[a.Param] = r.Values[k]
					}
					pp, err := strategies.Bind(def, over)
					if err != nil {
						t.Fatal(err)
					}
					one := cfg
					one.Strategies = []engine.Instance{{Def: def, Params: pp}}
					res, err := backtest.Run(context.Background(), one)
					if err != nil {
						t.Fatal(err)
					}
					if r.Fingerprint != res.Fingerprint || r.Signals != len(res.Signals) ||
						!reflect.DeepEqual(r.Stats, res.Metrics.Strategy) || !reflect.DeepEqual(r.Benchmark, res.Metrics.Benchmark) {
						t.Fatalf("%d workers, point %v: sweep %+v\nplain fingerprint %s signals %d stats %+v",
							workers, r.Values, r, res.Fingerprint, len(res.Signals), res.Metrics.Strategy)
					}
				}
				if ran < 2 {
					t.Fatalf("only %d points ran", ran)
				}
			}
		})
	}
}
