package indicators_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	talib "github.com/markcheno/go-talib"

	"github.com/candlewick-labs/candlewick/indicators"
)

// caseA is one row of the moving-average / momentum / statistics table.
type caseA struct {
	name     string
	build    func() (indicators.Indicator, error)
	lookback int                         // TA-Lib's lookback for these parameters
	ref      func([]float64) [][]float64 // batch reference over closes, zeros before its first value
	// tol is 0 for bit equality with ref, else the relative tolerance, used
	// only where the reference is known to round differently (go-talib's
	// running sums for LINEARREG).
	tol float64
	// gotalib marks a go-talib reference whose zeros before the lookback
	// must line up with Lookback().
	gotalib bool
}

func one(f func([]float64) []float64) func([]float64) [][]float64 {
	return func(x []float64) [][]float64 { return [][]float64{f(x)} }
}

func ind[T indicators.Indicator](x T, err error) (indicators.Indicator, error) {
	if err != nil {
		return nil, err
	}
	return x, nil
}

var noSet = indicators.Settings{}

func casesA() []caseA {
	c := indicators.SourceClose
	return []caseA{
		{name: "sma(30)", lookback: 29, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewSMA(30, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Sma(x, 30) })},
		{name: "ema(30)", lookback: 29, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewEMA(30, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Ema(x, 30) })},
		{name: "ema(2)", lookback: 1, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewEMA(2, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Ema(x, 2) })},
		{name: "wma(30)", lookback: 29, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewWMA(30, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Wma(x, 30) })},
		{name: "dema(30)", lookback: 58, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewDEMA(30, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Dema(x, 30) })},
		{name: "tema(30)", lookback: 87, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewTEMA(30, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Tema(x, 30) })},
		{name: "trima(30)", lookback: 29, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewTRIMA(30, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Trima(x, 30) })},
		{name: "trima(7)", lookback: 6, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewTRIMA(7, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Trima(x, 7) })},
		{name: "kama(30)", lookback: 30, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewKAMA(30, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Kama(x, 30) })},
		{name: "t3(5,0.7)", lookback: 24, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewT3(5, 0.7, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.T3(x, 5, 0.7) })},
		{name: "mama(0.5,0.05)", lookback: 32, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMAMA(0.5, 0.05, c, noSet)) },
			ref: func(x []float64) [][]float64 {
				m, f := talib.Mama(x, 0.5, 0.05)
				return [][]float64{m, f}
			}},
		{name: "mama(0.3,0.1)", lookback: 32, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMAMA(0.3, 0.1, c, noSet)) },
			ref: func(x []float64) [][]float64 {
				m, f := talib.Mama(x, 0.3, 0.1)
				return [][]float64{m, f}
			}},
		{name: "bbands(5,2,2,mama)", lookback: 32,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewBBands(5, 2, 2, indicators.MAMAMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 {
				m, _ := talib.Mama(x, 0.5, 0.05)
				return bbandsRefA(x, m, 32, 5, 2, 2)
			}},
		{name: "bbands(5,2,2,tema)", lookback: 12,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewBBands(5, 2, 2, indicators.MATEMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 { return bbandsRefA(x, talib.Tema(x, 5), 12, 5, 2, 2) }},
		{name: "macd(12,26,9)", lookback: 33,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMACD(12, 26, 9, c, noSet)) },
			ref:   func(x []float64) [][]float64 { return macdRefA(x, 12, 26, 9, 2.0/13, 2.0/27) }},
		{name: "macd(26,12,9) swaps", lookback: 33,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMACD(26, 12, 9, c, noSet)) },
			ref:   func(x []float64) [][]float64 { return macdRefA(x, 12, 26, 9, 2.0/13, 2.0/27) }},
		{name: "macd(5,35,1)", lookback: 34,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMACD(5, 35, 1, c, noSet)) },
			ref:   func(x []float64) [][]float64 { return macdRefA(x, 5, 35, 1, 2.0/6, 2.0/36) }},
		{name: "macdfix(9)", lookback: 33,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMACDFix(9, c, noSet)) },
			ref:   func(x []float64) [][]float64 { return macdRefA(x, 12, 26, 9, 0.15, 0.075) }},
		{name: "macdext(12,sma,26,sma,9,sma)", lookback: 33,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewMACDExt(12, indicators.MASMA, 26, indicators.MASMA, 9, indicators.MASMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 { return macdExtSMARefA(x, 12, 26, 9) }},
		{name: "macdext(12,ema,26,ema,9,ema) is macd", lookback: 33,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewMACDExt(12, indicators.MAEMA, 26, indicators.MAEMA, 9, indicators.MAEMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 { return macdRefA(x, 12, 26, 9, 2.0/13, 2.0/27) }},
		{name: "apo(12,26)", lookback: 25, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewAPO(12, 26, indicators.MASMA, c, noSet))
			},
			ref: one(func(x []float64) []float64 { return talib.Apo(x, 12, 26, talib.SMA) })},
		{name: "apo(12,26,ema)", lookback: 25, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewAPO(12, 26, indicators.MAEMA, c, noSet))
			},
			ref: one(func(x []float64) []float64 { return talib.Apo(x, 12, 26, talib.EMA) })},
		{name: "ppo(26,12,tema) swaps", lookback: 75,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewPPO(26, 12, indicators.MATEMA, c, noSet))
			},
			ref: one(func(x []float64) []float64 { return talib.Ppo(x, 12, 26, talib.TEMA) })},
		{name: "ppo(12,26)", lookback: 25, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewPPO(12, 26, indicators.MASMA, c, noSet))
			},
			ref: one(func(x []float64) []float64 { return talib.Ppo(x, 12, 26, talib.SMA) })},
		{name: "rsi(14)", lookback: 14, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewRSI(14, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Rsi(x, 14) })},
		{name: "rsi(2)", lookback: 2, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewRSI(2, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Rsi(x, 2) })},
		{name: "cmo(14)", lookback: 14, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewCMO(14, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Cmo(x, 14) })},
		{name: "mom(10)", lookback: 10, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewMOM(10, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Mom(x, 10) })},
		{name: "roc(10)", lookback: 10, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewROC(10, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Roc(x, 10) })},
		{name: "rocp(1)", lookback: 1, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewROCP(1, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Rocp(x, 1) })},
		{name: "rocr(10)", lookback: 10, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewROCR(10, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Rocr(x, 10) })},
		{name: "rocr100(10)", lookback: 10, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewROCR100(10, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Rocr100(x, 10) })},
		{name: "trix(30)", lookback: 88, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewTRIX(30, c, noSet)) },
			ref:   one(func(x []float64) []float64 { return talib.Trix(x, 30) })},
		{name: "stddev(5,1)", lookback: 4, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewSTDDEV(5, 1, c)) },
			ref:   one(func(x []float64) []float64 { return talib.StdDev(x, 5, 1) })},
		{name: "stddev(20,2.5)", lookback: 19, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewSTDDEV(20, 2.5, c)) },
			ref:   one(func(x []float64) []float64 { return talib.StdDev(x, 20, 2.5) })},
		{name: "var(5)", lookback: 4, gotalib: true,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewVAR(5, 1, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Var(x, 5) })},
		{name: "var(1)", lookback: 0,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewVAR(1, 1, c)) },
			ref:   one(func(x []float64) []float64 { return talib.Var(x, 1) })},
		{name: "bbands(20,2,2)", lookback: 19, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewBBands(20, 2, 2, indicators.MASMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 {
				u, m, l := talib.BBands(x, 20, 2, 2, talib.SMA)
				return [][]float64{u, m, l}
			}},
		{name: "bbands(5,1.5,2.5,ema)", lookback: 4, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewBBands(5, 1.5, 2.5, indicators.MAEMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 {
				u, m, l := talib.BBands(x, 5, 1.5, 2.5, talib.EMA)
				return [][]float64{u, m, l}
			}},
		{name: "linearreg(14)", lookback: 13,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewLinearReg(14, c)) },
			ref:   one(func(x []float64) []float64 { return linRegRefA(x, 14, 0) }), tol: linRegTol},
		{name: "linearreg_slope(14)", lookback: 13,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewLinearRegSlope(14, c)) },
			ref:   one(func(x []float64) []float64 { return linRegRefA(x, 14, 1) }), tol: linRegTol},
		{name: "linearreg_intercept(14)", lookback: 13,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewLinearRegIntercept(14, c)) },
			ref:   one(func(x []float64) []float64 { return linRegRefA(x, 14, 2) }), tol: linRegTol},
		{name: "linearreg_angle(14)", lookback: 13,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewLinearRegAngle(14, c)) },
			ref:   one(func(x []float64) []float64 { return linRegRefA(x, 14, 3) }), tol: linRegTol},
		{name: "tsf(14)", lookback: 13,
			build: func() (indicators.Indicator, error) { return ind(indicators.NewTSF(14, c)) },
			ref:   one(func(x []float64) []float64 { return linRegRefA(x, 14, 4) }), tol: linRegTol},
		{name: "stochrsi(14,5,3)", lookback: 20,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewStochRSI(14, 5, 3, indicators.MASMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 { return stochRSIRefA(x, 14, 5, 3) }},
		{name: "stochrsi(14,5,3) go-talib %K", lookback: 20, gotalib: true,
			build: func() (indicators.Indicator, error) {
				return ind(indicators.NewStochRSI(14, 5, 3, indicators.MASMA, c, noSet))
			},
			ref: func(x []float64) [][]float64 {
				// go-talib's %D sums from index 0 over %K values computed
				// on its zero-filled RSI prefix, so only the last bits differ.
				k, d := talib.StochRsi(x, 14, 5, 3, talib.SMA)
				return [][]float64{k, d}
			}, tol: 1e-12},
	}
}

