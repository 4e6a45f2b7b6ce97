package indicators_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// BenchmarkFloor measures what any streaming update costs before it
// computes anything, on the bars BenchmarkStream uses, as the evidence
// behind performance.md's floor: "call" is a loop calling an empty method
// that takes an Input and is not inlined (what every Update over the
// inliner's budget pays), "mom-inlined" the least a momentum step can do
// (read Close, swap one ring slot, store the difference) inlined into the
// loop, and "batch-mom" go-talib's batch MOM loop written out (a
// subtraction over two arrays) for the same bars.
func BenchmarkFloor(b *testing.B) {
	bars := benchBars(b)
	// One loop for both, switching on the case: a function value
	// per case would be an indirect call that cannot inline either. The
	// switch costs each case the same (it is perfectly predicted).
	for mode, name := range []string{"call", "mom-inlined"} {
		b.Run(name, func(b *testing.B) {
			f := &floorState{buf: make([]float64, 10)}
			j := 0
			for b.Loop() {
				if mode == 0 {
					f.empty(bars[j])
				} else {
					f.mom(bars[j])
				}
				if j++; j == len(bars) {
					j = 0
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/bar")
		})
	}
	b.Run("batch-mom", func(b *testing.B) {
		in := make([]float64, len(bars))
		for i := range bars {
			in[i] = bars[i].Close
		}
		for b.Loop() {
			out := make([]float64, len(in))
			for k := 10; k < len(in); k++ {
				out[k] = in[k] - in[k-10]
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(in)), "ns/bar")
	})
}

type floorState struct {
	buf   []float64
	head  int
	value float64
}

// empty is kept out of line on purpose: it stands for an Update over the
// inliner's budget.
//
//go:noinline
func (f *floorState) empty(indicators.Input) {}

// mom is the least a momentum update does: one ring slot swapped.
func (f *floorState) mom(in indicators.Input) {
	v := in.Close
	h := f.head
	old := f.buf[h]
	f.buf[h] = v
	if h++; h == len(f.buf) {
		h = 0
	}
	f.head = h
	f.value = v - old
}
