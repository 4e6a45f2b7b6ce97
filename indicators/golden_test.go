package indicators_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// goldenTol is the acceptance bar against TA-Lib C: 1e-9 relative, 1e-9
// absolute near zero.
const goldenTol = 1e-9

// TestStreamGolden checks every streaming Def of the registry against every
// TA-Lib C golden case of the same function whose parameters it accepts:
// Lookback equals TA-Lib's outBegIdx (unstable periods included), Ready is
// false and values NaN before it, and every value from there on is within
// goldenTol of TA-Lib C. It is generic over the registry: an indicator
// added later is covered without a new test, and one without any golden
// (other than those beyond TA-Lib) fails.
func TestStreamGolden(t *testing.T) {
	g := loadGolden(t)
	reg := newRegistry(t, indicators.Settings{})
	for _, d := range reg.Defs() {
		t.Run(d.Name, func(t *testing.T) {
			if nonTALib(d.Name) {
				t.Skip("beyond TA-Lib: no TA-Lib C golden")
			}
			fn := taName(d.Name)
			meta, ok := g.funcs[fn]
			if !ok {
				t.Fatalf("%s has no TA-Lib function %s: missing golden (add it to nonTALib if it is beyond TA-Lib)", d.Name, fn)
			}
			if len(meta.Outputs) != len(d.Outputs) {
				t.Fatalf("%s has %d outputs, TA-Lib %s has %d (%v)", d.Name, len(d.Outputs), fn, len(meta.Outputs), meta.Outputs)
			}
			matched, skipped, unstable := 0, 0, 0
			for _, s := range g.series {
				bars := s.bars()
				for _, c := range s.Cases {
					if c.Fn != fn {
						continue
					}
					ind, why := buildForCase(d, c)
					if ind == nil {
						if why != "" {
							t.Errorf("%s %s: %s", s.Series, c.key(), why)
						}
						skipped++
						continue
					}
					matched++
					if len(c.Unstable) > 0 {
						unstable++
					}
					if msg := runGoldenCase(ind, bars, c); msg != "" {
						t.Errorf("%s %s%s: %s", s.Series, c.key(), unstableNote(c), msg)
					}
				}
			}
			if matched == 0 {
				t.Errorf("no golden case matches %s (%d skipped): missing golden", d.Name, skipped)
			}
			t.Logf("%s: %d golden cases (%d with unstable periods), %d not expressible", d.Name, matched, unstable, skipped)
		})
	}
}

func unstableNote(c *goldenCase) string {
	if len(c.Unstable) == 0 {
		return ""
	}
	return fmt.Sprintf(" unstable %v", c.Unstable)
}

// buildForCase constructs d with the case's parameters and unstable
// periods. It returns nil and "" for a case the Def cannot express
// (parameter count or range, a source it cannot read, an MA type it
// rejects with ErrBadParam), and nil and a reason for a real failure.
func buildForCase(d indicators.Def, c *goldenCase) (indicators.Indicator, string) {
	if len(c.Params) != len(d.Params) {
		return nil, ""
	}
	for i, p := range c.Params {
		if p < d.Params[i].Min || p > d.Params[i].Max {
			return nil, ""
		}
	}
	src := indicators.SourceClose
	if d.Inputs == "value" {
		s, ok := indicators.ParseSource(c.Inputs[0])
		if !ok {
			return nil, ""
		}
		src = s
	}
	set := indicators.Settings{Unstable: c.Unstable}
	ind, err := d.New(append([]float64(nil), c.Params...), src, set)
	if err != nil {
		if errors.Is(err, indicators.ErrBadParam) {
			return nil, ""
		}
		return nil, "constructor: " + err.Error()
	}
	return ind, ""
}

