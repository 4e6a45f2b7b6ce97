package rules_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// scriptView is a View over fixed series, latest value last; NaN marks an
// invalid value.
type scriptView struct {
	closes []float64
	vals   [][][]float64 // [indicator][output][bar]
	hist   int
}

func (v *scriptView) Symbol() string             { return "X" }
func (v *scriptView) Timeframe() events.Interval { return events.Hour }
func (v *scriptView) Provisional() bool          { return false }

func (v *scriptView) Bar(n int) (strategies.BarValues, bool) {
	if n < 0 || n >= v.hist || n >= len(v.closes) {
		return strategies.BarValues{}, false
	}
	c := v.closes[len(v.closes)-1-n]
	return strategies.BarValues{Open: c, High: c + 1, Low: c - 1, Close: c, Volume: 10 * c}, true
}

func (v *scriptView) Value(i, o, n int) (float64, bool) {
	if i >= len(v.vals) || o >= len(v.vals[i]) || n < 0 || n >= v.hist {
		return math.NaN(), false
	}
	s := v.vals[i][o]
	if n >= len(s) || math.IsNaN(s[len(s)-1-n]) {
		return math.NaN(), false
	}
	return s[len(s)-1-n], true
}

const evalBase = `name: t
params:
  lvl: {type: float, default: 30, min: 0, max: 100}
  on: {type: bool, default: true}
  n: {type: int, default: 3, min: 2, max: 50}
indicators:
  a: sma(${n})
  b: ema(5)
  m: macd(12,26,9)
rules:
  - when: WHEN
    signal: long
`

