package indicators_test

import (
	"testing"

	talib "github.com/markcheno/go-talib"

	"github.com/candlewick-labs/candlewick/indicators"
)

// BenchmarkStreamA measures one pass over a 10,000-bar series, streaming
// (Update per bar) against go-talib's batch function for the same
// indicator, and reports ns/bar; the budget is streaming within 1.5x of the
// batch cost per bar, with 0 allocations per Update.
func BenchmarkStreamA(b *testing.B) {
	bars := randomWalkA(5, 10000, 100, 0.01)
	x := seriesA{bars: bars}.closes()
	c := indicators.SourceClose
	for _, bc := range []struct {
		name  string
		build func() (indicators.Indicator, error)
		batch func([]float64)
	}{
		{"ema(30)", func() (indicators.Indicator, error) { return ind(indicators.NewEMA(30, c, noSet)) },
			func(x []float64) { talib.Ema(x, 30) }},
		{"wma(30)", func() (indicators.Indicator, error) { return ind(indicators.NewWMA(30, c)) },
			func(x []float64) { talib.Wma(x, 30) }},
		{"dema(30)", func() (indicators.Indicator, error) { return ind(indicators.NewDEMA(30, c, noSet)) },
			func(x []float64) { talib.Dema(x, 30) }},
		{"tema(30)", func() (indicators.Indicator, error) { return ind(indicators.NewTEMA(30, c, noSet)) },
			func(x []float64) { talib.Tema(x, 30) }},
		{"trima(30)", func() (indicators.Indicator, error) { return ind(indicators.NewTRIMA(30, c)) },
			func(x []float64) { talib.Trima(x, 30) }},
		{"kama(30)", func() (indicators.Indicator, error) { return ind(indicators.NewKAMA(30, c, noSet)) },
			func(x []float64) { talib.Kama(x, 30) }},
		{"t3(5,0.7)", func() (indicators.Indicator, error) { return ind(indicators.NewT3(5, 0.7, c, noSet)) },
			func(x []float64) { talib.T3(x, 5, 0.7) }},
		{"macd(12,26,9)", func() (indicators.Indicator, error) { return ind(indicators.NewMACD(12, 26, 9, c, noSet)) },
			func(x []float64) { talib.Macd(x, 12, 26, 9) }},
		{"macdext(12,ema,26,ema,9,ema)", func() (indicators.Indicator, error) {
			return ind(indicators.NewMACDExt(12, indicators.MAEMA, 26, indicators.MAEMA, 9, indicators.MAEMA, c, noSet))
		}, func(x []float64) { talib.MacdExt(x, 12, talib.EMA, 26, talib.EMA, 9, talib.EMA) }},
		{"apo(12,26)", func() (indicators.Indicator, error) {
			return ind(indicators.NewAPO(12, 26, indicators.MASMA, c, noSet))
		},
			func(x []float64) { talib.Apo(x, 12, 26, talib.SMA) }},
		{"rsi(14)", func() (indicators.Indicator, error) { return ind(indicators.NewRSI(14, c, noSet)) },
			func(x []float64) { talib.Rsi(x, 14) }},
		{"cmo(14)", func() (indicators.Indicator, error) { return ind(indicators.NewCMO(14, c, noSet)) },
			func(x []float64) { talib.Cmo(x, 14) }},
		{"roc(10)", func() (indicators.Indicator, error) { return ind(indicators.NewROC(10, c)) },
			func(x []float64) { talib.Roc(x, 10) }},
		{"trix(30)", func() (indicators.Indicator, error) { return ind(indicators.NewTRIX(30, c, noSet)) },
			func(x []float64) { talib.Trix(x, 30) }},
		{"stddev(20,2)", func() (indicators.Indicator, error) { return ind(indicators.NewSTDDEV(20, 2, c)) },
			func(x []float64) { talib.StdDev(x, 20, 2) }},
		{"bbands(20,2,2)", func() (indicators.Indicator, error) {
			return ind(indicators.NewBBands(20, 2, 2, indicators.MASMA, c, noSet))
		}, func(x []float64) { talib.BBands(x, 20, 2, 2, talib.SMA) }},
		{"linearreg(14)", func() (indicators.Indicator, error) { return ind(indicators.NewLinearReg(14, c)) },
			func(x []float64) { talib.LinearReg(x, 14) }},
		{"stochrsi(14,5,3)", func() (indicators.Indicator, error) {
			return ind(indicators.NewStochRSI(14, 5, 3, indicators.MASMA, c, noSet))
		}, func(x []float64) { talib.StochRsi(x, 14, 5, 3, talib.SMA) }},
	} {
		b.Run(bc.name+"/stream", func(b *testing.B) {
			in, err := bc.build()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				in.Reset()
				for _, bar := range bars {
					in.Update(bar)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bars)), "ns/bar")
		})
		b.Run(bc.name+"/go-talib", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.batch(x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bars)), "ns/bar")
		})
	}
}
