// Package ingest appends imported market data to an event log: bars to the
// market stream in the binary encoding (keyed by symbol), rejected rows to the
// dead-letter stream with their reason, and nothing twice — a bar already in
// the stream is recognised by (symbol, interval, open time) and skipped, so
// importing the same file again changes nothing.
//
// It sits between feeds (which knows files, not logs) and eventlog (which
// knows bytes, not files); the CLI and the demo use it.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

// DefaultBatchSize is how many records Writer appends at once.
const DefaultBatchSize = 4096

// Config configures a Writer. Log is required; the rest have defaults.
type Config struct {
	Log              eventlog.Log
	BarStream        string // default events.StreamBars
	DeadLetterStream string // default events.StreamDeadLetter
	BatchSize        int    // default DefaultBatchSize
}

// Counts says what a Writer did with what it was given.
type Counts struct {
	Appended    int // new bars appended to the bar stream
	Stored      int // bars skipped because the same bar was already stored
	Conflicts   int // bars rejected because a different bar was stored for the same time
	DeadLetters int // records appended to the dead-letter stream (conflicts included)
}

type barKey struct {
	symbol   string
	interval events.Interval
	open     int64
}

// Writer is a feeds.Sink that appends to an event log. It is not safe for
// concurrent use. Call Flush when the import is done; until then up to
// BatchSize records may be buffered.
type Writer struct {
	ctx    context.Context
	cfg    Config
	stored map[barKey]uint64 // bars in the stream -> fingerprint of their encoding
	bars   []eventlog.Record
	dead   []eventlog.Record
	buf    []byte
	counts Counts
	source string
}

// New scans the bar stream once to learn which bars it holds, and returns a
// Writer that appends with ctx.
func New(ctx context.Context, cfg Config) (*Writer, error) {
	if cfg.Log == nil {
		return nil, errors.New("ingest: Config.Log is nil")
	}
	if cfg.BarStream == "" {
		cfg.BarStream = events.StreamBars
	}
	if cfg.DeadLetterStream == "" {
		cfg.DeadLetterStream = events.StreamDeadLetter
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	w := &Writer{ctx: ctx, cfg: cfg, stored: make(map[barKey]uint64)}
	it, err := cfg.Log.Read(ctx, cfg.BarStream, 0)
	if err != nil {
		return nil, fmt.Errorf("ingest: scan %s: %w", cfg.BarStream, err)
	}
	var b events.Bar
	var dec events.BarDecoder
	for it.Next() {
		v := it.Record().Value
		if err := dec.Decode(v, &b); err != nil {
			continue // not ours to judge here; the engine dead-letters it
		}
		w.stored[keyOf(&b)] = fingerprint(v)
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("ingest: scan %s: %w", cfg.BarStream, err)
	}
	return w, nil
}

func keyOf(b *events.Bar) barKey {
	return barKey{symbol: b.Symbol, interval: b.Interval, open: b.OpenTime.UnixNano()}
}

func fingerprint(p []byte) uint64 {
	h := fnv.New64a()
	h.Write(p)
	return h.Sum64()
}

// Bar implements feeds.Sink: it appends b unless the stream has it already.
// An invalid bar, or one that differs from the stored bar for the same
// symbol, interval and open time, goes to the dead-letter stream.
func (w *Writer) Bar(b events.Bar) error {
	if err := b.Validate(); err != nil {
		return w.reject(b, err.Error())
	}
	w.buf = b.AppendBinary(w.buf[:0])
	k, fp := keyOf(&b), fingerprint(w.buf)
	if old, ok := w.stored[k]; ok {
		if old == fp {
			w.counts.Stored++
			return nil
		}
		w.counts.Conflicts++
		return w.reject(b, fmt.Sprintf("conflicts with the %s %s bar at %s already in %s",
			b.Symbol, b.Interval, b.OpenTime.Format(time.RFC3339), w.cfg.BarStream))
	}
	w.stored[k] = fp
	w.bars = append(w.bars, eventlog.Record{Key: []byte(b.Symbol), Value: append([]byte(nil), w.buf...)})
	w.counts.Appended++
	if len(w.bars) >= w.cfg.BatchSize {
		return w.flushBars()
	}
	return nil
}

func (w *Writer) reject(b events.Bar, reason string) error {
	return w.Reject(events.DeadLetter{
		Original: b.AppendJSON(nil),
		Reason:   reason,
		Source:   w.source,
	})
}

// SetSource names the input (a file name) in the dead letters the Writer
// itself creates; rows the importer rejects carry their own file and line.
func (w *Writer) SetSource(name string) { w.source = name }

// Reject implements feeds.Sink: d goes to the dead-letter stream.
func (w *Writer) Reject(d events.DeadLetter) error {
	w.dead = append(w.dead, eventlog.DeadLetterRecord(nil, d))
	w.counts.DeadLetters++
	if len(w.dead) >= w.cfg.BatchSize {
		return w.flushDead()
	}
	return nil
}

func (w *Writer) flushBars() error {
	if len(w.bars) == 0 {
		return nil
	}
	if _, err := w.cfg.Log.Append(w.ctx, w.cfg.BarStream, w.bars); err != nil {
		return fmt.Errorf("ingest: append to %s: %w", w.cfg.BarStream, err)
	}
	w.bars = w.bars[:0]
	return nil
}

func (w *Writer) flushDead() error {
	if len(w.dead) == 0 {
		return nil
	}
	if _, err := w.cfg.Log.Append(w.ctx, w.cfg.DeadLetterStream, w.dead); err != nil {
		return fmt.Errorf("ingest: append to %s: %w", w.cfg.DeadLetterStream, err)
	}
	w.dead = w.dead[:0]
	return nil
}

// Flush appends whatever is buffered.
func (w *Writer) Flush() error {
	return errors.Join(w.flushBars(), w.flushDead())
}

// Counts returns what the Writer has done so far.
func (w *Writer) Counts() Counts { return w.counts }
