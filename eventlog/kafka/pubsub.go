package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/pubsub"
)

// Metadata keys set on messages a [Subscriber] delivers, besides those of
// eventlog/pubsub (seq = offset, stream = topic, key). Frozen.
const (
	MetaPartition = "partition" // the Kafka partition, decimal
)

// PublisherConfig configures [NewPublisher].
type PublisherConfig struct {
	// Balancer picks the partition of each message; nil means
	// [kafkago.Murmur2Balancer] on the key (the "key" metadata, see
	// [pubsub.MetaKey]), which is what the Java client, Kafka Streams,
	// ksqlDB and Flink do.
	Balancer kafkago.Balancer
	// EventType returns the event type of messages published to topic, for
	// the event metadata headers ([HeaderEventType] ...) added to every
	// message that does not carry them already; "" adds none. Nil means
	// [StandardEventType].
	EventType func(topic string) string
}

// StandardEventType returns the event type of the standard topics
// (market.bars.v1 is "bar", ...), "" for any other.
func StandardEventType(topic string) string {
	switch topic {
	case TopicBars:
		return EventBar
	case TopicTrades:
		return EventTrade
	case TopicSignals:
		return EventSignal
	case TopicDeadLetter:
		return EventDeadLetter
	case TopicSnapshots:
		return EventSnapshot
	}
	return ""
}

// Publisher is a watermill [message.Publisher] producing to Kafka through
// one kafka-go [kafkago.Writer] with all of [Config]'s producer settings. It
// is safe for concurrent use. Messages map to records as in
// [pubsub.RecordOf]: the payload is the value, the "key" metadata the key
// (so the partition follows the symbol), the UUID and other metadata
// become headers. A topic that does not exist is created with
// Config.Partitions partitions on first use.
type Publisher struct {
	cfg      Config
	pc       PublisherConfig
	w        *kafkago.Writer
	logger   *slog.Logger
	mu       sync.RWMutex
	closed   bool            // guarded by mu
	topicsMu sync.Mutex      // guards known
	known    map[string]bool // topics known to exist
	closeErr error
}

// NewMarketPublisher returns the Publisher that Candlewick's market feeds
// use: Murmur2 partitioning on the symbol and the standard event metadata.
func NewMarketPublisher(cfg Config) (*Publisher, error) {
	return NewPublisher(cfg, PublisherConfig{Balancer: &kafkago.Murmur2Balancer{}})
}

// NewPublisher returns a Publisher; cfg is validated.
func NewPublisher(cfg Config, pc PublisherConfig) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if pc.Balancer == nil {
		pc.Balancer = &kafkago.Murmur2Balancer{}
	}
	if pc.EventType == nil {
		pc.EventType = StandardEventType
	}
	w := cfg.Writer("", pc.Balancer)
	return &Publisher{cfg: cfg, pc: pc, w: w, logger: cfg.Logger.With("component", "kafka.publisher"), known: map[string]bool{}}, nil
}

// Publish writes msgs to topic and returns when the brokers acknowledged
// them (per RequiredAcks). Messages to one partition are written in order.
// It returns [pubsub.ErrClosed] after Close, a [kafkago.WriteErrors] naming
// the failed messages, or another error.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return pubsub.ErrClosed
	}
	if err := eventlog.ValidateStream(topic); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	ctx := msgs[0].Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if err := p.ensureTopic(ctx, topic); err != nil {
		return err
	}
	et := p.pc.EventType(topic)
	kms := make([]kafkago.Message, len(msgs))
	for i, m := range msgs {
		r := pubsub.RecordOf(m)
		km := kafkago.Message{Topic: topic, Key: r.Key, Value: r.Value}
		if et != "" {
			for _, h := range p.cfg.MetaHeaders(et) {
				if _, ok := m.Metadata[h.Key]; !ok {
					km.Headers = append(km.Headers, kafkago.Header{Key: h.Key, Value: h.Value})
				}
			}
		}
		for _, h := range r.Headers {
			km.Headers = append(km.Headers, kafkago.Header{Key: h.Key, Value: h.Value})
		}
		kms[i] = km
	}
	if err := p.w.WriteMessages(ctx, kms...); err != nil {
		return fmt.Errorf("kafka: publish %d messages to %s: %w", len(msgs), topic, err)
	}
	return nil
}

