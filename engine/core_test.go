package engine_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/strategies"
)

// call is one OnBar call as a test strategy saw it.
type call struct {
	symbol      string
	tf          events.Interval
	close       time.Time
	provisional bool
	values      []float64
}

// recorder collects the calls of the test strategies built from one Def.
type recorder struct{ calls []call }

// testCross is a test strategy: long when indicator 0 crosses above
// indicator 1, short when below, on its timeframe; it may also read a third
// indicator (on another timeframe) as a filter, and with every > 0 it emits a
// flat signal every that many calls, counting in its own (Stateful) state.
type testCross struct {
	needs strategies.Needs
	rec   *recorder
	every int
	n     uint64 // calls so far: the Stateful state
}

func (s *testCross) Needs() strategies.Needs { return s.needs }

func (s *testCross) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	if s.rec != nil {
		c := call{symbol: v.Symbol(), tf: v.Timeframe(), provisional: v.Provisional()}
		b, _ := v.Bar(0)
		c.close = b.CloseTime
		for i := range s.needs.Indicators {
			x, ok := v.Value(i, 0, 0)
			if !ok {
				x = math.NaN()
			}
			c.values = append(c.values, x)
		}
		s.rec.calls = append(s.rec.calls, c)
	}
	s.n++
	if s.every > 0 && s.n%uint64(s.every) == 0 {
		out = append(out, strategies.Decision{Kind: events.KindFlat, Reason: "every"})
	}
	f0, ok0 := v.Value(0, 0, 0)
	f1, ok1 := v.Value(0, 0, 1)
	s0, ok2 := v.Value(1, 0, 0)
	s1, ok3 := v.Value(1, 0, 1)
	if !ok0 || !ok1 || !ok2 || !ok3 {
		return out
	}
	switch {
	case f1 <= s1 && f0 > s0:
		return append(out, strategies.Decision{Kind: events.KindLong, Strength: 1, Reason: "cross up"})
	case f1 >= s1 && f0 < s0:
		return append(out, strategies.Decision{Kind: events.KindShort, Strength: -1, Reason: "cross down"})
	}
	return out
}

func (s *testCross) MarshalBinary() ([]byte, error) { return binary.AppendUvarint(nil, s.n), nil }

func (s *testCross) UnmarshalBinary(b []byte) error {
	n, k := binary.Uvarint(b)
	if k <= 0 || k != len(b) {
		return errors.New("testCross: bad state")
	}
	s.n = n
	return nil
}

// crossDef returns the Def of testCross: fast and slow EMA on tf, an
// optional filter spec on filter_tf, History hist.
func crossDef(rec *recorder) strategies.Def {
	return strategies.Def{
		Name: "test_cross", Version: "t1",
		Params: []strategies.ParamDef{
			{Name: "fast", Kind: strategies.ParamString, Default: "ema(5)"},
			{Name: "slow", Kind: strategies.ParamString, Default: "ema(12)"},
			{Name: "tf", Kind: strategies.ParamInterval, Default: "0"},
			{Name: "filter", Kind: strategies.ParamString, Default: "-"},
			{Name: "filter_tf", Kind: strategies.ParamInterval, Default: "0"},
			{Name: "every", Kind: strategies.ParamInt, Default: "0"},
			{Name: "history", Kind: strategies.ParamInt, Default: "0"},
		},
		New: func(p strategies.Params) (strategies.Strategy, error) {
			tf := p.Interval("tf")
			n := strategies.Needs{
				Timeframes: []events.Interval{tf},
				Indicators: []strategies.IndicatorNeed{{Timeframe: tf, Spec: p.String("fast")}, {Timeframe: tf, Spec: p.String("slow")}},
				History:    p.Int("history"),
			}
			if f := p.String("filter"); f != "-" {
				n.Indicators = append(n.Indicators, strategies.IndicatorNeed{Timeframe: p.Interval("filter_tf"), Spec: f})
			}
			return &testCross{needs: n, rec: rec, every: p.Int("every")}, nil
		},
	}
}

func crossInstance(t testing.TB, name string, rec *recorder, params map[string]string) engine.Instance {
	t.Helper()
	def := crossDef(rec)
	p, err := strategies.Bind(def, params)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Instance{Name: name, Def: def, Params: p}
}

