package indicators_test

// Shared test helpers of the moving-average / momentum / statistics tests
// (engineer A): input series, go-talib style references that mirror TA-Lib C
// where go-talib deviates, and the generic streaming checks.

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	talib "github.com/markcheno/go-talib"

	"github.com/candlewick-labs/candlewick/indicators"
)

// seriesA is one named input series for the table tests.
type seriesA struct {
	name string
	bars []indicators.Input
}

func (s seriesA) closes() []float64 {
	out := make([]float64, len(s.bars))
	for i, b := range s.bars {
		out[i] = b.Close
	}
	return out
}

// randomWalkA is a seeded random walk of n bars around start, with flat
// stretches (runs of identical closes, where variances hit 0 and ratios hit
// their zero branches) and a few 15% jumps.
func randomWalkA(seed uint64, n int, start, vol float64) []indicators.Input {
	r := rand.New(rand.NewPCG(seed, seed*7919+1))
	bars := make([]indicators.Input, n)
	c := start
	for i := range bars {
		o := c
		if i%300 >= 200 && i%300 < 225 {
			bars[i] = indicators.Input{Open: o, High: o, Low: o, Close: o, Time: int64(i) * 3600e9}
			continue
		}
		ret := (r.Float64() + r.Float64() + r.Float64() - 1.5) * vol
		if r.Float64() < 0.005 {
			if r.Float64() < 0.5 {
				ret -= 0.15
			} else {
				ret += 0.15
			}
		}
		c = math.Max(o*(1+ret), 1e-6)
		h := math.Max(o, c) * (1 + r.Float64()*vol)
		l := math.Min(o, c) * (1 - r.Float64()*vol)
		bars[i] = indicators.Input{Open: o, High: h, Low: l, Close: c, Volume: math.Round(r.Float64() * 1e6), Time: int64(i) * 3600e9}
	}
	return bars
}

// zeroCrossingA is a walk around 0 that hits exactly 0 now and then, for the
// division-by-zero branches of ROC, PPO and friends.
func zeroCrossingA(seed uint64, n int) []indicators.Input {
	r := rand.New(rand.NewPCG(seed, 3))
	bars := make([]indicators.Input, n)
	c := 0.0
	for i := range bars {
		switch {
		case i%97 == 0:
			c = 0
		case i%150 >= 100 && i%150 < 110:
			// flat
		default:
			c += math.Round((r.Float64()-0.5)*200) / 100
		}
		bars[i] = indicators.Input{Open: c, High: c + 1, Low: c - 1, Close: c, Time: int64(i) * 60e9}
	}
	return bars
}

// seriesSetA returns the random walks and, when the committed TA-Lib goldens
// are present, one real series from them (ninjabot BTC/USDT 1h, MIT).
func seriesSetA(t *testing.T) []seriesA {
	t.Helper()
	out := []seriesA{
		{"randomwalk", randomWalkA(1, 1500, 100, 0.01)},
		{"randomwalk_small", randomWalkA(7, 1200, 0.01, 0.03)},
		{"zerocrossing", zeroCrossingA(3, 800)},
	}
	g, err := loadGoldenOnce()
	if err != nil {
		t.Logf("no real series: %v", err)
		return out
	}
	for _, s := range g.series {
		if s.Series == "ninjabot_btc_usdt_1h" {
			out = append(out, seriesA{"ninjabot_btc_usdt_1h", s.bars()})
		}
	}
	return out
}

// sameBitsA reports bit equality, any NaN equal to any NaN.
func sameBitsA(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// relDiffA is |a-b| relative to max(|a|,|b|,1e-9-absolute floor).
func relDiffA(a, b float64) float64 {
	d := math.Abs(a - b)
	if d == 0 {
		return 0
	}
	return d / math.Max(math.Max(math.Abs(a), math.Abs(b)), 1)
}

// runA feeds bars to ind and returns every output at every index.
func runA(ind indicators.Indicator, bars []indicators.Input) [][]float64 {
	outs := make([][]float64, len(ind.Outputs()))
	for k := range outs {
		outs[k] = make([]float64, len(bars))
	}
	for i, b := range bars {
		ind.Update(b)
		for k := range outs {
			outs[k][i] = ind.Value(k)
		}
	}
	return outs
}

// checkStreamA runs the generic streaming checks on a freshly built
// indicator: NaN and not Ready before the lookback, Ready after; Peek equal
// bit for bit to the next Update and without effect; outputs against ref
// from the lookback on (bit-exact when tol is 0); snapshot and restore at
// several points; Reset; no allocation per Update/Peek.
func checkStreamA(t *testing.T, build func() (indicators.Indicator, error), bars []indicators.Input, ref [][]float64, tol float64) {
	t.Helper()
	ind, err := build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	lb := ind.Lookback()
	nOut := len(ind.Outputs())
	peek := make([]float64, nOut)
	exact, worst := 0, 0.0
	for i, b := range bars {
		ok := ind.Peek(b, peek)
		ind.Update(b)
		if ind.Ready() != ok {
			t.Fatalf("index %d: Peek ok=%v, Ready after Update=%v", i, ok, ind.Ready())
		}
		for k := 0; k < nOut; k++ {
			v := ind.Value(k)
			if !sameBitsA(v, peek[k]) {
				t.Fatalf("index %d output %d: Peek %.17g, Update %.17g", i, k, peek[k], v)
			}
			if i < lb {
				if ind.Ready() || !math.IsNaN(v) {
					t.Fatalf("index %d < lookback %d: Ready=%v value %g, want false/NaN", i, lb, ind.Ready(), v)
				}
				continue
			}
			if !ind.Ready() {
				t.Fatalf("index %d >= lookback %d: not Ready", i, lb)
			}
			if ref == nil {
				continue
			}
			want := ref[k][i]
			if sameBitsA(v, want) {
				exact++
				continue
			}
			d := relDiffA(v, want)
			worst = math.Max(worst, d)
			if tol == 0 || !(d <= tol) {
				t.Fatalf("index %d output %d: got %.17g, want %.17g (rel %.3g, tol %g)", i, k, v, want, d, tol)
			}
		}
	}
	if ref != nil && tol != 0 {
		t.Logf("%d values bit-exact, worst relative difference %.3g", exact, worst)
	}
	// Reset gives a fresh run.
	first := runA(mustA(t, build), bars)
	ind.Reset()
	if again := runA(ind, bars); !sameSeriesA(first, again) {
		t.Fatalf("run after Reset differs from a fresh run")
	}
	// Snapshots at several points restore into a fresh indicator bit for bit.
	for _, cut := range []int{0, 1, lb / 2, lb, lb + 1, len(bars) / 3, len(bars) - 1} {
		if cut < 0 || cut >= len(bars) {
			continue
		}
		a := mustA(t, build)
		for _, b := range bars[:cut] {
			a.Update(b)
		}
		snap, err := a.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary at %d: %v", cut, err)
		}
		b := mustA(t, build)
		if err := b.UnmarshalBinary(snap); err != nil {
			t.Fatalf("UnmarshalBinary at %d: %v", cut, err)
		}
		if again, _ := b.MarshalBinary(); !bytes.Equal(again, snap) {
			t.Fatalf("snapshot at %d does not round-trip", cut)
		}
		if !sameSeriesA(runA(a, bars[cut:]), runA(b, bars[cut:])) {
			t.Fatalf("restored at %d: outputs differ from the uninterrupted run", cut)
		}
		// A truncated snapshot is an error, never a panic.
		if len(snap) > 1 {
			if err := mustA(t, build).UnmarshalBinary(snap[:len(snap)-1]); !errors.Is(err, indicators.ErrState) {
				t.Fatalf("truncated snapshot at %d: err %v, want ErrState", cut, err)
			}
		}
	}
	// No allocation per Update or Peek, warm or cold.
	for _, warm := range []bool{false, true} {
		a := mustA(t, build)
		if warm {
			for _, b := range bars {
				a.Update(b)
			}
		}
		i := 0
		allocs := testing.AllocsPerRun(200, func() {
			b := bars[i%len(bars)]
			i++
			a.Peek(b, peek)
			a.Update(b)
		})
		if allocs != 0 {
			t.Fatalf("%v allocations per Update+Peek (warm=%v), want 0", allocs, warm)
		}
	}
}

func mustA(t *testing.T, build func() (indicators.Indicator, error)) indicators.Indicator {
	t.Helper()
	ind, err := build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return ind
}

func sameSeriesA(a, b [][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if len(a[k]) != len(b[k]) {
			return false
		}
		for i := range a[k] {
			if !sameBitsA(a[k][i], b[k][i]) {
				return false
			}
		}
	}
	return true
}

// emaKRefA is TA-Lib C's INT_EMA from index 0 with factor k: SMA seed, then
// ((v-prev)*k)+prev; zeros before period-1 like go-talib.
func emaKRefA(x []float64, period int, k float64) []float64 {
	out := make([]float64, len(x))
	if len(x) < period {
		return out
	}
	s := 0.0
	for i := 0; i < period; i++ {
		s += x[i]
	}
	prev := s / float64(period)
	out[period-1] = prev
	for i := period; i < len(x); i++ {
		prev = ((x[i] - prev) * k) + prev
		out[i] = prev
	}
	return out
}

