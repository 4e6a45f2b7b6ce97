package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"go.yaml.in/yaml/v3"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// LoadFile reads the rule strategy at path and loads it with [Load], naming
// path in error messages.
func LoadFile(path string, reg *indicators.Registry) (strategies.Def, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return strategies.Def{}, fmt.Errorf("rules: read strategy: %w", err)
	}
	return Load(data, path, reg)
}

// Load parses data, the YAML text of a rule strategy, and returns its Def.
// name is the file name errors are reported against; when the document has
// no name key, the strategy is named after it (base name without the
// extension). reg resolves the indicator specs (its Settings decide the
// indicators' warm-up, so pass the registry the engine uses).
//
// Every problem is reported at once: the error is an errors.Join of
// [*Error] values in file order, each wrapping [ErrRules] and located at a
// line and column of the file.
//
// The Def's New binds the parameters into the indicator specs and the
// expressions; it returns an error wrapping [ErrRules] when the bound specs
// do not resolve (a parameter pushed an indicator out of its range). The
// Def and the strategies it builds are immutable apart from the per-call
// View, so one Def may be used from several goroutines; each Strategy
// belongs to one goroutine.
func Load(data []byte, name string, reg *indicators.Registry) (strategies.Def, error) {
	if reg == nil {
		return strategies.Def{}, &Error{File: name, Msg: "no indicator registry given"}
	}
	l := &loader{file: name, src: data}
	d := l.parse()
	if d == nil {
		return strategies.Def{}, l.joined()
	}
	def := strategies.Def{Name: d.name, Version: d.version, Description: d.description, Params: d.params}
	defaults, err := strategies.Bind(def, nil)
	if err != nil { // parse checked every default; kept as a guard
		return strategies.Def{}, &Error{File: name, Msg: "bind default parameters", Err: err}
	}
	// Resolve with the defaults: names, outputs and expressions are checked
	// here, against the file, so that New only fails for parameter values.
	// Checking goes on past errors so that one Load reports them all; what
	// depends on a broken declaration is not reported again.
	sc, res := l.scope(d, defaults, reg)
	l.compile(d, sc, res, defaults)
	if len(l.errs) > 0 {
		return strategies.Def{}, l.joined()
	}
	def.New = func(p strategies.Params) (strategies.Strategy, error) {
		nl := &loader{file: name, src: data}
		res := nl.resolve(d, p, reg)
		var s *strategy
		if len(nl.errs) == 0 {
			s = nl.compile(d, sc, res, p)
		}
		if len(nl.errs) > 0 {
			return nil, fmt.Errorf("rules: %s with %s: %w", d.name, p.Format(), nl.joined())
		}
		return s, nil
	}
	return def, nil
}

// doc is a parsed rule file, in document order.
type doc struct {
	name, version, description string
	timeframes                 []events.Interval
	params                     []strategies.ParamDef
	inds                       []indDecl
	rules                      []ruleDecl
	bad                        []string // parameters declared with an error already reported
}

type indDecl struct {
	name string
	node *yaml.Node // the spec scalar
	spec string     // without the @timeframe suffix
	tf   string     // the text after "@", or ""
}

type ruleDecl struct {
	path     string // "rules[0]"
	when     *yaml.Node
	kind     events.SignalKind
	strength *yaml.Node // nil: the kind's default
	reason   string
	// The trees expr checked, set by Load and only read afterwards: New
	// compiles closures from them without running expr again.
	whenTree, strengthTree ast.Node
}

// loader collects errors while it walks the YAML tree.
type loader struct {
	file string
	src  []byte
	errs []*Error
}

