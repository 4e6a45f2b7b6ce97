package strategies

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
)

// ParamKind is the type of a strategy parameter.
type ParamKind uint8

// Parameter kinds. The canonical text of a value (what [Params.List] and
// [Params.Hash] use, and what signals carry) is, per kind:
//
//	ParamInt       decimal integer: "20"
//	ParamFloat     shortest float form: "2", "2.5", "0.015"
//	ParamBool      "true" or "false" (Bind accepts what strconv.ParseBool does)
//	ParamInterval  events.Interval.String(): "5m", "1h"; "0" for the zero interval
//	ParamString    the text as given (trimmed); with Choices, the matching choice
const (
	ParamInt ParamKind = iota + 1
	ParamFloat
	ParamBool
	ParamInterval
	ParamString
)

// String returns "int", "float", "bool", "interval" or "string" ("" for an
// undeclared kind).
func (k ParamKind) String() string {
	switch k {
	case ParamInt:
		return "int"
	case ParamFloat:
		return "float"
	case ParamBool:
		return "bool"
	case ParamInterval:
		return "interval"
	case ParamString:
		return "string"
	}
	return ""
}

// ParamDef declares one strategy parameter. Parameter sweeps and the CLI
// read these declarations, so every parameter a strategy reads must be
// declared.
type ParamDef struct {
	Name string    // lower-case identifier, unique within the Def: "fast"
	Kind ParamKind //
	// Default is the value's text when no override is given; it must bind
	// (NewRegistry checks it) and is canonicalised like any other value.
	Default string
	// Min and Max bound ParamInt and ParamFloat values, inclusive. Both 0
	// means unbounded; ±Inf gives a one-sided range. Other kinds ignore them.
	Min, Max float64
	// Choices, when not empty, lists the values a ParamString accepts
	// (compared case-insensitively; the canonical text is the choice as
	// written here). Other kinds ignore it.
	Choices []string
	Help    string // one line for --help and docs
}

// bounded reports whether d has a numeric range.
func (d ParamDef) bounded() bool { return d.Min != 0 || d.Max != 0 }

// Allowed describes the values d accepts, for error messages and help:
// "2..100000 (integer)", "one of ema, sma", "an interval such as 5m or 1h
// (0: the input interval)".
func (d ParamDef) Allowed() string {
	switch d.Kind {
	case ParamInt:
		if d.bounded() {
			return fmtNum(d.Min) + ".." + fmtNum(d.Max) + " (integer)"
		}
		return "an integer"
	case ParamFloat:
		if d.bounded() {
			return fmtNum(d.Min) + ".." + fmtNum(d.Max)
		}
		return "a number"
	case ParamBool:
		return "true or false"
	case ParamInterval:
		return "an interval such as 5m or 1h (0: the input interval)"
	case ParamString:
		if len(d.Choices) > 0 {
			return "one of " + strings.Join(d.Choices, ", ")
		}
		return "any text"
	}
	return "nothing (undeclared kind)"
}

func fmtNum(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// paramValue is one bound value: its canonical text and its parsed form.
type paramValue struct {
	text string
	num  float64 // ParamInt and ParamFloat
	b    bool
	iv   events.Interval
}

// parse checks text against d and returns the bound value, or the reason it
// is not acceptable.
func (d ParamDef) parse(text string) (paramValue, string) {
	s := strings.TrimSpace(text)
	switch d.Kind {
	case ParamInt:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > 1<<53 || n < -(1<<53) {
			return paramValue{}, "not an integer, allowed " + d.Allowed()
		}
		f := float64(n)
		if d.bounded() && (f < d.Min || f > d.Max) {
			return paramValue{}, "out of range, allowed " + d.Allowed()
		}
		return paramValue{text: strconv.FormatInt(n, 10), num: f}, ""
	case ParamFloat:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return paramValue{}, "not a finite number, allowed " + d.Allowed()
		}
		if d.bounded() && (f < d.Min || f > d.Max) {
			return paramValue{}, "out of range, allowed " + d.Allowed()
		}
		if f == 0 {
			f = 0 // -0 and 0 are the same parameter
		}
		return paramValue{text: strconv.FormatFloat(f, 'g', -1, 64), num: f}, ""
	case ParamBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return paramValue{}, "not a boolean, allowed " + d.Allowed()
		}
		return paramValue{text: strconv.FormatBool(b), b: b}, ""
	case ParamInterval:
		if s == "" || s == "0" {
			return paramValue{text: "0"}, ""
		}
		iv, err := events.ParseInterval(s)
		if err != nil {
			return paramValue{}, "not an interval, allowed " + d.Allowed()
		}
		return paramValue{text: iv.String(), iv: iv}, ""
	case ParamString:
		if len(d.Choices) == 0 {
			return paramValue{text: s}, ""
		}
		for _, c := range d.Choices {
			if strings.EqualFold(c, s) {
				return paramValue{text: c}, ""
			}
		}
		return paramValue{}, "not allowed, allowed " + d.Allowed()
	}
	return paramValue{}, "parameter has an undeclared kind"
}

