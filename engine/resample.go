package engine

import (
	"math"
	"strconv"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// minTime is the lastOpen of a series before its first bar: every valid
// bar's open time is after it.
const minTime = math.MinInt64

// mondayOffset is how far the first Monday 00:00 UTC (1970-01-05) lies after
// the Unix epoch (a Thursday): weekly buckets are aligned to it, as charts
// and exchanges align weeks.
const mondayOffset = int64(4 * 24 * time.Hour)

// series is the state of one (symbol, input interval).
type series struct {
	symbol   string // of the latest bar applied (equal to the first's)
	venue    string // of the latest bar applied
	iv       events.Interval
	lastOpen int64 // Unix ns of the last applied bar's open time; minTime before
	frames   []*frame
	runs     []*run
	excluded []string
}

// frame is one timeframe of a series: its resampler (for timeframes above the
// input interval), its closed-bar history and its indicators.
type frame struct {
	tf     events.Interval
	tfText string // tf.String(), for signal IDs
	input  bool   // tf is the series' input interval: bars pass through
	week   bool   // tf is whole weeks: buckets aligned to Monday

	// The forming bucket (resampled frames only).
	forming      bool
	bStart, bEnd int64 // Unix ns
	fOpen, fHigh events.Fixed
	fLow, fClose events.Fixed
	fVol         events.Fixed // exact sum while volExact
	fVolF        float64      // float sum once the exact sum overflowed (else 0)
	volExact     bool
	fCount       int64                // input bars in the bucket
	fv           strategies.BarValues // the forming bar, set by peekAll

	// Closed bars, a ring of hist entries; head is the latest.
	hist      int
	bars      []barRec
	head      int
	count     int
	lastClose events.Fixed // exact close of the latest closed bar

	inds   []*indState
	runs   []int  // indexes into series.runs of instances with OnBar here
	views  []view // views[j] is what runs[j] sees here: built once, so a call writes no pointers
	closed bool   // scratch: a bar closed in the current Apply
}

// indState is one shared indicator with its value history.
type indState struct {
	name  string // normalised spec
	ind   indicators.Indicator
	vr    indicators.ValuesReader // ind, when it has several outputs and implements it; else nil
	nOut  int
	hist  int
	vals  []float64 // ring of hist × nOut values; slot head is the latest
	head  int
	count int
	// Offsets in vals of the rows at head and one before it (set by
	// advance), for View.ValuePair.
	cur, prev int
	peek      []float64 // scratch for provisional evaluation
	peekOK    bool
}

// run is one strategy instance on one series.
type run struct {
	inst     int
	strat    strategies.Strategy
	stateful strategies.Stateful // nil unless strat implements it
	hist     int                 // bars and values back it may read
	frames   []int               // frames whose closed bars call OnBar
	needs    []needRef           // indexed like Needs.Indicators
	names    []string            // signal indicator names, in declared order
	seq      int                 // decisions in Apply number seqAt (ID input)
	seqAt    uint64              // the Apply seq counts in; an older one means 0
	warm     bool                // every indicator has been valid (a cache)
}

// needRef resolves one declared indicator: its frame, its indicator in the
// frame, and the indicator outputs the strategy's output indexes select.
type needRef struct {
	frame, ind int
	is         *indState // frames[frame].inds[ind]
	outs       []int
	// out holds outs inline when it has at most len(out) entries (nOut of
	// them; else nOut is 0): View.ValuePair reads it without following a
	// pointer.
	out  [3]int32
	nOut int
}

// bucketStart returns the start of the tf bucket holding t, all in Unix ns:
// a multiple of tf since the epoch (floor division, so times before 1970
// work too), or since the first Monday for weeks.
func bucketStart(t, tf int64, week bool) int64 {
	var off int64
	if week {
		off = mondayOffset
	}
	x := t - off
	q := x / tf
	if x%tf < 0 {
		q--
	}
	return q*tf + off
}

// addSat returns a+b saturated at MaxInt64 (a bucket end beyond 2262).
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}

