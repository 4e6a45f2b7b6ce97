package kafka

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Standard stream (topic) names, as in ARCHITECTURE.md "Topics and streams".
const (
	TopicBars       = "market.bars.v1"
	TopicTrades     = "market.trades.v1"
	TopicSignals    = "signals.v1"
	TopicDeadLetter = "deadletter.v1"
	TopicSnapshots  = "engine.snapshots.v1"
)

// TopicSpec describes a topic to create.
type TopicSpec struct {
	Name              string
	Partitions        int               // >= 1
	ReplicationFactor int               // >= 1, or 0 for the broker's default
	Configs           map[string]string // topic configs, e.g. cleanup.policy=compact; may be nil
}

// StandardTopics returns the co-partitioned topic set of a Candlewick
// deployment: market.bars.v1, market.trades.v1, signals.v1 and deadletter.v1
// with partitions partitions each, and engine.snapshots.v1 with the same
// count and cleanup.policy=compact (only the latest snapshot per shard key
// matters). Equal partition counts are what let an engine instance that owns
// market partition p own partition p of every other topic too.
func StandardTopics(partitions, replicationFactor int) []TopicSpec {
	mk := func(name string, configs map[string]string) TopicSpec {
		return TopicSpec{Name: name, Partitions: partitions, ReplicationFactor: replicationFactor, Configs: configs}
	}
	return []TopicSpec{
		mk(TopicBars, nil),
		mk(TopicTrades, nil),
		mk(TopicSignals, nil),
		mk(TopicDeadLetter, nil),
		mk(TopicSnapshots, map[string]string{"cleanup.policy": "compact"}),
	}
}

// TopicResult is the outcome of creating one topic.
type TopicResult struct {
	Name    string
	Created bool // false: it existed already, with the requested partition count
}

// CreateTopics creates the topics of specs, in order. It is idempotent: a
// topic that exists with the requested partition count is fine (Created is
// false; its configs are left as they are). A topic that exists with a
// different count is a [*TopicError] matching [ErrPartitionMismatch] naming
// both numbers. Invalid specs (name, counts) are reported all at once before
// anything is created. Results are indexed like specs; on an error, the
// results of the topics handled before it are returned with it.
func CreateTopics(ctx context.Context, cfg Config, specs []TopicSpec) ([]TopicResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range specs {
		if err := eventlog.ValidateStream(s.Name); err != nil {
			errs = append(errs, err)
		}
		if s.Partitions < 1 {
			errs = append(errs, &TopicError{Topic: s.Name, Reason: fmt.Sprintf("partition count %d is not positive", s.Partitions), Err: ErrInvalidConfig})
		}
		if s.ReplicationFactor < 0 || s.ReplicationFactor > 32767 {
			errs = append(errs, &TopicError{Topic: s.Name, Reason: fmt.Sprintf("replication factor %d out of range", s.ReplicationFactor), Err: ErrInvalidConfig})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cl := cfg.Client()
	defer cl.Transport.(*kafkago.Transport).CloseIdleConnections()
	out := make([]TopicResult, 0, len(specs))
	for _, s := range specs {
		created, err := createTopic(ctx, cl, s)
		if err != nil {
			return out, err
		}
		out = append(out, TopicResult{Name: s.Name, Created: created})
	}
	return out, nil
}

// createTopic creates one topic, or checks the partition count of the
// existing one.
func createTopic(ctx context.Context, cl *kafkago.Client, s TopicSpec) (bool, error) {
	rf := s.ReplicationFactor
	if rf == 0 {
		rf = -1 // the broker's default.replication.factor (CreateTopics v4+)
	}
	tc := kafkago.TopicConfig{Topic: s.Name, NumPartitions: s.Partitions, ReplicationFactor: rf}
	// Sorted so that the request is the same bytes every time.
	for _, k := range slices.Sorted(maps.Keys(s.Configs)) {
		tc.ConfigEntries = append(tc.ConfigEntries, kafkago.ConfigEntry{ConfigName: k, ConfigValue: s.Configs[k]})
	}
	resp, err := cl.CreateTopics(ctx, &kafkago.CreateTopicsRequest{Topics: []kafkago.TopicConfig{tc}})
	if err != nil {
		return false, fmt.Errorf("kafka: create topic %s: %w", s.Name, err)
	}
	err = resp.Errors[s.Name]
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, kafkago.TopicAlreadyExists):
		n, err := partitionCount(ctx, cl, s.Name)
		if err != nil {
			return false, err
		}
		if n != s.Partitions {
			return false, &TopicError{Topic: s.Name, Reason: fmt.Sprintf("exists with %d partitions, want %d", n, s.Partitions), Err: ErrPartitionMismatch}
		}
		return false, nil
	default:
		return false, &TopicError{Topic: s.Name, Reason: "create: " + err.Error(), Err: err}
	}
}

