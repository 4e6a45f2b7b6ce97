package indicators

import "math"

// CCI is Donald Lambert's Commodity Channel Index, TA-Lib TA_CCI:
// (tp - mean) / (0.015 * mean deviation) over the last period typical
// prices tp = (high+low+close)/3, 0 when either factor is 0.
//
// Cost: O(period) per update, like TA-Lib. The mean absolute deviation
// depends on every value's distance to the current mean, which moves with
// each input, so it cannot be maintained in O(1). The window is kept as
// TA-Lib keeps it, a circular buffer summed in physical slot order (input i
// goes to slot i mod period), because floating-point sums depend on their
// order and this order is what makes the results identical to TA-Lib's.
// Lookback period-1. Not safe for concurrent use.
type CCI struct {
	singleB
	period int
	buf    []float64 // the circular buffer, physical order
	idx    int       // slot of the next input
}

// NewCCI returns a CCI over period (2..100000).
func NewCCI(period int) (*CCI, error) {
	if err := checkPeriod("cci", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &CCI{period: period, buf: make([]float64, period)}
	x.initB(specName("cci", SourceClose, float64(period)), period-1)
	return x, nil
}

// calc is TA-Lib's CCI of the buffer with slot idx holding last.
func (x *CCI) calc(last float64) float64 {
	pf := float64(x.period)
	avg := 0.0
	for j, v := range x.buf {
		if j == x.idx {
			v = last
		}
		avg += v
	}
	avg /= pf
	dev := 0.0
	for j, v := range x.buf {
		if j == x.idx {
			v = last
		}
		dev += math.Abs(v - avg)
	}
	if d := last - avg; d != 0.0 && dev != 0.0 {
		return d / (0.015 * (dev / pf))
	}
	return 0.0
}

// Update implements Indicator.
func (x *CCI) Update(in Input) {
	tp := (in.High + in.Low + in.Close) / 3
	v := nan
	if x.nextReady() {
		v = x.calc(tp)
	}
	x.buf[x.idx] = tp
	if x.idx++; x.idx == x.period {
		x.idx = 0
	}
	x.commit(v)
}

// Peek implements Indicator.
func (x *CCI) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0] = nan
		return false
	}
	out[0] = x.calc((in.High + in.Low + in.Close) / 3)
	return true
}

// Reset implements Indicator.
func (x *CCI) Reset() {
	x.resetB()
	x.idx = 0
	clear(x.buf)
}

// MarshalBinary implements Indicator.
func (x *CCI) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.int(x.idx)
	for _, v := range x.buf {
		e.f64(v)
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *CCI) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.idx = d.int()
	if x.idx < 0 || x.idx >= x.period {
		d.fail("cci slot out of range")
	}
	for i := range x.buf {
		x.buf[i] = d.f64()
	}
	return d.finish()
}

// UltOsc is Larry Williams' Ultimate Oscillator, TA-Lib TA_ULTOSC. Periods
// are sorted as TA-Lib sorts them, so the weights 4, 2, 1 go to the
// shortest, middle and longest whatever the order given:
// 100 * (4*A1/B1 + 2*A2/B2 + A3/B3) / 7, where A sums close - min(low,
// previous close) and B sums the true range over each period (a term whose
// B is zero is left out). Running sums are primed and slid as TA-Lib does
// (add today, compute, subtract the trailing term). Lookback is the longest
// period. Not safe for concurrent use.
type UltOsc struct {
	singleB
	p         [3]int // shortest, middle, longest
	prevClose float64
	a, b      ring // terms of the last longest-period inputs
	at, bt    [3]float64
}

// NewUltOsc returns an UltOsc over the three periods (each 1..100000).
func NewUltOsc(p1, p2, p3 int) (*UltOsc, error) {
	for i, p := range []int{p1, p2, p3} {
		if err := checkPeriod("ultosc", "timeperiod"+string(rune('1'+i)), p, 1, 100000); err != nil {
			return nil, err
		}
	}
	// TA-Lib's selection sort: longest first.
	in := [3]int{p1, p2, p3}
	var used [3]bool
	var sorted [3]int
	for i := 0; i < 3; i++ {
		longest, li := 0, 0
		for j := 0; j < 3; j++ {
			if !used[j] && in[j] > longest {
				longest, li = in[j], j
			}
		}
		used[li] = true
		sorted[i] = longest
	}
	x := &UltOsc{p: [3]int{sorted[2], sorted[1], sorted[0]}}
	x.a, x.b = newRing(sorted[0]), newRing(sorted[0])
	x.initB(specName("ultosc", SourceClose, float64(p1), float64(p2), float64(p3)), sorted[0])
	return x, nil
}

// terms is TA-Lib's CALC_TERMS: close minus true low, and the true range.
func ultTermsB(in *Input, prevClose float64) (cmtl, tr float64) {
	trueLow := selB(in.Low < prevClose, in.Low, prevClose)
	return in.Close - trueLow, trueRangeB(in.High, in.Low, prevClose)
}

