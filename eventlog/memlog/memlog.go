package memlog

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Config configures a [Log]. The zero value is valid.
type Config struct {
	// MaxRecordSize is the largest record accepted, counting key, value and
	// headers (keys and values). Zero means 4 MiB.
	MaxRecordSize int
}

// Log is an in-memory [eventlog.Log], safe for concurrent use.
type Log struct {
	max int

	mu      sync.Mutex // guards everything below
	closed  bool
	streams map[string]*stream
	// wake is closed (and replaced) on every append and on Close, waking
	// blocked Follow calls.
	wake chan struct{}
}

type stream struct {
	recs []eventlog.Record // recs[i].Seq == i; never modified once appended
}

var _ eventlog.Log = (*Log)(nil)

// New returns an empty log.
func New(cfg Config) *Log {
	if cfg.MaxRecordSize <= 0 {
		cfg.MaxRecordSize = 4 << 20
	}
	return &Log{max: cfg.MaxRecordSize, streams: map[string]*stream{}, wake: make(chan struct{})}
}

// Append implements [eventlog.Log].
func (l *Log) Append(ctx context.Context, name string, recs []eventlog.Record) ([]int64, error) {
	if err := eventlog.ValidateStream(name); err != nil {
		return nil, err
	}
	for i, r := range recs {
		if n := r.Size(); n > l.max {
			return nil, &eventlog.RecordTooLargeError{Index: i, Size: n, Max: l.max}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, eventlog.ErrClosed
	}
	if len(recs) == 0 {
		return nil, nil
	}
	s := l.streams[name]
	if s == nil {
		s = &stream{}
		l.streams[name] = s
	}
	seqs := make([]int64, len(recs))
	for i, r := range recs {
		c := r.Clone()
		c.Seq = int64(len(s.recs))
		seqs[i] = c.Seq
		s.recs = append(s.recs, c)
	}
	close(l.wake)
	l.wake = make(chan struct{})
	return seqs, nil
}

// snapshot returns the stream's records so far and the channel closed on the
// next append. The returned slice is never modified afterwards.
func (l *Log) snapshot(name string) ([]eventlog.Record, chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, nil, eventlog.ErrClosed
	}
	var recs []eventlog.Record
	if s := l.streams[name]; s != nil {
		recs = s.recs[:len(s.recs):len(s.recs)]
	}
	return recs, l.wake, nil
}

// Read implements [eventlog.Log].
func (l *Log) Read(ctx context.Context, name string, from int64) (eventlog.Iterator, error) {
	if err := eventlog.ValidateStream(name); err != nil {
		return nil, err
	}
	if from < 0 {
		return nil, fmt.Errorf("read %s from %d: %w", name, from, eventlog.ErrOutOfRange)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	recs, _, err := l.snapshot(name)
	if err != nil {
		return nil, err
	}
	if from > int64(len(recs)) {
		from = int64(len(recs))
	}
	return &iter{recs: recs[from:], pos: -1}, nil
}

// Follow implements [eventlog.Log].
func (l *Log) Follow(ctx context.Context, name string, from int64, fn func(eventlog.Record) error) error {
	if err := eventlog.ValidateStream(name); err != nil {
		return err
	}
	if from < 0 {
		return fmt.Errorf("follow %s from %d: %w", name, from, eventlog.ErrOutOfRange)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs, wake, err := l.snapshot(name)
		if err != nil {
			return err
		}
		for ; from < int64(len(recs)); from++ {
			if err := fn(recs[from]); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// Last implements [eventlog.Log].
func (l *Log) Last(ctx context.Context, name string) (int64, error) {
	if err := eventlog.ValidateStream(name); err != nil {
		return -1, err
	}
	recs, _, err := l.snapshot(name)
	if err != nil {
		return -1, err
	}
	return int64(len(recs)) - 1, nil
}

// Streams implements [eventlog.Log].
func (l *Log) Streams(ctx context.Context) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, eventlog.ErrClosed
	}
	names := make([]string, 0, len(l.streams))
	for n := range l.streams {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

// Close implements [eventlog.Log]. It drops all records.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.streams = nil
	close(l.wake)
	return nil
}

type iter struct {
	recs []eventlog.Record
	pos  int
}

func (it *iter) Next() bool {
	if it.pos+1 >= len(it.recs) {
		it.pos = len(it.recs)
		return false
	}
	it.pos++
	return true
}

func (it *iter) Record() eventlog.Record {
	if it.pos < 0 || it.pos >= len(it.recs) {
		return eventlog.Record{}
	}
	return it.recs[it.pos]
}

func (it *iter) Err() error   { return nil }
func (it *iter) Close() error { it.recs = nil; it.pos = 0; return nil }
