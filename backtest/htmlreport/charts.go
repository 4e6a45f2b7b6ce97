package htmlreport

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Size limits. They bound the report size whatever the length of the run.
const (
	// MaxLinePoints is the most points a line is drawn with; longer series
	// are downsampled to about this many (min/max per bucket).
	MaxLinePoints = 1600
	// MaxMarkers is the most entry (and, separately, exit) markers drawn per
	// symbol; more are thinned evenly.
	MaxMarkers = 1500
)

const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 3.4 * vg.Inch
)

var (
	colStrategy  = color.RGBA{R: 0x1f, G: 0x5f, B: 0xbf, A: 0xff}
	colBenchmark = color.RGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
	colDDLine    = color.RGBA{R: 0xc0, G: 0x39, B: 0x2b, A: 0xff}
	colDDFill    = color.RGBA{R: 0xf4, G: 0xc2, B: 0xbd, A: 0xff}
	colPrice     = color.RGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	colBuy       = color.RGBA{R: 0x1a, G: 0x9c, B: 0x3c, A: 0xff}
	colSell      = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	colExit      = color.RGBA{R: 0xe0, G: 0x8a, B: 0x00, A: 0xff}
	colGrid      = color.RGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff}
)

// chart is one rendered SVG with its caption.
type chart struct {
	ID      string
	Caption string
	Note    string
	SVG     []byte
	Legend  []legendItem
}

// legendItem is one key of a chart's legend. Legends are HTML under the
// chart rather than gonum's, which is drawn inside the plot area over the data.
type legendItem struct {
	Symbol string // a glyph standing for the line or marker: "━", "▲", ...
	Color  string // CSS colour of the symbol, "#rrggbb"
	Label  string
}

func cssColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// render draws p to an inline SVG element, recovering a panic from the
// plotting library into a *ChartError.
func render(name string, p *plot.Plot) (svg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &ChartError{Chart: name, Err: fmt.Errorf("%w: panic: %v", ErrRender, r)}
		}
	}()
	c := vgsvg.New(chartWidth, chartHeight)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, &ChartError{Chart: name, Err: fmt.Errorf("%w: %w", ErrRender, err)}
	}
	return inlineSVG(buf.Bytes()), nil
}

// inlineSVG turns a standalone SVG document into an element for HTML: the
// XML prologue goes, and the fixed point size makes way for a class so the
// chart scales with the page (the viewBox keeps its proportions).
func inlineSVG(doc []byte) []byte {
	s := string(doc)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	if end := strings.Index(s, ">"); end > 0 {
		head := s[:end]
		if w := strings.Index(head, ` width="`); w >= 0 {
			if vb := strings.Index(head, ` viewBox="`); vb > w {
				head = head[:w] + ` class="chart" role="img"` + head[vb:]
			}
		}
		s = head + s[end:]
	}
	return []byte(s)
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Tick.Marker = timeTicker{}
	p.X.Padding, p.Y.Padding = 0, 0
	p.Add(&plotter.Grid{
		Vertical:   draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)},
		Horizontal: draw.LineStyle{Color: colGrid, Width: vg.Points(0.5)},
	})
	return p
}

// padY leaves a margin above and below the data so that lines and markers
// at the extremes are not cut by the frame (gonum fits the axes tightly).
func padY(p *plot.Plot, top bool) {
	span := p.Y.Max - p.Y.Min
	if !finite(span) || span <= 0 {
		return
	}
	p.Y.Min -= 0.04 * span
	if top {
		p.Y.Max += 0.04 * span
	}
}

func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// xys converts points to plot coordinates, dropping non-finite values.
func xys(pts []Point, scale float64) plotter.XYs {
	out := make(plotter.XYs, 0, len(pts))
	for _, p := range pts {
		if v := p.V * scale; finite(v) {
			out = append(out, plotter.XY{X: unixSeconds(p.T), Y: v})
		}
	}
	return out
}

// downsample keeps at most limit points: the series is cut into limit/2
// buckets and each keeps its lowest and highest point in their original
// order, plus the very first and last points. Extremes matter more than
// averages on a trading chart: a smoothed drawdown would hide the trough.
func downsample(in plotter.XYs, limit int) plotter.XYs {
	n := len(in)
	if n <= limit || limit < 4 {
		return in
	}
	buckets := (limit - 2) / 2
	out := make(plotter.XYs, 0, 2*buckets+2)
	out = append(out, in[0])
	for b := range buckets {
		lo := 1 + b*(n-2)/buckets
		hi := 1 + (b+1)*(n-2)/buckets
		if lo >= hi {
			continue
		}
		iMin, iMax := lo, lo
		for i := lo + 1; i < hi; i++ {
			if in[i].Y < in[iMin].Y {
				iMin = i
			}
			if in[i].Y > in[iMax].Y {
				iMax = i
			}
		}
		first, second := min(iMin, iMax), max(iMin, iMax)
		out = append(out, in[first])
		if second != first {
			out = append(out, in[second])
		}
	}
	return append(out, in[n-1])
}

