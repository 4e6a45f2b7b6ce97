package indicators_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// Property tests, generic over every Def of the registry with default
// parameters: whatever indicators exist are covered.

// propBars returns the seeded random walk of the goldens (flat stretches and
// jumps included), so the tests need no shared data.
func propBars(t testing.TB) []indicators.Input {
	t.Helper()
	for _, s := range loadGolden(t).series {
		if s.Series == "randomwalk_seed1" {
			return s.bars()
		}
	}
	t.Fatal("golden randomwalk_seed1 missing")
	return nil
}

func newDefault(t testing.TB, d indicators.Def) indicators.Indicator {
	t.Helper()
	ind, err := d.New(defaultParams(d), indicators.SourceClose, indicators.Settings{})
	if err != nil {
		t.Fatalf("%s with defaults: %v", d.Name, err)
	}
	return ind
}

// bitSame reports bit-for-bit equality, NaN equal to NaN.
func bitSame(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func TestPropPeekEqualsUpdate(t *testing.T) {
	bars := propBars(t)
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			peeked, plain := newDefault(t, d), newDefault(t, d)
			out := make([]float64, len(peeked.Outputs()))
			other := make([]float64, len(peeked.Outputs()))
			for i, b := range bars {
				// A Peek with another bar first: it must leave no trace.
				alt := b
				alt.Close, alt.High = b.Close*1.01, b.High*1.01
				peeked.Peek(alt, other)
				ok := peeked.Peek(b, out)
				peeked.Update(b)
				plain.Update(b)
				if ok != peeked.Ready() {
					t.Fatalf("bar %d: Peek ok=%v, Update Ready=%v", i, ok, peeked.Ready())
				}
				for k := range out {
					if !bitSame(out[k], peeked.Value(k)) {
						t.Fatalf("bar %d output %d: Peek %v, Update %v", i, k, out[k], peeked.Value(k))
					}
					if !bitSame(peeked.Value(k), plain.Value(k)) {
						t.Fatalf("bar %d output %d: Peek changed state: %v vs %v", i, k, peeked.Value(k), plain.Value(k))
					}
				}
			}
		})
	}
}

// TestPropValuesEqualsValue checks the optional ValuesReader against Value
// on every indicator that implements it, and that every multi-output
// indicator does (the engine relies on it for speed, not correctness).
func TestPropValuesEqualsValue(t *testing.T) {
	bars := propBars(t)
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			ind := newDefault(t, d)
			vr, ok := ind.(indicators.ValuesReader)
			if !ok {
				if len(ind.Outputs()) > 1 {
					t.Fatalf("%d outputs but no ValuesReader", len(ind.Outputs()))
				}
				return
			}
			out := make([]float64, len(ind.Outputs()))
			for i, b := range bars {
				ind.Update(b)
				vr.Values(out)
				for k := range out {
					if !bitSame(out[k], ind.Value(k)) {
						t.Fatalf("bar %d output %d: Values %v, Value %v", i, k, out[k], ind.Value(k))
					}
				}
			}
		})
	}
}

func TestPropSnapshotRestore(t *testing.T) {
	bars := propBars(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			ref := newDefault(t, d)
			want := runStream(ref, bars)
			lb := ref.Lookback()
			points := []int{0, 1, min(lb, len(bars)-1), min(lb+1, len(bars)-1)}
			for range 4 {
				points = append(points, rng.IntN(len(bars)))
			}
			for _, at := range points {
				a := newDefault(t, d)
				for _, b := range bars[:at] {
					a.Update(b)
				}
				snap, err := a.MarshalBinary()
				if err != nil {
					t.Fatalf("MarshalBinary at %d: %v", at, err)
				}
				c := newDefault(t, d)
				c.Update(bars[len(bars)-1]) // dirty it: restore must overwrite everything
				if err := c.UnmarshalBinary(snap); err != nil {
					t.Fatalf("UnmarshalBinary at %d: %v", at, err)
				}
				for i := at; i < len(bars); i++ {
					c.Update(bars[i])
					for k := range want {
						if !bitSame(c.Value(k), want[k][i]) {
							t.Fatalf("restored at %d: bar %d output %d = %v, uninterrupted %v", at, i, k, c.Value(k), want[k][i])
						}
					}
				}
			}
			// A snapshot is refused by an indicator with other parameters
			// and on truncation.
			snap, _ := ref.MarshalBinary()
			if err := newDefault(t, d).UnmarshalBinary(snap[:len(snap)/2]); !errors.Is(err, indicators.ErrState) {
				t.Errorf("truncated snapshot: err = %v, want ErrState", err)
			}
			if other, ok := otherParams(d); ok {
				if err := other.UnmarshalBinary(snap); !errors.Is(err, indicators.ErrState) {
					t.Errorf("snapshot of %s restored into %s: err = %v, want ErrState", ref.Name(), other.Name(), err)
				}
			}
		})
	}
}

