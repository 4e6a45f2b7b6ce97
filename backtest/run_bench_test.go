package backtest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/internal/workload"
)

// reference returns the reference workload's instances (internal/workload).
func reference(t testing.TB) []engine.Instance {
	t.Helper()
	insts, err := workload.Reference()
	if err != nil {
		t.Fatal(err)
	}
	return insts
}

// referenceInput loads the five Binance 5m series of the shared data,
// merged by open time (the FileSource the CLI uses), or skips.
func referenceInput(b testing.TB) *backtest.Input {
	dir := shareddata.Market(b, "binance-spot-nfi")
	var paths []string
	for _, s := range workload.Symbols {
		paths = append(paths, filepath.Join(dir, s+"_USDT-5m.json.gz"))
	}
	in, err := (&backtest.FileSource{Paths: paths}).Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return &in
}

// BenchmarkBacktest is the reference workload (328,712 bars, eight
// strategy instances) through RunBars: engine, portfolio, metrics and
// fingerprint, from bars in memory. "engine-only" is Core.Apply alone over
// the same bars, for the portfolio's share of the cost.
func BenchmarkBacktest(b *testing.B) {
	in := referenceInput(b)
	insts := reference(b)
	cfg := backtest.Config{Strategies: insts, Portfolio: backtest.PortfolioConfig{
		AllowShort: true, SlippageBps: dec("2"), Sizing: backtest.Sizing{Fraction: dec("0.2")}}}
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		var res *backtest.Result
		for b.Loop() {
			var err error
			if res, err = backtest.RunBars(context.Background(), cfg, in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(in.Bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
		b.ReportMetric(float64(len(res.Trades)), "trades/op")
	})
	b.Run("engine-only", func(b *testing.B) {
		b.ReportAllocs()
		out := make([]events.Signal, 0, 64)
		for b.Loop() {
			c, err := engine.New(engine.Config{Strategies: insts})
			if err != nil {
				b.Fatal(err)
			}
			for i := range in.Bars {
				if out, err = c.Apply(events.Position{Offset: int64(i)}, &in.Bars[i], out[:0]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(in.Bars))*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
	})
}
