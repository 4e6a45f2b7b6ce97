package indicators_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// TestSpecParse covers the spec grammar. Rows name the Defs they need and
// are skipped while another engineer's Def has not landed yet.
func TestSpecParse(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	tests := []struct {
		spec  string
		needs []string
		want  string // Normalize result
		cols  []string
	}{
		{"sma(30)", []string{"sma"}, "sma(30)", []string{"sma(30)"}},
		{"SMA( 30 )", []string{"sma"}, "sma(30)", []string{"sma(30)"}},
		{"sma", []string{"sma"}, "sma(30)", []string{"sma(30)"}},
		{"sma()", []string{"sma"}, "sma(30)", []string{"sma(30)"}},
		{"sma(30,hl2)", []string{"sma"}, "sma(30,hl2)", []string{"sma(30,hl2)"}},
		{"sma(30, close)", []string{"sma"}, "sma(30)", []string{"sma(30)"}},
		{"sma(hlc3)", []string{"sma"}, "sma(30,hlc3)", []string{"sma(30,hlc3)"}},
		{"sma(10) , sma(20,open)", []string{"sma"}, "sma(10),sma(20,open)", []string{"sma(10)", "sma(20,open)"}},
		{"sma(1e1)", []string{"sma"}, "sma(10)", []string{"sma(10)"}},
		{"rsi", []string{"rsi"}, "rsi(14)", []string{"rsi(14)"}},
		{"rsi()", []string{"rsi"}, "rsi(14)", []string{"rsi(14)"}},
		{"rsi(14, close)", []string{"rsi"}, "rsi(14)", []string{"rsi(14)"}},
		{"atr(14)", []string{"atr"}, "atr(14)", []string{"atr(14)"}},
		{"macd(12,26,9)", []string{"macd"}, "macd(12,26,9)", nil},
		{"macd(12,26,9).signal", []string{"macd"}, "macd(12,26,9).signal", []string{"macd(12,26,9).signal"}},
		{"bbands(20,2,2)", []string{"bbands"}, "bbands(20,2,2)", nil},
		{"sma(30),macd(12,26,9)", []string{"sma", "macd"}, "sma(30),macd(12,26,9)", nil},
		{"macdext(12,ema,26,ema,9,sma)", []string{"macdext"}, "macdext(12,1,26,1,9,0)", nil},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			for _, n := range tc.needs {
				if _, ok := reg.Lookup(n); !ok {
					t.Skipf("%s not registered yet", n)
				}
			}
			got, err := reg.Normalize(tc.spec)
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if got != tc.want {
				t.Errorf("Normalize = %q, want %q", got, tc.want)
			}
			if pkg := indicators.Normalize(tc.spec); pkg != tc.want {
				t.Errorf("indicators.Normalize = %q, want %q", pkg, tc.want)
			}
			if tc.cols != nil {
				cols, err := reg.Columns(tc.spec)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, c := range cols {
					names = append(names, c.Name)
				}
				if strings.Join(names, " ") != strings.Join(tc.cols, " ") {
					t.Errorf("Columns = %v, want %v", names, tc.cols)
				}
			}
		})
	}
}

// TestSpecOutputSelection selects each output of each multi-output Def.
func TestSpecOutputSelection(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	for _, d := range reg.Defs() {
		for k, o := range d.Outputs {
			spec := strings.ToUpper(d.Name) + "." + o
			s, err := reg.Parse(spec)
			if err != nil {
				t.Errorf("%s: %v", spec, err)
				continue
			}
			if s.Output != k {
				t.Errorf("%s: Output = %d, want %d", spec, s.Output, k)
			}
			cols, err := reg.Columns(spec)
			if err != nil || len(cols) != 1 || cols[0].Output != k || cols[0].Name != s.Name()+"."+o {
				t.Errorf("%s: Columns = %v, %v", spec, cols, err)
			}
		}
	}
}

