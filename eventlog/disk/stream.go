package disk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// indexInterval is the spacing in bytes of a segment's sparse in-memory
// index, which lets Read start near any sequence number without scanning the
// whole segment.
const indexInterval = 64 << 10

// maxKeptWriteBuf bounds the encode buffer a stream keeps between batches;
// larger batches allocate their own.
const maxKeptWriteBuf = 4 << 20

type indexEntry struct {
	seq int64 // sequence number of the record at off
	off int64 // file offset of its frame
}

// segment is one segment file. base, path and created never change; size,
// end and index change only for the active (last) segment, under stateMu.
type segment struct {
	base    int64
	path    string
	created int64        // Unix nanoseconds, from the header
	size    int64        // committed bytes: readers never read past them
	end     int64        // sequence number after the last committed record
	index   []indexEntry // sparse; entries are appended, never modified
}

// stream is one stream directory. The writer side (mu) and the published
// state (stateMu) have separate locks so that readers never wait for a write
// or an fsync.
type stream struct {
	l    *Log
	name string
	dir  string

	mu      sync.Mutex // serialises writers and catch-up; guards the fields below up to stateMu
	closed  bool
	werr    error // sticky write/sync error
	f       File  // the active segment, open read-write; nil before the first append
	wsize   int64 // bytes of f known to this process (committed, or written by us)
	lastIdx int64 // offset of the active segment's last index entry
	dirty   bool  // f has unsynced writes (FsyncInterval)
	wbuf    []byte
	created bool      // the stream directory exists
	lk      FileLock  // the stream's lock file; nil until the directory exists
	gen     int64     // segment list generation (FileLock.Generation) of our view; -1 unknown
	sr      segReader // for catching up; its 256 KiB buffer is allocated on first use

	stateMu sync.Mutex // guards segs, next, wake, shut; never held during I/O
	segs    []*segment // ordered by base; the last one is active
	next    int64      // sequence number of the next record == committed records
	wake    chan struct{}
	shut    bool // the log closed; wake is closed for good
}

// load reads the stream directory for Open: a first pass without the file
// lock validates everything but the tail (the bulk of the data, without
// holding up writers in other processes), then a pass under the lock
// catches up with what they appended meanwhile and cuts a torn tail (one
// that no live writer can be writing, since it would hold the lock).
func (s *stream) load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.catchUpLocked(false); err != nil {
		return err
	}
	if s.lk == nil {
		return nil // the directory vanished
	}
	if err := s.lk.Lock(); err != nil {
		return fmt.Errorf("lock stream: %w", err)
	}
	defer s.unlockLocked()
	if err := s.catchUpLocked(true); err != nil {
		return err
	}
	return s.enforceRetentionLocked()
}

func rewriteHeader(f File, base, created int64, sync bool) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(encodeSegHeader(base, created), 0); err != nil {
		return err
	}
	if !sync {
		return nil
	}
	return f.Sync()
}

