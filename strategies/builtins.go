package strategies

import (
	"math"
	"slices"
	"strconv"

	"github.com/candlewick-labs/candlewick/events"
)

// Builtins returns the Defs of the built-in strategies, sorted by name, in
// a new slice: bollinger, donchian_breakout, ema_cross, macd_cross,
// rsi_reversion and supertrend. main composes them into a [Registry] with
// any other Defs it offers.
func Builtins() []Def {
	return []Def{
		BollingerDef(),
		DonchianBreakoutDef(),
		EMACrossDef(),
		MACDCrossDef(),
		RSIReversionDef(),
		SuperTrendDef(),
	}
}

// Parameters shared by the built-ins.
const (
	paramTimeframe = "timeframe"
	paramShort     = "short"
)

// Versions of the built-ins' rules; bump one when its rule changes.
const builtinVersion = "1"

func timeframeParam() ParamDef {
	return ParamDef{Name: paramTimeframe, Kind: ParamInterval, Default: "0",
		Help: "timeframe the strategy runs on (a whole multiple of the input interval); 0: the input interval"}
}

func shortParam() ParamDef {
	return ParamDef{Name: paramShort, Kind: ParamBool, Default: "true",
		Help: "emit short on the bearish rule; false: emit exit instead (long-only)"}
}

func periodParam(name, def string, min float64, help string) ParamDef {
	return ParamDef{Name: name, Kind: ParamInt, Default: def, Min: min, Max: 100000, Help: help}
}

// fmtParam formats a number for specs and reasons, as the indicator spec
// language normalises it (shortest form).
func fmtParam(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// base is what every built-in shares: its Needs and the two decisions it
// can make, built once in New so OnBar appends constant values.
type base struct {
	needs      Needs
	bull, bear Decision
}

func newBase(p Params, specs []string, history int, bullReason, bearReason string) base {
	tf := p.Interval(paramTimeframe)
	inds := make([]IndicatorNeed, len(specs))
	for i, s := range specs {
		inds[i] = IndicatorNeed{Timeframe: tf, Spec: s}
	}
	b := base{
		needs: Needs{Timeframes: []events.Interval{tf}, Indicators: inds, History: history},
		bull:  Decision{Kind: events.KindLong, Strength: 1, Reason: bullReason},
		bear:  Decision{Kind: events.KindShort, Strength: -1, Reason: bearReason},
	}
	if !p.Bool(paramShort) {
		b.bear = Decision{Kind: events.KindExit, Strength: 0, Reason: bearReason}
	}
	return b
}

// Needs implements Strategy. It returns a new copy each call.
func (b *base) Needs() Needs {
	n := b.needs
	n.Timeframes = slices.Clone(n.Timeframes)
	n.Indicators = slices.Clone(n.Indicators)
	return n
}

// decide appends the decision for a direction: +1 bull, -1 bear, 0 none.
func (b *base) decide(dir int, out []Decision) []Decision {
	switch dir {
	case 1:
		return append(out, b.bull)
	case -1:
		return append(out, b.bear)
	}
	return out
}

// newFunc adapts a constructor of a concrete strategy type to Def.New,
// returning a nil Strategy (not a typed nil) on error.
func newFunc[S Strategy](f func(Params) (S, error)) func(Params) (Strategy, error) {
	return func(p Params) (Strategy, error) {
		s, err := f(p)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// pair returns output o of indicator i now and one value back, and whether
// both are valid and finite.
func pair(v View, i, o int) (cur, prev float64, ok bool) {
	if pv, isPV := v.(PairView); isPV {
		// Valid values are finite (View.Value), so ok covers finite.
		return pv.ValuePair(i, o)
	}
	cur, ok0 := v.Value(i, o, 0)
	prev, ok1 := v.Value(i, o, 1)
	return cur, prev, ok0 && ok1 && finite(cur) && finite(prev)
}

// closes returns the close of the current bar and the one before it.
func closes(v View) (cur, prev float64, ok bool) {
	if pv, isPV := v.(PairView); isPV {
		return pv.ClosePair()
	}
	b0, ok0 := v.Bar(0)
	b1, ok1 := v.Bar(1)
	return b0.Close, b1.Close, ok0 && ok1 && finite(b0.Close) && finite(b1.Close)
}

// cross tells how series a crossed series b from the previous value (a1,
// b1) to the current one (a0, b0): +1 when a crossed above b (a1 <= b1 and
// a0 > b0), -1 when it crossed below (a1 >= b1 and a0 < b0), else 0. This
// is TradingView's ta.crossover/ta.crossunder: equal values are not a
// cross, a touch is not a cross, and a series that touches and then moves
// strictly past crosses on the bar it moves past. NaN never crosses.
func cross(a0, a1, b0, b1 float64) int {
	switch {
	case a1 <= b1 && a0 > b0:
		return 1
	case a1 >= b1 && a0 < b0:
		return -1
	}
	return 0
}

func orderError(def, param string, p Params, other string) error {
	v, _ := p.Text(param)
	o, _ := p.Text(other)
	return &ParamError{Strategy: def, Param: param, Value: v, Reason: "must be less than " + other + " (" + o + ")"}
}
