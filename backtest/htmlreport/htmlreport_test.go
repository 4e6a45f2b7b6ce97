package htmlreport_test

import (
	"bytes"
	"errors"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
	"github.com/candlewick-labs/candlewick/internal/golden"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// sampleData is a small, fully populated report: 90 daily bars of two
// symbols, a few trades, three months of returns.
func sampleData() htmlreport.Data {
	d := htmlreport.Data{
		Title:       "sma_cross on BTC-USDT, ETH-USDT",
		Subtitle:    "2024-01-01 → 2024-03-30 · 1d bars",
		Currency:    "USDT",
		Params:      []htmlreport.KV{{Key: "fast", Value: "5"}, {Key: "slow", Value: "20"}, {Key: "fee", Value: "10 bps"}},
		Metrics:     []htmlreport.MetricRow{{Name: "total return", Strategy: "12.50%", Benchmark: "8.10%"}, {Name: "Sharpe", Strategy: "1.21", Benchmark: "0.74"}, {Name: "trades", Strategy: "3"}},
		PerSymbol:   []htmlreport.SymbolMetrics{{Symbol: "BTC-USDT", Metrics: []htmlreport.MetricRow{{Name: "total return", Strategy: "9.00%", Benchmark: "6.00%"}}}},
		Costs:       htmlreport.Costs{Fees: "31.20", Slippage: "12.05", Total: "43.25"},
		Fingerprint: "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
		TradesTotal: 5,
	}
	eq, bh := 10000.0, 10000.0
	var btc, eth htmlreport.SymbolPrices
	btc.Symbol, eth.Symbol = "BTC-USDT", "ETH-USDT"
	for i := range 90 {
		ts := t0.AddDate(0, 0, i)
		x := float64(i)
		eq *= 1 + 0.004*math.Sin(x/7) + 0.0015
		bh *= 1 + 0.006*math.Sin(x/5) + 0.001
		d.Equity = append(d.Equity, htmlreport.Point{T: ts, V: eq})
		d.Benchmark = append(d.Benchmark, htmlreport.Point{T: ts, V: bh})
		c := 42000 + 3000*math.Sin(x/9) + 20*x
		btc.Bars = append(btc.Bars, htmlreport.OHLC{T: ts, O: c - 100, H: c + 400, L: c - 500, C: c})
		e := 2300 + 150*math.Cos(x/6)
		eth.Bars = append(eth.Bars, htmlreport.OHLC{T: ts, O: e, H: e + 20, L: e - 20, C: e})
	}
	btc.Entries = []htmlreport.Marker{{T: t0.AddDate(0, 0, 10), Price: btc.Bars[10].O, Side: "long"}, {T: t0.AddDate(0, 0, 50), Price: btc.Bars[50].O, Side: "short"}}
	btc.Exits = []htmlreport.Marker{{T: t0.AddDate(0, 0, 30), Price: btc.Bars[30].O, Side: "sell"}, {T: t0.AddDate(0, 0, 70), Price: btc.Bars[70].O, Side: "buy"}}
	eth.Entries = []htmlreport.Marker{{T: t0.AddDate(0, 0, 20), Price: eth.Bars[20].O, Side: "buy"}}
	d.Prices = []htmlreport.SymbolPrices{btc, eth}
	d.Monthly = []htmlreport.MonthReturn{{Year: 2024, Month: time.January, Return: 0.052}, {Year: 2024, Month: time.February, Return: -0.013}, {Year: 2024, Month: time.March, Return: 0.081}}
	d.Trades = []htmlreport.TradeRow{
		{Symbol: "BTC-USDT", Side: "long", EntryTime: t0.AddDate(0, 0, 10), ExitTime: t0.AddDate(0, 0, 30), EntryPrice: "42100.00", ExitPrice: "44890.50", Qty: "0.2375", PnL: "652.41", Return: "6.53%", Fees: "20.64", Reason: "signal"},
		{Symbol: "BTC-USDT", Side: "short", EntryTime: t0.AddDate(0, 0, 50), ExitTime: t0.AddDate(0, 0, 70), EntryPrice: "41010.00", ExitPrice: "41520.00", Qty: "0.2611", PnL: "-143.87", Return: "-1.34%", Fees: "21.55", Reason: "stop-loss"},
	}
	return d
}

func render(t testing.TB, d htmlreport.Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestWriteGolden(t *testing.T) {
	golden.Check(t, "testdata/report.golden.html", render(t, sampleData()))
}

func TestWriteDeterministic(t *testing.T) {
	want := render(t, sampleData())
	// Concurrent renders too: Write shares nothing mutable between calls.
	const n = 4
	outs := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := htmlreport.Write(&buf, sampleData()); err == nil {
				outs[i] = buf.Bytes()
			}
		})
	}
	wg.Wait()
	for i, got := range outs {
		if !bytes.Equal(got, want) {
			t.Fatalf("render %d differs from the first (%d vs %d bytes)", i, len(got), len(want))
		}
	}
}

