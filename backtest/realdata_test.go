package backtest_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/examples"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/strategies"
)

// loadExample imports one of the repository's sample files (examples/data,
// see its PROVENANCE.md).
func loadExample(t testing.TB, name string) []events.Bar {
	t.Helper()
	f, err := examples.Data.Open("data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bars []events.Bar
	_, err = feeds.Import(context.Background(), f, name, feeds.Options{}, feeds.SinkFuncs{
		OnBar: func(b events.Bar) error { bars = append(bars, b); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return bars
}

func builtin(t testing.TB, def strategies.Def, over map[string]string) engine.Instance {
	t.Helper()
	p, err := strategies.Bind(def, over)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Instance{Def: def, Params: p}
}

// twice runs cfg over in twice and fails unless both fingerprints (and
// reports) are identical.
func twice(t *testing.T, cfg backtest.Config, in *backtest.Input) *backtest.Result {
	t.Helper()
	var prev []byte
	var res *backtest.Result
	for range 2 {
		r, err := backtest.RunBars(context.Background(), cfg, in)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := backtest.MarshalReport(r)
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && !bytes.Equal(prev, rep) {
			t.Fatalf("second run differs: fingerprint %s vs %s", res.Fingerprint, r.Fingerprint)
		}
		prev, res = rep, r
	}
	return res
}

// TestBuiltinsOnExamples backtests every built-in strategy on the bundled
// BTC and ETH hourly samples: each run is deterministic, costs add up, and
// changing a parameter changes the fingerprint.
func TestBuiltinsOnExamples(t *testing.T) {
	bars := append(loadExample(t, "btc-1h.csv"), loadExample(t, "eth-1h.csv")...)
	slices.SortStableFunc(bars, func(a, b events.Bar) int { return a.OpenTime.Compare(b.OpenTime) })
	in := &backtest.Input{Stream: "examples", Bars: bars}
	pf := backtest.PortfolioConfig{AllowShort: true, SlippageBps: dec("5"), Sizing: backtest.Sizing{Fraction: dec("0.5")}}
	seen := map[string]string{}
	for _, def := range strategies.Builtins() {
		t.Run(def.Name, func(t *testing.T) {
			res := twice(t, backtest.Config{Strategies: []engine.Instance{builtin(t, def, nil)}, Portfolio: pf}, in)
			if res.Counts.Bars != len(bars)-res.Counts.RejectedBars || len(res.Equity) == 0 {
				t.Fatalf("counts = %+v", res.Counts)
			}
			if res.Counts.Signals == 0 || len(res.Trades) == 0 {
				t.Errorf("no signals or trades: %+v", res.Counts)
			}
			// Accounting identity: final equity = initial + closed PnL +
			// open positions' unrealised result; with everything closed
			// at the end, equity - initial = Σ PnL exactly.
			last := res.Equity[len(res.Equity)-1]
			if !last.Equity.Equal(last.Cash.Add(last.PositionValue)) {
				t.Errorf("equity %s != cash %s + positions %s", last.Equity, last.Cash, last.PositionValue)
			}
			if res.Counts.OpenAtEnd == 0 {
				if want := dec("10000").Add(res.Metrics.Strategy.NetPnL); !last.Equity.Equal(want) {
					t.Errorf("flat at the end: equity %s, want 10000 + Σ PnL = %s", last.Equity, want)
				}
			}
			if other, dup := seen[res.Fingerprint]; dup {
				t.Errorf("same fingerprint as %s", other)
			}
			seen[res.Fingerprint] = def.Name
		})
	}
}

// TestGoldenReport pins report.json of a small committed case: the EMA
// cross (5/13) on the 580 ta4j ETH 5m bars of examples/data, with fees,
// slippage and stops (run with -update to regenerate).
func TestGoldenReport(t *testing.T) {
	bars := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	cfg := backtest.Config{
		Strategies: []engine.Instance{builtin(t, strategies.EMACrossDef(), map[string]string{"fast": "5", "slow": "13"})},
		Portfolio: backtest.PortfolioConfig{AllowShort: true, SlippageBps: dec("2"), StopLoss: dec("0.02"),
			TakeProfit: dec("0.04"), Lot: backtest.Lot{Size: dec("0.0001"), MinNotional: dec("10")}},
	}
	res := twice(t, cfg, &backtest.Input{Stream: "examples", Bars: bars})
	got, err := backtest.MarshalReport(res)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/ema_cross_eth_5m.report.json.golden", got)
	golden.Check(t, "testdata/ema_cross_eth_5m.trades.csv.golden", backtest.TradesCSV(res.Trades))
}

// TestBuiltinsOnSharedData backtests each built-in strategy on the five
// Binance 1h series of the shared data (skipped when absent) from a disk
// log stream, twice, expecting identical fingerprints.
func TestBuiltinsOnSharedData(t *testing.T) {
	dir := shareddata.Market(t, "binance-spot-nfi")
	if testing.Short() {
		t.Skip("long: -short")
	}
	var paths []string
	for _, s := range []string{"BTC", "ETH", "ADA", "SOL", "XRP"} {
		paths = append(paths, filepath.Join(dir, s+"_USDT-1h.json"))
	}
	in, err := (&backtest.FileSource{Paths: paths}).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, def := range strategies.Builtins() {
		t.Run(def.Name, func(t *testing.T) {
			res := twice(t, backtest.Config{Strategies: []engine.Instance{builtin(t, def, nil)},
				Portfolio: backtest.PortfolioConfig{AllowShort: true, Sizing: backtest.Sizing{Fraction: dec("0.2")}}}, &in)
			if len(res.Metrics.PerSymbol) != 5 || res.Counts.Signals == 0 {
				t.Errorf("per symbol %d, counts %+v", len(res.Metrics.PerSymbol), res.Counts)
			}
			t.Logf("%s: %d trades, return %.4f (buy&hold %.4f), fingerprint %s", def.Name, len(res.Trades),
				res.Metrics.Strategy.TotalReturn, res.Metrics.Benchmark.TotalReturn, res.Fingerprint[:16])
		})
	}
}
