package backtest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/events"
)

func runScript(t *testing.T, bars []events.Bar, script string, pf backtest.PortfolioConfig) *backtest.Result {
	t.Helper()
	cfg := backtest.Config{Strategies: []engine_Instance{scriptInstance(t, script)}, Portfolio: pf}
	res, err := backtest.RunBars(context.Background(), cfg, &backtest.Input{Stream: "test", Bars: bars})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// fiveBars is the hand-checked series of TestLongExitByHand and
// TestShortByHand.
func fiveBars(t *testing.T) []events.Bar {
	return hourly(t, "BTC-USDT",
		[4]string{"100", "101", "99", "100"},  // 0: signal long at close
		[4]string{"100", "110", "100", "108"}, // 1: long fills at open 100 (+slippage)
		[4]string{"108", "112", "106", "110"}, // 2: signal exit at close
		[4]string{"111", "111", "105", "106"}, // 3: exit fills at open 111; signal short
		[4]string{"104", "105", "100", "101"}, // 4: short fills at open 104 (if allowed)
	)
}

func costly() backtest.PortfolioConfig {
	return backtest.PortfolioConfig{
		InitialCash: dec("1000"), FeeBps: bps("10"), SlippageBps: dec("10"),
		Lot: backtest.Lot{Size: dec("0.001")},
	}
}

// TestLongExitByHand: one long round trip with 10 bps fee and 10 bps
// slippage, lot 0.001, cash 1000; a short signal with shorts disabled is an
// exit (nothing to do: already flat).
//
//	bar 1 open 100: buy price = 100 + 100×10/10000 = 100.1
//	  qty = 1000 / (100.1 × 1.001) = 9.98002996 → lot 0.001 → 9.980
//	  fee = 9.98 × 100.1 × 0.001 = 0.998998; slippage = 9.98 × 0.1 = 0.998
//	  cash = 1000 − 998.998 − 0.998998 = 0.003002
//	bar 1 close 108: equity = 0.003002 + 9.98 × 108 = 1077.843002
//	bar 2 close 110: equity = 0.003002 + 9.98 × 110 = 1097.803002
//	bar 3 open 111: sell price = 111 − 0.111 = 110.889
//	  notional = 9.98 × 110.889 = 1106.67222; fee = 1.10667222
//	  slippage = 9.98 × 0.111 = 1.10778
//	  cash = 0.003002 + 1106.67222 − 1.10667222 = 1105.56854978
//	  PnL = (110.889 − 100.1) × 9.98 − 0.998998 − 1.10667222
//	      = 107.67422 − 2.10567022 = 105.56854978
func TestLongExitByHand(t *testing.T) {
	res := runScript(t, fiveBars(t), "L.XS.", costly())
	if len(res.Trades) != 1 {
		t.Fatalf("trades = %d, want 1: %+v", len(res.Trades), res.Trades)
	}
	tr := res.Trades[0]
	eqDec(t, "qty", tr.Quantity, "9.98")
	eqDec(t, "entry", tr.EntryPrice, "100.1")
	eqDec(t, "exit", tr.ExitPrice, "110.889")
	eqDec(t, "fees", tr.Fees, "2.10567022")
	eqDec(t, "slippage", tr.Slippage, "2.10578")
	eqDec(t, "pnl", tr.PnL, "105.56854978")
	if tr.Side != "long" || tr.ExitReason != backtest.ExitSignal || !tr.EntryTime.Equal(t0.Add(1*3600e9)) || !tr.ExitTime.Equal(t0.Add(3*3600e9)) {
		t.Errorf("trade = %+v", tr)
	}
	want := []string{"1000", "1077.843002", "1097.803002", "1105.56854978", "1105.56854978"}
	if len(res.Equity) != len(want) {
		t.Fatalf("equity points = %d, want %d", len(res.Equity), len(want))
	}
	for i, w := range want {
		eqDec(t, "equity", res.Equity[i].Equity, w)
		eqDec(t, "cash+position", res.Equity[i].Cash.Add(res.Equity[i].PositionValue), w)
	}
	eqDec(t, "costs.fees", res.Costs.Fees, "2.10567022")
	eqDec(t, "costs.slippage", res.Costs.Slippage, "2.10578")
	// Benchmark: 1000/100 = 10 units from bar 0's open, marked at 101.
	eqDec(t, "benchmark", res.Equity[4].Benchmark, "1010")
	if res.Counts.Fills != 2 || res.Counts.Signals != 3 || res.Counts.OpenAtEnd != 0 {
		t.Errorf("counts = %+v", res.Counts)
	}
	s := res.Metrics.Strategy
	if s.Trades != 1 || s.WinRate != 1 {
		t.Errorf("trade stats = %+v", s.TradeStats)
	}
	eqDec(t, "expectancy", s.Expectancy, "105.56854978")
}

// TestShortByHand: the same series with shorts allowed; the short signal
// at bar 3's close fills at bar 4's open.
//
//	bar 4 open 104: sell price = 104 − 0.104 = 103.896; equity = cash
//	  = 1105.56854978; qty = 1105.56854978 / (103.896 × 1.001)
//	  = 10.63047745 → lot → 10.630
//	  notional = 10.63 × 103.896 = 1104.41448; fee = 1.10441448
//	  cash = 1105.56854978 + 1104.41448 − 1.10441448 = 2208.8786153
//	bar 4 close 101: equity = 2208.8786153 − 10.63 × 101 = 1135.2486153
func TestShortByHand(t *testing.T) {
	pf := costly()
	pf.AllowShort = true
	res := runScript(t, fiveBars(t), "L.XS.", pf)
	last := res.Equity[len(res.Equity)-1]
	eqDec(t, "cash", last.Cash, "2208.8786153")
	eqDec(t, "position", last.PositionValue, "-1073.63")
	eqDec(t, "equity", last.Equity, "1135.2486153")
	if res.Counts.OpenAtEnd != 1 || len(res.Trades) != 1 {
		t.Errorf("counts = %+v, trades %d", res.Counts, len(res.Trades))
	}
	eqDec(t, "fees", res.Costs.Fees, "3.2100847")
}

// TestStopsByHand: no taker fee, maker fee 20 bps, no slippage; stop-loss
// 5%, take-profit 10%; cash 1000.
//
//	bar 1 open 100: buy 10; SL 95, TP 110
//	bar 2 (H111 L94) touches both: the stop-loss wins, at 95 (the open 102
//	  is above it): PnL = (95 − 100) × 10 = −50; cash 950
//	  signal long at bar 2's close (flat now, so it re-enters)
//	bar 3 open 100: buy 9.5; SL 95, TP 110; H112 → take-profit at 110, a
//	  limit: no slippage, maker fee 9.5 × 110 × 0.002 = 2.09
//	  PnL = 9.5 × 10 − 2.09 = 92.91; cash 1042.91; signal long again
//	bar 4 open 90: buy 1042.91 / 90 = 11.58788888 (8 places, down);
//	  SL 85.5, TP 99; cash 1042.91 − 1042.9099992 = 0.0000008
//	bar 5 opens at 80, below the stop: fills at the open, 80
//	  PnL = (80 − 90) × 11.58788888 = −115.8788888
//	  cash = 0.0000008 + 927.0311104 = 927.0311112
func TestStopsByHand(t *testing.T) {
	bars := hourly(t, "ETH-USDT",
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "103", "99", "102"},
		[4]string{"102", "111", "94", "100"},
		[4]string{"100", "112", "99", "111"},
		[4]string{"90", "92", "89", "91"},
		[4]string{"80", "82", "79", "81"},
	)
	pf := backtest.PortfolioConfig{InitialCash: dec("1000"), FeeBps: bps("0"), MakerFeeBps: bps("20"),
		StopLoss: dec("0.05"), TakeProfit: dec("0.1")}
	res := runScript(t, bars, "L.LL..", pf)
	want := []struct{ qty, entry, exit, pnl, reason string }{
		{"10", "100", "95", "-50", backtest.ExitStopLoss},
		{"9.5", "100", "110", "92.91", backtest.ExitTakeProfit},
		{"11.58788888", "90", "80", "-115.8788888", backtest.ExitStopLoss},
	}
	if len(res.Trades) != len(want) {
		t.Fatalf("trades = %+v", res.Trades)
	}
	for i, w := range want {
		tr := res.Trades[i]
		eqDec(t, "qty", tr.Quantity, w.qty)
		eqDec(t, "entry", tr.EntryPrice, w.entry)
		eqDec(t, "exit", tr.ExitPrice, w.exit)
		eqDec(t, "pnl", tr.PnL, w.pnl)
		if tr.ExitReason != w.reason {
			t.Errorf("trade %d reason %s, want %s", i, tr.ExitReason, w.reason)
		}
	}
	eqDec(t, "final cash", res.Equity[len(res.Equity)-1].Cash, "927.0311112")
	if res.Counts.StopLosses != 2 || res.Counts.TakeProfits != 1 {
		t.Errorf("counts = %+v", res.Counts)
	}
	eqDec(t, "fees", res.Costs.Fees, "2.09")
}