// sample returns the committed real data used by most tests: ninjabot's
// Binance BTC/USDT 1h and ta4j's Binance.US ETH/USD 5m (both MIT, see
// examples/data/PROVENANCE.md), merged by time.
func sample(t testing.TB) []events.Bar {
	return merge(loadExample(t, "btc-1h.csv"), loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json"))
}

// sampleConfig runs every built-in on the input timeframe and on 4h, plus a
// Stateful multi-timeframe test strategy.
func sampleConfig(t testing.TB, provisional bool) engine.Config {
	insts := builtins(t, "0", "4h")
	insts = append(insts, crossInstance(t, "cross_mtf", nil, map[string]string{
		"tf": "0", "filter": "sma(10)", "filter_tf": "4h", "every": "50", "history": "3"}))
	return engine.Config{Strategies: insts, Provisional: provisional}
}

// dedupe drops bars the Core would reject as out of order (the ninjabot
// file has exact duplicate rows), keeping the stream clean for tests that
// want no rejections.
func dedupe(bars []events.Bar) []events.Bar {
	last := map[string]time.Time{}
	var out []events.Bar
	for _, b := range bars {
		k := b.Symbol + "|" + b.Interval.String()
		if l, ok := last[k]; ok && !b.OpenTime.After(l) {
			continue
		}
		last[k] = b.OpenTime
		out = append(out, b)
	}
	return out
}

func TestDeterminismGolden(t *testing.T) {
	bars := dedupe(sample(t))
	run := func() ([]byte, []byte) {
		c := newCore(t, sampleConfig(t, true))
		return encode(t, replay(t, c, bars, 0, len(bars)))
	}
	j1, b1 := run()
	j2, b2 := run()
	if !bytes.Equal(b1, b2) || !bytes.Equal(j1, j2) {
		t.Fatal("two replays of the same bars gave different signal bytes")
	}
	if bytes.Count(j1, []byte("\n")) < 50 {
		t.Fatalf("only %d signals; the golden would prove little", bytes.Count(j1, []byte("\n")))
	}
	for _, want := range []string{`"status":"provisional"`, `"status":"confirmed"`, `"timeframe":"4h"`, `"timeframe":"5m"`, `"timeframe":"1h"`} {
		if !bytes.Contains(j1, []byte(want)) {
			t.Errorf("no signal with %s", want)
		}
	}
	// The whole stream is pinned by its hash; the signals of the first
	// 300 bars are kept in full for review.
	sum := sha256.Sum256(b1)
	golden.Check(t, "testdata/sample_signals.sha256.golden", []byte(hex.EncodeToString(sum[:])+"\n"))
	n := bytes.Count(j1, []byte("\n"))
	head, _ := encode(t, replay(t, newCore(t, sampleConfig(t, true)), bars, 0, 300))
	if !bytes.HasPrefix(j1, head) {
		t.Fatalf("the first 300 bars' signals are not a prefix of the %d of the whole run", n)
	}
	golden.Check(t, "testdata/sample_signals_300.golden.jsonl", head)
}

func TestSignalFields(t *testing.T) {
	bars := dedupe(loadExample(t, "btc-1h.csv"))
	rec := &recorder{}
	inst := crossInstance(t, "x", rec, map[string]string{"fast": "ema(5)", "slow": "bbands(20,2,2).middle", "filter": "macd(12,26,9)", "filter_tf": "4h"})
	c := newCore(t, engine.Config{Strategies: []engine.Instance{inst}})
	sigs := replay(t, c, bars, 0, len(bars))
	if len(sigs) == 0 {
		t.Fatal("no signals")
	}
	byClose := map[time.Time]int{}
	for i, b := range bars {
		byClose[b.CloseTime] = i
	}
	for _, s := range sigs {
		i, ok := byClose[s.Time]
		if !ok {
			t.Fatalf("signal time %v is no bar's close", s.Time)
		}
		if s.Source != posAt(i) {
			t.Fatalf("source %v, want %v", s.Source, posAt(i))
		}
		if s.Price != bars[i].Close {
			t.Fatalf("price %v, want the close %v", s.Price, bars[i].Close)
		}
		if s.Strategy != "x" || s.StrategyVersion != "t1" || s.ParamHash != inst.Params.Hash() ||
			!slices.Equal(s.Params, inst.Params.List()) || s.Timeframe != events.Hour || s.Symbol != bars[0].Symbol {
			t.Fatalf("bad identity fields: %+v", s)
		}
		names := []string{"ema(5)", "bbands(20,2,2).middle", "4h:macd(12,26,9).macd", "4h:macd(12,26,9).signal", "4h:macd(12,26,9).hist"}
		var got []string
		for _, iv := range s.Indicators {
			got = append(got, iv.Name)
		}
		if !slices.Equal(got, names) {
			t.Fatalf("indicator names %q, want %q", got, names)
		}
		id := engine.SignalID("x", s.ParamHash, s.Symbol, s.Timeframe, s.Source, s.Status, 0)
		if s.ID != id || len(s.ID) != 32 {
			t.Fatalf("ID %s, want %s", s.ID, id)
		}
	}
}

func TestWarmUp(t *testing.T) {
	bars := dedupe(loadExample(t, "btc-1h.csv"))
	rec := &recorder{}
	// ema(50) on 4h needs 50 4h bars; the 1h strategy must wait for it.
	inst := crossInstance(t, "w", rec, map[string]string{"fast": "ema(5)", "slow": "rsi(14)", "filter": "ema(50)", "filter_tf": "4h"})
	c := newCore(t, engine.Config{Strategies: []engine.Instance{inst}})
	sigs := replay(t, c, bars, 0, len(bars))
	if len(rec.calls) == 0 {
		t.Fatal("OnBar never called")
	}
	for _, cl := range rec.calls {
		for i, v := range cl.values {
			if math.IsNaN(v) {
				t.Fatalf("OnBar at %v with indicator %d not valid", cl.close, i)
			}
		}
	}
	// The first call comes once 50 4h bars have closed (at least 200 hours in).
	if first := rec.calls[0].close; first.Sub(bars[0].OpenTime) < 200*time.Hour {
		t.Fatalf("first OnBar at %v, only %v after the first bar", first, first.Sub(bars[0].OpenTime))
	}
	for _, s := range sigs {
		for _, iv := range s.Indicators {
			if math.IsNaN(iv.Value) || math.IsInf(iv.Value, 0) {
				t.Fatalf("signal %s carries %s = %v", s.ID, iv.Name, iv.Value)
			}
		}
	}
}

func TestIndicatorSharing(t *testing.T) {
	insts := []engine.Instance{
		crossInstance(t, "a", nil, map[string]string{"fast": "ema(20)", "slow": "ema(50)", "tf": "1h"}),
		crossInstance(t, "b", nil, map[string]string{"fast": "EMA( 20 )", "slow": "sma(50)", "tf": "1h"}),
		crossInstance(t, "c", nil, map[string]string{"fast": "ema(20,close)", "slow": "ema(50)", "tf": "5m"}),
	}
	c := newCore(t, engine.Config{Strategies: insts})
	bars := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	replay(t, c, bars, 0, 10)
	got := c.Series()
	if len(got) != 1 {
		t.Fatalf("%d series", len(got))
	}
	want := []string{"5m:ema(20)", "5m:ema(50)", "1h:ema(20)", "1h:ema(50)", "1h:sma(50)"}
	if !slices.Equal(got[0].Indicators, want) {
		t.Fatalf("indicators %q, want %q", got[0].Indicators, want)
	}
	if !slices.Equal(got[0].Timeframes, []events.Interval{5 * events.Minute, events.Hour}) {
		t.Fatalf("timeframes %v", got[0].Timeframes)
	}
}

func TestExcludedTimeframe(t *testing.T) {
	insts := []engine.Instance{crossInstance(t, "odd", nil, map[string]string{"tf": "7m"})}
	c := newCore(t, engine.Config{Strategies: insts})
	bars := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	replay(t, c, bars, 0, len(bars))
	s := c.Series()[0]
	if len(s.Strategies) != 0 || len(s.Excluded) != 1 || !strings.Contains(s.Excluded[0], "7m") {
		t.Fatalf("series %+v", s)
	}
}

func TestConfigErrors(t *testing.T) {
	good := crossInstance(t, "a", nil, nil)
	noNew := good
	noNew.Def.New = nil
	badSpec := crossInstance(t, "b", nil, map[string]string{"fast": "emma(5)"})
	failing := good
	failing.Name = "f"
	failing.Def.New = func(strategies.Params) (strategies.Strategy, error) { return nil, errors.New("nope") }
	for _, tc := range []struct {
		name  string
		insts []engine.Instance
		want  string
	}{
		{"duplicate", []engine.Instance{good, good}, "used twice"},
		{"no New", []engine.Instance{noNew}, "no New"},
		{"bad spec", []engine.Instance{badSpec}, "unknown indicator"},
		{"failing New", []engine.Instance{failing}, "nope"},
		{"bad interval", []engine.Instance{{Name: "i", Def: good.Def, Params: good.Params, Intervals: []events.Interval{-1}}}, "not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := engine.New(engine.Config{Strategies: tc.insts})
			if !errors.Is(err, engine.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrConfig with %q", err, tc.want)
			}
		})
	}
	if _, err := engine.New(engine.Config{}); err != nil {
		t.Fatalf("empty config: %v", err)
	}
}

func TestRejection(t *testing.T) {
	clean := dedupe(sample(t))
	c := newCore(t, sampleConfig(t, true))
	want, _ := encode(t, replay(t, c, clean, 0, len(clean)))

	// Salt the stream: every 37th bar is preceded by a bad one. Positions of
	// the good bars stay those of the clean run, so the signals must be
	// byte-identical.
	type item struct {
		b   events.Bar
		pos int
		bad string
	}
	var salted []item
	for i, b := range clean {
		if i%37 == 5 {
			bad := b
			switch (i / 37) % 5 {
			case 0:
				bad.High = events.MustFixed("0.0000001") // high below low
				salted = append(salted, item{bad, -1, "invalid"})
			case 1:
				bad.CloseTime = bad.CloseTime.Add(time.Minute) // interval mismatch
				salted = append(salted, item{bad, -1, "invalid"})
			case 2:
				bad.Symbol = ""
				salted = append(salted, item{bad, -1, "invalid"})
			}
		}
		salted = append(salted, item{b, i, ""})
		if i%37 == 6 && i > 0 {
			// A repeat of this bar, and an older one: out of order.
			salted = append(salted, item{b, -1, "order"}, item{clean[i-1], -1, "order"})
		}
	}
	c2 := newCore(t, sampleConfig(t, true))
	var got []events.Signal
	rejected := 0
	for _, it := range salted {
		p := posAt(it.pos)
		if it.pos < 0 {
			p = events.Position{Stream: "salt", Offset: 0}
		}
		before, _ := c2.MarshalBinary()
		n := len(got)
		var err error
		got, err = c2.Apply(p, &it.b, got)
		if it.bad == "" {
			if err != nil {
				t.Fatalf("good bar %d rejected: %v", it.pos, err)
			}
			continue
		}
		var re *engine.RejectError
		if !errors.Is(err, engine.ErrRejected) || !errors.As(err, &re) || re.Reason == "" {
			t.Fatalf("bad bar (%s) gave %v", it.bad, err)
		}
		if it.bad == "invalid" && !errors.Is(err, events.ErrInvalid) {
			t.Fatalf("invalid bar's error %v does not match events.ErrInvalid", err)
		}
		after, _ := c2.MarshalBinary()
		if !bytes.Equal(before, after) || len(got) != n {
			t.Fatalf("rejected bar (%s) changed state", it.bad)
		}
		rejected++
	}
	if rejected < 10 {
		t.Fatalf("only %d bad bars", rejected)
	}
	g, _ := encode(t, got)
	if !bytes.Equal(g, want) {
		t.Fatal("salted stream's signals differ from the clean stream's")
	}
	if st := c2.Stats(); st.Rejected != int64(rejected) {
		t.Fatalf("Stats.Rejected = %d, want %d", st.Rejected, rejected)
	}
	if _, err := c2.Apply(posAt(0), nil, nil); !errors.Is(err, engine.ErrRejected) {
		t.Fatalf("nil bar: %v", err)
	}
}