// runGoldenCase feeds bars and compares; it returns "" or what differs.
func runGoldenCase(ind indicators.Indicator, bars []indicators.Input, c *goldenCase) string {
	var problems []string
	if c.BegIdx < len(bars) && ind.Lookback() != c.BegIdx {
		problems = append(problems, fmt.Sprintf("Lookback() = %d, TA-Lib %d", ind.Lookback(), c.BegIdx))
	}
	bad := 0
	for i, b := range bars {
		ind.Update(b)
		if i < c.BegIdx {
			if ind.Ready() {
				problems = append(problems, fmt.Sprintf("Ready at %d before TA-Lib's first value at %d", i, c.BegIdx))
				break
			}
			for k := range c.out {
				if v := ind.Value(k); !math.IsNaN(v) {
					problems = append(problems, fmt.Sprintf("output %d = %g at %d before ready, want NaN", k, v, i))
					break
				}
			}
			continue
		}
		if !ind.Ready() {
			problems = append(problems, fmt.Sprintf("not Ready at %d (TA-Lib's first value is at %d)", i, c.BegIdx))
			break
		}
		for k := range c.out {
			want := c.out[k][i-c.BegIdx]
			if got := ind.Value(k); !closeEnough(got, want, goldenTol) {
				if bad == 0 {
					problems = append(problems, fmt.Sprintf("output %d at %d: got %.17g, TA-Lib %.17g", k, i, got, want))
				}
				bad++
			}
		}
	}
	if bad > 1 {
		problems = append(problems, fmt.Sprintf("%d values differ in all", bad))
	}
	return strings.Join(problems, "; ")
}

// TestGoldenInputs checks the committed goldens themselves: every series has
// consistent inputs and every case's output lengths agree with outBegIdx.
func TestGoldenInputs(t *testing.T) {
	g := loadGolden(t)
	if len(g.series) < 5 {
		t.Fatalf("%d golden series, want at least 5", len(g.series))
	}
	for _, s := range g.series {
		for _, k := range []string{"open", "high", "low", "close", "volume", "time"} {
			if len(s.Inputs[k]) != s.N {
				t.Errorf("%s: input %s has %d values, want %d", s.Series, k, len(s.Inputs[k]), s.N)
			}
		}
		for _, c := range s.Cases {
			for k, o := range c.out {
				if want := max(s.N-c.BegIdx, 0); len(o) != want {
					t.Errorf("%s %s: output %d has %d values, want %d", s.Series, c.key(), k, len(o), want)
				}
			}
		}
	}
}

// TestStreamVsBatchShared runs every streaming Def with default parameters
// over the full Binance BTC/USDT 5m series (65,741 bars, with its exchange
// gaps) from ../shared/data and compares with go-talib through Batch at
// every bar from the lookback on, within goldenTol: long runs catch drift
// that 1,000-bar goldens cannot. Functions with a documented go-talib
// deviation are compared against nothing here (the goldens cover them).
// Skipped when the shared data is absent (users' machines).
func TestStreamVsBatchShared(t *testing.T) {
	if testing.Short() {
		t.Skip("long series; -short")
	}
	bars := benchSeries()
	if bars == nil {
		t.Skip("../shared/data not present")
	}
	in := batchInputOf(bars)
	for _, c := range benchCases(t) {
		if c.batch == "" || c.params == nil {
			continue
		}
		if _, dev := batchDeviations[c.batch]; dev {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			want, err := indicators.Batch(c.batch, in, c.params...)
			if err != nil {
				t.Fatal(err)
			}
			ind, err := c.def.New(defaultParams(c.def), indicators.SourceClose, indicators.Settings{})
			if err != nil {
				t.Fatal(err)
			}
			got := runStream(ind, bars)
			for k := range want {
				bad := 0
				for i := ind.Lookback(); i < len(bars); i++ {
					if !closeEnough(got[k][i], want[k][i], goldenTol) {
						if bad == 0 {
							t.Errorf("output %d at bar %d: stream %.17g, go-talib %.17g", k, i, got[k][i], want[k][i])
						}
						bad++
					}
				}
				if bad > 1 {
					t.Errorf("output %d: %d of %d bars differ", k, bad, len(bars))
				}
			}
		})
	}
}