// otherParams builds d with its first integer parameter changed.
func otherParams(d indicators.Def) (indicators.Indicator, bool) {
	p := defaultParams(d)
	for i, pd := range d.Params {
		if pd.Kind == indicators.ParamInt {
			if p[i]+1 <= pd.Max {
				p[i]++
			} else {
				p[i]--
			}
			ind, err := d.New(p, indicators.SourceClose, indicators.Settings{})
			return ind, err == nil
		}
	}
	return nil, false
}

func TestPropResetAndLookback(t *testing.T) {
	bars := propBars(t)
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			ind := newDefault(t, d)
			first := runStream(ind, bars)
			ind.Reset()
			if ind.Ready() {
				t.Fatal("Ready after Reset")
			}
			second := runStream(ind, bars)
			lb := ind.Lookback()
			if lb < 0 {
				t.Fatalf("Lookback %d", lb)
			}
			for k := range first {
				for i := range bars {
					if !bitSame(first[k][i], second[k][i]) {
						t.Fatalf("after Reset, bar %d output %d = %v, first run %v", i, k, second[k][i], first[k][i])
					}
					if i < lb && !math.IsNaN(first[k][i]) {
						t.Fatalf("output %d = %v at bar %d before Lookback %d", k, first[k][i], i, lb)
					}
				}
			}
			if lb < len(bars) {
				for k := range first {
					if math.IsNaN(first[k][lb]) {
						t.Errorf("output %d is NaN at Lookback %d", k, lb)
					}
				}
			}
		})
	}
}

func TestPropZeroAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	bars := propBars(t)
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			ind := newDefault(t, d)
			out := make([]float64, len(ind.Outputs()))
			i := 0
			for ; i < 300; i++ {
				ind.Update(bars[i])
			}
			allocs := testing.AllocsPerRun(500, func() {
				b := bars[i%len(bars)]
				i++
				ind.Peek(b, out)
				ind.Update(b)
				_ = ind.Value(0)
			})
			if allocs != 0 {
				t.Errorf("%v allocations per Peek+Update, want 0", allocs)
			}
		})
	}
}

// scaleExp says how each output responds to scaling every price by k:
// 1 scales by k (price-like), 0 is unchanged (oscillators, ratios, volume
// based), 2 scales by k² (variance), noScale follows no simple law
// (LINEARREG_ANGLE is the atan of the slope). Volume is not scaled. An indicator
// missing from the table fails TestPropPriceScaling: add it.
const noScale = -99

var scaleExp = map[string][]int{
	"sma": {1}, "ema": {1}, "wma": {1}, "dema": {1}, "tema": {1}, "trima": {1}, "kama": {1}, "t3": {1},
	"mama": {1, 1}, "ma": {1}, "bbands": {1, 1, 1}, "midpoint": {1}, "midprice": {1}, "sar": {1}, "sarext": {1},
	"max": {1}, "min": {1}, "linearreg": {1}, "linearreg_intercept": {1}, "linearreg_slope": {1}, "tsf": {1},
	"atr": {1}, "trange": {1}, "stddev": {1}, "var": {2}, "macd": {1, 1, 1}, "macdext": {1, 1, 1}, "macdfix": {1, 1, 1},
	"apo": {1}, "mom": {1}, "plus_dm": {1}, "minus_dm": {1}, "avgprice": {1}, "medprice": {1}, "typprice": {1}, "wclprice": {1},
	"rsi": {0}, "cmo": {0}, "stoch": {0, 0}, "stochf": {0, 0}, "stochrsi": {0, 0}, "willr": {0}, "cci": {0},
	"ultosc": {0}, "adx": {0}, "adxr": {0}, "dx": {0}, "plus_di": {0}, "minus_di": {0}, "aroon": {0, 0},
	"aroonosc": {0}, "natr": {0}, "mfi": {0}, "bop": {0}, "ppo": {0}, "roc": {0}, "rocp": {0}, "rocr": {0},
	"rocr100": {0}, "trix": {0}, "ad": {0}, "adosc": {0}, "obv": {0}, "linearreg_angle": {noScale},
	"vwap": {1}, "keltner": {1, 1, 1}, "donchian": {1, 1, 1}, "supertrend": {1, 0},
}

