package engine_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/strategies"
)

// A Core runs the built-in EMA crossover on hourly bars and on their 4h
// resampling; each signal names the bar close and input position that
// caused it.
func Example() {
	def := strategies.EMACrossDef()
	var insts []engine.Instance
	for _, tf := range []string{"0", "4h"} {
		p, err := strategies.Bind(def, map[string]string{"fast": "2", "slow": "3", "timeframe": tf})
		if err != nil {
			panic(err)
		}
		insts = append(insts, engine.Instance{Name: "ema@" + tf, Def: def, Params: p})
	}
	core, err := engine.New(engine.Config{Strategies: insts})
	if err != nil {
		panic(err)
	}
	closes := []int{100, 98, 96, 94, 92, 90, 88, 86, 90, 95, 99, 104, 108, 112, 116, 120,
		118, 114, 110, 106, 100, 96, 92, 88}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var signals []events.Signal
	for i, c := range closes {
		p := events.MustFixed(strconv.Itoa(c))
		bar := events.Bar{Symbol: "BTC-USDT", Interval: events.Hour,
			OpenTime: t0.Add(time.Duration(i) * time.Hour), CloseTime: t0.Add(time.Duration(i+1) * time.Hour),
			Open: p, High: p, Low: p, Close: p, Volume: events.MustFixed("1")}
		pos := events.Position{Stream: events.StreamBars, Offset: int64(i)}
		if signals, err = core.Apply(pos, &bar, signals); err != nil {
			panic(err)
		}
	}
	for _, s := range signals {
		fmt.Println(s.Strategy, s.Timeframe, s.Time.Format("15:04"), s.Kind, s.Price, "offset", s.Source.Offset)
	}
	// Output:
	// ema@0 1h 10:00 long 95 offset 9
	// ema@0 1h 18:00 short 114 offset 17
	// ema@4h 4h 00:00 short 88 offset 23
}

// One Core runs a small parameter sweep: Reset gives it each point's
// configuration in turn (exactly what New would), reusing its memory, and
// with ReuseSignalMemory the loop consumes each bar's signals (here it
// copies what it keeps into strings) before the next Apply, so that emitting allocates nothing.
func ExampleCore_Reset() {
	def := strategies.EMACrossDef()
	closes := []int{100, 98, 96, 94, 92, 90, 88, 86, 90, 95, 99, 104, 108, 112, 116, 120,
		118, 114, 110, 106, 100, 96, 92, 88}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	core, err := engine.New(engine.Config{})
	if err != nil {
		panic(err)
	}
	core.ReuseSignalMemory(true)
	var out []events.Signal
	for _, fast := range []string{"2", "3", "4"} {
		p, err := strategies.Bind(def, map[string]string{"fast": fast, "slow": "5"})
		if err != nil {
			panic(err)
		}
		if err := core.Reset(engine.Config{Strategies: []engine.Instance{{Def: def, Params: p}}}); err != nil {
			panic(err)
		}
		var seen []string
		for i, c := range closes {
			px := events.MustFixed(strconv.Itoa(c))
			bar := events.Bar{Symbol: "BTC-USDT", Interval: events.Hour,
				OpenTime: t0.Add(time.Duration(i) * time.Hour), CloseTime: t0.Add(time.Duration(i+1) * time.Hour),
				Open: px, High: px, Low: px, Close: px, Volume: events.MustFixed("1")}
			if out, err = core.Apply(events.Position{Stream: events.StreamBars, Offset: int64(i)}, &bar, out[:0]); err != nil {
				panic(err)
			}
			for _, s := range out {
				seen = append(seen, fmt.Sprint(s.Kind, "@", s.Time.Format("15:04")))
			}
		}
		fmt.Printf("fast=%s: %v\n", fast, seen)
	}
	// Output:
	// fast=2: [long@10:00 short@19:00]
	// fast=3: [long@10:00 short@19:00]
	// fast=4: [long@11:00 short@20:00]
}
