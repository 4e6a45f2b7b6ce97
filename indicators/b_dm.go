package indicators

import "math"

// Welles Wilder's directional movement family (New Concepts in Technical
// Trading Systems, 1978) as TA-Lib computes it: ADX, ADXR, DX, PLUS_DI,
// MINUS_DI, PLUS_DM and MINUS_DM share one state, dmCoreB, which mirrors the
// loops of ta_ADX.c and its siblings operation for operation.

// dmCoreB holds Wilder's running +DM, -DM and TR. Inputs 1..period-1 are
// summed from 0.0 (TA-Lib's seed loop); from input period on each is
// smoothed as x - x/period + today (TA-Lib writes `x -= x/period; x += d`,
// the same two roundings). Input 0 only seeds the previous bar.
type dmCoreB struct {
	period                       int
	pf                           float64
	prevHigh, prevLow, prevClose float64
	plus, minus, tr              float64
	// noTR skips the true range (PLUS_DM and MINUS_DM do not read it):
	// its three data-dependent comparisons cost more than the rest.
	noTR bool
}

// diffs returns today's +DM and -DM as TA-Lib assigns them: at most one is
// non-zero ("case 2 and 4: -DM=diffM", "case 1 and 3: +DM=diffP").
//
// The selection is done with bit masks rather than branches: which side
// moved more is a coin toss on real prices, and the mispredicted branches
// were most of the cost of a streaming DM. The two conditions exclude each
// other, and an unselected side is +0, as TA-Lib's 0.
func (c *dmCoreB) diffs(high, low float64) (plusDM, minusDM float64) {
	diffP := high - c.prevHigh
	diffM := c.prevLow - low
	mMask := -(bitB(diffM > 0) & bitB(diffP < diffM))
	pMask := -(bitB(diffP > 0) & bitB(diffP > diffM))
	return math.Float64frombits(math.Float64bits(diffP) & pMask), math.Float64frombits(math.Float64bits(diffM) & mMask)
}

// bitB is 1 for true and 0 for false, compiled to a flag move, not a branch.
func bitB(b bool) uint64 {
	var u uint64
	if b {
		u = 1
	}
	return u
}

// next advances the core over input i (saturating index, >= period means
// "smoothing phase"). Peek runs it on a copy.
func (c *dmCoreB) next(i int, in *Input) {
	if i == 0 {
		c.prevHigh, c.prevLow, c.prevClose = in.High, in.Low, in.Close
		return
	}
	// diffs, written out: too big for the inliner, and a call per bar.
	diffP := in.High - c.prevHigh
	diffM := c.prevLow - in.Low
	mMask := -(bitB(diffM > 0) & bitB(diffP < diffM))
	pMask := -(bitB(diffP > 0) & bitB(diffP > diffM))
	p := math.Float64frombits(math.Float64bits(diffP) & pMask)
	m := math.Float64frombits(math.Float64bits(diffM) & mMask)
	var tr float64
	if !c.noTR {
		tr = trueRangeB(in.High, in.Low, c.prevClose)
	}
	c.prevHigh, c.prevLow, c.prevClose = in.High, in.Low, in.Close
	// TA-Lib adds only the side that moved. Adding the other side's 0 as
	// well gives the same bits (the sums are never -0, the one value that
	// +0 changes) and spares a branch that real prices mispredict about
	// every other bar. The sums are worked on in locals: one load and one
	// store each, so the loop-carried chains do not go through memory
	// twice.
	minus, plus, trs := c.minus, c.plus, c.tr
	if i >= c.period {
		minus -= minus / c.pf
		plus -= plus / c.pf
		trs -= trs / c.pf
	}
	c.minus, c.plus, c.tr = minus+m, plus+p, trs+tr
}

// dx returns TA-Lib's DX from the smoothed sums and false when TR or
// +DI + -DI is zero (TA_IS_ZERO), where TA-Lib keeps a previous value.
func (c *dmCoreB) dx() (float64, bool) {
	if isZeroB(c.tr) {
		return 0, false
	}
	minusDI := 100.0 * (c.minus / c.tr)
	plusDI := 100.0 * (c.plus / c.tr)
	sum := minusDI + plusDI
	if isZeroB(sum) {
		return 0, false
	}
	return 100.0 * (math.Abs(minusDI-plusDI) / sum), true
}

func (c *dmCoreB) reset() {
	c.prevHigh, c.prevLow, c.prevClose = 0, 0, 0
	c.plus, c.minus, c.tr = 0, 0, 0
}

func (c *dmCoreB) encode(e *stateEncoder) {
	e.f64(c.prevHigh)
	e.f64(c.prevLow)
	e.f64(c.prevClose)
	e.f64(c.plus)
	e.f64(c.minus)
	e.f64(c.tr)
}

func (c *dmCoreB) decode(d *stateDecoder) {
	c.prevHigh = d.f64()
	c.prevLow = d.f64()
	c.prevClose = d.f64()
	c.plus = d.f64()
	c.minus = d.f64()
	c.tr = d.f64()
}

