package strategies_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/strategies"
)

// loadBTC1h reads testdata/btc-1h.csv (ninjabot's column order: time, open,
// close, low, high, volume, trades), skipping rows whose time does not
// advance (the file's duplicate rows), as the engine would reject them.
func loadBTC1h(t *testing.T) []indicators.Input {
	t.Helper()
	f, err := os.Open("testdata/btc-1h.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bars []indicators.Input
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		c := strings.Split(sc.Text(), ",")
		if len(c) != 7 {
			t.Fatalf("line %d: %d columns", line, len(c))
		}
		var v [6]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(c[i], 64); err != nil {
				t.Fatalf("line %d: %v", line, err)
			}
		}
		in := indicators.Input{Time: int64(v[0]) * 1e9, Open: v[1], Close: v[2], Low: v[3], High: v[4], Volume: v[5]}
		if n := len(bars); n > 0 && in.Time <= bars[n-1].Time {
			continue
		}
		bars = append(bars, in)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return bars
}

// series is every output of every indicator a strategy needs at every bar
// (NaN before it is ready), computed by the streaming indicators.
type series struct {
	bars  []indicators.Input
	outs  [][][]float64 // [indicator][output][bar]
	ready [][]bool      // [indicator][bar]
}

func computeSeries(t *testing.T, reg *indicators.Registry, needs strategies.Needs, bars []indicators.Input) series {
	t.Helper()
	s := series{bars: bars}
	for _, need := range needs.Indicators {
		ind, err := reg.New(need.Spec)
		if err != nil {
			t.Fatal(err)
		}
		o := make([][]float64, len(ind.Outputs()))
		for k := range o {
			o[k] = make([]float64, len(bars))
		}
		r := make([]bool, len(bars))
		for b, in := range bars {
			ind.Update(in)
			r[b] = ind.Ready()
			for k := range o {
				o[k][b] = ind.Value(k)
			}
		}
		s.outs = append(s.outs, o)
		s.ready = append(s.ready, r)
	}
	return s
}

// simView is a minimal engine View over precomputed series at bar t,
// keeping history values as Needs.History says.
type simView struct {
	s       *series
	t, hist int
}

func (v *simView) Symbol() string             { return "BTCUSDT" }
func (v *simView) Timeframe() events.Interval { return events.Hour }
func (v *simView) Provisional() bool          { return false }
func (v *simView) Bar(n int) (strategies.BarValues, bool) {
	if n < 0 || n >= v.hist || v.t-n < 0 {
		return strategies.BarValues{}, false
	}
	in := v.s.bars[v.t-n]
	ot := time.Unix(0, in.Time).UTC()
	return strategies.BarValues{OpenTime: ot, CloseTime: ot.Add(time.Hour), Open: in.Open, High: in.High, Low: in.Low, Close: in.Close, Volume: in.Volume}, true
}

func (v *simView) Value(i, o, n int) (float64, bool) {
	if n < 0 || n >= v.hist || v.t-n < 0 || !v.s.ready[i][v.t-n] {
		return math.NaN(), false
	}
	return v.s.outs[i][o][v.t-n], true
}

type decisionAt struct {
	bar int
	d   strategies.Decision
}

func runSim(s strategies.Strategy, ser *series) []decisionAt {
	h := s.Needs().History
	if h == 0 {
		h = 2
	}
	var got []decisionAt
	var out []strategies.Decision
	v := &simView{s: ser, hist: h}
	for t := range ser.bars {
		ready := true
		for i := range ser.ready {
			ready = ready && ser.ready[i][t]
		}
		if !ready {
			continue
		}
		v.t = t
		out = s.OnBar(v, out[:0])
		for _, d := range out {
			got = append(got, decisionAt{t, d})
		}
	}
	return got
}

