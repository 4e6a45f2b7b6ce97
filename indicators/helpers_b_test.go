package indicators_test

// Test helpers of the bar-based indicators (engineer B): series to feed, the
// TA-Lib C goldens, and the generic streaming checks every table row runs.

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// seriesB is a bar series as parallel arrays (go-talib's shape) and as
// Inputs (the streaming shape).
type seriesB struct {
	name                           string
	time                           []int64
	open, high, low, close, volume []float64
}

func (s *seriesB) len() int { return len(s.close) }

func (s *seriesB) input(i int) indicators.Input {
	return indicators.Input{Open: s.open[i], High: s.high[i], Low: s.low[i], Close: s.close[i],
		Volume: s.volume[i], Time: s.time[i]}
}

func (s *seriesB) add(t int64, o, h, l, c, v float64) {
	s.time = append(s.time, t)
	s.open = append(s.open, o)
	s.high = append(s.high, h)
	s.low = append(s.low, l)
	s.close = append(s.close, c)
	s.volume = append(s.volume, v)
}

// randomWalkB is a seeded random walk of hourly bars: flat stretches
// (O=H=L=C, alternating zero volume), a few 15% jumps, repeated equal highs
// and lows (ties matter for AROON), and prices rounded to cents so that
// equal values occur.
func randomWalkB(seed uint64, n int) *seriesB {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := &seriesB{name: fmt.Sprintf("walk%d", seed)}
	c := 100.0
	t := int64(1_600_000_000) * 1e9
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	for i := 0; i < n; i++ {
		o := c
		switch {
		case i%200 >= 150 && i%200 < 162: // flat stretch
			v := 0.0
			if i%2 == 0 {
				v = 10
			}
			s.add(t, o, o, o, o, v)
		default:
			ret := (r.Float64() + r.Float64() + r.Float64() - 1.5) * 0.01
			if r.Float64() < 0.01 {
				ret += 0.15 * float64(1-2*r.IntN(2))
			}
			c = math.Max(round(o*(1+ret)), 0.01)
			h := round(math.Max(o, c) * (1 + r.Float64()*0.01))
			l := round(math.Min(o, c) * (1 - r.Float64()*0.01))
			if i%17 == 0 && i > 0 { // repeat the previous extreme: ties
				h = math.Max(s.high[i-1], math.Max(o, c))
				l = math.Min(s.low[i-1], math.Min(o, c))
			}
			s.add(t, o, h, l, c, math.Round(r.Float64()*1e6)/100)
		}
		t += 3600e9
	}
	return s
}

// goldenCaseB is one TA-Lib C run from testdata/golden (written by
// internal/talibgen): outputs start at BegIdx.
type goldenCaseB struct {
	Fn       string            `json:"fn"`
	Params   []float64         `json:"params"`
	Inputs   []string          `json:"inputs"`
	Unstable map[string]int    `json:"unstable"`
	BegIdx   int               `json:"begIdx"`
	Outputs  map[string]string `json:"outputs"`
}

type goldenFileB struct {
	Series string               `json:"series"`
	Inputs map[string][]float64 `json:"inputs"`
	Cases  []goldenCaseB        `json:"cases"`
}

var goldenB = sync.OnceValues(func() ([]*goldenFileB, error) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*goldenFileB
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			fh.Close()
			return nil, err
		}
		var g goldenFileB
		err = json.NewDecoder(zr).Decode(&g)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, &g)
	}
	return out, nil
})

func (g *goldenFileB) series() *seriesB {
	s := &seriesB{name: g.Series}
	for i, c := range g.Inputs["close"] {
		s.add(int64(g.Inputs["time"][i])*1e9, g.Inputs["open"][i], g.Inputs["high"][i], g.Inputs["low"][i], c,
			g.Inputs["volume"][i])
	}
	return s
}

func decodeB(t testing.TB, s string) []float64 {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// relDiffB is |a-b| relative to max(|a|,|b|,1e-300); 0 for equal values.
func relDiffB(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Max(math.Abs(a), math.Abs(b)), 1e-300)
}

