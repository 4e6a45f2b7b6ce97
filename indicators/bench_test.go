package indicators_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"

	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

//go:generate go run ./internal/benchgen

// Benchmarks, one sub-benchmark per streaming Def with default parameters,
// named by the upper-case TA-Lib name so the families line up:
//
//	BenchmarkStream/<NAME>       one Update per op, called on the concrete
//	                             type the constructor returns (what a Go
//	                             caller holding it pays)              ns/bar
//	BenchmarkStreamIface/<NAME>  one Update per op through the Indicator
//	                             interface (what the engine and the
//	                             registry pay: one dynamic call)      ns/bar
//	BenchmarkBatch/<NAME>        go-talib over the whole series / bars ns/bar
//	BenchmarkWindow/<NAME>       go-talib over a trailing 200-bar window
//	                             per new bar (what DIY engines do)    ns/bar
//
// The concrete loops are generated (bench_gen_test.go, by
// internal/benchgen from the Defs' constructor calls: go generate), so no
// loop is written by hand per indicator.
//
// The series is Binance BTC/USDT 5m (65,741 bars) from ../shared/data when
// present, else the committed golden inputs. BENCH_TABLE=1 go test -run
// TestBenchTable -v prints the streaming/batch ratio table.

const windowBars = 200

var benchSeries = sync.OnceValue(func() []indicators.Input {
	path, err := shareddata.Find("market", "binance-spot-nfi", "BTC_USDT-5m.json.gz")
	if err != nil {
		return nil
	}
	if bars, err := readFreqtrade(path); err == nil && len(bars) > windowBars {
		return bars
	}
	return nil
})

func readFreqtrade(path string) ([]indicators.Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var rows [][6]float64
	if err := json.NewDecoder(zr).Decode(&rows); err != nil {
		return nil, err
	}
	bars := make([]indicators.Input, len(rows))
	for i, r := range rows {
		bars[i] = indicators.Input{Time: int64(r[0]) * 1e6, Open: r[1], High: r[2], Low: r[3], Close: r[4], Volume: r[5]}
	}
	return bars, nil
}

func benchBars(b testing.TB) []indicators.Input {
	if bars := benchSeries(); bars != nil {
		return bars
	}
	var all []indicators.Input
	for _, s := range loadGolden(b).series {
		all = append(all, s.bars()...)
	}
	return all
}

// benchCase is one Def with what its three benchmarks need.
type benchCase struct {
	name   string // upper-case TA-Lib name
	def    indicators.Def
	batch  string    // batch function, "" when none (beyond TA-Lib)
	params []float64 // batch params
}

func benchCases(b testing.TB) []benchCase {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	var out []benchCase
	for _, d := range reg.Defs() {
		c := benchCase{name: strings.ToUpper(d.Name), def: d}
		if f, ok := indicators.LookupBatch(d.Name); ok {
			c.batch = f.Name
			if len(f.Params) == len(d.Params) {
				c.params = defaultParams(d)
			}
		}
		out = append(out, c)
	}
	return out
}

func benchBatchInput(bars []indicators.Input) indicators.BatchInput {
	in := batchInputOf(bars)
	in.Real1 = in.Open
	return in
}

// benchStream measures Update on the concrete type (the generated loop).
func benchStream(b *testing.B, c benchCase, bars []indicators.Input) {
	mk, ok := concreteStreams()[c.def.Name]
	if !ok {
		b.Fatalf("%s: no generated concrete loop (run go generate ./indicators)", c.def.Name)
	}
	_, run, err := mk(defaultParams(c.def), indicators.SourceClose, indicators.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	run(bars, b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/bar")
}

// benchStreamIface measures Update through the Indicator interface.
func benchStreamIface(b *testing.B, c benchCase, bars []indicators.Input) {
	ind, err := c.def.New(defaultParams(c.def), indicators.SourceClose, indicators.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	j := 0
	for i := 0; i < b.N; i++ {
		ind.Update(bars[j])
		// Wrap without a division: the loop should cost next to nothing.
		if j++; j == len(bars) {
			j = 0
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/bar")
}

func benchBatch(b *testing.B, c benchCase, bars []indicators.Input) {
	in := benchBatchInput(bars)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := indicators.Batch(c.batch, in, c.params...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bars)), "ns/bar")
}

func benchWindow(b *testing.B, c benchCase, bars []indicators.Input) {
	in := benchBatchInput(bars)
	n := len(bars) - windowBars
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := i % n
		w := indicators.BatchInput{Open: in.Open[s : s+windowBars], High: in.High[s : s+windowBars],
			Low: in.Low[s : s+windowBars], Close: in.Close[s : s+windowBars], Volume: in.Volume[s : s+windowBars],
			Real1: in.Real1[s : s+windowBars]}
		if _, err := indicators.Batch(c.batch, w, c.params...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/bar")
}

func BenchmarkStream(b *testing.B) {
	bars := benchBars(b)
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) { benchStream(b, c, bars) })
	}
}

func BenchmarkStreamIface(b *testing.B) {
	bars := benchBars(b)
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) { benchStreamIface(b, c, bars) })
	}
}

func BenchmarkBatch(b *testing.B) {
	bars := benchBars(b)
	for _, c := range benchCases(b) {
		if c.batch == "" {
			continue
		}
		b.Run(c.name, func(b *testing.B) { benchBatch(b, c, bars) })
	}
}

