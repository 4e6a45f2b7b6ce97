package pubsub

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Metadata keys set on delivered messages, and read from published ones.
// Frozen: they are part of the wire contract between stages.
const (
	MetaSeq    = "seq"    // the record's sequence number, decimal
	MetaStream = "stream" // the stream (topic) it was read from
	MetaKey    = "key"    // the record key (e.g. the symbol); on publish, becomes the Key
	// HeaderUUID is the record header that keeps a published message's
	// UUID; watermill's Kafka marshaller uses the same name.
	HeaderUUID = "_watermill_message_uuid"
)

// PublisherConfig configures [NewPublisher].
type PublisherConfig struct {
	// Log receives the appends. Required. The Publisher does not close it.
	Log eventlog.Log
}

// Publisher is a watermill [message.Publisher] that appends to a log. It is
// safe for concurrent use; concurrent Publish calls to one stream are
// serialised by the log.
type Publisher struct {
	log eventlog.Log

	mu     sync.RWMutex
	closed bool
}

// NewPublisher returns a Publisher over cfg.Log.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	if cfg.Log == nil {
		return nil, errors.New("pubsub: PublisherConfig.Log is nil")
	}
	return &Publisher{log: cfg.Log}, nil
}

// Publish appends msgs to the stream topic as one batch: readers see all of
// them or none. The append runs under the first message's context. It
// returns [ErrClosed] after Close and the log's error otherwise (see
// [eventlog.Log.Append] for what a failed append means).
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	if len(msgs) == 0 {
		return nil
	}
	recs := make([]eventlog.Record, len(msgs))
	for i, m := range msgs {
		recs[i] = RecordOf(m)
	}
	ctx := msgs[0].Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if _, err := p.log.Append(ctx, topic, recs); err != nil {
		return fmt.Errorf("pubsub: publish %d messages to %s: %w", len(msgs), topic, err)
	}
	return nil
}

// Close makes later Publish calls return ErrClosed. It waits for Publish
// calls in progress, leaves the log open and is idempotent.
func (p *Publisher) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return nil
}

// RecordOf returns the record Publish appends for m: Value = payload (shared,
// not copied), Key = the "key" metadata, headers = the UUID then the other
// metadata in sorted key order (a map has no order of its own, and the same
// message must always give the same bytes).
func RecordOf(m *message.Message) eventlog.Record {
	r := eventlog.Record{Value: m.Payload}
	if k, ok := m.Metadata[MetaKey]; ok {
		r.Key = []byte(k)
	}
	keys := make([]string, 0, len(m.Metadata))
	for k := range m.Metadata {
		switch k {
		case MetaKey, MetaSeq, MetaStream, HeaderUUID:
			// Delivery metadata describes where a record was read from; it
			// is not copied when a message is republished.
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	r.Headers = make([]eventlog.Header, 0, len(keys)+1)
	if m.UUID != "" {
		r.Headers = append(r.Headers, eventlog.Header{Key: HeaderUUID, Value: []byte(m.UUID)})
	}
	for _, k := range keys {
		r.Headers = append(r.Headers, eventlog.Header{Key: k, Value: []byte(m.Metadata[k])})
	}
	return r
}
