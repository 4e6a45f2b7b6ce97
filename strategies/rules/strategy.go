package rules

import (
	"math"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// strategy is a rule file bound to parameters: compiled rules over the
// engine's View. It keeps no state between bars (everything it reads is in
// the View), so it does not implement strategies.Stateful.
type strategy struct {
	needs strategies.Needs
	rules []compiledRule
	ctx   evalCtx
}

type compiledRule struct {
	when     condFn
	strength numFn   // nil: fixed
	fixed    float64 // the strength when it is a constant
	kind     events.SignalKind
	reason   string
}

// Needs implements strategies.Strategy.
func (s *strategy) Needs() strategies.Needs { return s.needs }

// OnBar implements strategies.Strategy: every rule whose condition is true
// (and computable: a rule that reads an invalid value does not fire) appends
// one Decision, in file order. Strength expressions are clamped to [-1, 1];
// one that cannot be computed drops the decision. It does not allocate
// beyond growing out.
func (s *strategy) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	s.ctx.v = v
	for i := range s.rules {
		r := &s.rules[i]
		if r.when(&s.ctx, 0) != triTrue {
			continue
		}
		st := r.fixed
		if r.strength != nil {
			st = r.strength(&s.ctx, 0)
			if math.IsNaN(st) {
				continue
			}
			st = max(-1, min(1, st))
		}
		out = append(out, strategies.Decision{Kind: r.kind, Strength: st, Reason: r.reason})
	}
	s.ctx.v = nil // the View is valid only during this call
	return out
}
