package backtest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
)

// Output file names written by [WriteOutputs].
const (
	FileReport  = "report.json"
	FileTrades  = "trades.csv"
	FileEquity  = "equity.csv"
	FileSignals = "signals.jsonl"
	FileHTML    = "report.html"
)

// Report is the content of report.json.
type Report struct {
	Version     string           `json:"version"`
	Fingerprint string           `json:"fingerprint"`
	Parts       FingerprintParts `json:"fingerprint_parts"`
	Params      RunParams        `json:"params"`
	Metrics     Metrics          `json:"metrics"`
	Costs       Costs            `json:"costs"`
	Counts      Counts           `json:"counts"`
}

// NewReport returns the report.json content of r.
func NewReport(r *Result) Report {
	return Report{Version: Version, Fingerprint: r.Fingerprint, Parts: r.Parts, Params: r.Params,
		Metrics: r.Metrics, Costs: r.Costs, Counts: r.Counts}
}

// MarshalReport returns report.json: indented JSON with a final newline.
// Equal results give identical bytes.
func MarshalReport(r *Result) ([]byte, error) {
	b, err := json.MarshalIndent(NewReport(r), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("backtest: encode report: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteOutputs writes report.json, trades.csv, equity.csv, signals.jsonl
// and report.html into dir (created if missing), replacing files of the
// same names. Each file is written whole or not at all (temporary file and
// rename). Every error is returned, joined.
func WriteOutputs(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("backtest: create output directory: %w", err)
	}
	report, err := MarshalReport(r)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	herr := htmlreport.Write(&html, HTMLData(r))
	errs := []error{
		writeFile(dir, FileReport, report),
		writeFile(dir, FileTrades, TradesCSV(r.Trades)),
		writeFile(dir, FileEquity, EquityCSV(r.Equity)),
		writeFile(dir, FileSignals, SignalsJSONL(r)),
	}
	if herr != nil {
		errs = append(errs, fmt.Errorf("backtest: render %s: %w", FileHTML, herr))
	} else {
		errs = append(errs, writeFile(dir, FileHTML, html.Bytes()))
	}
	return errors.Join(errs...)
}

func writeFile(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, "."+name+".tmp*")
	if err != nil {
		return fmt.Errorf("backtest: write %s: %w", name, err)
	}
	_, werr := tmp.Write(data)
	merr := tmp.Chmod(0o644) // CreateTemp makes 0600; outputs are for sharing
	cerr := tmp.Close()
	if err := errors.Join(werr, merr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("backtest: write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("backtest: write %s: %w", name, err)
	}
	return nil
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// TradesCSV returns trades.csv: a header and one row per trade.
func TradesCSV(trades []Trade) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"symbol", "side", "quantity", "entry_time", "entry_price", "exit_time", "exit_price",
		"fees", "slippage", "pnl", "return", "exit_reason", "bars", "entry_signal", "exit_signal"})
	for _, t := range trades {
		_ = w.Write([]string{t.Symbol, t.Side, t.Quantity.String(), rfc(t.EntryTime), t.EntryPrice.String(),
			rfc(t.ExitTime), t.ExitPrice.String(), t.Fees.String(), t.Slippage.String(), t.PnL.String(),
			t.Return.String(), t.ExitReason, strconv.Itoa(t.Bars), t.EntrySignal, t.ExitSignal})
	}
	w.Flush()
	return b.Bytes()
}

// EquityCSV returns equity.csv: a header and one row per equity point.
func EquityCSV(points []EquityPoint) []byte {
	var b bytes.Buffer
	b.WriteString("time,equity,cash,position_value,benchmark,exposed\n")
	for _, p := range points {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%t\n", rfc(p.Time), p.Equity, p.Cash, p.PositionValue, p.Benchmark, p.Exposed)
	}
	return b.Bytes()
}

// SignalsJSONL returns signals.jsonl: every signal as one JSON line.
func SignalsJSONL(r *Result) []byte {
	var b []byte
	for i := range r.Signals {
		b = append(r.Signals[i].AppendJSON(b), '\n')
	}
	return b
}

// maxHTMLTrades is how many trades report.html lists.
const maxHTMLTrades = 200

func pct(f float64) string           { return strconv.FormatFloat(f*100, 'f', 2, 64) + "%" }
func num(f float64) string           { return strconv.FormatFloat(f, 'f', 2, 64) }
func money(d decimal.Decimal) string { return d.StringFixed(2) }