// TestNormalizeEqualsName: for every Def, the normalised spec equals the
// built indicator's Name(), with defaults and with other in-range params.
func TestNormalizeEqualsName(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	for _, d := range reg.Defs() {
		t.Run(d.Name, func(t *testing.T) {
			specs := []string{d.Name, d.Name + "()", strings.ToUpper(d.Name)}
			// Every parameter written out, each at a value other than its default.
			var args []string
			for _, pd := range d.Params {
				v := pd.Default
				switch {
				case pd.Kind == indicators.ParamMAType:
					v = 1
					if pd.Default == 1 {
						v = 0
					}
				case pd.Kind == indicators.ParamInt && v+1 <= pd.Max:
					v++
				case pd.Kind == indicators.ParamFloat && v+0.25 <= pd.Max:
					v += 0.25
				}
				args = append(args, strconv.FormatFloat(v, 'g', -1, 64))
			}
			specs = append(specs, d.Name+"("+strings.Join(args, ", ")+")")
			if d.HasSource {
				specs = append(specs, d.Name+"(hl2)")
			}
			for _, spec := range specs {
				norm, err := reg.Normalize(spec)
				if err != nil {
					t.Errorf("Normalize(%q): %v", spec, err)
					continue
				}
				ind, err := reg.New(spec)
				if err != nil {
					if errors.Is(err, indicators.ErrBadParam) {
						continue // a combination the indicator rejects (e.g. MAMA as MA type)
					}
					t.Errorf("New(%q): %v", spec, err)
					continue
				}
				if ind.Name() != norm {
					t.Errorf("Normalize(%q) = %q but Name() = %q", spec, norm, ind.Name())
				}
				if again, _ := reg.Normalize(norm); again != norm {
					t.Errorf("Normalize not idempotent: %q -> %q", norm, again)
				}
				if ind.Lookback() < 0 || len(ind.Outputs()) != len(d.Outputs) {
					t.Errorf("%s: Lookback %d, Outputs %v (Def %v)", spec, ind.Lookback(), ind.Outputs(), d.Outputs)
				}
			}
		})
	}
}

func TestSpecErrors(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	tests := []struct {
		spec     string
		col      int
		contains string
	}{
		{"smaa(3)", 1, `unknown indicator "smaa" at column 1; did you mean sma?`},
		{"sma(3), smx(4)", 9, `unknown indicator "smx"`},
		{"sma(1)", 5, "out of range 2..100000"},
		{"sma(2.5)", 5, "must be an integer"},
		{"sma(3", 6, `expected "," or ")"`},
		{"sma(3,4)", 7, "at most 1 parameters and a source"},
		{"sma(3) x", 8, `unexpected "x"`},
		{"sma(,3)", 5, "expected a parameter"},
		{"sma(3).foo", 8, `has no output "foo"`},
		{"sma(hl2, 3)", 5, "must be the last argument"},
		{"sma(ema)", 5, "expected a number"},
		{"sma(3)$", 7, `unexpected "$"`},
		{"", 1, "expected an indicator name"},
		{"sma(3),", 8, "expected an indicator name"},
		{"sma(1e400)", 5, "bad number"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := reg.ParseList(tc.spec)
			var se *indicators.SpecError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SpecError", err)
			}
			if !errors.Is(err, indicators.ErrSpec) {
				t.Errorf("err does not wrap ErrSpec")
			}
			if se.Col != tc.col {
				t.Errorf("Col = %d, want %d (%v)", se.Col, tc.col, err)
			}
			if !strings.Contains(se.Headline(), tc.contains) {
				t.Errorf("Headline = %q, want it to contain %q", se.Headline(), tc.contains)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != 3 || lines[1] != "\t"+tc.spec || lines[2] != "\t"+strings.Repeat(" ", tc.col-1)+"^" {
				t.Errorf("Error() = %q, want the spec and a caret under column %d", err.Error(), tc.col)
			}
			if indicators.Normalize(tc.spec) != "" {
				t.Errorf("Normalize(%q) = %q, want \"\"", tc.spec, indicators.Normalize(tc.spec))
			}
		})
	}
}

func TestSuggestions(t *testing.T) {
	reg := newRegistry(t, indicators.Settings{})
	for _, d := range reg.Defs() {
		typo := d.Name + "q"
		if _, ok := reg.Lookup(typo); ok {
			continue
		}
		_, err := reg.Parse(typo)
		var se *indicators.SpecError
		if !errors.As(err, &se) {
			t.Fatalf("%s: err = %v", typo, err)
		}
		if !strings.Contains(se.Hint, d.Name) {
			t.Errorf("%s: hint %q does not suggest %s", typo, se.Hint, d.Name)
		}
	}
	if _, err := reg.Parse("zzzzzzzz"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("no suggestion expected for zzzzzzzz: %v", err)
	}
}

// FuzzParseSpec: no panic on any input, and a spec that parses normalises to
// a fixed point.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"sma(30)", "macd(12,26,9).signal", "rsi(14, hl2)", "sma(30),rsi", "bbands(20,2,2,ema)", "x(", ")", "sma(1e-3", "sma(-5)"} {
		f.Add(s)
	}
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		norm, err := reg.Normalize(spec)
		if err != nil {
			var se *indicators.SpecError
			if !errors.As(err, &se) || se.Col < 1 || se.Col > len(spec)+1 {
				t.Fatalf("%q: bad error %v", spec, err)
			}
			return
		}
		again, err := reg.Normalize(norm)
		if err != nil || again != norm {
			t.Fatalf("%q -> %q -> %q, %v", spec, norm, again, err)
		}
	})
}
