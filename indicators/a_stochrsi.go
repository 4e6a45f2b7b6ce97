package indicators

var outputsStochRSI = []string{"fastk", "fastd"}

// StochRSI is the stochastic oscillator applied to RSI, TA-Lib TA_STOCHRSI:
// TA-Lib's STOCHF with the RSI as high, low and close. Fast %K is
// (rsi - lowest)/((highest - lowest)/100) over the last fastk RSI values, 0
// when highest equals lowest (TA-Lib divides by the range over 100, and so
// does this, for bit equality); fast %D is an MA of fastd_matype over
// %K. The sliding extremes use hlB's blocks (see b_range.go). Lookback is RSI's
// (unstable period included) + fastk-1 + the %D MA's lookback; both outputs
// are valid from the same input.
//
// A StochRSI is not safe for concurrent use.
type StochRSI struct {
	multi
	rsi   *RSI
	fastK int
	win   hlB // the last fastK RSI values; win.n counts them
	fastD stage
	sma   *SMA // fastD when it is an SMA (the default): its step inlines
}

// NewStochRSI returns TA-Lib's STOCHRSI(timeperiod, fastk, fastd,
// fastd_matype) over src: timeperiod 2..100000 (default 14), fastk and fastd
// 1..100000 (defaults 5 and 3), matype default sma; MAMA returns ErrBadParam.
func NewStochRSI(period, fastK, fastD int, t MAType, src Source, set Settings) (*StochRSI, error) {
	rsi, err := NewRSI(period, SourceClose, set)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod("stochrsi", "fastk_period", fastK, 1, 100000); err != nil {
		return nil, err
	}
	if err := checkPeriod("stochrsi", "fastd_period", fastD, 1, 100000); err != nil {
		return nil, err
	}
	d, err := newStage(t, fastD, set)
	if err != nil {
		return nil, err
	}
	s := &StochRSI{rsi: rsi, fastK: fastK, win: newHLB(fastK), fastD: d}
	s.sma, _ = d.(*SMA)
	var name string
	if t == MASMA {
		name = specName("stochrsi", src, float64(period), float64(fastK), float64(fastD))
	} else {
		name = specName("stochrsi", src, float64(period), float64(fastK), float64(fastD), float64(t))
	}
	s.init(name, src, outputsStochRSI, rsi.Lookback()+fastK-1+d.Lookback())
	return s, nil
}

// fastKOf is TA-Lib STOCHF's %K.
func fastKOf(v, highest, lowest float64) float64 {
	diff := (highest - lowest) / 100.0
	if diff != 0.0 {
		return (v - lowest) / diff
	}
	return 0.0
}

// Next consumes v and returns %K and %D (NaN during the lookback).
func (s *StochRSI) Next(v float64) (fastK, fastD float64) {
	r := s.rsi.Next(v)
	if !s.rsi.Ready() {
		s.advance()
		return s.vals[0], s.vals[1]
	}
	s.win.push(r, r)
	if s.win.n < int64(s.fastK) {
		s.advance()
		return s.vals[0], s.vals[1]
	}
	_, h, _, l := s.win.current()
	k := fastKOf(r, h, l)
	var d float64
	if s.sma != nil && s.sma.ready {
		d = s.sma.step(k)
	} else {
		d = s.fastD.Next(k)
	}
	if s.advance() {
		s.vals[0], s.vals[1] = k, d
	}
	return s.vals[0], s.vals[1]
}

// Update implements Indicator.
func (s *StochRSI) Update(in Input) { s.Next(readA(s.src, &in)) }

// Peek implements Indicator.
func (s *StochRSI) Peek(in Input, out []float64) bool {
	if !s.peekReady() {
		return s.peekNaN(out)
	}
	r := s.rsi.PeekNext(readA(s.src, &in))
	_, h, _, l := s.win.peek(r, r)
	k := fastKOf(r, h, l)
	out[0], out[1] = k, s.fastD.PeekNext(k)
	return true
}

// Reset implements Indicator.
func (s *StochRSI) Reset() {
	s.resetMulti()
	s.rsi.Reset()
	s.win.reset()
	s.fastD.Reset()
}

// MarshalBinary implements Indicator.
func (s *StochRSI) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(s.name)
	s.encodeMulti(e)
	if err := encodeSub(e, s.rsi); err != nil {
		return nil, err
	}
	s.win.encode(e)
	if err := encodeSub(e, s.fastD); err != nil {
		return nil, err
	}
	return e.bytes()
}

// UnmarshalBinary implements Indicator.
func (s *StochRSI) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, s.name)
	s.decodeMulti(d)
	decodeSub(d, s.rsi)
	s.win.decode(d)
	decodeSub(d, s.fastD)
	return d.finish()
}
