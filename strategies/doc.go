// Package strategies defines how trading strategies are written and
// registered: the [Strategy] interface a Go author implements, parameter
// definitions with defaults and ranges ([ParamDef]), the [Registry] that main
// builds (no init-time registration), the built-in strategies, and
// declarative strategies written as YAML rules.
//
// A strategy declares its timeframes and indicators ([Needs]); the engine
// computes the indicators (once per symbol, timeframe and spec, however many
// strategies share them), withholds OnBar until they are valid, and turns the
// returned [Decision] values into signal events.
//
// # Definitions and parameters
//
// A [Def] names a strategy, versions its rule, declares its parameters and
// builds it. Parameters are typed ([ParamKind]: int, float, bool, interval,
// string) with a default, an inclusive numeric range and, for strings, a
// list of choices; sweeps and the CLI read these declarations. [Bind]
// checks overrides against them (every problem at once, each a
// [*ParamError] naming the parameter and what it allows) and returns
// [Params]: the values in declared order, in canonical text (so "60m" and
// "1h" are the same parameter), with typed getters, the list signals carry
// ([Params.List]) and the parameter hash ([Params.Hash]). main composes a
// [Registry] from [Builtins] and its own Defs:
//
//	reg, err := strategies.NewRegistry(strategies.Builtins()...)
//	def, params, err := reg.Bind("ema_cross", map[string]string{"fast": "10"})
//	s, err := def.New(params)
//
// # Built-in strategies
//
// Every built-in runs on one timeframe (parameter timeframe; 0, the
// default, is the input interval), reads indicators of the indicators
// package (TA-Lib's definitions; bollinger and donchian_breakout also read
// the close), and emits long with strength
// +1 and short with strength -1. Each has a bool parameter short (default
// true); with short=false the bearish rule emits exit with strength 0
// instead, for long-only use. None keeps state of its own (none implements
// [Stateful]); each is immutable after New and safe for concurrent use.
//
//	name               parameters (default, range)                     long when                              short (or exit) when
//	ema_cross          fast (20, 2..100000), slow (50, > fast),        fast MA crosses above slow MA          fast MA crosses below slow MA
//	                   ma (ema | sma)
//	rsi_reversion      period (14, 2..100000), lower (30, 0..100),     RSI crosses up through lower           RSI crosses down through upper
//	                   upper (70, 0..100, > lower)
//	macd_cross         fast (12), slow (26, > fast), signal (9)        MACD line crosses above signal line    MACD line crosses below signal line
//	bollinger          period (20), nbdev (2, 0.01..100),              reversion: close crosses back above    reversion: close crosses back below
//	                   mode (reversion | breakout)                     the lower band; breakout: close        the upper band; breakout: close
//	                                                                   crosses above the upper band           crosses below the lower band
//	donchian_breakout  period (20, 2..100000)                          close > previous bar's upper channel   close < previous bar's lower channel
//	                                                                   (the previous close was not)           (the previous close was not)
//	supertrend         period (10, 1..100000; ATR), multiplier (3,     direction turns from -1 to +1          direction turns from +1 to -1
//	                   0.01..100)
//
// The types [EMACross], [RSIReversion], [MACDCross], [Bollinger],
// [DonchianBreakout] and [SuperTrend] document each rule exactly, with the
// indicator specs they ask for.
//
// # Crosses
//
// "a crosses above b" means a[1] <= b[1] and a[0] > b[0] (index n = n bars
// back); "a crosses below b" means a[1] >= b[1] and a[0] < b[0]. These are
// TradingView's ta.crossover and ta.crossunder, decided from two bars
// without memory: equal values never cross and moving onto the other
// series (a touch) is not a cross; leaving a touch strictly is a cross in
// the direction of leaving, on that bar, whichever side the series came
// from (so a bounce off the other series from above counts as crossing
// above; with float indicator values exact touches are rare). A rule needs both values valid (View.Value reports ok and the value
// is finite); otherwise the strategy decides nothing on that bar. Every
// rule is edge-triggered: a condition that persists emits once.
//
// # Writing a strategy in Go
//
// Implement [Strategy] (Needs and OnBar) and describe it with a Def; see
// the custom strategy example. Keep decisions' Reason strings constant
// (build them in New) so that OnBar allocates nothing; read history through
// the [View] (Needs.History) rather than keeping it; implement [Stateful]
// only for state the View cannot give (a position flag, a trailing stop).
//
// # Determinism
//
// Nothing here reads the clock, draws random numbers, starts goroutines,
// keeps package-level mutable state or depends on map iteration order
// (errors about several unknown parameters are sorted by name). A
// Strategy's decisions depend only on its parameters and its View.
package strategies
