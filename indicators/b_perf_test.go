package indicators_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// BenchmarkBUpdate measures streaming Updates over a 10,000-bar series per
// op for every bar-based indicator at its first parameter set, next to
// go-talib's batch over the same series; both report ns/bar (the budget is
// streaming within 1.5x of go-talib's batch cost per bar).
func BenchmarkBUpdate(b *testing.B) {
	r := registryB(b, indicators.Settings{})
	s := randomWalkB(7, 10000)
	ins := make([]indicators.Input, s.len())
	for i := range ins {
		ins[i] = s.input(i)
	}
	for _, k := range kindsB() {
		p := k.params[0]
		ind := buildB(b, r, k.def, p)
		b.Run("stream/"+ind.Name(), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				ind.Reset()
				for _, in := range ins {
					ind.Update(in)
				}
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*len(ins)), "ns/bar")
		})
		if k.talib == nil {
			continue
		}
		b.Run("gotalib/"+ind.Name(), func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				k.talib(s, p)
				n++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*s.len()), "ns/bar")
		})
	}
}
