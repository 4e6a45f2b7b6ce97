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
package strategies
