package rules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// warmExamples loads each example, runs it over the test series and returns
// the fake engine positioned on the last bar, ready for OnBar.
func warmExamples(tb testing.TB) (names []string, engines []*fakeEngine) {
	tb.Helper()
	reg := registry(tb)
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	bars := readNinjabot(tb, filepath.Join("testdata", "btc-1h.csv"))
	for _, path := range files {
		def, err := rules.LoadFile(path, reg)
		if err != nil {
			tb.Fatal(err)
		}
		p, err := strategies.Bind(def, nil)
		if err != nil {
			tb.Fatal(err)
		}
		s, err := def.New(p)
		if err != nil {
			tb.Fatal(err)
		}
		e := newFakeEngine(tb, reg, s, events.Hour)
		for _, b := range bars {
			e.apply(b)
		}
		e.cur = e.tfs[0]
		names = append(names, strings.TrimSuffix(filepath.Base(path), ".yaml"))
		engines = append(engines, e)
	}
	return names, engines
}

// TestOnBarDoesNotAllocate: evaluating the rules costs no allocation, so a
// rule strategy keeps the engine's hot path at 0 allocs per bar.
func TestOnBarDoesNotAllocate(t *testing.T) {
	names, engines := warmExamples(t)
	for i, e := range engines {
		out := make([]strategies.Decision, 0, 8)
		allocs := testing.AllocsPerRun(100, func() { out = e.strat.OnBar(e, out[:0]) })
		if allocs != 0 {
			t.Errorf("%s: OnBar allocates %v times per call", names[i], allocs)
		}
	}
}

// BenchmarkOnBar measures one OnBar call (every rule of the file evaluated)
// on the last bar of the test series, through the fake engine's View.
func BenchmarkOnBar(b *testing.B) {
	names, engines := warmExamples(b)
	for i, e := range engines {
		b.Run(names[i], func(b *testing.B) {
			b.ReportAllocs()
			out := make([]strategies.Decision, 0, 8)
			for b.Loop() {
				out = e.strat.OnBar(e, out[:0])
			}
		})
	}
}

// BenchmarkExprVM is the road not taken: rsi_dip's entry condition run on
// expr's VM (reused), with the values passed in an env map as a VM-based
// evaluator must. Each float64 put into the env is boxed: it allocates.
func BenchmarkExprVM(b *testing.B) {
	env := map[string]any{"rsi": 0.0, "rsi_1": 0.0, "lower": 35.0, "close": 0.0, "trend": 0.0}
	prog, err := expr.Compile("rsi_1 <= lower and rsi > lower and close > trend", expr.Env(env), expr.AsBool())
	if err != nil {
		b.Fatal(err)
	}
	var machine vm.VM
	b.ReportAllocs()
	x := 30.5
	for b.Loop() {
		x += 0.25
		env["rsi"], env["rsi_1"], env["close"], env["trend"] = x, x-1, x*1000, x*990
		if _, err := machine.Run(prog, env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNew measures Def.New, which the engine calls once per instance
// and symbol: binding the specs and compiling the closures (expr does not
// run again).
func BenchmarkNew(b *testing.B) {
	def, err := rules.LoadFile(filepath.Join("..", "examples", "macd_trend.yaml"), registry(b))
	if err != nil {
		b.Fatal(err)
	}
	p, err := strategies.Bind(def, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := def.New(p); err != nil {
			b.Fatal(err)
		}
	}
}
