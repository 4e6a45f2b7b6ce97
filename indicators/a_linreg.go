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
// TA-Lib C re-sums the window every bar, O(period). LinReg is O(1)
// amortised: it slides the two sums TA-Lib forms. TA-Lib's x counts bars
// back from the newest (the newest has x = 0, the oldest x = period-1), so
// when y enters and y_out leaves, every remaining point's x grows by one and
//
//	ΣXY' = ΣXY + ΣY - period*y_out      (ΣY before the step)
//	ΣY'  = ΣY + y - y_out
//
// Plain float64 running sums of the prices (go-talib's shortcut) drift:
// every step rounds at the magnitude of period*price, the errors
// accumulate without bound over a long series, and the slope's numerator
// period*ΣXY - ΣX*ΣY cancels them into relative errors of 1e-7 (see
// deviations.md). LinReg avoids both halves of that, cheaply:
//
//   - It sums d = y - A, the values relative to an anchor A (a recent
//     input), not y. The slope does not depend on A (Σ(x-h) = 0 for
//     h = (period-1)/2), so it is formed from the small sums alone, as
//     period*(ΣXD - h*ΣD)/divisor; the line's level adds A back once.
//     Within a factor of 2 of A the subtraction y - A is exact (Sterbenz),
//     so every term enters exactly and every rounding is at the magnitude
//     of the window's variation, not of the price (on 5-minute bars
//     ~100x smaller), far below TA-Lib's own re-sum error, which
//     dominates the difference to it.
//   - Every max(period, 32) inputs (linRegReanchorMin) it re-anchors
//     (A = the newest input, if finite) and re-sums the window in
//     TA-Lib's order: O(period) once per at least period inputs, so
//     rounding never accumulates over more than period+32 steps however
//     long the series, and a NaN or infinity leaves the sums within that
//     many bars after it left the window.
//   - When the window becomes flat (period equal inputs: a feed repeating
//     its last close through a gap) it re-anchors to that value in O(1):
//     the sums are then exactly 0, so a flat window gives a slope and
//     angle of exactly 0 and the value itself as the line, as Peek does.
//
// Every output is then base + cY*ΣD + cXY*ΣXD (base = A for the line,
// intercept and forecast, 0 for the slope), with atan for the angle: the
// step is ~12 floating-point operations where the double-double sums of
// the previous version took ~45. Outputs are within the package's
// contract of TA-Lib C (1e-9 relative, or absolute near 0) at every index
// of every golden and of 1M-bar walks at price levels from 0.01 to 1e5,
// but not bit-equal to it (linreg_test.go); against 256-bit regressions
// the slope is >= 10x nearer the truth than TA-Lib C's own re-sum. During
// the warm-up the same step runs with nothing leaving, so a window fills
// without a special case.
//
// Snapshots carry the window, the anchor, the two sums and the re-anchor
// counters (version 4, see linRegStateVersion); version-3 and version-2
// snapshots of earlier implementations are still read.
//
// A LinReg is not safe for concurrent use.
type LinReg struct {
	scalar
	kind   linRegKind
	period int
	floatP float64
	// The output is linear in the sums: base + cY*ΣD + cXY*ΣXD, with base
	// = cA*A, then atan for the angle (see newLinReg).
	cY, cXY, cA, base float64
	anchor            float64   // A: the sums are of y - A
	sy, sxy           float64   // ΣD and ΣXD over the window, D = y - A
	buf               []float64 // ring of the last period inputs (as given, not relative to A)
	head              int       // slot of the oldest input once full, of the next one always
	every             int       // re-anchor interval: max(period, linRegReanchorMin)
	age               int       // inputs since the last re-anchor
	last              float64   // the newest input (NaN when none)
	run               int       // how many inputs before it repeat it, saturating at period
}

