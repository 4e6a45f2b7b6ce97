package indicators_test

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/internal/cputime"
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
	cpu0, ok := cputime.Process()
	run(bars, b.N)
	reportPerBar(b, b.N, cpu0, ok)
}

// reportPerBar reports wall ns/bar and, where the platform gives it, the
// process's CPU ns/bar (every thread, the garbage collector's included)
// for bars bars since cpu0.
func reportPerBar(b *testing.B, bars int, cpu0 time.Duration, cpuOK bool) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(bars), "ns/bar")
	if cpu1, ok := cputime.Process(); ok && cpuOK {
		b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(bars), "cpu-ns/bar")
	}
}

// benchStreamIface measures Update through the Indicator interface.
func benchStreamIface(b *testing.B, c benchCase, bars []indicators.Input) {
	ind, err := c.def.New(defaultParams(c.def), indicators.SourceClose, indicators.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, ok := cputime.Process()
	j := 0
	for i := 0; i < b.N; i++ {
		ind.Update(bars[j])
		// Wrap without a division: the loop should cost next to nothing.
		if j++; j == len(bars) {
			j = 0
		}
	}
	reportPerBar(b, b.N, cpu0, ok)
}

func benchBatch(b *testing.B, c benchCase, bars []indicators.Input) {
	in := benchBatchInput(bars)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, ok := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := indicators.Batch(c.batch, in, c.params...); err != nil {
			b.Fatal(err)
		}
	}
	reportPerBar(b, b.N*len(bars), cpu0, ok)
}

func benchWindow(b *testing.B, c benchCase, bars []indicators.Input) {
	in := benchBatchInput(bars)
	n := len(bars) - windowBars
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, ok := cputime.Process()
	for i := 0; i < b.N; i++ {
		s := i % n
		w := indicators.BatchInput{Open: in.Open[s : s+windowBars], High: in.High[s : s+windowBars],
			Low: in.Low[s : s+windowBars], Close: in.Close[s : s+windowBars], Volume: in.Volume[s : s+windowBars],
			Real1: in.Real1[s : s+windowBars]}
		if _, err := indicators.Batch(c.batch, w, c.params...); err != nil {
			b.Fatal(err)
		}
	}
	reportPerBar(b, b.N, cpu0, ok)
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
// TestBenchTable -v (about 4 minutes on 2 shared cores).
//
// One sample of a cell moves by 10-30 % on a shared machine, so each
// indicator's stream, interface and batch cells are measured
// BENCH_ROUNDS times (default 5), interleaved (stream, iface, batch,
// stream, iface, batch, ...) so that a slow spell of the machine hits
// both sides of a ratio alike, each sample BENCH_SAMPLE long (default
// 100ms). A cell is the median of its samples, and a ratio the median of
// the per-round ratios. The costs are the process's CPU time per bar
// where the platform reports it (see processCPU; other processes' load
// does not stretch it), else wall time; the header says which. The
// window cell, far from its bound, is one sample.
func TestBenchTable(t *testing.T) {
	if os.Getenv("BENCH_TABLE") == "" {
		t.Skip("set BENCH_TABLE=1 to measure")
	}
	rounds := 5
	if v, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	sample := 100 * time.Millisecond
	if v, err := time.ParseDuration(os.Getenv("BENCH_SAMPLE")); err == nil && v > 0 {
		sample = v
	}
	setBenchTime(t, sample)
	metric := "ns/bar"
	if _, ok := cputime.Process(); ok {
		metric = "cpu-ns/bar"
	}
	bars := benchBars(t)
	perBar := func(r testing.BenchmarkResult) float64 { return r.Extra[metric] }
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "NAME\tstream %[1]s\tiface %[1]s\tallocs/bar\tbatch %[1]s\tstream/batch\tiface/batch\twindow %[1]s\twindow/stream\t\n", metric)
	var ratios, ifaceRatios, windowRatios []float64
	for _, c := range benchCases(t) {
		var s, si, bt, r, ri []float64
		var allocs int64
		for range rounds {
			rs := testing.Benchmark(func(b *testing.B) { benchStream(b, c, bars) })
			rsi := testing.Benchmark(func(b *testing.B) { benchStreamIface(b, c, bars) })
			allocs = max(allocs, rs.AllocsPerOp(), rsi.AllocsPerOp())
			s, si = append(s, perBar(rs)), append(si, perBar(rsi))
			if c.batch == "" {
				continue
			}
			rb := testing.Benchmark(func(b *testing.B) { benchBatch(b, c, bars) })
			bt = append(bt, perBar(rb))
			r, ri = append(r, perBar(rs)/perBar(rb)), append(ri, perBar(rsi)/perBar(rb))
		}
		if c.batch == "" {
			fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%d\t-\t-\t-\t-\t-\t\n", c.name, median(s), median(si), allocs)
			continue
		}
		wn := perBar(testing.Benchmark(func(b *testing.B) { benchWindow(b, c, bars) }))
		rw := wn / median(s)
		ratios, ifaceRatios, windowRatios = append(ratios, median(r)), append(ifaceRatios, median(ri)), append(windowRatios, rw)
		fmt.Fprintf(w, "%s\t%.1f\t%.1f\t%d\t%.1f\t%.2f\t%.2f\t%.0f\t%.0fx\t\n", c.name, median(s), median(si), allocs,
			median(bt), median(r), median(ri), wn, rw)
	}
	w.Flush()
	t.Logf("%d bars, %d interleaved rounds of %v samples per cell, %s\n%s", len(bars), rounds, sample, metric, sb.String())
	t.Logf("median stream/batch %.2f (max %.2f), median iface/batch %.2f (max %.2f), min window/stream %.0fx",
		median(ratios), slices.Max(ratios), median(ifaceRatios), slices.Max(ifaceRatios), slices.Min(windowRatios))
}

// setBenchTime sets -test.benchtime, which testing.Benchmark reads, to d
// for the rest of t.
func setBenchTime(t *testing.T, d time.Duration) {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		t.Fatal("no -test.benchtime flag")
	}
	old := f.Value.String()
	if err := f.Value.Set(d.String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Value.Set(old) })
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
