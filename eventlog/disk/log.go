package disk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Recovery describes a torn tail that Open cut off a stream: the bytes of a
// write that did not complete (never acknowledged under FsyncAlways).
type Recovery struct {
	Stream    string // stream name
	File      string // segment file path
	Offset    int64  // the file now ends here
	BytesLost int64  // bytes removed from the end of the file
	Reason    string // what was found at Offset
}

// Log is the embedded, file-backed [eventlog.Log]. It is safe for concurrent
// use, and other processes may open the same directory at the same time
// (see the package doc, Concurrency). Create one with [Open]; call Close
// when done.
type Log struct {
	cfg    Config
	fs     FS
	logger *slog.Logger

	// Lock order: Log.mu, then stream.mu, then the stream's file lock, then
	// stream.stateMu; recMu is a leaf (see doc.go).
	mu      sync.Mutex // guards streams, closed
	streams map[string]*stream
	closed  bool

	recMu     sync.Mutex // guards recovered; a leaf lock, taken under stream.mu
	recovered []Recovery

	quit chan struct{} // closed by Close to stop the flusher
	done chan struct{} // closed when the flusher has returned; nil without one
}

var _ eventlog.Log = (*Log)(nil)

// Open opens (creating if needed) the log in cfg.Dir. It scans every segment
// of every stream: a torn write at the tail of a stream's last segment is cut
// off (fsynced, logged and listed by [Log.Recovered]) under the stream's
// lock, so that a batch another process is writing is left alone; any other
// bad data makes Open fail with an error wrapping a [*eventlog.CorruptError]
// (which matches [eventlog.ErrCorrupt]) that names the file and byte offset.
// Open returns cfg.Validate's error for a bad config.
func Open(cfg Config) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	l := &Log{
		cfg:     cfg,
		fs:      cfg.FS,
		logger:  cfg.Logger.With("component", "eventlog/disk", "dir", cfg.Dir),
		streams: map[string]*stream{},
		quit:    make(chan struct{}),
	}
	if err := l.createDir(); err != nil {
		return nil, fmt.Errorf("disk: create log directory: %w", err)
	}
	entries, err := l.fs.ReadDir(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("disk: list log directory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		if eventlog.ValidateStream(name) != nil {
			l.logger.Warn("ignoring directory that is not a stream", "name", name)
			continue
		}
		s := l.newStream(name)
		l.streams[name] = s
		if err := s.load(); err != nil {
			l.closeStreams()
			return nil, fmt.Errorf("disk: open stream %s: %w", name, err)
		}
	}
	if cfg.Fsync == FsyncInterval {
		l.done = make(chan struct{})
		go l.flusher()
	}
	l.logger.Info("event log opened", "streams", len(l.streams), "fsync", cfg.Fsync.String(), "recovered", len(l.Recovered()))
	return l, nil
}

// Recovered lists the torn tails cut off so far, in the order they were
// found: by Open (in stream order) and, later, by appends that found the
// torn write of a writer process that died. The caller owns the returned
// slice.
func (l *Log) Recovered() []Recovery {
	l.recMu.Lock()
	defer l.recMu.Unlock()
	return slices.Clone(l.recovered)
}

func (l *Log) newStream(name string) *stream {
	return &stream{
		l:    l,
		name: name,
		dir:  filepath.Join(l.cfg.Dir, name),
		wake: make(chan struct{}),
		gen:  -1,
	}
}

