package indicators

import "math"

// mamaState is the whole state of TA-Lib's TA_MAMA loop (Ehlers' MESA
// adaptive moving average): the 4-bar WMA smoother, the four Hilbert
// transforms with their odd/even-bar buffers, the homodyne period estimate
// and the two averages. It is a value: Peek steps a copy.
type mamaState struct {
	n                    int        // inputs consumed: TA-Lib's today
	hist                 [4]float64 // the last 4 inputs, at index n%4
	wSub, wSum, trailing float64    // the WMA smoother's sums and trailing value
	hilbertIdx           int

	detOdd, detEven, q1Odd, q1Even, jIOdd, jIEven, jQOdd, jQEven [3]float64

	prevDetOdd, prevDetEven, prevDetInOdd, prevDetInEven float64
	prevQ1Odd, prevQ1Even, prevQ1InOdd, prevQ1InEven     float64
	prevJIOdd, prevJIEven, prevJIInOdd, prevJIInEven     float64
	prevJQOdd, prevJQEven, prevJQInOdd, prevJQInEven     float64

	period, prevI2, prevQ2, re, im, mama, fama       float64
	i1OddPrev3, i1EvenPrev3, i1OddPrev2, i1EvenPrev2 float64
	prevPhase                                        float64
}

// mamaParams are the constants of the loop.
type mamaParams struct {
	fast, slow, a, b, rad2Deg float64
}

func newMAMAParams(fast, slow float64) mamaParams {
	one := 1.0
	return mamaParams{fast: fast, slow: slow, a: 0.0962, b: 0.5769, rad2Deg: 180.0 / (4.0 * math.Atan(one))}
}

// hilbert is TA-Lib's DO_HILBERT_ODD/EVEN macro for one transform: buf is
// the odd or even 3-slot buffer, prev and prevIn its previous output term
// and input.
func hilbert(p *mamaParams, buf *[3]float64, idx int, prev, prevIn *float64, input, adj float64) float64 {
	t := p.a * input
	v := -buf[idx]
	buf[idx] = t
	v += t
	v -= *prev
	*prev = p.b * *prevIn
	v += *prev
	*prevIn = input
	v *= adj
	return v
}

