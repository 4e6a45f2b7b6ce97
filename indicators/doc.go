// Package indicators computes technical indicators the way TA-Lib does, in
// two forms: streaming indicators that consume one bar at a time in O(1) with
// no allocation (what the engine runs), and a batch path over go-talib for
// whole series (what research and cross-checks use). Indicators are named by
// a small spec language and built through a [Registry].
//
// # Streaming indicators
//
// An [Indicator] consumes one [Input] per Update. Its results follow TA-Lib
// to 1e-9 relative (most of them bit for bit), which the tests check against
// TA-Lib C itself (goldens generated from TA-Lib compiled to WebAssembly, see
// internal/talibgen):
//
//   - Lookback() is TA-Lib's TA_<NAME>_Lookback for the same parameters,
//     including the unstable period from [Settings] where TA-Lib has one
//     (EMA, RSI, ATR, ADX, ...). Composites consult their parts as TA-Lib
//     does: DEMA's lookback is twice EMA's, unstable period included.
//   - Before Lookback() inputs have been consumed, Ready() is false and
//     Value(i) is NaN, never 0. Input number Lookback() (counting from 0)
//     gives the first valid value, exactly where TA-Lib's batch output
//     starts (outBegIdx). With an unstable period k the recursion still
//     starts at the first input, as TA-Lib seeds it at the start of its
//     input; only the first k values are held back.
//   - Peek(in, out) writes what Update(in) would give, bit for bit, without
//     changing state: it evaluates a bar that is still forming.
//   - MarshalBinary snapshots the state (versioned, naming the indicator);
//     UnmarshalBinary into a freshly built indicator with the same
//     parameters continues bit for bit as an uninterrupted run would, and
//     refuses a snapshot of other parameters with [ErrState].
//   - Update and Peek do not allocate. Indicators are not safe for
//     concurrent use: the engine gives each one to a single goroutine.
//
// # Specs
//
// A spec names an indicator and its parameters:
//
//	list    = spec { "," spec }
//	spec    = name [ "(" [ arg { "," arg } ] ")" ] [ "." output ]
//	arg     = number | matype | source
//	matype  = "sma" | "ema" | "wma" | "dema" | "tema" | "trima" | "kama" | "mama" | "t3"
//	source  = "close" | "open" | "high" | "low" | "volume" | "hl2" | "hlc3" | "ohlc4"
//
// Names and words are case-insensitive and spaces are allowed. Parameters are
// positional, in TA-Lib's order, and range-checked against the [Def];
// missing trailing ones take TA-Lib's defaults, so "rsi", "rsi()" and
// "RSI( 14 )" are the same. A source, allowed for single-series indicators,
// comes last ("sma(30,hl2)"). An output may be selected
// ("macd(12,26,9).signal"). Examples: "sma(30)", "bbands(20,2,2)",
// "macdext(12,ema,26,ema,9,sma)", "sma(30),macd(12,26,9)".
//
// [Registry.Normalize] (and [Normalize]) give the canonical form: lower
// case, no spaces, defaults written out except trailing Optional parameters
// at their default, numbers in their shortest form, MA types as TA-Lib's
// numbers, the source only when it is not close. It equals the built
// indicator's Name(). Column names of a set are "<spec>" for single-output
// indicators and "<spec>.<output>" otherwise ([Registry.Columns]).
//
// Errors are [*SpecError] values: a message located at a 1-based column and
// rendered with a caret line, with close matches for unknown names:
//
//	unknown indicator "rsii" at column 1; did you mean rsi?
//		rsii(14)
//		^
//
// # Batch
//
// [Batch] calls any go-talib function by TA-Lib's name ([BatchFuncs] lists
// them all with inputs, parameters, defaults, ranges and outputs as TA-Lib's
// function table has them) and returns its outputs with the lookback set to
// NaN. Where go-talib deviates from TA-Lib C, Batch returns go-talib's
// values, except for an output misalignment it corrects; deviations.md lists
// every known deviation and the tests pin them.
//
// # Determinism
//
// Nothing here reads the clock, draws random numbers or keeps package-level
// mutable state: outputs depend only on parameters, settings and inputs.
package indicators
