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
