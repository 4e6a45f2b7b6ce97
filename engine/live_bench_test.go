package engine_test

import (
	"context"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
	"github.com/candlewick-labs/candlewick/events"
)

// BenchmarkRunnerOnce measures a Once run of the Runner over an in-memory
// log: decode, Core.Apply with every built-in strategy on two timeframes,
// signal encoding and appends, and one snapshot at the end. It reports
// input events per second.
func BenchmarkRunnerOnce(b *testing.B) {
	recs := barRecords(liveBars(b))
	for _, c := range liveCores(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var signals int64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				l := memlog.New(memlog.Config{})
				appendAll(b, l, events.StreamBars, recs)
				r, err := engine.NewRunner(engine.RunnerConfig{Log: l, NewCore: c.new, Once: true})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := r.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				signals = r.Metrics().SignalsOut
				l.Close()
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(signals), "signals/run")
		})
	}
}
