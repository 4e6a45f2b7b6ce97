package htmlreport_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/examples"
	"github.com/candlewick-labs/candlewick/feeds"
)

// loadBars imports one of the repository's sample files (examples/data, real
// Binance candles, MIT, see its PROVENANCE.md), keeping the first bar of each
// open time: the files repeat a few rows at downloader page boundaries.
func loadBars(t testing.TB, name string) []events.Bar {
	t.Helper()
	var bars []events.Bar
	sink := feeds.SinkFuncs{OnBar: func(b events.Bar) error {
		if n := len(bars); n == 0 || b.OpenTime.After(bars[n-1].OpenTime) {
			bars = append(bars, b)
		}
		return nil
	}}
	f, err := examples.Data.Open("data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := feeds.Import(context.Background(), f, name, feeds.Options{}, sink); err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	if len(bars) == 0 {
		t.Fatalf("import %s: no bars", name)
	}
	return bars
}

// realData builds report data from real bars with a deliberately simple
// long-only moving-average cross (24h over 96h, 10 bps fees, half the
// capital per symbol), computed here in float64. It stands in for the
// backtester so this package's tests do not depend on it; the numbers only
// have to look like a real run.
func realData(t testing.TB) htmlreport.Data {
	t.Helper()
	const (
		fast, slow = 24, 96
		fee        = 0.001
		cash0      = 10000.0
	)
	files := []struct{ file, symbol string }{{"btc-1h.csv", "BTC-USDT"}, {"eth-1h.csv", "ETH-USDT"}}
	d := htmlreport.Data{
		Title:    "sma_cross(24, 96) on BTC-USDT, ETH-USDT",
		Currency: "USDT",
		Params: []htmlreport.KV{
			{Key: "sma_cross.fast", Value: "24"}, {Key: "sma_cross.slow", Value: "96"},
			{Key: "initial cash", Value: "10000"}, {Key: "fee bps (taker)", Value: "10"},
			{Key: "sizing", Value: "fixed fraction 0.5 per symbol"},
		},
		Fingerprint: "sha256:example-only-not-a-real-run-fingerprint",
	}
	type leg struct {
		bars       []events.Bar
		cash, qty  float64
		bhQty      float64
		entryPx    float64
		entryT     time.Time
		entryFee   float64
		wins, lose int
		pnl        float64
	}
	legs := make([]*leg, len(files))
	n := math.MaxInt
	for i, f := range files {
		bars := loadBars(t, f.file)
		legs[i] = &leg{bars: bars, cash: cash0 / 2, bhQty: cash0 / 2 / bars[0].Open.Float64()}
		n = min(n, len(bars))
	}
	var fees float64
	var trades []htmlreport.TradeRow
	for i, f := range files {
		l := legs[i]
		sp := htmlreport.SymbolPrices{Symbol: f.symbol}
		var sf, ss float64
		closes := make([]float64, n)
		for j := range n {
			b := l.bars[j]
			sp.Bars = append(sp.Bars, htmlreport.OHLC{T: b.OpenTime, O: b.Open.Float64(), H: b.High.Float64(), L: b.Low.Float64(), C: b.Close.Float64()})
			closes[j] = b.Close.Float64()
		}
		want := make([]bool, n) // position wanted after bar j closes
		for j := range n {
			sf += closes[j]
			ss += closes[j]
			if j >= fast {
				sf -= closes[j-fast]
			}
			if j >= slow {
				ss -= closes[j-slow]
			}
			if j >= slow-1 {
				want[j] = sf/fast > ss/slow
			}
		}
		// Fill at the next bar's open, never at the signal bar's close.
		for j := 1; j < n; j++ {
			px := sp.Bars[j].O
			switch {
			case want[j-1] && l.qty == 0:
				fee := l.cash * fee
				l.qty = (l.cash - fee) / px
				l.entryPx, l.entryT, l.entryFee = px, sp.Bars[j].T, fee
				l.cash = 0
				fees += fee
				sp.Entries = append(sp.Entries, htmlreport.Marker{T: sp.Bars[j].T, Price: px, Side: "long"})
			case !want[j-1] && l.qty > 0:
				gross := l.qty * px
				fee := gross * fee
				l.cash = gross - fee
				fees += fee
				pnl := (px-l.entryPx)*l.qty - fee - l.entryFee
				trades = append(trades, htmlreport.TradeRow{
					Symbol: f.symbol, Side: "long", EntryTime: l.entryT, ExitTime: sp.Bars[j].T,
					EntryPrice: fmt.Sprintf("%.2f", l.entryPx), ExitPrice: fmt.Sprintf("%.2f", px),
					Qty: fmt.Sprintf("%.6f", l.qty), PnL: fmt.Sprintf("%.2f", pnl),
					Return: fmt.Sprintf("%.2f%%", (px/l.entryPx-1)*100), Fees: fmt.Sprintf("%.2f", fee+l.entryFee), Reason: "signal",
				})
				if pnl > 0 {
					l.wins++
				} else {
					l.lose++
				}
				l.pnl += pnl
				l.qty = 0
				sp.Exits = append(sp.Exits, htmlreport.Marker{T: sp.Bars[j].T, Price: px, Side: "sell"})
			}
		}
		d.Prices = append(d.Prices, sp)
	}
	// Replay the fills bar by bar to mark equity at every close.
	for _, l := range legs {
		l.cash, l.qty = cash0/2, 0
	}
	for j := range n {
		eq, bh := 0.0, 0.0
		for i := range files {
			l, sp := legs[i], &d.Prices[i]
			for _, e := range sp.Entries {
				if e.T.Equal(sp.Bars[j].T) {
					fee := l.cash * fee
					l.qty, l.cash = (l.cash-fee)/e.Price, 0
				}
			}
			for _, x := range sp.Exits {
				if x.T.Equal(sp.Bars[j].T) {
					g := l.qty * x.Price
					l.cash, l.qty = g-g*fee, 0
				}
			}
			eq += l.cash + l.qty*sp.Bars[j].C
			bh += l.bhQty * sp.Bars[j].C
		}
		closeT := d.Prices[0].Bars[j].T.Add(time.Hour)
		d.Equity = append(d.Equity, htmlreport.Point{T: closeT, V: eq})
		d.Benchmark = append(d.Benchmark, htmlreport.Point{T: closeT, V: bh})
	}
	// Monthly returns from month-end equity.
	prev := cash0
	for j, p := range d.Equity {
		m := p.T.Add(-time.Nanosecond)
		if j+1 < len(d.Equity) {
			nm := d.Equity[j+1].T.Add(-time.Nanosecond)
			if nm.Month() == m.Month() && nm.Year() == m.Year() {
				continue
			}
		}
		d.Monthly = append(d.Monthly, htmlreport.MonthReturn{Year: m.Year(), Month: m.Month(), Return: p.V/prev - 1})
		prev = p.V
	}
	first, last := d.Equity[0], d.Equity[len(d.Equity)-1]
	d.Subtitle = fmt.Sprintf("%s to %s (1h bars, %d per symbol) · example data computed by the htmlreport test helper",
		first.T.Format("2006-01-02"), last.T.Format("2006-01-02"), n)
	peak, mdd := 0.0, 0.0
	for _, p := range d.Equity {
		peak = math.Max(peak, p.V)
		mdd = math.Min(mdd, p.V/peak-1)
	}
	bpeak, bmdd := 0.0, 0.0
	for _, p := range d.Benchmark {
		bpeak = math.Max(bpeak, p.V)
		bmdd = math.Min(bmdd, p.V/bpeak-1)
	}
	wins := 0
	for _, l := range legs {
		wins += l.wins
	}
	bLast := d.Benchmark[len(d.Benchmark)-1].V
	d.Metrics = []htmlreport.MetricRow{
		{Name: "final equity", Strategy: fmt.Sprintf("%.2f", last.V), Benchmark: fmt.Sprintf("%.2f", bLast)},
		{Name: "total return", Strategy: fmt.Sprintf("%.2f%%", (last.V/cash0-1)*100), Benchmark: fmt.Sprintf("%.2f%%", (bLast/cash0-1)*100)},
		{Name: "max drawdown", Strategy: fmt.Sprintf("%.2f%%", mdd*100), Benchmark: fmt.Sprintf("%.2f%%", bmdd*100)},
		{Name: "trades", Strategy: fmt.Sprint(len(trades)), Benchmark: "-"},
		{Name: "win rate", Strategy: fmt.Sprintf("%.2f%%", 100*float64(wins)/float64(max(1, len(trades)))), Benchmark: "-"},
		{Name: "fees paid", Strategy: fmt.Sprintf("%.2f", fees), Benchmark: "0.00"},
	}
	for i, f := range files {
		l := legs[i]
		d.PerSymbol = append(d.PerSymbol, htmlreport.SymbolMetrics{Symbol: f.symbol, Metrics: []htmlreport.MetricRow{
			{Name: "net PnL", Strategy: fmt.Sprintf("%.2f", l.pnl)},
			{Name: "trades", Strategy: fmt.Sprint(l.wins + l.lose)},
		}})
	}
	d.Costs = htmlreport.Costs{Fees: fmt.Sprintf("%.2f", fees), Slippage: "0.00", Total: fmt.Sprintf("%.2f", fees)}
	d.TradesTotal = len(trades)
	d.Trades = trades[:min(len(trades), 15)]
	return d
}
