package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func startDev(t *testing.T, cfg kafka.DevConfig) *kafka.Dev {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := kafka.StartDev(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDevStandardTopics(t *testing.T) {
	d := startDev(t, kafka.DevConfig{Listen: "127.0.0.1:0"})
	addrs := d.Addrs()
	if len(addrs) != 1 {
		t.Fatalf("Addrs %v, want one", addrs)
	}
	if _, port, _ := net.SplitHostPort(addrs[0]); port == "0" || port == "" {
		t.Fatalf("Addrs %v: want the port picked for :0", addrs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := kafka.Config{Brokers: addrs}
	want := kafka.StandardTopics(kafka.DefaultDevPartitions, 1)
	var names []string
	for _, s := range want {
		names = append(names, s.Name)
	}
	got, err := kafka.DescribeTopics(ctx, cfg, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("described %d topics, want %d", len(got), len(want))
	}
	for _, td := range got {
		if len(td.Partitions) != kafka.DefaultDevPartitions {
			t.Errorf("%s: %d partitions, want %d", td.Name, len(td.Partitions), kafka.DefaultDevPartitions)
		}
		compact := td.Configs["cleanup.policy"] == "compact"
		if compact != (td.Name == kafka.TopicSnapshots) {
			t.Errorf("%s: configs %v; only %s is compacted", td.Name, td.Configs, kafka.TopicSnapshots)
		}
	}
}

func TestDevProduceConsume(t *testing.T) {
	d := startDev(t, kafka.DevConfig{Listen: "127.0.0.1:0", Partitions: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := kafka.Config{Brokers: d.Addrs()}
	w := cfg.Writer(kafka.TopicBars, &kafkago.Murmur2Balancer{})
	msg := kafkago.Message{Key: []byte("BTC-USDT"), Value: []byte(`{"type":"bar"}`),
		Headers: []kafkago.Header{{Key: "content-type", Value: []byte("application/json")}}}
	if err := w.WriteMessages(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// The Java client's murmur2 partition of the key, as kafka-go computes it.
	p := (&kafkago.Murmur2Balancer{}).Balance(msg, 0, 1)
	r := kafkago.NewReader(kafkago.ReaderConfig{Brokers: d.Addrs(), Topic: kafka.TopicBars, Partition: p,
		MaxWait: 10 * time.Millisecond, Dialer: cfg.Dialer()})
	defer r.Close()
	got, err := r.ReadMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Key) != "BTC-USDT" || string(got.Value) != `{"type":"bar"}` || got.Offset != 0 ||
		len(got.Headers) != 1 || string(got.Headers[0].Value) != "application/json" {
		t.Errorf("read %+v, want the record written", got)
	}
}

func TestDevConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  kafka.DevConfig
	}{
		{"no port", kafka.DevConfig{Listen: "127.0.0.1"}},
		{"bad port", kafka.DevConfig{Listen: "127.0.0.1:99999"}},
		{"negative partitions", kafka.DevConfig{Listen: "127.0.0.1:0", Partitions: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := kafka.StartDev(ctx, tc.cfg)
			if err == nil {
				d.Close()
				t.Fatal("StartDev succeeded, want an error")
			}
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Errorf("error %v does not match ErrInvalidConfig", err)
			}
		})
	}
}

func TestDevPortInUse(t *testing.T) {
	d := startDev(t, kafka.DevConfig{Listen: "127.0.0.1:0", Topics: []kafka.TopicSpec{}})
	d2, err := kafka.StartDev(context.Background(), kafka.DevConfig{Listen: d.Addrs()[0]})
	if err == nil {
		d2.Close()
		t.Fatal("a second broker on the same port started")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
}

// A development broker on a free port, with the standard topics.
func ExampleStartDev() {
	ctx := context.Background()
	d, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: "127.0.0.1:0", Partitions: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	cfg := kafka.Config{Brokers: d.Addrs()} // what a client of the broker uses
	descs, err := kafka.DescribeTopics(ctx, cfg, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range descs {
		fmt.Println(t.Name, len(t.Partitions), t.Configs)
	}
	// Output:
	// deadletter.v1 3 map[]
	// engine.snapshots.v1 3 map[cleanup.policy:compact]
	// market.bars.v1 3 map[]
	// market.trades.v1 3 map[]
	// signals.v1 3 map[]
}
