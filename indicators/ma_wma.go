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
	win      ring    // the last period inputs; oldest is TA-Lib's trailingValue
	sub, sum float64 // TA-Lib's periodSub and periodSum
}

var _ stage = (*WMA)(nil)

// NewWMA returns a WMA over period (2..100000) values of src.
func NewWMA(period int, src Source) (*WMA, error) {
	if err := checkPeriod("wma", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	w := &WMA{period: period, divider: float64((period * (period + 1)) >> 1), win: newRing(period)}
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
	trailing := 0.0 // TA-Lib starts trailingValue at 0 for the first output
	if w.win.full() {
		trailing = w.win.oldest()
	}
	w.sub += v
	w.sub -= trailing
	w.sum += v * float64(w.period)
	w.win.push(v)
	out := w.sum / w.divider
	w.sum -= w.sub
	return w.emit(out)
}

// PeekNext returns what Next(v) would return, without changing state.
func (w *WMA) PeekNext(v float64) float64 {
	if w.win.len() < w.period-1 {
		return nan
	}
	return w.peekEmit((w.sum + v*float64(w.period)) / w.divider)
}

// Update implements Indicator.
func (w *WMA) Update(in Input) { w.Next(readA(w.src, in)) }

// Peek implements Indicator.
func (w *WMA) Peek(in Input, out []float64) bool {
	out[0] = w.PeekNext(readA(w.src, in))
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
