package rules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// FuzzLoad: no file makes Load, New or OnBar panic, and what loads runs.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add(base)
	f.Add(evalBase)
	f.Add(strings.Replace(evalBase, "WHEN", "crosses_above(m.hist[3], (a - b)[2]) or not (a ** 2 > n ? on : false)", 1))
	f.Add("rules:\n  - when: |\n      close > open\n    signal: long\n    strength: 'abs(close - open) / close'\n")
	reg := registry(f)
	v := &scriptView{closes: []float64{1, 2, 3}, hist: 3, vals: [][][]float64{{{1, 2, 3}}, {{3, 2, 1}}, {{1}, {2}, {3}}}}
	f.Fuzz(func(t *testing.T, text string) {
		def, err := rules.Load([]byte(text), "f.yaml", reg)
		if err != nil {
			return
		}
		p, err := strategies.Bind(def, nil)
		if err != nil {
			t.Fatalf("defaults of a loaded file do not bind: %v", err)
		}
		s, err := def.New(p)
		if err != nil {
			t.Fatalf("New with the defaults of a loaded file: %v", err)
		}
		for _, d := range s.OnBar(v, nil) {
			if !(d.Strength >= -1 && d.Strength <= 1) {
				t.Fatalf("strength %v", d.Strength)
			}
		}
	})
}
