// Package rules loads declarative strategies written as YAML rules, for
// teams that do not want to compile Go. [Load] turns a file into a
// strategies.Def like any built-in one: it goes into the strategies.Registry,
// binds parameters, and builds a strategies.Strategy the engine runs.
//
// # The file
//
//	name: rsi_dip                # optional: the file's base name
//	version: "1"                 # optional: "1"; recorded in every signal
//	description: Buy RSI dips in an uptrend
//	timeframes: [1h]             # optional: the input interval
//	params:                      # in declared order, as signals list them
//	  rsi_period: {type: int, default: 14, min: 2, max: 100, help: RSI lookback}
//	  lower: {type: float, default: 30, min: 0, max: 100}
//	  allow_short: true          # shorthand: type from the value (int, float, bool)
//	indicators:                  # name: spec[@timeframe]
//	  rsi: rsi(${rsi_period})
//	  trend: sma(200)@1d
//	  macd: macd(12,26,9)
//	rules:                       # evaluated in file order on each bar close
//	  - when: crosses_above(rsi, lower) and close > trend
//	    signal: long             # long | short | exit | flat
//	    strength: 1              # optional: a number or an expression
//	    reason: RSI dip bought   # optional: the when text
//
// Keys are strict: an unknown key is an error (with a suggestion), and so is
// a key given twice. Mappings are read in document order, never through a
// Go map, so the output never depends on map iteration.
//
// Parameters have a type (int, float, bool, interval, string), a default,
// and for int and float an inclusive range given as both min and max (use
// -.inf or .inf for one side); string parameters may list choices. The
// strategies package binds and canonicalises values ([strategies.Bind]).
//
// Indicators are any spec of the indicators registry ("ema(20)",
// "bbands(20,2,2)", "macd(12,26,9).signal"). ${name} inserts a parameter's
// canonical text, in the spec and in the timeframe. A suffix @5m, @1h, @1d
// computes the indicator on that timeframe (the engine resamples); without
// one an indicator runs on the first of timeframes (the input interval when
// timeframes is absent). Every declared indicator is a Need whether or not a
// rule reads it: it counts towards warm-up and appears in the signals.
// Indicators with the same spec and timeframe share one Need.
//
// # Expressions
//
// when (a condition) and strength (a number) are expressions in the syntax
// of github.com/expr-lang/expr, restricted to numbers and conditions:
//
//   - names: indicators ("rsi"), the outputs of a multi-output indicator
//     ("macd.signal", "bb.upper"; its bare name is an error), bar fields
//     (open, high, low, close, volume), and int, float and bool parameters;
//     interval and string parameters are for specs only
//   - values back: rsi[1] is the previous value, close[2] two bars back,
//     (fast - slow)[1] any number expression one bar back; n is a whole
//     number literal. prev(x, n) is the same. An indicator on another
//     timeframe counts n in bars of its own timeframe.
//   - arithmetic + - * / ** (and % on int parameters), comparisons
//     < <= > >= == !=, and/or/not (&& || !), a ? b : c, true, false
//     (YAML ends a plain scalar at ": ", so quote an expression that has
//     one, or use a block scalar: when: >-)
//   - functions: crosses_above(a, b) is true when a was <= b on the previous
//     bar and is > b now; crosses_below(a, b) when a was >= b and is < b
//     now; abs(x), min(a, b, ...), max(a, b, ...)
//
// A value that is not valid (an indicator in warm-up, a bar before the
// first) makes every comparison that reads it "not available", and a rule
// fires only when its condition is true: never on an invalid value.
// not(n/a) is n/a; false and n/a is false; true or n/a is true. A cross
// whose previous values are not available is false.
//
// A rule that fires appends one strategies.Decision: its kind, its strength
// (default 1 for long, -1 for short, 0 for exit and flat; a strength
// expression is clamped to [-1, 1], and one that is not available drops the
// decision), its reason. Rules do not keep state: a rule strategy has no
// position, so an exit or a repeated long is for the portfolio to interpret.
//
// # Evaluation
//
// expr parses and type-checks each expression once, at Load (its messages
// are the ones you see); this package then compiles the checked tree into
// closures over float64 with parameters as constants. Evaluating them reads
// the View and allocates nothing: expr's VM would box every float64 it loads
// (see BenchmarkExprVM). Needs.History is the deepest index read plus one
// (at least 2, enough for crosses).
//
// # Errors
//
// Load reports every problem of a file at once, each an [*Error] located at
// the file's line and column, with a caret under the problem in the
// expression or spec where there is one:
//
//	rsi_dip.yaml:14:49: rules[0].when: unknown name "trnd"; did you mean trend?
//		crosses_above(rsi, lower) and close > trnd
//		                                      ^
//
// Nothing here reads the clock, uses randomness or keeps package-level
// mutable state.
package rules
