// Package kafkatest holds what the Kafka engine tests of several packages
// share: the single-engine reference run they compare a consumer group's
// signal topic with.
package kafkatest

import (
	"context"
	"testing"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
)

// ReferenceSignals is the reference of the group tests: for each partition
// p, one engine (a Runner with Partition p) over a memlog holding exactly
// the market records that went to partition p (parts[i] is msgs[i]'s),
// under the market topic's name, run to the end. It returns each
// partition's signal stream rendered by [eventlogtest.Render], and its signal count.
func ReferenceSignals(t testing.TB, msgs []kafkago.Message, parts []int, partitions int, ecfg engine.Config) ([][]byte, []int64) {
	t.Helper()
	out, counts := make([][]byte, partitions), make([]int64, partitions)
	for p := range partitions {
		l := memlog.New(memlog.Config{})
		var recs []eventlog.Record
		for i, m := range msgs {
			if parts[i] == p {
				recs = append(recs, eventlog.Record{Key: m.Key, Value: m.Value})
			}
		}
		if len(recs) > 0 {
			if _, err := l.Append(context.Background(), kafka.TopicBars, recs); err != nil {
				t.Fatal(err)
			}
		}
		r, err := engine.NewRunner(engine.RunnerConfig{
			Log: l, NewCore: func() (engine.Processor, error) { return engine.New(ecfg) },
			Input: kafka.TopicBars, Output: kafka.TopicSignals, DeadLetter: kafka.TopicDeadLetter,
			Snapshots: kafka.TopicSnapshots, Partition: int32(p), Once: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		out[p] = eventlogtest.Render(t, l, kafka.TopicSignals)
		counts[p] = r.Metrics().SignalsOut
		l.Close()
	}
	return out, counts
}