func load(t *testing.T, text string) strategies.Def {
	t.Helper()
	def, err := rules.Load([]byte(text), "t.yaml", registry(t))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func newStrategy(t *testing.T, def strategies.Def, overrides map[string]string) strategies.Strategy {
	t.Helper()
	p, err := strategies.Bind(def, overrides)
	if err != nil {
		t.Fatal(err)
	}
	s, err := def.New(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEval checks the expression semantics against hand-made series:
// crosses, previous values, invalid values, three-valued logic, functions.
func TestEval(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		when    string
		a, b    []float64 // latest last
		closes  []float64
		hist    []float64 // m.hist
		want    bool
		history int
	}{
		{"crosses above", "crosses_above(a, b)", []float64{1, 3}, []float64{2, 2}, nil, nil, true, 2},
		{"crosses above from equal", "crosses_above(a, b)", []float64{2, 3}, []float64{2, 2}, nil, nil, true, 2},
		{"already above is no cross", "crosses_above(a, b)", []float64{3, 4}, []float64{2, 2}, nil, nil, false, 2},
		{"touching is no cross", "crosses_above(a, b)", []float64{1, 2}, []float64{2, 2}, nil, nil, false, 2},
		{"crosses below", "crosses_below(a, b)", []float64{3, 1}, []float64{2, 2}, nil, nil, true, 2},
		{"cross with invalid previous", "crosses_above(a, b)", []float64{nan, 3}, []float64{2, 2}, nil, nil, false, 2},
		{"cross with missing previous", "crosses_above(a, b)", []float64{3}, []float64{2}, nil, nil, false, 2},
		{"not of a cross with missing previous", "not crosses_above(a, b)", []float64{3}, []float64{2}, nil, nil, true, 2},
		{"cross of a constant param", "crosses_above(a, lvl)", []float64{29, 31}, nil, nil, nil, true, 2},
		{"cross of the close", "crosses_below(close, a)", []float64{5, 5}, nil, []float64{6, 4}, nil, true, 2},
		{"previous value", "a[1] < a and a[2] < a[1]", []float64{1, 2, 3}, nil, nil, nil, true, 3},
		{"previous beyond history", "a[2] < a", []float64{1, 2}, nil, nil, nil, false, 3},
		{"prev function", "prev(a, 2) == 1", []float64{1, 2, 3}, nil, nil, nil, true, 3},
		{"shifted expression", "(a - b)[1] < 0 and a - b > 0", []float64{1, 3}, []float64{2, 2}, nil, nil, true, 2},
		{"cross of a shifted value", "crosses_above(a[1], b)", []float64{1, 3, 0}, []float64{2, 2, 2}, nil, nil, true, 3},
		{"close and bar fields", "close[1] < close and high - low == 2 and volume == 10 * close", nil, nil, []float64{1, 2}, nil, true, 2},
		{"comparison with invalid is not true", "a > 1", []float64{nan}, nil, nil, nil, false, 2},
		{"not of invalid is not true", "not (a > 1)", []float64{nan}, nil, nil, nil, false, 2},
		{"or with a true side", "a > 1 or b > 1", []float64{nan}, []float64{2}, nil, nil, true, 2},
		{"and with a false side", "not (a > 1 and b > 1)", []float64{nan}, []float64{0}, nil, nil, true, 2},
		{"and with an invalid side", "a > 1 and b > 1", []float64{nan}, []float64{2}, nil, nil, false, 2},
		{"bool param", "on and a > 0", []float64{1}, nil, nil, nil, true, 2},
		{"int param", "a == n", []float64{3}, nil, nil, nil, true, 2},
		{"abs min max", "abs(a) == 2 and min(a, b, 7) == -2 and max(a, b) == 5", []float64{-2}, []float64{5}, nil, nil, true, 2},
		{"min propagates invalid", "min(a, b) < 100", []float64{nan}, []float64{5}, nil, nil, false, 2},
		{"arithmetic", "a * 2 + b / 4 - 1 == 4 and n % 2 == 1 and a ** 2 == 4 and -a == -2 and +a == a", []float64{2}, []float64{4}, nil, nil, true, 2},
		{"division by zero compares", "a / b > 1000", []float64{2}, []float64{0}, nil, nil, true, 2},
		{"zero over zero is invalid", "not (a / b > 1000)", []float64{0}, []float64{0}, nil, nil, false, 2},
		{"ternary", "'(a > 1 ? b : -b) > 0 and (on ? true : false)'", []float64{2}, []float64{3}, nil, nil, true, 2},
		{"multi output", "m.hist > 0 and m.hist[1] <= 0", nil, nil, nil, []float64{-1, 1}, true, 2},
		{"bool equality", "(a > 1) == (b > 1)", []float64{2}, []float64{3}, nil, nil, true, 2},
		{"constants", "true and 1 < 2.5", nil, nil, nil, nil, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := load(t, strings.Replace(evalBase, "WHEN", tc.when, 1))
			s := newStrategy(t, def, nil)
			n := s.Needs()
			if n.History != tc.history {
				t.Errorf("History = %d, want %d", n.History, tc.history)
			}
			v := &scriptView{closes: tc.closes, hist: n.History,
				vals: [][][]float64{{tc.a}, {tc.b}, {nil, nil, tc.hist}}}
			got := s.OnBar(v, nil)
			if (len(got) == 1) != tc.want || len(got) > 1 {
				t.Errorf("OnBar = %v, want fired %v", got, tc.want)
			}
		})
	}
}

// TestStrategy checks Needs, parameter binding, strengths and reasons.
func TestStrategy(t *testing.T) {
	text := `name: t
version: "7"
timeframes: [1h, 4h]
params:
  n: {type: int, default: 3, min: 1, max: 50}
  k: {type: float, default: 0.5, min: 0, max: 1}
  tf: {type: interval, default: 1d}
indicators:
  a: sma(${n})
  same: sma( 3 )
  d: ema(10)@${tf}
  w: sma(20)@4h
rules:
  - when: a > 0
    signal: long
  - when: a > 0
    signal: short
    strength: a * k
  - when: a > 0
    signal: exit
    strength: -a * 10
    reason: clamped
  - when: a > 0
    signal: flat
    strength: a / d
`
	def := load(t, text)
	if def.Name != "t" || def.Version != "7" || len(def.Params) != 3 || def.Params[1].Default != "0.5" {
		t.Fatalf("Def = %+v", def)
	}
	s := newStrategy(t, def, nil)
	n := s.Needs()
	want := strategies.Needs{
		Timeframes: []events.Interval{events.Hour, 4 * events.Hour},
		Indicators: []strategies.IndicatorNeed{{Timeframe: events.Hour, Spec: "sma(3)"}, {Timeframe: events.Day, Spec: "ema(10)"}, {Timeframe: 4 * events.Hour, Spec: "sma(20)"}},
		History:    2,
	}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("Needs = %+v, want %+v", n, want)
	}
	v := &scriptView{hist: 2, vals: [][][]float64{{{0.5}}, {{0}}}}
	got := s.OnBar(v, nil)
	wantD := []strategies.Decision{
		{Kind: events.KindLong, Strength: 1, Reason: "a > 0"},
		{Kind: events.KindShort, Strength: 0.25, Reason: "a > 0"},
		{Kind: events.KindExit, Strength: -1, Reason: "clamped"},
		// a / d is +Inf, clamped to 1.
		{Kind: events.KindFlat, Strength: 1, Reason: "a > 0"},
	}
	if !reflect.DeepEqual(got, wantD) {
		t.Errorf("OnBar = %+v, want %+v", got, wantD)
	}

	// Bound parameters reach the specs and the expressions.
	s = newStrategy(t, def, map[string]string{"n": "7", "k": "1", "tf": "12h"})
	n = s.Needs()
	if n.Indicators[0].Spec != "sma(7)" || n.Indicators[1].Spec != "sma(3)" || n.Indicators[2].Timeframe != 12*events.Hour {
		t.Errorf("Needs with n=7, tf=12h: %+v", n.Indicators)
	}
	v = &scriptView{hist: 2, vals: [][][]float64{{{0.5}}, {{0.5}}, {{nan()}}}}
	if got := s.OnBar(v, nil); len(got) != 3 || got[1].Strength != 0.5 {
		// The flat rule reads d, which is invalid: no decision.
		t.Errorf("OnBar with k=1: %+v", got)
	}

	// A parameter that pushes a spec out of range fails New, not Load.
	p, err := strategies.Bind(def, map[string]string{"n": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := def.New(p); !errors.Is(err, rules.ErrRules) || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("New(n=1) = %v, want an out-of-range spec error", err)
	}
}

func nan() float64 { return math.NaN() }

// TestDefaultNameAndVersion: without name and version keys the strategy is
// named after the file and is version 1.
func TestDefaultNameAndVersion(t *testing.T) {
	def, err := rules.Load([]byte("rules:\n  - when: close > 1\n    signal: long\n"), "dir/my_rule.yaml", registry(t))
	if err != nil {
		t.Fatal(err)
	}
	if def.Name != "my_rule" || def.Version != "1" {
		t.Errorf("name %q version %q", def.Name, def.Version)
	}
	s := newStrategy(t, def, nil)
	if n := s.Needs(); len(n.Indicators) != 0 || len(n.Timeframes) != 0 || n.History != 2 {
		t.Errorf("Needs = %+v", n)
	}
}

// TestShorthandParams: "name: value" declares a parameter of the value's type.
func TestShorthandParams(t *testing.T) {
	def := load(t, "params:\n  a: 3\n  b: 2.5\n  c: true\nrules:\n  - when: c and close > a * b\n    signal: long\n")
	kinds := []strategies.ParamKind{strategies.ParamInt, strategies.ParamFloat, strategies.ParamBool}
	for i, pd := range def.Params {
		if pd.Kind != kinds[i] {
			t.Errorf("param %s kind %v, want %v", pd.Name, pd.Kind, kinds[i])
		}
	}
	s := newStrategy(t, def, nil)
	if got := s.OnBar(&scriptView{hist: 2, closes: []float64{8}}, nil); len(got) != 1 {
		t.Errorf("close 8 > 7.5: %v", got)
	}
}

// TestAliases: YAML anchors and aliases work in values.
func TestAliases(t *testing.T) {
	def := load(t, `indicators:
  fast: &fast ema(5)
  also: *fast
rules:
  - &rule
    when: fast > also
    signal: long
  - *rule
`)
	s := newStrategy(t, def, nil)
	if n := s.Needs(); len(n.Indicators) != 1 || n.Indicators[0].Spec != "ema(5)" {
		t.Errorf("Needs = %+v", n)
	}
	if got := s.OnBar(&scriptView{hist: 2, vals: [][][]float64{{{2}}}}, nil); len(got) != 0 {
		t.Errorf("fast > also with one shared value fired: %v", got)
	}
}

// TestOutputSelection: a spec selecting an output is a single value, and
// shares its Need with the unselected spec.
func TestOutputSelection(t *testing.T) {
	def := load(t, `indicators:
  m: macd(12,26,9)
  sig: MACD( 12, 26, 9 ).signal
rules:
  - when: sig == m.signal and m.hist > sig
    signal: long
`)
	s := newStrategy(t, def, nil)
	if n := s.Needs(); len(n.Indicators) != 1 || n.Indicators[0].Spec != "macd(12,26,9)" {
		t.Errorf("Needs = %+v", n)
	}
	v := &scriptView{hist: 2, vals: [][][]float64{{{0.5}, {1}, {2}}}}
	if got := s.OnBar(v, nil); len(got) != 1 {
		t.Errorf("OnBar = %v", got)
	}
}
