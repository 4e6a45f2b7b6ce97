package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/candlewick-labs/candlewick/internal/editdist"
)

// ErrRules is wrapped by every [*Error]: a rule file that does not load
// (bad YAML, an unknown key, a bad parameter, indicator spec or expression).
// Match it with errors.Is.
var ErrRules = errors.New("rules: invalid rule strategy")

// Error is one problem in a rule file, located at a 1-based line and column
// of the file. Its message says what is wrong; Detail, when set, shows the
// offending expression or spec with a caret under the problem:
//
//	rsi_dip.yaml:17:36: rules[0].when: unknown name "trnd"; did you mean trend?
//		crosses_above(rsi, lower) and close > trnd
//		                                      ^
//
// Load returns every problem of a file at once, joined with errors.Join in
// file order.
type Error struct {
	File   string // the name given to Load, or the path given to LoadFile
	Line   int    // 1-based line in the file (0: the file as a whole)
	Col    int    // 1-based column (0: unknown)
	Path   string // where in the document: "params.lower", "rules[1].when"
	Msg    string // what is wrong
	Detail string // the offending text with a caret line, or ""
	Err    error  // the underlying error (YAML, indicators, expr, strategies), or nil
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Detail != "" {
		b.WriteString("\n")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns ErrRules and the underlying error, if any.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrRules, e.Err}
	}
	return []error{ErrRules}
}

// caret renders text (its first line only) with a caret under the 1-based
// column col, indented by a tab like indicators.SpecError does.
func caret(text string, col int) string {
	line := text
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if col < 1 {
		col = 1
	}
	if col > len(line)+1 {
		col = len(line) + 1
	}
	return "\t" + line + "\n\t" + strings.Repeat(" ", col-1) + "^"
}

// suggest returns the names within a small edit distance of name (or that
// contain it), closest first, at most three: the "did you mean" list.
func suggest(name string, names []string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	limit := 2
	if len(name) <= 3 {
		limit = 1
	}
	for _, n := range names {
		d := editdist.Levenshtein(name, n)
		if d <= limit || (len(name) >= 3 && strings.Contains(n, name)) {
			cs = append(cs, cand{n, d})
		}
	}
	// Insertion sort: tiny lists, and stable by the given (sorted) order.
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].d < cs[j-1].d; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	out := make([]string, 0, 3)
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].s)
	}
	return out
}

func didYouMean(name string, names []string) string {
	s := suggest(name, names)
	if len(s) == 0 {
		return ""
	}
	return "; did you mean " + strings.Join(s, ", ") + "?"
}
