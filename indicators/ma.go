package indicators

// stage is a series whose readiness after one more input can be asked
// without feeding it: composites use it so that Peek reports exactly what
// Update would, even when an input is NaN.
type stage interface {
	series
	peekReady() bool
}

// newSeries returns the moving average t over period values, as TA-Lib's
// TA_MA builds it: period 1 is the identity whatever the type (lookback 0),
// T3 uses vfactor 0.7, MAMA is the mama line of MAMA(0.5, 0.05) whatever
// the period, and unstable periods come from set.
func newSeries(t MAType, period int, set Settings) (series, error) {
	s, err := newStage(t, period, set)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// newStage is newSeries returning the stage view composites need.
func newStage(t MAType, period int, set Settings) (stage, error) {
	if err := checkPeriod("ma", "timeperiod", period, 1, 100000); err != nil {
		return nil, err
	}
	if period == 1 && t >= MASMA && t <= MAT3 {
		return newIdentity(t), nil
	}
	switch t {
	case MASMA:
		return asStage(NewSMA(period, SourceClose))
	case MAEMA:
		return asStage(NewEMA(period, SourceClose, set))
	case MAWMA:
		return asStage(NewWMA(period, SourceClose))
	case MADEMA:
		return asStage(NewDEMA(period, SourceClose, set))
	case MATEMA:
		return asStage(NewTEMA(period, SourceClose, set))
	case MATRIMA:
		return asStage(NewTRIMA(period, SourceClose))
	case MAKAMA:
		return asStage(NewKAMA(period, SourceClose, set))
	case MAT3:
		return asStage(NewT3(period, 0.7, SourceClose, set))
	case MAMAMA:
		return newMAMASeries(period, set), nil
	}
	return nil, &ParamRangeError{Indicator: "ma", Param: "matype", Value: float64(t), Min: 0, Max: float64(MAT3)}
}

// maLookback is TA_MA_Lookback: 0 for period 1, else the type's lookback,
// unstable periods included. It agrees with Lookback() of what newSeries
// builds.
func maLookback(t MAType, period int, set Settings) int {
	if period <= 1 {
		return 0
	}
	switch t {
	case MASMA, MAWMA, MATRIMA:
		return period - 1
	case MAEMA:
		return period - 1 + unstableA(set, "EMA")
	case MADEMA:
		return 2 * (period - 1 + unstableA(set, "EMA"))
	case MATEMA:
		return 3 * (period - 1 + unstableA(set, "EMA"))
	case MAKAMA:
		return period + unstableA(set, "KAMA")
	case MAMAMA:
		return 32 + unstableA(set, "MAMA")
	case MAT3:
		return 6*(period-1) + unstableA(set, "T3")
	}
	return 0
}

func asStage[T stage](s T, err error) (stage, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

// identity is TA_MA with period 1: it copies its input, valid from the first.
type identity struct{ scalar }

func newIdentity(t MAType) *identity {
	s := &identity{}
	s.init(specName(t.String(), SourceClose, 1), SourceClose, 0)
	return s
}

func (s *identity) Next(v float64) float64     { return s.emit(v) }
func (s *identity) PeekNext(v float64) float64 { return v }
func (s *identity) Update(in Input)            { s.Next(readA(s.src, &in)) }
func (s *identity) Peek(in Input, out []float64) bool {
	out[0] = readA(s.src, &in)
	return true
}
func (s *identity) Reset() { s.resetScalar() }
func (s *identity) MarshalBinary() ([]byte, error) {
	e := newStateEncoder(s.name)
	s.encodeScalar(e)
	return e.bytes()
}
func (s *identity) UnmarshalBinary(data []byte) error {
	d := newStateDecoder(data, s.name)
	s.decodeScalar(d)
	return d.finish()
}

// encodeSub appends a part's snapshot to a composite's snapshot.
func encodeSub(e *stateEncoder, s Indicator) error {
	b, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	e.str(string(b))
	return nil
}

// decodeSub restores a part written by encodeSub.
func decodeSub(d *stateDecoder, s Indicator) {
	b := d.str()
	if d.err != nil {
		return
	}
	if err := s.UnmarshalBinary([]byte(b)); err != nil {
		d.fail(err.Error())
	}
}
