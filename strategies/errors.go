package strategies

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Match them with errors.Is; the concrete errors carry the
// details.
var (
	// ErrParam is wrapped by every [*ParamError]: Bind (and BindList,
	// Registry.Bind) return it for a parameter value that does not parse,
	// is out of its range, is not one of its choices, or names no declared
	// parameter; built-in constructors return it for inconsistent
	// combinations (fast >= slow).
	ErrParam = errors.New("strategies: invalid parameter")
	// ErrDef is returned by NewRegistry for a malformed [Def] (no name, no
	// version, no constructor, a bad parameter declaration or default) and
	// for two Defs with the same name.
	ErrDef = errors.New("strategies: invalid strategy definition")
	// ErrUnknown is returned by Registry.Bind for a strategy name the
	// registry does not hold.
	ErrUnknown = errors.New("strategies: unknown strategy")
)

// ParamError is a parameter value that cannot be bound. Its message names
// the strategy, the parameter, the value and what is allowed, e.g.
//
//	strategies: ema_cross: parameter fast = "1": out of range, allowed 2..100000 (integer)
//
// It unwraps to [ErrParam].
type ParamError struct {
	Strategy string // the Def's name
	Param    string // the parameter's name
	Value    string // the value as given
	Reason   string // what is wrong and what is allowed
}

// Error implements error.
func (e *ParamError) Error() string {
	var b strings.Builder
	b.WriteString("strategies: ")
	if e.Strategy != "" {
		b.WriteString(e.Strategy)
		b.WriteString(": ")
	}
	b.WriteString("parameter ")
	b.WriteString(e.Param)
	if e.Value != "" {
		b.WriteString(" = ")
		b.WriteString(strconv.Quote(e.Value))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns [ErrParam].
func (e *ParamError) Unwrap() error { return ErrParam }