// shiftA returns y placed at offset off in a slice of length n.
func shiftA(y []float64, off, n int) []float64 {
	out := make([]float64, n)
	copy(out[off:], y)
	return out
}

// macdRefA is TA-Lib C's INT_MACD (default compatibility, no unstable
// period), built from faithful EMAs: the fast EMA is seeded on the inputs
// slow-fast..slow-1 so its first value falls on the slow EMA's, and the
// signal EMA is seeded on the first signal MACD values.
func macdRefA(x []float64, fast, slow, signal int, kFast, kSlow float64) [][]float64 {
	if slow < fast {
		fast, slow = slow, fast
	}
	n := len(x)
	s := emaKRefA(x, slow, kSlow)
	f := shiftA(emaKRefA(x[slow-fast:], fast, kFast), slow-fast, n)
	macd := make([]float64, n)
	for i := slow - 1; i < n; i++ {
		macd[i] = f[i] - s[i]
	}
	sig := shiftA(emaKRefA(macd[slow-1:], signal, 2.0/float64(signal+1)), slow-1, n)
	hist := make([]float64, n)
	for i := range hist {
		hist[i] = macd[i] - sig[i]
	}
	return [][]float64{macd, sig, hist}
}

// linRegRefA is TA-Lib C's LINEARREG family loop: the sums over the window
// are recomputed at every bar. kind: 0 value, 1 slope, 2 intercept, 3 angle,
// 4 tsf.
func linRegRefA(x []float64, period, kind int) []float64 {
	out := make([]float64, len(x))
	for today := period - 1; today < len(x); today++ {
		out[today] = linRegFresh(x, today, period)[kind]
	}
	return out
}

// macdExtSMARefA is TA-Lib C's MACDEXT with three SMAs: each MA is asked for
// output from the largest lookback on, so the fast SMA's running sum starts
// at slow-fast and the signal SMA's at the first MACD value (go-talib sums
// both from index 0, which rounds differently).
func macdExtSMARefA(x []float64, fast, slow, signal int) [][]float64 {
	n := len(x)
	f := shiftA(talib.Sma(x[slow-fast:], fast), slow-fast, n)
	s := talib.Sma(x, slow)
	macd := make([]float64, n)
	for i := slow - 1; i < n; i++ {
		macd[i] = f[i] - s[i]
	}
	sig := shiftA(talib.Sma(macd[slow-1:], signal), slow-1, n)
	hist := make([]float64, n)
	for i := range hist {
		hist[i] = macd[i] - sig[i]
	}
	return [][]float64{macd, sig, hist}
}

// stochRSIRefA is TA-Lib C's STOCHRSI with an SMA %D: STOCHF over the RSI
// values only (from RSI's first value), %K = (rsi-lowest)/((highest-lowest)/100).
func stochRSIRefA(x []float64, period, fastK, fastD int) [][]float64 {
	n := len(x)
	rsi := talib.Rsi(x, period)
	k := make([]float64, n)
	for i := period + fastK - 1; i < n; i++ {
		lo, hi := rsi[i], rsi[i]
		for j := i - fastK + 1; j <= i; j++ {
			lo, hi = math.Min(lo, rsi[j]), math.Max(hi, rsi[j])
		}
		if diff := (hi - lo) / 100.0; diff != 0 {
			k[i] = (rsi[i] - lo) / diff
		}
	}
	start := period + fastK - 1
	d := shiftA(talib.Sma(k[start:], fastD), start, n)
	kk := make([]float64, n)
	copy(kk[start+fastD-1:], k[start+fastD-1:])
	return [][]float64{kk, d}
}

// bbandsRefA is TA-Lib C's BBANDS for a middle band mid with lookback lb:
// TA-Lib asks STDDEV for output from lb on, so the variance's running sums
// start at lb-(period-1) (go-talib starts them at 0, which rounds
// differently: visible where the variance is near 0).
func bbandsRefA(x, mid []float64, lb, period int, up, dn float64) [][]float64 {
	n := len(x)
	start := lb - (period - 1)
	sd := shiftA(talib.StdDev(x[start:], period, 1), start, n)
	u, m, l := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := lb; i < n; i++ {
		m[i] = mid[i]
		u[i] = mid[i] + sd[i]*up
		l[i] = mid[i] - sd[i]*dn
	}
	return [][]float64{u, m, l}
}