// runB feeds s to ind and returns every output's values per input.
func runB(ind indicators.Indicator, s *seriesB) [][]float64 {
	outs := make([][]float64, len(ind.Outputs()))
	for k := range outs {
		outs[k] = make([]float64, s.len())
	}
	for i := 0; i < s.len(); i++ {
		ind.Update(s.input(i))
		for k := range outs {
			outs[k][i] = ind.Value(k)
		}
	}
	return outs
}

// sameBits reports whether a and b are the same float64 (NaN equals NaN).
func sameBits(a, b float64) bool {
	return a == b || (a != a && b != b)
}

// checkStreamingB runs the contract checks every indicator must pass on s:
// NaN and not Ready before the lookback and valid after; Peek equals the
// next Update bit for bit and changes nothing; a snapshot restored into a
// fresh indicator continues identically; Reset equals fresh.
func checkStreamingB(t *testing.T, mk func() indicators.Indicator, s *seriesB, seed uint64) {
	t.Helper()
	ind := mk()
	ref := runB(mk(), s)
	nout := len(ind.Outputs())
	peek := make([]float64, nout)
	r := rand.New(rand.NewPCG(seed, 1))
	restoreAt := map[int]bool{0: true, ind.Lookback(): true, ind.Lookback() + 1: true}
	for k := 0; k < 6; k++ {
		restoreAt[r.IntN(s.len())] = true
	}
	lb := ind.Lookback()
	for i := 0; i < s.len(); i++ {
		in := s.input(i)
		okPeek := ind.Peek(in, peek)
		// A second Peek must see the same state.
		peek2 := make([]float64, nout)
		if ok2 := ind.Peek(in, peek2); ok2 != okPeek {
			t.Fatalf("%s: bar %d: Peek not repeatable", ind.Name(), i)
		}
		ind.Update(in)
		if ind.Ready() != okPeek {
			t.Fatalf("%s: bar %d: Peek ready %v, Update ready %v", ind.Name(), i, okPeek, ind.Ready())
		}
		if want := i >= lb; ind.Ready() != want {
			t.Fatalf("%s: bar %d: Ready %v, lookback %d", ind.Name(), i, ind.Ready(), lb)
		}
		for k := 0; k < nout; k++ {
			v := ind.Value(k)
			if !sameBits(v, peek[k]) || !sameBits(v, peek2[k]) {
				t.Fatalf("%s: bar %d output %d: Peek %v, Update %v", ind.Name(), i, k, peek[k], v)
			}
			if !sameBits(v, ref[k][i]) {
				t.Fatalf("%s: bar %d output %d: %v after Peeks, %v without", ind.Name(), i, k, v, ref[k][i])
			}
			if i < lb && !math.IsNaN(v) {
				t.Fatalf("%s: bar %d output %d: %v before lookback %d, want NaN", ind.Name(), i, k, v, lb)
			}
		}
		if restoreAt[i] {
			b, err := ind.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			fresh := mk()
			if err := fresh.UnmarshalBinary(b); err != nil {
				t.Fatalf("%s: restore at bar %d: %v", ind.Name(), i, err)
			}
			if fresh.Ready() != ind.Ready() {
				t.Fatalf("%s: restore at bar %d: Ready differs", ind.Name(), i)
			}
			ind = fresh
		}
	}
	// Truncated and foreign snapshots are rejected, never panic.
	b, _ := ind.MarshalBinary()
	for _, cut := range []int{0, 1, len(b) / 2, len(b) - 1} {
		if err := mk().UnmarshalBinary(b[:cut]); err == nil {
			t.Fatalf("%s: truncated snapshot (%d of %d bytes) accepted", ind.Name(), cut, len(b))
		}
	}
	ind.Reset()
	got := runB(ind, s)
	for k := range got {
		for i := range got[k] {
			if !sameBits(got[k][i], ref[k][i]) {
				t.Fatalf("%s: after Reset bar %d output %d: %v, fresh %v", ind.Name(), i, k, got[k][i], ref[k][i])
			}
		}
	}
}
