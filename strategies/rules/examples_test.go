package rules_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

func registry(t testing.TB) *indicators.Registry {
	t.Helper()
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestExamples loads every strategy in strategies/examples, binds its
// defaults, runs it over 1,000 real hourly bars through the fake engine, and
// compares the decisions with testdata/examples.golden.
func TestExamples(t *testing.T) {
	reg := registry(t)
	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d example files, want at least 3", len(files))
	}
	bars := readNinjabot(t, filepath.Join("testdata", "btc-1h.csv"))
	var out bytes.Buffer
	for _, path := range files {
		def, err := rules.LoadFile(path, reg)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if _, err := strategies.NewRegistry(def); err != nil {
			t.Errorf("%s: the strategies registry refuses the Def: %v", path, err)
		}
		params, err := strategies.Bind(def, nil)
		if err != nil {
			t.Errorf("%s: bind defaults: %v", path, err)
			continue
		}
		s, err := def.New(params)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		n := s.Needs()
		fmt.Fprintf(&out, "# %s %s v%s: timeframes %v, history %d, indicators", filepath.Base(path), def.Name, def.Version, n.Timeframes, n.History)
		for _, in := range n.Indicators {
			tf := in.Timeframe.String()
			if in.Timeframe == 0 {
				tf = "input"
			}
			fmt.Fprintf(&out, " %s@%s", in.Spec, tf)
		}
		out.WriteByte('\n')
		counts := map[events.SignalKind]int{}
		e := newFakeEngine(t, reg, s, events.Hour)
		e.record = func(tf events.Interval, b strategies.BarValues, d strategies.Decision) {
			counts[d.Kind]++
			if d.Strength < -1 || d.Strength > 1 {
				t.Errorf("%s: strength %v outside [-1, 1]", path, d.Strength)
			}
			fmt.Fprintf(&out, "%s %s %-5s %s %s\n", b.CloseTime.Format("2006-01-02T15:04Z"), tf, d.Kind,
				strconv.FormatFloat(d.Strength, 'f', 4, 64), d.Reason)
		}
		for _, b := range bars {
			e.apply(b)
		}
		fmt.Fprintf(&out, "# %s: %d long, %d short, %d exit, %d flat\n\n", def.Name,
			counts[events.KindLong], counts[events.KindShort], counts[events.KindExit], counts[events.KindFlat])
		if counts[events.KindLong]+counts[events.KindShort] == 0 {
			t.Errorf("%s: no entry signal on 1,000 real bars; the example teaches nothing", path)
		}
	}
	golden.Check(t, "testdata/examples.golden", out.Bytes())
}
