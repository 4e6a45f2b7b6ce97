package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// fetchMaxBytes is the most a Read or Follow asks for in one fetch
// request: about 3,700 bar-sized records per round trip, and the broker
// still returns a first batch bigger than this whole. Measured: 1 MiB and
// 4 MiB scan at the same rate, and kafka-go allocates a buffer of this size
// per fetch, so bigger only costs memory (BenchmarkLogRead).
const fetchMaxBytes = 1 << 20

// missingTopicPoll bounds how long Follow waits between checks for a topic
// that does not exist yet.
const missingTopicPoll = 250 * time.Millisecond

// decoder turns fetched kafka-go records into eventlog records, reusing its
// buffers so that a scan does not allocate per record.
type decoder struct {
	key, val []byte
	hdrs     []eventlog.Header
}

func readBytes(dst []byte, b kafkago.Bytes) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	n := b.Len()
	if cap(dst) < n {
		dst = make([]byte, n, max(n, 2*cap(dst)))
	}
	dst = dst[:n]
	if _, err := io.ReadFull(b, dst); err != nil {
		return nil, err
	}
	return dst, nil
}

// decode returns r as an eventlog record aliasing d's buffers (and the
// header values of r).
func (d *decoder) decode(r *kafkago.Record) (eventlog.Record, error) {
	var err error
	if d.key, err = readBytes(d.key[:0], r.Key); err != nil {
		return eventlog.Record{}, fmt.Errorf("read key of offset %d: %w", r.Offset, err)
	}
	if d.val, err = readBytes(d.val[:0], r.Value); err != nil {
		return eventlog.Record{}, fmt.Errorf("read value of offset %d: %w", r.Offset, err)
	}
	out := eventlog.Record{Seq: r.Offset, Key: d.key, Value: d.val}
	if r.Key == nil {
		out.Key = nil
	}
	if r.Value == nil {
		out.Value = nil
	}
	if len(r.Headers) > 0 {
		d.hdrs = d.hdrs[:0]
		for _, h := range r.Headers {
			d.hdrs = append(d.hdrs, eventlog.Header{Key: h.Key, Value: h.Value})
		}
		out.Headers = d.hdrs
	}
	return out, nil
}

// fetch runs one fetch request of partition v.p of topic at offset, with
// maxWait as the broker's long-poll limit.
func (l *Log) fetch(ctx context.Context, v *view, topic string, offset int64, maxWait time.Duration) (*kafkago.FetchResponse, error) {
	resp, err := l.client.Fetch(ctx, &kafkago.FetchRequest{
		Topic:     topic,
		Partition: int(v.p),
		Offset:    offset,
		MinBytes:  1,
		MaxBytes:  fetchMaxBytes,
		MaxWait:   maxWait,
	})
	if err != nil {
		return nil, err
	}
	return resp, resp.Error
}

// Read implements [eventlog.Log.Read]: the records from offset from up to
// the high watermark at the time of the call.
func (v *view) Read(ctx context.Context, stream string, from int64) (eventlog.Iterator, error) {
	if err := eventlog.ValidateStream(stream); err != nil {
		return nil, err
	}
	if err := v.partErr(); err != nil {
		return nil, err
	}
	l := v.l
	if err := l.checkOpen(v); err != nil {
		return nil, err
	}
	if from < 0 {
		return nil, fmt.Errorf("kafka: read %s/%d from %d: %w", stream, v.p, from, eventlog.ErrOutOfRange)
	}
	rctx, cancel := l.done(ctx, v)
	end, start, err := l.offsetsRetry(rctx, v, stream)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("kafka: read %s/%d: %w", stream, v.p, closedCause(rctx, err))
	}
	if end >= 0 && from < start {
		cancel()
		return nil, fmt.Errorf("kafka: read %s/%d from %d, before the log start %d: %w", stream, v.p, from, start, eventlog.ErrOutOfRange)
	}
	return &iterator{l: l, v: v, ctx: rctx, cancel: cancel, topic: stream, next: from, end: end}, nil
}

// iterator reads [next, end) with fetch requests. Not safe for concurrent use.
type iterator struct {
	l      *Log
	v      *view
	ctx    context.Context
	cancel context.CancelFunc
	topic  string
	next   int64 // offset of the next record to return
	end    int64 // high watermark at Read time; -1 for a missing topic
	recs   kafkago.RecordReader
	empty  int // consecutive fetches that returned nothing
	dec    decoder
	cur    eventlog.Record
	err    error
	done   bool
}

// Next implements [eventlog.Iterator.Next].
func (it *iterator) Next() bool {
	if it.done {
		return false
	}
	for it.next < it.end {
		if it.recs == nil {
			if err := it.fetch(); err != nil {
				it.stop(err)
				return false
			}
		}
		r, err := it.recs.ReadRecord()
		if err != nil {
			it.recs = nil
			if errors.Is(err, io.EOF) {
				continue
			}
			it.stop(fmt.Errorf("kafka: read %s/%d at %d: %w", it.topic, it.v.p, it.next, err))
			return false
		}
		if r.Offset < it.next {
			continue // the fetch returned the whole batch holding next
		}
		if r.Offset >= it.end {
			break
		}
		it.empty = 0
		if it.cur, err = it.dec.decode(r); err != nil {
			it.stop(fmt.Errorf("kafka: read %s/%d: %w", it.topic, it.v.p, err))
			return false
		}
		it.next = r.Offset + 1
		return true
	}
	it.stop(nil)
	return false
}

