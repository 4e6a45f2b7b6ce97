package indicators

import "math"

// variance is TA-Lib's VAR loop: running sums of the values and of their
// squares over the last period-1 inputs; each input adds itself, the means
// are taken, then the oldest is subtracted. The same operations in the same
// order as TA_VAR (and as INT_stddev_using_precalc_ma, which BBANDS uses for
// SMA), so the variance matches TA-Lib bit for bit.
type variance struct {
	period     int
	win        ring // the last period-1 inputs
	sum1, sum2 float64
}

func newVariance(period int) variance {
	return variance{period: period, win: newRing(max(period-1, 1))}
}

// ready reports whether the window holds period-1 values, so that the next
// input gives a variance.
func (v *variance) ready() bool { return v.period == 1 || v.win.full() }

// peek returns the variance after x, without changing state.
func (v *variance) peek(x float64) float64 {
	p := float64(v.period)
	m1 := (v.sum1 + x) / p
	m2 := (v.sum2 + x*x) / p
	return m2 - m1*m1
}

// next consumes x and returns the variance, or NaN before the window is
// full.
func (v *variance) next(x float64) float64 {
	if !v.ready() {
		v.sum1 += x
		v.sum2 += x * x
		v.win.push(x)
		return nan
	}
	p := float64(v.period)
	v.sum1 += x
	v.sum2 += x * x
	m1 := v.sum1 / p
	m2 := v.sum2 / p
	old := x // period 1: TA-Lib's trailing index is the input itself
	if v.period > 1 {
		old, _ = v.win.push(x)
	}
	v.sum1 -= old
	v.sum2 -= old * old
	return m2 - m1*m1
}

func (v *variance) reset() { v.win.reset(); v.sum1, v.sum2 = 0, 0 }

func (v *variance) encode(e *stateEncoder) {
	v.win.encode(e)
	e.f64(v.sum1)
	e.f64(v.sum2)
}

func (v *variance) decode(d *stateDecoder) {
	v.win.decode(d)
	v.sum1 = d.f64()
	v.sum2 = d.f64()
}

// stddevOf is TA-Lib STDDEV's map from a variance: sqrt(var)*nbdev, and 0
// when the variance is below 1e-14 (TA_IS_ZERO_OR_NEG).
func stddevOf(variance, nbdev float64) float64 {
	if variance < 0.00000000000001 {
		return 0.0
	}
	if nbdev != 1.0 {
		return math.Sqrt(variance) * nbdev
	}
	return math.Sqrt(variance)
}

// StdDev is the population variance (TA-Lib TA_VAR) or standard deviation
// (TA_STDDEV, times nbdev) of the last period values. Lookback is period-1.
//
// A StdDev is not safe for concurrent use.
type StdDev struct {
	scalar
	v     variance
	nbdev float64
	sqrt  bool // STDDEV rather than VAR
}

var _ stage = (*StdDev)(nil)

// NewSTDDEV returns TA-Lib's STDDEV(period, nbdev) over src: period
// 2..100000 (default 5), nbdev any real (default 1).
func NewSTDDEV(period int, nbdev float64, src Source) (*StdDev, error) {
	if err := checkPeriod("stddev", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkRange("stddev", "nbdev", nbdev, taRealMin, taRealMax); err != nil {
		return nil, err
	}
	s := &StdDev{v: newVariance(period), nbdev: nbdev, sqrt: true}
	s.init(specName("stddev", src, float64(period), nbdev), src, period-1)
	return s, nil
}

// NewVAR returns TA-Lib's VAR(period, nbdev) over src: period 1..100000
// (default 5). TA-Lib's VAR takes an nbdev (default 1) and ignores it; so
// does this, but a value other than 1 is kept in Name ("var(5,2)") so that
// names and specs agree.
func NewVAR(period int, nbdev float64, src Source) (*StdDev, error) {
	if err := checkPeriod("var", "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	if err := checkRange("var", "nbdev", nbdev, taRealMin, taRealMax); err != nil {
		return nil, err
	}
	s := &StdDev{v: newVariance(period), nbdev: 1}
	if nbdev == 1 {
		s.init(specName("var", src, float64(period)), src, period-1)
	} else {
		s.init(specName("var", src, float64(period), nbdev), src, period-1)
	}
	return s, nil
}

func (s *StdDev) finish(variance float64) float64 {
	if s.sqrt {
		return stddevOf(variance, s.nbdev)
	}
	return variance
}

// Next consumes x and returns the value, or NaN during the lookback.
func (s *StdDev) Next(x float64) float64 {
	if !s.v.ready() {
		return s.emit(s.v.next(x))
	}
	return s.emit(s.finish(s.v.next(x)))
}

// PeekNext returns what Next(x) would return, without changing state.
func (s *StdDev) PeekNext(x float64) float64 {
	if !s.v.ready() {
		return nan
	}
	return s.finish(s.v.peek(x))
}

// Update implements Indicator.
//
// The steady state (period > 1, window full) is variance.next written out
// here, two calls fewer per bar, the same operations in the same order.
func (s *StdDev) Update(in Input) {
	x := readA(s.src, &in)
	v := &s.v
	if v.period == 1 || !v.win.full() {
		s.Next(x)
		return
	}
	p := float64(v.period)
	sum1, sum2 := v.sum1+x, v.sum2+x*x
	m1, m2 := sum1/p, sum2/p
	old := v.win.shift(x)
	v.sum1, v.sum2 = sum1-old, sum2-old*old
	s.emit(s.finish(m2 - m1*m1))
}

// Peek implements Indicator.
func (s *StdDev) Peek(in Input, out []float64) bool {
	out[0] = s.PeekNext(readA(s.src, &in))
	return s.peekReady()
}

// Reset implements Indicator.
func (s *StdDev) Reset() { s.resetScalar(); s.v.reset() }

// MarshalBinary implements Indicator.
func (s *StdDev) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(s.name)
	s.encodeScalar(e)
	s.v.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (s *StdDev) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, s.name)
	s.decodeScalar(d)
	s.v.decode(d)
	return d.finish()
}

