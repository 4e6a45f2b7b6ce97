package indicators

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/candlewick-labs/candlewick/internal/editdist"
)

// ErrSpec is wrapped by every *SpecError, so callers can test any spec
// problem with errors.Is(err, ErrSpec).
var ErrSpec = errors.New("indicators: bad spec")

// SpecError is a problem in an indicator spec, located at a 1-based byte
// column. Its Error renders the spec with a caret under the column, as Go's
// parser errors do:
//
//	unknown indicator "rsii" at column 1; did you mean rsi?
//		rsii(14)
//		^
type SpecError struct {
	Spec string // the whole spec text as given
	Col  int    // 1-based column of the problem
	Msg  string // what is wrong, without the column
	Hint string // e.g. "did you mean rsi?"; may be empty
	Err  error  // the underlying error (a constructor's), or nil
}

// Headline returns the one-line message without the caret lines.
func (e *SpecError) Headline() string {
	s := fmt.Sprintf("%s at column %d", e.Msg, e.Col)
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *SpecError) Error() string {
	pad := strings.Repeat(" ", max(e.Col-1, 0))
	return e.Headline() + "\n\t" + e.Spec + "\n\t" + pad + "^"
}

// Unwrap returns ErrSpec and the underlying error, if any.
func (e *SpecError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrSpec, e.Err}
	}
	return []error{ErrSpec}
}

// Spec is one parsed indicator spec: which Def, its parameters (all of them,
// defaults filled in), the source, and an optional selected output.
type Spec struct {
	Def    Def
	Params []float64
	Source Source
	Output int // index into Def.Outputs of the selected output, or -1 for all
	Col    int // 1-based column where the spec starts in the text parsed
}

// Name returns the normalised spec without the output selection: lower case,
// no spaces, every parameter written out except trailing Optional ones at
// their default, and the source when it is not close. It equals the Name() of
// the indicator the spec builds.
func (s Spec) Name() string {
	n := len(s.Params)
	for n > 0 && n <= len(s.Def.Params) && s.Def.Params[n-1].Optional && s.Params[n-1] == s.Def.Params[n-1].Default {
		n--
	}
	return specName(s.Def.Name, s.Source, s.Params[:n]...)
}

// String returns Name() followed by ".<output>" when an output is selected.
func (s Spec) String() string {
	if s.Output >= 0 && s.Output < len(s.Def.Outputs) {
		return s.Name() + "." + s.Def.Outputs[s.Output]
	}
	return s.Name()
}

// Columns returns the column names the spec contributes: the normalised spec
// for a single-output indicator or a selected output ("<spec>.<output>"),
// else one "<spec>.<output>" per output.
func (s Spec) Columns() []string {
	name := s.Name()
	if s.Output >= 0 {
		return []string{name + "." + s.Def.Outputs[s.Output]}
	}
	if len(s.Def.Outputs) == 1 {
		return []string{name}
	}
	cols := make([]string, len(s.Def.Outputs))
	for i, o := range s.Def.Outputs {
		cols[i] = name + "." + o
	}
	return cols
}

// Token kinds of the spec lexer.
const (
	tokEOF = iota
	tokIdent
	tokNumber
	tokLParen
	tokRParen
	tokComma
	tokDot
	tokBad
)

type specToken struct {
	kind int
	text string
	col  int // 1-based
}

// lexSpec splits text into tokens. Identifiers are lower-cased.
func lexSpec(text string) []specToken {
	var toks []specToken
	i := 0
	for i < len(text) {
		c := text[i]
		col := i + 1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			toks = append(toks, specToken{tokLParen, "(", col})
			i++
		case c == ')':
			toks = append(toks, specToken{tokRParen, ")", col})
			i++
		case c == ',':
			toks = append(toks, specToken{tokComma, ",", col})
			i++
		case specIsIdentStart(c):
			j := i
			for j < len(text) && (specIsIdentStart(text[j]) || specIsDigit(text[j])) {
				j++
			}
			toks = append(toks, specToken{tokIdent, strings.ToLower(text[i:j]), col})
			i = j
		case specIsDigit(c) || c == '-' || c == '+' || (c == '.' && i+1 < len(text) && specIsDigit(text[i+1])):
			j := i + 1
			for j < len(text) && (specIsDigit(text[j]) || text[j] == '.' || text[j] == 'e' || text[j] == 'E' ||
				((text[j] == '-' || text[j] == '+') && (text[j-1] == 'e' || text[j-1] == 'E'))) {
				j++
			}
			toks = append(toks, specToken{tokNumber, text[i:j], col})
			i = j
		case c == '.':
			toks = append(toks, specToken{tokDot, ".", col})
			i++
		default:
			toks = append(toks, specToken{tokBad, string(c), col})
			i++
		}
	}
	return append(toks, specToken{tokEOF, "", len(text) + 1})
}

func specIsIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func specIsDigit(c byte) bool      { return c >= '0' && c <= '9' }

// specParser parses a comma-separated list of specs against a Def lookup.
type specParser struct {
	text   string
	toks   []specToken
	pos    int
	lookup func(string) (Def, bool)
	names  func() []string
}

