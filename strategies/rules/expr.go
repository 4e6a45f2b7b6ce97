package rules

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"

	"github.com/candlewick-labs/candlewick/strategies"
)

// Expressions are parsed and type-checked by expr (its messages, its
// operator set), then compiled here into a tree of closures over float64.
// expr's VM boxes every float64 it loads into an interface, which allocates
// on each evaluation; the closure tree evaluates a rule without allocating,
// which keeps the engine's hot path at 0 allocs per bar.

// maxBack bounds n in name[n]: the engine keeps History values per series,
// so an absurd n would cost memory for every symbol.
const maxBack = 10000

// barFields are the bar values an expression can name, in View.Bar order.
var barFields = [...]string{"open", "high", "low", "close", "volume"}

// funcNames are the functions rule expressions can call.
var funcNames = [...]string{"abs", "crosses_above", "crosses_below", "max", "min", "prev"}

// reserved are words that cannot name a parameter or an indicator: expr's
// keywords and literals, the functions and the bar fields.
var reserved = [...]string{"and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith",
	"true", "false", "nil", "let", "if", "else", "open", "high", "low", "close", "volume",
	"abs", "crosses_above", "crosses_below", "max", "min", "prev"}

func isReserved(name string) bool {
	for _, r := range reserved {
		if r == name {
			return true
		}
	}
	return false
}

type symKind uint8

const (
	symBar    symKind = iota + 1 // a bar field
	symInd                       // one output of an indicator
	symMulti                     // the bare name of a multi-output indicator (not a value)
	symParam                     // a parameter
	symBroken                    // a parameter or indicator whose declaration has an error
)

// symbol is what a name in an expression refers to.
type symbol struct {
	kind  symKind
	field int      // symBar: index into barFields
	ind   int      // symInd, symMulti: index into the declared indicators
	out   int      // symInd: output index
	outs  []string // symMulti: the outputs' expression names
	param int      // symParam: index into the declared params
	pkind strategies.ParamKind
}

// scope is the set of names expressions of one file can use. It is built
// once per Load and only read afterwards.
type scope struct {
	syms  map[string]symbol // lookup only: never ranged over for output
	names []string          // every usable name, sorted, for suggestions
	opts  []expr.Option
}

func newScope() *scope {
	sc := &scope{syms: make(map[string]symbol)}
	for i, f := range barFields {
		sc.syms[f] = symbol{kind: symBar, field: i}
	}
	return sc
}

func (sc *scope) add(name string, s symbol) { sc.syms[name] = s }

// finish builds the expr options (environment types and function
// signatures) once all names are known.
func (sc *scope) finish() {
	env := make(map[string]any, len(sc.syms))
	sc.names = sc.names[:0]
	for name, s := range sc.syms {
		switch {
		case s.kind == symParam && s.pkind == strategies.ParamInt:
			env[name] = 0
		case s.kind == symParam && s.pkind == strategies.ParamBool:
			env[name] = false
		case s.kind == symParam && (s.pkind == strategies.ParamString || s.pkind == strategies.ParamInterval):
			env[name] = ""

		default:
			env[name] = 0.0
		}
		if s.kind != symMulti {
			sc.names = append(sc.names, name)
		}
	}
	sort.Strings(sc.names)
	// The VM never runs these: compileRule evaluates the checked tree.
	stub := func(...any) (any, error) { return nil, errors.New("rules: evaluated by the rules compiler") }
	sc.opts = []expr.Option{
		expr.Env(env),
		expr.DisableAllBuiltins(),
		expr.Optimize(false), // keep the tree as written: positions stay exact
		expr.Function("crosses_above", stub, new(func(float64, float64) bool)),
		expr.Function("crosses_below", stub, new(func(float64, float64) bool)),
		expr.Function("prev", stub, new(func(float64, int) float64)),
		expr.Function("abs", stub, new(func(float64) float64)),
		expr.Function("min", stub, new(func(float64, float64, ...float64) float64)),
		expr.Function("max", stub, new(func(float64, float64, ...float64) float64)),
	}
}

// exprError is a problem in one expression at a rune offset (-1: the
// expression as a whole).
type exprError struct {
	at    int
	msg   string
	err   error
	quiet bool // a consequence of a declaration error already reported
}

func (e *exprError) Error() string { return e.msg }