// TestShortDisabled: with AllowShort false a short signal closes a long
// and opens nothing; with it true the same signal reverses.
func TestShortDisabled(t *testing.T) {
	bars := hourly(t, "BTC-USDT",
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "100", "100", "100"},
		[4]string{"120", "120", "120", "120"},
		[4]string{"110", "110", "110", "110"},
	)
	free := backtest.PortfolioConfig{InitialCash: dec("1000"), FeeBps: bps("0")}
	for _, tc := range []struct {
		name   string
		short  bool
		reason string
		open   int
		final  string
	}{
		// Long 10 at 100, exit at 120 (+200): 1200 in cash.
		{"disabled", false, backtest.ExitSignal, 0, "1200"},
		// Reverse at 120: short 1200/120 = 10; at 110 that gains 100.
		{"allowed", true, backtest.ExitReverse, 1, "1300"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pf := free
			pf.AllowShort = tc.short
			res := runScript(t, bars, "LS", pf)
			if len(res.Trades) != 1 || res.Trades[0].ExitReason != tc.reason || res.Counts.OpenAtEnd != tc.open {
				t.Fatalf("trades %+v counts %+v", res.Trades, res.Counts)
			}
			eqDec(t, "final equity", res.Metrics.Strategy.FinalEquity, tc.final)
		})
	}
}

