package indicators_test

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
)

// The LINEARREG family slides its sums in O(1) instead of re-summing the
// window as TA-Lib C does (see LinReg). These tests prove the sliding sums
// do not drift: at every index of long series the outputs stay within the
// golden tolerance of TA-Lib C's own loop run afresh on the same window.

// linRegBuilders are the five constructors in linRegRefA's kind order.
var linRegBuilders = []struct {
	name string
	new  func(int, indicators.Source) (*indicators.LinReg, error)
}{
	{"linearreg", indicators.NewLinearReg},
	{"linearreg_slope", indicators.NewLinearRegSlope},
	{"linearreg_intercept", indicators.NewLinearRegIntercept},
	{"linearreg_angle", indicators.NewLinearRegAngle},
	{"tsf", indicators.NewTSF},
}

// linRegFresh is TA-Lib C's loop for the window ending at today: the sums
// re-summed from scratch (x = bars back from today), all five outputs.
func linRegFresh(x []float64, today, period int) [5]float64 {
	p := float64(period)
	sumX := p * (p - 1) * 0.5
	sumXSqr := p * (p - 1) * (2*p - 1) / 6
	div := sumX*sumX - p*sumXSqr
	var sumXY, sumY float64
	for i := period - 1; i >= 0; i-- {
		v := x[today-i]
		sumY += v
		sumXY += float64(i) * v
	}
	m := (p*sumXY - sumX*sumY) / div
	b := (sumY - m*sumX) / p
	return [5]float64{b + m*float64(period-1), m, b, math.Atan(m) * (180.0 / math.Pi), b + m*p}
}

// linRegExactSlope is the least-squares slope of w (oldest first) in
// 256-bit arithmetic, rounded once: the truth both loops approximate.
func linRegExactSlope(w []float64) float64 {
	const prec = 256
	p := len(w)
	sy, sxy := new(big.Float).SetPrec(prec), new(big.Float).SetPrec(prec)
	for j, v := range w {
		y := new(big.Float).SetPrec(prec).SetFloat64(v)
		sy.Add(sy, y)
		// x counts bars back from the newest, as in TA-Lib.
		sxy.Add(sxy, new(big.Float).SetPrec(prec).Mul(y, new(big.Float).SetInt64(int64(p-1-j))))
	}
	fp := new(big.Float).SetPrec(prec).SetInt64(int64(p))
	sumX := new(big.Float).SetPrec(prec).SetInt64(int64(p * (p - 1) / 2))
	sumXSqr := new(big.Float).SetPrec(prec).SetInt64(int64(p * (p - 1) * (2*p - 1) / 6))
	num := new(big.Float).SetPrec(prec).Sub(new(big.Float).SetPrec(prec).Mul(fp, sxy), new(big.Float).SetPrec(prec).Mul(sumX, sy))
	div := new(big.Float).SetPrec(prec).Sub(new(big.Float).SetPrec(prec).Mul(sumX, sumX), new(big.Float).SetPrec(prec).Mul(fp, sumXSqr))
	m, _ := new(big.Float).SetPrec(prec).Quo(num, div).Float64()
	return m
}