// patcher rewrites what expr cannot type-check as written, before it
// checks: name[n] becomes prev(name, n), and macd.signal becomes the
// identifier "macd.signal". It also reports unknown names with suggestions,
// which expr's "unknown name" message lacks.
type patcher struct {
	sc     *scope
	errs   []*exprError
	broken bool // a symBroken name was read
}

func (p *patcher) fail(n ast.Node, format string, args ...any) {
	p.errs = append(p.errs, &exprError{at: n.Location().From, msg: fmt.Sprintf(format, args...)})
}

func (p *patcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if s, ok := p.sc.syms[n.Value]; ok || isFunc(n.Value) {
			p.broken = p.broken || s.kind == symBroken
			return
		}
		hint := didYouMean(n.Value, p.sc.names)
		if hint == "" {
			hint = "; names: " + strings.Join(p.sc.names, ", ") + "; functions: " + strings.Join(funcNames[:], ", ")
		}
		p.fail(n, "unknown name %q%s", n.Value, hint)
	case *ast.MemberNode:
		p.member(node, n)
	case *ast.VariableDeclaratorNode:
		p.fail(n, "let is not supported in rule expressions")
	}
}

func (p *patcher) member(node *ast.Node, n *ast.MemberNode) {
	if n.Optional || n.Method {
		p.fail(n, "?. and method calls are not supported in rule expressions")
		return
	}
	switch prop := n.Property.(type) {
	case *ast.IntegerNode:
		if prop.Value < 0 || prop.Value > maxBack {
			p.fail(prop, "bars back must be 0..%d, as in rsi[1]", maxBack)
			return
		}
		ast.Patch(node, &ast.CallNode{
			Callee:    &ast.IdentifierNode{Value: "prev"},
			Arguments: []ast.Node{n.Node, &ast.IntegerNode{Value: prop.Value}},
		})
	case *ast.StringNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if !ok {
			p.fail(n, "field access .%s is not supported here; outputs are written indicator.output", prop.Value)
			return
		}
		s, ok := p.sc.syms[id.Value]
		switch {
		case !ok:
			return // reported as an unknown name
		case s.kind == symMulti:
			full := id.Value + "." + prop.Value
			if _, ok := p.sc.syms[full]; !ok {
				p.fail(prop, "indicator %s has no output %q; outputs: %s", id.Value, prop.Value, strings.Join(s.outs, ", "))
				return
			}
			ast.Patch(node, &ast.IdentifierNode{Value: full})
		case s.kind == symInd:
			p.fail(prop, "%s has a single output; write %s", id.Value, id.Value)
		case s.kind == symBroken:
			ast.Patch(node, &ast.IdentifierNode{Value: id.Value})
		default:
			p.fail(prop, "%s has no outputs; .%s is not allowed", id.Value, prop.Value)
		}
	case *ast.UnaryNode:
		if _, ok := prop.Node.(*ast.IntegerNode); ok && prop.Operator == "-" {
			p.fail(prop, "bars back cannot be negative: a rule sees closed bars only, never later ones")
			return
		}
		p.fail(prop, "bars back must be a whole number literal, as in rsi[1]")
	default:
		p.fail(n.Property, "bars back must be a whole number literal, as in rsi[1]")
	}
}

func isFunc(name string) bool {
	for _, f := range funcNames {
		if f == name {
			return true
		}
	}
	return false
}

// check parses and type-checks src (a condition when cond is true, else a
// number) and returns the checked tree.
func (sc *scope) check(src string, cond bool) (ast.Node, *exprError) {
	p := &patcher{sc: sc}
	opts := append(append([]expr.Option(nil), sc.opts...), expr.Patch(p))
	if cond {
		opts = append(opts, expr.AsBool())
	} else {
		opts = append(opts, expr.AsFloat64())
	}
	prog, err := expr.Compile(src, opts...)
	if len(p.errs) > 0 {
		first := p.errs[0]
		for _, e := range p.errs[1:] {
			if e.at < first.at {
				first = e
			}
		}
		return nil, first
	}
	if err != nil && p.broken {
		// Broken names are typed float64 as a guess; whatever expr finds
		// wrong may come from the guess.
		return nil, &exprError{at: -1, quiet: true}
	}
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, &exprError{at: fe.From, msg: fe.Message, err: err}
		}
		msg := err.Error()
		if cond && strings.HasPrefix(msg, "expected bool") {
			msg = "not a condition: " + strings.TrimPrefix(msg, "expected bool, but got ") +
				" value where true or false is needed"
		} else if !cond && strings.HasPrefix(msg, "expected float64") {
			msg = "not a number: " + strings.TrimPrefix(msg, "expected float64, but got ") +
				" value where a number is needed"
		}
		return nil, &exprError{at: -1, msg: msg, err: err}
	}
	return prog.Node(), nil
}

