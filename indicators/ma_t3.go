package indicators

// T3 is Tillson's T3, TA-Lib TA_T3: six EMAs in cascade with
// k = 2/(period+1), each seeded with the average of its first period inputs,
// combined as c1*e6 + c2*e5 + c3*e4 + c4*e3 with TA-Lib's coefficients from
// vfactor. TA-Lib writes the EMA step as (k*v)+((1-k)*e), not EMA's form, and
// so does T3. Lookback is 6*(period-1) plus Settings' "T3" unstable period.
//
// A T3 is not safe for concurrent use.
type T3 struct {
	scalar
	period         int
	vfactor        float64
	k, oneMinusK   float64
	c1, c2, c3, c4 float64
	e              [6]float64 // seed sums, then the EMAs
	cnt            [6]int     // inputs folded into each seed, up to period
}

var _ stage = (*T3)(nil)

// NewT3 returns a T3 over period (2..100000) values of src with vfactor
// (0..1, TA-Lib's default 0.7).
func NewT3(period int, vfactor float64, src Source, set Settings) (*T3, error) {
	if err := checkPeriod("t3", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	if err := checkRange("t3", "vfactor", vfactor, 0, 1); err != nil {
		return nil, err
	}
	t := &T3{period: period, vfactor: vfactor}
	t.k = 2.0 / (float64(period) + 1.0)
	t.oneMinusK = 1.0 - t.k
	sq := vfactor * vfactor
	t.c1 = -(sq * vfactor)
	t.c2 = 3.0 * (sq - t.c1)
	t.c3 = -6.0*sq - 3.0*(vfactor-t.c1)
	t.c4 = 1.0 + 3.0*vfactor - t.c1 + 3.0*sq
	t.init(specName("t3", src, float64(period), vfactor), src, 6*(period-1)+unstableA(set, "T3"))
	return t, nil
}

// step advances the cascade e/cnt by v and reports whether all six EMAs are
// seeded.
func (t *T3) step(e *[6]float64, cnt *[6]int, v float64) bool {
	if cnt[5] == t.period { // all seeded: the straight cascade
		k, m := t.k, t.oneMinusK
		e[0] = (k * v) + (m * e[0])
		e[1] = (k * e[0]) + (m * e[1])
		e[2] = (k * e[1]) + (m * e[2])
		e[3] = (k * e[2]) + (m * e[3])
		e[4] = (k * e[3]) + (m * e[4])
		e[5] = (k * e[4]) + (m * e[5])
		return true
	}
	x := v
	p := t.period
	for j := 0; j < 6; j++ {
		if cnt[j] < p {
			e[j] += x
			cnt[j]++
			if cnt[j] < p {
				return false
			}
			e[j] /= float64(p)
		} else {
			e[j] = (t.k * x) + (t.oneMinusK * e[j])
		}
		x = e[j]
	}
	return true
}

func (t *T3) combine(e *[6]float64) float64 {
	return t.c1*e[5] + t.c2*e[4] + t.c3*e[3] + t.c4*e[2]
}

// Next consumes v and returns the T3, or NaN during the lookback.
func (t *T3) Next(v float64) float64 {
	if !t.step(&t.e, &t.cnt, v) {
		return t.emit(nan)
	}
	return t.emit(t.combine(&t.e))
}

// PeekNext returns what Next(v) would return, without changing state.
func (t *T3) PeekNext(v float64) float64 {
	e, cnt := t.e, t.cnt
	if !t.step(&e, &cnt, v) {
		return nan
	}
	return t.peekEmit(t.combine(&e))
}

// Update implements Indicator.
//
// The steady state (all six EMAs seeded) is step's straight cascade written
// out here, a call fewer per bar.
func (t *T3) Update(in Input) {
	v := readA(t.src, &in)
	if t.cnt[5] != t.period {
		t.Next(v)
		return
	}
	k, m := t.k, t.oneMinusK
	e := &t.e
	e0 := (k * v) + (m * e[0])
	e1 := (k * e0) + (m * e[1])
	e2 := (k * e1) + (m * e[2])
	e3 := (k * e2) + (m * e[3])
	e4 := (k * e3) + (m * e[4])
	e5 := (k * e4) + (m * e[5])
	// Element by element: an array literal is built on the stack and copied
	// with 16-byte moves, which cannot be forwarded from 8-byte stores.
	e[0], e[1], e[2], e[3], e[4], e[5] = e0, e1, e2, e3, e4, e5
	t.emit(t.c1*e5 + t.c2*e4 + t.c3*e3 + t.c4*e2)
}

// Peek implements Indicator.
func (t *T3) Peek(in Input, out []float64) bool {
	out[0] = t.PeekNext(readA(t.src, &in))
	return t.peekReady()
}

// Reset implements Indicator.
func (t *T3) Reset() {
	t.resetScalar()
	t.e, t.cnt = [6]float64{}, [6]int{}
}

// MarshalBinary implements Indicator.
func (t *T3) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(t.name)
	t.encodeScalar(e)
	for j := range t.e {
		e.f64(t.e[j])
		e.int(t.cnt[j])
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (t *T3) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, t.name)
	t.decodeScalar(d)
	for j := range t.e {
		t.e[j] = d.f64()
		t.cnt[j] = d.int()
		if t.cnt[j] < 0 || t.cnt[j] > t.period {
			d.fail("t3 seed count out of range")
		}
	}
	return d.finish()
}