// ensureTopic creates topic on first use if it does not exist.
func (p *Publisher) ensureTopic(ctx context.Context, topic string) error {
	p.topicsMu.Lock()
	defer p.topicsMu.Unlock()
	if p.known[topic] {
		return nil
	}
	// Through the Writer's own transport: kafka-go refreshes a transport's
	// metadata cache after it creates a topic, and the Writer routes by that
	// cache.
	tr := p.w.Transport.(*kafkago.Transport)
	created, err := createTopic(ctx, &kafkago.Client{Addr: p.w.Addr, Transport: tr}, TopicSpec{Name: topic, Partitions: p.cfg.Partitions, ReplicationFactor: p.cfg.ReplicationFactor})
	if err != nil && !errors.Is(err, ErrPartitionMismatch) {
		return fmt.Errorf("kafka: publish to %s: %w", topic, err)
	}
	if !created {
		// It existed, perhaps created by another client after the cache
		// was filled: start a new connection pool with fresh metadata.
		tr.CloseIdleConnections()
	}
	p.known[topic] = true
	return nil
}

// Close flushes pending writes, closes the Writer and is idempotent.
func (p *Publisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	p.closeErr = p.w.Close()
	if tr, ok := p.w.Transport.(*kafkago.Transport); ok {
		tr.CloseIdleConnections()
	}
	return p.closeErr
}

// SubscriberConfig configures [NewSubscriber]. Zero fields get defaults.
type SubscriberConfig struct {
	// GroupID is the consumer group. Required: members of one group split
	// the partitions of a topic, and the group's committed offsets say
	// where a restarted member resumes.
	GroupID string
	// StartOffset is where a group with no committed offset starts:
	// [kafkago.FirstOffset] (default) or [kafkago.LastOffset].
	StartOffset int64
	// MaxWait is the long-poll limit of a fetch; default Config.FetchMaxWait.
	MaxWait time.Duration
	// QueueCapacity is how many messages the kafka-go Reader prefetches;
	// default 1000.
	QueueCapacity int
	// HeartbeatInterval, SessionTimeout and RebalanceTimeout tune the
	// group protocol; defaults 1s, 10s and 10s (kafka-go's 3s/30s/30s make
	// a rebalance after a member leaves take half a minute).
	HeartbeatInterval time.Duration
	SessionTimeout    time.Duration
	RebalanceTimeout  time.Duration
	// JoinGroupBackoff is the wait before rejoining after an error;
	// default 500ms.
	JoinGroupBackoff time.Duration
}

func (sc SubscriberConfig) withDefaults(cfg Config) SubscriberConfig {
	if sc.StartOffset == 0 {
		sc.StartOffset = kafkago.FirstOffset
	}
	if sc.MaxWait == 0 {
		sc.MaxWait = cfg.FetchMaxWait
	}
	if sc.QueueCapacity == 0 {
		sc.QueueCapacity = 1000
	}
	if sc.HeartbeatInterval == 0 {
		sc.HeartbeatInterval = time.Second
	}
	if sc.SessionTimeout == 0 {
		sc.SessionTimeout = 10 * time.Second
	}
	if sc.RebalanceTimeout == 0 {
		sc.RebalanceTimeout = 10 * time.Second
	}
	if sc.JoinGroupBackoff == 0 {
		sc.JoinGroupBackoff = 500 * time.Millisecond
	}
	return sc
}

// Subscriber is a watermill [message.Subscriber] consuming topics in a
// Kafka consumer group with a kafka-go [kafkago.Reader] per subscription.
// It is safe for concurrent use. A subscription delivers one message at a
// time; Ack commits its offset (synchronously, so an acked message is not
// delivered again to the group), Nack delivers the same message again.
// Within a partition, order is kept. Delivery is at-least-once: a member
// that stops between handling and Ack, or loses its partition in a
// rebalance, leaves the message to be delivered again.
type Subscriber struct {
	cfg    Config
	sc     SubscriberConfig
	logger *slog.Logger

	mu      sync.Mutex
	closed  bool // guarded by mu
	closing chan struct{}
	wg      sync.WaitGroup
}

