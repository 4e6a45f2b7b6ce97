package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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

// segment is one segment file. base, path and created never change; size
// and index change only for the active (last) segment, under stateMu.
type segment struct {
	base    int64
	path    string
	created int64        // Unix nanoseconds, from the header
	size    int64        // committed bytes: readers never read past them
	index   []indexEntry // sparse; entries are appended, never modified
	count   int64        // records in the segment; used only by load
}

// stream is one stream directory. The writer side (mu) and the published
// state (stateMu) have separate locks so that readers never wait for a write
// or an fsync.
type stream struct {
	l    *Log
	name string
	dir  string

	mu      sync.Mutex // serialises writers; guards the fields below up to stateMu
	closed  bool
	werr    error // sticky write/sync error
	f       File  // the active segment, open read-write; nil before the first append
	wsize   int64 // bytes written to f
	lastIdx int64 // offset of the active segment's last index entry
	dirty   bool  // f has unsynced writes (FsyncInterval)
	wbuf    []byte
	created bool // the stream directory exists

	stateMu sync.Mutex // guards segs, next, wake, shut; never held during I/O
	segs    []*segment // ordered by base; the last one is active
	next    int64      // sequence number of the next record == committed records
	wake    chan struct{}
	shut    bool // the log closed; wake is closed for good
}

// load scans the stream directory (see Open). It returns the torn tails it
// cut off.
func (s *stream) load() ([]Recovery, error) {
	fsys := s.l.fs
	entries, err := fsys.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	s.created = true
	var bases []int64
	for _, e := range entries {
		if b, ok := parseSegName(e.Name()); ok && !e.IsDir() {
			bases = append(bases, b)
		}
	}
	slices.Sort(bases)
	var (
		recovered []Recovery
		sr        segReader
		expect    int64 = -1 // base the next segment must have; -1 for the first
	)
	for i, base := range bases {
		path := filepath.Join(s.dir, segName(base))
		last := i == len(bases)-1
		flag := os.O_RDONLY
		if last {
			flag = os.O_RDWR
		}
		f, err := fsys.OpenFile(path, flag, 0)
		if err != nil {
			return nil, fmt.Errorf("open segment: %w", err)
		}
		seg, rec, err := s.loadSegment(f, path, base, last, &sr)
		if err != nil {
			f.Close()
			return nil, err
		}
		if expect >= 0 && seg.base != expect {
			f.Close()
			return nil, &eventlog.CorruptError{File: path, Offset: 0,
				Reason: fmt.Sprintf("segment starts at sequence number %d, want %d (segment missing?)", seg.base, expect)}
		}
		if rec != nil {
			s.l.logger.Warn("cut off torn write at the tail of a stream", "stream", rec.Stream,
				"file", rec.File, "offset", rec.Offset, "bytes_lost", rec.BytesLost, "reason", rec.Reason)
			recovered = append(recovered, *rec)
		}
		s.segs = append(s.segs, seg)
		expect = seg.base + seg.count
		if last {
			s.f, s.wsize = f, seg.size
			s.lastIdx = segHeaderSize
			if n := len(seg.index); n > 0 {
				s.lastIdx = seg.index[n-1].off
			}
			s.next = expect
		} else {
			f.Close()
		}
	}
	for _, seg := range s.segs {
		seg.count = 0 // only needed while loading
	}
	return recovered, nil
}

