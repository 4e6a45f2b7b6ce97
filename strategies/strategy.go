package strategies

import (
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// Strategy is one bound strategy (a Def with its parameters) for one symbol.
// The engine makes one per (strategy instance, symbol) through Def.New, so a
// Strategy may keep per-symbol state in its fields.
//
// A Strategy must be deterministic (ARCHITECTURE.md, contract 1): no clock,
// no unseeded randomness, no map-order dependence, no goroutines. Its output
// may depend only on its parameters and what the View shows. Strategies that
// keep state beyond what the View provides implement [Stateful] so that
// engine snapshots capture it.
type Strategy interface {
	// Needs declares the timeframes and indicators the strategy reads. It is
	// called once, after New; the result must not change afterwards.
	Needs() Needs
	// OnBar is called when a bar of one of the strategy's timeframes closes,
	// after every indicator on that timeframe has consumed it, and only once
	// every indicator the strategy declared on that timeframe is valid (its
	// warm-up is derived from them). It appends its decisions to out and
	// returns it; most calls append nothing. It must not keep v.
	OnBar(v View, out []Decision) []Decision
}

// Stateful is implemented by strategies with state of their own (a position
// flag, a trailing stop); the engine includes it in its snapshots.
type Stateful interface {
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// Needs is what a strategy asks of the engine.
type Needs struct {
	// Timeframes whose closed bars call OnBar, each a whole multiple of the
	// input bars' interval (the engine resamples); 0 means the input interval.
	// Empty means {0}.
	Timeframes []events.Interval
	// Indicators the strategy reads through View.Value, by index into this
	// slice. Indicators with the same timeframe and normalised spec are
	// computed once per symbol however many strategies use them.
	Indicators []IndicatorNeed
	// History is how many bars (and indicator values) back the strategy
	// reads: View.Bar(n) and View.Value(i, o, n) work for n < History.
	// 0 means 2 (the current and the previous one, enough for crosses).
	History int
}

// IndicatorNeed names one indicator on one timeframe.
type IndicatorNeed struct {
	Timeframe events.Interval // 0: the input interval
	Spec      string          // indicator spec, e.g. "ema(20)", "bbands(20,2,2)"
}

// BarValues is a bar as strategies see it: the exact decimals converted to
// float64 once by the engine, as indicator math uses them.
type BarValues struct {
	OpenTime, CloseTime            time.Time
	Open, High, Low, Close, Volume float64
}

// View is the read-only window a strategy decides through. It is valid only
// during the OnBar call that receives it. It is implemented by the engine.
type View interface {
	// Symbol is the symbol whose bar closed.
	Symbol() string
	// Timeframe is the timeframe of the bar that closed (resolved: never 0).
	Timeframe() events.Interval
	// Provisional reports whether the bar is still forming: the engine
	// evaluates forming bars (with indicator Peek) only when configured to,
	// and decisions from such a call become provisional signals.
	Provisional() bool
	// Bar returns the bar n back on the current timeframe (0 = the bar that
	// just closed), and false beyond the history kept or before the first.
	Bar(n int) (BarValues, bool)
	// Value returns output o of indicator i (an index into Needs.Indicators)
	// n values back (0 = latest), and false when that value is not valid or
	// not kept. Indicators on another timeframe than the current one give
	// their latest value as of this bar's close time.
	Value(i, o, n int) (float64, bool)
}

// PairView is an optional extension of [View] that the engine's View
// implements: the current and previous values that crossover rules read, in
// one call and without copying whole bars. Strategies may use it through a
// type assertion (falling back to View.Value and View.Bar when a View does
// not implement it); its results equal those of the View calls it stands
// for. Added for replay throughput; View itself is unchanged, so existing
// View implementations keep working.
type PairView interface {
	View
	// ValuePair returns Value(i, o, 0) and Value(i, o, 1), with ok only when
	// both are valid.
	ValuePair(i, o int) (cur, prev float64, ok bool)
	// ClosePair returns the Close of Bar(0) and Bar(1), with ok only when
	// both bars exist and both closes are finite.
	ClosePair() (cur, prev float64, ok bool)
}

// Decision is what OnBar returns; the engine turns it into an events.Signal
// (ID, strategy name, version and parameters, symbol, timeframe, time,
// reference price, the indicator values the strategy saw, status, source).
type Decision struct {
	Kind     events.SignalKind
	Strength float64 // in [-1, 1]
	Reason   string  // short and human; prefer constant strings (no allocation)
}
