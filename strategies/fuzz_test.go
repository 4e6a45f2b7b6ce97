package strategies_test

import (
	"errors"
	"testing"

	"github.com/candlewick-labs/candlewick/strategies"
)

// FuzzBind feeds arbitrary text to every parameter kind: Bind must not
// panic, must fail only with ErrParam, and a canonical value must bind to
// itself (so a signal's Params bind back to the same hash).
func FuzzBind(f *testing.F) {
	for _, s := range []string{"20", " 2.50 ", "1e308", "-0", "NaN", "true", "T", "60m", "PT5M", "1w", "0", "", "SMA", "9999999999999999999", "+Inf", "0x10", "1_000", "\x00", "5q"} {
		f.Add(s)
	}
	def := testDef()
	f.Fuzz(func(t *testing.T, text string) {
		for _, pd := range def.Params {
			p, err := strategies.Bind(def, map[string]string{pd.Name: text})
			if err != nil {
				if !errors.Is(err, strategies.ErrParam) {
					t.Fatalf("%s=%q: %v is not ErrParam", pd.Name, text, err)
				}
				continue
			}
			canon, _ := p.Text(pd.Name)
			again, err := strategies.Bind(def, map[string]string{pd.Name: canon})
			if err != nil {
				t.Fatalf("%s=%q: canonical %q does not bind: %v", pd.Name, text, canon, err)
			}
			if c2, _ := again.Text(pd.Name); c2 != canon || again.Hash() != p.Hash() {
				t.Fatalf("%s=%q: canonical %q rebinds as %q", pd.Name, text, canon, c2)
			}
		}
		// Unknown names are errors, never panics.
		if _, err := strategies.Bind(def, map[string]string{text: "1"}); err == nil && text != "n" && text != "x" && text != "pos" && text != "any" && text != "tf" && text != "label" && text != "on" && text != "ma" {
			t.Fatalf("unknown name %q bound", text)
		}
	})
}