func addLine(p *plot.Plot, pts plotter.XYs, col color.Color, width vg.Length) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(downsample(pts, MaxLinePoints))
	if err != nil {
		return err
	}
	l.Color = col
	l.Width = width
	p.Add(l)
	return nil
}

func equityChart(d *Data) (chart, error) {
	strat, bench := xys(d.Equity, 1), xys(d.Benchmark, 1)
	title := "Equity vs buy-and-hold"
	if len(strat) == 0 && len(bench) == 0 {
		title += " (no data)"
	}
	p := newPlot(title)
	p.Y.Label.Text = "equity"
	if d.Currency != "" {
		p.Y.Label.Text += " (" + d.Currency + ")"
	}
	p.Y.Tick.Marker = numTicker{}
	// Solid, not dashed: a dash pattern breaks up on a dense, jagged curve.
	if err := addLine(p, bench, colBenchmark, vg.Points(1.2)); err != nil {
		return chart{}, &ChartError{Chart: "equity", Err: fmt.Errorf("%w: %w", ErrRender, err)}
	}
	if err := addLine(p, strat, colStrategy, vg.Points(1.5)); err != nil {
		return chart{}, &ChartError{Chart: "equity", Err: fmt.Errorf("%w: %w", ErrRender, err)}
	}
	padY(p, true)
	svg, err := render("equity", p)
	c := chart{ID: "equity", Caption: "Equity vs benchmark", SVG: svg}
	if len(strat) > 0 {
		c.Legend = append(c.Legend, legendItem{Symbol: "━", Color: cssColor(colStrategy), Label: "strategy"})
	}
	if len(bench) > 0 {
		c.Legend = append(c.Legend, legendItem{Symbol: "━", Color: cssColor(colBenchmark), Label: "buy & hold"})
	}
	return c, err
}

// drawdownFrom computes the drawdown of an equity curve as a fraction <= 0.
func drawdownFrom(eq []Point) []Point {
	out := make([]Point, 0, len(eq))
	peak := math.Inf(-1)
	for _, p := range eq {
		if !finite(p.V) {
			continue
		}
		peak = math.Max(peak, p.V)
		dd := 0.0
		if peak > 0 {
			dd = p.V/peak - 1
		}
		out = append(out, Point{T: p.T, V: dd})
	}
	return out
}

func drawdownChart(d *Data) (chart, error) {
	src := d.Drawdown
	if len(src) == 0 {
		src = drawdownFrom(d.Equity)
	}
	pts := downsample(xys(src, 100), MaxLinePoints)
	title := "Drawdown"
	if len(pts) == 0 {
		title += " (no data)"
	} else {
		worst := 0.0
		for _, p := range pts {
			worst = math.Min(worst, p.Y)
		}
		title += fmt.Sprintf(" (max %.2f%%)", worst)
	}
	p := newPlot(title)
	p.Y.Label.Text = "drawdown"
	p.Y.Tick.Marker = numTicker{suffix: "%"}
	if len(pts) > 0 {
		// A polygon from the zero line down to the curve: plotter.Line's
		// fill would run to the bottom of the axis instead.
		poly := make(plotter.XYs, 0, len(pts)+2)
		poly = append(poly, plotter.XY{X: pts[0].X, Y: 0})
		poly = append(poly, pts...)
		poly = append(poly, plotter.XY{X: pts[len(pts)-1].X, Y: 0})
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return chart{}, &ChartError{Chart: "drawdown", Err: fmt.Errorf("%w: %w", ErrRender, err)}
		}
		pg.Color = colDDFill
		pg.LineStyle.Width = 0
		p.Add(pg)
		if err := addLine(p, pts, colDDLine, vg.Points(1)); err != nil {
			return chart{}, &ChartError{Chart: "drawdown", Err: fmt.Errorf("%w: %w", ErrRender, err)}
		}
		p.Y.Max = math.Max(p.Y.Max, 0)
		padY(p, false)
	}
	svg, err := render("drawdown", p)
	return chart{ID: "drawdown", Caption: "Drawdown", SVG: svg}, err
}

// thin keeps at most limit markers, evenly spaced over the input.
func thin(ms []Marker, limit int) []Marker {
	if len(ms) <= limit {
		return ms
	}
	out := make([]Marker, 0, limit)
	for i := range limit {
		out = append(out, ms[i*len(ms)/limit])
	}
	return out
}

func isSell(side string) bool {
	switch strings.ToLower(side) {
	case "sell", "short":
		return true
	}
	return false
}

