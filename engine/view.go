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
}

var _ strategies.View = (*view)(nil)

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
