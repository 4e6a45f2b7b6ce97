package backtest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// scriptDef is a strategy that reads its decisions from its "script"
// parameter: character i is the decision at the close of the symbol's bar
// i: L long, S short, X exit, F flat, anything else nothing.
func scriptDef() strategies.Def {
	return strategies.Def{
		Name: "script", Version: "1", Description: "scripted decisions for tests",
		Params: []strategies.ParamDef{{Name: "script", Kind: strategies.ParamString, Default: "", Help: "decisions"}},
		New: func(p strategies.Params) (strategies.Strategy, error) {
			return &script{s: p.String("script")}, nil
		},
	}
}

type script struct {
	s string
	i int
}

func (s *script) Needs() strategies.Needs { return strategies.Needs{} }

func (s *script) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	i := s.i
	s.i++
	if i >= len(s.s) {
		return out
	}
	kind := map[byte]events.SignalKind{'L': events.KindLong, 'S': events.KindShort, 'X': events.KindExit, 'F': events.KindFlat}[s.s[i]]
	if kind == 0 {
		return out
	}
	return append(out, strategies.Decision{Kind: kind, Strength: 1, Reason: "script"})
}

func scriptInstance(t testing.TB, text string) engine.Instance {
	t.Helper()
	def := scriptDef()
	p, err := strategies.Bind(def, map[string]string{"script": text})
	if err != nil {
		t.Fatal(err)
	}
	return engine.Instance{Def: def, Params: p}
}

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// hourly builds 1h bars of symbol from "open high low close" rows.
func hourly(t testing.TB, symbol string, rows ...[4]string) []events.Bar {
	t.Helper()
	out := make([]events.Bar, len(rows))
	for i, r := range rows {
		out[i] = events.Bar{Symbol: symbol, Interval: events.Hour,
			OpenTime: t0.Add(time.Duration(i) * time.Hour), CloseTime: t0.Add(time.Duration(i+1) * time.Hour),
			Open: events.MustFixed(r[0]), High: events.MustFixed(r[1]), Low: events.MustFixed(r[2]),
			Close: events.MustFixed(r[3]), Volume: events.MustFixed("1")}
		if err := out[i].Validate(); err != nil {
			t.Fatalf("bar %d: %v", i, err)
		}
	}
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func bps(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }

// eqDec fails unless got equals want exactly (decimal equality).
func eqDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

type engine_Instance = engine.Instance

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }
