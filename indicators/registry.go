package indicators

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
)

// ErrRegistry is returned by NewRegistry when the Def catalogue is
// inconsistent (a duplicate or malformed entry): a programming error in the
// package, reported instead of panicking.
var ErrRegistry = errors.New("indicators: bad registry")

// Registry resolves indicator specs ("macd(12,26,9)") to streaming
// indicators. It holds the catalogue of Defs and the TA-Lib [Settings] every
// indicator it builds is given. A Registry is immutable after NewRegistry and
// safe for concurrent use.
type Registry struct {
	defs  []Def // sorted by name
	byKey map[string]int
	set   Settings
}

// NewRegistry returns a registry of every streaming indicator in the package
// with settings set (copied; the zero value is TA-Lib's default of no
// unstable periods). It returns an error wrapping [ErrRegistry] when two Defs
// share a name or a Def lacks a constructor or outputs.
func NewRegistry(set Settings) (*Registry, error) {
	all := append(defsA(), defsB()...)
	r := &Registry{byKey: make(map[string]int, 2*len(all))}
	if set.Unstable != nil {
		r.set.Unstable = maps.Clone(set.Unstable)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var errs []error
	for i, d := range all {
		switch {
		case d.Name == "" || d.Name != strings.ToLower(d.Name):
			errs = append(errs, fmt.Errorf("%w: def %q: name must be lower case", ErrRegistry, d.Name))
		case d.New == nil:
			errs = append(errs, fmt.Errorf("%w: def %q has no constructor", ErrRegistry, d.Name))
		case len(d.Outputs) == 0:
			errs = append(errs, fmt.Errorf("%w: def %q has no outputs", ErrRegistry, d.Name))
		case i > 0 && all[i-1].Name == d.Name:
			errs = append(errs, fmt.Errorf("%w: def %q defined twice", ErrRegistry, d.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	r.defs = all
	for i, d := range all {
		r.byKey[d.Name] = i
		// Also accept the name without underscores ("plusdi" for plus_di).
		if k := strings.ReplaceAll(d.Name, "_", ""); k != d.Name {
			if _, taken := r.byKey[k]; !taken {
				r.byKey[k] = i
			}
		}
	}
	return r, nil
}

// DefaultRegistry returns the registry of TA-Lib's default settings (what
// NewRegistry(Settings{}) returns), built on first use and shared: a
// Registry is immutable, so the engines, backtests and sweep points that
// bring no settings of their own need not build one each (it costs ~0.2
// ms and a few hundred allocations).
func DefaultRegistry() (*Registry, error) { return defaultRegistry() }

var defaultRegistry = sync.OnceValues(func() (*Registry, error) { return NewRegistry(Settings{}) })

// Settings returns a copy of the registry's TA-Lib settings.
func (r *Registry) Settings() Settings {
	return Settings{Unstable: maps.Clone(r.set.Unstable)}
}

// Defs returns the catalogue sorted by name, in a new slice (the Defs' own
// slices are shared and must not be modified).
func (r *Registry) Defs() []Def { return append([]Def(nil), r.defs...) }

// Lookup returns the Def named name (case-insensitive; underscores optional).
func (r *Registry) Lookup(name string) (Def, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	i, ok := r.byKey[name]
	if !ok {
		i, ok = r.byKey[strings.ReplaceAll(name, "_", "")]
	}
	if !ok {
		return Def{}, false
	}
	return r.defs[i], true
}

func (r *Registry) names() []string {
	out := make([]string, len(r.defs))
	for i, d := range r.defs {
		out[i] = d.Name
	}
	return out
}

func (r *Registry) parser(text string) *specParser {
	return &specParser{text: text, toks: lexSpec(text), lookup: r.Lookup, names: r.names}
}

// Parse parses one spec, e.g. "rsi(14, hl2)" or "macd(12,26,9).signal".
// Errors are *SpecError.
func (r *Registry) Parse(spec string) (Spec, error) {
	specs, err := r.ParseList(spec)
	if err != nil {
		return Spec{}, err
	}
	if len(specs) != 1 {
		return Spec{}, &SpecError{Spec: spec, Col: specs[1].Col, Msg: "expected one spec, found a list"}
	}
	return specs[0], nil
}

// ParseList parses a comma-separated list of specs ("sma(30),macd(12,26,9)").
// Errors are *SpecError.
func (r *Registry) ParseList(specs string) ([]Spec, error) {
	return r.parser(specs).parseList()
}

// Normalize returns the canonical form of a spec or a list of specs: lower
// case, no spaces, defaults filled in, trailing Optional parameters at their
// default left out, output selections kept ("macd(12,26,9).signal").
func (r *Registry) Normalize(specs string) (string, error) {
	list, err := r.ParseList(specs)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = s.String()
	}
	return strings.Join(parts, ","), nil
}

// Normalize is [Registry.Normalize] on a registry with default settings; it
// returns "" when specs does not parse.
func Normalize(specs string) string {
	r, err := NewRegistry(Settings{})
	if err != nil {
		return ""
	}
	s, err := r.Normalize(specs)
	if err != nil {
		return ""
	}
	return s
}

// Build constructs the indicator for a parsed spec. A constructor error is
// returned as a *SpecError wrapping it.
func (r *Registry) Build(s Spec) (Indicator, error) {
	return r.build(s, s.String(), 1)
}

// build reports a constructor error against text at column col.
func (r *Registry) build(s Spec, text string, col int) (Indicator, error) {
	ind, err := s.Def.New(append([]float64(nil), s.Params...), s.Source, r.set)
	if err != nil {
		return nil, &SpecError{Spec: text, Col: col, Msg: "cannot build " + s.Name(), Hint: err.Error(), Err: err}
	}
	return ind, nil
}

// New parses spec and constructs its indicator. An output selection
// (".signal") is accepted and only affects [Registry.Columns]. Errors are
// *SpecError.
func (r *Registry) New(spec string) (Indicator, error) {
	s, err := r.Parse(spec)
	if err != nil {
		return nil, err
	}
	return r.build(s, spec, s.Col)
}

// Column is one output column of an indicator set: its name ("<spec>" or
// "<spec>.<output>"), the index of its indicator in the set and the output.
type Column struct {
	Name      string
	Indicator int
	Output    int
}

// NewSet parses a comma-separated list of specs and constructs one indicator
// per distinct normalised spec ("macd.signal,macd.hist" share one MACD), in
// order of first appearance. Errors are *SpecError.
func (r *Registry) NewSet(specs string) ([]Indicator, error) {
	inds, _, err := r.NewColumns(specs)
	return inds, err
}

// Columns returns the output columns of a spec list, without building
// anything beyond parsing: indexes refer to the set NewSet builds.
func (r *Registry) Columns(specs string) ([]Column, error) {
	list, err := r.ParseList(specs)
	if err != nil {
		return nil, err
	}
	cols, _ := specColumnsOf(list)
	return cols, nil
}

// NewColumns is NewSet and Columns in one call.
func (r *Registry) NewColumns(specs string) ([]Indicator, []Column, error) {
	list, err := r.ParseList(specs)
	if err != nil {
		return nil, nil, err
	}
	cols, uniq := specColumnsOf(list)
	inds := make([]Indicator, len(uniq))
	for i, s := range uniq {
		ind, err := r.build(s, specs, s.Col)
		if err != nil {
			return nil, nil, err
		}
		inds[i] = ind
	}
	return inds, cols, nil
}

func specColumnsOf(list []Spec) ([]Column, []Spec) {
	var cols []Column
	var uniq []Spec
	index := map[string]int{}
	for _, s := range list {
		name := s.Name()
		k, ok := index[name]
		if !ok {
			k = len(uniq)
			index[name] = k
			uniq = append(uniq, s)
		}
		names := s.Columns()
		if s.Output >= 0 {
			cols = append(cols, Column{Name: names[0], Indicator: k, Output: s.Output})
			continue
		}
		for o, n := range names {
			cols = append(cols, Column{Name: n, Indicator: k, Output: o})
		}
	}
	return cols, uniq
}
