package backtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/strategies"
)

// loadBTC reads testdata/ninjabot-btc-1h.csv (1200 hourly BTCUSDT bars
// with a few duplicate rows, which the importer drops).
func loadBTC(t testing.TB) []events.Bar {
	t.Helper()
	src := &backtest.FileSource{
		Paths: []string{"testdata/ninjabot-btc-1h.csv"},
		Options: feeds.Options{
			Symbol:   "BTCUSDT",
			Interval: events.Interval(3600e9),
			Columns:  feeds.ParseColumns("time,open,close,low,high,volume,trades"),
		},
	}
	in, err := src.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Bars) < 1000 {
		t.Fatalf("%d bars", len(in.Bars))
	}
	return in.Bars
}

func builtinInstances(t testing.TB) []engine.Instance {
	t.Helper()
	var out []engine.Instance
	for _, def := range strategies.Builtins() {
		p, err := strategies.Bind(def, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, engine.Instance{Def: def, Params: p})
	}
	return out
}

func TestCheckLookaheadBuiltinsPass(t *testing.T) {
	bars := loadBTC(t)
	for _, in := range builtinInstances(t) {
		t.Run(in.Def.Name, func(t *testing.T) {
			res, err := backtest.CheckLookahead(context.Background(), backtest.LookaheadConfig{
				Engine: engine.Config{Strategies: []engine.Instance{in}},
				Bars:   bars,
				Seed:   1,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Violation != nil {
				t.Fatalf("built-in flagged:\n%s", res.Violation)
			}
			if res.Signals == 0 || len(res.Cuts) < 10 {
				t.Fatalf("%d signals, cuts %v: the check checked nothing", res.Signals, res.Cuts)
			}
		})
	}
}

// peeker cheats: it is handed the data set and decides at each bar from the
// next bar's close.
type peeker struct{ data []events.Bar }

func (p *peeker) Needs() strategies.Needs { return strategies.Needs{} }

func (p *peeker) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	cur, _ := v.Bar(0)
	for i := range p.data {
		if p.data[i].CloseTime.Equal(cur.CloseTime) {
			if i+1 < len(p.data) && p.data[i+1].Close.Cmp(p.data[i].Close) > 0 {
				return append(out, strategies.Decision{Kind: events.KindLong, Strength: 1, Reason: "tomorrow is up"})
			}
			return append(out, strategies.Decision{Kind: events.KindExit, Reason: "tomorrow is not up"})
		}
	}
	return out
}

func peekerBuild(data []events.Bar) ([]engine.Instance, error) {
	def := strategies.Def{
		Name: "peeker", Version: "1",
		New: func(strategies.Params) (strategies.Strategy, error) { return &peeker{data: data}, nil },
	}
	p, err := strategies.Bind(def, nil)
	if err != nil {
		return nil, err
	}
	return []engine.Instance{{Def: def, Params: p}}, nil
}

func TestCheckLookaheadCatchesPeeker(t *testing.T) {
	bars := loadBTC(t)[:300]
	res, err := backtest.CheckLookahead(context.Background(), backtest.LookaheadConfig{
		Build: peekerBuild, Bars: bars, Cuts: 4, RandomCuts: 4, Seed: 7,
	})
	if err != nil {
		t.Fatal(err)
	}
	v := res.Violation
	if v == nil {
		t.Fatal("the peeking strategy passed")
	}
	// The offender is the last bar of a prefix: with later data the peeker
	// knows the next close, without it it says exit.
	if v.Pos.Offset != int64(v.Cut-1) || v.Full == nil || v.Prefix == nil ||
		v.Full.Kind != events.KindLong || v.Prefix.Kind != events.KindExit {
		t.Fatalf("cuts %v, violation %+v", res.Cuts, v)
	}
	if !strings.Contains(v.String(), "tomorrow is up") {
		t.Fatalf("report:\n%s", v)
	}
}

func TestCheckLookaheadDeterministicCuts(t *testing.T) {
	bars := loadBTC(t)[:200]
	cfg := backtest.LookaheadConfig{Build: func([]events.Bar) ([]engine.Instance, error) { return builtinInstances(t)[:1], nil },
		Bars: bars, Cuts: 3, RandomCuts: 5, Seed: 42}
	a, err := backtest.CheckLookahead(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backtest.CheckLookahead(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Cuts) != len(b.Cuts) || len(a.Cuts) < 3 {
		t.Fatal("cuts differ")
	}
	for i := range a.Cuts {
		if a.Cuts[i] != b.Cuts[i] || a.Cuts[i] < 1 || a.Cuts[i] >= len(bars) {
			t.Fatalf("cuts %v and %v", a.Cuts, b.Cuts)
		}
	}
}

func TestCheckLookaheadErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  backtest.LookaheadConfig
		want error
	}{
		{"no bars", backtest.LookaheadConfig{}, backtest.ErrNoMarket},
		{"bad config", backtest.LookaheadConfig{Bars: make([]events.Bar, 2),
			Engine: engine.Config{Strategies: []engine.Instance{{Name: "x"}}}}, engine.ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := backtest.CheckLookahead(context.Background(), tc.cfg); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}
