package strategies_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

const (
	none  = events.SignalKind(0)
	long  = events.KindLong
	short = events.KindShort
	exit  = events.KindExit
)

type ruleCase struct {
	name     string
	params   map[string]string
	vals     [][][]float64 // [indicator][output] series, newest first (use hist)
	closes   []float64     // newest first (use hist)
	nanValid bool
	want     events.SignalKind
	reason   string // checked when not empty
}

func runRules(t *testing.T, strategy string, cases []ruleCase) {
	t.Helper()
	def := builtin(t, strategy)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mustNew(t, def, tc.params)
			v := &fakeView{symbol: "BTCUSDT", timeframe: events.Minute * 5, vals: tc.vals, closes: tc.closes, nanValid: tc.nanValid}
			got := s.OnBar(v, nil)
			if tc.want == none {
				if len(got) != 0 {
					t.Fatalf("got %+v, want no decision", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %+v, want one %v", got, tc.want)
			}
			d := got[0]
			wantStrength := map[events.SignalKind]float64{long: 1, short: -1, exit: 0}[tc.want]
			if d.Kind != tc.want || d.Strength != wantStrength {
				t.Errorf("got %v %v, want %v %v", d.Kind, d.Strength, tc.want, wantStrength)
			}
			if d.Reason == "" || (tc.reason != "" && d.Reason != tc.reason) {
				t.Errorf("reason %q, want %q", d.Reason, tc.reason)
			}
		})
	}
}

// two indicators with one output each (fast, slow).
func fastSlow(fast, slow []float64) [][][]float64 { return [][][]float64{outs(fast), outs(slow)} }

func TestEMACross(t *testing.T) {
	runRules(t, "ema_cross", []ruleCase{
		{name: "cross above", vals: fastSlow(hist(9, 11), hist(10, 10)), want: long, reason: "ema(20) crossed above ema(50)"},
		{name: "cross below", vals: fastSlow(hist(11, 9), hist(10, 10)), want: short, reason: "ema(20) crossed below ema(50)"},
		{name: "cross below long-only", params: map[string]string{"short": "false"}, vals: fastSlow(hist(11, 9), hist(10, 10)), want: exit},
		{name: "both move, cross", vals: fastSlow(hist(9, 12), hist(10, 11)), want: long},
		{name: "touch from below", vals: fastSlow(hist(9, 10), hist(10, 10)), want: none},
		{name: "touch from above", vals: fastSlow(hist(11, 10), hist(10, 10)), want: none},
		{name: "leaves touch upwards", vals: fastSlow(hist(10, 11), hist(10, 10)), want: long},
		{name: "leaves touch downwards", vals: fastSlow(hist(10, 9), hist(10, 10)), want: short},
		{name: "equal", vals: fastSlow(hist(10, 10), hist(10, 10)), want: none},
		// Documented: crosses are decided from two bars, so leaving a touch
		// counts in the direction of leaving, even after coming from there.
		{name: "bounce from above", vals: fastSlow(hist(11, 10, 11), hist(10, 10, 10)), want: long},
		{name: "bounce from below", vals: fastSlow(hist(9, 10, 9), hist(10, 10, 10)), want: short},
		{name: "stays above", vals: fastSlow(hist(11, 12), hist(10, 10)), want: none},
		{name: "stays below", vals: fastSlow(hist(8, 9), hist(10, 10)), want: none},
		{name: "previous invalid", vals: fastSlow(hist(nan, 11), hist(10, 10)), want: none},
		{name: "current invalid", vals: fastSlow(hist(9, nan), hist(10, 10)), want: none},
		{name: "NaN reported valid", nanValid: true, vals: fastSlow(hist(nan, 11), hist(10, 10)), want: none},
		{name: "no history", vals: fastSlow(hist(11), hist(10)), want: none},
		{name: "sma", params: map[string]string{"ma": "SMA", "fast": "5", "slow": "10"}, vals: fastSlow(hist(9, 11), hist(10, 10)), want: long, reason: "sma(5) crossed above sma(10)"},
	})
}

