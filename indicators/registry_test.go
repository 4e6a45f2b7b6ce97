package indicators_test

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

func TestRegistryDefs(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	defs := reg.Defs()
	if len(defs) == 0 {
		t.Fatal("no Defs")
	}
	if !sort.SliceIsSorted(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name }) {
		t.Error("Defs not sorted by name")
	}
	for _, d := range defs {
		for _, name := range []string{d.Name, " " + d.Name + " ", upperASCII(d.Name)} {
			got, ok := reg.Lookup(name)
			if !ok || got.Name != d.Name {
				t.Errorf("Lookup(%q) = %q, %v", name, got.Name, ok)
			}
		}
		if d.Title == "" || d.Inputs == "" {
			t.Errorf("%s: Title %q, Inputs %q must be set", d.Name, d.Title, d.Inputs)
		}
		for _, p := range d.Params {
			if p.Default < p.Min || p.Default > p.Max {
				t.Errorf("%s %s: default %v outside %v..%v", d.Name, p.Name, p.Default, p.Min, p.Max)
			}
		}
		// Catalogue parameters agree with TA-Lib's function table.
		if f, ok := indicators.LookupBatch(d.Name); ok && len(f.Params) == len(d.Params) {
			for i, p := range d.Params {
				tp := f.Params[i]
				if p.Name != tp.Name || p.Default != tp.Default || p.Kind != tp.Kind {
					t.Errorf("%s param %d: %+v, TA-Lib has %+v", d.Name, i, p, tp)
				}
			}
		}
	}
	if _, ok := reg.Lookup("no_such_indicator"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
	// Defs returns a copy.
	defs[0].Name = "changed"
	if reg.Defs()[0].Name == "changed" {
		t.Error("Defs exposes the registry's slice")
	}
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

func TestRegistrySettingsCopied(t *testing.T) {
	set := indicators.Settings{Unstable: map[string]int{"EMA": 5}}
	reg := newRegistry(t, set)
	set.Unstable["EMA"] = 99
	if got := reg.Settings().UnstablePeriod("EMA"); got != 5 {
		t.Errorf("registry saw the caller's later change: EMA unstable %d", got)
	}
	reg.Settings().Unstable["EMA"] = 42
	if got := reg.Settings().UnstablePeriod("EMA"); got != 5 {
		t.Errorf("Settings() exposes the registry's map: %d", got)
	}
}

// TestDefaultRegistry checks that the shared default registry is one
// registry, the one NewRegistry(Settings{}) builds.
func TestDefaultRegistry(t *testing.T) {
	a, err := indicators.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := indicators.DefaultRegistry()
	if a != b {
		t.Error("DefaultRegistry built two registries")
	}
	fresh := newRegistry(t, indicators.Settings{})
	if got, want := a.Defs(), fresh.Defs(); len(got) != len(want) {
		t.Fatalf("%d defs, NewRegistry has %d", len(got), len(want))
	}
	for i, d := range a.Defs() {
		if d.Name != fresh.Defs()[i].Name {
			t.Errorf("def %d is %q, NewRegistry's is %q", i, d.Name, fresh.Defs()[i].Name)
		}
	}
	if u := a.Settings().Unstable; len(u) != 0 {
		t.Errorf("default settings have unstable periods: %v", u)
	}
}

func TestRegistryNewSet(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	inds, cols, err := reg.NewColumns("sma(3), SMA(3), sma(5,hl2)")
	if err != nil {
		t.Fatal(err)
	}
	if len(inds) != 2 || inds[0].Name() != "sma(3)" || inds[1].Name() != "sma(5,hl2)" {
		t.Fatalf("NewColumns built %d indicators: %v", len(inds), inds)
	}
	want := []indicators.Column{{Name: "sma(3)", Indicator: 0}, {Name: "sma(3)", Indicator: 0}, {Name: "sma(5,hl2)", Indicator: 1}}
	if len(cols) != len(want) {
		t.Fatalf("Columns = %v", cols)
	}
	for i := range want {
		if cols[i] != want[i] {
			t.Errorf("column %d = %+v, want %+v", i, cols[i], want[i])
		}
	}
	set, err := reg.NewSet("sma(3),sma(4)")
	if err != nil || len(set) != 2 {
		t.Fatalf("NewSet = %v, %v", set, err)
	}
	if _, err := reg.NewSet("sma(3),bogus(4)"); !errors.Is(err, indicators.ErrSpec) {
		t.Errorf("NewSet with a bad spec: %v", err)
	}
	if _, err := reg.New("sma(3),sma(4)"); !errors.Is(err, indicators.ErrSpec) {
		t.Errorf("New with a list: %v", err)
	}
}

// TestRegistryUnstable checks that Settings reach the indicators: with an
// unstable period, the Lookback of indicators that have one grows by it.
func TestRegistryUnstable(t *testing.T) {
	plain := newRegistry(t, indicators.Settings{})
	for _, fn := range []string{"EMA", "RSI", "ATR", "ADX", "CMO", "KAMA", "MFI", "T3", "NATR", "DX", "PLUS_DI", "MINUS_DI"} {
		d, ok := plain.Lookup(fn)
		if !ok {
			continue
		}
		u := newRegistry(t, indicators.Settings{Unstable: map[string]int{fn: 7}})
		a, err1 := plain.New(d.Name)
		b, err2 := u.New(d.Name)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", fn, err1, err2)
		}
		if b.Lookback() != a.Lookback()+7 {
			t.Errorf("%s: Lookback %d with unstable 7, %d without", fn, b.Lookback(), a.Lookback())
		}
	}
}

// TestRegistryConstructorErrors: a constructor's refusal (MAMA where a
// period-driven MA is needed, for example) comes back as a *SpecError that
// wraps both ErrSpec and the constructor's error.
func TestRegistryConstructorErrors(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	for _, d := range reg.Defs() {
		for i, p := range d.Params {
			if p.Kind != indicators.ParamMAType {
				continue
			}
			args := make([]string, len(d.Params))
			for j, q := range d.Params {
				args[j] = strconv.FormatFloat(q.Default, 'g', -1, 64)
			}
			args[i] = "mama"
			spec := " " + d.Name + "(" + strings.Join(args, ",") + ")"
			_, err := reg.New(spec)
			if err == nil {
				continue
			}
			var se *indicators.SpecError
			if !errors.As(err, &se) || !errors.Is(err, indicators.ErrSpec) || se.Col != 2 || se.Spec != spec {
				t.Errorf("%s: err = %#v", spec, err)
			}
			if !errors.Is(err, indicators.ErrBadParam) {
				t.Errorf("%s: constructor error not wrapped: %v", spec, err)
			}
		}
	}
}