func TestChartsPresent(t *testing.T) {
	full := sampleData()
	tests := []struct {
		name   string
		data   htmlreport.Data
		charts int
	}{
		{"empty", htmlreport.Data{}, 2},
		{"full", full, 4},
		{"equity only", htmlreport.Data{Equity: full.Equity}, 2},
		{"three symbols", htmlreport.Data{Prices: []htmlreport.SymbolPrices{full.Prices[0], full.Prices[1], {Symbol: "SOL-USDT"}}}, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := string(render(t, tc.data))
			if got := strings.Count(out, "<svg"); got != tc.charts {
				t.Errorf("<svg count = %d, want %d", got, tc.charts)
			}
			if got := strings.Count(out, "</svg>"); got != tc.charts {
				t.Errorf("</svg> count = %d, want %d", got, tc.charts)
			}
			for _, id := range []string{`id="equity"`, `id="drawdown"`} {
				if !strings.Contains(out, id) {
					t.Errorf("missing %s", id)
				}
			}
			if strings.Contains(out, "<?xml") {
				t.Error("XML prologue left inside the HTML")
			}
		})
	}
}

func TestEscaping(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	d := sampleData()
	d.Title = "strategy " + evil
	d.Subtitle = evil
	d.Currency = evil
	d.Params = append(d.Params, htmlreport.KV{Key: evil, Value: evil})
	d.Metrics = append(d.Metrics, htmlreport.MetricRow{Name: evil, Strategy: evil, Benchmark: evil})
	d.PerSymbol[0].Symbol = evil
	d.Prices[0].Symbol = evil
	d.Prices[0].Entries[0].Side = evil
	d.Trades[0].Symbol = evil
	d.Trades[0].Reason = evil
	d.Costs.Fees = evil
	d.Fingerprint = evil
	out := string(render(t, d))
	if i := strings.Index(strings.ToLower(out), "<script"); i >= 0 {
		t.Fatalf("unescaped script tag at byte %d: %q", i, out[max(0, i-60):min(len(out), i+60)])
	}
	if !strings.Contains(out, "&lt;script&gt;") {
		t.Error("escaped form of the user string not found")
	}
	// Inside the SVG (chart titles and axis labels) too.
	svg := out[strings.Index(out, "<svg"):strings.LastIndex(out, "</svg>")]
	if !strings.Contains(svg, "&lt;script&gt;") {
		t.Error("user string not found escaped inside the charts")
	}
}

// TestSelfContained checks the page loads nothing: no scripts, links,
// external images, fonts or imports.
func TestSelfContained(t *testing.T) {
	out := string(render(t, sampleData()))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", " src=", "href=\"http"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	// The only URLs are the SVG namespace declarations.
	urls := regexp.MustCompile(`https?://[^"' )]+`).FindAllString(out, -1)
	for _, u := range urls {
		if u != "http://www.w3.org/2000/svg" && u != "http://www.w3.org/1999/xlink" {
			t.Errorf("external URL %q", u)
		}
	}
}

