package strategies_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// testDef declares one parameter of every kind.
func testDef() strategies.Def {
	return strategies.Def{
		Name:    "test",
		Version: "1",
		Params: []strategies.ParamDef{
			{Name: "n", Kind: strategies.ParamInt, Default: "20", Min: 2, Max: 100},
			{Name: "x", Kind: strategies.ParamFloat, Default: "2", Min: 0.5, Max: 10},
			{Name: "on", Kind: strategies.ParamBool, Default: "true"},
			{Name: "tf", Kind: strategies.ParamInterval, Default: "0"},
			{Name: "ma", Kind: strategies.ParamString, Default: "ema", Choices: []string{"ema", "sma"}},
			{Name: "label", Kind: strategies.ParamString, Default: ""},
			{Name: "any", Kind: strategies.ParamFloat, Default: "-1.5"},
			{Name: "pos", Kind: strategies.ParamInt, Default: "1", Min: 1, Max: math.Inf(1)},
		},
		New: func(strategies.Params) (strategies.Strategy, error) { return nil, nil },
	}
}

func TestBindDefaults(t *testing.T) {
	p, err := strategies.Bind(testDef(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Int("n") != 20 || p.Float("x") != 2 || !p.Bool("on") || p.Interval("tf") != 0 ||
		p.String("ma") != "ema" || p.String("label") != "" || p.Float("any") != -1.5 || p.Int("pos") != 1 {
		t.Errorf("defaults: %s", p.Format())
	}
	if got := p.Format(); got != "n=20,x=2,on=true,tf=0,ma=ema,label=,any=-1.5,pos=1" {
		t.Errorf("Format = %q", got)
	}
	if p.Len() != 8 || len(p.Defs()) != 8 {
		t.Errorf("Len %d, Defs %d", p.Len(), len(p.Defs()))
	}
	// Unknown names and other kinds read as zero values.
	if p.Int("x") != 0 || p.Int("nope") != 0 || p.Bool("n") || p.String("n") != "" || p.Interval("n") != 0 {
		t.Error("getter of another kind or an unknown name is not the zero value")
	}
	if p.Float("n") != 20 {
		t.Error("Float does not read an int parameter")
	}
	if txt, ok := p.Text("x"); !ok || txt != "2" {
		t.Errorf("Text(x) = %q, %v", txt, ok)
	}
	if _, ok := p.Text("nope"); ok {
		t.Error("Text of an unknown name")
	}
}

func TestBindCanonical(t *testing.T) {
	cases := []struct {
		name, param, in, want string
	}{
		{"int spaces", "n", " 30 ", "30"},
		{"int plus", "n", "+30", "30"},
		{"int leading zero", "n", "030", "30"},
		{"float trailing zero", "x", "2.50", "2.5"},
		{"float exponent", "x", "1e0", "1"},
		{"float int form", "x", "3", "3"},
		{"negative zero", "any", "-0", "0"},
		{"bool upper", "on", "TRUE", "true"},
		{"bool digit", "on", "0", "false"},
		{"interval", "tf", "60m", "1h"},
		{"interval iso", "tf", "PT5M", "5m"},
		{"interval zero", "tf", "", "0"},
		{"choice case", "ma", "SMA", "sma"},
		{"free string trimmed", "label", "  a b ", "a b"},
		{"one-sided range", "pos", "1000000", "1000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := strategies.Bind(testDef(), map[string]string{tc.param: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := p.Text(tc.param); got != tc.want {
				t.Errorf("%s=%q canonical %q, want %q", tc.param, tc.in, got, tc.want)
			}
		})
	}
	p, _ := strategies.Bind(testDef(), map[string]string{"tf": "4h"})
	if p.Interval("tf") != 4*events.Hour {
		t.Errorf("Interval = %v", p.Interval("tf"))
	}
}

