package htmlreport

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

// Write renders d as one self-contained HTML document and writes it to w in
// a single call, so a chart error leaves w untouched. Equal Data gives
// byte-identical output. It returns a [*ChartError] (wrapping [ErrRender])
// when a chart cannot be drawn, or the error of w.
//
// Write is safe for concurrent use; it does not retain d or w.
func Write(w io.Writer, d Data) error {
	v, err := buildView(&d)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return fmt.Errorf("htmlreport: execute template: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("htmlreport: write: %w", err)
	}
	return nil
}

type view struct {
	*Data
	Charts     []htmlChart
	Monthly    *monthTable
	TradeRows  []tradeView
	TradesNote string
	HasCosts   bool
	MonthNames []string
	// Downsampled is true when any line was drawn with fewer points than given.
	Downsampled   bool
	MaxLinePoints int
}

type htmlChart struct {
	ID, Caption, Note string
	SVG               template.HTML
	Legend            []legendView
}

type legendView struct {
	Symbol, Label string
	Style         template.CSS
}

type tradeView struct {
	TradeRow
	N          int
	Entry      string
	Exit       string
	Loss, Gain bool
}

type monthTable struct {
	Years []monthYear
}

type monthYear struct {
	Year  int
	Cells [13]monthCell // Jan..Dec, then the year compounded
}

type monthCell struct {
	Text  string
	Style template.CSS
	Class string
}

func buildView(d *Data) (*view, error) {
	v := &view{Data: d, MaxLinePoints: MaxLinePoints}
	for m := time.January; m <= time.December; m++ {
		v.MonthNames = append(v.MonthNames, m.String()[:3])
	}
	v.Downsampled = len(d.Equity) > MaxLinePoints || len(d.Benchmark) > MaxLinePoints ||
		len(d.Drawdown) > MaxLinePoints || len(d.Drawdown) == 0 && len(d.Equity) > MaxLinePoints
	for _, p := range d.Prices {
		v.Downsampled = v.Downsampled || len(p.Bars) > MaxLinePoints
	}
	add := func(c chart, err error) error {
		if err != nil {
			return err
		}
		// The SVG comes from gonum's writer, which escapes all text it
		// draws (html.EscapeString), so it is trusted markup here.
		hc := htmlChart{ID: c.ID, Caption: c.Caption, Note: c.Note, SVG: template.HTML(c.SVG)}
		for _, l := range c.Legend {
			// Colours come from this package's palette, never from Data.
			hc.Legend = append(hc.Legend, legendView{Symbol: l.Symbol, Label: l.Label, Style: template.CSS("color:" + l.Color)})
		}
		v.Charts = append(v.Charts, hc)
		return nil
	}
	if err := add(equityChart(d)); err != nil {
		return nil, err
	}
	if err := add(drawdownChart(d)); err != nil {
		return nil, err
	}
	for i := range d.Prices {
		if err := add(priceChart(i, &d.Prices[i])); err != nil {
			return nil, err
		}
	}
	v.Monthly = buildMonthly(d.Monthly)
	for i, t := range d.Trades {
		tv := tradeView{TradeRow: t, N: i + 1, Entry: fmtTime(t.EntryTime), Exit: fmtTime(t.ExitTime)}
		pnl := strings.TrimSpace(t.PnL)
		tv.Loss = strings.HasPrefix(pnl, "-")
		tv.Gain = !tv.Loss && pnl != "" && strings.Trim(pnl, "+0.,") != ""
		v.TradeRows = append(v.TradeRows, tv)
	}
	if d.TradesTotal > len(d.Trades) {
		v.TradesNote = fmt.Sprintf("showing the first %d of %d trades", len(d.Trades), d.TradesTotal)
	}
	v.HasCosts = d.Costs != (Costs{})
	return v, nil
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// buildMonthly lays the monthly returns out as a year-by-month heatmap.
// Colour intensity scales with |return| against the largest month shown,
// capped so that one outlier does not wash out every other cell.
func buildMonthly(ms []MonthReturn) *monthTable {
	if len(ms) == 0 {
		return nil
	}
	var years []int
	idx := map[int]int{} // lookup only; output order comes from years
	maxAbs := 0.0
	for _, m := range ms {
		if m.Month < time.January || m.Month > time.December || !finite(m.Return) {
			continue
		}
		if _, ok := idx[m.Year]; !ok {
			idx[m.Year] = len(years)
			years = append(years, m.Year)
		}
		maxAbs = math.Max(maxAbs, math.Abs(m.Return))
	}
	if len(years) == 0 {
		return nil
	}
	sortInts(years)
	for i, y := range years {
		idx[y] = i
	}
	t := &monthTable{Years: make([]monthYear, len(years))}
	compound := make([]float64, len(years))
	seen := make([]bool, len(years))
	for i := range compound {
		t.Years[i].Year = years[i]
		compound[i] = 1
	}
	for _, m := range ms {
		if m.Month < time.January || m.Month > time.December || !finite(m.Return) {
			continue
		}
		i := idx[m.Year]
		t.Years[i].Cells[m.Month-1] = cell(m.Return, maxAbs)
		compound[i] *= 1 + m.Return
		seen[i] = true
	}
	for i := range years {
		if seen[i] {
			r := compound[i] - 1
			c := cell(r, math.Max(maxAbs, math.Abs(r)))
			c.Class = "year"
			t.Years[i].Cells[12] = c
		}
	}
	return t
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func cell(r, maxAbs float64) monthCell {
	c := monthCell{Text: fmt.Sprintf("%+.1f%%", r*100)}
	if maxAbs <= 0 {
		return c
	}
	k := math.Min(math.Abs(r)/maxAbs, 1)
	// Blend from white towards green (gain) or red (loss).
	base := [3]float64{0x1a, 0x9c, 0x3c}
	if r < 0 {
		base = [3]float64{0xd6, 0x27, 0x28}
	}
	mix := func(ch float64) int { return int(math.Round(255 + (ch-255)*k*0.75)) }
	c.Style = template.CSS(fmt.Sprintf("background:#%02x%02x%02x", mix(base[0]), mix(base[1]), mix(base[2])))
	return c
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"dash": func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	},
}).Parse(pageTemplate))