// output takes scalars, not the [3]float64 sums: arrays live in memory, and
// copying them per call stalled on store forwarding.
func ultOutputB(a0, a1, a2, b0, b1, b2 float64) float64 {
	out := 0.0
	if !isZeroB(b0) {
		out += 4.0 * (a0 / b0)
	}
	if !isZeroB(b1) {
		out += 2.0 * (a1 / b1)
	}
	if !isZeroB(b2) {
		out += a2 / b2
	}
	return 100.0 * (out / 7.0)
}

// Update implements Indicator.
func (x *UltOsc) Update(in Input) {
	t := x.t
	if t == 0 {
		x.prevClose = in.Close
		x.commit(nan)
		return
	}
	a, b := ultTermsB(&in, x.prevClose)
	x.prevClose = in.Close
	x.a.push(a)
	x.b.push(b)
	longest := x.p[2]
	if t < longest {
		for k, p := range x.p {
			if t >= longest-p+1 {
				x.at[k] += a
				x.bt[k] += b
			}
		}
		x.commit(nan)
		return
	}
	// The steady state on locals and ring slots: the same operations as
	// TA-Lib's loop (add today, compute, subtract the trailing terms).
	a0, a1, a2 := x.at[0]+a, x.at[1]+a, x.at[2]+a
	b0, b1, b2 := x.bt[0]+b, x.bt[1]+b, x.bt[2]+b
	v := ultOutputB(a0, a1, a2, b0, b1, b2)
	// back(p-1) of a full ring whose newest term is at slot head-1.
	abuf, bbuf, n := x.a.buf, x.b.buf, len(x.a.buf)
	slot := func(p int) int {
		j := x.a.head - p
		if j < 0 {
			j += n
		}
		return j
	}
	if x.a.full() && x.b.full() && x.a.head == x.b.head {
		j0, j1, j2 := slot(x.p[0]), slot(x.p[1]), slot(x.p[2])
		a0 -= abuf[j0]
		b0 -= bbuf[j0]
		a1 -= abuf[j1]
		b1 -= bbuf[j1]
		a2 -= abuf[j2]
		b2 -= bbuf[j2]
	} else {
		a0 -= x.a.back(x.p[0] - 1)
		b0 -= x.b.back(x.p[0] - 1)
		a1 -= x.a.back(x.p[1] - 1)
		b1 -= x.b.back(x.p[1] - 1)
		a2 -= x.a.back(x.p[2] - 1)
		b2 -= x.b.back(x.p[2] - 1)
	}
	x.at[0], x.at[1], x.at[2] = a0, a1, a2
	x.bt[0], x.bt[1], x.bt[2] = b0, b1, b2
	x.commit(v)
}

// Peek implements Indicator.
func (x *UltOsc) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0] = nan
		return false
	}
	a, b := ultTermsB(&in, x.prevClose)
	at, bt := x.at, x.bt
	for k := range at {
		at[k] += a
		bt[k] += b
	}
	out[0] = ultOutputB(at[0], at[1], at[2], bt[0], bt[1], bt[2])
	return true
}

// Reset implements Indicator.
func (x *UltOsc) Reset() {
	x.resetB()
	x.prevClose = 0
	x.a.reset()
	x.b.reset()
	x.at, x.bt = [3]float64{}, [3]float64{}
}

// MarshalBinary implements Indicator.
func (x *UltOsc) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.f64(x.prevClose)
	x.a.encode(e)
	x.b.encode(e)
	for k := range x.at {
		e.f64(x.at[k])
		e.f64(x.bt[k])
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *UltOsc) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.prevClose = d.f64()
	x.a.decode(d)
	x.b.decode(d)
	for k := range x.at {
		x.at[k] = d.f64()
		x.bt[k] = d.f64()
	}
	// Update reads back(period-1) of the rings once t reaches the longest
	// period: a snapshot must hold one term per input after the first.
	if want := max(x.t-1, 0); x.a.len() != want || x.b.len() != want {
		d.fail("ultosc terms do not match the input count")
	}
	return d.finish()
}

// BOP is Igor Livshin's Balance Of Power, TA-Lib TA_BOP:
// (close - open) / (high - low), 0 when high - low < 1e-14. Lookback 0.
// Not safe for concurrent use.
type BOP struct{ singleB }

// NewBOP returns a BOP.
func NewBOP() *BOP {
	x := &BOP{}
	x.initB(specName("bop", SourceClose), 0)
	return x
}

func bopB(in *Input) float64 {
	if r := in.High - in.Low; !(r < 0.00000000000001) {
		return (in.Close - in.Open) / r
	}
	return 0.0
}

// Update implements Indicator.
func (x *BOP) Update(in Input) { x.commit(bopB(&in)) }

// Peek implements Indicator.
func (x *BOP) Peek(in Input, out []float64) bool {
	out[0] = bopB(&in)
	return true
}

// Reset implements Indicator.
func (x *BOP) Reset() { x.resetB() }

// MarshalBinary implements Indicator.
func (x *BOP) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *BOP) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	return d.finish()
}

