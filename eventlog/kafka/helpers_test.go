package kafka_test

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// fakeBrokers starts a fresh in-memory kfake cluster for one test and
// returns a Config pointing at it. (Named distinctively: other files of this
// test package are written by other people.)
func fakeBrokers(t testing.TB, opts ...kfake.Opt) kafka.Config {
	t.Helper()
	cfg, _ := fakeCluster(t, opts...)
	return cfg
}

// fakeCluster is fakeBrokers that also returns the cluster, for injecting
// faults with its Control functions.
func fakeCluster(t testing.TB, opts ...kfake.Opt) (kafka.Config, *kfake.Cluster) {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return kafka.Config{Brokers: c.ListenAddrs(), RetryBackoff: 10 * time.Millisecond, RetryBackoffMax: 100 * time.Millisecond}, c
}

func readAllT(t testing.TB, l eventlog.Log, stream string) []eventlog.Record {
	t.Helper()
	it, err := l.Read(context.Background(), stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
