package kafka_test

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// Example_partitionViews shows the co-partitioned layout the engine runs
// on: the standard topics with equal partition counts, and one view per
// partition in which every stream is that partition of its topic.
func Example_partitionViews() {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1)) // an in-memory broker for the example
	if err != nil {
		panic(err)
	}
	defer cluster.Close()
	ctx := context.Background()
	cfg := kafka.Config{Brokers: cluster.ListenAddrs()}
	if _, err := kafka.CreateTopics(ctx, cfg, kafka.StandardTopics(6, 1)); err != nil {
		panic(err)
	}
	l, err := kafka.Open(ctx, cfg)
	if err != nil {
		panic(err)
	}
	defer l.Close()

	// The market producers partition by Murmur2 of the symbol; the engine
	// instance owning that partition appends its signals to the same one.
	p := kafka.Murmur2Partition([]byte("BTC-USDT"), 6)
	view := l.Partition(p)
	rec := eventlog.Record{Key: []byte("BTC-USDT"), Value: []byte(`{"symbol":"BTC-USDT"}`), Headers: cfg.MetaHeaders(kafka.EventSignal)}
	seqs, err := view.Append(ctx, kafka.TopicSignals, []eventlog.Record{rec})
	if err != nil {
		panic(err)
	}
	last, _ := view.Last(ctx, kafka.TopicSignals)
	fmt.Println("partition", p, "seq", seqs[0], "last", last)
	// Output: partition 2 seq 0 last 0
}