// linRegReanchorMin is the shortest re-anchor interval. Re-anchoring
// costs a re-sum of the window; every 32 inputs it is under one
// operation a bar for the default periods, and the rounding it clears
// has grown over at most 32+period steps, at the magnitude of the
// window's variation (the tests measure it: >= 10x below TA-Lib C's own;
// every 128 inputs it was only 2x below on BTC prices).
const linRegReanchorMin = 32

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
	l := &LinReg{kind: k, period: period, floatP: p, buf: make([]float64, period)}
	// TA-Lib C computes SumXSqr in int arithmetic, which overflows for
	// period > 1024; float64 is exact here for every period in range.
	sumX := p * (p - 1) * 0.5
	sumXSqr := p * (p - 1) * (2*p - 1) / 6
	divisor := sumX*sumX - p*sumXSqr
	// TA-Lib: m = (period*ΣXY - ΣX*ΣY)/divisor and b = (ΣY - m*ΣX)/period.
	// With ΣX = period*h, h = (period-1)/2, ΣY = period*A + ΣD and
	// ΣXY = ΣX*A + ΣXD, the anchor cancels from m:
	//
	//	m = mS*(ΣXD - h*ΣD), mS = period/divisor
	//	b = A + ΣD/period - h*m
	//
	// and every output is base + cY*ΣD + cXY*ΣXD: four operations a bar
	// instead of a switch over the formulas. The coefficients round once
	// each; they multiply the window's variation, not its level, so that
	// is ~1e-16 of the variation.
	h, mS := (p-1)*0.5, p/divisor
	slopeY, slopeXY := -h*mS, mS
	interY, interXY := 1/p-h*slopeY, -h*slopeXY
	switch k {
	case lrSlope, lrAngle:
		l.cY, l.cXY = slopeY, slopeXY
	case lrIntercept:
		l.cY, l.cXY, l.cA = interY, interXY, 1
	case lrTSF: // b + m*period
		l.cY, l.cXY, l.cA = interY+p*slopeY, interXY+p*slopeXY, 1
	default: // b + m*(period-1)
		l.cY, l.cXY, l.cA = interY+(p-1)*slopeY, interXY+(p-1)*slopeXY, 1
	}
	l.every = max(period, linRegReanchorMin)
	l.init(specName(fn, src, p), src, period-1)
	l.Reset()
	return l, nil
}

// slide returns ΣD and ΣXD after v enters the window. It changes
// nothing, so that Next and PeekNext share it and a Peek equals the next
// Update bit for bit. While the window is not full nothing leaves (d_out
// counts as 0).
func (l *LinReg) slide(v float64) (sy, sxy float64) {
	if l.n == l.period { // the window is full (scalar's n: inputs held)
		return l.slideOut(v, l.buf[l.head])
	}
	return l.sy + (v - l.anchor), l.sxy + l.sy
}

// slideOut is slide with out leaving the window.
func (l *LinReg) slideOut(v, out float64) (sy, sxy float64) {
	outD := out - l.anchor
	return l.sy + ((v - l.anchor) - outD), l.sxy + (l.sy - l.floatP*outD)
}

// flatAfter reports whether the window, once v enters, holds period equal
// finite values (a feed repeating its last close through a gap). Its
// sums relative to the anchor v are then exactly 0, an O(1) re-anchor
// that gives a slope of exactly 0 and the value itself as the line.
func (l *LinReg) flatAfter(v float64) bool {
	return v == l.last && l.run >= l.period-2 && v-v == 0
}

// output is l's kind for base (cA*A) and the sums (meaningless until the
// window is full), except the angle's atan (see angle): small enough to
// inline.
func (l *LinReg) output(base, sy, sxy float64) float64 {
	return base + (l.cY*sy + l.cXY*sxy)
}

// angle turns output's slope into TA_LINEARREG_ANGLE's degrees for that
// kind, and passes every other kind through. It is a call only for the
// angle (math.Atan), so Next stays one call deep for the rest.
func (l *LinReg) angle(r float64) float64 {
	if l.kind == lrAngle {
		return math.Atan(r) * (180.0 / math.Pi)
	}
	return r
}

// reanchor makes the newest input the anchor (0 if it is not finite, so
// that one bad input cannot poison the sums past its window) and re-sums
// the window relative to it in TA-Lib's order, oldest first.
func (l *LinReg) reanchor() {
	newest := l.head - 1
	if newest < 0 {
		newest = l.period - 1
	}
	a := l.buf[newest]
	if a-a != 0 { // NaN or ±Inf
		a = 0
	}
	var sy, sxy float64
	for i := l.n - 1; i >= 0; i-- { // x = i bars back from the newest
		j := newest - i
		if j < 0 {
			j += l.period
		}
		d := l.buf[j] - a
		sy += d
		sxy += float64(i) * d
	}
	l.anchor, l.base, l.sy, l.sxy, l.age = a, l.cA*a, sy, sxy, 0
}

// Next consumes v and returns the value, or NaN during the lookback.
// The steady state (the window full) is written out for the fewest
// instructions: the ring slot is read and written once, the output is
// stored without emit's warm-up branch, and only the periodic re-anchor
// is out of line; the warm-up is warm.
func (l *LinReg) Next(v float64) float64 {
	if l.n < l.period {
		return l.warm(v)
	}
	buf, h := l.buf, l.head
	var sy, sxy float64 // 0 when flat
	if l.flatAfter(v) {
		l.anchor, l.base, l.age = v, l.cA*v, 0
	} else {
		sy, sxy = l.slideOut(v, buf[h])
	}
	l.sy, l.sxy = sy, sxy
	buf[h] = v
	if h++; h == len(buf) {
		h = 0
	}
	l.head = h
	l.repeat(v)
	r := l.angle(l.output(l.base, sy, sxy))
	l.value = r
	if l.age++; l.age >= l.every {
		l.reanchor()
	}
	return r
}