// tri is a condition's value: true, false, or not available (it read an
// invalid value). A rule fires only on triTrue.
type tri int8

const (
	triFalse tri = 0
	triTrue  tri = 1
	triNA    tri = -1
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

// evalCtx is what compiled expressions read: the View of the current OnBar
// call. back in numFn/condFn is how many bars back the value is wanted.
type evalCtx struct {
	v strategies.View
}

type (
	numFn  func(c *evalCtx, back int) float64 // NaN: not available
	condFn func(c *evalCtx, back int) tri
)

// compiler turns a checked tree into closures, with parameters bound to
// constants and indicators to indexes into Needs.Indicators.
type compiler struct {
	sc     *scope
	params strategies.Params
	ind    []int // declared indicator -> index into Needs.Indicators
	back   int   // the deepest index read (n of name[n], one more inside a cross)
	err    *exprError
	broken bool // the expression reads a symBroken name
}

func (c *compiler) fail(n ast.Node, format string, args ...any) {
	if c.err == nil {
		c.err = &exprError{at: n.Location().From, msg: fmt.Sprintf(format, args...)}
	}
}

func isCond(n ast.Node) bool {
	t := n.Type()
	return t != nil && t.Kind() == reflect.Bool
}

var nan = math.NaN()

func constNum(x float64) numFn { return func(*evalCtx, int) float64 { return x } }
func constCond(t tri) condFn   { return func(*evalCtx, int) tri { return t } }

func (c *compiler) num(n ast.Node, depth int) numFn {
	c.back = max(c.back, depth)
	switch n := n.(type) {
	case *ast.IntegerNode:
		return constNum(float64(n.Value))
	case *ast.FloatNode:
		return constNum(n.Value)
	case *ast.IdentifierNode:
		return c.ident(n)
	case *ast.UnaryNode:
		x := c.num(n.Node, depth)
		switch n.Operator {
		case "-":
			return func(e *evalCtx, b int) float64 { return -x(e, b) }
		case "+":
			return x
		}
	case *ast.BinaryNode:
		return c.arith(n, depth)
	case *ast.CallNode:
		return c.numCall(n, depth)
	case *ast.ConditionalNode:
		cond, a, b := c.cond(n.Cond, depth), c.num(n.Exp1, depth), c.num(n.Exp2, depth)
		return func(e *evalCtx, k int) float64 {
			switch cond(e, k) {
			case triTrue:
				return a(e, k)
			case triFalse:
				return b(e, k)
			}
			return nan
		}
	}
	c.fail(n, "%s is not supported in rule expressions", describe(n))
	return constNum(nan)
}

func (c *compiler) ident(n *ast.IdentifierNode) numFn {
	s := c.sc.syms[n.Value]
	switch s.kind {
	case symBar:
		return barField(s.field)
	case symInd:
		i, o := c.ind[s.ind], s.out
		return func(e *evalCtx, b int) float64 {
			if x, ok := e.v.Value(i, o, b); ok {
				return x
			}
			return nan
		}
	case symMulti:
		c.fail(n, "indicator %s has several outputs; write one of %s", n.Value, strings.Join(s.outs, ", "))
	case symBroken:
		c.broken = true
	case symParam:
		switch s.pkind {
		case strategies.ParamInt, strategies.ParamFloat:
			return constNum(c.params.Float(n.Value))
		default:
			c.fail(n, "parameter %s is %s %s; only int, float and bool parameters can be used in expressions (others go into indicator specs)",
				n.Value, article(s.pkind.String()), s.pkind)
		}
	default:
		c.fail(n, "unknown name %q", n.Value)
	}
	return constNum(nan)
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}

func barField(f int) numFn {
	get := func(e *evalCtx, b int) (strategies.BarValues, bool) { return e.v.Bar(b) }
	switch f {
	case 0:
		return func(e *evalCtx, b int) float64 {
			if v, ok := get(e, b); ok {
				return v.Open
			}
			return nan
		}
	case 1:
		return func(e *evalCtx, b int) float64 {
			if v, ok := get(e, b); ok {
				return v.High
			}
			return nan
		}
	case 2:
		return func(e *evalCtx, b int) float64 {
			if v, ok := get(e, b); ok {
				return v.Low
			}
			return nan
		}
	case 3:
		return func(e *evalCtx, b int) float64 {
			if v, ok := get(e, b); ok {
				return v.Close
			}
			return nan
		}
	}
	return func(e *evalCtx, b int) float64 {
		if v, ok := get(e, b); ok {
			return v.Volume
		}
		return nan
	}
}

func (c *compiler) arith(n *ast.BinaryNode, depth int) numFn {
	switch n.Operator {
	case "+", "-", "*", "/", "%", "**", "^":
	default:
		c.fail(n, "operator %q is not supported in rule expressions", n.Operator)
		return constNum(nan)
	}
	x, y := c.num(n.Left, depth), c.num(n.Right, depth)
	switch n.Operator {
	case "+":
		return func(e *evalCtx, b int) float64 { return x(e, b) + y(e, b) }
	case "-":
		return func(e *evalCtx, b int) float64 { return x(e, b) - y(e, b) }
	case "*":
		return func(e *evalCtx, b int) float64 { return x(e, b) * y(e, b) }
	case "/":
		return func(e *evalCtx, b int) float64 { return x(e, b) / y(e, b) }
	case "%":
		return func(e *evalCtx, b int) float64 { return math.Mod(x(e, b), y(e, b)) }
	}
	return func(e *evalCtx, b int) float64 { return math.Pow(x(e, b), y(e, b)) }
}

func calleeName(n *ast.CallNode) string {
	if id, ok := n.Callee.(*ast.IdentifierNode); ok {
		return id.Value
	}
	return ""
}

func (c *compiler) numCall(n *ast.CallNode, depth int) numFn {
	switch name := calleeName(n); name {
	case "prev":
		k, ok := n.Arguments[1].(*ast.IntegerNode)
		if !ok || k.Value < 0 || k.Value > maxBack {
			c.fail(n.Arguments[1], "bars back must be a whole number 0..%d", maxBack)
			return constNum(nan)
		}
		x, d := c.num(n.Arguments[0], depth+k.Value), k.Value
		return func(e *evalCtx, b int) float64 { return x(e, b+d) }
	case "abs":
		x := c.num(n.Arguments[0], depth)
		return func(e *evalCtx, b int) float64 { return math.Abs(x(e, b)) }
	case "min", "max":
		args := make([]numFn, len(n.Arguments))
		for i, a := range n.Arguments {
			args[i] = c.num(a, depth)
		}
		// math.Min/Max propagate NaN, so a missing value makes the result
		// missing rather than silently picking the other argument.
		pick := math.Min
		if name == "max" {
			pick = math.Max
		}
		if len(args) == 2 {
			x, y := args[0], args[1]
			return func(e *evalCtx, b int) float64 { return pick(x(e, b), y(e, b)) }
		}
		return func(e *evalCtx, b int) float64 {
			r := args[0](e, b)
			for _, f := range args[1:] {
				r = pick(r, f(e, b))
			}
			return r
		}
	}
	c.fail(n, "%s does not give a number", describe(n))
	return constNum(nan)
}

func (c *compiler) cond(n ast.Node, depth int) condFn {
	c.back = max(c.back, depth)
	switch n := n.(type) {
	case *ast.BoolNode:
		return constCond(triOf(n.Value))
	case *ast.IdentifierNode:
		switch s := c.sc.syms[n.Value]; {
		case s.kind == symParam && s.pkind == strategies.ParamBool:
			return constCond(triOf(c.params.Bool(n.Value)))
		case s.kind == symBroken:
			c.broken = true
			return constCond(triNA)
		}
	case *ast.UnaryNode:
		if n.Operator == "not" || n.Operator == "!" {
			x := c.cond(n.Node, depth)
			return func(e *evalCtx, b int) tri {
				switch x(e, b) {
				case triTrue:
					return triFalse
				case triFalse:
					return triTrue
				}
				return triNA
			}
		}
	case *ast.BinaryNode:
		return c.logic(n, depth)
	case *ast.CallNode:
		switch calleeName(n) {
		case "crosses_above", "crosses_below":
			// The previous values are read one bar further back.
			x, y := c.num(n.Arguments[0], depth+1), c.num(n.Arguments[1], depth+1)
			above := calleeName(n) == "crosses_above"
			return func(e *evalCtx, b int) tri {
				x0, y0, x1, y1 := x(e, b), y(e, b), x(e, b+1), y(e, b+1)
				if math.IsNaN(x0) || math.IsNaN(y0) || math.IsNaN(x1) || math.IsNaN(y1) {
					return triFalse
				}
				if above {
					return triOf(x1 <= y1 && x0 > y0)
				}
				return triOf(x1 >= y1 && x0 < y0)
			}
		}
	case *ast.ConditionalNode:
		cond, a, b := c.cond(n.Cond, depth), c.cond(n.Exp1, depth), c.cond(n.Exp2, depth)
		return func(e *evalCtx, k int) tri {
			switch cond(e, k) {
			case triTrue:
				return a(e, k)
			case triFalse:
				return b(e, k)
			}
			return triNA
		}
	}
	c.fail(n, "%s is not supported as a condition", describe(n))
	return constCond(triNA)
}

func (c *compiler) logic(n *ast.BinaryNode, depth int) condFn {
	switch n.Operator {
	case "and", "&&":
		x, y := c.cond(n.Left, depth), c.cond(n.Right, depth)
		return func(e *evalCtx, b int) tri {
			l := x(e, b)
			if l == triFalse {
				return triFalse
			}
			r := y(e, b)
			if r == triFalse {
				return triFalse
			}
			if l == triNA || r == triNA {
				return triNA
			}
			return triTrue
		}
	case "or", "||":
		x, y := c.cond(n.Left, depth), c.cond(n.Right, depth)
		return func(e *evalCtx, b int) tri {
			l := x(e, b)
			if l == triTrue {
				return triTrue
			}
			r := y(e, b)
			if r == triTrue {
				return triTrue
			}
			if l == triNA || r == triNA {
				return triNA
			}
			return triFalse
		}
	case "==", "!=":
		if isCond(n.Left) && isCond(n.Right) {
			x, y := c.cond(n.Left, depth), c.cond(n.Right, depth)
			eq := n.Operator == "=="
			return func(e *evalCtx, b int) tri {
				l, r := x(e, b), y(e, b)
				if l == triNA || r == triNA {
					return triNA
				}
				return triOf((l == r) == eq)
			}
		}
	case "<", "<=", ">", ">=":
	default:
		c.fail(n, "operator %q is not supported in rule expressions", n.Operator)
		return constCond(triNA)
	}
	x, y := c.num(n.Left, depth), c.num(n.Right, depth)
	var cmp func(a, b float64) bool
	switch n.Operator {
	case "<":
		cmp = func(a, b float64) bool { return a < b }
	case "<=":
		cmp = func(a, b float64) bool { return a <= b }
	case ">":
		cmp = func(a, b float64) bool { return a > b }
	case ">=":
		cmp = func(a, b float64) bool { return a >= b }
	case "==":
		cmp = func(a, b float64) bool { return a == b }
	default:
		cmp = func(a, b float64) bool { return a != b }
	}
	return func(e *evalCtx, b int) tri {
		l, r := x(e, b), y(e, b)
		if math.IsNaN(l) || math.IsNaN(r) {
			return triNA
		}
		return triOf(cmp(l, r))
	}
}

// describe names a node kind for "not supported" messages.
func describe(n ast.Node) string {
	switch n := n.(type) {
	case *ast.StringNode:
		return "a string"
	case *ast.NilNode:
		return "nil"
	case *ast.ArrayNode:
		return "an array"
	case *ast.MapNode:
		return "a map"
	case *ast.CallNode:
		if name := calleeName(n); name != "" {
			return name + "(...)"
		}
		return "this call"
	case *ast.BinaryNode:
		return "operator " + n.Operator
	case *ast.UnaryNode:
		return "operator " + n.Operator
	case *ast.IdentifierNode:
		return n.Value
	case *ast.BoolNode:
		return "a boolean"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	}
	return "this expression"
}