func TestRSIReversion(t *testing.T) {
	rsi := func(s ...float64) [][][]float64 { return [][][]float64{outs(hist(s...))} }
	runRules(t, "rsi_reversion", []ruleCase{
		{name: "up through lower", vals: rsi(25, 35), want: long, reason: "rsi(14) crossed up through 30"},
		{name: "up from lower", vals: rsi(30, 31), want: long},
		{name: "touch lower from below", vals: rsi(29, 30), want: none},
		{name: "down into oversold", vals: rsi(35, 25), want: none},
		{name: "down through upper", vals: rsi(75, 65), want: short, reason: "rsi(14) crossed down through 70"},
		{name: "down from upper", vals: rsi(70, 69.5), want: short},
		{name: "down through upper long-only", params: map[string]string{"short": "false"}, vals: rsi(75, 65), want: exit},
		{name: "up into overbought", vals: rsi(65, 75), want: none},
		{name: "touch upper from above", vals: rsi(71, 70), want: none},
		{name: "equal", vals: rsi(50, 50), want: none},
		{name: "custom levels miss", params: map[string]string{"lower": "20", "upper": "80"}, vals: rsi(25, 35), want: none},
		{name: "custom levels hit", params: map[string]string{"lower": "20", "upper": "80", "period": "7"}, vals: rsi(15, 25), want: long, reason: "rsi(7) crossed up through 20"},
		{name: "fractional level", params: map[string]string{"lower": "30.5"}, vals: rsi(30.5, 30.6), want: long, reason: "rsi(14) crossed up through 30.5"},
		{name: "previous invalid", vals: rsi(nan, 35), want: none},
		{name: "NaN reported valid", nanValid: true, vals: rsi(25, nan), want: none},
		{name: "no history", vals: rsi(35), want: none},
	})
}

func TestMACDCross(t *testing.T) {
	macd := func(m, s []float64) [][][]float64 { return [][][]float64{outs(m, s, hist(0, 0))} }
	runRules(t, "macd_cross", []ruleCase{
		{name: "cross above", vals: macd(hist(-1, 1), hist(0, 0)), want: long, reason: "macd(12,26,9) crossed above its signal"},
		{name: "cross below", vals: macd(hist(1, -1), hist(0, 0)), want: short, reason: "macd(12,26,9) crossed below its signal"},
		{name: "cross below long-only", params: map[string]string{"short": "false"}, vals: macd(hist(1, -1), hist(0, 0)), want: exit},
		{name: "touch", vals: macd(hist(-1, 0), hist(0, 0)), want: none},
		{name: "equal", vals: macd(hist(0.5, 0.5), hist(0.5, 0.5)), want: none},
		{name: "above", vals: macd(hist(1, 2), hist(0, 1)), want: none},
		{name: "signal invalid", vals: macd(hist(-1, 1), hist(nan, 0)), want: none},
		{name: "custom periods", params: map[string]string{"fast": "5", "slow": "35", "signal": "5"}, vals: macd(hist(-1, 1), hist(0, 0)), want: long, reason: "macd(5,35,5) crossed above its signal"},
	})
}

