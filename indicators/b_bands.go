package indicators

// Keltner is Keltner channels in Linda Bradford Raschke's modern form (as
// described by StockCharts ChartSchool, "Keltner Channels"): middle = EMA of
// src over period (20 by default, close; hlc3 gives Chester Keltner's
// typical price), upper/lower = middle ± multiplier (2) × ATR over
// atr_period (10). Chester Keltner's original 1960 version (a 10-day SMA of
// the typical price ± the 10-day average high-low range) is not this one.
// The EMA is TA-Lib's TA_EMA and the ATR TA-Lib's TA_ATR (so the ATR starts
// one bar late: TA-Lib's true range skips the first bar). Outputs "upper",
// "middle", "lower". Lookback is the larger of the EMA's and the ATR's,
// unstable periods included. Not safe for concurrent use.
type Keltner struct {
	multiB
	src  Source
	mult float64
	ema  *EMA
	atr  atrCoreB
}

// NewKeltner returns Keltner channels: EMA period (2..100000), multiplier
// (0..3e37), ATR period (1..100000), over src.
func NewKeltner(period int, multiplier float64, atrPeriod int, src Source, set Settings) (*Keltner, error) {
	if err := checkRange("keltner", "multiplier", multiplier, 0, 3e37); err != nil {
		return nil, err
	}
	if err := checkPeriod("keltner", "atr_period", atrPeriod, 1, 100000); err != nil {
		return nil, err
	}
	ema, err := NewEMA(period, src, set)
	if err != nil {
		return nil, err
	}
	x := &Keltner{src: src, mult: multiplier, ema: ema, atr: atrCoreB{period: atrPeriod, pf: float64(atrPeriod)}}
	lb := max(ema.Lookback(), atrPeriod+unstableB(set, "ATR"))
	x.initM(specName("keltner", src, float64(period), multiplier, float64(atrPeriod)), lb, outputsChannel)
	return x, nil
}

func (x *Keltner) bands(mid, atr float64, out []float64) {
	w := x.mult * atr
	out[0], out[1], out[2] = mid+w, mid, mid-w
}

// Update implements Indicator.
func (x *Keltner) Update(in Input) {
	mid := x.ema.Next(srcB(x.src, &in))
	atr := x.atr.next(x.t, &in)
	x.bands(mid, atr, x.vals[:])
	x.commitM()
}

// Peek implements Indicator.
func (x *Keltner) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1], out[2] = nan, nan, nan
		return false
	}
	mid := x.ema.PeekNext(srcB(x.src, &in))
	c := x.atr
	x.bands(mid, c.next(x.t, &in), out)
	return true
}

// Reset implements Indicator.
func (x *Keltner) Reset() { x.resetM(); x.ema.Reset(); x.atr.reset() }

// MarshalBinary implements Indicator.
func (x *Keltner) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	if err := encodeSub(e, x.ema); err != nil {
		return nil, err
	}
	x.atr.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *Keltner) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	decodeSub(d, x.ema)
	x.atr.decode(d)
	return d.finish()
}

var outputsSuperTrend = []string{"value", "direction"}

// SuperTrend is Olivier Seban's SuperTrend, in the formulation of
// TradingView's ta.supertrend (Pine Script v5 reference), outputs "value"
// and "direction" (+1 uptrend, the line is the lower band below price; -1
// downtrend, the line is the upper band above it).
//
// With hl2 = (high+low)/2 and ATR TA-Lib's TA_ATR(atr_period):
//
//	basic upper = hl2 + multiplier*ATR, basic lower = hl2 - multiplier*ATR
//	upper = basic upper if basic upper < previous upper or previous close > previous upper, else previous upper
//	lower = basic lower if basic lower > previous lower or previous close < previous lower, else previous lower
//	direction: if it was -1, +1 when close > upper else -1; if it was +1, -1 when close < lower else +1
//	value = lower when direction is +1, else upper
//
// The first value (at the first ATR, input atr_period) takes the basic bands
// and direction -1, as ta.supertrend does. The previous direction is read
// as ta.supertrend reads it, "was the previous value the upper band", so a
// zero ATR (equal bands) counts as a downtrend. The one difference from
// TradingView is the ATR: its ta.atr seeds with the first bar's high-low
// where TA-Lib's skips that bar, so early values differ until the ATR
// converges. Lookback is the ATR's, unstable
// period included (the bands start at the first ATR either way; the
// unstable period only withholds values). Not safe for concurrent use.
type SuperTrend struct {
	multiB
	core superCoreB
}

