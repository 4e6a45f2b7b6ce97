package indicators

// multi is scalar for indicators with up to three outputs (MACD, BBANDS,
// STOCHRSI): the latest values, and readiness counted in inputs.
type multi struct {
	name     string
	src      Source
	outs     []string
	lookback int
	n        int // inputs consumed, saturating at lookback+1
	vals     [3]float64
}

func (m *multi) init(name string, src Source, outs []string, lookback int) {
	m.name, m.src, m.outs, m.lookback = name, src, outs, lookback
	m.resetMulti()
}

// Name implements Indicator.
func (m *multi) Name() string { return m.name }

// Outputs implements Indicator.
func (m *multi) Outputs() []string { return m.outs }

// Lookback implements Indicator.
func (m *multi) Lookback() int { return m.lookback }

// Ready implements Indicator.
func (m *multi) Ready() bool { return m.n > m.lookback }

// Value implements Indicator: NaN for an index out of range.
func (m *multi) Value(i int) float64 {
	if i < 0 || i >= len(m.outs) {
		return nan
	}
	return m.vals[i]
}

// Values implements ValuesReader.
func (m *multi) Values(out []float64) { copy(out, m.vals[:len(m.outs)]) }

// advance counts one input and reports whether its outputs are valid; when
// they are not, the values are set to NaN.
func (m *multi) advance() bool {
	if m.n <= m.lookback {
		m.n++
	}
	if m.n > m.lookback {
		return true
	}
	m.vals = [3]float64{nan, nan, nan}
	return false
}

// peekReady reports whether the next input would give valid outputs.
func (m *multi) peekReady() bool { return m.n+1 > m.lookback }

// peekNaN fills out with NaN for a Peek before the lookback.
func (m *multi) peekNaN(out []float64) bool {
	for i := range m.outs {
		out[i] = nan
	}
	return false
}

func (m *multi) resetMulti() {
	m.n = 0
	m.vals = [3]float64{nan, nan, nan}
}

func (m *multi) encodeMulti(e *stateEncoder) {
	e.int(m.n)
	for _, v := range m.vals {
		e.f64(v)
	}
}

func (m *multi) decodeMulti(d *stateDecoder) {
	m.n = d.int()
	for i := range m.vals {
		m.vals[i] = d.f64()
	}
	if m.n < 0 || m.n > m.lookback+1 {
		d.fail("input count out of range")
	}
}
