package strategies

// RSIReversion is RSI mean reversion (rsi_reversion) on TA-Lib's RSI of
// the close:
//
//   - long (+1) when the RSI crosses up through lower, leaving oversold:
//     rsi[1] <= lower and rsi[0] > lower;
//   - short (-1) when it crosses down through upper, leaving overbought:
//     rsi[1] >= upper and rsi[0] < upper; with short=false, exit (0).
//
// Entering the zones (crossing down through lower, up through upper) emits
// nothing; an RSI that only reaches a level does not cross it (see the
// package doc for touches).
// Parameters: period (14, 2..100000), lower (30, 0..100), upper (70,
// 0..100, more than lower), timeframe (0 = input), short (true). Indicator:
// "rsi(<period>)". It keeps no state of its own.
type RSIReversion struct {
	base
	lower, upper float64
}

// RSIReversionDef returns the Def of [RSIReversion].
func RSIReversionDef() Def {
	return Def{
		Name:        "rsi_reversion",
		Version:     builtinVersion,
		Description: "RSI mean reversion: long when the RSI crosses up through the lower level, short (or exit) when it crosses down through the upper level.",
		Params: []ParamDef{
			periodParam("period", "14", 2, "RSI period"),
			{Name: "lower", Kind: ParamFloat, Default: "30", Min: 0, Max: 100, Help: "oversold level"},
			{Name: "upper", Kind: ParamFloat, Default: "70", Min: 0, Max: 100, Help: "overbought level; more than lower"},
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewRSIReversion),
	}
}

// NewRSIReversion builds an [RSIReversion] from parameters bound against
// [RSIReversionDef]. It returns a [*ParamError] when lower is not less than
// upper.
func NewRSIReversion(p Params) (*RSIReversion, error) {
	lower, upper := p.Float("lower"), p.Float("upper")
	if lower >= upper {
		return nil, orderError("rsi_reversion", "lower", p, "upper")
	}
	spec := "rsi(" + fmtParam(float64(p.Int("period"))) + ")"
	return &RSIReversion{
		base:  newBase(p, []string{spec}, 0, spec+" crossed up through "+fmtParam(lower), spec+" crossed down through "+fmtParam(upper)),
		lower: lower, upper: upper,
	}, nil
}

// OnBar implements Strategy.
func (s *RSIReversion) OnBar(v View, out []Decision) []Decision {
	r0, r1, ok := s.pairs(v).ValuePair(0, 0)
	if !ok {
		return out
	}
	if cross(r0, r1, s.lower, s.lower) == 1 {
		return s.decide(1, out)
	}
	if cross(r0, r1, s.upper, s.upper) == -1 {
		return s.decide(-1, out)
	}
	return out
}
