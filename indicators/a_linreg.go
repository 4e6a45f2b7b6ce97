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
// cost per bar equals TA-Lib's own batch cost per bar. To make that loop as
// cheap as TA-Lib's (a straight walk over an array), the window is kept
// twice over in a buffer of 2*period, each value written at its slot and
// period slots later, so the window is always one contiguous slice, and the
// x weights are precomputed floats: no wrap test, no int-to-float
// conversion per term, and the same additions in the same order.
//
// A LinReg is not safe for concurrent use.
type LinReg struct {
	scalar
	kind                  linRegKind
	period                int
	sumX, divisor, floatP float64
	buf                   []float64 // 2*period: slot i and i+period hold the same input
	head                  int       // slot of the next input, 0..period-1
	cnt                   int       // inputs held, up to period
	xs                    []float64 // xs[j] = period-1-j: the x of window position j, oldest first
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
	l := &LinReg{kind: k, period: period, floatP: p, buf: make([]float64, 2*period), xs: make([]float64, period)}
	for j := range l.xs {
		l.xs[j] = float64(period - 1 - j)
	}
	// TA-Lib C computes SumXSqr in int arithmetic, which overflows for
	// period > 1024; float64 is exact here for every period in range.
	l.sumX = p * (p - 1) * 0.5
	sumXSqr := p * (p - 1) * (2*p - 1) / 6
	l.divisor = l.sumX*l.sumX - p*sumXSqr
	l.init(specName(fn, src, p), src, period-1)
	return l, nil
}

// window returns the inputs held, oldest first (all period of them once
// full).
func (l *LinReg) window() []float64 {
	if l.cnt < l.period {
		return l.buf[:l.cnt]
	}
	return l.buf[l.head : l.head+l.period]
}

// push appends v to the window, dropping the oldest when full.
func (l *LinReg) push(v float64) {
	h := l.head
	l.buf[h] = v
	l.buf[h+l.period] = v
	if h++; h == l.period {
		h = 0
	}
	l.head = h
	if l.cnt < l.period {
		l.cnt++
	}
}

// fit is the regression over w (oldest first) followed by v when extra;
// len(w) is period, or period-1 with extra. x counts bars back from the
// newest, as in TA-Lib, whose loop this is term for term.
func (l *LinReg) fit(w []float64, v float64, extra bool) float64 {
	var sumXY, sumY float64
	xs := l.xs[:len(w)]
	// Unrolled by four (the compiler does not unroll): fewer loop
	// instructions between the two chains of dependent additions, which
	// lets the CPU overlap one Update's chains with the next one's. The
	// additions stay in order.
	j := 0
	for ; j+4 <= len(w); j += 4 {
		y0, y1, y2, y3 := w[j], w[j+1], w[j+2], w[j+3]
		x0, x1, x2, x3 := xs[j], xs[j+1], xs[j+2], xs[j+3]
		sumY += y0
		sumXY += x0 * y0
		sumY += y1
		sumXY += x1 * y1
		sumY += y2
		sumXY += x2 * y2
		sumY += y3
		sumXY += x3 * y3
	}
	for ; j < len(w); j++ {
		sumY += w[j]
		sumXY += xs[j] * w[j]
	}
	if extra {
		sumY += v
		sumXY += l.xs[len(l.xs)-1] * v
	}
	return l.line(sumXY, sumY)
}

// line turns the sums into the output of l's kind.
func (l *LinReg) line(sumXY, sumY float64) float64 {
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
	return b + m*float64(l.period-1)
}

// Next consumes v and returns the value, or NaN during the lookback.
func (l *LinReg) Next(v float64) float64 {
	l.push(v)
	if l.cnt < l.period {
		return l.emit(nan)
	}
	return l.emit(l.fit(l.buf[l.head:l.head+l.period], 0, false))
}

// PeekNext returns what Next(v) would return, without changing state.
func (l *LinReg) PeekNext(v float64) float64 {
	if l.cnt < l.period-1 {
		return nan
	}
	w := l.window()
	if len(w) == l.period {
		w = w[1:]
	}
	return l.fit(w, v, true)
}

// Update implements Indicator.
func (l *LinReg) Update(in Input) { l.Next(readA(l.src, &in)) }

// Peek implements Indicator.
func (l *LinReg) Peek(in Input, out []float64) bool {
	out[0] = l.PeekNext(readA(l.src, &in))
	return l.peekReady()
}

// Reset implements Indicator.
func (l *LinReg) Reset() { l.resetScalar(); l.head, l.cnt = 0, 0 }

// MarshalBinary implements Indicator.
func (l *LinReg) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(l.name)
	l.encodeScalar(e)
	// The ring format: the count, then the values oldest first.
	w := l.window()
	e.int(len(w))
	for _, v := range w {
		e.f64(v)
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (l *LinReg) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, l.name)
	l.decodeScalar(d)
	n := d.int()
	if n < 0 || n > l.period {
		d.fail("ring length out of range")
		return d.finish()
	}
	l.head, l.cnt = 0, 0
	for i := 0; i < n; i++ {
		l.push(d.f64())
	}
	return d.finish()
}