// partitionCount returns the topic's partition count, 0 if it does not exist.
func partitionCount(ctx context.Context, cl *kafkago.Client, topic string) (int, error) {
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return 0, fmt.Errorf("kafka: metadata of %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if errors.Is(t.Error, kafkago.UnknownTopicOrPartition) {
			return 0, nil
		}
		if t.Error != nil {
			return 0, &TopicError{Topic: topic, Reason: "metadata: " + t.Error.Error(), Err: t.Error}
		}
		return len(t.Partitions), nil
	}
	return 0, nil
}

// TopicDescription describes one topic.
type TopicDescription struct {
	Name       string
	Partitions []PartitionDescription // by ID
	Configs    map[string]string      // non-default topic configs only
}

// PartitionDescription describes one partition of a topic. Start and End
// are its first retained offset and its high watermark (the offset the next
// record gets), so End-Start records are readable.
type PartitionDescription struct {
	ID       int
	Leader   int // broker ID; -1 when leaderless
	Replicas []int
	ISR      []int
	Start    int64
	End      int64
}

// DescribeTopics describes the named topics (nil: every topic except the
// internal ones, such as __consumer_offsets), sorted by name. A named topic
// that does not exist is a [*TopicError] matching
// [kafkago.UnknownTopicOrPartition].
func DescribeTopics(ctx context.Context, cfg Config, names []string) ([]TopicDescription, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if err := eventlog.ValidateStream(n); err != nil {
			return nil, err
		}
	}
	cl := cfg.Client()
	defer cl.Transport.(*kafkago.Transport).CloseIdleConnections()
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: names})
	if err != nil {
		return nil, fmt.Errorf("kafka: describe topics: metadata: %w", err)
	}
	var out []TopicDescription
	offReq := map[string][]kafkago.OffsetRequest{}
	var resources []kafkago.DescribeConfigRequestResource
	for _, t := range md.Topics {
		if t.Error != nil {
			return nil, &TopicError{Topic: t.Name, Reason: "describe: " + t.Error.Error(), Err: t.Error}
		}
		if t.Internal || strings.HasPrefix(t.Name, "__") {
			continue
		}
		d := TopicDescription{Name: t.Name, Configs: map[string]string{}}
		for _, p := range t.Partitions {
			pd := PartitionDescription{ID: p.ID, Leader: -1}
			if p.Leader.Host != "" {
				pd.Leader = p.Leader.ID
			}
			for _, b := range p.Replicas {
				pd.Replicas = append(pd.Replicas, b.ID)
			}
			for _, b := range p.Isr {
				pd.ISR = append(pd.ISR, b.ID)
			}
			d.Partitions = append(d.Partitions, pd)
			offReq[t.Name] = append(offReq[t.Name], kafkago.FirstOffsetOf(p.ID), kafkago.LastOffsetOf(p.ID))
		}
		slices.SortFunc(d.Partitions, func(a, b PartitionDescription) int { return a.ID - b.ID })
		out = append(out, d)
		resources = append(resources, kafkago.DescribeConfigRequestResource{ResourceType: kafkago.ResourceTypeTopic, ResourceName: t.Name})
	}
	slices.SortFunc(out, func(a, b TopicDescription) int { return strings.Compare(a.Name, b.Name) })
	if len(out) == 0 {
		return out, nil
	}
	offs, err := cl.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: offReq})
	if err != nil {
		return nil, fmt.Errorf("kafka: describe topics: list offsets: %w", err)
	}
	confs, err := cl.DescribeConfigs(ctx, &kafkago.DescribeConfigsRequest{Resources: resources})
	if err != nil {
		return nil, fmt.Errorf("kafka: describe topics: configs: %w", err)
	}
	for i := range out {
		d := &out[i]
		for _, po := range offs.Topics[d.Name] {
			if po.Error != nil {
				return nil, &TopicError{Topic: d.Name, Reason: fmt.Sprintf("partition %d offsets: %v", po.Partition, po.Error), Err: po.Error}
			}
			for j := range d.Partitions {
				if d.Partitions[j].ID == po.Partition {
					d.Partitions[j].Start, d.Partitions[j].End = po.FirstOffset, po.LastOffset
				}
			}
		}
		for _, r := range confs.Resources {
			if r.ResourceName != d.Name {
				continue
			}
			if r.Error != nil {
				return nil, &TopicError{Topic: d.Name, Reason: "describe configs: " + r.Error.Error(), Err: r.Error}
			}
			for _, e := range r.ConfigEntries {
				// Source 1 is DYNAMIC_TOPIC_CONFIG: set on this topic. Older
				// brokers only report IsDefault.
				if !e.IsDefault && (e.ConfigSource == 0 || e.ConfigSource == 1) {
					if e.IsSensitive {
						d.Configs[e.ConfigName] = "<sensitive>"
						continue
					}
					d.Configs[e.ConfigName] = e.ConfigValue
				}
			}
		}
	}
	return out, nil
}
