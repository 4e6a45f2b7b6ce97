package indicators_test

// Shared test helpers of the infrastructure tests (engineer C): reading the
// TA-Lib C goldens, feeding indicators, comparing floats.

import (
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// goldenCase is one TA-Lib C run: function, parameters in TA-Lib order, the
// input arrays it read, the unstable periods set, outBegIdx and the outputs
// from outBegIdx on.
type goldenCase struct {
	Fn       string            `json:"fn"`
	Params   []float64         `json:"params"`
	Inputs   []string          `json:"inputs"`
	Unstable map[string]int    `json:"unstable"`
	BegIdx   int               `json:"begIdx"`
	RawOut   map[string]string `json:"outputs"`
	out      [][]float64       // decoded, in TA-Lib output order
}

type goldenSeries struct {
	Series  string               `json:"series"`
	File    string               `json:"file"`
	Licence string               `json:"licence"`
	N       int                  `json:"n"`
	Inputs  map[string][]float64 `json:"inputs"`
	Cases   []*goldenCase        `json:"cases"`
}

type goldenFunc struct {
	Group   string   `json:"group"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
}

type goldenSet struct {
	series []*goldenSeries
	funcs  map[string]goldenFunc
}

var loadGoldenOnce = sync.OnceValues(func() (*goldenSet, error) {
	dir := filepath.Join("testdata", "golden")
	g := &goldenSet{}
	b, err := os.ReadFile(filepath.Join(dir, "functions.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &g.funcs); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	for _, f := range files {
		s, err := readGoldenSeries(f)
		if err != nil {
			return nil, err
		}
		for _, c := range s.Cases {
			for _, name := range g.funcs[c.Fn].Outputs {
				c.out = append(c.out, decodeF64(c.RawOut[name]))
			}
			c.RawOut = nil
		}
		g.series = append(g.series, s)
	}
	return g, nil
})

func loadGolden(t testing.TB) *goldenSet {
	t.Helper()
	g, err := loadGoldenOnce()
	if err != nil {
		t.Fatalf("load goldens: %v", err)
	}
	return g
}

func readGoldenSeries(path string) (*goldenSeries, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var s goldenSeries
	if err := json.NewDecoder(zr).Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

func decodeF64(s string) []float64 {
	b, _ := base64.StdEncoding.DecodeString(s)
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

// bars converts a golden series' inputs to indicator inputs.
func (s *goldenSeries) bars() []indicators.Input {
	in := make([]indicators.Input, s.N)
	for i := range in {
		in[i] = indicators.Input{Open: s.Inputs["open"][i], High: s.Inputs["high"][i],
			Low: s.Inputs["low"][i], Close: s.Inputs["close"][i], Volume: s.Inputs["volume"][i],
			Time: int64(s.Inputs["time"][i]) * 1e9}
	}
	return in
}

// batchInput maps a case's input names to a BatchInput.
func (s *goldenSeries) batchInput(c *goldenCase, f indicators.BatchFunc) indicators.BatchInput {
	in := indicators.BatchInput{Open: s.Inputs["open"], High: s.Inputs["high"], Low: s.Inputs["low"],
		Close: s.Inputs["close"], Volume: s.Inputs["volume"], Periods: s.Inputs["periods"]}
	for i, name := range f.Inputs {
		switch name {
		case "real":
			in.Real = s.Inputs[c.Inputs[i]]
		case "real1":
			in.Real1 = s.Inputs[c.Inputs[i]]
		}
	}
	return in
}

// closeEnough is the golden tolerance: 1e-9 relative, 1e-9 absolute near 0.
func closeEnough(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if got == want {
		return true
	}
	d := math.Abs(got - want)
	return d <= tol || d <= tol*math.Max(math.Abs(got), math.Abs(want))
}

// taName maps a Def name to TA-Lib's function name.
func taName(def string) string { return strings.ToUpper(def) }

// nonTALib lists streaming indicators beyond TA-Lib: they have no goldens.
func nonTALib(name string) bool {
	for _, p := range []string{"vwap", "keltner", "donchian", "supertrend"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// newRegistry returns a registry with settings set, failing the test on error.
func newRegistry(t testing.TB, set indicators.Settings) *indicators.Registry {
	t.Helper()
	r, err := indicators.NewRegistry(set)
	if err != nil {
		t.Fatalf("NewRegistry: %v", err)
	}
	return r
}

// defaultParams returns every parameter's default.
func defaultParams(d indicators.Def) []float64 {
	p := make([]float64, len(d.Params))
	for i, pd := range d.Params {
		p[i] = pd.Default
	}
	return p
}