// NewSubscriber returns a Subscriber; cfg and sc are validated.
func NewSubscriber(cfg Config, sc SubscriberConfig) (*Subscriber, error) {
	var errs []error
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if sc.GroupID == "" {
		errs = append(errs, &ConfigError{Field: "SubscriberConfig.GroupID", Reason: "required"})
	}
	if sc.StartOffset != 0 && sc.StartOffset != kafkago.FirstOffset && sc.StartOffset != kafkago.LastOffset {
		errs = append(errs, &ConfigError{Field: "SubscriberConfig.StartOffset", Reason: "must be kafka.FirstOffset or kafka.LastOffset"})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	return &Subscriber{cfg: cfg, sc: sc.withDefaults(cfg), logger: cfg.Logger.With("component", "kafka.subscriber"), closing: make(chan struct{})}, nil
}

// SubscribeInitialize creates topic (Config.Partitions partitions) if it
// does not exist. It implements watermill's message.SubscribeInitializer.
func (s *Subscriber) SubscribeInitialize(topic string) error {
	_, err := CreateTopics(context.Background(), s.cfg, []TopicSpec{{Name: topic, Partitions: s.cfg.Partitions, ReplicationFactor: s.cfg.ReplicationFactor}})
	if errors.Is(err, ErrPartitionMismatch) {
		return nil
	}
	return err
}

// Subscribe joins the group for topic (creating the topic if it does not
// exist, so that a subscriber may start before the first publish) and
// returns the channel of its messages, closed when ctx ends or the
// Subscriber closes.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := eventlog.ValidateStream(topic); err != nil {
		return nil, fmt.Errorf("kafka: subscribe: %w", err)
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, pubsub.ErrClosed
	}
	if err := s.SubscribeInitialize(topic); err != nil {
		return nil, fmt.Errorf("kafka: subscribe %s: %w", topic, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, pubsub.ErrClosed
	}
	r := kafkago.NewReader(s.readerConfig(topic))
	out := make(chan *message.Message)
	sctx, cancel := context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		defer cancel()
		go func() {
			select {
			case <-s.closing:
				cancel()
			case <-sctx.Done():
			}
		}()
		err := s.consume(sctx, ctx, r, topic, out)
		if cerr := r.Close(); cerr != nil && err == nil {
			err = cerr
		}
		if err != nil && sctx.Err() == nil {
			s.logger.Error("subscription ended", "topic", topic, "group", s.sc.GroupID, "err", err)
		}
	}()
	return out, nil
}

func (s *Subscriber) readerConfig(topic string) kafkago.ReaderConfig {
	return kafkago.ReaderConfig{
		Brokers:           s.cfg.Brokers,
		GroupID:           s.sc.GroupID,
		Topic:             topic,
		Dialer:            s.cfg.Dialer(),
		QueueCapacity:     s.sc.QueueCapacity,
		MinBytes:          1,
		MaxBytes:          fetchMaxBytes,
		MaxWait:           s.sc.MaxWait,
		ReadBatchTimeout:  s.sc.SessionTimeout,
		HeartbeatInterval: s.sc.HeartbeatInterval,
		SessionTimeout:    s.sc.SessionTimeout,
		RebalanceTimeout:  s.sc.RebalanceTimeout,
		JoinGroupBackoff:  s.sc.JoinGroupBackoff,
		StartOffset:       s.sc.StartOffset,
		CommitInterval:    0, // synchronous: Ack returns after the commit
		ReadBackoffMin:    s.cfg.RetryBackoff,
		ReadBackoffMax:    s.cfg.RetryBackoffMax,
		MaxAttempts:       s.cfg.MaxAttempts,
		ErrorLogger:       kafkago.LoggerFunc(func(msg string, args ...any) { s.logger.Debug(fmt.Sprintf(msg, args...)) }),
	}
}

// consume delivers messages until ctx ends or reading fails.
func (s *Subscriber) consume(sctx, msgCtx context.Context, r *kafkago.Reader, topic string, out chan<- *message.Message) error {
	for {
		km, err := r.FetchMessage(sctx)
		if err != nil {
			return err
		}
		if err := pubsub.Deliver(sctx, msgCtx, out, messageOf(topic, km)); err != nil {
			return err
		}
		if err := r.CommitMessages(sctx, km); err != nil {
			return fmt.Errorf("commit %s/%d@%d: %w", topic, km.Partition, km.Offset, err)
		}
	}
}

// messageOf is [pubsub.MessageOf] for a Kafka message, plus the partition.
func messageOf(topic string, km kafkago.Message) *message.Message {
	r := eventlog.Record{Seq: km.Offset, Key: km.Key, Value: km.Value}
	if len(km.Headers) > 0 {
		r.Headers = make([]eventlog.Header, len(km.Headers))
		for i, h := range km.Headers {
			r.Headers[i] = eventlog.Header{Key: h.Key, Value: h.Value}
		}
	}
	m := pubsub.MessageOf(topic, r)
	if m.UUID == topic+":"+strconv.FormatInt(km.Offset, 10) {
		// Offsets repeat across partitions: make the fallback UUID unique.
		m.UUID = topic + ":" + strconv.Itoa(km.Partition) + ":" + strconv.FormatInt(km.Offset, 10)
	}
	m.Metadata[MetaPartition] = strconv.Itoa(km.Partition)
	return m
}

// Close ends every subscription (leaving the group), waits for them and is
// idempotent.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}