// step consumes v and reports whether the loop produced mama and fama (from
// the 13th input on; the caller withholds them until its lookback).
func (s *mamaState) step(p *mamaParams, v float64) bool {
	today := s.n
	s.n++
	s.hist[today&3] = v
	switch {
	case today == 0:
		s.wSub, s.wSum = v, v
		return false
	case today == 1:
		s.wSub += v
		s.wSum += v * 2.0
		return false
	case today == 2:
		s.wSub += v
		s.wSum += v * 3.0
		return false
	case today < 12: // TA-Lib's nine warm-up rounds of the smoother
		s.wSub += v
		s.wSub -= s.trailing
		s.wSum += v * 4.0
		s.trailing = s.hist[(today-3)&3]
		s.wSum -= s.wSub
		return false
	}
	adj := (0.075 * s.period) + 0.54
	s.wSub += v
	s.wSub -= s.trailing
	s.wSum += v * 4.0
	s.trailing = s.hist[(today-3)&3]
	smoothed := s.wSum * 0.1
	s.wSum -= s.wSub

	var q1, jI, jQ, q2, i2, phase float64
	if today%2 == 0 {
		det := hilbert(p, &s.detEven, s.hilbertIdx, &s.prevDetEven, &s.prevDetInEven, smoothed, adj)
		q1 = hilbert(p, &s.q1Even, s.hilbertIdx, &s.prevQ1Even, &s.prevQ1InEven, det, adj)
		jI = hilbert(p, &s.jIEven, s.hilbertIdx, &s.prevJIEven, &s.prevJIInEven, s.i1EvenPrev3, adj)
		jQ = hilbert(p, &s.jQEven, s.hilbertIdx, &s.prevJQEven, &s.prevJQInEven, q1, adj)
		s.hilbertIdx++
		if s.hilbertIdx == 3 {
			s.hilbertIdx = 0
		}
		q2 = (0.2 * (q1 + jI)) + (0.8 * s.prevQ2)
		i2 = (0.2 * (s.i1EvenPrev3 - jQ)) + (0.8 * s.prevI2)
		s.i1OddPrev3 = s.i1OddPrev2
		s.i1OddPrev2 = det
		if s.i1EvenPrev3 != 0.0 {
			phase = math.Atan(q1/s.i1EvenPrev3) * p.rad2Deg
		}
	} else {
		det := hilbert(p, &s.detOdd, s.hilbertIdx, &s.prevDetOdd, &s.prevDetInOdd, smoothed, adj)
		q1 = hilbert(p, &s.q1Odd, s.hilbertIdx, &s.prevQ1Odd, &s.prevQ1InOdd, det, adj)
		jI = hilbert(p, &s.jIOdd, s.hilbertIdx, &s.prevJIOdd, &s.prevJIInOdd, s.i1OddPrev3, adj)
		jQ = hilbert(p, &s.jQOdd, s.hilbertIdx, &s.prevJQOdd, &s.prevJQInOdd, q1, adj)
		q2 = (0.2 * (q1 + jI)) + (0.8 * s.prevQ2)
		i2 = (0.2 * (s.i1OddPrev3 - jQ)) + (0.8 * s.prevI2)
		s.i1EvenPrev3 = s.i1EvenPrev2
		s.i1EvenPrev2 = det
		if s.i1OddPrev3 != 0.0 {
			phase = math.Atan(q1/s.i1OddPrev3) * p.rad2Deg
		}
	}
	alpha := s.prevPhase - phase
	s.prevPhase = phase
	if alpha < 1.0 {
		alpha = 1.0
	}
	if alpha > 1.0 {
		alpha = p.fast / alpha
		if alpha < p.slow {
			alpha = p.slow
		}
	} else {
		alpha = p.fast
	}
	s.mama = (alpha * v) + ((1 - alpha) * s.mama)
	alpha *= 0.5
	s.fama = (alpha * s.mama) + ((1 - alpha) * s.fama)

	s.re = (0.2 * ((i2 * s.prevI2) + (q2 * s.prevQ2))) + (0.8 * s.re)
	s.im = (0.2 * ((i2 * s.prevQ2) - (q2 * s.prevI2))) + (0.8 * s.im)
	s.prevQ2 = q2
	s.prevI2 = i2
	prev := s.period
	if s.im != 0.0 && s.re != 0.0 {
		s.period = 360.0 / (math.Atan(s.im/s.re) * p.rad2Deg)
	}
	if t := 1.5 * prev; s.period > t {
		s.period = t
	}
	if t := 0.67 * prev; s.period < t {
		s.period = t
	}
	if s.period < 6 {
		s.period = 6
	} else if s.period > 50 {
		s.period = 50
	}
	s.period = (0.2 * s.period) + (0.8 * prev)
	return true
}

func (s *mamaState) encode(e *stateEncoder) {
	e.int(s.n)
	for _, v := range s.hist {
		e.f64(v)
	}
	e.int(s.hilbertIdx)
	for _, a := range []*[3]float64{&s.detOdd, &s.detEven, &s.q1Odd, &s.q1Even, &s.jIOdd, &s.jIEven, &s.jQOdd, &s.jQEven} {
		for _, v := range a {
			e.f64(v)
		}
	}
	for _, v := range s.scalars() {
		e.f64(*v)
	}
}

func (s *mamaState) decode(d *stateDecoder) {
	s.n = d.int()
	for i := range s.hist {
		s.hist[i] = d.f64()
	}
	s.hilbertIdx = d.int()
	for _, a := range []*[3]float64{&s.detOdd, &s.detEven, &s.q1Odd, &s.q1Even, &s.jIOdd, &s.jIEven, &s.jQOdd, &s.jQEven} {
		for i := range a {
			a[i] = d.f64()
		}
	}
	for _, v := range s.scalars() {
		*v = d.f64()
	}
	if s.n < 0 || s.hilbertIdx < 0 || s.hilbertIdx > 2 {
		d.fail("mama state out of range")
	}
}

// scalars lists the float fields in snapshot order.
func (s *mamaState) scalars() []*float64 {
	return []*float64{&s.wSub, &s.wSum, &s.trailing,
		&s.prevDetOdd, &s.prevDetEven, &s.prevDetInOdd, &s.prevDetInEven,
		&s.prevQ1Odd, &s.prevQ1Even, &s.prevQ1InOdd, &s.prevQ1InEven,
		&s.prevJIOdd, &s.prevJIEven, &s.prevJIInOdd, &s.prevJIInEven,
		&s.prevJQOdd, &s.prevJQEven, &s.prevJQInOdd, &s.prevJQInEven,
		&s.period, &s.prevI2, &s.prevQ2, &s.re, &s.im, &s.mama, &s.fama,
		&s.i1OddPrev3, &s.i1EvenPrev3, &s.i1OddPrev2, &s.i1EvenPrev2, &s.prevPhase}
}