// linRegTol is the LINEARREG family's bar against TA-Lib C's loop: the
// streaming sums slide in O(1) (see LinReg), so values agree with TA-Lib's
// fresh re-sum within rounding, not bit for bit.
const linRegTol = 1e-9

// TestStreamingA checks every indicator of the table on every series: the
// lookback, values against the reference (bit for bit), Peek, snapshots,
// Reset and allocations (see checkStreamA).
func TestStreamingA(t *testing.T) {
	series := seriesSetA(t)
	for _, tc := range casesA() {
		t.Run(tc.name, func(t *testing.T) {
			ind := mustA(t, tc.build)
			if ind.Lookback() != tc.lookback {
				t.Fatalf("Lookback() = %d, TA-Lib's is %d", ind.Lookback(), tc.lookback)
			}
			if ind.Ready() {
				t.Fatal("Ready before any input")
			}
			for _, s := range series {
				t.Run(s.name, func(t *testing.T) {
					ref := tc.ref(s.closes())
					if tc.gotalib {
						// go-talib leaves zeros before its first value: they must
						// end exactly where our lookback does.
						for k := range ref {
							for i := 0; i < tc.lookback && i < len(ref[k]); i++ {
								if ref[k][i] != 0 {
									t.Fatalf("go-talib output %d is %g at %d, before the lookback %d", k, ref[k][i], i, tc.lookback)
								}
							}
						}
					}
					checkStreamA(t, tc.build, s.bars, ref, tc.tol)
				})
			}
		})
	}
}

