package kafka_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func TestCreateTopicsIdempotent(t *testing.T) {
	cfg := fakeBrokers(t)
	ctx := context.Background()
	specs := kafka.StandardTopics(6, 1)
	res, err := kafka.CreateTopics(ctx, cfg, specs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Name != specs[i].Name || !r.Created {
			t.Errorf("first create: result %d = %+v", i, r)
		}
	}
	res, err = kafka.CreateTopics(ctx, cfg, specs)
	if err != nil {
		t.Fatalf("second create: %v", err)
	}
	for i, r := range res {
		if r.Created {
			t.Errorf("second create: result %d = %+v, want Created=false", i, r)
		}
	}
	_, err = kafka.CreateTopics(ctx, cfg, []kafka.TopicSpec{{Name: kafka.TopicSignals, Partitions: 3, ReplicationFactor: 1}})
	var te *kafka.TopicError
	if !errors.Is(err, kafka.ErrPartitionMismatch) || !errors.As(err, &te) || !strings.Contains(err.Error(), "6") || !strings.Contains(err.Error(), "3") {
		t.Fatalf("different count: err = %v, want ErrPartitionMismatch naming 6 and 3", err)
	}

	ds, err := kafka.DescribeTopics(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range ds {
		names = append(names, d.Name)
		if len(d.Partitions) != 6 {
			t.Errorf("%s: %d partitions", d.Name, len(d.Partitions))
		}
		for i, p := range d.Partitions {
			if p.ID != i || p.Start != 0 || p.End != 0 || p.Leader < 0 || len(p.Replicas) != 1 {
				t.Errorf("%s partition %d: %+v", d.Name, i, p)
			}
		}
		if d.Name == kafka.TopicSnapshots && d.Configs["cleanup.policy"] != "compact" {
			t.Errorf("%s configs = %v, want cleanup.policy=compact", d.Name, d.Configs)
		}
	}
	want := "deadletter.v1,engine.snapshots.v1,market.bars.v1,market.trades.v1,signals.v1"
	if strings.Join(names, ",") != want {
		t.Errorf("DescribeTopics(nil) names = %v, want %s", names, want)
	}
}

func TestCreateTopicsInvalid(t *testing.T) {
	cfg := kafka.Config{Brokers: []string{"127.0.0.1:1"}}
	_, err := kafka.CreateTopics(context.Background(), cfg, []kafka.TopicSpec{{Name: "a/b", Partitions: 1}, {Name: "ok", Partitions: 0}})
	if err == nil || !strings.Contains(err.Error(), "a/b") || !strings.Contains(err.Error(), "partition count 0") {
		t.Fatalf("err = %v, want both problems", err)
	}
}

func TestDescribeMissingTopic(t *testing.T) {
	cfg := fakeBrokers(t)
	_, err := kafka.DescribeTopics(context.Background(), cfg, []string{"nope"})
	var te *kafka.TopicError
	if !errors.As(err, &te) || te.Topic != "nope" {
		t.Fatalf("err = %v, want a TopicError for nope", err)
	}
}
