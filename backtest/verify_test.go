package backtest_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
)

// recordSignals replays bars through a Core, as a live run would, and returns the
// signals.
func recordSignals(t *testing.T, ecfg engine.Config, bars []events.Bar) []events.Signal {
	t.Helper()
	core, err := engine.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	var sigs []events.Signal
	for i := range bars {
		sigs, err = core.Apply(events.Position{Stream: events.StreamBars, Offset: int64(i)}, &bars[i], sigs)
		if err != nil {
			t.Fatal(err)
		}
	}
	return sigs
}

func TestVerify(t *testing.T) {
	bars := loadBTC(t)
	ecfg := engine.Config{Strategies: builtinInstances(t)}
	rec := recordSignals(t, ecfg, bars)
	if len(rec) < 20 {
		t.Fatalf("%d signals", len(rec))
	}
	// Round trip through JSONL, as `candlewick signals` prints them.
	var buf bytes.Buffer
	for _, s := range rec {
		buf.Write(s.AppendJSON(nil))
		buf.WriteByte('\n')
	}
	rec, err := backtest.ReadSignalsJSONL(&buf)
	if err != nil {
		t.Fatal(err)
	}
	market := &backtest.InputSource{Input: backtest.Input{Stream: events.StreamBars, Bars: bars}}
	const k = 10
	altered := slices.Clone(rec)
	altered[k].Strength = 0.123
	tests := []struct {
		name         string
		recorded     []events.Signal
		index        int    // -1: no divergence
		replayed, rd bool   // which sides the divergence has
		want         string // in its description
	}{
		{"identical", rec, -1, false, false, ""},
		{"altered", altered, k, true, true, `"strength":0.123`},
		{"missing", slices.Delete(slices.Clone(rec), k, k+1), k, true, false, "recorded: (no signal)"},
		{"extra", slices.Insert(slices.Clone(rec), k, rec[k-1]), k, false, true, "replayed: (no signal)"},
		{"truncated replay", append(slices.Clone(rec), rec[len(rec)-1]), len(rec), false, true, ""},
		{"nothing recorded", nil, 0, true, false, "no signal agrees"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := backtest.Verify(context.Background(), backtest.VerifyConfig{
				Engine: ecfg, Market: market, Recorded: tc.recorded,
			})
			if err != nil {
				t.Fatal(err)
			}
			d := res.Divergence
			if tc.index < 0 {
				if d != nil {
					t.Fatalf("divergence:\n%s", d)
				}
				if res.Replayed != len(rec) || res.Inputs != int64(len(bars)) {
					t.Fatalf("%+v", res)
				}
				return
			}
			if d == nil {
				t.Fatal("no divergence found")
			}
			if d.Index != tc.index || (d.Replayed != nil) != tc.replayed || (d.Recorded != nil) != tc.rd {
				t.Fatalf("divergence %+v", d)
			}
			if !strings.Contains(d.String(), tc.want) || !strings.Contains(d.String(), "indicators") && tc.replayed {
				t.Fatalf("description lacks %q:\n%s", tc.want, d)
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	if _, err := backtest.Verify(context.Background(), backtest.VerifyConfig{}); !errors.Is(err, backtest.ErrNoMarket) {
		t.Fatalf("err %v", err)
	}
	if _, err := backtest.ReadSignalsJSONL(strings.NewReader("{}\nnope\n")); !errors.Is(err, backtest.ErrSignalStream) {
		t.Fatalf("err %v", err)
	}
}
