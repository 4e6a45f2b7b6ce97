// Package engine turns ordered market events into ordered signal events. Its
// heart is [Core], a pure, deterministic state machine (ARCHITECTURE.md,
// "Contracts"): the same configuration and the same input bars give
// byte-identical signals, in the same order, on every run and every machine.
// The live runner (watermill router, dead-letter path, snapshots in the log)
// and the backtester drive a Core; they add I/O around it, never logic.
//
// # Series and timeframes
//
// Bars are keyed by series: (symbol, input interval). The same symbol
// imported at 5m and at 1h is two independent series with their own state.
// Within a series, bars must arrive with strictly increasing open times; a
// bar that fails [events.Bar.Validate] or arrives out of order is refused
// with an error matching [ErrRejected] and changes nothing, so the caller can
// dead-letter it and carry on.
//
// Every timeframe a strategy asks for (its [strategies.Needs] timeframes and
// the timeframes of its indicators) is resampled from the input bars.
// Buckets are aligned to the Unix epoch (multiples of the timeframe since
// 1970-01-01T00:00Z), except that whole weeks are aligned to Monday 00:00
// UTC. A bucket's bar closes when the input bar that ends it arrives
// (CloseTime == bucket end), or, when the input has a gap, when a bar of a
// later bucket arrives first: the partial bar is then emitted with its
// bucket's open and close times, made of the bars that did arrive. Nothing is
// invented: a strategy sees gaps. A timeframe that is not a whole multiple of
// a series' input interval cannot be resampled from it; a strategy instance
// that asks for one does not run on that series (see [Core.Series]).
//
// The resampled bar of a bucket has the first open, the highest high, the
// lowest low and the last close of its input bars, exactly (events.Fixed),
// and the exact sum of their volumes.
//
// # Indicators and strategies
//
// Indicators are built once per (series, timeframe, normalised spec), however
// many strategy instances declare them, and updated as each bar of their
// timeframe closes. A strategy's OnBar is called for every closed bar of each
// of its timeframes once every indicator it declared (on any timeframe) is
// valid, so its warm-up is derived from its indicators and no signal is made
// from an invalid value. Timeframes are processed in ascending order and
// instances in configuration order; when one input bar closes bars of several
// timeframes, all of them are updated before any strategy is called, so a
// strategy reading another timeframe sees its value as of the closing time.
//
// # Signals
//
// Each [strategies.Decision] becomes an [events.Signal] with a deterministic
// ID: the first 32 hex digits of the SHA-256 of the instance name, the
// parameter hash, the symbol, the timeframe (as text), the source stream, the
// partition, the offset (both in decimal), the status ("confirmed" or
// "provisional") and the decision index, each followed by a zero byte except
// the last. The decision index counts the decisions of one instance within one
// input event, so IDs are unique per (instance, input position, timeframe,
// status) whatever a strategy returns. The signal carries the bar's close
// time and exact close price, and every declared indicator output's value
// (named "<spec>" or "<spec>.<output>", prefixed with "<timeframe>:" when the
// indicator's timeframe is not the series' input interval), in declared order.
//
// With [Config].Provisional set, an input bar that does not complete a
// higher-timeframe bucket also evaluates the strategies of that timeframe on
// the forming bar, with indicator Peek: signals from such calls have status
// provisional, and nothing about them changes state (a confirmed signal
// supersedes them when the bar closes).
//
// # Snapshots
//
// [Core.MarshalBinary] captures everything (resamplers, indicator states,
// bar and value histories, Stateful strategies, the last input position) in a
// versioned, checksummed snapshot; [Core.UnmarshalBinary] restores it into a
// Core built with the same configuration, after which applying the rest of
// the input gives exactly the signals an uninterrupted run gives.
//
// # Performance and concurrency
//
// A Core is not safe for concurrent use: one goroutine owns it (one per
// shard). Apply allocates nothing for a bar that emits no signal (after its
// series' first bar), and a signal costs no allocation of its own either:
// its slices and ID come from blocks of a few KiB that serve hundreds of
// signals. Core uses no goroutines, clock, randomness, package-level state
// or map iteration. Read bars with an events.BarDecoder, which allocates
// nothing per bar either, and a replay from the log allocates nothing per
// bar at all.
//
// A caller that runs many configurations in turn (a parameter sweep: one
// Core per worker) can [Core.Reset] a Core to the next configuration
// instead of building a new one: the result is what New gives, and the
// Core's memory (indicators of the same spec, signal memory, scratch) is
// reused. With [Core.ReuseSignalMemory] on, a signal's Indicators and ID
// live only until the next Apply, and emitting allocates nothing at all.
package engine
