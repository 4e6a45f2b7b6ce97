package backtest_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// RunBars backtests bars already in memory: an EMA cross (2/3) goes long
// when the trend turns up and, with shorts disabled, exits when it turns
// down; each fill is at the next bar's open and pays a 10 bps fee.
func ExampleRunBars() {
	def := strategies.EMACrossDef()
	p, err := strategies.Bind(def, map[string]string{"fast": "2", "slow": "3"})
	if err != nil {
		panic(err)
	}
	closes := []int{100, 98, 96, 94, 92, 90, 88, 86, 90, 95, 99, 104, 108, 112, 116, 120, 118, 114, 110, 106, 100}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var bars []events.Bar
	for i, c := range closes {
		px := events.MustFixed(strconv.Itoa(c))
		bars = append(bars, events.Bar{Symbol: "BTC-USDT", Interval: events.Hour,
			OpenTime: t0.Add(time.Duration(i) * time.Hour), CloseTime: t0.Add(time.Duration(i+1) * time.Hour),
			Open: px, High: px, Low: px, Close: px, Volume: events.MustFixed("1")})
	}
	cfg := backtest.Config{
		Strategies: []engine.Instance{{Def: def, Params: p}},
		Portfolio:  backtest.PortfolioConfig{InitialCash: decimal.NewFromInt(1000)},
	}
	res, err := backtest.RunBars(context.Background(), cfg, &backtest.Input{Stream: "example", Bars: bars})
	if err != nil {
		panic(err)
	}
	for _, t := range res.Trades {
		fmt.Println(t.Side, t.EntryTime.Format("15:04"), t.EntryPrice, "->", t.ExitTime.Format("15:04"), t.ExitPrice, "pnl", t.PnL.StringFixed(2))
	}
	fmt.Println("final equity", res.Metrics.Strategy.FinalEquity.StringFixed(2), "fees", res.Costs.Fees.StringFixed(2))
	// Output:
	// long 10:00 99 -> 18:00 110 pnl 108.89
	// final equity 1108.89 fees 2.11
}
