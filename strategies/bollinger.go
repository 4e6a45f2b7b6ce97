package strategies

// Bollinger trades the close against TA-Lib's Bollinger Bands (bollinger),
// in one of two modes.
//
// mode=reversion (the default), betting on a return inside the bands:
//
//   - long (+1) when the close crosses back above the lower band:
//     close[1] <= lower[1] and close[0] > lower[0];
//   - short (-1) when it crosses back below the upper band:
//     close[1] >= upper[1] and close[0] < upper[0].
//
// When both hold (the previous bar's bands had zero width and its close sat
// on them) the direction is ambiguous and nothing is emitted.
//
// mode=breakout, following a move out of the bands:
//
//   - long (+1) when the close breaks above the upper band:
//     close[1] <= upper[1] and close[0] > upper[0];
//   - short (-1) when it breaks below the lower band:
//     close[1] >= lower[1] and close[0] < lower[0].
//
// Both are edge-triggered: a close that stays outside the bands emits once.
// With short=false, exit (0) replaces short. Parameters: period (20,
// 2..100000), nbdev (2, 0.01..100; the width of both bands in standard
// deviations), mode (reversion | breakout), timeframe (0 = input), short
// (true). Indicator: "bbands(<period>,<nbdev>,<nbdev>)" (outputs upper,
// middle, lower). It keeps no state of its own.
type Bollinger struct {
	base
	breakout bool
}

// BollingerDef returns the Def of [Bollinger].
func BollingerDef() Def {
	return Def{
		Name:        "bollinger",
		Version:     builtinVersion,
		Description: "Bollinger Bands: in reversion mode long when the close crosses back above the lower band and short when it crosses back below the upper; in breakout mode long on a close above the upper band and short on a close below the lower.",
		Params: []ParamDef{
			periodParam("period", "20", 2, "moving average and standard deviation period"),
			{Name: "nbdev", Kind: ParamFloat, Default: "2", Min: 0.01, Max: 100, Help: "band width in standard deviations"},
			{Name: "mode", Kind: ParamString, Default: "reversion", Choices: []string{"reversion", "breakout"},
				Help: "reversion: trade the return inside the bands; breakout: trade the move out of them"},
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewBollinger),
	}
}

// NewBollinger builds a [Bollinger] from parameters bound against
// [BollingerDef]. It returns no errors for bound parameters.
func NewBollinger(p Params) (*Bollinger, error) {
	nb := fmtParam(p.Float("nbdev"))
	spec := "bbands(" + fmtParam(float64(p.Int("period"))) + "," + nb + "," + nb + ")"
	if p.String("mode") == "breakout" {
		return &Bollinger{base: newBase(p, []string{spec}, 0,
			"close broke above the upper band of "+spec, "close broke below the lower band of "+spec), breakout: true}, nil
	}
	return &Bollinger{base: newBase(p, []string{spec}, 0,
		"close crossed back above the lower band of "+spec, "close crossed back below the upper band of "+spec)}, nil
}

// Outputs of TA-Lib's BBANDS.
const (
	bandUpper = 0
	bandLower = 2
)

// OnBar implements Strategy.
func (s *Bollinger) OnBar(v View, out []Decision) []Decision {
	p := s.pairs(v)
	c0, c1, ok := p.ClosePair()
	u0, u1, ok2 := p.ValuePair(0, bandUpper)
	l0, l1, ok3 := p.ValuePair(0, bandLower)
	if !ok || !ok2 || !ok3 {
		return out
	}
	if s.breakout {
		if cross(c0, c1, u0, u1) == 1 {
			return s.decide(1, out)
		}
		if cross(c0, c1, l0, l1) == -1 {
			return s.decide(-1, out)
		}
		return out
	}
	long := cross(c0, c1, l0, l1) == 1
	short := cross(c0, c1, u0, u1) == -1
	switch {
	case long && !short:
		return s.decide(1, out)
	case short && !long:
		return s.decide(-1, out)
	}
	return out
}