func (it *iterator) fetch() error {
	var resp *kafkago.FetchResponse
	err := it.l.retry(it.ctx, it.v, "fetch", func() (bool, error) {
		var err error
		// MaxWait is short: the range is known to exist, so the broker has
		// data unless the records were deleted under us.
		resp, err = it.l.fetch(it.ctx, it.v, it.topic, it.next, it.l.cfg.FetchMaxWait)
		return false, err
	})
	if err != nil {
		err = closedCause(it.ctx, err)
		if errors.Is(err, kafkago.OffsetOutOfRange) {
			err = fmt.Errorf("%w: %w", eventlog.ErrOutOfRange, err)
		}
		return fmt.Errorf("kafka: read %s/%d at %d: %w", it.topic, it.v.p, it.next, err)
	}
	// A fetch that returns nothing below the end we saw means the records
	// are gone (compaction or truncation): stop instead of spinning.
	if it.empty++; it.empty > 3 {
		it.end = it.next
	}
	it.recs = resp.Records
	return nil
}

func (it *iterator) stop(err error) {
	it.done = true
	it.err = err
	it.recs = nil
	it.cur = eventlog.Record{}
	it.cancel()
}

// Record implements [eventlog.Iterator.Record].
func (it *iterator) Record() eventlog.Record { return it.cur }

// Err implements [eventlog.Iterator.Err].
func (it *iterator) Err() error { return it.err }

// Close implements [eventlog.Iterator.Close].
func (it *iterator) Close() error {
	if !it.done {
		it.stop(nil)
	}
	return it.err
}

// Follow implements [eventlog.Log.Follow] with long-poll fetch requests:
// each asks the broker to answer as soon as one byte is available
// (MinBytes 1) or after FetchMaxWait, so a new record is delivered one
// network round trip after it is appended. Broker outages are retried with
// backoff for as long as they last (logged at Warn); Follow returns only on
// ctx, Close, fn's error, an offset before the log start
// ([eventlog.ErrOutOfRange]) or a permanent error.
func (v *view) Follow(ctx context.Context, stream string, from int64, fn func(eventlog.Record) error) error {
	if err := eventlog.ValidateStream(stream); err != nil {
		return err
	}
	if err := v.partErr(); err != nil {
		return err
	}
	l := v.l
	if err := l.checkOpen(v); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if from < 0 {
		return fmt.Errorf("kafka: follow %s/%d from %d: %w", stream, v.p, from, eventlog.ErrOutOfRange)
	}
	rctx, cancel := l.done(ctx, v)
	defer cancel()
	var (
		next    = from // offset of the next record fn gets
		fetchAt = from // where to fetch: below next while waiting for a future offset
		dec     decoder
		backoff time.Duration
	)
	wait := func(err error) error {
		limit := l.cfg.RetryBackoffMax
		if err == nil {
			// Polling for a topic to appear: each poll is a metadata
			// request on a new connection, and the first record should not
			// wait the full backoff.
			limit = min(limit, missingTopicPoll)
		}
		backoff = min(max(2*backoff, l.cfg.FetchMaxWait), limit)
		if err != nil {
			l.logger.WarnContext(ctx, "follow: fetch failed, retrying", "topic", stream, "partition", v.p, "offset", fetchAt, "backoff", backoff, "err", err)
		}
		t := time.NewTimer(backoff)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-rctx.Done():
			return closedCause(rctx, ctx.Err())
		}
	}
	for {
		resp, err := l.fetch(rctx, v, stream, fetchAt, l.cfg.FetchMaxWait)
		if rctx.Err() != nil {
			return closedCause(rctx, ctx.Err())
		}
		switch {
		case err == nil:
			backoff = 0
		case noTopic(err):
			// Not created yet (a stream that was never written is empty),
			// or created but missing from the transport's metadata cache.
			if exists, ferr := l.refreshIfExists(rctx, stream, v.p); exists && ferr == nil {
				continue
			}
			if err := wait(nil); err != nil {
				return err
			}
			continue
		case errors.Is(err, kafkago.OffsetOutOfRange):
			end, start, oerr := l.offsets(rctx, stream, v.p)
			switch {
			case oerr != nil:
				if err := wait(oerr); err != nil {
					return err
				}
			case next < start:
				return fmt.Errorf("kafka: follow %s/%d at %d, before the log start %d: %w", stream, v.p, next, start, eventlog.ErrOutOfRange)
			default:
				// next is beyond the end: tail from the end and skip up to next.
				fetchAt = min(max(end, 0), next)
			}
			continue
		case retriable(err):
			if err := wait(err); err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("kafka: follow %s/%d at %d: %w", stream, v.p, fetchAt, err)
		}
		for {
			r, err := resp.Records.ReadRecord()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					return fmt.Errorf("kafka: follow %s/%d: %w", stream, v.p, err)
				}
				break
			}
			fetchAt = max(fetchAt, r.Offset+1)
			if r.Offset < next {
				continue
			}
			rec, err := dec.decode(r)
			if err != nil {
				return fmt.Errorf("kafka: follow %s/%d: %w", stream, v.p, err)
			}
			if err := fn(rec); err != nil {
				return err
			}
			next = r.Offset + 1
			if l.checkOpen(v) != nil {
				return eventlog.ErrClosed
			}
		}
	}
}