var outputsBBands = []string{"upper", "middle", "lower"}

// BBands are Bollinger bands, TA-Lib TA_BBANDS: the middle band is a moving
// average of matype over period, the others add and subtract nbdevup and
// nbdevdn standard deviations. As in TA-Lib the deviation is always the
// population standard deviation around the simple mean of the window
// (TA_STDDEV, or for SMA the identical INT_stddev_using_precalc_ma), whatever
// the middle band's type. TA-Lib asks STDDEV for output from the MA's first
// index only, so when the MA's lookback exceeds period-1 (DEMA, TEMA, KAMA,
// T3, or an EMA unstable period) the variance's running sums start late, at
// input lookback-(period-1), as here: sums started earlier round differently,
// which shows in flat stretches where the variance is near 0. Lookback is the
// moving average's.
//
// A BBands is not safe for concurrent use.
type BBands struct {
	multi
	ma     stage
	v      variance
	vStart int // first input index the variance consumes
	up, dn float64
}

// NewBBands returns TA-Lib's BBANDS(period, nbdevup, nbdevdn, matype) over
// src: period 2..100000 (default 5), deviations any real (default 2), matype
// default sma; MAMA returns ErrBadParam.
func NewBBands(period int, up, dn float64, t MAType, src Source, set Settings) (*BBands, error) {
	if err := checkPeriod("bbands", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkRange("bbands", "nbdevup", up, taRealMin, taRealMax); err != nil {
		return nil, err
	}
	if err := checkRange("bbands", "nbdevdn", dn, taRealMin, taRealMax); err != nil {
		return nil, err
	}
	ma, err := newStage(t, period, set)
	if err != nil {
		return nil, err
	}
	b := &BBands{ma: ma, v: newVariance(period), vStart: ma.Lookback() - (period - 1), up: up, dn: dn}
	var name string
	if t == MASMA {
		name = specName("bbands", src, float64(period), up, dn)
	} else {
		name = specName("bbands", src, float64(period), up, dn, float64(t))
	}
	b.init(name, src, outputsBBands, ma.Lookback())
	return b, nil
}

// Next consumes x and returns upper, middle and lower (NaN during the
// lookback).
func (b *BBands) Next(x float64) (upper, middle, lower float64) {
	idx := b.n
	mid := b.ma.Next(x)
	sd := 0.0
	if idx >= b.vStart {
		sd = stddevOf(b.v.next(x), 1.0)
	}
	if b.advance() {
		b.vals = [3]float64{mid + sd*b.up, mid, mid - sd*b.dn}
	}
	return b.vals[0], b.vals[1], b.vals[2]
}

// Update implements Indicator.
func (b *BBands) Update(in Input) { b.Next(readA(b.src, &in)) }

// Peek implements Indicator.
func (b *BBands) Peek(in Input, out []float64) bool {
	if !b.peekReady() {
		return b.peekNaN(out)
	}
	x := readA(b.src, &in)
	mid := b.ma.PeekNext(x)
	sd := stddevOf(b.v.peek(x), 1.0)
	out[0], out[1], out[2] = mid+sd*b.up, mid, mid-sd*b.dn
	return true
}

// Reset implements Indicator.
func (b *BBands) Reset() { b.resetMulti(); b.ma.Reset(); b.v.reset() }

// MarshalBinary implements Indicator.
func (b *BBands) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(b.name)
	b.encodeMulti(e)
	if err := encodeSub(e, b.ma); err != nil {
		return nil, err
	}
	b.v.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (b *BBands) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, b.name)
	b.decodeMulti(d)
	decodeSub(d, b.ma)
	b.v.decode(d)
	return d.finish()
}
