package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Log is an [eventlog.Log] over a Kafka cluster: a stream is a topic and a
// sequence number is a Kafka offset. The Log itself is the view of partition
// 0 of every topic; [Log.Partition] returns the view of any other partition.
// A Log is safe for concurrent use. The broker is the durable part: a new
// Open on the same cluster sees everything a closed Log wrote.
type Log struct {
	*view // partition 0

	cfg       Config
	logger    *slog.Logger
	transport *kafkago.Transport
	client    *kafkago.Client
	acks      kafkago.RequiredAcks
	comp      kafkago.Compression

	// life is held for reading by every Append and Read setup, and for
	// writing by Close, which so waits for appends in progress.
	life   sync.RWMutex
	closed bool               // guarded by life
	ctx    context.Context    // ends at Close, to wake waiters
	cancel context.CancelFunc // ends ctx

	partsMu sync.Mutex
	parts   map[topicPartition]*partState // guarded by partsMu
}

type topicPartition struct {
	topic     string
	partition int32
}

// partState serialises the appends to one partition and remembers its end
// offset, to tell after a lost produce response whether the batch landed.
type partState struct {
	mu     sync.Mutex
	end    int64 // high watermark after our last append; -1 unknown. Guarded by mu.
	sticky error // first append failure of unknown outcome. Guarded by mu.
}

// Open connects to cfg.Brokers and returns a Log. It validates cfg and
// checks that a broker answers (retrying per MaxAttempts and RetryBackoff).
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	acks, _ := acksOf(cfg.RequiredAcks)
	if acks == kafkago.RequireNone {
		// Append must return the offsets the broker assigned, which a
		// produce without acknowledgement does not carry.
		acks = kafkago.RequireOne
	}
	comp, _ := compressionOf(cfg.Compression)
	tr := cfg.Transport()
	l := &Log{
		cfg:       cfg,
		logger:    cfg.Logger.With("component", "kafka.log"),
		transport: tr,
		client:    &kafkago.Client{Addr: kafkago.TCP(cfg.Brokers...), Transport: tr},
		acks:      acks,
		comp:      comp,
		parts:     map[topicPartition]*partState{},
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	l.view = newView(l, 0)
	err := l.retry(ctx, nil, "connect", func() (bool, error) {
		_, err := l.client.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{}})
		return false, err
	})
	if err != nil {
		l.cancel()
		tr.CloseIdleConnections()
		return nil, fmt.Errorf("kafka: open %s: %w", redactedBrokers(cfg.Brokers), err)
	}
	l.logger.InfoContext(ctx, "kafka log open", "brokers", redactedBrokers(cfg.Brokers), "client_id", cfg.ClientID)
	return l, nil
}

// Partition returns the view of the log in which every stream is partition
// p of the topic of that name: Append writes to partition p, Read, Follow and
// Last read it, and sequence numbers are its offsets. The engine runs one
// runner per market partition over such a view, so that its input, signals,
// dead letters and snapshots are co-partitioned. Closing a view ends only
// that view (its Follow calls return [eventlog.ErrClosed]); closing the Log
// ends every view. A p beyond a topic's partition count gives a
// [*TopicError] matching [ErrNoPartition] on Append and an empty stream on
// reads; a negative p gives that error on every call.
func (l *Log) Partition(p int32) eventlog.Log {
	l.forgetEnds(p)
	// Even for p == 0 a new view: it closes independently of the Log.
	return newView(l, p)
}

// forgetEnds drops what the log remembers of the end offsets of partition p
// of every topic. A new view is how a new owner of the partition starts (a
// consumer group hands it over): another member may have appended since this
// log last did, and a remembered end would then turn the next lost produce
// response into a false "outcome unknown". Appends learn the end afresh.
func (l *Log) forgetEnds(p int32) {
	l.partsMu.Lock()
	defer l.partsMu.Unlock()
	for k, ps := range l.parts {
		if k.partition == p {
			ps.mu.Lock()
			ps.end = -1
			ps.mu.Unlock()
		}
	}
}

// Partitions returns the partition count of topic, 0 if it does not exist.
func (l *Log) Partitions(ctx context.Context, topic string) (int, error) {
	if err := eventlog.ValidateStream(topic); err != nil {
		return 0, err
	}
	if err := l.checkOpen(nil); err != nil {
		return 0, err
	}
	return l.freshPartitions(ctx, topic)
}