func TestBollinger(t *testing.T) {
	// bands: upper, middle, lower, oldest first.
	bands := func(u, l []float64) [][][]float64 { return [][][]float64{outs(u, hist(100, 100), l)} }
	u, l := hist(110, 110), hist(90, 90)
	brk := map[string]string{"mode": "breakout"}
	runRules(t, "bollinger", []ruleCase{
		{name: "reversion long", vals: bands(u, l), closes: hist(89, 91), want: long, reason: "close crossed back above the lower band of bbands(20,2,2)"},
		{name: "reversion long from the band", vals: bands(u, l), closes: hist(90, 91), want: long},
		{name: "reversion short", vals: bands(u, l), closes: hist(111, 109), want: short, reason: "close crossed back below the upper band of bbands(20,2,2)"},
		{name: "reversion short long-only", params: map[string]string{"short": "false"}, vals: bands(u, l), closes: hist(111, 109), want: exit},
		{name: "reversion touch lower", vals: bands(u, l), closes: hist(89, 90), want: none},
		{name: "reversion falls below lower", vals: bands(u, l), closes: hist(91, 89), want: none},
		{name: "reversion inside", vals: bands(u, l), closes: hist(95, 105), want: none},
		{name: "reversion zero-width bands are ambiguous", vals: bands(hist(100, 101), hist(100, 99)), closes: hist(100, 100.5), want: none},
		{name: "breakout long", params: brk, vals: bands(u, l), closes: hist(109, 111), want: long, reason: "close broke above the upper band of bbands(20,2,2)"},
		{name: "breakout short", params: brk, vals: bands(u, l), closes: hist(91, 89), want: short, reason: "close broke below the lower band of bbands(20,2,2)"},
		{name: "breakout stays above", params: brk, vals: bands(u, l), closes: hist(111, 112), want: none},
		{name: "breakout touch", params: brk, vals: bands(u, l), closes: hist(109, 110), want: none},
		{name: "breakout ignores reversion", params: brk, vals: bands(u, l), closes: hist(89, 91), want: none},
		{name: "nbdev in spec", params: map[string]string{"nbdev": "2.50", "period": "10"}, vals: bands(u, l), closes: hist(89, 91), want: long, reason: "close crossed back above the lower band of bbands(10,2.5,2.5)"},
		{name: "no previous bar", vals: bands(u, l), closes: hist(91), want: none},
		{name: "band invalid", vals: bands(u, hist(nan, 90)), closes: hist(89, 91), want: none},
	})
}

func TestDonchianBreakout(t *testing.T) {
	ch := func(u, l []float64) [][][]float64 { return [][][]float64{outs(u, hist(95, 95, 95), l)} }
	u, l := hist(100, 100, 101), hist(90, 90, 89)
	runRules(t, "donchian_breakout", []ruleCase{
		{name: "break above", vals: ch(u, l), closes: hist(99, 101), want: long, reason: "close broke above the 20-bar high"},
		{name: "already above", vals: ch(u, l), closes: hist(100.5, 101), want: none},
		{name: "previous at the high", vals: ch(u, l), closes: hist(100, 101), want: long},
		{name: "close at the high", vals: ch(u, l), closes: hist(99, 100), want: none},
		{name: "break below", vals: ch(u, l), closes: hist(91, 89), want: short, reason: "close broke below the 20-bar low"},
		{name: "break below long-only", params: map[string]string{"short": "false", "period": "55"}, vals: ch(u, l), closes: hist(91, 89), want: exit, reason: "close broke below the 55-bar low"},
		{name: "already below", vals: ch(u, l), closes: hist(89.5, 89), want: none},
		{name: "inside", vals: ch(u, l), closes: hist(95, 96), want: none},
		{name: "two channel values only", vals: ch(hist(100, 101), hist(90, 89)), closes: hist(99, 101), want: none},
		{name: "channel invalid", vals: ch(hist(nan, 100, 101), l), closes: hist(99, 101), want: none},
	})
}

func TestSuperTrend(t *testing.T) {
	st := func(dir ...float64) [][][]float64 { return [][][]float64{outs(hist(1, 1), hist(dir...))} }
	runRules(t, "supertrend", []ruleCase{
		{name: "turns up", vals: st(-1, 1), want: long, reason: "supertrend(10,3) turned up"},
		{name: "turns down", vals: st(1, -1), want: short, reason: "supertrend(10,3) turned down"},
		{name: "turns down long-only", params: map[string]string{"short": "false"}, vals: st(1, -1), want: exit},
		{name: "stays up", vals: st(1, 1), want: none},
		{name: "stays down", vals: st(-1, -1), want: none},
		{name: "first value", vals: st(nan, 1), want: none},
		{name: "NaN reported valid", nanValid: true, vals: st(nan, 1), want: none},
		{name: "custom", params: map[string]string{"period": "7", "multiplier": "1.5"}, vals: st(-1, 1), want: long, reason: "supertrend(7,1.5) turned up"},
	})
}

// outputName is the indicator output each built-in reads, by spec prefix
// and output index: the strategies index outputs by number, so the test
// pins the numbers to the indicators' output names.
var outputName = map[string]map[int]string{
	"macd":       {0: "macd", 1: "signal"},
	"bbands":     {0: "upper", 2: "lower"},
	"donchian":   {0: "upper", 2: "lower"},
	"supertrend": {1: "direction"},
}