// adxCoreB is ta_ADX.c's state: inputs period..2*period-1 sum their DX
// (skipping zero ones), input 2*period-1 sets ADX to that sum / period, and
// later inputs smooth it as (adx*(period-1)+dx)/period when DX is defined.
type adxCoreB struct {
	dm    dmCoreB
	sumDX float64
	adx   float64
}

// next advances the state over input i and reports whether adx is
// defined.
func (a *adxCoreB) next(i int, in *Input) bool {
	a.dm.next(i, in)
	p := a.dm.period
	if i < p {
		return false
	}
	dx, ok := a.dm.dx()
	if i < 2*p {
		if ok {
			a.sumDX += dx
		}
		if i == 2*p-1 {
			a.adx = a.sumDX / a.dm.pf
			return true
		}
		return false
	}
	if ok {
		a.adx = ((a.adx * (a.dm.pf - 1)) + dx) / a.dm.pf
	}
	return true
}

func (a *adxCoreB) reset() {
	a.dm.reset()
	a.sumDX, a.adx = 0, 0
}

func (a *adxCoreB) encode(e *stateEncoder) {
	a.dm.encode(e)
	e.f64(a.sumDX)
	e.f64(a.adx)
}

func (a *adxCoreB) decode(d *stateDecoder) {
	a.dm.decode(d)
	a.sumDX = d.f64()
	a.adx = d.f64()
}

// ADX is Wilder's Average Directional Movement Index, TA-Lib TA_ADX.
// Lookback is 2*period-1 plus Settings' "ADX" unstable period. Reads High,
// Low and Close. Not safe for concurrent use.
type ADX struct {
	singleB
	core adxCoreB
}

// NewADX returns an ADX over period (2..100000).
func NewADX(period int, set Settings) (*ADX, error) {
	if err := checkPeriod("adx", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &ADX{core: adxCoreB{dm: dmCoreB{period: period, pf: float64(period)}}}
	x.initB(specName("adx", SourceClose, float64(period)), 2*period-1+unstableB(set, "ADX"))
	return x, nil
}

// Update implements Indicator.
func (x *ADX) Update(in Input) {
	x.core.next(x.t, &in)
	x.commit(x.core.adx)
}

// Peek implements Indicator.
func (x *ADX) Peek(in Input, out []float64) bool {
	c := x.core
	c.next(x.t, &in)
	out[0] = x.show(c.adx)
	return x.nextReady()
}

// Reset implements Indicator.
func (x *ADX) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *ADX) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *ADX) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}

// ADXR is the Average Directional Movement Index Rating, TA-Lib TA_ADXR:
// (ADX today + ADX period-1 inputs ago) / 2. Lookback is 3*period-2 plus
// the "ADX" unstable period (TA-Lib's ADXR consults ADX's, not its own).
// Not safe for concurrent use.
type ADXR struct {
	singleB
	core adxCoreB
	past ring // the last period-1 ADX values
}

// NewADXR returns an ADXR over period (2..100000).
func NewADXR(period int, set Settings) (*ADXR, error) {
	if err := checkPeriod("adxr", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &ADXR{core: adxCoreB{dm: dmCoreB{period: period, pf: float64(period)}}, past: newRing(period - 1)}
	x.initB(specName("adxr", SourceClose, float64(period)), 3*period-2+unstableB(set, "ADX"))
	return x, nil
}

// Update implements Indicator.
func (x *ADXR) Update(in Input) {
	ok := x.core.next(x.t, &in)
	v := nan
	if ok {
		if x.past.full() {
			v = (x.core.adx + x.past.oldest()) / 2.0
		}
		x.past.push(x.core.adx)
	}
	x.commit(v)
}

// Peek implements Indicator.
func (x *ADXR) Peek(in Input, out []float64) bool {
	c := x.core
	ok := c.next(x.t, &in)
	v := nan
	if ok && x.past.full() {
		v = (c.adx + x.past.oldest()) / 2.0
	}
	out[0] = x.show(v)
	return x.nextReady()
}

// Reset implements Indicator.
func (x *ADXR) Reset() { x.resetB(); x.core.reset(); x.past.reset() }

// MarshalBinary implements Indicator.
func (x *ADXR) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	x.past.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *ADXR) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	x.past.decode(d)
	return d.finish()
}

// DX is Wilder's Directional Movement Index, TA-Lib TA_DX:
// 100*|+DI - -DI|/(+DI + -DI). Where TR or +DI + -DI is zero TA-Lib repeats
// the previous output (0 for the first one); so does DX. Lookback is period
// plus the "DX" unstable period. Not safe for concurrent use.
type DX struct {
	singleB
	core dmCoreB
}

// NewDX returns a DX over period (2..100000).
func NewDX(period int, set Settings) (*DX, error) {
	if err := checkPeriod("dx", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	x := &DX{core: dmCoreB{period: period, pf: float64(period)}}
	x.initB(specName("dx", SourceClose, float64(period)), period+unstableB(set, "DX"))
	return x, nil
}

// step advances c (the indicator's core, or Peek's copy of it) over in
// and returns the DX.
func (x *DX) step(c *dmCoreB, in *Input) float64 {
	c.next(x.t, in)
	if x.t < c.period {
		return nan
	}
	v, ok := c.dx()
	if !ok && x.t > x.lookback {
		v = x.value
	}
	return v
}

// Update implements Indicator.
func (x *DX) Update(in Input) { x.commit(x.step(&x.core, &in)) }

// Peek implements Indicator.
func (x *DX) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(x.step(&c, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *DX) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *DX) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *DX) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}