func (l *loader) errAt(n *yaml.Node, path, format string, args ...any) *Error {
	e := &Error{File: l.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	l.errs = append(l.errs, e)
	return e
}

func (l *loader) joined() error {
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i], l.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// pairs returns a mapping node's key/value pairs in document order,
// reporting duplicate keys and keys not in allowed (nil: any).
func (l *loader) pairs(n *yaml.Node, path string, allowed []string) [][2]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		l.errAt(n, path, "expected a mapping, found %s", kindName(n))
		return nil
	}
	var out [][2]*yaml.Node
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			l.errAt(k, path, "expected a plain key, found %s", kindName(k))
			continue
		}
		if seen[k.Value] {
			l.errAt(k, path, "key %q given twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if allowed != nil && !contains(allowed, k.Value) {
			l.errAt(k, path, "unknown key %q%s; allowed: %s", k.Value, didYouMean(k.Value, allowed), strings.Join(allowed, ", "))
			continue
		}
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return "the value " + strconv.Quote(n.Value)
}

// deref follows YAML aliases (*name) to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// scalar returns n's text, reporting anything that is not a scalar.
func (l *loader) scalar(n *yaml.Node, path, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		l.errAt(n, path, "expected %s, found %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

var topKeys = []string{"name", "version", "description", "timeframes", "params", "indicators", "rules"}

func (l *loader) parse() *doc {
	d := &doc{}
	var root yaml.Node
	if err := yaml.Unmarshal(l.src, &root); err != nil {
		e := &Error{File: l.file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
		// yaml.v3 says "line N: ..." but gives no structured position.
		if rest, ok := strings.CutPrefix(e.Msg, "not valid YAML: line "); ok {
			if i := strings.IndexByte(rest, ':'); i > 0 {
				if n, err := strconv.Atoi(rest[:i]); err == nil {
					e.Line, e.Msg = n, "not valid YAML:"+rest[i+1:]
				}
			}
		}
		l.errs = append(l.errs, e)
		return nil
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		l.errs = append(l.errs, &Error{File: l.file, Msg: "empty file; a rule strategy needs indicators and rules"})
		return nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		l.errAt(top, "", "expected a mapping of name, params, indicators, rules..., found %s", kindName(top))
		return nil
	}
	var haveRules bool
	for _, kv := range l.pairs(top, "", topKeys) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "name":
			if s, ok := l.scalar(v, "name", "a name"); ok {
				if !strategies.ValidName(s) {
					l.errAt(v, "name", "%q is not a lower-case identifier ([a-z][a-z0-9_]*)", s)
				}
				d.name = s
			}
		case "version":
			if s, ok := l.scalar(v, "version", "a version"); ok {
				d.version = s
			}
		case "description":
			if s, ok := l.scalar(v, "description", "text"); ok {
				d.description = s
			}
		case "timeframes":
			d.timeframes = l.timeframes(v)
		case "params":
			d.params, d.bad = l.params(v)
		case "indicators":
			d.inds = l.indicators(v)
		case "rules":
			haveRules = true
			d.rules = l.rules(v)
		}
	}
	if d.name == "" && !hasKey(top, "name") {
		base := filepath.Base(l.file)
		base = strings.TrimSuffix(base, filepath.Ext(base))
		if !strategies.ValidName(base) {
			l.errAt(top, "name", "no name key, and the file name %q is not a lower-case identifier to name the strategy after", base)
		}
		d.name = base
	}
	if d.version == "" && !hasKey(top, "version") {
		d.version = "1"
	}
	if !haveRules && top.Kind == yaml.MappingNode {
		l.errAt(top, "rules", "no rules; a rule strategy needs at least one rule")
	}
	return d
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (l *loader) timeframes(n *yaml.Node) []events.Interval {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []events.Interval
	for i, it := range items {
		it = deref(it)
		path := fmt.Sprintf("timeframes[%d]", i)
		s, ok := l.scalar(it, path, "an interval such as 1h")
		if !ok {
			continue
		}
		iv, err := events.ParseInterval(s)
		if err != nil || iv <= 0 {
			l.errAt(it, path, "%q is not an interval; write 5m, 1h, 4h, 1d, 1w", s)
			continue
		}
		if contains2(out, iv) {
			l.errAt(it, path, "timeframe %s listed twice", iv)
			continue
		}
		out = append(out, iv)
	}
	return out
}

func contains2(list []events.Interval, iv events.Interval) bool {
	for _, x := range list {
		if x == iv {
			return true
		}
	}
	return false
}

var paramKeys = []string{"type", "default", "min", "max", "choices", "help"}

var paramKinds = []string{"int", "float", "bool", "interval", "string"}

// paramKindOf returns the ParamKind whose String is s.
func paramKindOf(s string) (strategies.ParamKind, bool) {
	for k := strategies.ParamInt; k <= strategies.ParamString; k++ {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

func (l *loader) params(n *yaml.Node) (out []strategies.ParamDef, bad []string) {
	for _, kv := range l.pairs(n, "params", nil) {
		k, v := kv[0], kv[1]
		path := "params." + k.Value
		if !strategies.ValidName(k.Value) || isReserved(k.Value) {
			l.errAt(k, path, "%q cannot name a parameter: use a lower-case identifier that is not a keyword, function or bar field", k.Value)
			continue
		}
		if pd, ok := l.param(k.Value, v, path); ok {
			out = append(out, pd)
		} else {
			bad = append(bad, k.Value)
		}
	}
	return out, bad
}

func (l *loader) param(name string, v *yaml.Node, path string) (strategies.ParamDef, bool) {
	pd := strategies.ParamDef{Name: name}
	var defNode *yaml.Node
	if v.Kind == yaml.ScalarNode {
		// Shorthand "lower: 30": the type follows the default.
		defNode = v
		switch v.Tag {
		case "!!int":
			pd.Kind = strategies.ParamInt
		case "!!float":
			pd.Kind = strategies.ParamFloat
		case "!!bool":
			pd.Kind = strategies.ParamBool
		default:
			l.errAt(v, path, "cannot tell the type of %q; write {type: ..., default: ...} with type one of %s", v.Value, strings.Join(paramKinds, ", "))
			return pd, false
		}
		pd.Default = v.Value
	} else {
		ok := true
		var minNode, maxNode *yaml.Node
		for _, kv := range l.pairs(v, path, paramKeys) {
			k, x := kv[0], kv[1]
			switch k.Value {
			case "type":
				s, sok := l.scalar(x, path+".type", "a type")
				if !sok {
					ok = false
					continue
				}
				if k, found := paramKindOf(s); found {
					pd.Kind = k
				} else {
					l.errAt(x, path+".type", "unknown type %q%s; allowed: %s", s, didYouMean(s, paramKinds), strings.Join(paramKinds, ", "))
					ok = false
				}
			case "default":
				s, sok := l.scalar(x, path+".default", "a default value")
				ok = ok && sok
				pd.Default, defNode = s, x
			case "min", "max":
				if k.Value == "min" {
					minNode = x
				} else {
					maxNode = x
				}
				s, sok := l.scalar(x, path+"."+k.Value, "a number")
				if !sok {
					ok = false
					continue
				}
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					l.errAt(x, path+"."+k.Value, "%q is not a number", s)
					ok = false
					continue
				}
				if k.Value == "min" {
					pd.Min = f
				} else {
					pd.Max = f
				}
			case "choices":
				if x.Kind != yaml.SequenceNode {
					l.errAt(x, path+".choices", "expected a list, found %s", kindName(x))
					ok = false
					continue
				}
				for i, c := range x.Content {
					c = deref(c)
					if s, sok := l.scalar(c, fmt.Sprintf("%s.choices[%d]", path, i), "a choice"); sok {
						pd.Choices = append(pd.Choices, s)
					}
				}
			case "help":
				pd.Help, _ = l.scalar(x, path+".help", "text")
			}
		}
		if pd.Kind == 0 && ok {
			l.errAt(v, path, "no type; add type: one of %s", strings.Join(paramKinds, ", "))
			ok = false
		}
		if defNode == nil && ok {
			l.errAt(v, path, "no default; every parameter needs one")
			ok = false
		}
		numeric := pd.Kind == strategies.ParamInt || pd.Kind == strategies.ParamFloat
		if (minNode != nil || maxNode != nil) && !numeric && pd.Kind != 0 {
			l.errAt(v, path, "min and max apply only to int and float parameters, not %s", pd.Kind)
			ok = false
		}
		if ok && (minNode != nil && maxNode == nil || maxNode != nil && minNode == nil) {
			// strategies.ParamDef reads 0..0 as unbounded, so a lone
			// bound would silently mean something else.
			n := minNode
			if n == nil {
				n = maxNode
			}
			l.errAt(n, path, "give both min and max (a one-sided range is min: -.inf or max: .inf)")
			ok = false
		}
		if ok && minNode != nil && maxNode != nil && pd.Min > pd.Max {
			l.errAt(minNode, path, "min %v is above max %v", pd.Min, pd.Max)
			ok = false
		}
		if len(pd.Choices) > 0 && pd.Kind != strategies.ParamString && pd.Kind != 0 {
			l.errAt(v, path, "choices apply only to string parameters")
			ok = false
		}
		if !ok {
			return pd, false
		}
	}
	// The strategies package owns what a value of each kind may be.
	if _, err := strategies.Bind(strategies.Def{Name: "x", Params: []strategies.ParamDef{pd}}, nil); err != nil {
		var pe *strategies.ParamError
		msg := err.Error()
		if errors.As(err, &pe) {
			msg = strings.TrimPrefix(pe.Reason, "bad default: ")
		}
		e := l.errAt(defNode, path+".default", "bad default %q for %s parameter: %s", pd.Default, pd.Kind, msg)
		e.Err = err
		return pd, false
	}
	return pd, true
}

func (l *loader) indicators(n *yaml.Node) []indDecl {
	var out []indDecl
	for _, kv := range l.pairs(n, "indicators", nil) {
		k, v := kv[0], kv[1]
		path := "indicators." + k.Value
		if !strategies.ValidName(k.Value) || isReserved(k.Value) {
			l.errAt(k, path, "%q cannot name an indicator: use a lower-case identifier that is not a keyword, function or bar field", k.Value)
			continue
		}
		s, ok := l.scalar(v, path, "an indicator spec such as ema(20) or sma(200)@1d")
		if !ok {
			continue
		}
		d := indDecl{name: k.Value, node: v, spec: s}
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			d.spec, d.tf = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
		}
		out = append(out, d)
	}
	return out
}

var ruleKeys = []string{"when", "signal", "strength", "reason"}

var kinds = []string{"long", "short", "exit", "flat"}

func (l *loader) rules(n *yaml.Node) []ruleDecl {
	if n.Kind != yaml.SequenceNode {
		l.errAt(n, "rules", "expected a list of rules (- when: ...), found %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.errAt(n, "rules", "no rules; a rule strategy needs at least one rule")
	}
	var out []ruleDecl
	for i, rn := range n.Content {
		rn = deref(rn)
		r := ruleDecl{path: fmt.Sprintf("rules[%d]", i)}
		ok := true
		for _, kv := range l.pairs(rn, r.path, ruleKeys) {
			k, v := kv[0], kv[1]
			switch k.Value {
			case "when":
				if _, sok := l.scalar(v, r.path+".when", "a condition"); sok {
					r.when = v
				} else {
					ok = false
				}
			case "signal":
				s, sok := l.scalar(v, r.path+".signal", "a signal kind")
				if !sok {
					ok = false
					continue
				}
				k, err := events.ParseSignalKind(s)
				if err != nil {
					l.errAt(v, r.path+".signal", "unknown signal %q%s; allowed: %s", s, didYouMean(s, kinds), strings.Join(kinds, ", "))
					ok = false
				}
				r.kind = k
			case "strength":
				if _, sok := l.scalar(v, r.path+".strength", "a number or an expression"); sok {
					r.strength = v
				} else {
					ok = false
				}
			case "reason":
				r.reason, _ = l.scalar(v, r.path+".reason", "text")
			}
		}
		if rn.Kind != yaml.MappingNode {
			continue
		}
		if r.when == nil && !hasKey(rn, "when") {
			l.errAt(rn, r.path, "rule without when; every rule needs a condition")
			ok = false
		}
		if r.kind == 0 && !hasKey(rn, "signal") {
			l.errAt(rn, r.path, "rule without signal; add signal: one of %s", strings.Join(kinds, ", "))
			ok = false
		}
		// A rule with a bad signal or strength still has its condition
		// checked, so that one Load reports everything (Load fails anyway).
		if ok || r.when != nil {
			out = append(out, r)
		}
	}
	return out
}

// resolved is one indicator with its parameters bound.
type resolved struct {
	need strategies.IndicatorNeed
	spec indicators.Spec
	ok   bool // false: an error was reported
}

// substitute replaces ${param} in text with the parameters' canonical text.
// It returns the text, or the unknown name and what is wrong.
func substitute(text string, p strategies.Params) (out, unknown, why string) {
	if !strings.Contains(text, "${") {
		return text, "", ""
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			b.WriteString(text)
			return b.String(), "", ""
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return "", "", "unclosed ${ in " + strconv.Quote(text)
		}
		name := text[i+2 : i+j]
		v, ok := p.Text(name)
		if !ok {
			names := make([]string, 0, p.Len())
			for _, d := range p.Defs() {
				names = append(names, d.Name)
			}
			hint := didYouMean(name, names)
			if hint == "" {
				hint = "; declared: " + strings.Join(names, ", ")
				if len(names) == 0 {
					hint = "; the strategy declares no params"
				}
			}
			return "", name, fmt.Sprintf("unknown parameter ${%s}%s", name, hint)
		}
		b.WriteString(text[:i])
		b.WriteString(v)
		text = text[i+j+1:]
	}
}

// resolve binds the indicators' specs and timeframes with p.
func (l *loader) resolve(d *doc, p strategies.Params, reg *indicators.Registry) []resolved {
	primary := events.Interval(0)
	if len(d.timeframes) > 0 {
		primary = d.timeframes[0]
	}
	out := make([]resolved, len(d.inds))
	for i, in := range d.inds {
		path := "indicators." + in.name
		spec, name, why := substitute(in.spec, p)
		if why != "" {
			if !contains(d.bad, name) {
				l.errAt(in.node, path, "%s", why)
			}
			continue
		}
		tf := primary
		if in.tf != "" {
			text, name, why := substitute(in.tf, p)
			if why != "" {
				if !contains(d.bad, name) {
					l.errAt(in.node, path, "%s", why)
				}
				continue
			}
			iv, err := events.ParseInterval(text)
			if err != nil || iv < 0 {
				l.errAt(in.node, path, "timeframe %q after @ is not an interval; write 5m, 1h, 1d", text)
				continue
			}
			tf = iv
		}
		s, err := reg.Parse(spec)
		if err != nil {
			e := l.errAt(in.node, path, "bad indicator spec: %v", err)
			e.Err = err
			var se *indicators.SpecError
			if errors.As(err, &se) {
				e.Msg = "bad indicator spec: " + se.Headline()
				e.Detail = caret(spec, se.Col)
				if spec == in.spec && in.node.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
					e.Col = in.node.Column + quoteShift(in.node) + se.Col - 1
				}
			}
			continue
		}
		out[i] = resolved{need: strategies.IndicatorNeed{Timeframe: tf, Spec: s.Name()}, spec: s, ok: true}
	}
	return out
}

// exprNames returns the expression names of one resolved indicator, with
// the output index each reads (-1 for the bare name of a multi-output one).
func exprNames(name string, s indicators.Spec) (names []string, outs []int) {
	switch {
	case s.Output >= 0:
		return []string{name}, []int{s.Output}
	case len(s.Def.Outputs) == 1:
		return []string{name}, []int{0}
	}
	names, outs = []string{name}, []int{-1}
	for o, out := range s.Def.Outputs {
		names = append(names, name+"."+out)
		outs = append(outs, o)
	}
	return names, outs
}

// scope resolves the indicators with the default parameters and builds the
// names expressions may use. Names whose declaration has an error are kept,
// as broken symbols, so that expressions using them are not reported again.
func (l *loader) scope(d *doc, p strategies.Params, reg *indicators.Registry) (*scope, []resolved) {
	sc := newScope()
	for i, pd := range d.params {
		sc.add(pd.Name, symbol{kind: symParam, param: i, pkind: pd.Kind})
	}
	for _, name := range d.bad {
		sc.add(name, symbol{kind: symBroken})
	}
	for _, in := range d.inds {
		if _, dup := sc.syms[in.name]; dup {
			l.errAt(in.node, "indicators."+in.name, "%s is already a parameter; indicators and parameters share names", in.name)
		}
	}
	res := l.resolve(d, p, reg)
	for i, r := range res {
		if !r.ok {
			sc.add(d.inds[i].name, symbol{kind: symBroken})
			continue
		}
		names, outs := exprNames(d.inds[i].name, r.spec)
		if outs[0] == -1 {
			sc.add(names[0], symbol{kind: symMulti, ind: i, outs: names[1:]})
			names, outs = names[1:], outs[1:]
		}
		for j, n := range names {
			sc.add(n, symbol{kind: symInd, ind: i, out: outs[j]})
		}
	}
	sc.finish()
	return sc, res
}

// compile builds the strategy for parameters p from the indicators resolved
// with p: the expressions compiled with p's values as constants.
func (l *loader) compile(d *doc, sc *scope, res []resolved, p strategies.Params) *strategy {
	s := &strategy{}
	if len(d.timeframes) > 0 {
		s.needs.Timeframes = append([]events.Interval(nil), d.timeframes...)
	}
	// One need per distinct (timeframe, spec); two names for the same
	// indicator read the same values.
	ind := make([]int, len(res))
	for i, r := range res {
		ind[i] = -1
		if !r.ok {
			continue
		}
		names, outs := exprNames(d.inds[i].name, r.spec)
		// A string parameter can change which indicator a spec names; the
		// expressions were checked against the defaults' outputs.
		for j, n := range names {
			if sym, ok := sc.syms[n]; !ok || (outs[j] >= 0 && sym.out != outs[j]) || (outs[j] < 0 && sym.kind != symMulti) {
				l.errAt(d.inds[i].node, "indicators."+d.inds[i].name,
					"with these parameters %s is %s, whose outputs differ from the default's", d.inds[i].name, r.need.Spec)
				return nil
			}
		}
		for j, n := range s.needs.Indicators {
			if n == r.need {
				ind[i] = j
			}
		}
		if ind[i] < 0 {
			ind[i] = len(s.needs.Indicators)
			s.needs.Indicators = append(s.needs.Indicators, r.need)
		}
	}
	c := &compiler{sc: sc, params: p, ind: ind}
	for i := range d.rules {
		r := &d.rules[i]
		cr := compiledRule{kind: r.kind, reason: r.reason}
		if cr.reason == "" {
			cr.reason = strings.Join(strings.Fields(r.when.Value), " ")
		}
		if cr.when = l.expr(c, r.when, &r.whenTree, r.path+".when", true).cond; cr.when == nil {
			continue
		}
		switch {
		case r.strength == nil:
			cr.fixed = defaultStrength(r.kind)
		default:
			if f, err := strconv.ParseFloat(strings.TrimSpace(r.strength.Value), 64); err == nil {
				if !(f >= -1 && f <= 1) {
					l.errAt(r.strength, r.path+".strength", "strength %v is outside [-1, 1]", f)
				}
				cr.fixed = f
			} else if cr.strength = l.expr(c, r.strength, &r.strengthTree, r.path+".strength", false).num; cr.strength == nil {
				continue
			}
		}
		s.rules = append(s.rules, cr)
	}
	// History counts values from the current one: reading index k needs
	// k+1 of them, and 2 is the contract's minimum.
	s.needs.History = max(2, c.back+1)
	return s
}

// compiled is one compiled expression: cond for conditions, num for numbers.
type compiled struct {
	cond condFn
	num  numFn
}

// expr checks and compiles the expression in scalar n, reporting problems
// at their position in the file.
func (l *loader) expr(c *compiler, n *yaml.Node, cache *ast.Node, path string, cond bool) compiled {
	src := n.Value
	tree := *cache
	var xe *exprError
	if tree == nil {
		tree, xe = c.sc.check(src, cond)
		if xe != nil && xe.quiet {
			return compiled{}
		}
		*cache = tree
	}
	var out compiled
	if xe == nil {
		c.err, c.broken = nil, false
		if cond {
			out.cond = c.cond(tree, 0)
		} else {
			out.num = c.num(tree, 0)
		}
		if c.broken {
			return compiled{} // it reads a declaration already reported
		}
		if c.err != nil {
			xe, out = c.err, compiled{}
		}
	}
	if xe != nil {
		e := l.errAt(n, path, "%s", xe.msg)
		e.Err = xe.err
		if xe.at >= 0 {
			line, col, text := l.locate(n, src, xe.at)
			e.Line, e.Col = line, col
			e.Detail = caret(text.line, text.col)
		} else {
			e.Detail = caret(src, 0)
			e.Detail = e.Detail[:strings.LastIndexByte(e.Detail, '\n')]
		}
	}
	return out
}

type srcLine struct {
	line string // the expression's line holding the problem
	col  int    // 1-based column in it
}

// locate maps a rune offset in the expression held by scalar n to a line
// and column of the file, and returns the source line holding it for the
// caret.
func (l *loader) locate(n *yaml.Node, src string, at int) (int, int, srcLine) {
	off := len(src) // the byte offset of rune offset at
	for i := range src {
		if at == 0 {
			off = i
			break
		}
		at--
	}
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// Block scalars start on the line after the indicator; each
		// content line is one segment of the value (folded ones are
		// joined by spaces, literal ones by newlines).
		return l.walk(n.Line+1, l.indent(n.Line+1)+1, off, src, n.Style&yaml.LiteralStyle != 0)
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && !bytes.Contains(l.line(n.Line), []byte(src)):
		// A plain scalar continued on the next lines.
		return l.walk(n.Line, n.Column, off, src, false)
	}
	// One line (or a quoted scalar, whose escapes make columns approximate).
	first := src
	if i := strings.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	c := utf8.RuneCountInString(src[:min(off, len(first))]) + 1
	return n.Line, n.Column + quoteShift(n) + c - 1, srcLine{line: first, col: c}
}

