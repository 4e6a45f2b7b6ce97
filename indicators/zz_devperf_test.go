package indicators_test

// TEMPORARY development harness (deleted before hand-off): process CPU time
// per bar, min of reps, so that a loaded machine does not blur the ratios.

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"syscall"
	"testing"
	"unsafe"

	"github.com/candlewick-labs/candlewick/indicators"
)

func cpuNow() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

func TestDevPerf(t *testing.T) {
	if os.Getenv("DEVPERF") == "" {
		t.Skip()
	}
	re := regexp.MustCompile(os.Getenv("DEVPERF_RUN"))
	bars := benchBars(t)
	in := benchBatchInput(bars)
	passes, reps := 6, 7
	var ratios []float64
	{
		ind := mkNoop()
		best := int64(1 << 62)
		for r := 0; r < reps; r++ {
			t0 := cpuNow()
			for p := 0; p < passes; p++ {
				for j := range bars {
					ind.Update(bars[j])
				}
			}
			if d := cpuNow() - t0; d < best {
				best = d
			}
		}
		fmt.Printf("%-20s %7.2f\n", "NOOP-floor", float64(best)/float64(passes*len(bars)))
	}
	for _, c := range benchCases(t) {
		if !re.MatchString(c.name) {
			continue
		}
		ind, err := c.def.New(defaultParams(c.def), indicators.SourceClose, indicators.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		best := int64(1 << 62)
		for r := 0; r < reps; r++ {
			t0 := cpuNow()
			for p := 0; p < passes; p++ {
				for j := range bars {
					ind.Update(bars[j])
				}
			}
			if d := cpuNow() - t0; d < best {
				best = d
			}
		}
		s := float64(best) / float64(passes*len(bars))
		if c.batch == "" {
			fmt.Printf("%-20s %7.2f\n", c.name, s)
			continue
		}
		bbest := int64(1 << 62)
		for r := 0; r < reps; r++ {
			t0 := cpuNow()
			for p := 0; p < passes; p++ {
				indicators.Batch(c.batch, in, c.params...)
			}
			if d := cpuNow() - t0; d < bbest {
				bbest = d
			}
		}
		b := float64(bbest) / float64(passes*len(bars))
		ratios = append(ratios, s/b)
		fmt.Printf("%-20s %7.2f %7.2f %6.2f\n", c.name, s, b, s/b)
	}
	sort.Float64s(ratios)
	if len(ratios) > 0 {
		fmt.Printf("median %.2f max %.2f\n", ratios[len(ratios)/2], ratios[len(ratios)-1])
	}
}

type noopInd struct{ v float64 }

func (x *noopInd) Name() string                          { return "noop" }
func (x *noopInd) Outputs() []string                     { return nil }
func (x *noopInd) Lookback() int                         { return 0 }
func (x *noopInd) Update(in indicators.Input)            { x.v = in.Close }
func (x *noopInd) Ready() bool                           { return true }
func (x *noopInd) Value(int) float64                     { return x.v }
func (x *noopInd) Peek(indicators.Input, []float64) bool { return true }
func (x *noopInd) Reset()                                {}
func (x *noopInd) MarshalBinary() ([]byte, error)        { return nil, nil }
func (x *noopInd) UnmarshalBinary([]byte) error          { return nil }

//go:noinline
func mkNoop() indicators.Indicator { return &noopInd{} }

func TestDevLinRegC(t *testing.T) {
	if os.Getenv("DEVPERF") == "" {
		t.Skip()
	}
	bars := benchBars(t)
	x := make([]float64, len(bars))
	for i := range bars {
		x[i] = bars[i].Close
	}
	p := 14
	best := int64(1 << 62)
	out := make([]float64, len(x))
	for r := 0; r < 7; r++ {
		t0 := cpuNow()
		for pass := 0; pass < 6; pass++ {
			pf := float64(p)
			sumX := pf * (pf - 1) * 0.5
			sumXSqr := pf * (pf - 1) * (2*pf - 1) / 6
			div := sumX*sumX - pf*sumXSqr
			for today := p - 1; today < len(x); today++ {
				var sumXY, sumY float64
				for i := p; i != 0; {
					i--
					v := x[today-i]
					sumY += v
					sumXY += float64(i) * v
				}
				m := (pf*sumXY - sumX*sumY) / div
				b := (sumY - m*sumX) / pf
				out[today] = b + m*(pf-1)
			}
		}
		if d := cpuNow() - t0; d < best {
			best = d
		}
	}
	fmt.Printf("TA-Lib C LINEARREG loop in Go (batch): %.2f ns/bar\n", float64(best)/float64(6*len(x)))
}
