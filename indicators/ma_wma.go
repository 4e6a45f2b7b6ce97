package indicators

// WMA is the linearly weighted moving average, TA-Lib TA_WMA: weights
// 1..period, newest heaviest. It keeps TA-Lib's two running sums (the
// weighted sum and the plain sum) and updates them in TA-Lib's order, so it
// matches TA-Lib bit for bit. Lookback is period-1.
//
// A WMA is not safe for concurrent use.
type WMA struct {
	scalar
	period   int
	divider  float64 // period*(period+1)/2
	pf       float64 // float64(period)
	win      ring    // the last period inputs; oldest is TA-Lib's trailingValue
	sub, sum float64 // TA-Lib's periodSub and periodSum
}

var _ stage = (*WMA)(nil)

// NewWMA returns a WMA over period (2..100000) values of src.
func NewWMA(period int, src Source) (*WMA, error) {
	if err := checkPeriod("wma", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	w := &WMA{period: period, divider: float64((period * (period + 1)) >> 1), pf: float64(period), win: newRing(period)}
	w.init(specName("wma", src, float64(period)), src, period-1)
	return w, nil
}

// Next consumes v and returns the average, or NaN during the lookback.
func (w *WMA) Next(v float64) float64 {
	if l := w.win.len(); l < w.period-1 {
		w.sub += v
		w.sum += v * float64(l+1)
		w.win.push(v)
		return w.emit(nan)
	}
	if w.win.full() {
		return w.step(v)
	}
	trailing := 0.0 // TA-Lib starts trailingValue at 0 for the first output
	w.sub += v
	w.sub -= trailing
	w.sum += v * float64(w.period)
	w.win.push(v)
	out := w.sum / w.divider
	w.sum -= w.sub
	return w.emit(out)
}

// step is Next's steady state, the window full: TA-Lib's loop body, with
// the oldest input as trailingValue.
func (w *WMA) step(v float64) float64 {
	w.sub += v
	w.sub -= w.win.oldest()
	w.sum += v * w.pf
	w.win.shift(v)
	out := w.sum / w.divider
	w.sum -= w.sub
	return w.emit(out)
}

// PeekNext returns what Next(v) would return, without changing state.
func (w *WMA) PeekNext(v float64) float64 {
	if w.win.len() < w.period-1 {
		return nan
	}
	return w.peekEmit((w.sum + v*w.pf) / w.divider)
}

// Update implements Indicator.
//
// The steady state (the window full) is step written out here on the
// ring's slots: the same operations, without a call.
func (w *WMA) Update(in Input) {
	v := readA(w.src, &in)
	if !w.win.full() {
		w.Next(v)
		return
	}
	buf, h := w.win.buf, w.win.head
	sub := w.sub + v
	sub -= buf[h] // the oldest input: TA-Lib's trailingValue
	sum := w.sum + v*w.pf
	buf[h] = v
	if h++; h == len(buf) {
		h = 0
	}
	w.win.head = h
	out := sum / w.divider
	w.sum, w.sub = sum-sub, sub
	w.emit(out)
}

// Peek implements Indicator.
func (w *WMA) Peek(in Input, out []float64) bool {
	out[0] = w.PeekNext(readA(w.src, &in))
	return w.peekReady()
}

// Reset implements Indicator.
func (w *WMA) Reset() {
	w.resetScalar()
	w.win.reset()
	w.sub, w.sum = 0, 0
}

// MarshalBinary implements Indicator.
func (w *WMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(w.name)
	w.encodeScalar(e)
	w.win.encode(e)
	e.f64(w.sub)
	e.f64(w.sum)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (w *WMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, w.name)
	w.decodeScalar(d)
	w.win.decode(d)
	w.sub = d.f64()
	w.sum = d.f64()
	return d.finish()
}
