package pubsub

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// SubscriberConfig configures [NewSubscriber].
type SubscriberConfig struct {
	// Log is the log to follow. Required. The Subscriber does not close it.
	Log eventlog.Log
	// From is the first sequence number delivered by every subscription;
	// default 0 (the start of the stream).
	From int64
	// FromFunc, when set, overrides From: it is called by each Subscribe with
	// the topic and returns the first sequence number to deliver (for example
	// one after the position a snapshot was taken at).
	FromFunc func(ctx context.Context, topic string) (int64, error)
	// Logger receives errors that end a subscription (the channel closes);
	// nil discards them.
	Logger *slog.Logger
}

// Subscriber is a watermill [message.Subscriber] that follows streams of a
// log. It is safe for concurrent use. Each subscription delivers records in
// order, one at a time, and ends (its channel closes) when the ctx passed to
// Subscribe ends, the Subscriber closes, the log closes or reading fails.
type Subscriber struct {
	cfg    SubscriberConfig
	logger *slog.Logger

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	wg      sync.WaitGroup
}

// NewSubscriber returns a Subscriber over cfg.Log.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	var errs []error
	if cfg.Log == nil {
		errs = append(errs, errors.New("pubsub: SubscriberConfig.Log is nil"))
	}
	if cfg.From < 0 {
		errs = append(errs, fmt.Errorf("pubsub: SubscriberConfig.From %d is negative", cfg.From))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Subscriber{cfg: cfg, logger: lg.With("component", "pubsub.subscriber"), closing: make(chan struct{})}, nil
}

// Subscribe follows topic from the configured start and returns the channel
// of its messages. Every message must be acked (next message) or nacked
// (the same record again). It returns [ErrClosed] after Close, and an error
// for an invalid stream name or a failing FromFunc.
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := eventlog.ValidateStream(topic); err != nil {
		return nil, fmt.Errorf("pubsub: subscribe: %w", err)
	}
	from := s.cfg.From
	if s.cfg.FromFunc != nil {
		var err error
		if from, err = s.cfg.FromFunc(ctx, topic); err != nil {
			return nil, fmt.Errorf("pubsub: subscribe %s: start position: %w", topic, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	out := make(chan *message.Message)
	sctx, cancel := context.WithCancel(ctx)
	s.wg.Add(2)
	go func() {
		// Ends the subscription when the Subscriber closes.
		defer s.wg.Done()
		select {
		case <-s.closing:
			cancel()
		case <-sctx.Done():
		}
	}()
	go func() {
		defer s.wg.Done()
		defer close(out)
		defer cancel()
		err := s.cfg.Log.Follow(sctx, topic, from, func(r eventlog.Record) error {
			// The record is valid only during this callback, but the
			// message may be kept by the handler: MessageOf copies it.
			return Deliver(sctx, ctx, out, MessageOf(topic, r))
		})
		if err != nil && sctx.Err() == nil && !errors.Is(err, eventlog.ErrClosed) {
			s.logger.Error("subscription ended", "stream", topic, "from", from, "err", err)
		}
	}()
	return out, nil
}

// Deliver sends a copy of proto on out and waits for its Ack, sending a new
// copy on each Nack, as a watermill Subscriber must; each copy's context is
// a child of msgCtx that ends with its Ack or Nack. It returns nil once a
// copy is acked, and sctx's error when sctx ends first. Subscribers of other
// backends (eventlog/kafka) deliver with it too.
func Deliver(sctx, msgCtx context.Context, out chan<- *message.Message, proto *message.Message) error {
	for {
		m := proto.Copy()
		// The message's context ends with its Ack or Nack, as watermill's
		// handlers expect.
		mctx, mcancel := context.WithCancel(msgCtx)
		m.SetContext(mctx)
		select {
		case out <- m:
		case <-sctx.Done():
			mcancel()
			return sctx.Err()
		}
		select {
		case <-m.Acked():
			mcancel()
			return nil
		case <-m.Nacked():
			// Redeliver the same record: the next message only after an Ack.
			mcancel()
		case <-sctx.Done():
			mcancel()
			return sctx.Err()
		}
	}
}

// MessageOf returns the message a Subscriber delivers for record r of
// stream: its own copy of the value as payload, the UUID from the
// [HeaderUUID] header or "stream:seq", and metadata seq, stream, key and one
// entry per header (the last one wins for repeated keys).
func MessageOf(stream string, r eventlog.Record) *message.Message {
	uuid := ""
	md := make(message.Metadata, len(r.Headers)+3)
	for _, h := range r.Headers {
		if h.Key == HeaderUUID {
			uuid = string(h.Value)
			continue
		}
		md[h.Key] = string(h.Value)
	}
	if uuid == "" {
		uuid = stream + ":" + strconv.FormatInt(r.Seq, 10)
	}
	md[MetaSeq] = strconv.FormatInt(r.Seq, 10)
	md[MetaStream] = stream
	md[MetaKey] = string(r.Key)
	m := message.NewMessage(uuid, append([]byte(nil), r.Value...))
	m.Metadata = md
	return m
}

// SeqOf returns the sequence number in m's [MetaSeq] metadata.
func SeqOf(m *message.Message) (int64, error) {
	v := m.Metadata.Get(MetaSeq)
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("pubsub: message %s: metadata %s=%q: %w", m.UUID, MetaSeq, v, err)
	}
	return seq, nil
}

// Close ends every subscription, waits for their goroutines to finish (their
// channels are closed by then) and is idempotent. The log stays open.
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