// TestPropPriceScaling scales open/high/low/close by 4 (exact in binary
// floating point, so scaled runs match to the last bits) and checks each
// output against scaleExp.
func TestPropPriceScaling(t *testing.T) {
	bars := propBars(t)
	const k = 4
	scaled := make([]indicators.Input, len(bars))
	for i, b := range bars {
		scaled[i] = b
		scaled[i].Open, scaled[i].High, scaled[i].Low, scaled[i].Close = b.Open*k, b.High*k, b.Low*k, b.Close*k
	}
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			exps, ok := scaleExp[d.Name]
			if !ok {
				t.Fatalf("%s is not in scaleExp: mark how its outputs scale with prices", d.Name)
			}
			if len(exps) != len(d.Outputs) {
				t.Fatalf("scaleExp[%s] has %d entries for %d outputs", d.Name, len(exps), len(d.Outputs))
			}
			base := runStream(newDefault(t, d), bars)
			got := runStream(newDefault(t, d), scaled)
			for o, e := range exps {
				if e == noScale {
					continue
				}
				f := math.Pow(k, float64(e))
				bad := 0
				for i := range bars {
					if !closeEnough(got[o][i], base[o][i]*f, 1e-9) {
						if bad == 0 {
							t.Errorf("output %s bar %d: scaled %v, want %v × %v = %v", d.Outputs[o], i, got[o][i], base[o][i], f, base[o][i]*f)
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("output %s: %d of %d bars do not scale by %v", d.Outputs[o], bad, len(bars), f)
				}
			}
		})
	}
}

// TestPropConstantInput feeds a constant bar: every output settles to a
// finite constant (trend-following outputs to the price, oscillators to
// their neutral value, whatever TA-Lib defines for a zero range).
func TestPropConstantInput(t *testing.T) {
	bar := indicators.Input{Open: 100, High: 100, Low: 100, Close: 100, Volume: 1000}
	for _, d := range newRegistry(t, indicators.Settings{}).Defs() {
		t.Run(d.Name, func(t *testing.T) {
			ind := newDefault(t, d)
			n := ind.Lookback() + 400
			vals := make([][]float64, len(ind.Outputs()))
			for i := 0; i < n; i++ {
				bar.Time = int64(i) * 60e9
				ind.Update(bar)
				if i >= n-50 {
					for k := range vals {
						vals[k] = append(vals[k], ind.Value(k))
					}
				}
			}
			for k, v := range vals {
				for _, x := range v {
					if math.IsNaN(x) || math.IsInf(x, 0) || !closeEnough(x, v[0], 1e-9) {
						t.Errorf("output %s on constant input: %v, not a settled finite constant", ind.Outputs()[k], fmt.Sprint(v[:5]))
						break
					}
				}
				if e, ok := scaleExp[d.Name]; ok && k < len(e) && e[k] == 1 && d.Name != "linearreg_slope" && d.Name != "mom" &&
					d.Name != "atr" && d.Name != "trange" && d.Name != "stddev" && d.Name != "apo" && d.Name != "macd" &&
					d.Name != "macdext" && d.Name != "macdfix" && d.Name != "plus_dm" && d.Name != "minus_dm" {
					if !closeEnough(v[0], 100, 1e-9) && !isBandOrWidth(d.Name) {
						t.Errorf("output %s on constant price 100 settles at %v, want 100", ind.Outputs()[k], v[0])
					}
				}
			}
		})
	}
}

// isBandOrWidth marks price-like indicators whose outputs are not the price
// itself on a constant series.
func isBandOrWidth(name string) bool {
	switch name {
	case "supertrend":
		return true
	}
	return false
}
