package indicators

import "math"

// linRegKind selects the output of a [LinReg].
type linRegKind uint8

const (
	lrValue     linRegKind = iota // b + m*(period-1): TA_LINEARREG
	lrSlope                       // m: TA_LINEARREG_SLOPE
	lrIntercept                   // b: TA_LINEARREG_INTERCEPT
	lrAngle                       // atan(m) in degrees: TA_LINEARREG_ANGLE
	lrTSF                         // b + m*period: TA_TSF
)

var linRegNames = [...]string{"linearreg", "linearreg_slope", "linearreg_intercept", "linearreg_angle", "tsf"}

// LinReg is the least-squares line through the last period values, TA-Lib
// TA_LINEARREG and its family (slope, intercept, angle in degrees, time
// series forecast). Lookback is period-1.
//
// TA-Lib C re-sums the window every bar, O(period). LinReg is O(1): it
// slides the two sums TA-Lib forms. TA-Lib's x counts bars back from the
// newest (the newest has x = 0, the oldest x = period-1), so when y enters
// and y_out leaves, every remaining point's x grows by one and
//
//	ΣXY' = ΣXY + ΣY - period*y_out      (ΣY before the step)
//	ΣY'  = ΣY + y - y_out
//
// Plain float64 running sums (go-talib's shortcut) drift: every step
// rounds, the errors accumulate without bound over a long series, and the
// slope's numerator period*ΣXY - ΣX*ΣY cancels them into relative errors
// of 1e-7 (see deviations.md). Here each sum is a double-double: a rounded
// value plus its running rounding error, and every term of a step enters
// exactly (TwoSum for additions, Dekker's product for period*y_out), so
// the pair stays within ~1e-32 relative of the exact window sums however
// long the series: nothing drifts and no periodic re-sum is needed. The
// numerator, written period*(ΣXY - h*ΣY) with h = (period-1)/2, is formed
// from the exact product h*ΣY and every low part, so the slope is accurate
// relative to itself even where the window is nearly flat (a flat window
// gives exactly 0). Outputs are within a few ulps of the exact regression
// (the tests measure the slope against 256-bit arithmetic: ~100x nearer
// than TA-Lib C's own re-sum) and within the package's contract of TA-Lib
// C (1e-9 relative, or absolute near 0) at every index of every golden and
// of 1M-bar walks, but not bit-equal to it. The divisions by the divisor
// and by period are multiplications by their reciprocals (one rounding
// each, well inside that bar). During the warm-up the same step runs with
// y_out = 0, so a window fills without a special case.
//
// Snapshots carry the window and the four sums (version 3, see
// linRegStateVersion); version-2 snapshots of the O(period) implementation
// are still read.
//
// A LinReg is not safe for concurrent use.
type LinReg struct {
	scalar
	kind   linRegKind
	period int
	// TA-Lib's ΣX = period*half and divisor ΣX*ΣX - period*Σ(X*X) enter
	// as half = (period-1)/2, mScale = period/divisor and invP = 1/period.
	floatP, half, mScale, invP, xLast float64
	s                                 linRegSums
	buf                               []float64 // ring of the last period inputs
	head                              int       // slot of the oldest input once full, of the next one always
	cnt                               int       // inputs held, up to period
}

// linRegSums is ΣY and ΣXY over the window, each as an unevaluated sum
// hi + lo with |lo| tiny against |hi| (a double-double).
type linRegSums struct {
	y, yLo, xy, xyLo float64
}

var _ stage = (*LinReg)(nil)

// NewLinearReg returns TA_LINEARREG over period (2..100000, default 14)
// values of src.
func NewLinearReg(period int, src Source) (*LinReg, error) { return newLinReg(lrValue, period, src) }

// NewLinearRegSlope returns TA_LINEARREG_SLOPE over period (2..100000).
func NewLinearRegSlope(period int, src Source) (*LinReg, error) {
	return newLinReg(lrSlope, period, src)
}