func (p *specParser) peek() specToken { return p.toks[p.pos] }
func (p *specParser) next() specToken {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *specParser) errAt(col int, format string, args ...any) *SpecError {
	return &SpecError{Spec: p.text, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func specDescribe(t specToken) string {
	if t.kind == tokEOF {
		return "end of spec"
	}
	return strconv.Quote(t.text)
}

// parseList parses spec {"," spec} EOF.
func (p *specParser) parseList() ([]Spec, error) {
	var out []Spec
	for {
		s, err := p.parseOne()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		t := p.next()
		switch t.kind {
		case tokEOF:
			return out, nil
		case tokComma:
			continue
		default:
			return nil, p.errAt(t.col, "unexpected %s after %s", specDescribe(t), s.String())
		}
	}
}

// parseOne parses name ["(" [arg {"," arg}] ")"] ["." output].
func (p *specParser) parseOne() (Spec, error) {
	t := p.next()
	if t.kind != tokIdent {
		return Spec{}, p.errAt(t.col, "expected an indicator name, found %s", specDescribe(t))
	}
	def, ok := p.lookup(t.text)
	if !ok {
		e := p.errAt(t.col, "unknown indicator %q", t.text)
		if s := specSuggest(t.text, p.names()); len(s) > 0 {
			e.Hint = "did you mean " + strings.Join(s, ", ") + "?"
		}
		return Spec{}, e
	}
	s := Spec{Def: def, Output: -1, Col: t.col}
	var args []specToken
	if p.peek().kind == tokLParen {
		p.next()
		if p.peek().kind == tokRParen {
			p.next()
		} else {
			for {
				a := p.next()
				if a.kind != tokNumber && a.kind != tokIdent {
					return Spec{}, p.errAt(a.col, "expected a parameter of %s, found %s", def.Name, specDescribe(a))
				}
				args = append(args, a)
				sep := p.next()
				if sep.kind == tokRParen {
					break
				}
				if sep.kind != tokComma {
					return Spec{}, p.errAt(sep.col, "expected \",\" or \")\" in %s(...), found %s", def.Name, specDescribe(sep))
				}
			}
		}
	}
	// A trailing source name is the source.
	if n := len(args); n > 0 && args[n-1].kind == tokIdent {
		if src, ok := ParseSource(args[n-1].text); ok {
			if !def.HasSource {
				return Spec{}, p.errAt(args[n-1].col, "%s does not take a source (it reads %s)", def.Name, def.Inputs)
			}
			s.Source = src
			args = args[:n-1]
		}
	}
	s.Params = make([]float64, len(def.Params))
	for i, pd := range def.Params {
		if i >= len(args) {
			s.Params[i] = pd.Default
			continue
		}
		v, err := specParamValue(pd, args[i])
		if err != "" {
			return Spec{}, p.errAt(args[i].col, "%s %s: %s", def.Name, pd.Name, err)
		}
		s.Params[i] = v
	}
	if len(args) > len(def.Params) {
		a := args[len(def.Params)]
		if _, isSrc := ParseSource(a.text); isSrc && a.kind == tokIdent && def.HasSource {
			return Spec{}, p.errAt(a.col, "%s: source %q must be the last argument", def.Name, a.text)
		}
		return Spec{}, p.errAt(a.col, "%s takes at most %d parameters%s",
			def.Name, len(def.Params), specSourceNote(def))
	}
	if p.peek().kind == tokDot {
		p.next()
		o := p.next()
		if o.kind != tokIdent {
			return Spec{}, p.errAt(o.col, "expected an output name of %s after \".\", found %s", def.Name, specDescribe(o))
		}
		s.Output = -1
		for i, name := range def.Outputs {
			if name == o.text {
				s.Output = i
			}
		}
		if s.Output < 0 {
			return Spec{}, p.errAt(o.col, "%s has no output %q (it has %s)", def.Name, o.text, strings.Join(def.Outputs, ", "))
		}
	}
	return s, nil
}

func specSourceNote(d Def) string {
	if d.HasSource {
		return " and a source"
	}
	return ""
}

// specParamValue converts and range-checks one argument; it returns a message on error.
func specParamValue(pd ParamDef, t specToken) (float64, string) {
	var v float64
	if t.kind == tokIdent {
		if pd.Kind != ParamMAType {
			if _, ok := ParseSource(t.text); ok {
				return 0, fmt.Sprintf("source %q must be the last argument", t.text)
			}
			return 0, fmt.Sprintf("expected a number, found %q", t.text)
		}
		found := false
		for i, n := range maTypeNames {
			if n == t.text {
				v, found = float64(i), true
			}
		}
		if !found {
			return 0, fmt.Sprintf("unknown moving average %q (one of %s)", t.text, strings.Join(maTypeNames[:], ", "))
		}
	} else {
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Sprintf("bad number %q", t.text)
		}
		v = f
	}
	if pd.Kind != ParamFloat && v != math.Trunc(v) {
		return 0, fmt.Sprintf("%s must be an integer", strconv.FormatFloat(v, 'g', -1, 64))
	}
	if v < pd.Min || v > pd.Max {
		return 0, fmt.Sprintf("%s out of range %s..%s", strconv.FormatFloat(v, 'g', -1, 64),
			strconv.FormatFloat(pd.Min, 'g', -1, 64), strconv.FormatFloat(pd.Max, 'g', -1, 64))
	}
	return v, ""
}

// specSuggest returns the names close to s, sorted: within Levenshtein distance
// 2 (1 for names of up to 4 letters, where 2 edits reach half the
// catalogue), or sharing a prefix of at least 3 letters (or all of the
// shorter one).
func specSuggest(s string, names []string) []string {
	maxDist := 2
	if len(s) <= 4 {
		maxDist = 1
	}
	var out []string
	for _, n := range names {
		if editdist.Levenshtein(s, n) <= maxDist || specCommonPrefix(s, n) >= min(3, len(s), len(n)) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func specCommonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