// DI is a directional indicator, TA-Lib TA_PLUS_DI or TA_MINUS_DI:
// 100 * smoothed DM / smoothed TR (0 where TR is zero). With period 1
// TA-Lib skips the smoothing and returns DM/TR without the factor 100; so
// does DI. Lookback is period plus the "PLUS_DI"/"MINUS_DI" unstable period
// (1, with no unstable period, for period 1). Not safe for concurrent use.
type DI struct {
	singleB
	plus bool
	core dmCoreB
}

// NewPlusDI returns +DI over period (1..100000).
func NewPlusDI(period int, set Settings) (*DI, error) { return newDI(true, period, set) }

// NewMinusDI returns -DI over period (1..100000).
func NewMinusDI(period int, set Settings) (*DI, error) { return newDI(false, period, set) }

func newDI(plus bool, period int, set Settings) (*DI, error) {
	fn, unst := "minus_di", "MINUS_DI"
	if plus {
		fn, unst = "plus_di", "PLUS_DI"
	}
	if err := checkPeriod(fn, "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	x := &DI{plus: plus, core: dmCoreB{period: period, pf: float64(period)}}
	lb := 1
	if period > 1 {
		lb = period + unstableB(set, unst)
	}
	x.initB(specName(fn, SourceClose, float64(period)), lb)
	return x, nil
}

// step advances c (the indicator's core, or Peek's copy of it) over in
// and returns the DI.
func (x *DI) step(c *dmCoreB, in *Input) float64 {
	if c.period == 1 {
		if x.t == 0 {
			c.next(0, in)
			return nan
		}
		p, m := c.diffs(in.High, in.Low)
		d := m
		if x.plus {
			d = p
		}
		v := 0.0
		if d != 0 {
			if tr := trueRangeB(in.High, in.Low, c.prevClose); !isZeroB(tr) {
				v = d / tr
			}
		}
		c.prevHigh, c.prevLow, c.prevClose = in.High, in.Low, in.Close
		return v
	}
	c.next(x.t, in)
	if x.t < c.period {
		return nan
	}
	if isZeroB(c.tr) {
		return 0
	}
	if x.plus {
		return 100.0 * (c.plus / c.tr)
	}
	return 100.0 * (c.minus / c.tr)
}

// Update implements Indicator.
func (x *DI) Update(in Input) { x.commit(x.step(&x.core, &in)) }

// Peek implements Indicator.
func (x *DI) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(x.step(&c, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *DI) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *DI) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *DI) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}

// DM is a smoothed directional movement, TA-Lib TA_PLUS_DM or TA_MINUS_DM:
// the first value is the plain sum of period-1 daily DMs, then Wilder's
// smoothing. With period 1 it is the daily DM. Lookback is period-1 plus the
// "PLUS_DM"/"MINUS_DM" unstable period (1 for period 1). Reads High and
// Low. Not safe for concurrent use.
type DM struct {
	singleB
	plus bool
	core dmCoreB
}

// NewPlusDM returns +DM over period (1..100000).
func NewPlusDM(period int, set Settings) (*DM, error) { return newDM(true, period, set) }

// NewMinusDM returns -DM over period (1..100000).
func NewMinusDM(period int, set Settings) (*DM, error) { return newDM(false, period, set) }

func newDM(plus bool, period int, set Settings) (*DM, error) {
	fn, unst := "minus_dm", "MINUS_DM"
	if plus {
		fn, unst = "plus_dm", "PLUS_DM"
	}
	if err := checkPeriod(fn, "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	x := &DM{plus: plus, core: dmCoreB{period: period, pf: float64(period), noTR: true}}
	lb := 1
	if period > 1 {
		lb = period - 1 + unstableB(set, unst)
	}
	x.initB(specName(fn, SourceClose, float64(period)), lb)
	return x, nil
}

// step advances c (the indicator's core, or Peek's copy of it) over in
// and returns the DM.
func (x *DM) step(c *dmCoreB, in *Input) float64 {
	if c.period == 1 {
		if x.t == 0 {
			c.next(0, in)
			return nan
		}
		p, m := c.diffs(in.High, in.Low)
		c.prevHigh, c.prevLow, c.prevClose = in.High, in.Low, in.Close
		if x.plus {
			return p
		}
		return m
	}
	c.next(x.t, in)
	if x.t < c.period-1 {
		return nan
	}
	if x.plus {
		return c.plus
	}
	return c.minus
}

// Update implements Indicator.
func (x *DM) Update(in Input) { x.commit(x.step(&x.core, &in)) }

// Peek implements Indicator.
func (x *DM) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(x.step(&c, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *DM) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *DM) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *DM) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}