// Close closes every view, wakes blocked Follow calls, waits for appends in
// progress and releases connections. It is idempotent.
func (l *Log) Close() error {
	l.life.Lock()
	if l.closed {
		l.life.Unlock()
		return nil
	}
	l.closed = true
	l.cancel()
	l.life.Unlock()
	l.transport.CloseIdleConnections()
	l.logger.Info("kafka log closed")
	return nil
}

// view is the eventlog.Log of one partition of every topic.
type view struct {
	l      *Log
	p      int32
	mu     sync.Mutex
	closed bool // guarded by mu
	ctx    context.Context
	cancel context.CancelFunc // ends ctx, at Close
}

func newView(l *Log, p int32) *view {
	v := &view{l: l, p: p}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	return v
}

// Close ends this view: later calls return ErrClosed and blocked Follow
// calls return. Idempotent. (The Log's own Close closes the whole log.)
func (v *view) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closed = true
	v.cancel()
	return nil
}

func (v *view) isClosed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.closed
}

// checkOpen returns ErrClosed if the log or view v (may be nil) is closed.
func (l *Log) checkOpen(v *view) error {
	l.life.RLock()
	closed := l.closed
	l.life.RUnlock()
	if closed || (v != nil && v.isClosed()) {
		return eventlog.ErrClosed
	}
	return nil
}

// done returns a context that ends with ctx, the Log's Close or v's Close
// (cause [eventlog.ErrClosed]), so that a blocked request wakes on Close;
// the caller calls cancel. No goroutine is started until one of them ends.
func (l *Log) done(ctx context.Context, v *view) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stopL := context.AfterFunc(l.ctx, func() { cancel(eventlog.ErrClosed) })
	stopV := context.AfterFunc(v.ctx, func() { cancel(eventlog.ErrClosed) })
	return ctx, func() { stopL(); stopV(); cancel(context.Canceled) }
}

// closedCause turns a context error caused by Close into ErrClosed.
func closedCause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); errors.Is(c, eventlog.ErrClosed) {
		return eventlog.ErrClosed
	}
	return err
}

func (v *view) partErr() error {
	if v.p < 0 {
		return &TopicError{Reason: fmt.Sprintf("partition %d is negative", v.p), Err: ErrNoPartition}
	}
	return nil
}

func (l *Log) part(topic string, p int32) *partState {
	l.partsMu.Lock()
	defer l.partsMu.Unlock()
	k := topicPartition{topic, p}
	ps := l.parts[k]
	if ps == nil {
		ps = &partState{end: -1}
		l.parts[k] = ps
	}
	return ps
}

// retry runs op until it succeeds, fails with an error that is not
// retriable, MaxAttempts are used up, ctx ends or the log closes, sleeping
// RetryBackoff (doubling up to RetryBackoffMax) between attempts. op
// returns stop=true to end early with its error.
func (l *Log) retry(ctx context.Context, v *view, what string, op func() (stop bool, err error)) error {
	backoff := l.cfg.RetryBackoff
	var err error
	for attempt := 1; ; attempt++ {
		var stop bool
		stop, err = op()
		if err == nil || stop || !retriable(err) || attempt >= l.cfg.MaxAttempts {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		l.logger.WarnContext(ctx, "kafka request failed, retrying", "op", what, "attempt", attempt, "backoff", backoff, "err", err)
		t := time.NewTimer(backoff)
		var vclosing <-chan struct{}
		if v != nil {
			vclosing = v.ctx.Done()
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after: %v)", ctx.Err(), err)
		case <-l.ctx.Done():
			t.Stop()
			return eventlog.ErrClosed
		case <-vclosing:
			t.Stop()
			return eventlog.ErrClosed
		}
		backoff = min(2*backoff, l.cfg.RetryBackoffMax)
	}
}

// retriable reports whether err is worth retrying: a temporary Kafka error
// (leader moving, not enough replicas, ...) or a network failure.
func retriable(err error) bool {
	if noTopic(err) {
		return true // the caller creates the topic or refreshes metadata first
	}
	var ke kafkago.Error
	if errors.As(err, &ke) {
		return ke.Temporary()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, eventlog.ErrClosed) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed)
}