// checkLinRegAgainstFresh streams x through all five kinds and compares
// every index from the lookback on with linRegFresh, within goldenTol
// (closeEnough: 1e-9 relative, or absolute near 0). It reports the worst
// absolute and relative differences seen.
func checkLinRegAgainstFresh(t *testing.T, x []float64, period int) {
	t.Helper()
	inds := make([]*indicators.LinReg, len(linRegBuilders))
	for k, b := range linRegBuilders {
		l, err := b.new(period, indicators.SourceClose)
		if err != nil {
			t.Fatal(err)
		}
		inds[k] = l
	}
	var worstAbs, worstRel [5]float64
	bad := 0
	for i, v := range x {
		var got [5]float64
		for k, l := range inds {
			got[k] = l.Next(v)
		}
		if i < period-1 {
			continue
		}
		want := linRegFresh(x, i, period)
		for k := range got {
			d := math.Abs(got[k] - want[k])
			worstAbs[k] = math.Max(worstAbs[k], d)
			if m := math.Max(math.Abs(got[k]), math.Abs(want[k])); m > 0 {
				worstRel[k] = math.Max(worstRel[k], d/m)
			}
			if !closeEnough(got[k], want[k], goldenTol) {
				if bad < 5 {
					t.Errorf("%s(%d) at %d: sliding %.17g, fresh re-sum %.17g", linRegBuilders[k].name, period, i, got[k], want[k])
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d values beyond %g", bad, goldenTol)
	}
	// Which of the two is nearer the truth: the slope against an exact
	// (256-bit) regression on a sample of windows.
	oursErr, freshErr := 0.0, 0.0
	slope, _ := indicators.NewLinearRegSlope(period, indicators.SourceClose)
	for i, v := range x {
		got := slope.Next(v)
		if i < period-1 || i%97 != 0 {
			continue
		}
		exact := linRegExactSlope(x[i-period+1 : i+1])
		oursErr = math.Max(oursErr, math.Abs(got-exact))
		freshErr = math.Max(freshErr, math.Abs(linRegFresh(x, i, period)[1]-exact))
	}
	t.Logf("slope vs exact on every 97th window: sliding worst |err| %.3g, TA-Lib's fresh re-sum %.3g", oursErr, freshErr)
	for k, b := range linRegBuilders {
		t.Logf("%-20s period %d, %d bars: worst |diff| %.3g, worst relative %.3g", b.name, period, len(x), worstAbs[k], worstRel[k])
	}
}

// linRegWalk is a seeded random walk of n values around start with the
// golden walks' structure: flat stretches (a window of identical values,
// slope exactly 0), rare 15% jumps, exchange-like gaps (a run of bars
// repeating the last close) and a drift of the level over the series.
func linRegWalk(seed uint64, n int, start, vol float64) []float64 {
	bars := randomWalkA(seed, n, start, vol)
	x := make([]float64, n)
	for i, b := range bars {
		x[i] = b.Close
		if i%4096 >= 4000 && i%4096 < 4040 && i > 0 {
			x[i] = x[i-1] // a gap: the feed repeats the last close
		}
	}
	return x
}

// TestLinRegNoDriftLong runs 1,000,000 bars of a random walk (100,000 with
// -short) through every kind and compares every index with a fresh
// O(period) re-sum: any drift of the running sums would grow with the
// series and show here.
func TestLinRegNoDriftLong(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	for _, tc := range []struct {
		name          string
		start, vol    float64
		period, count int
	}{
		{"walk100", 100, 0.01, 14, n},
		{"walkBTC", 50000, 0.002, 14, n},
		{"walkSmall", 0.01, 0.03, 2, n},
		{"walk100p200", 100, 0.01, 200, n / 10},
		{"walk1e5p100", 1e5, 0.01, 100, n / 10},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.name, tc.period), func(t *testing.T) {
			checkLinRegAgainstFresh(t, linRegWalk(11, tc.count, tc.start, tc.vol), tc.period)
		})
	}
}

// TestLinRegNoDriftShared does the same on the full Binance BTC/USDT 5m
// series (65,741 bars, with its exchange gaps) from ../shared/data, skipped
// where it is absent (users' machines). The committed 1,000-bar goldens of
// every series are checked against TA-Lib C itself by TestStreamGolden.
func TestLinRegNoDriftShared(t *testing.T) {
	bars := benchSeries()
	if bars == nil {
		t.Skip("../shared/data not present")
	}
	x := make([]float64, len(bars))
	for i, b := range bars {
		x[i] = b.Close
	}
	for _, period := range []int{2, 8, 14, 100} {
		t.Run(fmt.Sprint(period), func(t *testing.T) { checkLinRegAgainstFresh(t, x, period) })
	}
}

// TestLinRegFlatWindow checks that a window of identical values gives a
// slope and angle of exactly 0 and the value itself (to 1e-15) as line,
// intercept and forecast, from the first bar the window is flat on (a
// re-anchor in O(1), see LinReg) and through a Peek, even after the sums
// have carried a long history.
func TestLinRegFlatWindow(t *testing.T) {
	const period, flat = 14, 20
	x := linRegWalk(5, 50_000, 43210.5, 0.01)
	for i := 0; i < flat; i++ {
		x = append(x, 43210.12345)
	}
	for k, b := range linRegBuilders {
		l, err := b.new(period, indicators.SourceClose)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]float64, 1)
		for i, v := range x {
			l.Peek(indicators.Input{Close: v}, out)
			got := l.Next(v)
			if i < len(x)-flat+period-1 {
				continue
			}
			if !bitSame(out[0], got) {
				t.Fatalf("%s at %d: Peek %.17g, Next %.17g", b.name, i, out[0], got)
			}
			// The slope cancels exactly; the level is the value up to the
			// rounding of ΣY/period (TA-Lib C rounds there too).
			if k == 1 || k == 3 {
				if got != 0 {
					t.Errorf("%s over a flat window at %d: %.17g, want exactly 0", b.name, i, got)
				}
			} else if want := 43210.12345; !closeEnough(got, want, 1e-15) {
				t.Errorf("%s over a flat window at %d: %.17g, want %.17g", b.name, i, got, want)
			}
		}
	}
}

