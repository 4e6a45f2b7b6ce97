package rules_test

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// readNinjabot reads testdata/btc-1h.csv (ninjabot's column order: time,
// open, close, low, high, volume, trades).
func readNinjabot(t testing.TB, path string) []strategies.BarValues {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bars []strategies.BarValues
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		num := func(i int) float64 {
			v, err := strconv.ParseFloat(c[i], 64)
			if err != nil {
				t.Fatalf("%s: %v", sc.Text(), err)
			}
			return v
		}
		open := time.Unix(int64(num(0)), 0).UTC()
		bars = append(bars, strategies.BarValues{OpenTime: open, CloseTime: open.Add(time.Hour),
			Open: num(1), Close: num(2), Low: num(3), High: num(4), Volume: num(5)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return bars
}

// fakeEngine drives one Strategy the way the engine contract describes:
// input bars resampled into epoch-aligned buckets of each timeframe the
// strategy uses, indicators updated as their bar closes, OnBar called on a
// strategy timeframe's close once its indicators there are ready. It keeps
// all history (test-sized inputs only) and knows nothing of the rules
// package's internals.
type fakeEngine struct {
	input  events.Interval
	strat  strategies.Strategy
	needs  strategies.Needs
	tfs    []*fakeSeries // every timeframe in use, ascending
	inds   []indicators.Indicator
	vals   [][][]float64 // per need: outputs per closed bar of its timeframe
	tfOf   []*fakeSeries // per need
	cur    *fakeSeries   // the timeframe OnBar is running for
	out    []strategies.Decision
	record func(tf events.Interval, b strategies.BarValues, d strategies.Decision)
}

type fakeSeries struct {
	tf      events.Interval
	bars    []strategies.BarValues
	forming *strategies.BarValues
	closed  bool // closed a bar on the current input
}

func newFakeEngine(t testing.TB, reg *indicators.Registry, s strategies.Strategy, input events.Interval) *fakeEngine {
	t.Helper()
	e := &fakeEngine{input: input, strat: s, needs: s.Needs()}
	series := func(tf events.Interval) *fakeSeries {
		if tf == 0 {
			tf = input
		}
		for _, fs := range e.tfs {
			if fs.tf == tf {
				return fs
			}
		}
		fs := &fakeSeries{tf: tf}
		i := len(e.tfs)
		e.tfs = append(e.tfs, fs)
		for i > 0 && e.tfs[i-1].tf > tf {
			e.tfs[i], e.tfs[i-1] = e.tfs[i-1], e.tfs[i]
			i--
		}
		return fs
	}
	tfs := e.needs.Timeframes
	if len(tfs) == 0 {
		tfs = []events.Interval{0}
	}
	for _, tf := range tfs {
		series(tf)
	}
	for _, n := range e.needs.Indicators {
		ind, err := reg.New(n.Spec)
		if err != nil {
			t.Fatalf("need %q: %v", n.Spec, err)
		}
		e.inds = append(e.inds, ind)
		e.vals = append(e.vals, nil)
		e.tfOf = append(e.tfOf, series(n.Timeframe))
	}
	return e
}

func (e *fakeEngine) apply(b strategies.BarValues) {
	for _, fs := range e.tfs {
		fs.closed = false
		if fs.tf == e.input {
			e.close(fs, b)
			continue
		}
		start := b.OpenTime.Truncate(fs.tf.Duration())
		if fs.forming != nil && !fs.forming.OpenTime.Equal(start) {
			e.close(fs, *fs.forming) // a gap: the partial bar closes
			fs.forming = nil
		}
		if fs.forming == nil {
			fs.forming = &strategies.BarValues{OpenTime: start, CloseTime: start.Add(fs.tf.Duration()),
				Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume}
		} else {
			f := fs.forming
			f.High, f.Low, f.Close, f.Volume = max(f.High, b.High), min(f.Low, b.Low), b.Close, f.Volume+b.Volume
		}
		if b.CloseTime.Equal(fs.forming.CloseTime) {
			e.close(fs, *fs.forming)
			fs.forming = nil
		}
	}
	tfs := e.needs.Timeframes
	if len(tfs) == 0 {
		tfs = []events.Interval{0}
	}
	for _, tf := range tfs {
		if tf == 0 {
			tf = e.input
		}
		var fs *fakeSeries
		for _, x := range e.tfs {
			if x.tf == tf {
				fs = x
			}
		}
		if !fs.closed || !e.ready(fs) {
			continue
		}
		e.cur = fs
		e.out = e.strat.OnBar(e, e.out[:0])
		if !e.allValid() {
			// Like the engine: a signal carries every declared
			// indicator's value, so none is emitted while one (on
			// another timeframe) is still warming up.
			continue
		}
		for _, d := range e.out {
			if e.record != nil {
				e.record(tf, fs.bars[len(fs.bars)-1], d)
			}
		}
	}
}

func (e *fakeEngine) close(fs *fakeSeries, b strategies.BarValues) {
	fs.bars = append(fs.bars, b)
	fs.closed = true
	for i, ind := range e.inds {
		if e.tfOf[i] != fs {
			continue
		}
		ind.Update(indicators.Input{Open: b.Open, High: b.High, Low: b.Low, Close: b.Close, Volume: b.Volume, Time: b.OpenTime.UnixNano()})
		v := make([]float64, len(ind.Outputs()))
		for o := range v {
			v[o] = ind.Value(o)
		}
		e.vals[i] = append(e.vals[i], v)
	}
}

func (e *fakeEngine) allValid() bool {
	for i := range e.inds {
		if v, ok := e.Value(i, 0, 0); !ok || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func (e *fakeEngine) ready(fs *fakeSeries) bool {
	for i, ind := range e.inds {
		if e.tfOf[i] == fs && !ind.Ready() {
			return false
		}
	}
	return true
}

func (e *fakeEngine) history() int {
	if e.needs.History == 0 {
		return 2
	}
	return e.needs.History
}

func (e *fakeEngine) Symbol() string             { return "BTCUSDT" }
func (e *fakeEngine) Timeframe() events.Interval { return e.cur.tf }
func (e *fakeEngine) Provisional() bool          { return false }
func (e *fakeEngine) Bar(n int) (strategies.BarValues, bool) {
	bars := e.cur.bars
	if n < 0 || n >= e.history() || n >= len(bars) {
		return strategies.BarValues{}, false
	}
	return bars[len(bars)-1-n], true
}

func (e *fakeEngine) Value(i, o, n int) (float64, bool) {
	if i < 0 || i >= len(e.vals) || n < 0 || n >= e.history() {
		return math.NaN(), false
	}
	h := e.vals[i]
	if n >= len(h) || o < 0 || o >= len(h[len(h)-1-n]) {
		return math.NaN(), false
	}
	v := h[len(h)-1-n][o]
	return v, !math.IsNaN(v)
}