var outputsMAMA = []string{"mama", "fama"}

// MAMA is Ehlers' MESA adaptive moving average, TA-Lib TA_MAMA: a 4-bar WMA
// smoother, Hilbert transforms on alternating odd/even bars, a homodyne
// estimate of the dominant cycle, and an EMA whose factor follows the phase
// rate between slowlimit and fastlimit. Outputs "mama" and "fama" (the
// following average, at half the factor). It is a straight port of TA-Lib's
// loop in the same operation order; the parity of the bar index matters, as
// in TA-Lib, counted from the first input. Lookback is 32 plus Settings'
// "MAMA" unstable period.
//
// A MAMA is not safe for concurrent use.
type MAMA struct {
	multi
	p  mamaParams
	st mamaState
}

// NewMAMA returns TA-Lib's MAMA(fastlimit, slowlimit) over src, both limits
// 0.01..0.99 (defaults 0.5 and 0.05).
func NewMAMA(fast, slow float64, src Source, set Settings) (*MAMA, error) {
	if err := checkRange("mama", "fastlimit", fast, 0.01, 0.99); err != nil {
		return nil, err
	}
	if err := checkRange("mama", "slowlimit", slow, 0.01, 0.99); err != nil {
		return nil, err
	}
	m := &MAMA{p: newMAMAParams(fast, slow)}
	m.init(specName("mama", src, fast, slow), src, outputsMAMA, 32+unstableA(set, "MAMA"))
	return m, nil
}

// Next consumes v and returns mama and fama (NaN during the lookback).
func (m *MAMA) Next(v float64) (mama, fama float64) {
	m.st.step(&m.p, v)
	if m.advance() {
		m.vals[0], m.vals[1] = m.st.mama, m.st.fama
	}
	return m.vals[0], m.vals[1]
}

// Update implements Indicator.
func (m *MAMA) Update(in Input) { m.Next(readA(m.src, &in)) }

// Peek implements Indicator.
func (m *MAMA) Peek(in Input, out []float64) bool {
	if !m.peekReady() {
		return m.peekNaN(out)
	}
	st := m.st
	st.step(&m.p, readA(m.src, &in))
	out[0], out[1] = st.mama, st.fama
	return true
}

// Reset implements Indicator.
func (m *MAMA) Reset() { m.resetMulti(); m.st = mamaState{} }

// MarshalBinary implements Indicator.
func (m *MAMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(m.name)
	m.encodeMulti(e)
	m.st.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (m *MAMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, m.name)
	m.decodeMulti(d)
	m.st.decode(d)
	return d.finish()
}

// mamaSeries is TA_MA with MAMA: the mama line of MAMA(0.5, 0.05); the
// period is ignored, as TA-Lib ignores it.
type mamaSeries struct {
	scalar
	p  mamaParams
	st mamaState
}

func newMAMASeries(period int, set Settings) *mamaSeries {
	s := &mamaSeries{p: newMAMAParams(0.5, 0.05)}
	s.init(specName("mama_ma", SourceClose, float64(period)), SourceClose, 32+unstableA(set, "MAMA"))
	return s
}

func (s *mamaSeries) Next(v float64) float64 {
	s.st.step(&s.p, v)
	return s.emit(s.st.mama)
}

func (s *mamaSeries) PeekNext(v float64) float64 {
	st := s.st
	st.step(&s.p, v)
	return s.peekEmit(st.mama)
}

func (s *mamaSeries) Update(in Input) { s.Next(readA(s.src, &in)) }
func (s *mamaSeries) Peek(in Input, out []float64) bool {
	out[0] = s.PeekNext(readA(s.src, &in))
	return s.peekReady()
}
func (s *mamaSeries) Reset() { s.resetScalar(); s.st = mamaState{} }
func (s *mamaSeries) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(s.name)
	s.encodeScalar(e)
	s.st.encode(e)
	return e.bytes()
}
func (s *mamaSeries) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, s.name)
	s.decodeScalar(d)
	s.st.decode(d)
	return d.finish()
}