// NewLinearRegIntercept returns TA_LINEARREG_INTERCEPT over period
// (2..100000).
func NewLinearRegIntercept(period int, src Source) (*LinReg, error) {
	return newLinReg(lrIntercept, period, src)
}

// NewLinearRegAngle returns TA_LINEARREG_ANGLE (degrees) over period
// (2..100000).
func NewLinearRegAngle(period int, src Source) (*LinReg, error) {
	return newLinReg(lrAngle, period, src)
}

// NewTSF returns TA_TSF, the regression line extended one bar ahead, over
// period (2..100000).
func NewTSF(period int, src Source) (*LinReg, error) { return newLinReg(lrTSF, period, src) }

func newLinReg(k linRegKind, period int, src Source) (*LinReg, error) {
	fn := linRegNames[k]
	if err := checkPeriod(fn, "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	p := float64(period)
	l := &LinReg{kind: k, period: period, floatP: p, xLast: p - 1, buf: make([]float64, period)}
	// TA-Lib C computes SumXSqr in int arithmetic, which overflows for
	// period > 1024; float64 is exact here for every period in range.
	sumX := p * (p - 1) * 0.5
	sumXSqr := p * (p - 1) * (2*p - 1) / 6
	divisor := sumX*sumX - p*sumXSqr
	l.half, l.mScale, l.invP = (p-1)*0.5, p/divisor, 1/p
	l.init(specName(fn, src, p), src, period-1)
	return l, nil
}

// twoSum returns a+b rounded and its exact rounding error (Knuth's
// branch-free TwoSum: s + e == a + b exactly, for any magnitudes).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// splitter is Veltkamp's constant 2^27+1: c := splitter*y; hi := c-(c-y)
// splits y into hi, y-hi of at most 26 and 27 significant bits.
const splitter = 1<<27 + 1

// mulSmall returns k*y rounded and its exact rounding error, for a k of
// at most 26 significant bits (a period <= 100000, or half of one):
// Dekker's product with k unsplit, since k*hi and k*lo are then exact. It is what an FMA gives,
// without math.FMA's CPU-feature branch and call on GOAMD64=v1.
func mulSmall(k, y float64) (p, e float64) {
	p = k * y
	c := splitter * y
	hi := c - (c - y)
	lo := y - hi
	e = (k*hi - p) + k*lo
	return p, e
}

// step returns the sums after v enters the window, and the output of l's
// kind for them (meaningless until the window is full). It changes
// nothing: Next stores what it returns and PeekNext does not, so a Peek
// equals the next Update bit for bit. One function with its helpers
// inlined, so that the hot path has no inner call and no spill.
//
// Like every running-sum indicator of the package (SMA, ...), a NaN or
// infinite input stays in the sums after it leaves the window; the
// O(period) re-sum recovered from it after period bars.
//
// The window's leaving value out is 0 while it is not full. Every term
// enters the sums exactly; the only roundings are of the low parts, ~1e-16
// of the high ones, so nothing drifts.
func (l *LinReg) step(v float64) (linRegSums, float64) {
	var out float64
	if l.cnt == l.period {
		out = l.buf[l.head]
	}
	s := l.s
	p := l.floatP
	// ΣXY += ΣY - period*out, with the old ΣY pair.
	ph, pe := mulSmall(p, out)
	q, qe := twoSum(s.y, -ph)
	xy, xe := twoSum(s.xy, q)
	xyLo := s.xyLo + (xe + (qe + (s.yLo - pe)))
	// ΣY += v - out.
	d, de := twoSum(v, -out)
	y, ye := twoSum(s.y, d)
	yLo := s.yLo + (ye + de)
	ns := linRegSums{y: y, yLo: yLo, xy: xy, xyLo: xyLo}

	// TA-Lib: m = (period*ΣXY - ΣX*ΣY) / divisor. With ΣX = period*h,
	// h = (period-1)/2, that is m = period*(ΣXY - h*ΣY) / divisor. The
	// difference cancels when the window is flat: form h*ΣY exactly and
	// add every low part, so it is accurate relative to itself.
	hy, hye := mulSmall(l.half, y)
	r := (xy - hy) + (xyLo - (hye + l.half*yLo))
	m := r * l.mScale
	switch l.kind {
	case lrSlope:
		return ns, m
	case lrAngle:
		return ns, math.Atan(m) * (180.0 / math.Pi)
	}
	// b = (ΣY - m*ΣX) / period = ΣY/period - m*h.
	b := (y+yLo)*l.invP - m*l.half
	switch l.kind {
	case lrIntercept:
		return ns, b
	case lrTSF:
		return ns, b + m*p
	}
	return ns, b + m*l.xLast
}

// Next consumes v and returns the value, or NaN during the lookback.
func (l *LinReg) Next(v float64) float64 {
	s, r := l.step(v)
	l.s = s
	l.buf[l.head] = v
	if l.head++; l.head == l.period {
		l.head = 0
	}
	if l.cnt < l.period {
		if l.cnt++; l.cnt < l.period {
			return l.emit(nan)
		}
	}
	return l.emit(r)
}

// PeekNext returns what Next(v) would return, without changing state.
func (l *LinReg) PeekNext(v float64) float64 {
	if l.cnt < l.period-1 {
		return nan
	}
	_, r := l.step(v)
	return r
}

// Update implements Indicator.
func (l *LinReg) Update(in Input) { l.Next(readA(l.src, &in)) }

// Peek implements Indicator.
func (l *LinReg) Peek(in Input, out []float64) bool {
	out[0] = l.PeekNext(readA(l.src, &in))
	return l.peekReady()
}

// Reset implements Indicator.
func (l *LinReg) Reset() {
	l.resetScalar()
	l.head, l.cnt = 0, 0
	l.s = linRegSums{}
}

// window returns the inputs held, oldest first, appended to dst.
func (l *LinReg) window(dst []float64) []float64 {
	if l.cnt < l.period {
		return append(dst, l.buf[:l.cnt]...)
	}
	dst = append(dst, l.buf[l.head:]...)
	return append(dst, l.buf[:l.head]...)
}

// linRegStateVersion is LinReg's snapshot version: 3 adds the four sums
// after the window (the sums carry rounding history the window alone does
// not). Version 2 (stateVersion), the window alone from the O(period)
// implementation, is still read: the sums are rebuilt by sliding the
// window in from empty, as a fresh LinReg fed those values would.
const linRegStateVersion = 3

// MarshalBinary implements Indicator.
func (l *LinReg) MarshalBinary() ([]byte, error) {
	e := newStateEncoderVersion(l.name, linRegStateVersion)
	l.encodeScalar(e)
	// The ring: the count, then the values oldest first; then the sums.
	e.int(l.cnt)
	for _, v := range l.window(nil) {
		e.f64(v)
	}
	e.f64(l.s.y)
	e.f64(l.s.yLo)
	e.f64(l.s.xy)
	e.f64(l.s.xyLo)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (l *LinReg) UnmarshalBinary(data []byte) error {
	d, version := newStateDecoderVersions(data, l.name, linRegStateVersion, stateVersion)
	l.decodeScalar(d)
	n := d.int()
	if d.err == nil && (n < 0 || n > l.period) {
		d.fail("ring length out of range")
	}
	if d.err != nil {
		return d.err
	}
	vals := make([]float64, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		vals = append(vals, d.f64())
	}
	var s linRegSums
	if version == linRegStateVersion {
		s = linRegSums{y: d.f64(), yLo: d.f64(), xy: d.f64(), xyLo: d.f64()}
	}
	if err := d.finish(); err != nil {
		return err
	}
	l.head, l.cnt, l.s = 0, 0, linRegSums{}
	for _, v := range vals {
		l.s, _ = l.step(v)
		l.buf[l.head] = v
		if l.head++; l.head == l.period {
			l.head = 0
		}
		l.cnt++
	}
	if version == linRegStateVersion {
		l.s = s
	}
	return nil
}
