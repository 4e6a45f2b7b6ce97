// Package backtest replays market bars through the very same [engine.Core]
// the live runner uses, turns its confirmed signals into orders, simulates
// fills, costs and a portfolio in exact decimals, and measures the result.
//
// # Timing rules
//
// A bar is available only at its close (ARCHITECTURE.md, contract 2). For
// each input bar, in input order, [Run] does:
//
//  1. fill the symbol's pending order (from a signal of an earlier bar) at
//     this bar's open, but only if the bar opened at or after the signal's
//     time: a fill never happens at the signal bar's close or inside it;
//  2. check the open position's stop-loss and take-profit against this bar's
//     low and high (the fill bar included: its high and low come after its
//     open). When one bar touches both levels the stop-loss is taken: the
//     order of touches inside a bar is unknown, and the pessimistic choice
//     keeps a backtest from flattering a strategy;
//  3. mark the symbol at this bar's close; once every bar with the same
//     close time has been handled, record one [EquityPoint];
//  4. apply the bar to the Core; its confirmed signals set the symbol's
//     pending order (the last signal of the symbol wins). Provisional
//     signals are kept in [Result].Signals but never traded.
//
// # Orders and fills
//
// A long signal wants a long position, a short signal a short one (or none
// when [PortfolioConfig].AllowShort is false: the short is an exit), exit and
// flat want none. A signal in the direction already held does nothing; a
// reversal closes and then opens at the same fill. Market fills pay the
// taker fee and slippage against the trader (buying above, selling below the
// open); take-profits are limit orders: they fill at their level (or at a
// better open), without slippage, and pay the maker fee. Stop-losses are
// stop-market orders: they fill at their level (or at a worse open) plus
// slippage, and pay the taker fee.
//
// Quantities are rounded down to the symbol's lot size (8 decimal places
// when it has none); an order below the minimum notional, or rounded to
// zero, is skipped and counted in [Counts].
//
// # Determinism
//
// Run is a pure function of its Config and input: no clock, no randomness,
// no map iteration reaches an output, and [Result].Fingerprint is identical
// across runs and machines.
//
// # Parity, look-ahead, sweeps and walk-forward
//
// [Verify] replays a market stream through a Core configured as a recorded
// run and compares the signals byte for byte (JSON) with the recorded
// stream, reporting the first [Divergence] with its input position, bar and
// both signals. [CheckLookahead] reruns the strategies on prefixes of the
// data (evenly spaced and seeded random cut points) and reports a signal
// that changes, appears or disappears once later data is added.
//
// [Sweep] runs a backtest per point of a parameter grid ([ParseGrid]) on a
// pool of workers over bars loaded once; results come back in grid order
// whatever the scheduling, and combinations a strategy rejects are kept as
// skipped points. [WalkForward] sweeps each training window, backtests the
// best point (by [Rank]) on the following test window and stitches the test
// windows' equity into one compounding out-of-sample curve. [RunSweep] is
// what the CLI's --sweep and --walk-forward flags call.
//
// # Performance
//
// Money stays exact: every price, quantity, fee and PnL in a [Result] is a
// decimal.Decimal equal (coefficient and exponent) to what the plain
// decimal expressions documented on the portfolio's methods give. Inside
// the loop the portfolio computes them in place, in big.Int coefficients it
// reuses (decimal's own operations, without its allocation per step), and
// in 128-bit integers where a value provably fits; differential tests and
// fuzz targets compare both paths on random books. A trade therefore
// allocates only the decimals its [Trade] records, and an equity point only
// those of its [EquityPoint]. Sweep workers share only the read-only input
// and a job counter; each reuses its own buffers from one point to the
// next, and a sweep point records neither trades nor equity decimals (it
// keeps their statistics), so that workers scale with cores instead of
// with the garbage collector. BenchmarkBacktest and BenchmarkSweep (with
// its "scaling" sub-benchmark) measure this.
package backtest
