package kafka_test

import (
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// fakeBrokers starts a fresh in-memory kfake cluster for one test and
// returns a Config pointing at it.
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
