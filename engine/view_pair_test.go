package engine_test

import (
	"math"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// pairProbe checks, on every call, that the engine's View implements
// strategies.PairView and that ValuePair and ClosePair equal the Value and
// Bar calls they stand for.
type pairProbe struct {
	needs strategies.Needs
	t     *testing.T
	calls *int
}

func (p *pairProbe) Needs() strategies.Needs { return p.needs }

func sameFloat(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func (p *pairProbe) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	*p.calls++
	pv, ok := v.(strategies.PairView)
	if !ok {
		p.t.Fatal("engine View does not implement strategies.PairView")
	}
	outs := []int{3, 1}
	for i := range p.needs.Indicators {
		for o := 0; o < outs[i]+1; o++ { // one beyond the outputs too
			c, okc := v.Value(i, o, 0)
			q, okq := v.Value(i, o, 1)
			c2, q2, ok2 := pv.ValuePair(i, o)
			if ok2 != (okc && okq) || (ok2 && (!sameFloat(c, c2) || !sameFloat(q, q2))) {
				p.t.Errorf("%s %v prov=%v ValuePair(%d,%d) = %v %v %v, Value gives %v %v %v %v",
					v.Symbol(), v.Timeframe(), v.Provisional(), i, o, c2, q2, ok2, c, okc, q, okq)
			}
		}
	}
	for _, i := range []int{-1, len(p.needs.Indicators)} {
		if _, _, ok := pv.ValuePair(i, 0); ok {
			p.t.Errorf("ValuePair(%d, 0) ok", i)
		}
	}
	b0, ok0 := v.Bar(0)
	b1, ok1 := v.Bar(1)
	c0, c1, ok := pv.ClosePair()
	want := ok0 && ok1 && !math.IsNaN(b0.Close) && !math.IsInf(b0.Close, 0) && !math.IsNaN(b1.Close) && !math.IsInf(b1.Close, 0)
	if ok != want || (ok && (!sameFloat(c0, b0.Close) || !sameFloat(c1, b1.Close))) {
		p.t.Errorf("%s %v prov=%v ClosePair = %v %v %v, Bar gives %v %v %v %v",
			v.Symbol(), v.Timeframe(), v.Provisional(), c0, c1, ok, b0.Close, ok0, b1.Close, ok1)
	}
	return out
}

func TestViewPairMatchesValueAndBar(t *testing.T) {
	bars := sample(t)
	for _, hist := range []int{1, 2, 3} {
		for _, tf := range []events.Interval{0, events.Hour} {
			for _, prov := range []bool{false, true} {
				calls := 0
				def := strategies.Def{
					Name: "pair_probe", Version: "t1",
					New: func(strategies.Params) (strategies.Strategy, error) {
						return &pairProbe{t: t, calls: &calls, needs: strategies.Needs{
							Timeframes: []events.Interval{tf},
							Indicators: []strategies.IndicatorNeed{
								{Timeframe: tf, Spec: "bbands(5,2,2)"},
								{Timeframe: events.Hour, Spec: "ema(3)"},
							},
							History: hist,
						}}, nil
					},
				}
				params, err := strategies.Bind(def, nil)
				if err != nil {
					t.Fatal(err)
				}
				c := newCore(t, engine.Config{Provisional: prov, Strategies: []engine.Instance{{Def: def, Params: params}}})
				replay(t, c, bars, 0, len(bars))
				if calls == 0 {
					t.Fatalf("hist %d tf %v prov %v: no calls", hist, tf, prov)
				}
			}
		}
	}
}