// TestUnstableA checks the unstable periods: a streaming run with an
// unstable period k gives exactly the values of the run without it, withheld
// for k more inputs, and the lookback grows as TA-Lib's does.
func TestUnstableA(t *testing.T) {
	const k = 12
	bars := randomWalkA(11, 600, 50, 0.02)
	c := indicators.SourceClose
	for _, tc := range []struct {
		name  string
		extra int  // lookback growth: k times the number of chained parts
		same  bool // a single recursion: values equal the run without, withheld
		unst  string
		build func(indicators.Settings) (indicators.Indicator, error)
	}{
		{"ema", k, true, "EMA", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewEMA(10, c, s)) }},
		{"dema", 2 * k, false, "EMA", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewDEMA(10, c, s)) }},
		{"tema", 3 * k, false, "EMA", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewTEMA(10, c, s)) }},
		{"trix", 3 * k, false, "EMA", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewTRIX(10, c, s)) }},
		{"macd", 2 * k, false, "EMA", func(s indicators.Settings) (indicators.Indicator, error) {
			return ind(indicators.NewMACD(12, 26, 9, c, s))
		}},
		{"rsi", k, true, "RSI", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewRSI(14, c, s)) }},
		{"cmo", k, true, "CMO", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewCMO(14, c, s)) }},
		{"kama", k, true, "KAMA", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewKAMA(10, c, s)) }},
		{"mama", k, true, "MAMA", func(s indicators.Settings) (indicators.Indicator, error) {
			return ind(indicators.NewMAMA(0.5, 0.05, c, s))
		}},
		{"t3", k, true, "T3", func(s indicators.Settings) (indicators.Indicator, error) { return ind(indicators.NewT3(5, 0.7, c, s)) }},
		{"stochrsi", k, false, "RSI", func(s indicators.Settings) (indicators.Indicator, error) {
			return ind(indicators.NewStochRSI(14, 5, 3, indicators.MASMA, c, s))
		}},
		{"bbands ema", k, false, "EMA", func(s indicators.Settings) (indicators.Indicator, error) {
			return ind(indicators.NewBBands(5, 2, 2, indicators.MAEMA, c, s))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := indicators.Settings{Unstable: map[string]int{tc.unst: k}}
			base := mustA(t, func() (indicators.Indicator, error) { return tc.build(noSet) })
			unst := mustA(t, func() (indicators.Indicator, error) { return tc.build(set) })
			if got, want := unst.Lookback(), base.Lookback()+tc.extra; got != want {
				t.Fatalf("Lookback with unstable %d = %d, want %d", k, got, want)
			}
			a, b := runA(base, bars), runA(unst, bars)
			if tc.same {
				// One recursion: the same values, withheld for k inputs.
				for o := range a {
					for i := unst.Lookback(); i < len(bars); i++ {
						if !sameBitsA(a[o][i], b[o][i]) {
							t.Fatalf("output %d at %d: %.17g with unstable period, %.17g without", o, i, b[o][i], a[o][i])
						}
					}
				}
			}
			checkStreamA(t, func() (indicators.Indicator, error) { return tc.build(set) }, bars, nil, 0)
		})
	}
}

