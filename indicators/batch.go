package indicators

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	talib "github.com/markcheno/go-talib"
)

// Batch errors. Batch wraps them in a *BatchError.
var (
	// ErrUnknownFunction is returned for a name no batch function has.
	ErrUnknownFunction = errors.New("indicators: unknown batch function")
	// ErrBatchInput is returned when an input the function reads is missing or
	// the inputs differ in length.
	ErrBatchInput = errors.New("indicators: bad batch input")
	// ErrBatchParam is returned for too many parameters or one out of range.
	ErrBatchParam = errors.New("indicators: bad batch parameter")
	// ErrBatchFailed is returned when go-talib panicked (it indexes past
	// short inputs for some parameter combinations).
	ErrBatchFailed = errors.New("indicators: go-talib failed")
)

// BatchError reports what went wrong in a [Batch] call.
type BatchError struct {
	Func string // upper-case TA-Lib name
	Err  error  // one of the Err* sentinels above
	Msg  string
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("%v: %s: %s", e.Err, e.Func, e.Msg)
}

// Unwrap returns the sentinel.
func (e *BatchError) Unwrap() error { return e.Err }

// BatchInput holds the arrays a batch function reads. Arrays a function does
// not read may be nil; the ones it reads must have equal lengths. The caller
// keeps ownership; Batch never modifies them.
type BatchInput struct {
	Open, High, Low, Close, Volume []float64
	// Real is the single series of value functions (SMA, RSI, SIN, ...) and
	// the first of two-series functions (BETA, CORREL, ADD, ...); nil means
	// Close. OBV reads Real (nil: Close) and Volume.
	Real []float64
	// Real1 is the second series of two-series functions; it has no default.
	Real1 []float64
	// Periods holds MAVP's per-bar periods.
	Periods []float64
}

func (in *BatchInput) array(name string) []float64 {
	switch name {
	case "open":
		return in.Open
	case "high":
		return in.High
	case "low":
		return in.Low
	case "close":
		return in.Close
	case "volume":
		return in.Volume
	case "real":
		if in.Real == nil {
			return in.Close
		}
		return in.Real
	case "real1":
		return in.Real1
	case "periods":
		return in.Periods
	}
	return nil
}

// BatchFunc describes one go-talib function as TA-Lib's function table does.
// The slices are shared and must not be modified.
type BatchFunc struct {
	Name    string     // TA-Lib's upper-case name: "MACD", "HT_SINE"
	Group   string     // TA-Lib's group: "Momentum Indicators", ...
	Inputs  []string   // arrays read, in order: "real", "real1", "open", "high", "low", "close", "volume", "periods"
	Params  []ParamDef // in TA-Lib order, with TA-Lib's defaults and ranges
	Outputs []string   // "value" for single-output functions, else TA-Lib's names lower-cased

	lookback func(p []float64) int
	call     func(in [][]float64, p []float64) [][]float64
}

// Lookback returns TA-Lib's lookback (TA_<NAME>_Lookback) for params, missing
// trailing params taking their defaults, with no unstable period: go-talib has
// no unstable-period setting, so its batch output always starts there.
func (f BatchFunc) Lookback(params ...float64) int {
	p := f.fill(params)
	return f.lookback(p)
}

func (f BatchFunc) fill(params []float64) []float64 {
	p := make([]float64, len(f.Params))
	for i := range p {
		if i < len(params) {
			p[i] = params[i]
		} else {
			p[i] = f.Params[i].Default
		}
	}
	return p
}

type batchMetaEntry struct {
	name, group string
	inputs      []string
	params      []ParamDef
	outputs     []string
}

type batchImpl struct {
	lookback func(p []float64) int
	call     func(in [][]float64, p []float64) [][]float64
}