func scatter(ms []Marker, keep func(Marker) bool) plotter.XYs {
	out := make(plotter.XYs, 0, len(ms))
	for _, m := range ms {
		if keep(m) && finite(m.Price) {
			out = append(out, plotter.XY{X: unixSeconds(m.T), Y: m.Price})
		}
	}
	return out
}

// downTriangle is a filled triangle pointing down: a sell.
type downTriangle struct{}

func (downTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.2
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y - r})
	p.Line(vg.Point{X: pt.X - r*0.866, Y: pt.Y + r/2})
	p.Line(vg.Point{X: pt.X + r*0.866, Y: pt.Y + r/2})
	p.Close()
	c.Fill(p)
}

// upTriangle is a filled triangle pointing up: a buy.
type upTriangle struct{}

func (upTriangle) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.2
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y + r})
	p.Line(vg.Point{X: pt.X - r*0.866, Y: pt.Y - r/2})
	p.Line(vg.Point{X: pt.X + r*0.866, Y: pt.Y - r/2})
	p.Close()
	c.Fill(p)
}

// ring is an exit: a hollow circle with a thick rim, visible over the price
// line where gonum's hairline RingGlyph is not, and hollow so that an entry
// on the same bar shows through.
type ring struct{}

func (ring) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.3
	var p vg.Path
	p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
	p.Arc(pt, r, 0, 2*math.Pi)
	p.Close()
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.5)})
	c.Stroke(p)
}

func addMarkers(p *plot.Plot, pts plotter.XYs, glyph draw.GlyphDrawer, col color.RGBA) error {
	if len(pts) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: glyph}
	p.Add(s)
	return nil
}

func priceChart(i int, sp *SymbolPrices) (chart, error) {
	name := "price " + sp.Symbol
	closes := make(plotter.XYs, 0, len(sp.Bars))
	for _, b := range sp.Bars {
		if finite(b.C) {
			closes = append(closes, plotter.XY{X: unixSeconds(b.T), Y: b.C})
		}
	}
	title := sp.Symbol + " close"
	if len(closes) == 0 {
		title += " (no data)"
	}
	p := newPlot(title)
	p.Y.Label.Text = "price"
	p.Y.Tick.Marker = numTicker{}
	fail := func(err error) (chart, error) {
		return chart{}, &ChartError{Chart: name, Err: fmt.Errorf("%w: %w", ErrRender, err)}
	}
	if err := addLine(p, closes, colPrice, vg.Points(1)); err != nil {
		return fail(err)
	}
	entries, exits := thin(sp.Entries, MaxMarkers), thin(sp.Exits, MaxMarkers)
	buy := func(m Marker) bool { return !isSell(m.Side) }
	sell := func(m Marker) bool { return isSell(m.Side) }
	all := func(Marker) bool { return true }
	c := chart{ID: fmt.Sprintf("price-%d", i), Caption: sp.Symbol}
	if len(closes) > 0 {
		c.Legend = append(c.Legend, legendItem{Symbol: "━", Color: cssColor(colPrice), Label: "close"})
	}
	longs, shorts, outs := scatter(entries, buy), scatter(entries, sell), scatter(exits, all)
	// Exits first: a reversal exits and enters on the same bar, and the
	// entry's triangle must stay visible inside the exit's ring.
	if err := addMarkers(p, outs, ring{}, colExit); err != nil {
		return fail(err)
	}
	if err := addMarkers(p, longs, upTriangle{}, colBuy); err != nil {
		return fail(err)
	}
	if err := addMarkers(p, shorts, downTriangle{}, colSell); err != nil {
		return fail(err)
	}
	for _, k := range []struct {
		n             int
		symbol, label string
		col           color.RGBA
	}{{len(longs), "▲", "entry long", colBuy}, {len(shorts), "▼", "entry short", colSell}, {len(outs), "◯", "exit", colExit}} {
		if k.n > 0 {
			c.Legend = append(c.Legend, legendItem{Symbol: k.symbol, Color: cssColor(k.col), Label: k.label})
		}
	}
	if len(entries) < len(sp.Entries) || len(exits) < len(sp.Exits) {
		c.Note = fmt.Sprintf("markers thinned: %d of %d entries, %d of %d exits shown",
			len(entries), len(sp.Entries), len(exits), len(sp.Exits))
	}
	padY(p, true)
	svg, err := render(name, p)
	c.SVG = svg
	return c, err
}

// numTicker puts about five labelled ticks on "nice" steps (1, 2, 2.5 or 5
// times a power of ten), with thousands separators and an optional unit
// suffix, so equity reads "12,500" rather than gonum's "1.25e+04" and a
// drawdown axis reads -5%, -10% rather than -9%, -18%.
type numTicker struct{ suffix string }