// notAppended reports whether err proves that a produce request appended
// nothing, so that retrying it cannot duplicate the batch.
func notAppended(err error) bool {
	var ke kafkago.Error
	if errors.As(err, &ke) {
		switch ke {
		case kafkago.UnknownTopicOrPartition, kafkago.LeaderNotAvailable, kafkago.NotLeaderForPartition,
			kafkago.NotEnoughReplicas, kafkago.MessageSizeTooLarge, kafkago.InvalidTopic,
			kafkago.RecordListTooLarge, kafkago.InvalidMessage,
			kafkago.TopicAuthorizationFailed, kafkago.ThrottlingQuotaExceeded, kafkago.FencedLeaderEpoch,
			kafkago.UnknownLeaderEpoch:
			return true
		}
		return false
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// Append implements [eventlog.Log.Append] on the log's partition-0 view.
func (v *view) Append(ctx context.Context, stream string, recs []eventlog.Record) ([]int64, error) {
	return v.l.appendTo(ctx, v, stream, recs)
}

// appendTo appends recs to partition v.p of topic stream in one produce
// request (one record batch, which readers see whole or not at all).
func (l *Log) appendTo(ctx context.Context, v *view, stream string, recs []eventlog.Record) ([]int64, error) {
	if err := eventlog.ValidateStream(stream); err != nil {
		return nil, err
	}
	if err := v.partErr(); err != nil {
		return nil, err
	}
	l.life.RLock()
	defer l.life.RUnlock()
	if l.closed || v.isClosed() {
		return nil, eventlog.ErrClosed
	}
	if len(recs) == 0 {
		return nil, nil
	}
	for i, r := range recs {
		if n := r.Size(); n > l.cfg.MaxRecordSize {
			return nil, fmt.Errorf("kafka: append to %s/%d: %w", stream, v.p, &eventlog.RecordTooLargeError{Index: i, Size: n, Max: l.cfg.MaxRecordSize})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps := l.part(stream, v.p)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.sticky != nil {
		return nil, fmt.Errorf("kafka: append to %s/%d: %w: %w", stream, v.p, eventlog.ErrReadOnly, ps.sticky)
	}
	// Copy: kafka-go may still encode the request on its connection
	// goroutine after a canceled ctx returned, and Append must not keep
	// (or race on) the caller's slices. One allocation for all bytes.
	krecs := copyRecords(recs)
	rctx, cancel := l.done(ctx, v)
	defer cancel()
	if ps.end < 0 {
		// Learn the end offset before the first append, so that a lost
		// produce response can be resolved below instead of duplicating.
		if end, _, err := l.offsets(rctx, stream, v.p); err == nil && end >= 0 {
			ps.end = end
		}
	}
	n := int64(len(recs))
	var base int64 = -1
	created := false
	err := l.retry(rctx, v, "produce", func() (bool, error) {
		resp, err := l.client.Produce(rctx, &kafkago.ProduceRequest{
			Topic:        stream,
			Partition:    int(v.p),
			RequiredAcks: l.acks,
			Records:      produceRecords(krecs),
			Compression:  l.comp,
		})
		if err == nil {
			err = resp.Error
		}
		if err == nil {
			base = resp.BaseOffset
			return true, nil
		}
		if noTopic(err) && !created {
			created = true
			if cerr := l.ensureTopic(rctx, stream, v.p); cerr != nil {
				return true, cerr
			}
			return false, err // retried
		}
		if !notAppended(err) && retriable(err) {
			// The batch may have landed: compare the end offset with ours.
			end, _, oerr := l.offsets(rctx, stream, v.p)
			switch {
			case oerr != nil || ps.end < 0:
				return true, fmt.Errorf("%w (outcome unknown)", err)
			case end == ps.end:
				return false, err // nothing appended: safe to retry
			case end == ps.end+n:
				base = ps.end // ours landed; only the response was lost
				return true, nil
			default:
				return true, fmt.Errorf("%w (outcome unknown: end offset %d, expected %d or %d)", err, end, ps.end, ps.end+n)
			}
		}
		return false, err
	})
	if err == nil && base < 0 {
		err = errors.New("kafka: produce returned no offset")
	}
	if err != nil {
		err = closedCause(rctx, err)
		switch {
		case errors.Is(err, kafkago.MessageSizeTooLarge), errors.Is(err, kafkago.RecordListTooLarge):
			return nil, fmt.Errorf("kafka: append %d records to %s/%d: batch over the topic's max.message.bytes: %w: %w", n, stream, v.p, eventlog.ErrTooLarge, err)
		case errors.Is(err, eventlog.ErrClosed), errors.Is(err, ErrNoPartition):
		case notAppended(err):
		case ctx.Err() != nil:
		default:
			// Unknown outcome: the stream is read-only until reopened, as
			// eventlog.Log requires.
			ps.sticky = err
		}
		return nil, fmt.Errorf("kafka: append %d records to %s/%d: %w", n, stream, v.p, err)
	}
	ps.end = base + n
	seqs := make([]int64, n)
	for i := range seqs {
		seqs[i] = base + int64(i)
	}
	return seqs, nil
}

// copiedRecord is a record's bytes, copied out of the caller's slices.
type copiedRecord struct {
	key, value []byte
	headers    []kafkago.Header
}

func copyRecords(recs []eventlog.Record) []copiedRecord {
	size, nh := 0, 0
	for _, r := range recs {
		size += r.Size()
		nh += len(r.Headers)
	}
	buf := make([]byte, 0, size)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		s := len(buf)
		buf = append(buf, b...)
		return buf[s:len(buf):len(buf)]
	}
	hs := make([]kafkago.Header, 0, nh)
	out := make([]copiedRecord, len(recs))
	for i, r := range recs {
		out[i].key = take(r.Key)
		out[i].value = take(r.Value)
		if len(r.Headers) > 0 {
			s := len(hs)
			for _, h := range r.Headers {
				v := take(h.Value)
				if v == nil {
					v = []byte{}
				}
				hs = append(hs, kafkago.Header{Key: h.Key, Value: v})
			}
			out[i].headers = hs[s:len(hs):len(hs)]
		}
	}
	return out
}

// produceRecords wraps recs for one produce request. A request drains the
// Key and Value readers it encodes, so every attempt needs new ones (a
// retry with the old ones would send empty records).
func produceRecords(recs []copiedRecord) kafkago.RecordReader {
	out := make([]kafkago.Record, len(recs))
	for i, r := range recs {
		out[i] = kafkago.Record{Key: kafkago.NewBytes(r.key), Value: kafkago.NewBytes(r.value), Headers: r.headers}
	}
	return kafkago.NewRecordReader(out...)
}

// ensureTopic creates stream with the configured partition count if it does
// not exist, and checks that partition p exists.
func (l *Log) ensureTopic(ctx context.Context, stream string, p int32) error {
	n, err := l.freshPartitions(ctx, stream)
	if err != nil {
		return err
	}
	if n == 0 {
		parts := max(l.cfg.Partitions, int(p)+1)
		if p >= int32(l.cfg.Partitions) {
			// Creating fewer partitions than the view needs would make the
			// append fail forever; say so instead.
			return &TopicError{Topic: stream, Reason: fmt.Sprintf("partition %d does not exist and the log creates topics with %d partitions", p, l.cfg.Partitions), Err: ErrNoPartition}
		}
		spec := TopicSpec{Name: stream, Partitions: parts, ReplicationFactor: l.cfg.ReplicationFactor}
		if _, err := createTopic(ctx, l.client, spec); err != nil && !errors.Is(err, ErrPartitionMismatch) {
			return err
		}
		l.logger.InfoContext(ctx, "created topic", "topic", stream, "partitions", parts)
		return nil
	}
	if int(p) >= n {
		return &TopicError{Topic: stream, Reason: fmt.Sprintf("partition %d does not exist (the topic has %d)", p, n), Err: ErrNoPartition}
	}
	// It exists: the transport's metadata missed it.
	l.transport.CloseIdleConnections()
	return nil
}

// offsets returns the high watermark and log start offset of partition p of
// topic; (-1, -1) if the topic or partition does not exist.
func (l *Log) offsets(ctx context.Context, topic string, p int32) (end, start int64, err error) {
	for try := 0; ; try++ {
		end, start, err = l.listOffsets(ctx, topic, p)
		if !noTopic(err) {
			return end, start, err
		}
		// The transport's metadata cache does not know the topic: ask the
		// cluster, and refresh the cache if the topic exists after all.
		if try > 0 {
			return 0, 0, err
		}
		if exists, ferr := l.refreshIfExists(ctx, topic, p); ferr != nil || !exists {
			return -1, -1, ferr
		}
	}
}

func (l *Log) listOffsets(ctx context.Context, topic string, p int32) (end, start int64, err error) {
	resp, err := l.client.ListOffsets(ctx, &kafkago.ListOffsetsRequest{
		Topics: map[string][]kafkago.OffsetRequest{topic: {kafkago.FirstOffsetOf(int(p)), kafkago.LastOffsetOf(int(p))}},
	})
	if err != nil {
		return 0, 0, err
	}
	for _, po := range resp.Topics[topic] {
		if po.Partition != int(p) {
			continue
		}
		if po.Error != nil {
			return 0, 0, po.Error
		}
		return po.LastOffset, po.FirstOffset, nil
	}
	return 0, 0, protocol.ErrNoPartition
}

// noTopic reports whether err says that a topic or partition is unknown,
// to the broker or to the transport's metadata cache.
func noTopic(err error) bool {
	return err != nil && (errors.Is(err, kafkago.UnknownTopicOrPartition) || errors.Is(err, protocol.ErrNoTopic) || errors.Is(err, protocol.ErrNoPartition))
}

// freshPartitions returns the partition count of topic (0 if it does not
// exist) from a metadata request that bypasses the transport's cache:
// kafka-go's Transport answers metadata requests from a cache refreshed only
// every MetadataTTL, so a topic another client just created would look
// missing.
func (l *Log) freshPartitions(ctx context.Context, topic string) (int, error) {
	tr := l.cfg.Transport()
	defer tr.CloseIdleConnections()
	return partitionCount(ctx, &kafkago.Client{Addr: l.client.Addr, Transport: tr}, topic)
}

// refreshIfExists reports whether partition p of topic exists; if it does,
// it drops the transport's connection pool, whose metadata missed it, so
// that the next request builds a new one from fresh metadata (requests in
// flight finish on the old pool).
func (l *Log) refreshIfExists(ctx context.Context, topic string, p int32) (bool, error) {
	n, err := l.freshPartitions(ctx, topic)
	if err != nil || int(p) >= n {
		return false, err
	}
	l.transport.CloseIdleConnections()
	return true, nil
}

// offsetsRetry is offsets with the retry policy.
func (l *Log) offsetsRetry(ctx context.Context, v *view, topic string) (end, start int64, err error) {
	err = l.retry(ctx, v, "list offsets", func() (bool, error) {
		var e error
		end, start, e = l.offsets(ctx, topic, v.p)
		return false, e
	})
	return end, start, err
}

// Last implements [eventlog.Log.Last]: the high watermark minus one.
func (v *view) Last(ctx context.Context, stream string) (int64, error) {
	if err := eventlog.ValidateStream(stream); err != nil {
		return 0, err
	}
	if err := v.partErr(); err != nil {
		return 0, err
	}
	l := v.l
	if err := l.checkOpen(v); err != nil {
		return 0, err
	}
	rctx, cancel := l.done(ctx, v)
	defer cancel()
	end, _, err := l.offsetsRetry(rctx, v, stream)
	if err != nil {
		return 0, fmt.Errorf("kafka: last of %s/%d: %w", stream, v.p, closedCause(rctx, err))
	}
	if end < 0 {
		return -1, nil
	}
	return end - 1, nil
}

// Streams implements [eventlog.Log.Streams]: the names of all topics except
// internal ones (those starting with "__"), sorted. A topic created empty
// (by [CreateTopics]) is listed too.
func (v *view) Streams(ctx context.Context) ([]string, error) {
	l := v.l
	if err := l.checkOpen(v); err != nil {
		return nil, err
	}
	rctx, cancel := l.done(ctx, v)
	defer cancel()
	var names []string
	err := l.retry(rctx, v, "metadata", func() (bool, error) {
		// A fresh transport: the shared one's metadata cache may be stale.
		tr := l.cfg.Transport()
		defer tr.CloseIdleConnections()
		cl := &kafkago.Client{Addr: l.client.Addr, Transport: tr}
		md, err := cl.Metadata(rctx, &kafkago.MetadataRequest{})
		if err != nil {
			return false, err
		}
		names = names[:0]
		for _, t := range md.Topics {
			if t.Internal || strings.HasPrefix(t.Name, "__") || t.Error != nil {
				continue
			}
			names = append(names, t.Name)
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("kafka: streams: %w", closedCause(rctx, err))
	}
	slices.Sort(names)
	return names, nil
}