// TestBuiltinSpecs checks that every built-in's Needs parse with the
// indicators registry, are already normalised, sit on the configured
// timeframe, and that the outputs read by index are the ones meant.
func TestBuiltinSpecs(t *testing.T) {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	variants := []map[string]string{
		nil,
		{"timeframe": "1h"},
		{"timeframe": "15m", "short": "false"},
	}
	extra := map[string][]map[string]string{
		"ema_cross":     {{"ma": "sma", "fast": "5", "slow": "200"}},
		"bollinger":     {{"nbdev": "2.5", "mode": "breakout"}, {"nbdev": "0.01"}},
		"supertrend":    {{"multiplier": "1.25", "period": "1"}},
		"macd_cross":    {{"fast": "2", "slow": "3", "signal": "1"}},
		"rsi_reversion": {{"lower": "0", "upper": "100"}},
	}
	for _, def := range strategies.Builtins() {
		for _, ov := range append(variants, extra[def.Name]...) {
			t.Run(def.Name, func(t *testing.T) {
				s := mustNew(t, def, ov)
				p, _ := strategies.Bind(def, ov)
				tf := p.Interval("timeframe")
				n := s.Needs()
				if len(n.Timeframes) != 1 || n.Timeframes[0] != tf {
					t.Errorf("%v: timeframes %v, want [%v]", ov, n.Timeframes, tf)
				}
				if len(n.Indicators) == 0 {
					t.Fatalf("%v: no indicators", ov)
				}
				for _, in := range n.Indicators {
					if in.Timeframe != tf {
						t.Errorf("%v: %s on %v, want %v", ov, in.Spec, in.Timeframe, tf)
					}
					spec, err := reg.Parse(in.Spec)
					if err != nil {
						t.Fatalf("%v: %v", ov, err)
					}
					if spec.String() != in.Spec {
						t.Errorf("%v: spec %q normalises to %q", ov, in.Spec, spec.String())
					}
					if _, err := reg.Build(spec); err != nil {
						t.Errorf("%v: build %s: %v", ov, in.Spec, err)
					}
					for o, want := range outputName[spec.Def.Name] {
						if o >= len(spec.Def.Outputs) || spec.Def.Outputs[o] != want {
							t.Errorf("%s: output %d is %v, want %q", in.Spec, o, spec.Def.Outputs, want)
						}
					}
				}
				// Needs hands out copies: changing one does not change the strategy.
				n.Indicators[0].Spec = "changed"
				if s.Needs().Indicators[0].Spec == "changed" {
					t.Error("Needs shares its slices")
				}
			})
		}
	}
}

func TestBuiltinsStateless(t *testing.T) {
	for _, def := range strategies.Builtins() {
		if _, ok := mustNew(t, def, nil).(strategies.Stateful); ok {
			t.Errorf("%s implements Stateful; the built-ins read history from the View", def.Name)
		}
	}
}

func TestBuiltinOrderErrors(t *testing.T) {
	cases := []struct {
		strategy string
		params   map[string]string
		param    string
	}{
		{"ema_cross", map[string]string{"fast": "50"}, "fast"},
		{"ema_cross", map[string]string{"fast": "60"}, "fast"},
		{"macd_cross", map[string]string{"fast": "26"}, "fast"},
		{"rsi_reversion", map[string]string{"lower": "70"}, "lower"},
		{"rsi_reversion", map[string]string{"lower": "80", "upper": "20"}, "lower"},
	}
	for _, tc := range cases {
		t.Run(tc.strategy+"/"+tc.param, func(t *testing.T) {
			def := builtin(t, tc.strategy)
			p, err := strategies.Bind(def, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			s, err := def.New(p)
			if s != nil {
				t.Errorf("New returned %#v with the error", s)
			}
			var pe *strategies.ParamError
			if !errors.Is(err, strategies.ErrParam) || !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("err = %v, want a ParamError for %s", err, tc.param)
			}
			if !strings.Contains(err.Error(), "must be less than") {
				t.Errorf("message %q does not say what is allowed", err)
			}
		})
	}
}