// SAR is Welles Wilder's Parabolic SAR, TA-Lib TA_SAR, mirrored operation
// for operation. The initial direction is TA-Lib's: short when the second
// bar has a positive -DM (its low fell below the first bar's by more than
// its high rose), long otherwise; the first SAR is then the first bar's low
// (long) or high (short) and the extreme point the second bar's high or low.
// An acceleration above the maximum is clamped to it, as TA-Lib does.
// Lookback 1. Not safe for concurrent use.
type SAR struct {
	singleB
	core sarCoreB
}

// sarCoreB is SAR's state; Peek steps a copy of it.
type sarCoreB struct {
	accel, max float64 // acceleration after clamping, maximum
	long       bool
	af, ep     float64
	sar        float64
	high, low  float64 // the previous bar (TA-Lib's newHigh/newLow)
}

// NewSAR returns a SAR with acceleration factor step acceleration and cap
// maximum (both 0..3e37, TA-Lib's range).
func NewSAR(acceleration, maximum float64) (*SAR, error) {
	if err := checkRange("sar", "acceleration", acceleration, 0, 3e37); err != nil {
		return nil, err
	}
	if err := checkRange("sar", "maximum", maximum, 0, 3e37); err != nil {
		return nil, err
	}
	x := &SAR{core: sarCoreB{accel: acceleration, max: maximum}}
	if x.core.accel > x.core.max {
		x.core.accel = x.core.max
	}
	x.initB(specName("sar", SourceClose, acceleration, maximum), 1)
	x.Reset()
	return x, nil
}

// next advances the state over input t (saturating index) and returns the
// SAR output for it.
func (x *sarCoreB) next(t int, in *Input) float64 {
	if t == 0 {
		x.high, x.low = in.High, in.Low
		return nan
	}
	prevHigh, prevLow := x.high, x.low
	if t == 1 {
		// TA-Lib: MINUS_DM(1) of the first two bars picks the direction.
		diffP := in.High - x.high
		diffM := x.low - in.Low
		x.long = !(diffM > 0 && diffP < diffM)
		if x.long {
			x.ep, x.sar = in.High, x.low
		} else {
			x.ep, x.sar = in.Low, x.high
		}
		prevHigh, prevLow = in.High, in.Low
	}
	newHigh, newLow := in.High, in.Low
	x.high, x.low = newHigh, newLow
	var out float64
	if x.long {
		if newLow <= x.sar {
			x.long = false
			x.sar = x.ep
			if x.sar < prevHigh {
				x.sar = prevHigh
			}
			if x.sar < newHigh {
				x.sar = newHigh
			}
			out = x.sar
			x.af = x.accel
			x.ep = newLow
			x.sar = x.sar + x.af*(x.ep-x.sar)
			if x.sar < prevHigh {
				x.sar = prevHigh
			}
			if x.sar < newHigh {
				x.sar = newHigh
			}
		} else {
			out = x.sar
			if newHigh > x.ep {
				x.ep = newHigh
				x.af += x.accel
				if x.af > x.max {
					x.af = x.max
				}
			}
			x.sar = x.sar + x.af*(x.ep-x.sar)
			if x.sar > prevLow {
				x.sar = prevLow
			}
			if x.sar > newLow {
				x.sar = newLow
			}
		}
	} else {
		if newHigh >= x.sar {
			x.long = true
			x.sar = x.ep
			if x.sar > prevLow {
				x.sar = prevLow
			}
			if x.sar > newLow {
				x.sar = newLow
			}
			out = x.sar
			x.af = x.accel
			x.ep = newHigh
			x.sar = x.sar + x.af*(x.ep-x.sar)
			if x.sar > prevLow {
				x.sar = prevLow
			}
			if x.sar > newLow {
				x.sar = newLow
			}
		} else {
			out = x.sar
			if newLow < x.ep {
				x.ep = newLow
				x.af += x.accel
				if x.af > x.max {
					x.af = x.max
				}
			}
			x.sar = x.sar + x.af*(x.ep-x.sar)
			if x.sar < prevHigh {
				x.sar = prevHigh
			}
			if x.sar < newHigh {
				x.sar = newHigh
			}
		}
	}
	return out
}

// Update implements Indicator.
func (x *SAR) Update(in Input) { x.commit(x.core.next(x.t, &in)) }

// Peek implements Indicator.
func (x *SAR) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(c.next(x.t, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *SAR) Reset() {
	x.resetB()
	c := &x.core
	c.long, c.af, c.ep, c.sar, c.high, c.low = false, c.accel, 0, 0, 0, 0
}

// MarshalBinary implements Indicator.
func (x *SAR) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	c := &x.core
	e.bool(c.long)
	e.f64(c.af)
	e.f64(c.ep)
	e.f64(c.sar)
	e.f64(c.high)
	e.f64(c.low)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *SAR) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	c := &x.core
	c.long = d.bool()
	c.af = d.f64()
	c.ep = d.f64()
	c.sar = d.f64()
	c.high = d.f64()
	c.low = d.f64()
	return d.finish()
}
