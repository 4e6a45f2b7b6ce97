package strategies_test

import (
	"math"
	"slices"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// fakeView is a hand-filled strategies.View: vals[i][o][n] is output o of
// indicator i n values back (NaN: not valid; past the end: not kept), and
// closes[n] the close n bars back.
type fakeView struct {
	symbol      string
	timeframe   events.Interval
	provisional bool
	vals        [][][]float64
	closes      []float64
	// nanValid makes Value report NaN values as valid, to check that
	// strategies do not trust a misbehaving engine.
	nanValid bool
}

func (v *fakeView) Symbol() string             { return v.symbol }
func (v *fakeView) Timeframe() events.Interval { return v.timeframe }
func (v *fakeView) Provisional() bool          { return v.provisional }
func (v *fakeView) Bar(n int) (strategies.BarValues, bool) {
	if n < 0 || n >= len(v.closes) {
		return strategies.BarValues{}, false
	}
	c := v.closes[n]
	return strategies.BarValues{Open: c, High: c, Low: c, Close: c}, true
}

func (v *fakeView) Value(i, o, n int) (float64, bool) {
	if i < 0 || i >= len(v.vals) || o < 0 || o >= len(v.vals[i]) || n < 0 || n >= len(v.vals[i][o]) {
		return math.NaN(), false
	}
	x := v.vals[i][o][n]
	if math.IsNaN(x) && !v.nanValid {
		return x, false
	}
	return x, true
}

// hist turns a series written oldest first into the newest-first order
// View.Value indexes.
func hist(oldestFirst ...float64) []float64 {
	s := slices.Clone(oldestFirst)
	slices.Reverse(s)
	return s
}

// outs groups the outputs of one indicator.
func outs(series ...[]float64) [][]float64 { return series }

var nan = math.NaN()

// mustNew binds def with overrides and builds its strategy.
func mustNew(t testing.TB, def strategies.Def, overrides map[string]string) strategies.Strategy {
	t.Helper()
	p, err := strategies.Bind(def, overrides)
	if err != nil {
		t.Fatalf("bind %s %v: %v", def.Name, overrides, err)
	}
	s, err := def.New(p)
	if err != nil {
		t.Fatalf("new %s %v: %v", def.Name, overrides, err)
	}
	return s
}

func builtin(t testing.TB, name string) strategies.Def {
	t.Helper()
	for _, d := range strategies.Builtins() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no built-in %q", name)
	return strategies.Def{}
}