const maxNumTicks = 200

func (n numTicker) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !finite(lo) || !finite(hi) || !finite(span) || span <= 0 {
		return nil
	}
	rough := span / 5
	mag := math.Pow(10, math.Floor(math.Log10(rough)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= rough {
			step = m * mag
			break
		}
	}
	if !finite(step) || step <= 0 {
		return nil
	}
	decimals := 0
	if step < 1 {
		decimals = min(int(math.Ceil(-math.Log10(step)-1e-9)), 12)
		if math.Abs(step*math.Pow(10, float64(decimals))-math.Round(step*math.Pow(10, float64(decimals)))) > 1e-6 {
			decimals++ // 0.25 needs two places, not one
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step) * step
	for i := 0; i < maxNumTicks; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: groupThousands(v, decimals) + n.suffix})
		// An unlabelled minor tick halfway to the next one.
		if half := v + step/2; half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	if half := first - step/2; half >= lo {
		ticks = append(ticks, plot.Tick{Value: half})
	}
	return ticks
}

func groupThousands(v float64, decimals int) string {
	s := fmt.Sprintf("%.*f", decimals, v)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		s = s[1:]
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteString(frac)
	return b.String()
}

// timeTicker puts ticks on calendar boundaries in UTC (midnight, the first
// of a month, New Year) rather than on round numbers of Unix seconds, and
// picks the label format from the step.
type timeTicker struct{}

type timeStep struct {
	d      time.Duration // fixed steps
	months int           // calendar steps; d is 0
	format string
}

var timeSteps = [...]timeStep{
	{d: time.Minute, format: "15:04"},
	{d: 5 * time.Minute, format: "15:04"},
	{d: 15 * time.Minute, format: "15:04"},
	{d: time.Hour, format: "01-02 15:04"},
	{d: 3 * time.Hour, format: "01-02 15:04"},
	{d: 6 * time.Hour, format: "01-02 15:04"},
	{d: 12 * time.Hour, format: "01-02 15:04"},
	{d: 24 * time.Hour, format: "2006-01-02"},
	{d: 2 * 24 * time.Hour, format: "2006-01-02"},
	{d: 7 * 24 * time.Hour, format: "2006-01-02"},
	{d: 14 * 24 * time.Hour, format: "2006-01-02"},
	{months: 1, format: "2006-01"},
	{months: 2, format: "2006-01"},
	{months: 3, format: "2006-01"},
	{months: 6, format: "2006-01"},
	{months: 12, format: "2006"},
	{months: 24, format: "2006"},
	{months: 60, format: "2006"},
	{months: 120, format: "2006"},
	{months: 600, format: "2006"},
}

const maxTimeTicks = 9

func (timeTicker) Ticks(lo, hi float64) []plot.Tick {
	if !finite(lo) || !finite(hi) || hi <= lo || hi-lo > 1e12 {
		return nil
	}
	span := time.Duration((hi - lo) * float64(time.Second))
	tLo := time.Unix(int64(math.Ceil(lo)), 0).UTC()
	tHi := time.Unix(int64(math.Floor(hi)), 0).UTC()
	for _, st := range timeSteps {
		approx := st.d
		if st.months > 0 {
			approx = time.Duration(st.months) * 30 * 24 * time.Hour
		}
		if span/approx+1 > maxTimeTicks {
			continue
		}
		var ticks []plot.Tick
		for t := firstTick(tLo, st); !t.After(tHi); t = nextTick(t, st) {
			ticks = append(ticks, plot.Tick{Value: float64(t.Unix()), Label: t.Format(st.format)})
			if len(ticks) > 2*maxTimeTicks {
				break
			}
		}
		if len(ticks) >= 2 || st.months == 600 {
			return ticks
		}
	}
	// A span too short for any calendar step: label both ends.
	return []plot.Tick{
		{Value: lo, Label: tLo.Format("01-02 15:04:05")},
		{Value: hi, Label: tHi.Format("01-02 15:04:05")},
	}
}

func firstTick(t time.Time, st timeStep) time.Time {
	if st.months == 0 {
		if st.d >= 24*time.Hour {
			day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			if day.Before(t) {
				day = day.AddDate(0, 0, 1)
			}
			return day
		}
		return t.Add(st.d - 1).Truncate(st.d)
	}
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Before(t) {
		m = m.AddDate(0, 1, 0)
	}
	for (int(m.Month())-1+12*m.Year())%st.months != 0 {
		m = m.AddDate(0, 1, 0)
	}
	return m
}

func nextTick(t time.Time, st timeStep) time.Time {
	if st.months == 0 {
		return t.Add(st.d)
	}
	return t.AddDate(0, st.months, 0)
}
