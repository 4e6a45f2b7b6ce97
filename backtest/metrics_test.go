package backtest_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/events"
)

// TestCurveStats checks the curve measures of a known daily equity curve
// against straightforward independent calculations written out here.
func TestCurveStats(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	equity := []float64{1100, 1045, 1150, 1200, 1080, 1300, 1250}
	times := make([]time.Time, len(equity))
	for i := range times {
		times[i] = start.Add(time.Duration(i+1) * 24 * time.Hour)
	}
	ppy := backtest.PeriodsPerYear(events.Interval(24 * time.Hour))
	if ppy != 365.25 {
		t.Fatalf("periods per year of 1d = %v", ppy)
	}
	got := backtest.CurveStats(1000, start, times, equity, ppy)

	// Returns, by hand: 1100/1000-1, 1045/1100-1, ...
	r := []float64{0.1, 1045.0/1100 - 1, 1150.0/1045 - 1, 1200.0/1150 - 1, 1080.0/1200 - 1, 1300.0/1080 - 1, 1250.0/1300 - 1}
	n := float64(len(r))
	mean := 0.0
	for _, x := range r {
		mean += x / n
	}
	// Sample variance via the textbook two-pass formula.
	v := 0.0
	for _, x := range r {
		v += math.Pow(x-mean, 2)
	}
	sd := math.Sqrt(v / (n - 1))
	downside := math.Sqrt((math.Pow(r[1], 2) + math.Pow(r[4], 2) + math.Pow(r[6], 2)) / n)
	years := 7.0 / 365.25
	cagr := math.Pow(1.25, 1/years) - 1
	want := map[string][2]float64{
		"total return": {got.TotalReturn, 0.25},
		"cagr":         {got.CAGR, cagr},
		"volatility":   {got.Volatility, sd * math.Sqrt(365.25)},
		"sharpe":       {got.Sharpe, mean / sd * math.Sqrt(365.25)},
		"sortino":      {got.Sortino, mean / downside * math.Sqrt(365.25)},
		// Peak 1200 on day 4, trough 1080: 10%; 1300 → 1250 is 3.85%.
		"max drawdown": {got.MaxDrawdown, 0.1},
		"calmar":       {got.Calmar, cagr / 0.1},
	}
	for _, name := range []string{"total return", "cagr", "volatility", "sharpe", "sortino", "max drawdown", "calmar"} {
		g, w := want[name][0], want[name][1]
		if math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %.12g, want %.12g", name, g, w)
		}
	}
	// Drawdowns: 1100 (day 1) → back above on day 3 (2 days); 1200 (day 4)
	// → 1300 on day 6 (2 days); 1300 (day 6) → never, to day 7 (1 day).
	if d := time.Duration(got.MaxDrawdownDuration); d != 48*time.Hour {
		t.Errorf("max drawdown duration = %v, want 48h", d)
	}
}

// TestTradeMetrics checks the trade measures on a run with a known loser
// and winner (TestStopsByHand's series: −50, +92.91, −115.8788888).
func TestTradeMetrics(t *testing.T) {
	bars := hourly(t, "ETH-USDT",
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "103", "99", "102"},
		[4]string{"102", "111", "94", "100"},
		[4]string{"100", "112", "99", "111"},
		[4]string{"90", "92", "89", "91"},
		[4]string{"80", "82", "79", "81"},
	)
	pf := backtestPortfolioStops()
	cfg := backtestConfig(t, "L.LL..", pf)
	res, err := backtest.RunBars(context.Background(), cfg, &backtest.Input{Stream: "t", Bars: bars})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Metrics.Strategy
	if s.Trades != 3 || math.Abs(s.WinRate-1.0/3) > 1e-15 {
		t.Errorf("trades %d win rate %v", s.Trades, s.WinRate)
	}
	// Profit factor = 92.91 / (50 + 115.8788888).
	if w := 92.91 / 165.8788888; math.Abs(s.ProfitFactor-w) > 1e-12 {
		t.Errorf("profit factor = %v, want %v", s.ProfitFactor, w)
	}
	eqDec(t, "net pnl", s.NetPnL, "-72.9688888")         // −50 + 92.91 − 115.8788888
	eqDec(t, "expectancy", s.Expectancy, "-24.32296293") // / 3, 8 places
	eqDec(t, "avg win", s.AvgWin, "92.91")
	eqDec(t, "avg loss", s.AvgLoss, "-82.9394444") // (−50 − 115.8788888) / 2
	if len(res.Metrics.PerSymbol) != 1 || res.Metrics.PerSymbol[0].Trades != 3 {
		t.Errorf("per symbol = %+v", res.Metrics.PerSymbol)
	}
	// Buy and hold: first open 100, last close 81.
	if bh := res.Metrics.PerSymbol[0].BuyHoldReturn; math.Abs(bh-(-0.19)) > 1e-12 {
		t.Errorf("buy and hold = %v", bh)
	}
	if res.Metrics.PeriodsPerYear != 365.25*24 {
		t.Errorf("periods per year = %v", res.Metrics.PeriodsPerYear)
	}
}

func backtestPortfolioStops() backtest.PortfolioConfig {
	return backtest.PortfolioConfig{InitialCash: dec("1000"), FeeBps: bps("0"), MakerFeeBps: bps("20"),
		StopLoss: dec("0.05"), TakeProfit: dec("0.1")}
}

func backtestConfig(t *testing.T, script string, pf backtest.PortfolioConfig) backtest.Config {
	return backtest.Config{Strategies: []engine_Instance{scriptInstance(t, script)}, Portfolio: pf}
}
