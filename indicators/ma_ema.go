package indicators

// EMA is the exponential moving average, TA-Lib TA_EMA in its default
// compatibility mode: the first value is the simple average of the first
// period inputs (summed from 0.0 in input order, as TA-Lib's seed loop does),
// then each input moves it by ((v-prev)*k)+prev with k = 2/(period+1),
// written in that order so results match TA-Lib bit for bit.
//
// Lookback is period-1 plus Settings' "EMA" unstable period: the recursion is
// seeded at the first input as in a TA-Lib batch call from index 0, and the
// first unstable-period values are withheld (NaN) rather than computed
// differently.
//
// An EMA is not safe for concurrent use.
type EMA struct {
	scalar
	period int
	k      float64
	cnt    int     // inputs folded into the seed, up to period
	acc    float64 // the seed sum while cnt < period, then the EMA
}

var _ series = (*EMA)(nil)

// NewEMA returns an EMA over period (2..100000) values of src.
func NewEMA(period int, src Source, set Settings) (*EMA, error) {
	if err := checkPeriod("ema", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	return newEMAK(specName("ema", src, float64(period)), src, period, perToK(period), unstableA(set, "EMA")), nil
}

// perToK is TA-Lib's PER_TO_K: 2/(period+1).
func perToK(period int) float64 { return 2.0 / float64(period+1) }

// newEMAK builds an EMA with an explicit smoothing factor (MACDFIX uses the
// fixed 0.15 and 0.075) and unstable period; period may be 1 (k=1 makes it
// the identity after its one-value seed, as INT_EMA does).
func newEMAK(name string, src Source, period int, k float64, unstable int) *EMA {
	e := &EMA{period: period, k: k}
	e.init(name, src, period-1+unstable)
	return e
}

// Next consumes v and returns the EMA, or NaN during the lookback.
func (e *EMA) Next(v float64) float64 {
	if e.cnt < e.period {
		e.acc += v
		e.cnt++
		if e.cnt < e.period {
			return e.emit(nan)
		}
		e.acc /= float64(e.period)
	} else {
		e.acc = ((v - e.acc) * e.k) + e.acc
	}
	return e.emit(e.acc)
}

// PeekNext returns what Next(v) would return, without changing state.
func (e *EMA) PeekNext(v float64) float64 {
	if e.cnt < e.period {
		if e.cnt+1 < e.period {
			return nan
		}
		return e.peekEmit((e.acc + v) / float64(e.period))
	}
	return e.peekEmit(((v - e.acc) * e.k) + e.acc)
}

// Update implements Indicator.
func (e *EMA) Update(in Input) {
	v := readA(e.src, &in)
	if e.cnt < e.period {
		e.Next(v)
		return
	}
	e.step(v)
}

// step is Next once seeded (cnt == period), small enough to inline.
func (e *EMA) step(v float64) float64 {
	e.acc = ((v - e.acc) * e.k) + e.acc
	return e.emit(e.acc)
}

// Peek implements Indicator.
func (e *EMA) Peek(in Input, out []float64) bool {
	out[0] = e.PeekNext(readA(e.src, &in))
	return e.peekReady()
}

// Reset implements Indicator.
func (e *EMA) Reset() {
	e.resetScalar()
	e.cnt, e.acc = 0, 0
}

// MarshalBinary implements Indicator.
func (e *EMA) MarshalBinary() ([]byte, error) {
	enc := newStateEncoder(e.name)
	e.encode(enc)
	return enc.bytes()
}

func (e *EMA) encode(enc *stateEncoder) {
	e.encodeScalar(enc)
	enc.int(e.cnt)
	enc.f64(e.acc)
}

// UnmarshalBinary implements Indicator.
func (e *EMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, e.name)
	e.decode(d)
	return d.finish()
}

func (e *EMA) decode(d *stateDecoder) {
	e.decodeScalar(d)
	e.cnt = d.int()
	e.acc = d.f64()
	if e.cnt < 0 || e.cnt > e.period {
		d.fail("ema seed count out of range")
	}
}