// superCoreB is SuperTrend's state; Peek steps a copy of it.
type superCoreB struct {
	mult         float64
	atr          atrCoreB
	upper, lower float64
	dir          float64
	st           float64 // the last value: which band it is decides the next direction
}

// NewSuperTrend returns a SuperTrend with ATR period (1..100000) and
// multiplier (0..3e37).
func NewSuperTrend(atrPeriod int, multiplier float64, set Settings) (*SuperTrend, error) {
	if err := checkPeriod("supertrend", "atr_period", atrPeriod, 1, 100000); err != nil {
		return nil, err
	}
	if err := checkRange("supertrend", "multiplier", multiplier, 0, 3e37); err != nil {
		return nil, err
	}
	x := &SuperTrend{core: superCoreB{mult: multiplier, atr: atrCoreB{period: atrPeriod, pf: float64(atrPeriod)}}}
	x.initM(specName("supertrend", SourceClose, float64(atrPeriod), multiplier), atrPeriod+unstableB(set, "ATR"),
		outputsSuperTrend)
	return x, nil
}

// next advances the state over input i (saturating index) and returns the
// value and direction (NaN before the first ATR).
func (c *superCoreB) next(i int, in *Input) (float64, float64) {
	prevClose := c.atr.prevClose
	atr := c.atr.next(i, in)
	if i < c.atr.period {
		return nan, nan
	}
	hl2 := (in.High + in.Low) / 2
	bu, bl := hl2+c.mult*atr, hl2-c.mult*atr
	if i == c.atr.period {
		c.upper, c.lower, c.dir = bu, bl, -1
	} else {
		prevUpper := c.upper
		if bu < c.upper || prevClose > c.upper {
			c.upper = bu
		}
		if bl > c.lower || prevClose < c.lower {
			c.lower = bl
		}
		// TradingView asks whether the previous value was the upper band,
		// not which way the trend went: the two differ when both bands
		// were equal (a zero ATR), and then the upper band wins.
		if c.st == prevUpper {
			c.dir = -1
			if in.Close > c.upper {
				c.dir = 1
			}
		} else {
			c.dir = 1
			if in.Close < c.lower {
				c.dir = -1
			}
		}
	}
	c.st = c.upper
	if c.dir > 0 {
		c.st = c.lower
	}
	return c.st, c.dir
}

// Update implements Indicator.
func (x *SuperTrend) Update(in Input) {
	x.vals[0], x.vals[1] = x.core.next(x.t, &in)
	x.commitM()
}

// Peek implements Indicator.
func (x *SuperTrend) Peek(in Input, out []float64) bool {
	if !x.nextReady() {
		out[0], out[1] = nan, nan
		return false
	}
	c := x.core
	out[0], out[1] = c.next(x.t, &in)
	return true
}

// Reset implements Indicator.
func (x *SuperTrend) Reset() {
	x.resetM()
	x.core.atr.reset()
	x.core.upper, x.core.lower, x.core.dir, x.core.st = 0, 0, 0, 0
}

// MarshalBinary implements Indicator.
func (x *SuperTrend) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(x.name)
	x.encodeM(e)
	x.core.atr.encode(e)
	e.f64(x.core.upper)
	e.f64(x.core.lower)
	e.f64(x.core.dir)
	e.f64(x.core.st)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (x *SuperTrend) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, x.name)
	x.decodeM(d)
	x.core.atr.decode(d)
	x.core.upper = d.f64()
	x.core.lower = d.f64()
	x.core.dir = d.f64()
	x.core.st = d.f64()
	return d.finish()
}