// fixedFloat is f.Float64 (the float64 nearest to f) without its slow path:
// for a coefficient beyond 2^53 (volumes given with 17 digits are common)
// Float64 formats and parses the text, which costs an allocation and ~100
// ns. Here the quotient is computed in double-double arithmetic and checked
// against the exact residual; only when it lies too close to a rounding
// boundary to be sure does it fall back to parsing (in a stack buffer).
// The result equals Float64 bit for bit (TestFixedFloat).
func fixedFloat(f events.Fixed) float64 {
	c := f.Coef()
	if c <= 1<<53 && c >= -(1<<53) {
		return f.Float64()
	}
	sc := f.Scale()
	if sc == 0 {
		return float64(c) // Go rounds int64 to float64 to nearest even
	}
	hi := float64(c)
	if hi >= 0x1p63 || hi < -0x1p63 {
		return slowFixedFloat(f)
	}
	lo := float64(c - int64(hi)) // exact: |c - hi| <= 2^10
	p := pow10f[sc]
	q := hi / p
	r := math.FMA(-q, p, hi) // hi - q·p, exactly
	x := q + (r+lo)/p
	// Residual c - x·p: x·p = ph + pl exactly, hi - ph is exact (Sterbenz).
	ph := x * p
	pl := math.FMA(x, p, -ph)
	res := (hi - ph) - pl + lo
	ax := math.Abs(x)
	ulp := ax - math.Nextafter(ax, 0) // the smaller spacing around x
	if math.Abs(res) < 0.49*ulp*p {
		return x
	}
	return slowFixedFloat(f)
}

var pow10f = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

func slowFixedFloat(f events.Fixed) float64 {
	var buf [48]byte
	v, _ := strconv.ParseFloat(string(f.AppendText(buf[:0])), 64)
	return v
}

// begin starts the bucket holding the bar.
func (f *frame) begin(b *events.Bar, ot int64) {
	f.forming = true
	f.bStart = bucketStart(ot, int64(f.tf), f.week)
	f.bEnd = addSat(f.bStart, int64(f.tf))
	f.fOpen, f.fHigh, f.fLow, f.fClose = b.Open, b.High, b.Low, b.Close
	f.fVol, f.volExact, f.fVolF = b.Volume, true, 0
	f.fCount = 1
}

// merge adds a bar of the forming bucket.
func (f *frame) merge(b *events.Bar) {
	if b.High.Cmp(f.fHigh) > 0 {
		f.fHigh = b.High
	}
	if b.Low.Cmp(f.fLow) < 0 {
		f.fLow = b.Low
	}
	f.fClose = b.Close
	if !f.volExact {
		f.fVolF += fixedFloat(b.Volume)
	} else if sum, ok := f.fVol.Add(b.Volume); ok {
		f.fVol = sum
	} else {
		// The exact sum no longer fits a Fixed: go on in float64.
		f.fVolF = fixedFloat(f.fVol) + fixedFloat(b.Volume)
		f.volExact = false
	}
	f.fCount++
}

// formingValues returns the forming bar as strategies see it.
func (f *frame) formingValues() strategies.BarValues {
	v := f.fVolF
	if f.volExact {
		v = fixedFloat(f.fVol)
	}
	return strategies.BarValues{
		OpenTime:  time.Unix(0, f.bStart).UTC(),
		CloseTime: time.Unix(0, f.bEnd).UTC(),
		Open:      fixedFloat(f.fOpen), High: fixedFloat(f.fHigh), Low: fixedFloat(f.fLow),
		Close: fixedFloat(f.fClose), Volume: v,
	}
}

// closeForming emits the forming bar: history, then indicators.
func (f *frame) closeForming() {
	bv := f.formingValues()
	f.forming = false
	f.push(barRec{open: f.bStart, close: f.bEnd, o: bv.Open, h: bv.High, l: bv.Low, c: bv.Close, v: bv.Volume}, f.fClose)
	f.update(indicators.Input{Open: bv.Open, High: bv.High, Low: bv.Low, Close: bv.Close,
		Volume: bv.Volume, Time: f.bStart})
}

