package backtest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/strategies"
)

// reference is the engine issue's reference workload (engine/bench_test.go):
// EMA cross (20/50), RSI reversion (14, 30/70), MACD cross (12/26/9) and
// Bollinger (20, 2) on 5m and 1h.
func reference(b testing.TB) []engine.Instance {
	var out []engine.Instance
	params := []struct {
		def strategies.Def
		p   map[string]string
	}{
		{strategies.EMACrossDef(), map[string]string{"fast": "20", "slow": "50"}},
		{strategies.RSIReversionDef(), map[string]string{"period": "14", "lower": "30", "upper": "70"}},
		{strategies.MACDCrossDef(), map[string]string{"fast": "12", "slow": "26", "signal": "9"}},
		{strategies.BollingerDef(), map[string]string{"period": "20", "nbdev": "2"}},
	}
	for _, tf := range []string{"5m", "1h"} {
		for _, np := range params {
			over := map[string]string{"timeframe": tf}
			for k, v := range np.p {
				over[k] = v
			}
			inst := builtin(b, np.def, over)
			inst.Name = np.def.Name + "@" + tf
			out = append(out, inst)
		}
	}
	return out
}

// referenceInput loads the five Binance 5m series of the shared data,
// merged by open time (the FileSource the CLI uses), or skips.
func referenceInput(b testing.TB) *backtest.Input {
	dir := shareddata.Market(b, "binance-spot-nfi")
	var paths []string
	for _, s := range []string{"BTC", "ETH", "ADA", "SOL", "XRP"} {
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