// TestNegativeUnstableA checks that a negative unstable period reads as 0
// (TA-Lib's are unsigned) rather than making values valid before their
// computation is.
func TestNegativeUnstableA(t *testing.T) {
	set := indicators.Settings{Unstable: map[string]int{"EMA": -5, "RSI": -3}}
	e, _ := indicators.NewEMA(10, indicators.SourceClose, set)
	r, _ := indicators.NewRSI(14, indicators.SourceClose, set)
	if e.Lookback() != 9 || r.Lookback() != 14 {
		t.Fatalf("lookbacks %d, %d; want 9, 14", e.Lookback(), r.Lookback())
	}
}

// TestParamErrorsA checks that out-of-range parameters are errors wrapping
// ErrBadParam, never panics.
func TestParamErrorsA(t *testing.T) {
	c := indicators.SourceClose
	for _, tc := range []struct {
		name  string
		build func() (indicators.Indicator, error)
		param string // expected ParamRangeError.Param, "" when not a range error
	}{
		{"ema 1", func() (indicators.Indicator, error) { return ind(indicators.NewEMA(1, c, noSet)) }, "timeperiod"},
		{"ema huge", func() (indicators.Indicator, error) { return ind(indicators.NewEMA(100001, c, noSet)) }, "timeperiod"},
		{"sma 0", func() (indicators.Indicator, error) { return ind(indicators.NewSMA(0, c)) }, "timeperiod"},
		{"wma -3", func() (indicators.Indicator, error) { return ind(indicators.NewWMA(-3, c)) }, "timeperiod"},
		{"dema 1", func() (indicators.Indicator, error) { return ind(indicators.NewDEMA(1, c, noSet)) }, "timeperiod"},
		{"tema 1", func() (indicators.Indicator, error) { return ind(indicators.NewTEMA(1, c, noSet)) }, "timeperiod"},
		{"trima 1", func() (indicators.Indicator, error) { return ind(indicators.NewTRIMA(1, c)) }, "timeperiod"},
		{"kama 1", func() (indicators.Indicator, error) { return ind(indicators.NewKAMA(1, c, noSet)) }, "timeperiod"},
		{"mama fastlimit", func() (indicators.Indicator, error) { return ind(indicators.NewMAMA(1, 0.05, c, noSet)) }, "fastlimit"},
		{"mama slowlimit", func() (indicators.Indicator, error) { return ind(indicators.NewMAMA(0.5, 0, c, noSet)) }, "slowlimit"},
		{"t3 vfactor", func() (indicators.Indicator, error) { return ind(indicators.NewT3(5, 1.5, c, noSet)) }, "vfactor"},
		{"t3 vfactor NaN", func() (indicators.Indicator, error) { return ind(indicators.NewT3(5, math.NaN(), c, noSet)) }, "vfactor"},
		{"macd fast 1", func() (indicators.Indicator, error) { return ind(indicators.NewMACD(1, 26, 9, c, noSet)) }, "fastperiod"},
		{"macd signal 0", func() (indicators.Indicator, error) { return ind(indicators.NewMACD(12, 26, 0, c, noSet)) }, "signalperiod"},
		{"macdfix signal 0", func() (indicators.Indicator, error) { return ind(indicators.NewMACDFix(0, c, noSet)) }, "signalperiod"},
		{"macdext matype 9", func() (indicators.Indicator, error) {
			return ind(indicators.NewMACDExt(12, indicators.MAType(9), 26, indicators.MAEMA, 9, indicators.MAEMA, c, noSet))
		}, "matype"},
		{"apo slow 1", func() (indicators.Indicator, error) { return ind(indicators.NewAPO(12, 1, indicators.MASMA, c, noSet)) }, "slowperiod"},
		{"rsi 1", func() (indicators.Indicator, error) { return ind(indicators.NewRSI(1, c, noSet)) }, "timeperiod"},
		{"cmo 1", func() (indicators.Indicator, error) { return ind(indicators.NewCMO(1, c, noSet)) }, "timeperiod"},
		{"mom 0", func() (indicators.Indicator, error) { return ind(indicators.NewMOM(0, c)) }, "timeperiod"},
		{"roc 0", func() (indicators.Indicator, error) { return ind(indicators.NewROC(0, c)) }, "timeperiod"},
		{"trix 0", func() (indicators.Indicator, error) { return ind(indicators.NewTRIX(0, c, noSet)) }, "timeperiod"},
		{"stddev 1", func() (indicators.Indicator, error) { return ind(indicators.NewSTDDEV(1, 1, c)) }, "timeperiod"},
		{"stddev nbdev inf", func() (indicators.Indicator, error) { return ind(indicators.NewSTDDEV(5, math.Inf(1), c)) }, "nbdev"},
		{"var 0", func() (indicators.Indicator, error) { return ind(indicators.NewVAR(0, 1, c)) }, "timeperiod"},
		{"bbands 1", func() (indicators.Indicator, error) {
			return ind(indicators.NewBBands(1, 2, 2, indicators.MASMA, c, noSet))
		}, "timeperiod"},
		{"bbands nbdevdn NaN", func() (indicators.Indicator, error) {
			return ind(indicators.NewBBands(5, 2, math.NaN(), indicators.MASMA, c, noSet))
		}, "nbdevdn"},
		{"linearreg 1", func() (indicators.Indicator, error) { return ind(indicators.NewLinearReg(1, c)) }, "timeperiod"},
		{"stochrsi fastk 0", func() (indicators.Indicator, error) {
			return ind(indicators.NewStochRSI(14, 0, 3, indicators.MASMA, c, noSet))
		}, "fastk_period"},
		{"stochrsi matype -1", func() (indicators.Indicator, error) {
			return ind(indicators.NewStochRSI(14, 5, 3, indicators.MAType(-1), c, noSet))
		}, "matype"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.build()
			if err == nil || got != nil {
				t.Fatalf("got %v, %v; want an error", got, err)
			}
			if !errors.Is(err, indicators.ErrBadParam) {
				t.Fatalf("error %v does not wrap ErrBadParam", err)
			}
			if !strings.HasPrefix(err.Error(), "indicators: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			var re *indicators.ParamRangeError
			if tc.param == "" {
				return
			}
			if !errors.As(err, &re) || re.Param != tc.param {
				t.Fatalf("error %v: want a *ParamRangeError for %s", err, tc.param)
			}
		})
	}
}