// walk finds byte offset off of a scalar value whose segments are the
// source lines from line on (the first starting at column col, 1-based),
// each separated from the next by one character in the value. Blank lines
// are segments of a literal scalar only (folding turns them into the
// separator).
func (l *loader) walk(line, col, off int, src string, literal bool) (int, int, srcLine) {
	for {
		text := l.line(line)
		if text == nil {
			break
		}
		seg := ""
		if col-1 <= len(text) {
			seg = strings.TrimRight(string(text[col-1:]), " \t\r")
		}
		if seg != "" || literal {
			if off <= len(seg) {
				c := utf8.RuneCountInString(seg[:off]) + 1
				return line, col + c - 1, srcLine{line: seg, col: c}
			}
			off -= len(seg) + 1
		}
		line++
		col = l.indent(line) + 1
	}
	return line, col, srcLine{line: src, col: 1}
}

// line returns the 1-based line of the source, without its newline, or nil
// past the end.
func (l *loader) line(n int) []byte {
	src := l.src
	for i := 1; i < n; i++ {
		j := bytes.IndexByte(src, '\n')
		if j < 0 {
			return nil
		}
		src = src[j+1:]
	}
	if j := bytes.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return src
}

func quoteShift(n *yaml.Node) int {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return 1
	}
	return 0
}

// indent returns the number of leading spaces of the 1-based line.
func (l *loader) indent(line int) int {
	src := l.line(line)
	k := 0
	for k < len(src) && src[k] == ' ' {
		k++
	}
	return k
}

func defaultStrength(k events.SignalKind) float64 {
	switch k {
	case events.KindLong:
		return 1
	case events.KindShort:
		return -1
	}
	return 0
}