// barRec is a closed bar in a frame's history: strategies.BarValues with
// the times as Unix ns. It holds no pointers (a time.Time does), so writing
// one into the ring costs no write barrier while the GC is marking; the
// times come back identical (valid bars' times are UTC, whose time.Time
// has no location pointer and no monotonic reading).
type barRec struct {
	open, close   int64 // Unix ns
	o, h, l, c, v float64
}

// values returns the bar as strategies see it.
func (r *barRec) values() strategies.BarValues {
	return strategies.BarValues{OpenTime: unixUTC(r.open), CloseTime: unixUTC(r.close),
		Open: r.o, High: r.h, Low: r.l, Close: r.c, Volume: r.v}
}

// push appends a closed bar to the history.
func (f *frame) push(r barRec, close events.Fixed) {
	f.head++
	if f.head == f.hist {
		f.head = 0
	}
	f.bars[f.head] = r
	if f.count < f.hist {
		f.count++
	}
	f.lastClose = close
}

// bar returns the closed bar n back.
func (f *frame) bar(n int) (strategies.BarValues, bool) {
	if n >= f.count {
		return strategies.BarValues{}, false
	}
	i := f.head - n
	if i < 0 {
		i += f.hist
	}
	return f.bars[i].values(), true
}

// latestClose returns the close time (Unix ns) of the latest closed bar, or
// 0 before the first.
func (f *frame) latestClose() int64 {
	if f.count == 0 {
		return 0
	}
	return f.bars[f.head].close
}

// update feeds a closed bar to the frame's indicators and records their values.
func (f *frame) update(in indicators.Input) {
	for _, is := range f.inds {
		is.ind.Update(in)
		row := is.advance()
		if is.vr != nil {
			is.vr.Values(row) // one call rather than one per output
		} else {
			for o := range row {
				row[o] = is.ind.Value(o)
			}
		}
		if is.count < is.hist {
			is.count++
		}
	}
}

// peekAll evaluates the frame's indicators on the forming bar, and keeps the
// bar for the provisional view.
func (f *frame) peekAll() {
	bv := f.formingValues()
	f.fv = bv
	in := indicators.Input{Open: bv.Open, High: bv.High, Low: bv.Low, Close: bv.Close,
		Volume: bv.Volume, Time: f.bStart}
	for _, is := range f.inds {
		is.peekOK = is.ind.Peek(in, is.peek)
	}
}

// advance moves head to the next row of the ring and returns that row.
func (is *indState) advance() []float64 {
	is.head++
	if is.head == is.hist {
		is.head = 0
	}
	p := is.head - 1
	if p < 0 {
		p += is.hist
	}
	is.cur, is.prev = is.head*is.nOut, p*is.nOut
	return is.vals[is.cur : is.cur+is.nOut]
}

// value returns output o of the indicator n updates back.
func (is *indState) value(o, n int) (float64, bool) {
	if n >= is.count {
		return math.NaN(), false
	}
	i := is.head - n
	if i < 0 {
		i += is.hist
	}
	v := is.vals[i*is.nOut+o]
	return v, v-v == 0 // false for NaN and ±Inf
}

// step applies a validated, in-order bar to its series (see the package
// documentation for the order of events) and returns the signals.
func (c *Core) step(s *series, pos events.Position, b *events.Bar, ot int64, out []events.Signal) []events.Signal {
	ct := b.CloseTime.UnixNano()
	// Runs count their decisions per Apply (run.seq); rather than zeroing
	// every run's count here, emit resets a count from an earlier Apply.
	c.applies++
	// A gap: bars of buckets that ended before this bar are complete.
	for fi, f := range s.frames {
		if !f.input && f.forming && ot >= f.bEnd {
			f.closeForming()
			out = c.callFrame(s, fi, pos, false, out)
		}
	}
	var in indicators.Input
	haveIn := false
	for _, f := range s.frames {
		f.closed = false
		if f.input {
			if !haveIn {
				in = indicators.Input{Open: fixedFloat(b.Open), High: fixedFloat(b.High), Low: fixedFloat(b.Low),
					Close: fixedFloat(b.Close), Volume: fixedFloat(b.Volume), Time: ot}
				haveIn = true
			}
			f.push(barRec{open: ot, close: ct, o: in.Open, h: in.High, l: in.Low, c: in.Close, v: in.Volume}, b.Close)
			f.update(in)
			f.closed = true
			continue
		}
		if f.forming {
			f.merge(b)
		} else {
			f.begin(b, ot)
		}
		// A bar that ends at (or, unaligned, after) the bucket end completes it.
		if ct >= f.bEnd {
			f.closeForming()
			f.closed = true
		}
	}
	for fi, f := range s.frames {
		if f.closed && len(f.runs) > 0 {
			out = c.callFrame(s, fi, pos, false, out)
		}
	}
	if c.provisional {
		for fi, f := range s.frames {
			if !f.input && f.forming && len(f.runs) > 0 {
				f.peekAll()
				out = c.callFrame(s, fi, pos, true, out)
			}
		}
	}
	return out
}