// append writes one batch (see eventlog.Log.Append).
func (s *stream) append(ctx context.Context, recs []eventlog.Record) ([]int64, error) {
	cfg := &s.l.cfg
	total := 0
	for i := range recs {
		n := payloadSize(&recs[i])
		if n > cfg.MaxRecordSize {
			return nil, &eventlog.RecordTooLargeError{Index: i, Size: n, Max: cfg.MaxRecordSize}
		}
		total += frameHeaderSize + n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, eventlog.ErrClosed
	case s.werr != nil:
		return nil, fmt.Errorf("append to %s: %w: %w", s.name, eventlog.ErrReadOnly, s.werr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, nil
	}
	// Another process may append to this stream too: take the file lock for
	// the batch, and catch up with what was appended (or rolled over, or cut
	// off after a crash) since this process last looked.
	if err := s.lockLocked(); err != nil {
		return nil, fmt.Errorf("append to %s: %w", s.name, err)
	}
	defer s.unlockLocked() // before s.mu: defers run last-in first-out
	if err := s.catchUpLocked(true); err != nil {
		return nil, fmt.Errorf("append to %s: %w", s.name, err)
	}
	if s.f == nil || (s.wsize > segHeaderSize && s.wsize+int64(total) > cfg.SegmentSize) {
		if err := s.rollLocked(); err != nil {
			s.werr = err
			return nil, err
		}
	}
	s.stateMu.Lock()
	first := s.next
	active := s.segs[len(s.segs)-1]
	s.stateMu.Unlock()

	buf := s.wbuf[:0]
	if cap(buf) < total {
		buf = make([]byte, 0, total)
	}
	seqs := make([]int64, len(recs))
	var newIdx []indexEntry
	for i := range recs {
		seq := first + int64(i)
		seqs[i] = seq
		if off := s.wsize + int64(len(buf)); off-s.lastIdx >= indexInterval {
			newIdx = append(newIdx, indexEntry{seq: seq, off: off})
			s.lastIdx = off
		}
		var flags byte
		if i == len(recs)-1 {
			flags = flagEndOfBatch
		}
		buf = appendFrame(buf, &recs[i], seq, flags, payloadSize(&recs[i]))
	}
	if cap(buf) <= maxKeptWriteBuf {
		s.wbuf = buf // reuse it for the next batch
	}
	if _, err := s.f.WriteAt(buf, s.wsize); err != nil {
		s.werr = fmt.Errorf("write %s: %w", active.path, err)
		return nil, s.werr
	}
	s.wsize += int64(len(buf))
	switch cfg.Fsync {
	case FsyncAlways:
		if err := s.f.Sync(); err != nil {
			s.werr = fmt.Errorf("sync %s: %w", active.path, err)
			return nil, s.werr
		}
	case FsyncInterval:
		s.dirty = true
	}
	// Publish: from here readers see the batch, all at once.
	s.stateMu.Lock()
	active.size = s.wsize
	active.end = first + int64(len(recs))
	active.index = append(active.index, newIdx...)
	s.next = active.end
	close(s.wake)
	s.wake = make(chan struct{})
	s.stateMu.Unlock()
	return seqs, nil
}

// rollLocked seals the active segment (if any) and starts a new one at the
// next sequence number. s.mu and the file lock must be held.
func (s *stream) rollLocked() error {
	fsys := s.l.fs
	sync := s.l.cfg.Fsync != FsyncNone
	// The generation changes before the new file exists (so that if this
	// process dies before the second bump, the next locker still lists the
	// directory) and again after (so that a lock-free reader that read the
	// generation before the file existed looks again).
	if err := s.bumpGenLocked(); err != nil {
		return err
	}
	if s.f != nil {
		// Seal: the old segment is durable before the new one exists, so a
		// crash can only ever tear the last segment.
		if sync {
			if err := s.f.Sync(); err != nil {
				return fmt.Errorf("sync sealed segment: %w", err)
			}
		}
		s.dirty = false
		if err := s.f.Close(); err != nil {
			return fmt.Errorf("close sealed segment: %w", err)
		}
		s.f = nil
	}
	s.stateMu.Lock()
	base := s.next
	s.stateMu.Unlock()
	path := filepath.Join(s.dir, segName(base))
	created := s.l.cfg.Clock().UnixNano()
	f, err := fsys.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	if _, err := f.WriteAt(encodeSegHeader(base, created), 0); err != nil {
		f.Close()
		return fmt.Errorf("write segment header: %w", err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sync segment header: %w", err)
		}
		if err := syncDir(fsys, s.dir); err != nil {
			f.Close()
			return fmt.Errorf("sync stream directory: %w", err)
		}
	}
	s.f, s.wsize, s.lastIdx = f, segHeaderSize, segHeaderSize
	s.stateMu.Lock()
	s.segs = append(s.segs, &segment{base: base, path: path, created: created, size: segHeaderSize, end: base})
	s.stateMu.Unlock()
	if err := s.bumpGenLocked(); err != nil {
		return err
	}
	if err := s.enforceRetentionLocked(); err != nil {
		// Retention is housekeeping: the append still succeeds.
		s.l.logger.Warn("retention", "stream", s.name, "error", err)
	}
	return nil
}

// syncLocked fsyncs unsynced appends (FsyncInterval). A failure is sticky.
// s.mu must be held.
func (s *stream) syncLocked() error {
	if !s.dirty || s.f == nil || s.werr != nil {
		return nil
	}
	s.dirty = false
	if err := s.f.Sync(); err != nil {
		s.werr = fmt.Errorf("sync %s: %w", s.name, err)
		return s.werr
	}
	return nil
}

// retainLocked applies Config.Retention under the file lock, after
// catching up with other processes. s.mu must be held.
func (s *stream) retainLocked() error {
	rc := s.l.cfg.Retention
	if (rc.MaxBytes <= 0 && rc.MaxAge <= 0) || !s.created {
		return nil
	}
	if err := s.lockLocked(); err != nil {
		return err
	}
	defer s.unlockLocked()
	if err := s.catchUpLocked(true); err != nil {
		return err
	}
	return s.enforceRetentionLocked()
}

// enforceRetentionLocked deletes the oldest sealed segments beyond
// Config.Retention. It never deletes the active segment. s.mu and the file
// lock must be held.
func (s *stream) enforceRetentionLocked() error {
	rc := s.l.cfg.Retention
	if rc.MaxBytes <= 0 && rc.MaxAge <= 0 {
		return nil
	}
	now := s.l.cfg.Clock().UnixNano()
	var victims []*segment
	s.stateMu.Lock()
	var total int64
	for _, seg := range s.segs {
		total += seg.size
	}
	for len(s.segs) > 1 {
		old := s.segs[0]
		// A sealed segment's newest record is no younger than the moment its
		// successor was created.
		tooOld := rc.MaxAge > 0 && now-s.segs[1].created > int64(rc.MaxAge)
		tooBig := rc.MaxBytes > 0 && total > rc.MaxBytes
		if !tooOld && !tooBig {
			break
		}
		victims = append(victims, old)
		total -= old.size
		s.segs = s.segs[1:]
	}
	s.stateMu.Unlock()
	// Readers that already opened a victim keep reading it (the file lives on
	// until they close it); new reads from before the new first segment get
	// ErrOutOfRange.
	var errs []error
	for _, seg := range victims {
		if err := s.l.fs.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove segment: %w", err))
			continue
		}
		s.l.logger.Info("retention deleted segment", "stream", s.name, "file", seg.path, "first_seq", seg.base)
	}
	if len(victims) > 0 && s.lk != nil {
		// Other processes drop the deleted segments from their lists.
		errs = append(errs, s.bumpGenLocked())
	}
	return errors.Join(errs...)
}

// close syncs and closes the active segment and wakes followers for good.
func (s *stream) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.f != nil {
		if s.l.cfg.Fsync == FsyncInterval {
			err = s.syncLocked()
		}
		if cerr := s.f.Close(); err == nil {
			err = cerr
		}
		s.f = nil
	}
	if s.lk != nil {
		if cerr := s.lk.Close(); err == nil {
			err = cerr
		}
		s.lk = nil
	}
	s.stateMu.Lock()
	if !s.shut {
		s.shut = true
		close(s.wake)
	}
	s.stateMu.Unlock()
	if err != nil {
		return fmt.Errorf("disk: close stream %s: %w", s.name, err)
	}
	return nil
}
