package engine_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
)

// TestSignalsIndependent checks Apply's promise about the memory of the
// signals it returns: writing to one signal's Indicators, or appending to
// its Indicators or Params (shared read-only by the instance's signals),
// changes no other signal and no later one.
func TestSignalsIndependent(t *testing.T) {
	bars := dedupe(sample(t))
	half := len(bars) / 2
	c := newCore(t, sampleConfig(t, true))
	first := replay(t, c, bars, 0, half)
	if len(first) < 10 {
		t.Fatalf("only %d signals", len(first))
	}
	want, _ := encode(t, first)
	wantRest, _ := encode(t, replay(t, newCore(t, sampleConfig(t, true)), bars, 0, len(bars)))
	// Scribble over every signal, in place and by appending.
	for i := range first {
		s := &first[i]
		for j := range s.Indicators {
			s.Indicators[j].Value = -1
		}
		s.Params = append(s.Params, events.Param{Name: "x", Value: "y"})
		s.Indicators = append(s.Indicators, events.IndicatorValue{Name: "x", Value: 1})
	}
	for i := range first {
		s := first[i]
		if s.Params[len(s.Params)-1].Name != "x" || s.Indicators[len(s.Indicators)-1].Name != "x" {
			t.Fatalf("signal %d: an append to another signal overwrote this one's", i)
		}
	}
	// The Core carries on as if nothing happened.
	rest := replay(t, c, bars, half, len(bars))
	got, _ := encode(t, rest)
	if !bytes.HasSuffix(wantRest, got) || len(got) == 0 {
		t.Fatal("signals after scribbling over earlier ones differ from an untouched run's")
	}
	if len(want) == 0 {
		t.Fatal("no JSON")
	}
}

// TestEmitAllocs checks that emitting a signal costs well under one
// allocation on average: the slices and IDs come from blocks.
func TestEmitAllocs(t *testing.T) {
	if testing.CoverMode() != "" || coreRaceEnabled {
		t.Skip("instrumentation allocates")
	}
	bars := dedupe(sample(t))
	c := newCore(t, engine.Config{Strategies: reference(t)})
	out := make([]events.Signal, 0, 64)
	seen := map[string]bool{}
	signals := 0
	var mallocs uint64
	var ms0, ms1 runtime.MemStats
	for i := range bars {
		// The first bar of a series builds its state: not emission.
		first := !seen[bars[i].Symbol+bars[i].Interval.String()]
		seen[bars[i].Symbol+bars[i].Interval.String()] = true
		runtime.ReadMemStats(&ms0)
		var err error
		if out, err = c.Apply(posAt(i), &bars[i], out[:0]); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&ms1)
		if !first {
			signals += len(out)
			mallocs += ms1.Mallocs - ms0.Mallocs
		}
	}
	if signals < 100 {
		t.Fatalf("only %d signals", signals)
	}
	if per := float64(mallocs) / float64(signals); per > 0.2 {
		t.Fatalf("%.2f allocations per signal (%d signals), want under 0.2", per, signals)
	}
}