// callFrame calls OnBar of every run on frame fi, in configuration order.
// The confirmed path, taken for every closed bar, is one loop with no call
// but OnBar's (and emit's for decisions): it runs about four times per bar
// in a typical configuration.
func (c *Core) callFrame(s *series, fi int, pos events.Position, prov bool, out []events.Signal) []events.Signal {
	f := s.frames[fi]
	if prov {
		for j := range f.views {
			out = c.callProvisional(&f.views[j], pos, out)
		}
		return out
	}
	for j := range f.views {
		v := &f.views[j]
		r := v.r
		if !r.warm && !warm(r) {
			continue
		}
		v.prov = false
		decs := r.strat.OnBar(v, c.decs[:0])
		for _, d := range decs {
			out = c.emit(v, pos, false, d, out)
		}
		// As in decide.
		if cap(decs) > cap(c.decs) {
			c.decs = decs[:0]
		}
	}
	return out
}

// warm reports whether every indicator of r is valid, and caches a true
// answer in r.warm: once valid, a streaming indicator stays valid (TA-Lib's
// lookback is a prefix), so the check stops once it passes. r.warm is a
// cache: a restored Core recomputes it.
func warm(r *run) bool {
	for _, nr := range r.needs {
		if !nr.is.ind.Ready() {
			return false
		}
	}
	r.warm = true
	return true
}

// callProvisional calls one strategy on the forming bar of frame v.fi
// (peeked values), if all its indicators are valid there, and turns its
// decisions into provisional signals.
func (c *Core) callProvisional(v *view, pos events.Position, out []events.Signal) []events.Signal {
	r := v.r
	for _, nr := range r.needs {
		is := nr.is
		if nr.frame == v.fi {
			if !is.peekOK {
				return out
			}
		} else if !is.ind.Ready() {
			return out
		}
	}
	if r.stateful == nil {
		return c.decide(v, pos, true, out)
	}
	// Provisional evaluation must not change state: put the strategy's own
	// state back afterwards. Only Stateful strategies keep any.
	saved, err := r.stateful.MarshalBinary()
	if err != nil {
		return out
	}
	out = c.decide(v, pos, true, out)
	_ = r.stateful.UnmarshalBinary(saved)
	return out
}

// decide calls OnBar with v, one of the frame's prebuilt views (setting
// only its flag: no pointer writes, so no write barriers, on this path), and
// turns the decisions into signals.
func (c *Core) decide(v *view, pos events.Position, prov bool, out []events.Signal) []events.Signal {
	v.prov = prov
	r := v.r
	decs := r.strat.OnBar(v, c.decs[:0])
	for _, d := range decs {
		out = c.emit(v, pos, prov, d, out)
	}
	// Keep the scratch only when OnBar grew it: storing the slice on every
	// call is a pointer write, which costs a write barrier whenever the GC
	// is marking (signal emission allocates, so it often is).
	if cap(decs) > cap(c.decs) {
		c.decs = decs[:0]
	}
	return out
}

// unixUTC returns the UTC time of Unix ns t.
func unixUTC(t int64) time.Time { return time.Unix(0, t).UTC() }