// stream returns the named stream. With create it makes the in-memory
// stream if it does not exist (files are created by the first append);
// otherwise a stream is nil unless its directory exists (another process
// may have created it since Open; readers catch up with it).
func (l *Log) stream(name string, create bool) (*stream, error) {
	if err := eventlog.ValidateStream(name); err != nil {
		return nil, err
	}
	l.mu.Lock()
	closed, s := l.closed, l.streams[name]
	l.mu.Unlock()
	if closed {
		return nil, eventlog.ErrClosed
	}
	if s != nil {
		return s, nil
	}
	if !create {
		fi, err := l.fs.Stat(filepath.Join(l.cfg.Dir, name))
		if err != nil || !fi.IsDir() {
			return nil, nil
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, eventlog.ErrClosed
	}
	if s = l.streams[name]; s == nil {
		s = l.newStream(name)
		l.streams[name] = s
	}
	return s, nil
}

// Append implements [eventlog.Log.Append]. Records over Config.MaxRecordSize
// fail the batch with a [*eventlog.RecordTooLargeError].
func (l *Log) Append(ctx context.Context, name string, recs []eventlog.Record) ([]int64, error) {
	s, err := l.stream(name, true)
	if err != nil {
		return nil, err
	}
	return s.append(ctx, recs)
}

// Last implements [eventlog.Log.Last].
func (l *Log) Last(ctx context.Context, name string) (int64, error) {
	s, err := l.stream(name, false)
	if err != nil || s == nil {
		return -1, err
	}
	if err := s.catchUp(); err != nil {
		return -1, fmt.Errorf("disk: last of %s: %w", name, err)
	}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return s.next - 1, nil
}

// Streams implements [eventlog.Log.Streams]. It includes streams that other
// processes created since Open.
func (l *Log) Streams(ctx context.Context) ([]string, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, eventlog.ErrClosed
	}
	entries, err := l.fs.ReadDir(l.cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("disk: list log directory: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() && eventlog.ValidateStream(e.Name()) == nil {
			s, err := l.stream(e.Name(), false)
			if err != nil {
				return nil, err
			}
			if s != nil {
				if err := s.catchUp(); err != nil {
					return nil, fmt.Errorf("disk: stream %s: %w", e.Name(), err)
				}
			}
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, eventlog.ErrClosed
	}
	names := make([]string, 0, len(l.streams))
	for name, s := range l.streams {
		s.stateMu.Lock()
		has := len(s.segs) > 0
		s.stateMu.Unlock()
		if has {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names, nil
}

// EnforceRetention applies Config.Retention to every stream now. The log
// also applies it on Open, whenever a stream rolls over to a new segment and,
// under FsyncInterval, on every flush; call this to age out streams that
// receive no appends.
func (l *Log) EnforceRetention(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return eventlog.ErrClosed
	}
	ss := l.sortedStreamsLocked()
	l.mu.Unlock()
	var errs []error
	for _, s := range ss {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.mu.Lock()
		if !s.closed {
			errs = append(errs, s.retainLocked())
		}
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// sortedStreamsLocked returns the streams in name order. l.mu must be held.
func (l *Log) sortedStreamsLocked() []*stream {
	ss := make([]*stream, 0, len(l.streams))
	for _, s := range l.streams {
		ss = append(ss, s)
	}
	slices.SortFunc(ss, func(a, b *stream) int {
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return ss
}

// flusher syncs dirty streams every FsyncInterval until Close.
func (l *Log) flusher() {
	defer close(l.done)
	t := time.NewTicker(l.cfg.FsyncInterval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
		}
		l.mu.Lock()
		ss := l.sortedStreamsLocked()
		l.mu.Unlock()
		for _, s := range ss {
			s.mu.Lock()
			if !s.closed {
				// A sync failure is sticky: the stream's next Append reports it.
				if err := s.syncLocked(); err != nil {
					l.logger.Error("background fsync failed; stream is now read-only", "stream", s.name, "error", err)
				}
				if err := s.retainLocked(); err != nil {
					l.logger.Warn("retention", "stream", s.name, "error", err)
				}
			}
			s.mu.Unlock()
		}
	}
}

// Close implements [eventlog.Log.Close]: it stops the flusher, syncs and
// closes every stream and wakes blocked Follow calls. It returns the first
// sync or close error; later calls return nil.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.quit)
	if l.done != nil {
		<-l.done
	}
	err := l.closeStreams()
	l.logger.Info("event log closed")
	return err
}

// closeStreams closes every stream, returning the first error.
func (l *Log) closeStreams() error {
	l.mu.Lock()
	ss := l.sortedStreamsLocked()
	l.mu.Unlock()
	var first error
	for _, s := range ss {
		if err := s.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Dir returns the log's root directory (Config.Dir).
func (l *Log) Dir() string { return l.cfg.Dir }

// Sync makes every stream's appends durable now, whatever the policy (the
// durability point FsyncInterval otherwise reaches within a period). A
// failure is sticky for its stream, as for Append. It returns
// [eventlog.ErrClosed] after Close.
func (l *Log) Sync() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return eventlog.ErrClosed
	}
	ss := l.sortedStreamsLocked()
	l.mu.Unlock()
	var errs []error
	for _, s := range ss {
		s.mu.Lock()
		if !s.closed {
			s.dirty = s.dirty || s.l.cfg.Fsync == FsyncNone
			errs = append(errs, s.syncLocked())
		}
		s.mu.Unlock()
	}
	return errors.Join(errs...)
}

// createDir creates Config.Dir if missing and, unless the policy is
// FsyncNone, syncs the parent of every directory it created, so that a log
// created just before a crash does not vanish with it.
func (l *Log) createDir() error {
	var missing []string
	for q := filepath.Clean(l.cfg.Dir); ; q = filepath.Dir(q) {
		if _, err := l.fs.Stat(q); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, q)
		if filepath.Dir(q) == q {
			break
		}
	}
	if err := l.fs.MkdirAll(l.cfg.Dir, 0o755); err != nil {
		return err
	}
	if l.cfg.Fsync == FsyncNone {
		return nil
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := syncDir(l.fs, filepath.Dir(missing[i])); err != nil {
			return err
		}
	}
	return nil
}
