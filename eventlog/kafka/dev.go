package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Defaults of [DevConfig].
const (
	DefaultDevListen     = "127.0.0.1:9092"
	DefaultDevPartitions = 6
)

// DevConfig configures a development broker. The zero value means
// defaults: 127.0.0.1:9092 and [StandardTopics] with 6 partitions.
type DevConfig struct {
	// Listen is the host:port the broker listens on and advertises to
	// clients; default [DefaultDevListen]. Port 0 picks a free port (see
	// [Dev.Addrs]). The host is advertised as is, so a wildcard such as
	// 0.0.0.0 only works for clients on the same machine.
	Listen string
	// Partitions of each standard topic; default [DefaultDevPartitions].
	// Ignored when Topics is set.
	Partitions int
	// Topics to create at start; default StandardTopics(Partitions, 1)
	// (the snapshot topic compacted). They are created with [CreateTopics],
	// through the Kafka protocol, so their configs are set as on a real
	// broker.
	Topics []TopicSpec
	// Logger receives lifecycle messages; nil discards them.
	Logger *slog.Logger
}

// Dev is an in-process Kafka-protocol broker for development and tests,
// built on franz-go's kfake: one broker, everything in memory, gone on
// Close; any Kafka client (kafka-go, librdkafka/kcat, the Java client) can
// talk to it. It is not a production broker: no durability, no replication,
// a single process. A Dev is safe for concurrent use.
type Dev struct {
	cluster *kfake.Cluster
	addrs   []string
	topics  []TopicSpec
	logger  *slog.Logger
	once    sync.Once
}

// StartDev starts a development broker on cfg.Listen and creates cfg's
// topics. ctx bounds only the start (topic creation); the broker runs until
// Close. Errors: an invalid Listen or Partitions is a [*ConfigError]; a port
// in use or a failed topic creation is returned wrapped.
func StartDev(ctx context.Context, cfg DevConfig) (*Dev, error) {
	if cfg.Listen == "" {
		cfg.Listen = DefaultDevListen
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultDevPartitions
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if _, port, err := net.SplitHostPort(cfg.Listen); err != nil {
		errs = append(errs, &ConfigError{Field: "Listen", Reason: fmt.Sprintf("%q is not host:port", cfg.Listen)})
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, &ConfigError{Field: "Listen", Reason: fmt.Sprintf("%q: port must be 0-65535", cfg.Listen)})
	}
	if cfg.Partitions < 0 {
		errs = append(errs, &ConfigError{Field: "Partitions", Reason: fmt.Sprintf("%d is negative", cfg.Partitions)})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if cfg.Topics == nil {
		cfg.Topics = StandardTopics(cfg.Partitions, 1)
	}
	listen := cfg.Listen
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.ClusterID("candlewick-dev"),
		kfake.DefaultNumPartitions(cfg.Partitions),
		// kfake always listens on 127.0.0.1:<port>; ListenFn is how to put
		// it on the host the caller asked for.
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, listen) }),
	)
	if err != nil {
		return nil, fmt.Errorf("kafka: start dev broker on %s: %w", cfg.Listen, err)
	}
	d := &Dev{cluster: c, addrs: c.ListenAddrs(), topics: cfg.Topics, logger: cfg.Logger.With("component", "kafka-dev")}
	if _, err := CreateTopics(ctx, Config{Brokers: d.addrs, ClientID: "candlewick-dev"}, cfg.Topics); err != nil {
		c.Close()
		return nil, fmt.Errorf("kafka: dev broker: %w", err)
	}
	d.logger.InfoContext(ctx, "dev broker started", "addr", d.addrs[0], "topics", len(cfg.Topics))
	return d, nil
}

// Addrs returns the broker's host:port addresses (one), for Config.Brokers.
// The caller may keep and modify the slice.
func (d *Dev) Addrs() []string { return append([]string(nil), d.addrs...) }

// Topics returns the topics created at start. The caller may keep the slice
// but must not modify the specs' Configs maps.
func (d *Dev) Topics() []TopicSpec { return append([]TopicSpec(nil), d.topics...) }

// Close stops the broker and drops everything it held. It is idempotent and
// always returns nil (it has the io.Closer signature for defer and
// errors.Join).
func (d *Dev) Close() error {
	d.once.Do(func() {
		d.cluster.Close()
		d.logger.Info("dev broker stopped", "addr", d.addrs[0])
	})
	return nil
}