// TestNamesA checks Name() against the registry's normalised spec for the
// same parameters, so that specs and indicators agree.
func TestNamesA(t *testing.T) {
	reg, err := indicators.NewRegistry(noSet)
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{
		"sma(30)", "ema(10)", "ema(10,hl2)", "wma(9)", "dema(30)", "tema(30)", "trima(30)", "kama(30)",
		"t3(5,0.7)", "t3(5,0.5)", "mama(0.5,0.05)", "bbands(5,2,2,mama)", "macd(12,26,9)", "macd(26,12,9)", "macdfix(9)",
		"macdext(12,1,26,1,9,0)", "macdext(12,ema,26,ema,9,sma)", "apo(12,26)", "apo(12,26,ema)", "ppo(12,26,0)",
		"rsi(14)", "rsi(14,ohlc4)", "cmo(14)", "mom(10)", "roc(10)", "rocp(10)", "rocr(10)", "rocr100(10)",
		"trix(30)", "stddev(5,1)", "stddev(20,2)", "var(5)", "var(5,1)", "var(5,2)", "bbands(20,2,2)",
		"bbands(20,2,2,sma)", "bbands(20,2,2,ema)", "linearreg(14)", "linearreg_slope(14)",
		"linearreg_intercept(14)", "linearreg_angle(14)", "tsf(14)", "stochrsi(14,5,3)", "stochrsi(14,5,3,ema)",
	} {
		s, err := reg.Parse(spec)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		in, err := reg.Build(s)
		if err != nil {
			t.Errorf("%s: %v", spec, err)
			continue
		}
		if in.Name() != s.Name() {
			t.Errorf("%s: Name() %q, spec normalises to %q", spec, in.Name(), s.Name())
		}
		if got, want := len(in.Outputs()), len(s.Def.Outputs); got != want {
			t.Errorf("%s: %d outputs, Def lists %d", spec, got, want)
		}
		// A snapshot of another indicator is refused.
		other, _ := indicators.NewSMA(3, indicators.SourceOpen)
		snap, _ := other.MarshalBinary()
		if err := in.UnmarshalBinary(snap); !errors.Is(err, indicators.ErrState) {
			t.Errorf("%s: restoring an sma snapshot: %v, want ErrState", spec, err)
		}
		if err := in.UnmarshalBinary(nil); !errors.Is(err, indicators.ErrState) {
			t.Errorf("%s: restoring nil: %v, want ErrState", spec, err)
		}
	}
}

