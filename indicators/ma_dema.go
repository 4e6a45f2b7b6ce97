package indicators

// DEMA is the double exponential moving average, TA-Lib TA_DEMA:
// 2*EMA(v) - EMA(EMA(v)), with the second EMA fed only the first EMA's valid
// values, as TA-Lib feeds it the first EMA's output array. Lookback is twice
// EMA's, including EMA's unstable period from Settings.
//
// A DEMA is not safe for concurrent use.
type DEMA struct {
	scalar
	e1, e2 *EMA
}

var _ stage = (*DEMA)(nil)

// NewDEMA returns a DEMA over period (2..100000) values of src.
func NewDEMA(period int, src Source, set Settings) (*DEMA, error) {
	if err := checkPeriod("dema", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	u := unstableA(set, "EMA")
	k := perToK(period)
	d := &DEMA{e1: newEMAK("ema", SourceClose, period, k, u), e2: newEMAK("ema", SourceClose, period, k, u)}
	d.init(specName("dema", src, float64(period)), src, 2*(period-1+u))
	return d, nil
}

// Next consumes v and returns the DEMA, or NaN during the lookback.
func (d *DEMA) Next(v float64) float64 {
	a := d.e1.Next(v)
	if !d.e1.Ready() {
		return d.emit(nan)
	}
	b := d.e2.Next(a)
	return d.emit((2.0 * a) - b)
}

// PeekNext returns what Next(v) would return, without changing state.
func (d *DEMA) PeekNext(v float64) float64 {
	if !d.peekReady() {
		return nan
	}
	a := d.e1.PeekNext(v)
	return (2.0 * a) - d.e2.PeekNext(a)
}

// Update implements Indicator.
func (d *DEMA) Update(in Input) { d.Next(readA(d.src, &in)) }

// Peek implements Indicator.
func (d *DEMA) Peek(in Input, out []float64) bool {
	out[0] = d.PeekNext(readA(d.src, &in))
	return d.peekReady()
}

// Reset implements Indicator.
func (d *DEMA) Reset() { d.resetScalar(); d.e1.Reset(); d.e2.Reset() }

// MarshalBinary implements Indicator.
func (d *DEMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(d.name)
	d.encodeScalar(e)
	d.e1.encode(e)
	d.e2.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (d *DEMA) UnmarshalBinary(data []byte) error {
	dec := newStateDecoder(data, d.name)
	d.decodeScalar(dec)
	d.e1.decode(dec)
	d.e2.decode(dec)
	return dec.finish()
}

// TEMA is the triple exponential moving average, TA-Lib TA_TEMA:
// EMA3 + ((3*EMA1) - (3*EMA2)) in TA-Lib's order of operations, each EMA fed
// the previous one's valid values. Lookback is three times EMA's, including
// EMA's unstable period.
//
// A TEMA is not safe for concurrent use.
type TEMA struct {
	scalar
	e1, e2, e3 *EMA
}

var _ stage = (*TEMA)(nil)

// NewTEMA returns a TEMA over period (2..100000) values of src.
func NewTEMA(period int, src Source, set Settings) (*TEMA, error) {
	if err := checkPeriod("tema", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	u := unstableA(set, "EMA")
	k := perToK(period)
	t := &TEMA{
		e1: newEMAK("ema", SourceClose, period, k, u),
		e2: newEMAK("ema", SourceClose, period, k, u),
		e3: newEMAK("ema", SourceClose, period, k, u),
	}
	t.init(specName("tema", src, float64(period)), src, 3*(period-1+u))
	return t, nil
}

// Next consumes v and returns the TEMA, or NaN during the lookback.
func (t *TEMA) Next(v float64) float64 {
	a := t.e1.Next(v)
	if !t.e1.Ready() {
		return t.emit(nan)
	}
	b := t.e2.Next(a)
	if !t.e2.Ready() {
		return t.emit(nan)
	}
	c := t.e3.Next(b)
	return t.emit(c + ((3.0 * a) - (3.0 * b)))
}

// PeekNext returns what Next(v) would return, without changing state.
func (t *TEMA) PeekNext(v float64) float64 {
	if !t.peekReady() {
		return nan
	}
	a := t.e1.PeekNext(v)
	b := t.e2.PeekNext(a)
	return t.e3.PeekNext(b) + ((3.0 * a) - (3.0 * b))
}

// Update implements Indicator.
func (t *TEMA) Update(in Input) { t.Next(readA(t.src, &in)) }

// Peek implements Indicator.
func (t *TEMA) Peek(in Input, out []float64) bool {
	out[0] = t.PeekNext(readA(t.src, &in))
	return t.peekReady()
}

// Reset implements Indicator.
func (t *TEMA) Reset() { t.resetScalar(); t.e1.Reset(); t.e2.Reset(); t.e3.Reset() }

// MarshalBinary implements Indicator.
func (t *TEMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(t.name)
	t.encodeScalar(e)
	t.e1.encode(e)
	t.e2.encode(e)
	t.e3.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (t *TEMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, t.name)
	t.decodeScalar(d)
	t.e1.decode(d)
	t.e2.decode(d)
	t.e3.decode(d)
	return d.finish()
}

// TRIX is the one-bar rate of change, in percent, of a triple EMA, TA-Lib
// TA_TRIX: ((e3/prev)-1)*100, 0 when prev is 0 (TA-Lib's ROC). Lookback is
// 3*EMA lookback + 1, EMA's unstable period included.
//
// A TRIX is not safe for concurrent use.
type TRIX struct {
	scalar
	e1, e2, e3 *EMA
	prev       float64 // the previous triple EMA
	hasPrev    bool
}

var _ stage = (*TRIX)(nil)

// NewTRIX returns a TRIX over period (1..100000) values of src.
func NewTRIX(period int, src Source, set Settings) (*TRIX, error) {
	if err := checkPeriod("trix", "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	u := unstableA(set, "EMA")
	k := perToK(period)
	t := &TRIX{
		e1: newEMAK("ema", SourceClose, period, k, u),
		e2: newEMAK("ema", SourceClose, period, k, u),
		e3: newEMAK("ema", SourceClose, period, k, u),
	}
	t.init(specName("trix", src, float64(period)), src, 3*(period-1+u)+1)
	return t, nil
}

// roc1 is TA-Lib's ROC: ((v/prev)-1)*100, 0 when prev is 0.
func roc1(v, prev float64) float64 {
	if prev != 0.0 {
		return ((v / prev) - 1.0) * 100.0
	}
	return 0.0
}

// Next consumes v and returns the TRIX, or NaN during the lookback.
func (t *TRIX) Next(v float64) float64 {
	a := t.e1.Next(v)
	if !t.e1.Ready() {
		return t.emit(nan)
	}
	b := t.e2.Next(a)
	if !t.e2.Ready() {
		return t.emit(nan)
	}
	c := t.e3.Next(b)
	if !t.e3.Ready() {
		return t.emit(nan)
	}
	out := nan
	if t.hasPrev {
		out = roc1(c, t.prev)
	}
	t.prev, t.hasPrev = c, true
	return t.emit(out)
}

// PeekNext returns what Next(v) would return, without changing state.
func (t *TRIX) PeekNext(v float64) float64 {
	if !t.peekReady() {
		return nan
	}
	a := t.e1.PeekNext(v)
	b := t.e2.PeekNext(a)
	return roc1(t.e3.PeekNext(b), t.prev)
}

// Update implements Indicator.
func (t *TRIX) Update(in Input) { t.Next(readA(t.src, &in)) }

// Peek implements Indicator.
func (t *TRIX) Peek(in Input, out []float64) bool {
	out[0] = t.PeekNext(readA(t.src, &in))
	return t.peekReady()
}

// Reset implements Indicator.
func (t *TRIX) Reset() {
	t.resetScalar()
	t.e1.Reset()
	t.e2.Reset()
	t.e3.Reset()
	t.prev, t.hasPrev = 0, false
}

// MarshalBinary implements Indicator.
func (t *TRIX) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(t.name)
	t.encodeScalar(e)
	t.e1.encode(e)
	t.e2.encode(e)
	t.e3.encode(e)
	e.f64(t.prev)
	e.bool(t.hasPrev)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (t *TRIX) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, t.name)
	t.decodeScalar(d)
	t.e1.decode(d)
	t.e2.decode(d)
	t.e3.decode(d)
	t.prev = d.f64()
	t.hasPrev = d.bool()
	return d.finish()
}
