package strategies

// MACDCross is the MACD signal-line cross (macd_cross) on TA-Lib's MACD of
// the close:
//
//   - long (+1) when the MACD line crosses above its signal line:
//     macd[1] <= signal[1] and macd[0] > signal[0];
//   - short (-1) when it crosses below; with short=false, exit (0).
//
// Parameters: fast (12, 2..100000), slow (26, 2..100000, more than fast),
// signal (9, 1..100000), timeframe (0 = input), short (true). Indicator:
// "macd(<fast>,<slow>,<signal>)" (outputs macd, signal, hist). It keeps no
// state of its own.
type MACDCross struct{ base }

// MACDCrossDef returns the Def of [MACDCross].
func MACDCrossDef() Def {
	return Def{
		Name:        "macd_cross",
		Version:     builtinVersion,
		Description: "MACD signal cross: long when the MACD line crosses above its signal line, short (or exit) when it crosses below.",
		Params: []ParamDef{
			periodParam("fast", "12", 2, "period of the fast EMA"),
			periodParam("slow", "26", 2, "period of the slow EMA; more than fast"),
			periodParam("signal", "9", 1, "period of the signal line's EMA"),
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewMACDCross),
	}
}

// NewMACDCross builds a [MACDCross] from parameters bound against
// [MACDCrossDef]. It returns a [*ParamError] when fast is not less than
// slow (TA-Lib would silently swap them).
func NewMACDCross(p Params) (*MACDCross, error) {
	fast, slow, sig := p.Int("fast"), p.Int("slow"), p.Int("signal")
	if fast >= slow {
		return nil, orderError("macd_cross", "fast", p, "slow")
	}
	spec := "macd(" + fmtParam(float64(fast)) + "," + fmtParam(float64(slow)) + "," + fmtParam(float64(sig)) + ")"
	return &MACDCross{newBase(p, []string{spec}, 0, spec+" crossed above its signal", spec+" crossed below its signal")}, nil
}

// Outputs of TA-Lib's MACD.
const (
	macdLine   = 0
	macdSignal = 1
)

// OnBar implements Strategy.
func (s *MACDCross) OnBar(v View, out []Decision) []Decision {
	p := s.pairs(v)
	m0, m1, ok := p.ValuePair(0, macdLine)
	s0, s1, ok2 := p.ValuePair(0, macdSignal)
	if !ok || !ok2 {
		return out
	}
	return s.decide(cross(m0, m1, s0, s1), out)
}
