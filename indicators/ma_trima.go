package indicators

// TRIMA is the triangular moving average, TA-Lib TA_TRIMA: weights rising
// 1..m then falling, over period values. Like TA-Lib it keeps three running
// sums (the weighted numerator and the sums of the older and newer halves)
// and moves them in TA-Lib's order, which differs slightly between odd and
// even periods; the result matches TA-Lib bit for bit. Lookback is period-1.
//
// A TRIMA is not safe for concurrent use.
type TRIMA struct {
	scalar
	period              int
	odd                 bool
	mid                 int     // index in the window of the last value of the older half
	factor              float64 // 1/sum of weights
	win                 ring    // the last period inputs
	num, numSub, numAdd float64
}

var _ stage = (*TRIMA)(nil)

// NewTRIMA returns a TRIMA over period (2..100000) values of src.
func NewTRIMA(period int, src Source) (*TRIMA, error) {
	if err := checkPeriod("trima", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	t := &TRIMA{period: period, odd: period%2 == 1, mid: (period - 1) / 2, win: newRing(period)}
	i := period >> 1
	if t.odd {
		t.factor = 1.0 / (float64(i+1) * float64(i+1))
	} else {
		t.factor = 1.0 / (float64(i) * float64(i+1))
	}
	t.init(specName("trima", src, float64(period)), src, period-1)
	return t, nil
}

// step returns the sums after v, reading but not changing the window, which
// must be full; it is TA-Lib's loop body.
func (t *TRIMA) step(v float64) (num, numSub, numAdd float64) {
	num, numSub, numAdd = t.num, t.numSub, t.numAdd
	num -= numSub
	numSub -= t.win.at(0)
	m := t.win.at(t.mid + 1)
	numSub += m
	if t.odd {
		num += numAdd
		numAdd -= m
	} else {
		numAdd -= m
		num += numAdd
	}
	numAdd += v
	num += v
	return
}

// seed computes the first sums from the full window, in TA-Lib's loop order.
func (t *TRIMA) seed() {
	t.num, t.numSub, t.numAdd = 0, 0, 0
	for j := t.mid; j >= 0; j-- {
		t.numSub += t.win.at(j)
		t.num += t.numSub
	}
	for j := t.mid + 1; j < t.period; j++ {
		t.numAdd += t.win.at(j)
		t.num += t.numAdd
	}
}

// Next consumes v and returns the average, or NaN during the lookback.
func (t *TRIMA) Next(v float64) float64 {
	if !t.win.full() {
		t.win.push(v)
		if !t.win.full() {
			return t.emit(nan)
		}
		t.seed()
		return t.emit(t.num * t.factor)
	}
	t.num, t.numSub, t.numAdd = t.step(v)
	t.win.push(v)
	return t.emit(t.num * t.factor)
}

// PeekNext returns what Next(v) would return, without changing state.
func (t *TRIMA) PeekNext(v float64) float64 {
	if !t.win.full() {
		if t.win.len() < t.period-1 {
			return nan
		}
		// The seed over the window plus v, without pushing.
		num, sub, add := 0.0, 0.0, 0.0
		at := func(j int) float64 {
			if j == t.period-1 {
				return v
			}
			return t.win.at(j)
		}
		for j := t.mid; j >= 0; j-- {
			sub += at(j)
			num += sub
		}
		for j := t.mid + 1; j < t.period; j++ {
			add += at(j)
			num += add
		}
		return t.peekEmit(num * t.factor)
	}
	num, _, _ := t.step(v)
	return t.peekEmit(num * t.factor)
}

// Update implements Indicator.
//
// The steady state (the window full) is step and push written out here on
// the ring's slots, the same operations in the same order, without the
// calls and ring arithmetic of the general path.
func (t *TRIMA) Update(in Input) {
	v := readA(t.src, &in)
	if !t.win.full() {
		t.Next(v)
		return
	}
	buf, h := t.win.buf, t.win.head
	n := len(buf)
	j := h + t.mid + 1 // slot of win.at(mid+1)
	if j >= n {
		j -= n
	}
	num, numSub, numAdd := t.num, t.numSub, t.numAdd
	num -= numSub
	numSub -= buf[h]
	m := buf[j]
	numSub += m
	if t.odd {
		num += numAdd
		numAdd -= m
	} else {
		numAdd -= m
		num += numAdd
	}
	numAdd += v
	num += v
	buf[h] = v
	if h++; h == n {
		h = 0
	}
	t.win.head = h
	t.num, t.numSub, t.numAdd = num, numSub, numAdd
	t.emit(num * t.factor)
}

// Peek implements Indicator.
func (t *TRIMA) Peek(in Input, out []float64) bool {
	out[0] = t.PeekNext(readA(t.src, &in))
	return t.peekReady()
}

// Reset implements Indicator.
func (t *TRIMA) Reset() {
	t.resetScalar()
	t.win.reset()
	t.num, t.numSub, t.numAdd = 0, 0, 0
}

// MarshalBinary implements Indicator.
func (t *TRIMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(t.name)
	t.encodeScalar(e)
	t.win.encode(e)
	e.f64(t.num)
	e.f64(t.numSub)
	e.f64(t.numAdd)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (t *TRIMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, t.name)
	t.decodeScalar(d)
	t.win.decode(d)
	t.num = d.f64()
	t.numSub = d.f64()
	t.numAdd = d.f64()
	return d.finish()
}