// referenceKinds applies each built-in's documented rule (default
// parameters) to whole series, written independently of the strategies'
// code: +1 long, -1 short, per bar.
func referenceKinds(name string, s *series) map[int]int {
	ref := map[int]int{}
	c := func(t int) float64 { return s.bars[t].Close }
	o := func(i, k, t int) float64 { return s.outs[i][k][t] }
	ok := func(t int, back int) bool {
		for i := range s.ready {
			for b := 0; b <= back; b++ {
				if t-b < 0 || !s.ready[i][t-b] {
					return false
				}
			}
		}
		return true
	}
	for t := range s.bars {
		switch name {
		case "ema_cross": // fast crosses slow
			if !ok(t, 1) {
				continue
			}
			f0, f1, s0, s1 := o(0, 0, t), o(0, 0, t-1), o(1, 0, t), o(1, 0, t-1)
			if f1 <= s1 && f0 > s0 {
				ref[t] = 1
			} else if f1 >= s1 && f0 < s0 {
				ref[t] = -1
			}
		case "macd_cross":
			if !ok(t, 1) {
				continue
			}
			m0, m1, s0, s1 := o(0, 0, t), o(0, 0, t-1), o(0, 1, t), o(0, 1, t-1)
			if m1 <= s1 && m0 > s0 {
				ref[t] = 1
			} else if m1 >= s1 && m0 < s0 {
				ref[t] = -1
			}
		case "rsi_reversion":
			if !ok(t, 1) {
				continue
			}
			r0, r1 := o(0, 0, t), o(0, 0, t-1)
			if r1 <= 30 && r0 > 30 {
				ref[t] = 1
			} else if r1 >= 70 && r0 < 70 {
				ref[t] = -1
			}
		case "bollinger": // reversion
			if !ok(t, 1) {
				continue
			}
			long := c(t-1) <= o(0, 2, t-1) && c(t) > o(0, 2, t)
			short := c(t-1) >= o(0, 0, t-1) && c(t) < o(0, 0, t)
			if long && !short {
				ref[t] = 1
			} else if short && !long {
				ref[t] = -1
			}
		case "donchian_breakout":
			if !ok(t, 2) {
				continue
			}
			if c(t) > o(0, 0, t-1) && c(t-1) <= o(0, 0, t-2) {
				ref[t] = 1
			} else if c(t) < o(0, 2, t-1) && c(t-1) >= o(0, 2, t-2) {
				ref[t] = -1
			}
		case "supertrend":
			if !ok(t, 1) {
				continue
			}
			d0, d1 := o(0, 1, t), o(0, 1, t-1)
			if d1 < 0 && d0 > 0 {
				ref[t] = 1
			} else if d1 > 0 && d0 < 0 {
				ref[t] = -1
			}
		}
	}
	return ref
}

// TestRealData runs every built-in (default parameters) over 1,200 real
// hourly BTCUSDT bars through a minimal engine, checks each decision
// against the documented rule applied to whole series, and pins them in a
// golden file (which the engine's tests can compare with).
func TestRealData(t *testing.T) {
	bars := loadBTC1h(t)
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, def := range strategies.Builtins() {
		got := checkAgainstReference(t, reg, def, bars)
		fmt.Fprintf(&b, "%s: %d decisions\n", def.Name, len(got))
		for _, g := range got {
			closeTime := time.Unix(0, bars[g.bar].Time).UTC().Add(time.Hour)
			fmt.Fprintf(&b, "  %s %-5s %+g %s\n", closeTime.Format(time.RFC3339), g.d.Kind, g.d.Strength, g.d.Reason)
		}
	}
	golden.Check(t, "testdata/btc-1h-signals.golden", []byte(b.String()))
}

// checkAgainstReference runs def (default parameters) over bars and checks
// every decision against referenceKinds.
func checkAgainstReference(t *testing.T, reg *indicators.Registry, def strategies.Def, bars []indicators.Input) []decisionAt {
	t.Helper()
	s := mustNew(t, def, nil)
	ser := computeSeries(t, reg, s.Needs(), bars)
	got := runSim(s, &ser)
	ref := referenceKinds(def.Name, &ser)
	if len(got) != len(ref) {
		t.Errorf("%s: %d decisions, the reference rule gives %d", def.Name, len(got), len(ref))
	}
	if len(got) < 5 {
		t.Errorf("%s: only %d decisions on %d bars", def.Name, len(got), len(bars))
	}
	for _, g := range got {
		want := map[int]events.SignalKind{1: events.KindLong, -1: events.KindShort}[ref[g.bar]]
		if g.d.Kind != want {
			t.Errorf("%s: bar %d: %v, reference %v", def.Name, g.bar, g.d.Kind, want)
		}
	}
	return got
}

// TestSharedBinance5m checks every built-in against its reference rule on
// the five full Binance 5m series (65,7xx bars each) of shared/data.
func TestSharedBinance5m(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range []string{"BTC", "ETH", "ADA", "SOL", "XRP"} {
		t.Run(pair, func(t *testing.T) {
			bars := loadFreqtradeGz(t, shareddata.Market(t, "binance-spot-nfi", pair+"_USDT-5m.json.gz"))
			if len(bars) < 65000 {
				t.Fatalf("%d bars", len(bars))
			}
			for _, def := range strategies.Builtins() {
				got := checkAgainstReference(t, reg, def, bars)
				t.Logf("%s: %d decisions on %d bars", def.Name, len(got), len(bars))
			}
		})
	}
}

// loadFreqtradeGz reads freqtrade's [[open_ms, o, h, l, c, v], ...] JSON.
func loadFreqtradeGz(t *testing.T, path string) []indicators.Input {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var rows [][6]float64
	if err := json.NewDecoder(zr).Decode(&rows); err != nil {
		t.Fatal(err)
	}
	bars := make([]indicators.Input, 0, len(rows))
	for _, r := range rows {
		in := indicators.Input{Time: int64(r[0]) * 1e6, Open: r[1], High: r[2], Low: r[3], Close: r[4], Volume: r[5]}
		if n := len(bars); n > 0 && in.Time <= bars[n-1].Time {
			continue
		}
		bars = append(bars, in)
	}
	return bars
}