func TestBindErrors(t *testing.T) {
	cases := []struct {
		name      string
		overrides map[string]string
		params    []string // parameters named by the errors, in order
		contains  []string
	}{
		{"not an int", map[string]string{"n": "2.5"}, []string{"n"}, []string{`parameter n = "2.5": not an integer, allowed 2..100 (integer)`}},
		{"int below", map[string]string{"n": "1"}, []string{"n"}, []string{"out of range, allowed 2..100"}},
		{"int above", map[string]string{"n": "101"}, []string{"n"}, []string{"out of range"}},
		{"int huge", map[string]string{"pos": "99999999999999999999"}, []string{"pos"}, []string{"not an integer, allowed 1..inf"}},
		{"float NaN", map[string]string{"x": "NaN"}, []string{"x"}, []string{"not a finite number, allowed 0.5..10"}},
		{"float Inf", map[string]string{"any": "+Inf"}, []string{"any"}, []string{"not a finite number, allowed a number"}},
		{"float below", map[string]string{"x": "0.49"}, []string{"x"}, []string{"out of range, allowed 0.5..10"}},
		{"bool", map[string]string{"on": "maybe"}, []string{"on"}, []string{"not a boolean, allowed true or false"}},
		{"interval", map[string]string{"tf": "5q"}, []string{"tf"}, []string{"not an interval"}},
		{"interval negative", map[string]string{"tf": "-5m"}, []string{"tf"}, []string{"not an interval"}},
		{"choice", map[string]string{"ma": "wma"}, []string{"ma"}, []string{`ma = "wma": not allowed, allowed one of ema, sma`}},
		{"unknown", map[string]string{"fats": "10"}, []string{"fats"}, []string{"no such parameter; declared: n, x, on, tf, ma, label, any, pos"}},
		{"all at once, declared order then unknown sorted",
			map[string]string{"zz": "1", "aa": "1", "x": "100", "n": "x"},
			[]string{"n", "x", "aa", "zz"}, []string{"strategies: test: parameter"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := strategies.Bind(testDef(), tc.overrides)
			if !errors.Is(err, strategies.ErrParam) {
				t.Fatalf("err = %v, want ErrParam", err)
			}
			var pe *strategies.ParamError
			if !errors.As(err, &pe) || pe.Strategy != "test" || pe.Param != tc.params[0] {
				t.Fatalf("errors.As: %#v", pe)
			}
			var names []string
			for _, line := range strings.Split(err.Error(), "\n") {
				rest, ok := strings.CutPrefix(line, "strategies: test: parameter ")
				if !ok {
					t.Fatalf("line %q lacks the strategy and parameter", line)
				}
				names = append(names, strings.Fields(rest)[0])
			}
			for i := range names {
				names[i] = strings.TrimSuffix(names[i], ":")
			}
			if !reflect.DeepEqual(names, tc.params) {
				t.Errorf("errors name %v, want %v:\n%v", names, tc.params, err)
			}
			for _, c := range tc.contains {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("%q does not contain %q", err, c)
				}
			}
		})
	}
}

func TestBindList(t *testing.T) {
	p, err := strategies.BindList(testDef(), []events.Param{{Name: "n", Value: "30"}, {Name: "ma", Value: "sma"}})
	if err != nil || p.Int("n") != 30 || p.String("ma") != "sma" {
		t.Fatalf("BindList: %v %s", err, p.Format())
	}
	// A signal's Params bind back to the same parameters.
	back, err := strategies.BindList(testDef(), p.List())
	if err != nil || back.Hash() != p.Hash() || !reflect.DeepEqual(back.List(), p.List()) {
		t.Fatalf("round trip: %v %s", err, back.Format())
	}
	_, err = strategies.BindList(testDef(), []events.Param{{Name: "n", Value: "30"}, {Name: "n", Value: "31"}})
	if !errors.Is(err, strategies.ErrParam) || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("duplicate: %v", err)
	}
	_, err = strategies.BindList(testDef(), []events.Param{{Name: "n", Value: "3"}, {Name: "n", Value: "1"}})
	if !strings.Contains(err.Error(), "given twice") {
		t.Errorf("duplicate with bad first value: %v", err)
	}
}

func TestParamsHash(t *testing.T) {
	def := testDef()
	p, err := strategies.Bind(def, map[string]string{"n": "30", "tf": "1h"})
	if err != nil {
		t.Fatal(err)
	}
	// Recompute the documented formula independently.
	var b strings.Builder
	for _, kv := range p.List() {
		b.WriteString(kv.Name + "=" + kv.Value + "\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	if want := hex.EncodeToString(sum[:16]); p.Hash() != want {
		t.Errorf("Hash = %s, want %s", p.Hash(), want)
	}
	if len(p.Hash()) != 32 {
		t.Errorf("Hash length %d", len(p.Hash()))
	}
	same, _ := strategies.Bind(def, map[string]string{"n": " 030", "tf": "60m", "x": "2.0", "ma": "EMA"})
	if same.Hash() != p.Hash() {
		t.Error("equal values written differently hash differently")
	}
	other, _ := strategies.Bind(def, map[string]string{"n": "31", "tf": "1h"})
	if other.Hash() == p.Hash() {
		t.Error("different values hash equally")
	}
	var zero strategies.Params
	empty := sha256.Sum256(nil)
	if zero.Hash() != hex.EncodeToString(empty[:16]) || zero.Len() != 0 || len(zero.List()) != 0 {
		t.Errorf("zero Params: hash %s", zero.Hash())
	}
	// Overrides round-trips.
	again, err := strategies.Bind(def, p.Overrides())
	if err != nil || again.Hash() != p.Hash() {
		t.Errorf("Overrides round trip: %v", err)
	}
}

func TestParamKindString(t *testing.T) {
	want := []string{"", "int", "float", "bool", "interval", "string", ""}
	for k, w := range want {
		if got := strategies.ParamKind(k).String(); got != w {
			t.Errorf("ParamKind(%d) = %q, want %q", k, got, w)
		}
	}
}
