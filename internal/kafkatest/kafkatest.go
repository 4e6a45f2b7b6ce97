// Package kafkatest holds what the Kafka engine tests of several packages
// share: the bundled real market data, the market messages a Candlewick
// producer writes for it, and the single-engine reference run they compare
// a consumer group's signal topic with.
package kafkatest

import (
	"bytes"
	"context"
	"io/fs"
	"slices"
	"testing"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/examples"
	"github.com/candlewick-labs/candlewick/feeds"
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

// SampleSeries returns the bundled Binance samples (examples/data: the ETH
// 5m series and the BTC and ETH 1h series, MIT), one slice per file, each
// in time order.
func SampleSeries(t testing.TB) [][]events.Bar {
	t.Helper()
	var out [][]events.Bar
	for _, f := range []struct{ name, symbol string }{
		{"Binance-ETH-USD-PT5M-20230313_20230315.json", ""},
		{"btc-1h.csv", "BTC-USDT"},
		{"eth-1h.csv", "ETH-USDT"},
	} {
		data, err := fs.ReadFile(examples.Data, "data/"+f.name)
		if err != nil {
			t.Fatal(err)
		}
		opt := feeds.Options{Symbol: f.symbol}
		if f.symbol != "" {
			opt.Venue = "binance"
		}
		var bars []events.Bar
		if _, err := feeds.Import(context.Background(), bytes.NewReader(data), f.name, opt, feeds.SinkFuncs{
			OnBar: func(b events.Bar) error { bars = append(bars, b); return nil },
		}); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		out = append(out, bars)
	}
	return out
}

// MergeByTime merges series by open time (stable: equal times keep the
// series' order), as a market topic receives them.
func MergeByTime(series ...[]events.Bar) []events.Bar {
	var all []events.Bar
	for _, s := range series {
		all = append(all, s...)
	}
	slices.SortStableFunc(all, func(a, b events.Bar) int { return a.OpenTime.Compare(b.OpenTime) })
	return all
}

// MarketMessages returns bars as Candlewick's market producers write them
// (key = symbol, JSON value) and each one's partition of a topic of
// partitions partitions under Murmur2.
func MarketMessages(bars []events.Bar, partitions int) ([]kafkago.Message, []int) {
	ids := make([]int, partitions)
	for i := range ids {
		ids[i] = i
	}
	bal := &kafkago.Murmur2Balancer{}
	msgs := make([]kafkago.Message, len(bars))
	parts := make([]int, len(bars))
	for i, b := range bars {
		msgs[i] = kafkago.Message{Key: []byte(b.Symbol), Value: b.AppendJSON(nil)}
		parts[i] = bal.Balance(msgs[i], ids...)
	}
	return msgs, parts
}
