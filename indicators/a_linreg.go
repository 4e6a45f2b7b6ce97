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
// Each update sums the window afresh, O(period), exactly as TA-Lib C does:
// running sums (go-talib's shortcut) round differently, drift over long
// runs, and lose all relative precision in the slope of a flat window. The
// cost per bar equals TA-Lib's own batch cost per bar.
//
// A LinReg is not safe for concurrent use.
type LinReg struct {
	scalar
	kind                  linRegKind
	period                int
	sumX, divisor, floatP float64
	win                   ring // the last period inputs
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
	l := &LinReg{kind: k, period: period, floatP: p, win: newRing(period)}
	// TA-Lib C computes SumXSqr in int arithmetic, which overflows for
	// period > 1024; float64 is exact here for every period in range.
	l.sumX = p * (p - 1) * 0.5
	sumXSqr := p * (p - 1) * (2*p - 1) / 6
	l.divisor = l.sumX*l.sumX - p*sumXSqr
	l.init(specName(fn, src, p), src, period-1)
	return l, nil
}

// calc fits the window (oldest first) followed by v when extra, else the
// window alone; x counts bars back from the newest, as in TA-Lib.
func (l *LinReg) calc(v float64, extra bool) float64 {
	var sumXY, sumY float64
	n := l.period
	for i := n - 1; i >= 0; i-- {
		var y float64
		switch {
		case !extra:
			y = l.win.back(i)
		case i == 0:
			y = v
		default:
			y = l.win.back(i - 1)
		}
		sumY += y
		sumXY += float64(i) * y
	}
	m := (l.floatP*sumXY - l.sumX*sumY) / l.divisor
	switch l.kind {
	case lrSlope:
		return m
	case lrAngle:
		return math.Atan(m) * (180.0 / math.Pi)
	}
	b := (sumY - m*l.sumX) / l.floatP
	switch l.kind {
	case lrIntercept:
		return b
	case lrTSF:
		return b + m*l.floatP
	}
	return b + m*float64(n-1)
}

// Next consumes v and returns the value, or NaN during the lookback.
func (l *LinReg) Next(v float64) float64 {
	l.win.push(v)
	if !l.win.full() {
		return l.emit(nan)
	}
	return l.emit(l.calc(0, false))
}

// PeekNext returns what Next(v) would return, without changing state.
func (l *LinReg) PeekNext(v float64) float64 {
	if l.win.len() < l.period-1 {
		return nan
	}
	return l.calc(v, true)
}

// Update implements Indicator.
func (l *LinReg) Update(in Input) { l.Next(readA(l.src, in)) }

// Peek implements Indicator.
func (l *LinReg) Peek(in Input, out []float64) bool {
	out[0] = l.PeekNext(readA(l.src, in))
	return l.peekReady()
}

// Reset implements Indicator.
func (l *LinReg) Reset() { l.resetScalar(); l.win.reset() }

// MarshalBinary implements Indicator.
func (l *LinReg) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(l.name)
	l.encodeScalar(e)
	l.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (l *LinReg) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, l.name)
	l.decodeScalar(d)
	l.win.decode(d)
	return d.finish()
}
