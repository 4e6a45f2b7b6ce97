package indicators

import "math"

// Shared pieces of the bar-based indicators (engineer B's files).

// unstableB returns the unstable period set for fn, never negative.
func unstableB(set Settings, fn string) int {
	if k := set.UnstablePeriod(fn); k > 0 {
		return k
	}
	return 0
}

// srcB is src.Of(*in) with the common case, close, read directly: Of is
// not inlined and its by-value Input costs more than the read itself.
func srcB(src Source, in *Input) float64 {
	if src == SourceClose {
		return in.Close
	}
	return sourceOf(src, in)
}

// isZeroB is TA-Lib's TA_IS_ZERO: |v| below 1e-14.
func isZeroB(v float64) bool { return -0.00000000000001 < v && v < 0.00000000000001 }

// trueRangeB is TA-Lib's TRUE_RANGE macro (and TA_TRANGE's body): the
// greatest of high-low, |high-prevClose| and |low-prevClose|, compared in
// that order.
//
// The comparisons are branches, as in TA-Lib, not selB's masks: on a
// continuous market a bar rarely gaps past its own range, so high-low wins
// almost always and the branches are predicted, while the masks cost four
// moves between the float and integer registers on every bar. Measured on
// BTC/USDT 5m (BenchmarkStream, CPU ns/bar, alternating binaries): TRANGE
// 6.6 -> 5.5, ATR 9.6 -> 8.5, NATR 11.9 -> 8.8, ADX 20.5 -> 17.0, PLUS_DI
// 14.3 -> 10.6. Same selection, bit for bit.
func trueRangeB(high, low, prevClose float64) float64 {
	tr := high - low
	if v := math.Abs(high - prevClose); v > tr {
		tr = v
	}
	if v := math.Abs(low - prevClose); v > tr {
		tr = v
	}
	return tr
}

// selB returns a when c, else b, bit for bit, without a branch: for
// conditions on market data that a branch predictor cannot learn.
func selB(c bool, a, b float64) float64 {
	m := -bitB(c)
	return math.Float64frombits(math.Float64bits(a)&m | math.Float64bits(b)&^m)
}

// singleB is the common part of B's single-output indicators: name,
// lookback, the latest visible value, and the input count. t is the index
// (from 0) of the next input, saturating at lookback+1: every phase of these
// indicators (seed sums, first smoothing) ends by input index lookback, so
// the saturated count still says which phase an input is in.
type singleB struct {
	name     string
	lookback int
	t        int
	value    float64
}

func (s *singleB) initB(name string, lookback int) {
	s.name, s.lookback = name, lookback
	s.t, s.value = 0, nan
}

// Name implements Indicator.
func (s *singleB) Name() string { return s.name }

// Outputs implements Indicator: one output, "value".
func (s *singleB) Outputs() []string { return outputsValue }

// Lookback implements Indicator.
func (s *singleB) Lookback() int { return s.lookback }

// Ready implements Indicator.
func (s *singleB) Ready() bool { return s.t > s.lookback }

// Value implements Indicator.
func (s *singleB) Value(int) float64 { return s.value }

// show returns v when the current input (index t) is past the lookback, NaN
// before.
func (s *singleB) show(v float64) float64 {
	if s.t >= s.lookback {
		return v
	}
	return nan
}

// commit records the output v of the current input and moves to the next.
func (s *singleB) commit(v float64) {
	s.value = s.show(v)
	if s.t <= s.lookback {
		s.t++
	}
}

// nextReady reports whether the current input gives a valid value.
func (s *singleB) nextReady() bool { return s.t >= s.lookback }

func (s *singleB) resetB() { s.t, s.value = 0, nan }

func (s *singleB) encodeB(e *stateEncoder) {
	e.int(s.t)
	e.f64(s.value)
}

func (s *singleB) decodeB(d *stateDecoder) {
	s.t = d.int()
	s.value = d.f64()
	if s.t < 0 || s.t > s.lookback+1 {
		d.fail("input count out of range")
	}
}

// multiB is the common part of B's multi-output indicators (up to three
// outputs): like singleB, with the outputs' values in vals.
type multiB struct {
	name     string
	outs     []string
	lookback int
	t        int // index of the next input, saturating at lookback+1
	vals     [3]float64
}

func (m *multiB) initM(name string, lookback int, outs []string) {
	m.name, m.lookback, m.outs = name, lookback, outs
	m.resetM()
}

// Name implements Indicator.
func (m *multiB) Name() string { return m.name }

// Outputs implements Indicator.
func (m *multiB) Outputs() []string { return m.outs }

// Lookback implements Indicator.
func (m *multiB) Lookback() int { return m.lookback }

// Ready implements Indicator.
func (m *multiB) Ready() bool { return m.t > m.lookback }

// Value implements Indicator.
func (m *multiB) Value(i int) float64 {
	if i < 0 || i >= len(m.outs) {
		return nan
	}
	return m.vals[i]
}

// Values implements ValuesReader.
func (m *multiB) Values(out []float64) { copy(out, m.vals[:len(m.outs)]) }

// nextReady reports whether the current input gives valid values.
func (m *multiB) nextReady() bool { return m.t >= m.lookback }

// commitM finishes an Update whose values are in vals: they are withheld
// (NaN) during the lookback.
func (m *multiB) commitM() {
	if m.t < m.lookback {
		m.vals = [3]float64{nan, nan, nan}
	}
	if m.t <= m.lookback {
		m.t++
	}
}

func (m *multiB) resetM() { m.t, m.vals = 0, [3]float64{nan, nan, nan} }

func (m *multiB) encodeM(e *stateEncoder) {
	e.int(m.t)
	for _, v := range m.vals {
		e.f64(v)
	}
}

func (m *multiB) decodeM(d *stateDecoder) {
	m.t = d.int()
	for i := range m.vals {
		m.vals[i] = d.f64()
	}
	if m.t < 0 || m.t > m.lookback+1 {
		d.fail("input count out of range")
	}
}
