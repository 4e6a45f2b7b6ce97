package strategies

// EMACross is the moving-average crossover (ema_cross): a fast and a slow
// moving average (EMA, or SMA with ma=sma) of the close on one timeframe.
//
//   - long (strength +1) when the fast average crosses above the slow one:
//     fast[1] <= slow[1] and fast[0] > slow[0];
//   - short (strength -1) when it crosses below: fast[1] >= slow[1] and
//     fast[0] < slow[0]; with short=false, exit (strength 0) instead.
//
// Equal averages, or one reaching the other, are not a cross (see the
// package doc for touches).
// Parameters: fast (20, 2..100000), slow (50, 2..100000, more than fast),
// ma (ema | sma), timeframe (0 = input), short (true). Indicators, in
// order: "<ma>(<fast>)", "<ma>(<slow>)". It keeps no state of its own.
type EMACross struct{ base }

// EMACrossDef returns the Def of [EMACross].
func EMACrossDef() Def {
	return Def{
		Name:        "ema_cross",
		Version:     builtinVersion,
		Description: "Moving-average crossover: long when the fast average crosses above the slow one, short (or exit) when it crosses below.",
		Params: []ParamDef{
			periodParam("fast", "20", 2, "period of the fast moving average"),
			periodParam("slow", "50", 2, "period of the slow moving average; more than fast"),
			{Name: "ma", Kind: ParamString, Default: "ema", Choices: []string{"ema", "sma"},
				Help: "moving average type"},
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewEMACross),
	}
}

// NewEMACross builds an [EMACross] from parameters bound against
// [EMACrossDef]. It returns a [*ParamError] when fast is not less than slow.
func NewEMACross(p Params) (*EMACross, error) {
	fast, slow := p.Int("fast"), p.Int("slow")
	if fast >= slow {
		return nil, orderError("ema_cross", "fast", p, "slow")
	}
	ma := p.String("ma")
	f := ma + "(" + fmtParam(float64(fast)) + ")"
	s := ma + "(" + fmtParam(float64(slow)) + ")"
	return &EMACross{newBase(p, []string{f, s}, 0, f+" crossed above "+s, f+" crossed below "+s)}, nil
}

// OnBar implements Strategy.
func (s *EMACross) OnBar(v View, out []Decision) []Decision {
	p := s.pairs(v)
	f0, f1, ok := p.ValuePair(0, 0)
	s0, s1, ok2 := p.ValuePair(1, 0)
	if !ok || !ok2 {
		return out
	}
	return s.decide(cross(f0, f1, s0, s1), out)
}
