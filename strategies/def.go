package strategies

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
)

// Def defines a strategy: its name, version, parameters and constructor. A
// Def is a plain value; a [Registry] holds the Defs a program offers.
type Def struct {
	// Name identifies the strategy in configs, signals and the registry: a
	// lower-case identifier ([a-z][a-z0-9_]*), e.g. "ema_cross".
	Name string
	// Version is recorded in every signal (events.Signal.StrategyVersion).
	// Change it whenever the rule changes what the strategy emits, so a
	// backtest fingerprint and a parity check can tell the two apart.
	Version string
	// Description is one paragraph for help output and docs.
	Description string
	// Params are the declared parameters, in the order signals list them.
	Params []ParamDef
	// New builds one Strategy (the engine calls it once per instance and
	// symbol) from parameters bound against Params. It returns an error
	// wrapping [ErrParam] for a combination the ranges cannot express
	// (fast >= slow); it must not panic.
	New func(Params) (Strategy, error)
}

// Param returns the declaration of parameter name, and false if d has none.
func (d Def) Param(name string) (ParamDef, bool) {
	i := slices.IndexFunc(d.Params, func(pd ParamDef) bool { return pd.Name == name })
	if i < 0 {
		return ParamDef{}, false
	}
	return d.Params[i], true
}

// Bind binds def's parameters: each takes its override if one is given
// (keys are parameter names), else its Default. Every value is parsed,
// range-checked and canonicalised. All problems are reported at once
// (errors.Join of [*ParamError] values, in declared order, then unknown
// names sorted), each naming the parameter and what it allows. overrides is
// not retained.
func Bind(def Def, overrides map[string]string) (Params, error) {
	var errs []error
	vals := make([]paramValue, len(def.Params))
	for i, pd := range def.Params {
		text, ok := overrides[pd.Name]
		if !ok {
			text = pd.Default
		}
		v, why := pd.parse(text)
		if why != "" {
			if !ok {
				why = "bad default: " + why
			}
			errs = append(errs, &ParamError{Strategy: def.Name, Param: pd.Name, Value: text, Reason: why})
			continue
		}
		vals[i] = v
	}
	var unknown []string
	for name := range overrides {
		if _, ok := def.Param(name); !ok {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown) // map order must not decide the message
	for _, name := range unknown {
		errs = append(errs, &ParamError{Strategy: def.Name, Param: name, Value: overrides[name], Reason: unknownReason(def)})
	}
	if len(errs) > 0 {
		return Params{}, errors.Join(errs...)
	}
	defs := slices.Clone(def.Params)
	return Params{defs: defs, vals: vals, hash: hashParams(defs, vals)}, nil
}

func unknownReason(def Def) string {
	if len(def.Params) == 0 {
		return "no such parameter; " + def.Name + " has none"
	}
	names := make([]string, len(def.Params))
	for i, pd := range def.Params {
		names[i] = pd.Name
	}
	return "no such parameter; declared: " + strings.Join(names, ", ")
}

// BindList is [Bind] with overrides given as a list, e.g. the Params of a
// recorded signal. A name given twice is an error.
func BindList(def Def, overrides []events.Param) (Params, error) {
	m := make(map[string]string, len(overrides))
	var errs []error
	for _, p := range overrides {
		if _, dup := m[p.Name]; dup {
			errs = append(errs, &ParamError{Strategy: def.Name, Param: p.Name, Value: p.Value, Reason: "given twice"})
			continue
		}
		m[p.Name] = p.Value
	}
	params, err := Bind(def, m)
	if err != nil || len(errs) > 0 {
		return Params{}, errors.Join(append(errs, err)...)
	}
	return params, nil
}

// ValidName reports whether s is a valid strategy, parameter or rule name:
// a lower-case letter, then lower-case letters, digits and underscores.
func ValidName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validate reports every problem with d's declaration, each wrapping ErrDef.
func (d Def) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %q: %s", ErrDef, d.Name, fmt.Sprintf(format, args...)))
	}
	if !ValidName(d.Name) {
		bad("name must be a lower-case identifier ([a-z][a-z0-9_]*)")
	}
	if d.Version == "" {
		bad("no version")
	}
	if d.New == nil {
		bad("no constructor (New)")
	}
	for i, pd := range d.Params {
		if !ValidName(pd.Name) {
			bad("parameter %q: name must be a lower-case identifier", pd.Name)
		}
		if slices.ContainsFunc(d.Params[:i], func(o ParamDef) bool { return o.Name == pd.Name }) {
			bad("parameter %q declared twice", pd.Name)
		}
		if pd.Kind.String() == "" {
			bad("parameter %q: undeclared kind %d", pd.Name, pd.Kind)
			continue
		}
		if math.IsNaN(pd.Min) || math.IsNaN(pd.Max) || pd.Min > pd.Max {
			bad("parameter %q: bad range %v..%v", pd.Name, pd.Min, pd.Max)
		}
		for j, c := range pd.Choices {
			if strings.TrimSpace(c) != c || c == "" {
				bad("parameter %q: empty or padded choice %q", pd.Name, c)
			}
			if slices.ContainsFunc(pd.Choices[:j], func(o string) bool { return strings.EqualFold(o, c) }) {
				bad("parameter %q: choice %q listed twice", pd.Name, c)
			}
		}
		if _, why := pd.parse(pd.Default); why != "" {
			bad("parameter %q: default %q: %s", pd.Name, pd.Default, why)
		}
	}
	return errors.Join(errs...)
}