// warm is Next while the window fills: the same step with nothing
// leaving.
func (l *LinReg) warm(v float64) float64 {
	var sy, sxy float64 // 0 when flat
	if l.flatAfter(v) {
		l.anchor, l.base, l.age = v, l.cA*v, 0
	} else {
		sy, sxy = l.slide(v)
	}
	l.sy, l.sxy = sy, sxy
	l.buf[l.head] = v
	if l.head++; l.head == l.period {
		l.head = 0
	}
	l.repeat(v)
	r := l.emit(l.angle(l.output(l.base, sy, sxy)))
	if l.age++; l.age >= l.every {
		l.reanchor()
	}
	return r
}

// repeat counts the inputs before v that equal it (see flatAfter).
func (l *LinReg) repeat(v float64) {
	if v == l.last {
		l.run = min(l.run+1, l.period)
	} else {
		l.run = 0
	}
	l.last = v
}

// PeekNext returns what Next(v) would return, without changing state.
func (l *LinReg) PeekNext(v float64) float64 {
	if l.n < l.period-1 {
		return nan
	}
	if l.flatAfter(v) {
		return l.angle(l.output(l.cA*v, 0, 0))
	}
	sy, sxy := l.slide(v)
	return l.angle(l.output(l.base, sy, sxy))
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
	l.head = 0
	l.clearSums()
}

// clearSums empties the sums for an empty window. The first input then
// re-anchors (to itself), so the warm-up sums are already relative to the
// series' level.
func (l *LinReg) clearSums() {
	l.anchor, l.base, l.sy, l.sxy = 0, 0, 0, 0
	l.age, l.last, l.run = l.every-1, nan, 0
}

// window returns the inputs held, oldest first, appended to dst.
func (l *LinReg) window(dst []float64) []float64 {
	if l.n < l.period {
		return append(dst, l.buf[:l.n]...)
	}
	dst = append(dst, l.buf[l.head:]...)
	return append(dst, l.buf[:l.head]...)
}

// linRegStateVersion is LinReg's snapshot version: 4 writes, after the
// window, the anchor, ΣD, ΣXD, the inputs since the last re-anchor and
// the repeats of the newest input (the newest input itself is the
// window's last). Older versions are still read, the sums rebuilt from
// the window by a re-anchor (the continuation is then within rounding of
// an uninterrupted run, not bit for bit): 3, the window and the four
// double-double sums of the previous implementation (which are skipped),
// and 2 (stateVersion), the window alone from the O(period)
// implementation.
const linRegStateVersion = 4

// linRegStateV3 is the version of the double-double implementation.
const linRegStateV3 = 3

// MarshalBinary implements Indicator.
func (l *LinReg) MarshalBinary() ([]byte, error) {
	e := newStateEncoderVersion(l.name, linRegStateVersion)
	l.encodeScalar(e)
	// The ring: the count, then the values oldest first; then the sums.
	e.int(l.n)
	for _, v := range l.window(nil) {
		e.f64(v)
	}
	e.f64(l.anchor)
	e.f64(l.sy)
	e.f64(l.sxy)
	e.int(l.age)
	e.int(l.run)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (l *LinReg) UnmarshalBinary(data []byte) error {
	d, version := newStateDecoderVersions(data, l.name, linRegStateVersion, linRegStateV3, stateVersion)
	l.decodeScalar(d)
	n := d.int()
	if d.err == nil && n != l.n {
		// The window holds every input up to period, as many as the
		// scalar counts (its n saturates at lookback+1 = period).
		d.fail("ring length does not match the input count")
	}
	if d.err != nil {
		return d.err
	}
	vals := make([]float64, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		vals = append(vals, d.f64())
	}
	var anchor, sy, sxy float64
	var age, run int
	switch version {
	case linRegStateVersion:
		anchor, sy, sxy, age, run = d.f64(), d.f64(), d.f64(), d.int(), d.int()
		if d.err == nil && (age < 0 || age >= l.every || run < 0 || run > l.period) {
			d.fail("re-anchor phase out of range")
		}
	case linRegStateV3:
		for range 4 {
			d.f64()
		}
	}
	if err := d.finish(); err != nil {
		return err
	}
	// The window oldest first from slot 0: the next slot is n, or 0 (the
	// oldest) when full.
	copy(l.buf, vals)
	l.head = n % l.period
	l.clearSums()
	if n == 0 {
		return nil
	}
	l.last = vals[n-1]
	if version == linRegStateVersion {
		l.anchor, l.base, l.sy, l.sxy, l.age, l.run = anchor, l.cA*anchor, sy, sxy, age, run
		return nil
	}
	for i := n - 2; i >= 0 && vals[i] == l.last; i-- {
		l.run++
	}
	l.reanchor()
	return nil
}