// TestGoldenExactA reports how many values of this file family match the
// TA-Lib C goldens bit for bit, and fails beyond the 1e-9 relative bar (the
// registry-wide golden test checks the same bar; this one also counts exact
// matches and catches a regression from exact to merely close).
func TestGoldenExactA(t *testing.T) {
	g, err := loadGoldenOnce()
	if err != nil {
		t.Skipf("no goldens: %v", err)
	}
	reg, err := indicators.NewRegistry(noSet)
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]bool{}
	for _, n := range []string{"sma", "ema", "wma", "dema", "tema", "trima", "kama", "t3", "macd", "macdext",
		"macdfix", "apo", "ppo", "rsi", "cmo", "mom", "roc", "rocp", "rocr", "rocr100", "trix", "stddev", "var",
		"bbands", "mama", "linearreg", "linearreg_slope", "linearreg_intercept", "linearreg_angle", "tsf", "stochrsi"} {
		mine[strings.ToUpper(n)] = true
	}
	type tally struct {
		exact, close, cases int
		worst               float64
	}
	per := map[string]*tally{}
	for _, s := range g.series {
		bars := s.bars()
		for _, c := range s.Cases {
			if !mine[c.Fn] {
				continue
			}
			d, ok := reg.Lookup(strings.ToLower(c.Fn))
			if !ok {
				t.Fatalf("%s not in the registry", c.Fn)
			}
			in, err := d.New(append([]float64(nil), c.Params...), indicators.SourceClose, indicators.Settings{Unstable: c.Unstable})
			if errors.Is(err, indicators.ErrBadParam) {
				continue // MAMA
			}
			if err != nil {
				t.Fatalf("%s%v: %v", c.Fn, c.Params, err)
			}
			if c.BegIdx < len(bars) && in.Lookback() != c.BegIdx {
				t.Errorf("%s %s%v: Lookback %d, TA-Lib %d", s.Series, c.Fn, c.Params, in.Lookback(), c.BegIdx)
			}
			tl := per[c.Fn]
			if tl == nil {
				tl = &tally{}
				per[c.Fn] = tl
			}
			tl.cases++
			outs := runA(in, bars)
			for k := range c.out {
				for j, want := range c.out[k] {
					got := outs[k][c.BegIdx+j]
					if sameBitsA(got, want) {
						tl.exact++
						continue
					}
					d := relDiffA(got, want)
					tl.worst = math.Max(tl.worst, d)
					tl.close++
					if !(d <= 1e-9) {
						t.Errorf("%s %s%v unstable %v: output %d at %d: %.17g, TA-Lib %.17g", s.Series, c.Fn, c.Params, c.Unstable, k, c.BegIdx+j, got, want)
					}
				}
			}
		}
	}
	for fn, tl := range per {
		t.Logf("%-20s %3d cases: %6d bit-exact, %5d within 1e-9 (worst %.2g)", fn, tl.cases, tl.exact, tl.close, tl.worst)
	}
}
