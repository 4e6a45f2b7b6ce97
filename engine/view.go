package engine

import (
	"math"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// view is the strategies.View the Core hands to OnBar. Each frame keeps one
// per run it calls, built with the series, so that handing it out allocates
// nothing and writes no pointers; strategies may use it only during the call
// (a view kept longer would see later state).
type view struct {
	s    *series
	f    *frame
	fi   int
	r    *run
	prov bool
	idp  idPrefix // of the signals this run emits on this frame
	// For ValuePair: r.needs, and whether r keeps two values back.
	needs []needRef
	pairs bool
}

var _ strategies.PairView = (*view)(nil)

// Symbol implements strategies.View.
func (v *view) Symbol() string {
	if v.s == nil {
		return ""
	}
	return v.s.symbol
}

// Timeframe implements strategies.View.
func (v *view) Timeframe() events.Interval {
	if v.f == nil {
		return 0
	}
	return v.f.tf
}

// Provisional implements strategies.View.
func (v *view) Provisional() bool { return v.prov }

// Bar implements strategies.View: n counts back from the bar being decided
// on (the forming bar when provisional), up to the run's declared history.
func (v *view) Bar(n int) (strategies.BarValues, bool) {
	if v.r == nil || n < 0 || n >= v.r.hist {
		return strategies.BarValues{}, false
	}
	if v.prov {
		if n == 0 {
			return v.f.fv, true
		}
		n--
	}
	return v.f.bar(n)
}

// Value implements strategies.View. On a provisional call the indicators of
// the forming bar's timeframe give their Peek value at n == 0.
func (v *view) Value(i, o, n int) (float64, bool) {
	r := v.r
	if r == nil || uint(i) >= uint(len(r.needs)) || uint(n) >= uint(r.hist) {
		return math.NaN(), false
	}
	nr := &r.needs[i]
	if uint(o) >= uint(len(nr.outs)) {
		return math.NaN(), false
	}
	is := nr.is
	out := nr.outs[o]
	if v.prov && nr.frame == v.fi {
		if n == 0 {
			x := is.peek[out]
			return x, is.peekOK && x-x == 0
		}
		n--
	}
	return is.value(out, n)
}

// ValuePair implements strategies.PairView: Value(i, o, 0) and Value(i, o,
// 1) in one call, reading the ring directly on the common (confirmed) path
// through as few dependent loads as possible (the view's own copy of the
// run's needs, inline output indexes, the ring offsets kept by advance).
func (v *view) ValuePair(i, o int) (cur, prev float64, ok bool) {
	if v.prov || !v.pairs || uint(i) >= uint(len(v.needs)) {
		return v.valuePairSlow(i, o)
	}
	nr := &v.needs[i]
	if uint(o) >= uint(nr.nOut) {
		return v.valuePairSlow(i, o)
	}
	is := nr.is
	if is.count < 2 {
		return math.NaN(), math.NaN(), false
	}
	out := int(nr.out[o])
	cur = is.vals[is.cur+out]
	prev = is.vals[is.prev+out]
	return cur, prev, cur-cur == 0 && prev-prev == 0 // false for NaN and ±Inf
}

// valuePairSlow is ValuePair through Value.
func (v *view) valuePairSlow(i, o int) (cur, prev float64, ok bool) {
	cur, ok0 := v.Value(i, o, 0)
	prev, ok1 := v.Value(i, o, 1)
	return cur, prev, ok0 && ok1
}

// ClosePair implements strategies.PairView: the closes of Bar(0) and
// Bar(1) without copying the bars.
func (v *view) ClosePair() (cur, prev float64, ok bool) {
	r := v.r
	if v.prov || r == nil || r.hist < 2 {
		b0, ok0 := v.Bar(0)
		b1, ok1 := v.Bar(1)
		return b0.Close, b1.Close, ok0 && ok1 && b0.Close-b0.Close == 0 && b1.Close-b1.Close == 0
	}
	f := v.f
	if f.count < 2 {
		return 0, 0, false
	}
	h := f.head
	p := h - 1
	if p < 0 {
		p += f.hist
	}
	cur, prev = f.bars[h].c, f.bars[p].c
	return cur, prev, cur-cur == 0 && prev-prev == 0
}
