package strategies

import (
	"math"
	"slices"
	"strconv"
	"unsafe"

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
	// The PairView of the last View OnBar was called with (see pairs).
	lastWords [2]unsafe.Pointer // the View's interface words (zero: none yet)
	lastPairs PairView
	adapter   viewPairs
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

// pairs returns v as a PairView: v itself when it implements PairView (the
// engine's View does), else b's adapter, which answers through View.Value
// and View.Bar. OnBar calls it once and reads every pair through the
// result, so that each pair costs one interface call.
//
// The engine hands a strategy the same View value on every call (one per
// strategy and timeframe), so the answer is cached for the last View seen:
// two word comparisons instead of an interface type assertion per call.
// The cache and the adapter live in b, so that neither allocates; they hold
// the last View until the next call with another (a strategy is called by
// one goroutine at a time).
func (b *base) pairs(v View) PairView {
	// The same interface value word for word (dynamic type and data
	// pointer; for a type other than a pointer, the same immutable boxed
	// copy) is certainly the same View. Unlike ==, this cannot panic on a
	// View of an uncomparable type.
	if *(*[2]unsafe.Pointer)(unsafe.Pointer(&v)) == b.lastWords {
		return b.lastPairs
	}
	return b.pairsSlow(v)
}

// pairsSlow is pairs on a cache miss. It is kept out of line on purpose: a
// type assertion to an interface type allocates its cache the first time
// its call site runs, and one call site (rather than one per strategy type)
// keeps that to the very first strategy call (TestZeroAllocs in engine).
//
//go:noinline
func (b *base) pairsSlow(v View) PairView {
	pv, ok := v.(PairView)
	if !ok {
		b.adapter.View = v
		pv = &b.adapter
	}
	b.lastWords, b.lastPairs = *(*[2]unsafe.Pointer)(unsafe.Pointer(&v)), pv
	return pv
}

// viewPairs is the PairView of a View that does not implement it.
type viewPairs struct{ View }

// ValuePair implements PairView.
func (a *viewPairs) ValuePair(i, o int) (cur, prev float64, ok bool) { return valuePair(a.View, i, o) }

// ClosePair implements PairView.
func (a *viewPairs) ClosePair() (cur, prev float64, ok bool) { return closePair(a.View) }

// valuePair is PairView.ValuePair through View.Value, checking that both
// values are finite.
func valuePair(v View, i, o int) (cur, prev float64, ok bool) {
	cur, ok0 := v.Value(i, o, 0)
	prev, ok1 := v.Value(i, o, 1)
	return cur, prev, ok0 && ok1 && finite(cur) && finite(prev)
}

// closePair is PairView.ClosePair through View.Bar.
func closePair(v View) (cur, prev float64, ok bool) {
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
