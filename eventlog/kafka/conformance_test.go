package kafka_test

import (
	"context"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func openLog(t testing.TB, cfg kafka.Config) *kafka.Log {
	t.Helper()
	l, err := kafka.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// harness runs the suite on a fresh in-process cluster per log; Reopen opens
// a new Log on the same cluster: the broker is the durable part.
func harness(view func(l *kafka.Log) eventlog.Log) eventlogtest.Harness {
	cfgs := map[eventlog.Log]kafka.Config{}
	return eventlogtest.Harness{
		New: func(t *testing.T) eventlog.Log {
			cfg := fakeBrokers(t)
			cfg.Partitions = 3
			v := view(openLog(t, cfg))
			cfgs[v] = cfg
			return v
		},
		Reopen: func(t *testing.T, l eventlog.Log) eventlog.Log {
			cfg := cfgs[l]
			l.Close()
			v := view(openLog(t, cfg))
			cfgs[v] = cfg
			return v
		},
		MaxRecordSize: kafka.DefaultMaxRecordSize,
		// Kafka's default max.message.bytes (1 MiB) bounds a whole batch,
		// and the suite appends three large records in one batch.
		LargeRecordSize: 300 << 10,
	}
}

func TestConformance(t *testing.T) {
	t.Run("Log", func(t *testing.T) {
		eventlogtest.Run(t, harness(func(l *kafka.Log) eventlog.Log { return l }))
	})
	t.Run("Partition2", func(t *testing.T) {
		eventlogtest.Run(t, harness(func(l *kafka.Log) eventlog.Log { return l.Partition(2) }))
	})
}
