package indicators

// rocKind selects the formula of a [Momentum] indicator.
type rocKind uint8

const (
	kindMOM     rocKind = iota // v - prev
	kindROC                    // ((v/prev)-1)*100
	kindROCP                   // (v-prev)/prev
	kindROCR                   // v/prev
	kindROCR100                // (v/prev)*100
)

var rocNames = [...]string{"mom", "roc", "rocp", "rocr", "rocr100"}

// Momentum compares each input with the one period inputs earlier: TA-Lib
// TA_MOM (v - prev), TA_ROC (((v/prev)-1)*100), TA_ROCP ((v-prev)/prev),
// TA_ROCR (v/prev) and TA_ROCR100 ((v/prev)*100). The ratio forms give 0,
// as TA-Lib does, when prev is 0. Lookback is period.
//
// A Momentum is not safe for concurrent use.
type Momentum struct {
	scalar
	kind rocKind
	win  ring // the last period inputs
}

var _ stage = (*Momentum)(nil)

// NewMOM returns v - v[period] over src, period 1..100000 (default 10).
func NewMOM(period int, src Source) (*Momentum, error) { return newMomentum(kindMOM, period, src) }

// NewROC returns ((v/v[period])-1)*100 over src, period 1..100000.
func NewROC(period int, src Source) (*Momentum, error) { return newMomentum(kindROC, period, src) }

// NewROCP returns (v-v[period])/v[period] over src, period 1..100000.
func NewROCP(period int, src Source) (*Momentum, error) { return newMomentum(kindROCP, period, src) }

// NewROCR returns v/v[period] over src, period 1..100000.
func NewROCR(period int, src Source) (*Momentum, error) { return newMomentum(kindROCR, period, src) }

// NewROCR100 returns (v/v[period])*100 over src, period 1..100000.
func NewROCR100(period int, src Source) (*Momentum, error) {
	return newMomentum(kindROCR100, period, src)
}

func newMomentum(k rocKind, period int, src Source) (*Momentum, error) {
	fn := rocNames[k]
	if err := checkPeriod(fn, "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	m := &Momentum{kind: k, win: newRing(period)}
	m.init(specName(fn, src, float64(period)), src, period)
	return m, nil
}

func (m *Momentum) calc(v, prev float64) float64 {
	switch m.kind {
	case kindMOM:
		return v - prev
	case kindROC:
		if prev != 0.0 {
			return ((v / prev) - 1.0) * 100.0
		}
	case kindROCP:
		if prev != 0.0 {
			return (v - prev) / prev
		}
	case kindROCR:
		if prev != 0.0 {
			return v / prev
		}
	case kindROCR100:
		if prev != 0.0 {
			return (v / prev) * 100.0
		}
	}
	return 0.0
}

// Next consumes v and returns the value, or NaN during the lookback.
func (m *Momentum) Next(v float64) float64 {
	if !m.win.full() {
		m.win.push(v)
		return m.emit(nan)
	}
	out := m.calc(v, m.win.oldest())
	m.win.push(v)
	return m.emit(out)
}

// PeekNext returns what Next(v) would return, without changing state.
func (m *Momentum) PeekNext(v float64) float64 {
	if !m.win.full() {
		return nan
	}
	return m.calc(v, m.win.oldest())
}

// Update implements Indicator. Once a value has been output (the window
// full, the input count saturated past the lookback) one test covers
// both, and the value is stored without emit's warm-up branch.
func (m *Momentum) Update(in Input) {
	v := readA(m.src, &in)
	if m.n <= m.lookback {
		m.Next(v)
		return
	}
	m.value = m.calc(v, m.win.shift(v))
}

// Peek implements Indicator.
func (m *Momentum) Peek(in Input, out []float64) bool {
	out[0] = m.PeekNext(readA(m.src, &in))
	return m.peekReady()
}

// Reset implements Indicator.
func (m *Momentum) Reset() { m.resetScalar(); m.win.reset() }

// MarshalBinary implements Indicator.
func (m *Momentum) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(m.name)
	m.encodeScalar(e)
	m.win.encode(e)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (m *Momentum) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, m.name)
	m.decodeScalar(d)
	m.win.decode(d)
	// The window holds the last min(inputs, period) values; Update's
	// steady state trusts the count to say the window is full.
	if d.err == nil && m.win.len() != min(m.n, m.lookback) {
		d.fail("input count does not match the window")
	}
	return d.finish()
}
