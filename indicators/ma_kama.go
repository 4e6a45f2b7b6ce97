package indicators

import "math"

// KAMA is Kaufman's adaptive moving average, TA-Lib TA_KAMA: an EMA whose
// factor follows the efficiency ratio |v - v[period]| / sum|v[i]-v[i-1]|
// between the fast (2) and slow (30) constants, squared. Like TA-Lib it keeps
// the sum of one-bar moves as a running sum and seeds with the previous
// input. Lookback is period plus Settings' "KAMA" unstable period.
//
// A KAMA is not safe for concurrent use.
type KAMA struct {
	scalar
	period int
	win    ring    // the last period+1 inputs
	sumROC float64 // sum of |one-bar change| over the period
	kama   float64
	// TA-Lib's smoothing constants (see kamaConsts).
	constMax, constDiff float64
}

var _ stage = (*KAMA)(nil)

// kamaConsts returns TA-Lib's constMax and constDiff. They are computed in
// float64 steps, as C computes them, not as one exact Go constant
// expression: 2/3 rounded, minus 2/31 rounded, differs from (2/3-2/31)
// rounded in the last bit, and KAMA would drift from TA-Lib by an ulp.
func kamaConsts() (constMax, constDiff float64) {
	thirty, two := 30.0, 2.0
	constMax = 2.0 / (thirty + 1.0)
	constDiff = 2.0/(two+1.0) - constMax
	return
}

// NewKAMA returns a KAMA over period (2..100000) values of src.
func NewKAMA(period int, src Source, set Settings) (*KAMA, error) {
	if err := checkPeriod("kama", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	k := &KAMA{period: period, win: newRing(period + 1)}
	k.constMax, k.constDiff = kamaConsts()
	k.init(specName("kama", src, float64(period)), src, period+unstableA(set, "KAMA"))
	return k, nil
}

// isZeroA is TA-Lib's TA_IS_ZERO.
func isZeroA(v float64) bool { return -0.00000000000001 < v && v < 0.00000000000001 }

// step returns the running sum and KAMA after v, reading but not changing
// state; valid once the window holds at least period values.
func (k *KAMA) step(v float64) (sumROC, kama float64) {
	sumROC, kama = k.sumROC, k.kama
	var periodROC float64
	if !k.win.full() { // the first KAMA: TA-Lib's seed
		sumROC += math.Abs(k.win.back(0) - v)
		kama = k.win.back(0)
		periodROC = v - k.win.at(0)
	} else {
		t2 := k.win.at(1)
		periodROC = v - t2
		sumROC -= math.Abs(k.win.at(0) - t2)
		sumROC += math.Abs(v - k.win.back(0))
	}
	var er float64
	if sumROC <= periodROC || isZeroA(sumROC) {
		er = 1.0
	} else {
		er = math.Abs(periodROC / sumROC)
	}
	sc := (er * k.constDiff) + k.constMax
	sc *= sc
	kama = ((v - kama) * sc) + kama
	return sumROC, kama
}

// Next consumes v and returns the KAMA, or NaN during the lookback.
func (k *KAMA) Next(v float64) float64 {
	if l := k.win.len(); l < k.period {
		if l > 0 {
			k.sumROC += math.Abs(k.win.back(0) - v)
		}
		k.win.push(v)
		return k.emit(nan)
	}
	k.sumROC, k.kama = k.step(v)
	k.win.push(v)
	return k.emit(k.kama)
}

// PeekNext returns what Next(v) would return, without changing state.
func (k *KAMA) PeekNext(v float64) float64 {
	if k.win.len() < k.period {
		return nan
	}
	_, kama := k.step(v)
	return k.peekEmit(kama)
}

// Update implements Indicator.
//
// The steady state (the window full) is step and push written out here on
// the ring's slots, the same operations in the same order: calls, ring
// index arithmetic and wrap tests were most of the cost of an update.
func (k *KAMA) Update(in Input) {
	v := readA(k.src, &in)
	if !k.win.full() {
		k.Next(v)
		return
	}
	buf, h := k.win.buf, k.win.head
	n := len(buf)
	h1, hp := h+1, h-1 // slots of win.at(1) and of the newest, win.back(0)
	if h1 == n {
		h1 = 0
	}
	if hp < 0 {
		hp = n - 1
	}
	oldest, t2, newest := buf[h], buf[h1], buf[hp]
	periodROC := v - t2
	sumROC := k.sumROC
	sumROC -= math.Abs(oldest - t2)
	sumROC += math.Abs(v - newest)
	var er float64
	if sumROC <= periodROC || isZeroA(sumROC) {
		er = 1.0
	} else {
		er = math.Abs(periodROC / sumROC)
	}
	sc := (er * k.constDiff) + k.constMax
	sc *= sc
	kama := ((v - k.kama) * sc) + k.kama
	buf[h] = v
	k.win.head = h1
	k.sumROC, k.kama = sumROC, kama
	k.emit(kama)
}

// Peek implements Indicator.
func (k *KAMA) Peek(in Input, out []float64) bool {
	out[0] = k.PeekNext(readA(k.src, &in))
	return k.peekReady()
}

// Reset implements Indicator.
func (k *KAMA) Reset() {
	k.resetScalar()
	k.win.reset()
	k.sumROC, k.kama = 0, 0
}

// MarshalBinary implements Indicator.
func (k *KAMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(k.name)
	k.encodeScalar(e)
	k.win.encode(e)
	e.f64(k.sumROC)
	e.f64(k.kama)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (k *KAMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, k.name)
	k.decodeScalar(d)
	k.win.decode(d)
	k.sumROC = d.f64()
	k.kama = d.f64()
	return d.finish()
}
