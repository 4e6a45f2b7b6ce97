package strategies_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/strategies"
)

func TestNewRegistry(t *testing.T) {
	reg, err := strategies.NewRegistry(strategies.Builtins()...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bollinger", "donchian_breakout", "ema_cross", "macd_cross", "rsi_reversion", "supertrend"}
	if got := reg.Names(); !reflect.DeepEqual(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	if d, ok := reg.Lookup(" EMA_Cross "); !ok || d.Name != "ema_cross" {
		t.Errorf("Lookup case-insensitive: %v %v", d.Name, ok)
	}
	if _, ok := reg.Lookup("ema"); ok {
		t.Error("Lookup of a prefix")
	}
	d, p, err := reg.Bind("rsi_reversion", map[string]string{"period": "7"})
	if err != nil || d.Name != "rsi_reversion" || p.Int("period") != 7 {
		t.Errorf("Bind: %v %v", err, p.Format())
	}
	if _, _, err := reg.Bind("rsi", nil); !errors.Is(err, strategies.ErrUnknown) || !strings.Contains(err.Error(), "rsi_reversion") {
		t.Errorf("Bind unknown: %v", err)
	}
	if _, _, err := reg.Bind("rsi_reversion", map[string]string{"period": "1"}); !errors.Is(err, strategies.ErrParam) {
		t.Errorf("Bind bad param: %v", err)
	}
	if pd, ok := d.Param("lower"); !ok || pd.Kind != strategies.ParamFloat || pd.Max != 100 {
		t.Errorf("Def.Param(lower) = %+v, %v", pd, ok)
	}
	if _, ok := d.Param("nope"); ok {
		t.Error("Def.Param of an unknown name")
	}
	// Defs is a copy.
	defs := reg.Defs()
	defs[0].Name = "changed"
	if reg.Defs()[0].Name != "bollinger" {
		t.Error("Defs shares the registry's slice")
	}
	// Registries are independent values: an empty one is fine.
	empty, err := strategies.NewRegistry()
	if err != nil || len(empty.Names()) != 0 {
		t.Errorf("empty registry: %v", err)
	}
}

func TestNewRegistryErrors(t *testing.T) {
	ok := testDef()
	mod := func(f func(*strategies.Def)) strategies.Def {
		d := testDef()
		d.Params = append([]strategies.ParamDef(nil), d.Params...)
		f(&d)
		return d
	}
	cases := []struct {
		name string
		defs []strategies.Def
		want string
	}{
		{"duplicate", []strategies.Def{ok, ok}, `"test" defined twice`},
		{"no name", []strategies.Def{mod(func(d *strategies.Def) { d.Name = "" })}, "lower-case identifier"},
		{"upper-case name", []strategies.Def{mod(func(d *strategies.Def) { d.Name = "Test" })}, "lower-case identifier"},
		{"no version", []strategies.Def{mod(func(d *strategies.Def) { d.Version = "" })}, "no version"},
		{"no constructor", []strategies.Def{mod(func(d *strategies.Def) { d.New = nil })}, "no constructor"},
		{"bad default", []strategies.Def{mod(func(d *strategies.Def) { d.Params[0].Default = "1" })}, `parameter "n": default "1": out of range`},
		{"bad range", []strategies.Def{mod(func(d *strategies.Def) { d.Params[0].Min = 200 })}, "bad range"},
		{"bad kind", []strategies.Def{mod(func(d *strategies.Def) { d.Params[0].Kind = 0 })}, "undeclared kind"},
		{"param twice", []strategies.Def{mod(func(d *strategies.Def) { d.Params[1].Name = "n" })}, `parameter "n" declared twice`},
		{"bad param name", []strategies.Def{mod(func(d *strategies.Def) { d.Params[1].Name = "fast period" })}, "lower-case identifier"},
		{"bad choice", []strategies.Def{mod(func(d *strategies.Def) { d.Params[4].Choices = []string{"ema", "EMA"} })}, "listed twice"},
		{"padded choice", []strategies.Def{mod(func(d *strategies.Def) { d.Params[4].Choices = []string{"ema", " sma"} })}, "empty or padded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strategies.NewRegistry(tc.defs...)
			if !errors.Is(err, strategies.ErrDef) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrDef containing %q", err, tc.want)
			}
		})
	}
}

// TestBuiltinsGolden pins every built-in's name, version, parameters and
// default parameter hash, and the indicators it asks for: a change here
// changes signal IDs and backtest fingerprints, so it must be deliberate
// (go test ./strategies -run Golden -update, and bump the Version when a
// rule changes).
func TestBuiltinsGolden(t *testing.T) {
	var b strings.Builder
	for _, def := range strategies.Builtins() {
		p, err := strategies.Bind(def, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := def.New(p)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(def.Name + " v" + def.Version + "\n  " + def.Description + "\n")
		for _, pd := range def.Params {
			b.WriteString("  param " + pd.Name + " " + pd.Kind.String() + " default=" + pd.Default + " allowed: " + pd.Allowed() + "\n")
			b.WriteString("        " + pd.Help + "\n")
		}
		b.WriteString("  defaults " + p.Format() + " hash " + p.Hash() + "\n")
		n := s.Needs()
		for _, in := range n.Indicators {
			b.WriteString("  needs " + in.Spec + " on " + tfName(in.Timeframe.String()) + "\n")
		}
		b.WriteString("\n")
	}
	golden.Check(t, "testdata/builtins.golden", []byte(b.String()))
}

func tfName(s string) string {
	if s == "" {
		return "input"
	}
	return s
}
