package indicators

import "math"

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

// negZero is -0.0, which Go constants cannot spell: x + negZero is x, bit
// for bit, for every x (x + +0 turns -0 into +0). Never modified.
var negZero = math.Copysign(0, -1)

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
// first and the rest is a call: Source.Of's switch, inlined into every
// Update, spilled the whole Input to the stack on each call and made a
// streaming SMA several times slower per bar than go-talib's batch SMA.
//
// in is a pointer because Input, with six fields, is not an SSA value to
// the compiler: passing it by value into an inlined helper copied it
// through the stack with wide loads that cannot be store-forwarded from the
// argument spill, a stall on every Update.
func readA(src Source, in *Input) float64 {
	if src == SourceClose {
		return in.Close
	}
	return sourceOf(src, in)
}

// sourceOf is Source.Of kept out of line (see readA).
//
//go:noinline
func sourceOf(src Source, in *Input) float64 { return src.Of(*in) }
