package indicators

// scalar carries what every single-output indicator of this file family has
// in common: its name, source, lookback, and the latest value. Readiness is
// counted in inputs rather than stored as a flag: output index i (from 0) is
// valid exactly when i >= lookback, which is how TA-Lib's batch functions
// align outBegIdx, unstable periods included.
type scalar struct {
	name     string
	src      Source
	lookback int
	n        int // inputs consumed, saturating at lookback+1
	value    float64
}

func (s *scalar) init(name string, src Source, lookback int) {
	s.name, s.src, s.lookback = name, src, lookback
	s.n, s.value = 0, nan
}

// Name implements Indicator.
func (s *scalar) Name() string { return s.name }

// Outputs implements Indicator: one output, "value".
func (s *scalar) Outputs() []string { return outputsValue }

// Lookback implements Indicator.
func (s *scalar) Lookback() int { return s.lookback }

// Ready implements Indicator.
func (s *scalar) Ready() bool { return s.n > s.lookback }

// Value implements Indicator.
func (s *scalar) Value(int) float64 { return s.value }

// emit records one consumed input whose computed output is v and returns the
// visible value: v once ready, NaN before.
func (s *scalar) emit(v float64) float64 {
	if s.n > s.lookback { // the steady state, first
		s.value = v
		return v
	}
	s.n++
	if s.n > s.lookback {
		s.value = v
	} else {
		s.value = nan
	}
	return s.value
}

// peekEmit returns what emit(v) would return, without changing state.
func (s *scalar) peekEmit(v float64) float64 {
	if s.n+1 > s.lookback {
		return v
	}
	return nan
}

// peekReady reports whether the next input would give a valid value.
func (s *scalar) peekReady() bool { return s.n+1 > s.lookback }

func (s *scalar) resetScalar() { s.n, s.value = 0, nan }

func (s *scalar) encodeScalar(e *stateEncoder) {
	e.int(s.n)
	e.f64(s.value)
}

func (s *scalar) decodeScalar(d *stateDecoder) {
	s.n = d.int()
	s.value = d.f64()
	if s.n < 0 || s.n > s.lookback+1 {
		d.fail("input count out of range")
	}
}

// unstableA is set's unstable period for TA-Lib function fn, with a negative
// value read as 0 (TA-Lib's is unsigned), so that no lookback is shorter
// than the computation's own.
func unstableA(set Settings, fn string) int {
	if v := set.UnstablePeriod(fn); v > 0 {
		return v
	}
	return 0
}

// readA returns the value src selects from in. The close case is tested
// first: calling Source.Of's whole switch for every Update made a streaming
// EMA several times slower per bar than go-talib's batch EMA.
func readA(src Source, in Input) float64 {
	v := in.Close
	if src != SourceClose {
		v = src.Of(in)
	}
	return v
}
