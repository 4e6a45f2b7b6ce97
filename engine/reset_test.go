package engine_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// replayCopied is replay for a Core with transient signal memory: it
// encodes each call's signals before the next call, as such a caller must.
func replayCopied(t testing.TB, c *engine.Core, bars []events.Bar) (jsonl, bin []byte) {
	t.Helper()
	var out []events.Signal
	for i := range bars {
		var err error
		if out, err = c.Apply(posAt(i), &bars[i], out[:0]); err != nil {
			t.Fatalf("bar %d: %v", i, err)
		}
		j, b := encode(t, out)
		jsonl, bin = append(jsonl, j...), append(bin, b...)
	}
	return jsonl, bin
}

// TestResetMatchesNew checks that a Core Reset to a configuration behaves
// as New's Core for it, byte for byte (signals, stats, series, snapshot),
// whatever it ran before: the same configuration, other parameters (some
// indicators reused, others not), other strategies, provisional or not,
// with or without transient signal memory.
func TestResetMatchesNew(t *testing.T) {
	bars := dedupe(sample(t))
	emaCross := func(fast, slow string) engine.Config {
		def := strategies.EMACrossDef()
		p, err := strategies.Bind(def, map[string]string{"fast": fast, "slow": slow})
		if err != nil {
			t.Fatal(err)
		}
		return engine.Config{Strategies: []engine.Instance{{Def: def, Params: p}}}
	}
	configs := map[string]engine.Config{
		"sample":             sampleConfig(t, false),
		"sample provisional": sampleConfig(t, true),
		"reference":          {Strategies: reference(t)},
		"ema 5/30":           emaCross("5", "30"),
		"ema 10/30":          emaCross("10", "30"),
		"ema 30/50":          emaCross("30", "50"),
		"empty":              {},
	}
	order := []string{"sample", "ema 5/30", "ema 10/30", "ema 30/50", "sample provisional", "reference", "empty", "sample", "reference"}
	want := map[string][2][]byte{}
	for name, cfg := range configs {
		c := newCore(t, cfg)
		j, b := encode(t, replay(t, c, bars, 0, len(bars)))
		snap, err := c.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		want[name] = [2][]byte{append(j, b...), snap}
		if name == "sample provisional" && bytes.Count(j, []byte("\n")) < 50 {
			t.Fatal("too few signals to prove anything")
		}
	}
	for _, transient := range []bool{false, true} {
		c := newCore(t, configs["empty"])
		c.ReuseSignalMemory(transient)
		for _, name := range order {
			if err := c.Reset(configs[name]); err != nil {
				t.Fatal(err)
			}
			if st := c.Stats(); st != (engine.Stats{}) {
				t.Fatalf("%s: stats after Reset %+v", name, st)
			}
			if _, ok := c.Position(); ok || len(c.Series()) != 0 {
				t.Fatalf("%s: position or series after Reset", name)
			}
			var j, b []byte
			if transient {
				j, b = replayCopied(t, c, bars)
			} else {
				j, b = encode(t, replay(t, c, bars, 0, len(bars)))
			}
			snap, err := c.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if w := want[name]; !bytes.Equal(append(j, b...), w[0]) || !bytes.Equal(snap, w[1]) {
				t.Fatalf("transient %v: after Reset to %q the signals or the snapshot differ from New's", transient, name)
			}
			fresh := newCore(t, configs[name])
			replay(t, fresh, bars, 0, len(bars))
			if !reflect.DeepEqual(c.Series(), fresh.Series()) || c.Stats() != fresh.Stats() {
				t.Fatalf("%s: series or stats differ from New's", name)
			}
		}
	}
}

// TestResetKeepsSignals checks that the signals a Core returned before a
// Reset keep their values (their memory is theirs unless transient).
func TestResetKeepsSignals(t *testing.T) {
	bars := dedupe(sample(t))
	cfg := sampleConfig(t, true)
	c := newCore(t, cfg)
	sigs := replay(t, c, bars, 0, len(bars))
	before, _ := encode(t, sigs)
	for range 2 {
		if err := c.Reset(cfg); err != nil {
			t.Fatal(err)
		}
		replay(t, c, bars, 0, len(bars))
	}
	if after, _ := encode(t, sigs); !bytes.Equal(before, after) {
		t.Fatal("signals changed after Reset and more Applies")
	}
}

// TestResetError checks that a failed Reset reports New's error and leaves
// the Core as it was.
func TestResetError(t *testing.T) {
	bars := dedupe(sample(t))
	cfg := sampleConfig(t, false)
	c := newCore(t, cfg)
	replay(t, c, bars, 0, len(bars)/2)
	snap, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.Strategies = append(bad.Strategies[:1:1], bad.Strategies[0]) // a name used twice
	_, newErr := engine.New(bad)
	resetErr := c.Reset(bad)
	if !errors.Is(resetErr, engine.ErrConfig) || resetErr.Error() != newErr.Error() {
		t.Fatalf("Reset error %v, New error %v", resetErr, newErr)
	}
	after, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(snap, after) {
		t.Fatal("a failed Reset changed the Core")
	}
	rest := replay(t, c, bars, len(bars)/2, len(bars))
	ref := newCore(t, cfg)
	all := replay(t, ref, bars, 0, len(bars))
	j1, _ := encode(t, rest)
	j2, _ := encode(t, all[len(all)-len(rest):])
	if !bytes.Equal(j1, j2) {
		t.Fatal("the Core did not carry on as before after a failed Reset")
	}
}

// TestResetZeroAllocs checks that a Core Reset to the same workload with
// transient signal memory allocates nothing once its series exist, signals
// included: a whole replay allocates what its first bars do.
func TestResetZeroAllocs(t *testing.T) {
	if testing.CoverMode() != "" || coreRaceEnabled {
		t.Skip("instrumentation allocates")
	}
	bars := dedupe(sample(t))
	// k is the bar after which no new series starts.
	k, seen := 0, map[string]bool{}
	for i, b := range bars {
		if key := b.Symbol + b.Interval.String(); !seen[key] {
			seen[key], k = true, i
		}
	}
	cfg := engine.Config{Strategies: reference(t)}
	c := newCore(t, cfg)
	c.ReuseSignalMemory(true)
	out := make([]events.Signal, 0, 64)
	nsig := 0
	run := func(n int) {
		if err := c.Reset(cfg); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			var err error
			if out, err = c.Apply(posAt(i), &bars[i], out[:0]); err != nil {
				t.Fatal(err)
			}
			nsig += len(out)
		}
	}
	run(len(bars))
	head := testing.AllocsPerRun(3, func() { run(k + 1) })
	nsig = 0
	all := testing.AllocsPerRun(3, func() { run(len(bars)) })
	if nsig < 100 {
		t.Fatalf("only %d signals", nsig/4)
	}
	if all != head {
		t.Fatalf("a replay allocates %v times, its first %d bars %v times: the rest (with %d signals) should not allocate",
			all, k+1, head, nsig/4)
	}
	t.Logf("Reset and a replay of %d bars: %v allocations", len(bars), all)
}