// quietView gives every built-in valid values that trigger nothing: all
// series flat and apart.
func quietView() *fakeView {
	flat := func(x float64) []float64 { return []float64{x, x, x} }
	return &fakeView{
		symbol: "BTCUSDT", timeframe: events.Hour,
		vals:   [][][]float64{outs(flat(50), flat(1), flat(40)), outs(flat(60), flat(2), flat(3))},
		closes: flat(45),
	}
}

// loudView makes each built-in emit one decision, for the allocation test
// of the emitting path.
func loudView(name string) *fakeView {
	v := quietView()
	switch name {
	case "ema_cross":
		v.vals = fastSlow(hist(9, 9, 11), hist(10, 10, 10))
	case "rsi_reversion":
		v.vals = [][][]float64{outs(hist(20, 25, 35))}
	case "macd_cross":
		v.vals = [][][]float64{outs(hist(-1, -1, 1), hist(0, 0, 0), hist(0, 0, 0))}
	case "bollinger":
		v.vals = [][][]float64{outs(hist(110, 110, 110), hist(100, 100, 100), hist(90, 90, 90))}
		v.closes = hist(89, 89, 91)
	case "donchian_breakout":
		v.vals = [][][]float64{outs(hist(100, 100, 101), hist(95, 95, 95), hist(90, 90, 89))}
		v.closes = hist(99, 99, 101)
	case "supertrend":
		v.vals = [][][]float64{outs(hist(1, 1, 1), hist(-1, -1, 1))}
	}
	return v
}

func TestBuiltinOnBarAllocations(t *testing.T) {
	for _, def := range strategies.Builtins() {
		t.Run(def.Name, func(t *testing.T) {
			s := mustNew(t, def, nil)
			quiet, loud := quietView(), loudView(def.Name)
			out := make([]strategies.Decision, 0, 4)
			if got := s.OnBar(quiet, out); len(got) != 0 {
				t.Fatalf("quiet view decided %+v", got)
			}
			if got := s.OnBar(loud, out); len(got) != 1 {
				t.Fatalf("loud view decided %+v, want one decision", got)
			}
			var v strategies.View = quiet
			if a := testing.AllocsPerRun(200, func() { out = s.OnBar(v, out[:0]) }); a != 0 {
				t.Errorf("OnBar without a decision: %v allocs, want 0", a)
			}
			v = loud
			if a := testing.AllocsPerRun(200, func() { out = s.OnBar(v, out[:0]) }); a != 0 {
				t.Errorf("OnBar with a decision into spare capacity: %v allocs, want 0", a)
			}
		})
	}
}

func BenchmarkOnBar(b *testing.B) {
	for _, def := range strategies.Builtins() {
		s := mustNew(b, def, nil)
		for _, c := range []struct {
			name string
			v    *fakeView
		}{{"quiet", quietView()}, {"decide", loudView(def.Name)}} {
			b.Run(def.Name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				var v strategies.View = c.v
				out := make([]strategies.Decision, 0, 4)
				for b.Loop() {
					out = s.OnBar(v, out[:0])
				}
			})
		}
	}
}

// valueView is a View of an uncomparable value type (it holds a slice),
// passed by value: comparing two of them with == would panic.
type valueView struct {
	*fakeView
	pad []int
}

// TestBuiltinViewSwitch checks that a built-in decides on the View it is
// given when the View changes from call to call (the built-ins cache how to
// read the last one), including Views of uncomparable value types and
// alternating quiet and loud ones.
func TestBuiltinViewSwitch(t *testing.T) {
	for _, def := range strategies.Builtins() {
		t.Run(def.Name, func(t *testing.T) {
			s := mustNew(t, def, nil)
			quiet, loud := quietView(), loudView(def.Name)
			views := []struct {
				v    strategies.View
				want int
			}{
				{quiet, 0}, {loud, 1}, {valueView{quiet, []int{1}}, 0}, {valueView{loud, nil}, 1},
				{valueView{loud, nil}, 1}, {quiet, 0}, {loud, 1}, {loud, 1}, {valueView{quiet, nil}, 0},
			}
			for i, tc := range views {
				if got := s.OnBar(tc.v, nil); len(got) != tc.want {
					t.Fatalf("call %d: %d decisions, want %d", i, len(got), tc.want)
				}
			}
		})
	}
}