// HTMLData maps a Result to the HTML report's input.
func HTMLData(r *Result) htmlreport.Data {
	quote := ""
	if len(r.Params.Symbols) > 0 {
		if i := strings.LastIndexByte(r.Params.Symbols[0], '-'); i >= 0 {
			quote = r.Params.Symbols[0][i+1:]
		}
	}
	var names []string
	for _, s := range r.Params.Strategies {
		names = append(names, s.Name)
	}
	d := htmlreport.Data{
		Title:       strings.Join(names, ", ") + " on " + strings.Join(r.Params.Symbols, ", "),
		Subtitle:    rfc(r.Params.From) + " to " + rfc(r.Params.To) + " (" + r.Params.Interval.String() + " bars)",
		Currency:    quote,
		Fingerprint: r.Fingerprint,
		TradesTotal: len(r.Trades),
		Costs: htmlreport.Costs{Fees: money(r.Costs.Fees), Slippage: money(r.Costs.Slippage),
			Total: money(r.Costs.Fees.Add(r.Costs.Slippage))},
	}
	for _, s := range r.Params.Strategies {
		for _, p := range s.Params {
			d.Params = append(d.Params, htmlreport.KV{Key: s.Name + "." + p.Name, Value: p.Value})
		}
	}
	pf := r.Params.Portfolio
	d.Params = append(d.Params,
		htmlreport.KV{Key: "initial cash", Value: pf.InitialCash},
		htmlreport.KV{Key: "fee bps (taker/maker)", Value: pf.FeeBps + " / " + pf.MakerFeeBps},
		htmlreport.KV{Key: "slippage bps", Value: pf.SlippageBps},
		htmlreport.KV{Key: "slippage range fraction", Value: pf.SlippageRangeFrac},
		htmlreport.KV{Key: "allow short", Value: strconv.FormatBool(pf.AllowShort)},
		htmlreport.KV{Key: "stop-loss / take-profit", Value: pf.StopLoss + " / " + pf.TakeProfit},
	)
	d.Metrics = metricRows(r.Metrics.Strategy, r.Metrics.Benchmark, true)
	for _, s := range r.Metrics.PerSymbol {
		d.PerSymbol = append(d.PerSymbol, htmlreport.SymbolMetrics{Symbol: s.Symbol, Metrics: []htmlreport.MetricRow{
			{Name: "return (buy & hold)", Strategy: "", Benchmark: pct(s.BuyHoldReturn)},
			{Name: "net PnL", Strategy: money(s.NetPnL)},
			{Name: "trades", Strategy: strconv.Itoa(s.Trades)},
			{Name: "win rate", Strategy: pct(s.WinRate)},
			{Name: "profit factor", Strategy: num(s.ProfitFactor)},
			{Name: "exposure", Strategy: pct(s.Exposure)},
			{Name: "fees", Strategy: money(s.FeesPaid)},
		}})
	}
	peak := 0.0
	for _, p := range r.Equity {
		e, bm := p.Equity.InexactFloat64(), p.Benchmark.InexactFloat64()
		d.Equity = append(d.Equity, htmlreport.Point{T: p.Time, V: e})
		d.Benchmark = append(d.Benchmark, htmlreport.Point{T: p.Time, V: bm})
		peak = max(peak, e)
		dd := 0.0
		if peak > 0 {
			dd = e/peak - 1
		}
		d.Drawdown = append(d.Drawdown, htmlreport.Point{T: p.Time, V: dd})
	}
	d.Monthly = monthly(r)
	for _, sp := range r.Prices {
		x := htmlreport.SymbolPrices{Symbol: sp.Symbol}
		for _, b := range sp.Bars {
			x.Bars = append(x.Bars, htmlreport.OHLC{T: b.Time, O: b.O, H: b.H, L: b.L, C: b.C})
		}
		for _, t := range r.Trades {
			if t.Symbol != sp.Symbol {
				continue
			}
			exitSide := "sell"
			if t.Side == "short" {
				exitSide = "buy"
			}
			x.Entries = append(x.Entries, htmlreport.Marker{T: t.EntryTime, Price: t.EntryPrice.InexactFloat64(), Side: t.Side})
			x.Exits = append(x.Exits, htmlreport.Marker{T: t.ExitTime, Price: t.ExitPrice.InexactFloat64(), Side: exitSide})
		}
		d.Prices = append(d.Prices, x)
	}
	for i, t := range r.Trades {
		if i == maxHTMLTrades {
			break
		}
		reason := strings.ReplaceAll(t.ExitReason, "_", "-")
		d.Trades = append(d.Trades, htmlreport.TradeRow{Symbol: t.Symbol, Side: t.Side, EntryTime: t.EntryTime,
			ExitTime: t.ExitTime, EntryPrice: t.EntryPrice.String(), ExitPrice: t.ExitPrice.String(),
			Qty: t.Quantity.String(), PnL: money(t.PnL), Return: pct(t.Return.InexactFloat64()),
			Fees: money(t.Fees), Reason: reason})
	}
	return d
}

