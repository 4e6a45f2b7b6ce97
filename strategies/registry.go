package strategies

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Registry is the set of strategy Defs a program offers, sorted by name.
// main builds it (there is no init-time registration):
//
//	reg, err := strategies.NewRegistry(strategies.Builtins()...)
//
// A Registry is immutable after NewRegistry and safe for concurrent use.
type Registry struct {
	defs []Def // sorted by name
}

// NewRegistry returns a registry of defs (the slice is copied). It checks
// every Def (see [Def] for what a valid one is; defaults must bind) and
// rejects two with the same name, reporting every problem at once as
// errors wrapping [ErrDef].
func NewRegistry(defs ...Def) (*Registry, error) {
	all := slices.Clone(defs)
	slices.SortStableFunc(all, func(a, b Def) int { return strings.Compare(a.Name, b.Name) })
	var errs []error
	for i, d := range all {
		if err := d.validate(); err != nil {
			errs = append(errs, err)
		}
		if i > 0 && all[i-1].Name == d.Name {
			errs = append(errs, fmt.Errorf("%w: %q defined twice", ErrDef, d.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &Registry{defs: all}, nil
}

// Defs returns the Defs sorted by name, in a new slice (the Defs' own
// slices are shared and must not be modified).
func (r *Registry) Defs() []Def { return slices.Clone(r.defs) }

// Names returns the strategy names, sorted.
func (r *Registry) Names() []string {
	out := make([]string, len(r.defs))
	for i, d := range r.defs {
		out[i] = d.Name
	}
	return out
}

// Lookup returns the Def named name (case-insensitive).
func (r *Registry) Lookup(name string) (Def, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	i, ok := slices.BinarySearchFunc(r.defs, name, func(d Def, n string) int { return strings.Compare(d.Name, n) })
	if !ok {
		return Def{}, false
	}
	return r.defs[i], true
}

// Bind looks name up and binds its parameters (see [Bind]). An unknown name
// is an error wrapping [ErrUnknown] that lists the names there are.
func (r *Registry) Bind(name string, overrides map[string]string) (Def, Params, error) {
	d, ok := r.Lookup(name)
	if !ok {
		return Def{}, Params{}, fmt.Errorf("%w %q; have %s", ErrUnknown, name, strings.Join(r.Names(), ", "))
	}
	p, err := Bind(d, overrides)
	if err != nil {
		return Def{}, Params{}, err
	}
	return d, p, nil
}