// Params is a Def's parameters bound to values, in the Def's declared order,
// made by [Bind] or [BindList]. It is immutable and safe for concurrent use;
// copies share storage, which is fine because nothing mutates it. The zero
// value has no parameters (its getters return zero values).
//
// The typed getters look a parameter up by name (a linear scan of a handful
// of entries, without allocating). They return the zero value for a name
// that is not declared or is declared with another kind (Float also reads
// an int parameter): names come from the strategy's own code, and a
// strategy's tests with default parameters catch a misspelt one.
type Params struct {
	defs []ParamDef
	vals []paramValue
	hash string
}

func (p Params) find(name string, kind ParamKind) (paramValue, bool) {
	for i := range p.defs {
		if p.defs[i].Name == name {
			if p.defs[i].Kind != kind {
				return paramValue{}, false
			}
			return p.vals[i], true
		}
	}
	return paramValue{}, false
}

// Len returns the number of parameters.
func (p Params) Len() int { return len(p.vals) }

// Int returns the ParamInt parameter name (0 if there is none).
func (p Params) Int(name string) int {
	v, _ := p.find(name, ParamInt)
	return int(v.num)
}

// Float returns the ParamFloat (or ParamInt) parameter name (0 if there is
// none).
func (p Params) Float(name string) float64 {
	if v, ok := p.find(name, ParamFloat); ok {
		return v.num
	}
	v, _ := p.find(name, ParamInt)
	return v.num
}

// Bool returns the ParamBool parameter name (false if there is none).
func (p Params) Bool(name string) bool {
	v, _ := p.find(name, ParamBool)
	return v.b
}

// Interval returns the ParamInterval parameter name (0 if there is none, and
// for "0", which strategies read as the input interval).
func (p Params) Interval(name string) events.Interval {
	v, _ := p.find(name, ParamInterval)
	return v.iv
}

// String returns the ParamString parameter name ("" if there is none).
func (p Params) String(name string) string {
	v, _ := p.find(name, ParamString)
	return v.text
}

// Text returns the canonical text of parameter name, of any kind, and
// whether it is declared.
func (p Params) Text(name string) (string, bool) {
	for i := range p.defs {
		if p.defs[i].Name == name {
			return p.vals[i].text, true
		}
	}
	return "", false
}

// Defs returns the declarations the values were bound against, in declared
// order, in a new slice (the ParamDefs' Choices are shared and must not be
// modified).
func (p Params) Defs() []ParamDef { return append([]ParamDef(nil), p.defs...) }

// List returns the values as events.Param in declared order with canonical
// text, in a new slice the caller owns (the engine builds it once per
// instance and shares it between signals).
func (p Params) List() []events.Param {
	out := make([]events.Param, len(p.vals))
	for i := range p.vals {
		out[i] = events.Param{Name: p.defs[i].Name, Value: p.vals[i].text}
	}
	return out
}

// Overrides returns the values as a name → canonical text map, e.g. to
// re-bind them with one value changed.
func (p Params) Overrides() map[string]string {
	m := make(map[string]string, len(p.vals))
	for i := range p.vals {
		m[p.defs[i].Name] = p.vals[i].text
	}
	return m
}

// Hash returns the parameter hash signals carry: the lower-case hex of the
// first 16 bytes of SHA-256 over one "name=value\n" line per parameter, in
// declared order, with canonical values. It is computed once by Bind; equal
// values give equal hashes however they were written ("20" and " 20", "2.50"
// and "2.5").
func (p Params) Hash() string {
	if p.hash == "" {
		return hashParams(nil, nil)
	}
	return p.hash
}

// Format returns "name=value,name=value" in declared order, for logs and
// reports.
func (p Params) Format() string {
	var b strings.Builder
	for i := range p.vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(p.defs[i].Name)
		b.WriteByte('=')
		b.WriteString(p.vals[i].text)
	}
	return b.String()
}

func hashParams(defs []ParamDef, vals []paramValue) string {
	h := sha256.New()
	for i := range vals {
		h.Write([]byte(defs[i].Name))
		h.Write([]byte{'='})
		h.Write([]byte(vals[i].text))
		h.Write([]byte{'\n'})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}
