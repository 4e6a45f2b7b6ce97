// This test runs the example rule files through engine.Core: the decisions
// the fake engine of the other tests records must be exactly what the real
// engine emits.

package rules_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// TestExamplesThroughEngine runs every example through engine.Core, all at
// once on one series, and expects exactly the decisions of
// testdata/examples.golden (made with the fake engine): the real engine
// and the contract the fake follows agree.
func TestExamplesThroughEngine(t *testing.T) {
	reg := registry(t)
	f, err := os.Open(filepath.Join("testdata", "btc-1h.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bars []events.Bar
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		sec, err := strconv.ParseInt(c[0], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		fx := func(i int) events.Fixed {
			v, err := events.ParseFixed(c[i])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		ot := time.Unix(sec, 0).UTC()
		bars = append(bars, events.Bar{Symbol: "BTC-USDT", Venue: "binance", Interval: events.Hour, OpenTime: ot,
			CloseTime: ot.Add(time.Hour), Open: fx(1), Close: fx(2), Low: fx(3), High: fx(4), Volume: fx(5)})
	}

	files, err := filepath.Glob(filepath.Join("..", "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var insts []engine.Instance
	want := map[string][]string{}
	for _, path := range files {
		def, err := rules.LoadFile(path, reg)
		if err != nil {
			t.Fatal(err)
		}
		p, err := strategies.Bind(def, nil)
		if err != nil {
			t.Fatal(err)
		}
		insts = append(insts, engine.Instance{Def: def, Params: p})
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "examples.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var name string
	for _, line := range strings.Split(string(golden), "\n") {
		switch {
		case strings.HasPrefix(line, "# ") && strings.HasSuffix(strings.Fields(line)[1], ".yaml"):
			name = strings.Fields(line)[2]
		case line != "" && !strings.HasPrefix(line, "#"):
			want[name] = append(want[name], line)
		}
	}

	core, err := engine.New(engine.Config{Indicators: reg, Strategies: insts})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	var out []events.Signal
	for i := range bars {
		out, err = core.Apply(events.Position{Stream: "market.bars.v1", Offset: int64(i)}, &bars[i], out[:0])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out {
			if s.Price != bars[i].Close || s.Status != events.StatusConfirmed || s.StrategyVersion != "1" || len(s.Indicators) == 0 {
				t.Errorf("signal fields: %+v", s)
			}
			got[s.Strategy] = append(got[s.Strategy], fmt.Sprintf("%s %s %-5s %s %s", s.Time.Format("2006-01-02T15:04Z"),
				s.Timeframe, s.Kind, strconv.FormatFloat(s.Strength, 'f', 4, 64), s.Reason))
		}
	}
	for _, in := range insts {
		if !slices.Equal(got[in.Def.Name], want[in.Def.Name]) {
			t.Errorf("%s: engine signals differ from examples.golden: got %d, want %d\n%s", in.Def.Name,
				len(got[in.Def.Name]), len(want[in.Def.Name]), strings.Join(got[in.Def.Name], "\n"))
		}
	}
}