// MetricRows formats the strategy's and the benchmark's metrics as table
// rows (name, strategy, benchmark), in display order; trade measures are
// included when trades is true. The CLI's summary table uses it too.
func MetricRows(m Metrics) [][3]string {
	var out [][3]string
	for _, r := range metricRows(m.Strategy, m.Benchmark, true) {
		out = append(out, [3]string{r.Name, r.Strategy, r.Benchmark})
	}
	return out
}

func metricRows(s, b Stats, trades bool) []htmlreport.MetricRow {
	rows := []htmlreport.MetricRow{
		{Name: "final equity", Strategy: money(s.FinalEquity), Benchmark: money(b.FinalEquity)},
		{Name: "total return", Strategy: pct(s.TotalReturn), Benchmark: pct(b.TotalReturn)},
		{Name: "CAGR", Strategy: pct(s.CAGR), Benchmark: pct(b.CAGR)},
		{Name: "volatility (ann.)", Strategy: pct(s.Volatility), Benchmark: pct(b.Volatility)},
		{Name: "Sharpe", Strategy: num(s.Sharpe), Benchmark: num(b.Sharpe)},
		{Name: "Sortino", Strategy: num(s.Sortino), Benchmark: num(b.Sortino)},
		{Name: "Calmar", Strategy: num(s.Calmar), Benchmark: num(b.Calmar)},
		{Name: "max drawdown", Strategy: pct(s.MaxDrawdown), Benchmark: pct(b.MaxDrawdown)},
		{Name: "max drawdown duration", Strategy: time.Duration(s.MaxDrawdownDuration).String(),
			Benchmark: time.Duration(b.MaxDrawdownDuration).String()},
		{Name: "exposure", Strategy: pct(s.Exposure), Benchmark: "100.00%"},
	}
	if trades {
		rows = append(rows,
			htmlreport.MetricRow{Name: "trades", Strategy: strconv.Itoa(s.Trades), Benchmark: "-"},
			htmlreport.MetricRow{Name: "win rate", Strategy: pct(s.WinRate), Benchmark: "-"},
			htmlreport.MetricRow{Name: "profit factor", Strategy: num(s.ProfitFactor), Benchmark: "-"},
			htmlreport.MetricRow{Name: "expectancy", Strategy: money(s.Expectancy), Benchmark: "-"},
			htmlreport.MetricRow{Name: "average win / loss", Strategy: money(s.AvgWin) + " / " + money(s.AvgLoss), Benchmark: "-"},
			htmlreport.MetricRow{Name: "turnover", Strategy: num(s.Turnover), Benchmark: "-"},
			htmlreport.MetricRow{Name: "fees paid", Strategy: money(s.FeesPaid), Benchmark: "0.00"},
		)
	}
	return rows
}

// monthly returns the strategy's return per calendar month (UTC): the
// month's last equity over the previous month's last (the initial equity
// for the first month), minus one.
func monthly(r *Result) []htmlreport.MonthReturn {
	var out []htmlreport.MonthReturn
	prev := r.Metrics.Strategy.InitialEquity.InexactFloat64()
	for i, p := range r.Equity {
		t := p.Time.UTC().Add(-time.Nanosecond) // a close at 00:00 belongs to the month before
		last := i+1 == len(r.Equity)
		if !last {
			nt := r.Equity[i+1].Time.UTC().Add(-time.Nanosecond)
			last = nt.Year() != t.Year() || nt.Month() != t.Month()
		}
		if !last {
			continue
		}
		e := p.Equity.InexactFloat64()
		ret := 0.0
		if prev != 0 {
			ret = e/prev - 1
		}
		out = append(out, htmlreport.MonthReturn{Year: t.Year(), Month: t.Month(), Return: ret})
		prev = e
	}
	return out
}
