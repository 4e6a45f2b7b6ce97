package indicators

// atrCoreB is Wilder's average true range as ta_ATR.c computes it. TA-Lib's
// TRANGE has no value for the first bar (it needs the previous close), so the
// true ranges start at input 1; inputs 1..period are summed from 0.0 in order
// and divided by period (INT_SMA), then each input updates
// atr = ((atr*(period-1)) + tr) / period, the three roundings TA-Lib does.
// With period 1 the value is the true range itself.
type atrCoreB struct {
	period    int
	pf        float64
	prevClose float64
	sum       float64 // true ranges of inputs 1..period while seeding
	atr       float64
}

// next advances the state over input i (saturating index) and returns the
// ATR, NaN before input period. Peek runs it on a copy.
func (a *atrCoreB) next(i int, in *Input) float64 {
	if i == 0 {
		a.prevClose = in.Close
		return nan
	}
	tr := trueRangeB(in.High, in.Low, a.prevClose)
	a.prevClose = in.Close
	if a.period == 1 {
		a.atr = tr
		return tr
	}
	if i <= a.period {
		a.sum += tr
		if i < a.period {
			return nan
		}
		a.atr = a.sum / a.pf
		return a.atr
	}
	a.atr *= a.pf - 1
	a.atr += tr
	a.atr /= a.pf
	return a.atr
}

func (a *atrCoreB) reset() { a.prevClose, a.sum, a.atr = 0, 0, 0 }

func (a *atrCoreB) encode(e *stateEncoder) {
	e.f64(a.prevClose)
	e.f64(a.sum)
	e.f64(a.atr)
}

func (a *atrCoreB) decode(d *stateDecoder) {
	a.prevClose = d.f64()
	a.sum = d.f64()
	a.atr = d.f64()
}

// ATR is Wilder's Average True Range, TA-Lib TA_ATR: seeded with the simple
// average of the first period true ranges (TA-Lib's TRANGE skips the first
// bar), then Wilder-smoothed. Lookback is period plus Settings' "ATR"
// unstable period. Reads High, Low and Close. Not safe for concurrent use.
type ATR struct {
	singleB
	core atrCoreB
}

// NewATR returns an ATR over period (1..100000).
func NewATR(period int, set Settings) (*ATR, error) {
	if err := checkPeriod("atr", "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	x := &ATR{core: atrCoreB{period: period, pf: float64(period)}}
	x.initB(specName("atr", SourceClose, float64(period)), period+unstableB(set, "ATR"))
	return x, nil
}

// Update implements Indicator.
func (x *ATR) Update(in Input) { x.commit(x.core.next(x.t, &in)) }

// Peek implements Indicator.
func (x *ATR) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(c.next(x.t, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *ATR) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *ATR) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *ATR) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}

// NATR is the Normalized Average True Range, TA-Lib TA_NATR:
// ATR / close * 100 (0 where |close| < 1e-14, TA-Lib's TA_IS_ZERO). With
// period 1 TA-Lib returns the plain true range, not normalised; so does NATR.
// Lookback is period plus Settings' "NATR" unstable period. Not safe for
// concurrent use.
type NATR struct {
	singleB
	core atrCoreB
}

// NewNATR returns an NATR over period (1..100000).
func NewNATR(period int, set Settings) (*NATR, error) {
	if err := checkPeriod("natr", "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	x := &NATR{core: atrCoreB{period: period, pf: float64(period)}}
	x.initB(specName("natr", SourceClose, float64(period)), period+unstableB(set, "NATR"))
	return x, nil
}

// step advances c (the indicator's core, or Peek's copy of it) over in
// and returns the NATR.
func (x *NATR) step(c *atrCoreB, in *Input) float64 {
	v := c.next(x.t, in)
	if c.period == 1 || v != v { // period 1: TA-Lib's plain TRANGE; NaN: lookback
		return v
	}
	if isZeroB(in.Close) {
		return 0
	}
	return (v / in.Close) * 100.0
}

// Update implements Indicator.
func (x *NATR) Update(in Input) { x.commit(x.step(&x.core, &in)) }

// Peek implements Indicator.
func (x *NATR) Peek(in Input, out []float64) bool {
	c := x.core
	out[0] = x.show(x.step(&c, &in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *NATR) Reset() { x.resetB(); x.core.reset() }

// MarshalBinary implements Indicator.
func (x *NATR) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	x.core.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *NATR) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.core.decode(d)
	return d.finish()
}

// TRange is the true range, TA-Lib TA_TRANGE: the greatest of high-low,
// |high - previous close| and |low - previous close|. Lookback 1: the first
// bar has no previous close. Not safe for concurrent use.
type TRange struct {
	singleB
	prevClose float64
}

// NewTRange returns a TRange.
func NewTRange() *TRange {
	x := &TRange{}
	x.initB(specName("trange", SourceClose), 1)
	return x
}

func (x *TRange) step(in *Input) float64 {
	if x.t == 0 {
		return nan
	}
	return trueRangeB(in.High, in.Low, x.prevClose)
}

// Update implements Indicator.
func (x *TRange) Update(in Input) {
	v := x.step(&in)
	x.prevClose = in.Close
	x.commit(v)
}

// Peek implements Indicator.
func (x *TRange) Peek(in Input, out []float64) bool {
	out[0] = x.show(x.step(&in))
	return x.nextReady()
}

// Reset implements Indicator.
func (x *TRange) Reset() { x.resetB(); x.prevClose = 0 }

// MarshalBinary implements Indicator.
func (x *TRange) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeB(e)
	e.f64(x.prevClose)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *TRange) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeB(d)
	x.prevClose = d.f64()
	return d.finish()
}