func BenchmarkWindow(b *testing.B) {
	bars := benchBars(b)
	for _, c := range benchCases(b) {
		if c.batch == "" {
			continue
		}
		b.Run(c.name, func(b *testing.B) { benchWindow(b, c, bars) })
	}
}

// BenchmarkBatchAll runs every go-talib function (defaults) through Batch.
func BenchmarkBatchAll(b *testing.B) {
	bars := benchBars(b)
	in := benchBatchInput(bars)
	in.Periods = make([]float64, len(bars))
	for i := range in.Periods {
		in.Periods[i] = float64(2 + i%29)
	}
	for _, f := range indicators.BatchFuncs() {
		b.Run(f.Name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := indicators.Batch(f.Name, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(bars)), "ns/bar")
		})
	}
}

// TestBenchTable prints, for every streaming Def, the cost per bar of an
// Update on the concrete type and through the interface, of go-talib's
// batch and of a trailing-window recompute, the ratios, and their medians
// (the architecture's budget: stream/batch <= 1.5 in the median, <= 3 for
// each; window/stream >= 50). Opt-in: BENCH_TABLE=1 go test -cpu 1 -run
// TestBenchTable -v.
func TestBenchTable(t *testing.T) {
	if os.Getenv("BENCH_TABLE") == "" {
		t.Skip("set BENCH_TABLE=1 to measure")
	}
	bars := benchBars(t)
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "NAME\tstream ns/bar\tiface ns/bar\tallocs/bar\tbatch ns/bar\tstream/batch\tiface/batch\twindow ns/bar\twindow/stream\t\n")
	perBar := func(r testing.BenchmarkResult) float64 { return r.Extra["ns/bar"] }
	var ratios, ifaceRatios, windowRatios []float64
	for _, c := range benchCases(t) {
		s := testing.Benchmark(func(b *testing.B) { benchStream(b, c, bars) })
		si := testing.Benchmark(func(b *testing.B) { benchStreamIface(b, c, bars) })
		allocs := max(s.AllocsPerOp(), si.AllocsPerOp())
		if c.batch == "" {
			fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%d\t-\t-\t-\t-\t-\t\n", c.name, perBar(s), perBar(si), allocs)
			continue
		}
		bt := testing.Benchmark(func(b *testing.B) { benchBatch(b, c, bars) })
		wn := testing.Benchmark(func(b *testing.B) { benchWindow(b, c, bars) })
		r, ri, rw := perBar(s)/perBar(bt), perBar(si)/perBar(bt), perBar(wn)/perBar(s)
		ratios, ifaceRatios, windowRatios = append(ratios, r), append(ifaceRatios, ri), append(windowRatios, rw)
		fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%d\t%.1f\t%.2f\t%.2f\t%.0f\t%.0fx\t\n", c.name, perBar(s), perBar(si), allocs,
			perBar(bt), r, ri, perBar(wn), rw)
	}
	w.Flush()
	t.Logf("%d bars\n%s", len(bars), sb.String())
	t.Logf("median stream/batch %.2f (max %.2f), median iface/batch %.2f (max %.2f), min window/stream %.0fx",
		median(ratios), slices.Max(ratios), median(ifaceRatios), slices.Max(ifaceRatios), slices.Min(windowRatios))
}

// median returns the median of xs (the mean of the middle two when even).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// TestConcreteStreamsCoverDefs checks the generated concrete loops against
// the registry: one per Def and none more (else: go generate
// ./indicators), each building the same indicator as the Def (same Name,
// outputs bit for bit after the same inputs through the concrete loop and
// through the interface), with no allocation per Update.
func TestConcreteStreamsCoverDefs(t *testing.T) {
	gen := concreteStreams()
	bars := propBars(t)
	defs := newRegistry(t, indicators.Settings{}).Defs()
	seen := map[string]bool{}
	for _, d := range defs {
		seen[d.Name] = true
		t.Run(d.Name, func(t *testing.T) {
			mk, ok := gen[d.Name]
			if !ok {
				t.Fatalf("no generated concrete loop for %s: run go generate ./indicators", d.Name)
			}
			p := defaultParams(d)
			conc, run, err := mk(p, indicators.SourceClose, indicators.Settings{})
			if err != nil {
				t.Fatal(err)
			}
			viaDef, err := d.New(p, indicators.SourceClose, indicators.Settings{})
			if err != nil {
				t.Fatal(err)
			}
			if conc.Name() != viaDef.Name() {
				t.Fatalf("generated builds %q, the Def %q", conc.Name(), viaDef.Name())
			}
			run(bars, len(bars))
			for _, b := range bars {
				viaDef.Update(b)
			}
			for k := range viaDef.Outputs() {
				if !bitSame(conc.Value(k), viaDef.Value(k)) {
					t.Fatalf("output %d: concrete loop %v, Def %v", k, conc.Value(k), viaDef.Value(k))
				}
			}
			if a := testing.AllocsPerRun(10, func() { run(bars[:50], 50) }); a != 0 {
				t.Fatalf("%v allocations per 50 Updates on the concrete type", a)
			}
		})
	}
	for name := range gen {
		if !seen[name] {
			t.Errorf("generated concrete loop for %s, which the registry does not have: run go generate ./indicators", name)
		}
	}
}