// TestHostileData feeds values a buggy caller could produce: none may panic
// or fail the report.
func TestHostileData(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	pts := func(vs ...float64) []htmlreport.Point {
		out := make([]htmlreport.Point, len(vs))
		for i, v := range vs {
			out[i] = htmlreport.Point{T: t0.Add(time.Duration(i) * time.Hour), V: v}
		}
		return out
	}
	tests := []struct {
		name string
		data htmlreport.Data
	}{
		{"nan and inf", htmlreport.Data{Equity: pts(nan, inf, -inf, 1, nan), Benchmark: pts(inf), Drawdown: pts(nan)}},
		{"all nan", htmlreport.Data{Equity: pts(nan, nan), Monthly: []htmlreport.MonthReturn{{Year: 2024, Month: 1, Return: nan}}}},
		{"single point", htmlreport.Data{Equity: pts(10000), Prices: []htmlreport.SymbolPrices{{Symbol: "X", Bars: []htmlreport.OHLC{{T: t0, C: 5}}}}}},
		{"constant", htmlreport.Data{Equity: pts(5, 5, 5, 5), Benchmark: pts(5, 5, 5, 5)}},
		{"negative and zero equity", htmlreport.Data{Equity: pts(100, -50, 0, -1e308)}},
		{"huge values", htmlreport.Data{Equity: pts(1e300, -1e300, 1e-300)}},
		{"zero times", htmlreport.Data{Equity: []htmlreport.Point{{V: 1}, {V: 2}}, Trades: []htmlreport.TradeRow{{PnL: "0"}}}},
		{"far times", htmlreport.Data{Equity: []htmlreport.Point{{T: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), V: 1}, {T: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), V: 2}}}},
		{"unsorted times", htmlreport.Data{Equity: []htmlreport.Point{{T: t0.Add(time.Hour), V: 1}, {T: t0, V: 2}, {T: t0.Add(30 * time.Minute), V: 3}}}},
		{"same instant", htmlreport.Data{Equity: []htmlreport.Point{{T: t0, V: 1}, {T: t0, V: 2}}}},
		{"markers only", htmlreport.Data{Prices: []htmlreport.SymbolPrices{{Symbol: "X", Entries: []htmlreport.Marker{{T: t0, Price: nan}, {T: t0, Price: 3, Side: "SHORT"}}, Exits: []htmlreport.Marker{{Price: inf}}}}}},
		{"bad months", htmlreport.Data{Monthly: []htmlreport.MonthReturn{{Year: 2024, Month: 0, Return: 0.1}, {Year: 2024, Month: 13, Return: 0.1}, {Year: -5, Month: 2, Return: -2}, {Year: 2024, Month: 2, Return: 0}}}},
		{"more trades than total", htmlreport.Data{Trades: make([]htmlreport.TradeRow, 3), TradesTotal: 1}},
		{"invalid utf8", htmlreport.Data{Title: "\xff\xfe", Prices: []htmlreport.SymbolPrices{{Symbol: "\xff"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := htmlreport.Write(&buf, tc.data)
			if err != nil {
				var ce *htmlreport.ChartError
				if !errors.As(err, &ce) || !errors.Is(err, htmlreport.ErrRender) {
					t.Fatalf("Write: %v (want nil or a *ChartError wrapping ErrRender)", err)
				}
				t.Fatalf("Write: %v", err)
			}
			if strings.Count(buf.String(), "<svg") < 2 {
				t.Error("charts missing")
			}
		})
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriteError(t *testing.T) {
	sentinel := errors.New("disk full")
	err := htmlreport.Write(failWriter{sentinel}, sampleData())
	if !errors.Is(err, sentinel) {
		t.Fatalf("Write = %v, want it to wrap %v", err, sentinel)
	}
}

func TestMonthlyHeatmap(t *testing.T) {
	d := htmlreport.Data{Monthly: []htmlreport.MonthReturn{
		{Year: 2025, Month: time.March, Return: 0.10},
		{Year: 2024, Month: time.December, Return: -0.05},
		{Year: 2025, Month: time.January, Return: 0.20},
	}}
	out := string(render(t, d))
	i24, i25 := strings.Index(out, "<td>2024</td>"), strings.Index(out, "<td>2025</td>")
	if i24 < 0 || i25 < 0 || i24 > i25 {
		t.Fatalf("years missing or out of order (2024 at %d, 2025 at %d)", i24, i25)
	}
	// 2025 compounds to 1.2*1.1-1 = +32.0%.
	// html/template writes "+" as "&#43;".
	for _, want := range []string{"&#43;20.0%", "&#43;10.0%", "-5.0%", "&#43;32.0%"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing cell %q", want)
		}
	}
}

func TestTradesNote(t *testing.T) {
	d := sampleData()
	out := string(render(t, d))
	if !strings.Contains(out, "showing the first 2 of 5 trades") {
		t.Error("truncation note missing")
	}
	if !strings.Contains(out, `class="loss">-143.87`) || !strings.Contains(out, `class="gain">652.41`) {
		t.Error("PnL not marked as gain/loss")
	}
}

// longData is a run of n hourly bars on two symbols with a trade every 20
// bars: the shape of a real long backtest.
func longData(n int) htmlreport.Data {
	var d htmlreport.Data
	syms := []string{"BTC-USDT", "ETH-USDT"}
	d.Prices = make([]htmlreport.SymbolPrices, len(syms))
	eq := 10000.0
	for i := range n {
		ts := t0.Add(time.Duration(i) * time.Hour)
		x := float64(i)
		eq *= 1 + 0.002*math.Sin(x/37) + 0.001*math.Sin(x*1.7)
		d.Equity = append(d.Equity, htmlreport.Point{T: ts, V: eq})
		d.Benchmark = append(d.Benchmark, htmlreport.Point{T: ts, V: 10000 + 2000*math.Sin(x/500)})
		for s := range syms {
			c := 1000*float64(s+1) + 100*math.Sin(x/(50+float64(s))) + 10*math.Sin(x*0.9)
			sp := &d.Prices[s]
			sp.Symbol = syms[s]
			sp.Bars = append(sp.Bars, htmlreport.OHLC{T: ts, O: c, H: c + 1, L: c - 1, C: c})
			if i%20 == 5 {
				sp.Entries = append(sp.Entries, htmlreport.Marker{T: ts, Price: c, Side: "buy"})
			}
			if i%20 == 15 {
				sp.Exits = append(sp.Exits, htmlreport.Marker{T: ts, Price: c, Side: "sell"})
			}
		}
	}
	return d
}

// TestLongRunSize keeps a 65k-bar report small enough to open and mail.
func TestLongRunSize(t *testing.T) {
	d := longData(65_000)
	out := render(t, d)
	const limit = 3 << 20
	if len(out) > limit {
		t.Fatalf("report for 65k bars is %d bytes, want <= %d", len(out), limit)
	}
	if !bytes.Contains(out, []byte("markers thinned")) {
		t.Error("no note that markers were thinned")
	}
	if !bytes.Contains(out, []byte("downsampled")) {
		t.Error("no note that series were downsampled")
	}
	t.Logf("65k bars x 2 symbols: %d bytes", len(out))
}

// TestDownsampleKeepsExtremes checks that a one-bar crash in a long run
// survives downsampling: the drawdown chart's title reports the exact trough.
func TestDownsampleKeepsExtremes(t *testing.T) {
	var d htmlreport.Data
	for i := range 50_000 {
		v := 10000 + float64(i%100)
		if i == 31_337 {
			v = 5049.5 // 50% below the running peak of 10099
		}
		d.Equity = append(d.Equity, htmlreport.Point{T: t0.Add(time.Duration(i) * time.Minute), V: v})
	}
	out := string(render(t, d))
	if !strings.Contains(out, "Drawdown (max -50.00%)") {
		i := strings.Index(out, "Drawdown (")
		t.Fatalf("trough lost in downsampling; title: %q", out[i:min(len(out), i+30)])
	}
}

func TestRealDataReport(t *testing.T) {
	d := realData(t)
	a, b := render(t, d), render(t, realData(t))
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same real data differ")
	}
	if n := bytes.Count(a, []byte("<svg")); n != 4 {
		t.Errorf("<svg count = %d, want 4", n)
	}
	if len(a) > 1<<20 {
		t.Errorf("report of %d hourly bars is %d bytes", len(d.Equity), len(a))
	}
}
