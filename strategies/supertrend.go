package strategies

// SuperTrend follows the SuperTrend direction (supertrend), as the
// indicators package computes it (TradingView's ta.supertrend over
// TA-Lib's ATR; direction +1 up, -1 down):
//
//   - long (+1) when the direction turns up: direction[1] < 0 and
//     direction[0] > 0;
//   - short (-1) when it turns down: direction[1] > 0 and direction[0] < 0;
//     with short=false, exit (0).
//
// The first valid direction is not a turn. Parameters: period (10,
// 1..100000; the ATR period), multiplier (3, 0.01..100), timeframe (0 =
// input), short (true). Indicator: "supertrend(<period>,<multiplier>)"
// (outputs value, direction). It keeps no state of its own.
type SuperTrend struct{ base }

// SuperTrendDef returns the Def of [SuperTrend].
func SuperTrendDef() Def {
	return Def{
		Name:        "supertrend",
		Version:     builtinVersion,
		Description: "SuperTrend follow: long when the SuperTrend direction turns up, short (or exit) when it turns down.",
		Params: []ParamDef{
			periodParam("period", "10", 1, "ATR period"),
			{Name: "multiplier", Kind: ParamFloat, Default: "3", Min: 0.01, Max: 100, Help: "band distance in ATRs"},
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewSuperTrend),
	}
}

// NewSuperTrend builds a [SuperTrend] from parameters bound against
// [SuperTrendDef]. It returns no errors for bound parameters.
func NewSuperTrend(p Params) (*SuperTrend, error) {
	spec := "supertrend(" + fmtParam(float64(p.Int("period"))) + "," + fmtParam(p.Float("multiplier")) + ")"
	return &SuperTrend{newBase(p, []string{spec}, 0, spec+" turned up", spec+" turned down")}, nil
}

// superDirection is the index of SuperTrend's direction output.
const superDirection = 1

// OnBar implements Strategy.
func (s *SuperTrend) OnBar(v View, out []Decision) []Decision {
	d0, d1, ok := s.pairs(v).ValuePair(0, superDirection)
	if !ok {
		return out
	}
	switch {
	case d1 < 0 && d0 > 0:
		return s.decide(1, out)
	case d1 > 0 && d0 < 0:
		return s.decide(-1, out)
	}
	return out
}