// BatchFuncs returns every batch function sorted by name. The result is a new
// slice on each call.
func BatchFuncs() []BatchFunc {
	out := make([]BatchFunc, 0, len(batchMeta))
	for _, m := range batchMeta {
		if f, ok := LookupBatch(m.name); ok {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupBatch returns the batch function named name (case-insensitive).
func LookupBatch(name string) (BatchFunc, bool) {
	name = strings.ToUpper(strings.TrimSpace(name))
	for _, m := range batchMeta {
		if m.name != name {
			continue
		}
		impl, ok := batchImpls[name]
		if !ok {
			return BatchFunc{}, false
		}
		return BatchFunc{Name: m.name, Group: m.group, Inputs: m.inputs, Params: m.params,
			Outputs: m.outputs, lookback: impl.lookback, call: impl.call}, true
	}
	return BatchFunc{}, false
}

// Batch runs go-talib's function name (TA-Lib's name, case-insensitive) over
// in with params in TA-Lib order (missing trailing params take TA-Lib's
// defaults; MA types are numbered as [MAType]). It returns one slice per
// output, as long as the input, with the first Lookback values set to NaN
// (go-talib leaves zeros there). Errors are *BatchError wrapping
// [ErrUnknownFunction], [ErrBatchInput], [ErrBatchParam] or [ErrBatchFailed].
// Where go-talib deviates from TA-Lib C, Batch returns go-talib's values: see
// deviations.md.
func Batch(name string, in BatchInput, params ...float64) (out [][]float64, err error) {
	f, ok := LookupBatch(name)
	if !ok {
		return nil, &BatchError{Func: name, Err: ErrUnknownFunction, Msg: "no such function"}
	}
	if len(params) > len(f.Params) {
		return nil, &BatchError{Func: f.Name, Err: ErrBatchParam,
			Msg: fmt.Sprintf("%d parameters given, at most %d", len(params), len(f.Params))}
	}
	p := f.fill(params)
	for i, d := range f.Params {
		v := p[i]
		if math.IsNaN(v) || v < d.Min || v > d.Max || (d.Kind != ParamFloat && v != math.Trunc(v)) {
			return nil, &BatchError{Func: f.Name, Err: ErrBatchParam,
				Msg: fmt.Sprintf("%s = %g outside %g..%g", d.Name, v, d.Min, d.Max)}
		}
	}
	arrays := make([][]float64, len(f.Inputs))
	n := -1
	for i, name := range f.Inputs {
		a := in.array(name)
		if a == nil {
			return nil, &BatchError{Func: f.Name, Err: ErrBatchInput, Msg: "missing input " + name}
		}
		if n >= 0 && len(a) != n {
			return nil, &BatchError{Func: f.Name, Err: ErrBatchInput,
				Msg: fmt.Sprintf("input %s has %d values, %s has %d", name, len(a), f.Inputs[0], n)}
		}
		n = len(a)
		arrays[i] = a
	}
	lb := f.lookback(p)
	if n <= lb {
		// go-talib indexes past short inputs; TA-Lib returns no output.
		out = make([][]float64, len(f.Outputs))
		for k := range out {
			out[k] = btNaNs(n)
		}
		return out, nil
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, &BatchError{Func: f.Name, Err: ErrBatchFailed, Msg: fmt.Sprint(r)}
		}
	}()
	out = f.call(arrays, p)
	for _, o := range out {
		for i := 0; i < lb && i < len(o); i++ {
			o[i] = nan
		}
	}
	return out, nil
}

func btNaNs(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = nan
	}
	return s
}

// btMALookback is TA_MA_Lookback: the lookback of a moving average of type t.
func btMALookback(period int, t MAType) int {
	if period <= 1 {
		return 0
	}
	switch t {
	case MADEMA:
		return 2 * (period - 1)
	case MATEMA:
		return 3 * (period - 1)
	case MAKAMA:
		return period
	case MAMAMA:
		return 32
	case MAT3:
		return 6 * (period - 1)
	}
	return period - 1 // SMA, EMA, WMA, TRIMA
}

// Adapters from go-talib's signatures to the uniform table shape.
type (
	btFnR    = func([]float64) []float64
	btFnRP   = func([]float64, int) []float64
	btFnRR   = func([]float64, []float64) []float64
	btFnRRP  = func([]float64, []float64, int) []float64
	btFnHL   = func([]float64, []float64, int) []float64
	btFnHLC  = func([]float64, []float64, []float64) []float64
	btFnHLCP = func([]float64, []float64, []float64, int) []float64
	btFnR2   = func([]float64) ([]float64, []float64)
)

func btOne(o []float64) [][]float64 { return [][]float64{o} }
func btInt(p []float64, i int) int  { return int(p[i]) }
func btMA(p []float64, i int) talib.MaType {
	return talib.MaType(int(p[i]))
}

func btR(f btFnR, lb int) batchImpl {
	return batchImpl{func([]float64) int { return lb },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(f(in[0])) }}
}
func btRP(f btFnRP, lb func(p int) int) batchImpl {
	return batchImpl{func(p []float64) int { return lb(btInt(p, 0)) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(f(in[0], btInt(p, 0))) }}
}
func btRR(f btFnRR) batchImpl {
	return batchImpl{func([]float64) int { return 0 },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(f(in[0], in[1])) }}
}
func btRRP(f btFnRRP, lb func(p int) int) batchImpl {
	return batchImpl{func(p []float64) int { return lb(btInt(p, 0)) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(f(in[0], in[1], btInt(p, 0))) }}
}
func btHLP(f btFnHL, lb func(p int) int) batchImpl {
	return batchImpl{func(p []float64) int { return lb(btInt(p, 0)) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(f(in[0], in[1], btInt(p, 0))) }}
}
func btHLC(f btFnHLC, lb int) batchImpl {
	return batchImpl{func([]float64) int { return lb },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(f(in[0], in[1], in[2])) }}
}
func btHLCP(f btFnHLCP, lb func(p int) int) batchImpl {
	return batchImpl{func(p []float64) int { return lb(btInt(p, 0)) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(f(in[0], in[1], in[2], btInt(p, 0))) }}
}
func btR2(f btFnR2, lb int) batchImpl {
	return batchImpl{func([]float64) int { return lb },
		func(in [][]float64, _ []float64) [][]float64 { a, b := f(in[0]); return [][]float64{a, b} }}
}

