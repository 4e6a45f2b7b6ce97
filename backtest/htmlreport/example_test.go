package htmlreport_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
)

func ExampleWrite() {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d := htmlreport.Data{
		Title:   "ema_cross on BTC-USDT",
		Metrics: []htmlreport.MetricRow{{Name: "total return", Strategy: "4.00%", Benchmark: "2.00%"}},
		Prices:  []htmlreport.SymbolPrices{{Symbol: "BTC-USDT"}},
	}
	for i, v := range []float64{10000, 10100, 9900, 10400} {
		d.Equity = append(d.Equity, htmlreport.Point{T: start.Add(time.Duration(i) * time.Hour), V: v})
	}
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, d); err != nil {
		fmt.Println(err)
		return
	}
	out := buf.String()
	fmt.Println("charts:", strings.Count(out, "<svg"))
	fmt.Println("scripts:", strings.Count(out, "<script"))
	fmt.Println(strings.Contains(out, "Drawdown (max -1.98%)"))
	// Output:
	// charts: 3
	// scripts: 0
	// true
}
