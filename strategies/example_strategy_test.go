package strategies_test

import (
	"fmt"
	"math"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// AboveSMA is a long-only strategy written in Go: long when the close
// crosses above its simple moving average, exit when it crosses below.
// It keeps no state of its own (the View has the history), so it does not
// implement strategies.Stateful.
type AboveSMA struct {
	needs      strategies.Needs
	long, exit strategies.Decision // built once: OnBar allocates nothing
}

// AboveSMADef declares the strategy: name, version, typed parameters with
// defaults and ranges (sweeps read them), and the constructor.
func AboveSMADef() strategies.Def {
	return strategies.Def{
		Name:        "above_sma",
		Version:     "1",
		Description: "Long when the close crosses above its SMA, exit when it crosses below.",
		Params: []strategies.ParamDef{
			{Name: "period", Kind: strategies.ParamInt, Default: "30", Min: 2, Max: 1000, Help: "SMA period"},
		},
		New: func(p strategies.Params) (strategies.Strategy, error) {
			spec := fmt.Sprintf("sma(%d)", p.Int("period"))
			return &AboveSMA{
				needs: strategies.Needs{Indicators: []strategies.IndicatorNeed{{Spec: spec}}},
				long:  strategies.Decision{Kind: events.KindLong, Strength: 1, Reason: "close crossed above " + spec},
				exit:  strategies.Decision{Kind: events.KindExit, Reason: "close crossed below " + spec},
			}, nil
		},
	}
}

// Needs implements strategies.Strategy.
func (s *AboveSMA) Needs() strategies.Needs { return s.needs }

// OnBar implements strategies.Strategy.
func (s *AboveSMA) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	b0, ok0 := v.Bar(0)
	b1, ok1 := v.Bar(1)
	m0, ok2 := v.Value(0, 0, 0)
	m1, ok3 := v.Value(0, 0, 1)
	if !ok0 || !ok1 || !ok2 || !ok3 {
		return out
	}
	switch {
	case b1.Close <= m1 && b0.Close > m0:
		out = append(out, s.long)
	case b1.Close >= m1 && b0.Close < m0:
		out = append(out, s.exit)
	}
	return out
}

// closesView stands in for the engine in this example: the closes so far
// and the SMA values, newest last.
type closesView struct{ closes, sma []float64 }

func (v *closesView) Symbol() string             { return "BTCUSDT" }
func (v *closesView) Timeframe() events.Interval { return events.Hour }
func (v *closesView) Provisional() bool          { return false }
func (v *closesView) Bar(n int) (strategies.BarValues, bool) {
	i := len(v.closes) - 1 - n
	if n < 0 || n > 1 || i < 0 {
		return strategies.BarValues{}, false
	}
	return strategies.BarValues{Close: v.closes[i]}, true
}
func (v *closesView) Value(ind, o, n int) (float64, bool) {
	i := len(v.sma) - 1 - n
	if ind != 0 || o != 0 || n < 0 || n > 1 || i < 0 || math.IsNaN(v.sma[i]) {
		return math.NaN(), false
	}
	return v.sma[i], true
}

// A strategy of your own joins the built-ins in the registry main builds,
// and the engine drives it: it computes the indicators the strategy needs
// and calls OnBar on each closed bar once they are valid.
func Example_customStrategy() {
	reg, err := strategies.NewRegistry(append(strategies.Builtins(), AboveSMADef())...)
	if err != nil {
		panic(err)
	}
	def, params, err := reg.Bind("above_sma", map[string]string{"period": "3"})
	if err != nil {
		panic(err)
	}
	s, err := def.New(params)
	if err != nil {
		panic(err)
	}

	// What the engine does, in miniature.
	ireg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		panic(err)
	}
	sma, err := ireg.New(s.Needs().Indicators[0].Spec)
	if err != nil {
		panic(err)
	}
	v := &closesView{}
	var out []strategies.Decision
	for _, c := range []float64{10, 11, 12, 11, 10, 9, 10, 12, 13} {
		sma.Update(indicators.Input{Close: c})
		v.closes = append(v.closes, c)
		v.sma = append(v.sma, sma.Value(0))
		if !sma.Ready() {
			continue
		}
		for _, d := range s.OnBar(v, out[:0]) {
			fmt.Printf("close %v sma %.2f: %s (%s)\n", c, sma.Value(0), d.Kind, d.Reason)
		}
	}
	// Output:
	// close 11 sma 11.33: exit (close crossed below sma(3))
	// close 10 sma 9.67: long (close crossed above sma(3))
}