func TestProvisional(t *testing.T) {
	bars := dedupe(sample(t))
	without := newCore(t, sampleConfig(t, false))
	with := newCore(t, sampleConfig(t, true))
	s1 := replay(t, without, bars, 0, len(bars))
	s2 := replay(t, with, bars, 0, len(bars))
	var confirmed []events.Signal
	prov := 0
	for _, s := range s2 {
		if s.Status == events.StatusConfirmed {
			confirmed = append(confirmed, s)
			continue
		}
		prov++
		if s.Timeframe != 4*events.Hour {
			t.Fatalf("provisional signal on %v, the input timeframe", s.Timeframe)
		}
		if s.Time.Sub(time.Time{}) == 0 || s.Time.UnixNano()%int64(4*time.Hour) != 0 {
			t.Fatalf("provisional signal time %v is not a 4h bucket end", s.Time)
		}
	}
	if prov == 0 {
		t.Fatal("no provisional signals")
	}
	a, _ := encode(t, s1)
	b, _ := encode(t, confirmed)
	if !bytes.Equal(a, b) {
		t.Fatal("confirmed signals differ with provisional evaluation on")
	}
}

func TestZeroAllocs(t *testing.T) {
	if testing.CoverMode() != "" || coreRaceEnabled {
		t.Skip("instrumentation allocates")
	}
	bars := dedupe(sample(t))
	c := newCore(t, engine.Config{Strategies: append(reference(t), builtins(t, "4h")...), Provisional: true})
	// The first bar of a series builds its state; measure from the 300th.
	replay(t, c, bars, 0, 300)
	buf := make([]events.Signal, 0, 64)
	var ms0, ms1 runtime.MemStats
	quiet := 0
	seen := map[string]bool{}
	for _, b := range bars[:300] {
		seen[b.Symbol] = true
	}
	for j := 300; j < len(bars); j++ {
		if !seen[bars[j].Symbol] {
			// A new series builds its state: not the hot path.
			seen[bars[j].Symbol] = true
			if _, err := c.Apply(posAt(j), &bars[j], buf[:0]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		runtime.ReadMemStats(&ms0)
		sig, err := c.Apply(posAt(j), &bars[j], buf[:0])
		runtime.ReadMemStats(&ms1)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) == 0 {
			quiet++
			if n := ms1.Mallocs - ms0.Mallocs; n != 0 {
				t.Fatalf("bar %d emitted nothing but allocated %d times", j, n)
			}
		}
	}
	if quiet < 1000 {
		t.Fatalf("only %d quiet bars measured", quiet)
	}
}
