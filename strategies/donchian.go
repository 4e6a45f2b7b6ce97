package strategies

// DonchianBreakout is the Donchian channel breakout (donchian_breakout).
// The channel of a bar spans the highest high and lowest low of the last
// period bars including that bar, so a close can only break out of the
// previous bar's channel:
//
//   - long (+1) when the close breaks above the previous bar's upper
//     channel, close[0] > upper[1], and the previous close had not,
//     close[1] <= upper[2];
//   - short (-1) when it breaks below the previous bar's lower channel,
//     close[0] < lower[1], and the previous close had not, close[1] >=
//     lower[2]; with short=false, exit (0).
//
// The second condition makes it edge-triggered: a run of closes at new
// highs emits one long, not one per bar. It reads three channel values, so
// it decides from the third valid channel value on (History 3). Parameters:
// period (20, 2..100000), timeframe (0 = input), short (true). Indicator:
// "donchian(<period>)" (outputs upper, middle, lower). It keeps no state of
// its own.
type DonchianBreakout struct{ base }

// DonchianBreakoutDef returns the Def of [DonchianBreakout].
func DonchianBreakoutDef() Def {
	return Def{
		Name:        "donchian_breakout",
		Version:     builtinVersion,
		Description: "Donchian breakout: long when the close breaks above the previous bar's highest high of the period, short (or exit) when it breaks below the previous lowest low.",
		Params: []ParamDef{
			periodParam("period", "20", 2, "channel period in bars"),
			timeframeParam(),
			shortParam(),
		},
		New: newFunc(NewDonchianBreakout),
	}
}

// NewDonchianBreakout builds a [DonchianBreakout] from parameters bound
// against [DonchianBreakoutDef]. It returns no errors for bound parameters.
func NewDonchianBreakout(p Params) (*DonchianBreakout, error) {
	n := fmtParam(float64(p.Int("period")))
	spec := "donchian(" + n + ")"
	return &DonchianBreakout{newBase(p, []string{spec}, 3,
		"close broke above the "+n+"-bar high", "close broke below the "+n+"-bar low")}, nil
}

// OnBar implements Strategy.
func (s *DonchianBreakout) OnBar(v View, out []Decision) []Decision {
	c0, c1, ok := s.pairs(v).ClosePair()
	u1, u2, ok2 := back(v, bandUpper)
	l1, l2, ok3 := back(v, bandLower)
	if !ok || !ok2 || !ok3 {
		return out
	}
	switch {
	case c0 > u1 && !(c1 > u2):
		return s.decide(1, out)
	case c0 < l1 && !(c1 < l2):
		return s.decide(-1, out)
	}
	return out
}

// back returns output o of indicator 0 one and two values back.
func back(v View, o int) (v1, v2 float64, ok bool) {
	v1, ok1 := v.Value(0, o, 1)
	v2, ok2 := v.Value(0, o, 2)
	return v1, v2, ok1 && ok2 && finite(v1) && finite(v2)
}