// TestLotAndMinNotional: fixed notional sizing, per-symbol lot 0.5 and
// minimum notional 200 at price 100.
func TestLotAndMinNotional(t *testing.T) {
	bars := hourly(t, "SOL-USDT",
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "100", "100", "100"},
		[4]string{"100", "100", "100", "100"},
	)
	for _, tc := range []struct {
		name, notional, qty string
		skipped, zero       int
	}{
		{"below min notional", "150", "", 1, 0}, // 1.5 → 1.5 lots = 150 < 200: skipped
		{"rounded down", "260", "2.5", 0, 0},    // 2.6 → 2.5 (250 ≥ 200)
		{"rounded to zero", "40", "", 0, 1},     // 0.4 → 0
		{"exact", "300", "3", 0, 0},             // 3 lots of 0.5... 3.0
	} {
		t.Run(tc.name, func(t *testing.T) {
			pf := backtest.PortfolioConfig{InitialCash: dec("1000"), FeeBps: bps("0"),
				Sizing: backtest.Sizing{Notional: dec(tc.notional)},
				Lot:    backtest.Lot{Size: dec("0.001")},
				Lots:   map[string]backtest.Lot{"SOL-USDT": {Size: dec("0.5"), MinNotional: dec("200")}}}
			res := runScript(t, bars, "L.X", pf)
			if res.Counts.SkippedMinNotional != tc.skipped || res.Counts.SkippedZeroQty != tc.zero {
				t.Errorf("counts = %+v", res.Counts)
			}
			if tc.qty == "" {
				if len(res.Trades) != 0 {
					t.Errorf("trades = %+v", res.Trades)
				}
				return
			}
			if len(res.Trades) != 1 {
				t.Fatalf("trades = %+v", res.Trades)
			}
			eqDec(t, "qty", res.Trades[0].Quantity, tc.qty)
		})
	}
}

// TestFillNeverAtSignalBar: the fill bar is the next bar of the symbol,
// never the signal bar, whatever the other symbols do.
func TestFillNeverAtSignalBar(t *testing.T) {
	a := hourly(t, "A-USDT", [4]string{"10", "10", "10", "10"}, [4]string{"20", "20", "20", "20"})
	b := hourly(t, "B-USDT", [4]string{"5", "5", "5", "5"}, [4]string{"5", "5", "5", "5"})
	bars := []events.Bar{a[0], b[0], a[1], b[1]}
	res := runScript(t, bars, "L", backtest.PortfolioConfig{FeeBps: bps("0"), Sizing: backtest.Sizing{Fraction: dec("0.5")}})
	// Both symbols signal long at bar 0's close; A fills at 20 (half the
	// equity: 250 units), B at 5 (half the equity, 5000 of cash: 1000).
	eqDec(t, "A qty", res.Equity[1].PositionValue, "10000")
	if res.Counts.Fills != 2 || res.Counts.OpenAtEnd != 2 {
		t.Fatalf("counts = %+v", res.Counts)
	}
	if len(res.Equity) != 2 {
		t.Fatalf("equity points = %d, want one per close time", len(res.Equity))
	}
}

func TestConfigErrors(t *testing.T) {
	bad := backtest.PortfolioConfig{InitialCash: dec("-1"), FeeBps: bps("-2"), StopLoss: dec("1"),
		Sizing: backtest.Sizing{Fraction: dec("1.5")}}
	err := backtest.Config{Portfolio: bad}.Validate()
	if !errors.Is(err, backtest.ErrConfig) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"initial cash", "fee bps", "stop-loss", "sizing fraction", "no strategies"} {
		if !containsStr(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	_, err = backtest.RunBars(context.Background(), backtest.Config{Strategies: []engine_Instance{scriptInstance(t, "")}},
		&backtest.Input{})
	if !errors.Is(err, backtest.ErrNoBars) {
		t.Errorf("no bars: err = %v", err)
	}
	_ = decimal.Zero
}