// TestLinRegSnapshotVersions checks the snapshot versions: the current one
// (4: the window, the anchor, the two sums and the re-anchor counters)
// restores bit for bit, which the generic tests check too; version-3
// (the window and four double-double sums) and version-2 (the window
// alone, from the O(period) implementation) snapshots are still read,
// their sums rebuilt from the window, and continue within the golden
// tolerance; any other version is refused with ErrState.
func TestLinRegSnapshotVersions(t *testing.T) {
	x := linRegWalk(3, 3000, 100, 0.01)
	// A flat stretch at the cut, so the restored repeat count matters.
	for i := 990; i < 1000; i++ {
		x[i] = x[989]
	}
	const tail = 40 // version 4 after the window: anchor, ΣD, ΣXD, age, run
	for _, b := range linRegBuilders {
		t.Run(b.name, func(t *testing.T) {
			a, _ := b.new(14, indicators.SourceClose)
			for _, v := range x[:1000] {
				a.Next(v)
			}
			snap, err := a.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if snap[0] != 4 {
				t.Fatalf("snapshot version %d, want 4", snap[0])
			}
			prefix := snap[1 : len(snap)-tail] // name, scalar, window
			v3 := append(append([]byte{3}, prefix...), make([]byte, 32)...)
			v2 := append([]byte{2}, prefix...)
			for _, old := range []struct {
				name string
				data []byte
			}{{"version 3", v3}, {"version 2", v2}} {
				restored, _ := b.new(14, indicators.SourceClose)
				if err := restored.UnmarshalBinary(old.data); err != nil {
					t.Fatalf("%s snapshot: %v", old.name, err)
				}
				cont, _ := b.new(14, indicators.SourceClose)
				if err := cont.UnmarshalBinary(snap); err != nil {
					t.Fatal(err)
				}
				for i, v := range x[1000:] {
					want, got := cont.Next(v), restored.Next(v)
					if !closeEnough(got, want, goldenTol) {
						t.Fatalf("bar %d after a %s restore: %.17g, uninterrupted %.17g", 1000+i, old.name, got, want)
					}
				}
			}
			for _, v := range []byte{0, 1, 5, 255} {
				bad := append([]byte{v}, snap[1:]...)
				fresh, _ := b.new(14, indicators.SourceClose)
				if err := fresh.UnmarshalBinary(bad); !errors.Is(err, indicators.ErrState) {
					t.Errorf("version %d: %v, want ErrState", v, err)
				}
			}
			// A version-4 snapshot cut short is truncated.
			fresh, _ := b.new(14, indicators.SourceClose)
			if err := fresh.UnmarshalBinary(snap[:len(snap)-8]); !errors.Is(err, indicators.ErrState) {
				t.Errorf("truncated version 4: %v, want ErrState", err)
			}
		})
	}
}