// loadSegment scans one segment and, for the last one, cuts a torn tail.
func (s *stream) loadSegment(f File, path string, base int64, last bool, sr *segReader) (*segment, *Recovery, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("stat segment: %w", err)
	}
	size := fi.Size()
	corrupt := func(off int64, reason string) error {
		return &eventlog.CorruptError{File: path, Offset: off, Reason: reason}
	}
	hdr := make([]byte, segHeaderSize)
	n, err := f.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("read segment header: %w", err)
	}
	hbase, created, reason := decodeSegHeader(hdr[:n])
	if reason == "" && hbase != base {
		reason = fmt.Sprintf("header says first sequence number %d, file name says %d", hbase, base)
	}
	if reason != "" {
		if !last || size > segHeaderSize {
			return nil, nil, corrupt(0, reason)
		}
		// A crash while a new segment was being created: write its header
		// again (the name says which sequence number it starts at).
		created = s.l.cfg.Clock().UnixNano()
		if err := rewriteHeader(f, base, created, s.l.cfg.Fsync != FsyncNone); err != nil {
			return nil, nil, fmt.Errorf("rewrite torn segment header: %w", err)
		}
		seg := &segment{base: base, path: path, created: created, size: segHeaderSize}
		return seg, &Recovery{Stream: s.name, File: path, Offset: segHeaderSize, BytesLost: size, Reason: reason}, nil
	}

	seg := &segment{base: base, path: path, created: created}
	var (
		rec      eventlog.Record
		expect   = base
		end      = int64(segHeaderSize) // end of the last complete batch
		count    int64                  // records up to end
		lastIdx  = int64(segHeaderSize)
		badOff   = int64(-1)
		badWhy   string
		pendIdx  []indexEntry
		pendRecs int64
	)
	sr.reset(f, segHeaderSize, size)
	for {
		off := sr.offset()
		flags, reason, err := sr.next(&rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read segment %s: %w", path, err)
		}
		if reason == "" && rec.Seq != expect {
			reason = fmt.Sprintf("sequence number %d, want %d", rec.Seq, expect)
		}
		if reason != "" {
			badOff, badWhy = off, reason
			break
		}
		if off-lastIdx >= indexInterval {
			pendIdx = append(pendIdx, indexEntry{seq: rec.Seq, off: off})
			lastIdx = off
		}
		expect++
		pendRecs++
		if flags&flagEndOfBatch != 0 {
			end = sr.offset()
			count += pendRecs
			pendRecs = 0
			seg.index = append(seg.index, pendIdx...)
			pendIdx = pendIdx[:0]
		}
	}
	seg.size, seg.count = end, count
	if badOff < 0 && end == size {
		return seg, nil, nil
	}
	if !last {
		if badOff < 0 {
			return nil, nil, corrupt(end, "incomplete batch at the end of a sealed segment")
		}
		return nil, nil, corrupt(badOff, badWhy)
	}
	why := "incomplete batch"
	if badOff >= 0 {
		// Torn (garbage to the end of the file) or corrupt (valid data after
		// the bad frame)? Only the former may be cut off.
		tail := make([]byte, size-badOff-1)
		if _, err := f.ReadAt(tail, badOff+1); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("read segment tail: %w", err)
		}
		why = badWhy
		if validFrameIn(tail) {
			if !s.l.cfg.TruncateCorruptTail {
				return nil, nil, corrupt(badOff, badWhy+" (followed by valid data)")
			}
			why = badWhy + " (followed by valid data, cut by TruncateCorruptTail)"
		}
	}
	if err := f.Truncate(end); err != nil {
		return nil, nil, fmt.Errorf("truncate torn tail of %s: %w", path, err)
	}
	if s.l.cfg.Fsync != FsyncNone {
		if err := f.Sync(); err != nil {
			return nil, nil, fmt.Errorf("sync truncated %s: %w", path, err)
		}
	}
	return seg, &Recovery{Stream: s.name, File: path, Offset: end, BytesLost: size - end, Reason: why}, nil
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
	active.index = append(active.index, newIdx...)
	s.next = first + int64(len(recs))
	close(s.wake)
	s.wake = make(chan struct{})
	s.stateMu.Unlock()
	return seqs, nil
}

// rollLocked seals the active segment (if any) and starts a new one at the
// next sequence number. s.mu must be held.
func (s *stream) rollLocked() error {
	fsys := s.l.fs
	sync := s.l.cfg.Fsync != FsyncNone
	if !s.created {
		if err := fsys.MkdirAll(s.dir, 0o755); err != nil {
			return fmt.Errorf("create stream directory: %w", err)
		}
		if sync {
			if err := syncDir(fsys, s.l.cfg.Dir); err != nil {
				return fmt.Errorf("sync log directory: %w", err)
			}
		}
		s.created = true
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
	s.segs = append(s.segs, &segment{base: base, path: path, created: created, size: segHeaderSize})
	s.stateMu.Unlock()
	if err := s.enforceRetention(); err != nil {
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

// enforceRetention deletes the oldest sealed segments beyond
// Config.Retention. It never deletes the active segment. s.mu must be held
// (or the stream not yet shared, during Open).
func (s *stream) enforceRetention() error {
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