func btMinus1(p int) int { return p - 1 }
func btSame(p int) int   { return p }

// batchImpls maps TA-Lib names to go-talib calls and TA-Lib lookback
// formulas (ta_func/ta_<NAME>.c, TA_<NAME>_Lookback, unstable periods 0).
var batchImpls = map[string]batchImpl{
	// Math transforms and operators.
	"ACOS": btR(talib.Acos, 0), "ASIN": btR(talib.Asin, 0), "ATAN": btR(talib.Atan, 0),
	"CEIL": btR(talib.Ceil, 0), "COS": btR(talib.Cos, 0), "COSH": btR(talib.Cosh, 0),
	"EXP": btR(talib.Exp, 0), "FLOOR": btR(talib.Floor, 0), "LN": btR(talib.Ln, 0),
	"LOG10": btR(talib.Log10, 0), "SIN": btR(talib.Sin, 0), "SINH": btR(talib.Sinh, 0),
	"SQRT": btR(talib.Sqrt, 0), "TAN": btR(talib.Tan, 0), "TANH": btR(talib.Tanh, 0),
	"ADD": btRR(talib.Add), "DIV": btRR(talib.Div), "MULT": btRR(talib.Mult), "SUB": btRR(talib.Sub),
	"MAX": btRP(talib.Max, btMinus1), "MIN": btRP(talib.Min, btMinus1), "SUM": btRP(talib.Sum, btMinus1),
	"MAXINDEX": btRP(talib.MaxIndex, btMinus1), "MININDEX": btRP(talib.MinIndex, btMinus1),
	"MINMAX": {func(p []float64) int { return btInt(p, 0) - 1 },
		func(in [][]float64, p []float64) [][]float64 {
			a, b := talib.MinMax(in[0], btInt(p, 0))
			return [][]float64{a, b}
		}},
	"MINMAXINDEX": {func(p []float64) int { return btInt(p, 0) - 1 },
		func(in [][]float64, p []float64) [][]float64 {
			a, b := talib.MinMaxIndex(in[0], btInt(p, 0))
			return [][]float64{a, b}
		}},

	// Price transforms.
	"AVGPRICE": {func([]float64) int { return 0 },
		func(in [][]float64, _ []float64) [][]float64 {
			return btOne(talib.AvgPrice(in[0], in[1], in[2], in[3]))
		}},
	"MEDPRICE": {func([]float64) int { return 0 },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(talib.MedPrice(in[0], in[1])) }},
	"TYPPRICE": btHLC(talib.TypPrice, 0), "WCLPRICE": btHLC(talib.WclPrice, 0),

	// Overlap studies.
	"SMA": btRP(talib.Sma, btMinus1), "EMA": btRP(talib.Ema, btMinus1), "WMA": btRP(talib.Wma, btMinus1),
	"TRIMA": btRP(talib.Trima, btMinus1), "KAMA": btRP(talib.Kama, btSame),
	"DEMA": btRP(talib.Dema, func(p int) int { return 2 * (p - 1) }),
	"TEMA": btRP(talib.Tema, func(p int) int { return 3 * (p - 1) }),
	"T3": {func(p []float64) int { return 6 * (btInt(p, 0) - 1) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(talib.T3(in[0], btInt(p, 0), p[1])) }},
	"MA": {func(p []float64) int { return btMALookback(btInt(p, 0), MAType(btInt(p, 1))) },
		func(in [][]float64, p []float64) [][]float64 { return btOne(talib.Ma(in[0], btInt(p, 0), btMA(p, 1))) }},
	"BBANDS": {func(p []float64) int { return btMALookback(btInt(p, 0), MAType(btInt(p, 3))) },
		func(in [][]float64, p []float64) [][]float64 {
			u, m, l := talib.BBands(in[0], btInt(p, 0), p[1], p[2], btMA(p, 3))
			return [][]float64{u, m, l}
		}},
	"MAMA": {func([]float64) int { return 32 },
		func(in [][]float64, p []float64) [][]float64 {
			a, b := talib.Mama(in[0], p[0], p[1])
			return [][]float64{a, b}
		}},
	"MAVP": {func(p []float64) int { return btMALookback(btInt(p, 1), MAType(btInt(p, 2))) },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.MaVp(in[0], in[1], btInt(p, 0), btInt(p, 1), btMA(p, 2)))
		}},
	"MIDPOINT": btRP(talib.MidPoint, btMinus1),
	"MIDPRICE": btHLP(talib.MidPrice, btMinus1),
	"SAR": {func([]float64) int { return 1 },
		func(in [][]float64, p []float64) [][]float64 { return btOne(talib.Sar(in[0], in[1], p[0], p[1])) }},
	"SAREXT": {func([]float64) int { return 1 },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.SarExt(in[0], in[1], p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]))
		}},
	"HT_TRENDLINE": btR(talib.HtTrendline, 63),

	// Momentum.
	"ADX":      btHLCP(talib.Adx, func(p int) int { return 2*p - 1 }),
	"ADXR":     btHLCP(talib.AdxR, func(p int) int { return 3*p - 2 }),
	"DX":       btHLCP(talib.Dx, func(p int) int { return max(p, 2) }),
	"PLUS_DI":  btHLCP(talib.PlusDI, func(p int) int { return max(p, 1) }),
	"MINUS_DI": btHLCP(talib.MinusDI, func(p int) int { return max(p, 1) }),
	"PLUS_DM":  btHLP(talib.PlusDM, func(p int) int { return max(p-1, 1) }),
	"MINUS_DM": btHLP(talib.MinusDM, func(p int) int { return max(p-1, 1) }),
	"APO": {func(p []float64) int { return btMALookback(max(btInt(p, 0), btInt(p, 1)), MAType(btInt(p, 2))) },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.Apo(in[0], btInt(p, 0), btInt(p, 1), btMA(p, 2)))
		}},
	"PPO": {func(p []float64) int { return btMALookback(max(btInt(p, 0), btInt(p, 1)), MAType(btInt(p, 2))) },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.Ppo(in[0], btInt(p, 0), btInt(p, 1), btMA(p, 2)))
		}},
	"AROON": {func(p []float64) int { return btInt(p, 0) },
		func(in [][]float64, p []float64) [][]float64 {
			d, u := talib.Aroon(in[0], in[1], btInt(p, 0))
			return [][]float64{d, u}
		}},
	"AROONOSC": btHLP(talib.AroonOsc, btSame),
	"BOP": {func([]float64) int { return 0 },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(talib.Bop(in[0], in[1], in[2], in[3])) }},
	"CCI": btHLCP(talib.Cci, btMinus1),
	"CMO": btRP(talib.Cmo, btSame),
	"MACD": {func(p []float64) int { return max(btInt(p, 0), btInt(p, 1)) - 1 + btInt(p, 2) - 1 },
		func(in [][]float64, p []float64) [][]float64 {
			a, b, c := talib.Macd(in[0], btInt(p, 0), btInt(p, 1), btInt(p, 2))
			return [][]float64{a, b, c}
		}},
	"MACDEXT": {func(p []float64) int {
		return max(btMALookback(btInt(p, 0), MAType(btInt(p, 1))), btMALookback(btInt(p, 2), MAType(btInt(p, 3)))) +
			btMALookback(btInt(p, 4), MAType(btInt(p, 5)))
	},
		func(in [][]float64, p []float64) [][]float64 {
			a, b, c := talib.MacdExt(in[0], btInt(p, 0), btMA(p, 1), btInt(p, 2), btMA(p, 3), btInt(p, 4), btMA(p, 5))
			return [][]float64{a, b, c}
		}},
	"MACDFIX": {func(p []float64) int { return 25 + btInt(p, 0) - 1 },
		func(in [][]float64, p []float64) [][]float64 {
			a, b, c := talib.MacdFix(in[0], btInt(p, 0))
			return [][]float64{a, b, c}
		}},
	"MFI": {func(p []float64) int { return btInt(p, 0) },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.Mfi(in[0], in[1], in[2], in[3], btInt(p, 0)))
		}},
	"MOM": btRP(talib.Mom, btSame), "ROC": btRP(talib.Roc, btSame), "ROCP": btRP(talib.Rocp, btSame),
	"ROCR": btRP(talib.Rocr, btSame), "ROCR100": btRP(talib.Rocr100, btSame), "RSI": btRP(talib.Rsi, btSame),
	"STOCH": {func(p []float64) int {
		return btInt(p, 0) - 1 + btMALookback(btInt(p, 1), MAType(btInt(p, 2))) + btMALookback(btInt(p, 3), MAType(btInt(p, 4)))
	},
		func(in [][]float64, p []float64) [][]float64 {
			k, d := talib.Stoch(in[0], in[1], in[2], btInt(p, 0), btInt(p, 1), btMA(p, 2), btInt(p, 3), btMA(p, 4))
			return [][]float64{k, d}
		}},
	"STOCHF": {func(p []float64) int { return btInt(p, 0) - 1 + btMALookback(btInt(p, 1), MAType(btInt(p, 2))) },
		func(in [][]float64, p []float64) [][]float64 {
			k, d := talib.StochF(in[0], in[1], in[2], btInt(p, 0), btInt(p, 1), btMA(p, 2))
			return [][]float64{k, d}
		}},
	"STOCHRSI": {func(p []float64) int {
		return btInt(p, 0) + btInt(p, 1) - 1 + btMALookback(btInt(p, 2), MAType(btInt(p, 3)))
	},
		func(in [][]float64, p []float64) [][]float64 {
			k, d := talib.StochRsi(in[0], btInt(p, 0), btInt(p, 1), btInt(p, 2), btMA(p, 3))
			return [][]float64{k, d}
		}},
	"TRIX": btRP(talib.Trix, func(p int) int { return 3*(p-1) + 1 }),
	"ULTOSC": {func(p []float64) int { return max(btInt(p, 0), btInt(p, 1), btInt(p, 2)) },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.UltOsc(in[0], in[1], in[2], btInt(p, 0), btInt(p, 1), btInt(p, 2)))
		}},
	"WILLR": btHLCP(talib.WillR, btMinus1),

	// Volume.
	"AD": {func([]float64) int { return 0 },
		func(in [][]float64, _ []float64) [][]float64 { return btOne(talib.Ad(in[0], in[1], in[2], in[3])) }},
	"ADOSC": {func(p []float64) int { return max(btInt(p, 0), btInt(p, 1)) - 1 },
		func(in [][]float64, p []float64) [][]float64 {
			return btOne(talib.AdOsc(in[0], in[1], in[2], in[3], btInt(p, 0), btInt(p, 1)))
		}},
	"OBV": btRR(talib.Obv),

	// Volatility.
	"ATR": btHLCP(talib.Atr, btSame), "NATR": btHLCP(talib.Natr, btSame),
	"TRANGE": btHLC(talib.TRange, 1),

	// Cycle indicators.
	"HT_DCPERIOD": btR(talib.HtDcPeriod, 32), "HT_DCPHASE": {func([]float64) int { return 63 },
		func(in [][]float64, _ []float64) [][]float64 {
			// go-talib writes HT_DCPHASE from index 0 instead of from its
			// lookback (outIdx starts at 0): shift it into place, as TA-Lib
			// C aligns it (deviations.md).
			o := talib.HtDcPhase(in[0])
			copy(o[63:], o[:len(o)-63])
			return btOne(o)
		}},
	"HT_PHASOR": btR2(talib.HtPhasor, 32), "HT_SINE": btR2(talib.HtSine, 63),
	"HT_TRENDMODE": btR(talib.HtTrendMode, 63),

	// Statistics.
	"BETA":                btRRP(talib.Beta, btSame),
	"CORREL":              btRRP(talib.Correl, btMinus1),
	"LINEARREG":           btRP(talib.LinearReg, btMinus1),
	"LINEARREG_ANGLE":     btRP(talib.LinearRegAngle, btMinus1),
	"LINEARREG_INTERCEPT": btRP(talib.LinearRegIntercept, btMinus1),
	"LINEARREG_SLOPE":     btRP(talib.LinearRegSlope, btMinus1),
	"TSF":                 btRP(talib.Tsf, btMinus1),
	"STDDEV": {func(p []float64) int { return btInt(p, 0) - 1 },
		func(in [][]float64, p []float64) [][]float64 { return btOne(talib.StdDev(in[0], btInt(p, 0), p[1])) }},
	"VAR": {func(p []float64) int { return btInt(p, 0) - 1 },
		func(in [][]float64, p []float64) [][]float64 { return btOne(talib.Var(in[0], btInt(p, 0))) }},
}
