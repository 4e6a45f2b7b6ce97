package indicators

// SMA is the simple moving average of the last period values, TA-Lib TA_SMA.
// Like TA-Lib's loop it keeps the running sum of the last period-1 values, adds
// the new value, divides, then subtracts the oldest: the same floating-point
// operations in the same order, so the result matches TA-Lib to the last bit.
// Lookback is period-1.
type SMA struct {
	period int
	src    Source
	name   string
	pf     float64 // float64(period)
	win    ring    // the last period-1 values
	sum    float64 // their sum
	value  float64
	ready  bool
}

var _ series = (*SMA)(nil)

var outputsValue = []string{"value"}

// NewSMA returns an SMA over period (2..100000, TA-Lib's range) values of
// src; a period out of range returns a *ParamRangeError (ErrBadParam).
func NewSMA(period int, src Source) (*SMA, error) {
	if err := checkPeriod("sma", "timeperiod", period, 2, 100000); err != nil {
		return nil, err
	}
	s := &SMA{period: period, pf: float64(period), src: src, win: newRing(period - 1)}
	s.name = specName("sma", src, float64(period))
	s.Reset()
	return s, nil
}

// Name implements Indicator.
func (s *SMA) Name() string { return s.name }

// Outputs implements Indicator: one output, "value".
func (s *SMA) Outputs() []string { return outputsValue }

// Lookback implements Indicator: period-1.
func (s *SMA) Lookback() int { return s.period - 1 }

// Next consumes v and returns the average, or NaN during the lookback. The
// steady state (the window full, every input after the lookback) is small
// enough to inline into Update; the warm-up is out of line.
func (s *SMA) Next(v float64) float64 {
	if !s.ready {
		return s.warm(v)
	}
	return s.step(v)
}

// step is Next's steady state: the window is full.
func (s *SMA) step(v float64) float64 {
	total := s.sum + v
	s.value = total / s.pf
	s.sum = total - s.win.shift(v)
	return s.value
}

// warm is Next until the first valid value.
func (s *SMA) warm(v float64) float64 {
	total := s.sum + v
	if s.win.full() {
		s.value, s.ready = total/float64(s.period), true
	}
	old, _ := s.win.push(v)
	s.sum = total - old // old is 0 until the window is full
	return s.value
}

// Update implements Indicator.
func (s *SMA) Update(in Input) {
	v := readA(s.src, &in)
	if !s.ready {
		s.warm(v)
		return
	}
	s.step(v)
}

// Ready implements Indicator.
func (s *SMA) Ready() bool { return s.ready }

// Value implements Indicator.
func (s *SMA) Value(int) float64 { return s.value }

// Peek implements Indicator.
func (s *SMA) Peek(in Input, out []float64) bool {
	out[0] = s.PeekNext(readA(s.src, &in))
	return s.win.full()
}

// PeekNext returns what Next(v) would return, without changing state.
func (s *SMA) PeekNext(v float64) float64 {
	if !s.win.full() {
		return nan
	}
	return (s.sum + v) / s.pf
}

// peekReady reports whether the next input gives a valid value.
func (s *SMA) peekReady() bool { return s.win.full() }

// Reset implements Indicator.
func (s *SMA) Reset() {
	s.win.reset()
	s.sum, s.value, s.ready = 0, nan, false
}

// MarshalBinary implements Indicator.
func (s *SMA) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(s.name)
	s.win.encode(e)
	e.f64(s.sum)
	e.f64(s.value)
	e.bool(s.ready)
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (s *SMA) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, s.name)
	s.win.decode(d)
	s.sum = d.f64()
	s.value = d.f64()
	s.ready = d.bool()
	return d.finish()
}
