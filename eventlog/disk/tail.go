package disk

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// lockName is the lock file in every stream directory. It also holds the
// generation number of the stream's segment list (see [FileLock]).
const lockName = "LOCK"

// scanned is what scanLocked found in a stretch of a segment.
type scanned struct {
	end     int64        // file offset after the last complete batch
	next    int64        // sequence number after the last complete batch
	lastIdx int64        // offset of the last index entry at or before end
	index   []indexEntry // index entries for complete batches
	badOff  int64        // offset of the first bad frame, or -1
	badWhy  string       // why it is bad
}

// scanLocked reads the frames of f from offset off, where record seq must
// start, up to size: the part of a segment this process has not seen yet.
// It stops at the first bad frame and returns the end of the last complete
// batch (a batch is complete once its end-of-batch frame is there). lastIdx
// is the offset of the segment's last index entry so far. s.mu must be held
// (it uses s.sr).
func (s *stream) scanLocked(f File, path string, off, seq, lastIdx, size int64) (scanned, error) {
	sc := scanned{end: off, next: seq, lastIdx: lastIdx, badOff: -1}
	var (
		rec      eventlog.Record
		expect   = seq
		pendIdx  []indexEntry
		pendLast = lastIdx
	)
	s.sr.reset(f, off, size)
	defer func() { s.sr.f = nil }() // do not keep the handle alive
	for {
		fo := s.sr.offset()
		flags, reason, err := s.sr.next(&rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				// The file shrank under us: only a locker repairing a torn
				// tail cuts a file, and never below a complete batch.
				break
			}
			return sc, fmt.Errorf("read segment %s: %w", path, err)
		}
		if reason == "" && rec.Seq != expect {
			reason = fmt.Sprintf("sequence number %d, want %d", rec.Seq, expect)
		}
		if reason != "" {
			sc.badOff, sc.badWhy = fo, reason
			break
		}
		if fo-pendLast >= indexInterval {
			pendIdx = append(pendIdx, indexEntry{seq: rec.Seq, off: fo})
			pendLast = fo
		}
		expect++
		if flags&flagEndOfBatch != 0 {
			sc.end, sc.next, sc.lastIdx = s.sr.offset(), expect, pendLast
			sc.index = append(sc.index, pendIdx...)
			pendIdx = pendIdx[:0]
		}
	}
	return sc, nil
}

// tailLocked decides what to do with the bytes of a segment after the last
// complete batch that scanLocked found. A sealed segment (not last) must end
// there. In the last segment they are a batch being written by another
// process, or the torn write of a dead one: without repair they are simply
// not exposed; with repair (the caller holds the file lock, so no live
// writer is in the middle of a batch) they are truncated, unless valid
// frames follow a bad one, which is corruption. s.mu must be held.
func (s *stream) tailLocked(f File, path string, sc scanned, size int64, last, repair bool) (*Recovery, error) {
	if sc.badOff < 0 && sc.end == size {
		return nil, nil
	}
	corrupt := func(off int64, reason string) error {
		return &eventlog.CorruptError{File: path, Offset: off, Reason: reason}
	}
	if !last {
		if sc.badOff < 0 {
			return nil, corrupt(sc.end, "incomplete batch at the end of a sealed segment")
		}
		return nil, corrupt(sc.badOff, sc.badWhy)
	}
	if !repair {
		return nil, nil
	}
	why := "incomplete batch"
	if sc.badOff >= 0 {
		// Torn (garbage to the end of the file) or corrupt (valid data after
		// the bad frame)? Only the former may be cut off.
		tail := make([]byte, size-sc.badOff-1)
		if _, err := f.ReadAt(tail, sc.badOff+1); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read segment tail: %w", err)
		}
		why = sc.badWhy
		if validFrameIn(tail) {
			if !s.l.cfg.TruncateCorruptTail {
				return nil, corrupt(sc.badOff, sc.badWhy+" (followed by valid data)")
			}
			why = sc.badWhy + " (followed by valid data, cut by TruncateCorruptTail)"
		}
	}
	if err := f.Truncate(sc.end); err != nil {
		return nil, fmt.Errorf("truncate torn tail of %s: %w", path, err)
	}
	if s.l.cfg.Fsync != FsyncNone {
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("sync truncated %s: %w", path, err)
		}
	}
	return &Recovery{Stream: s.name, File: path, Offset: sc.end, BytesLost: size - sc.end, Reason: why}, nil
}

// recordRecovery logs a repaired tail and lists it in Log.Recovered.
func (s *stream) recordRecovery(rec *Recovery) {
	s.l.logger.Warn("cut off torn write at the tail of a stream", "stream", rec.Stream,
		"file", rec.File, "offset", rec.Offset, "bytes_lost", rec.BytesLost, "reason", rec.Reason)
	s.l.recMu.Lock()
	s.l.recovered = append(s.l.recovered, *rec)
	s.l.recMu.Unlock()
}

// openLockLocked opens the stream's lock file if the stream directory
// exists; s.lk stays nil otherwise. s.mu must be held.
func (s *stream) openLockLocked() error {
	if s.lk != nil {
		return nil
	}
	lk, err := openLock(s.l.fs, filepath.Join(s.dir, lockName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	s.lk = lk
	return nil
}

// ensureDirLocked creates the stream directory (syncing its parent) and
// opens the lock file, for a writer. s.mu must be held.
func (s *stream) ensureDirLocked() error {
	if !s.created {
		fsys := s.l.fs
		if err := fsys.MkdirAll(s.dir, 0o755); err != nil {
			return fmt.Errorf("create stream directory: %w", err)
		}
		if s.l.cfg.Fsync != FsyncNone {
			if err := syncDir(fsys, s.l.cfg.Dir); err != nil {
				return fmt.Errorf("sync log directory: %w", err)
			}
		}
		s.created = true
	}
	return s.openLockLocked()
}

// lockLocked takes the stream's file lock. s.mu must be held.
func (s *stream) lockLocked() error {
	if err := s.ensureDirLocked(); err != nil {
		return err
	}
	if err := s.lk.Lock(); err != nil {
		return fmt.Errorf("lock stream: %w", err)
	}
	return nil
}

// unlockLocked releases the stream's file lock. A failure is logged, not
// returned: the work done under the lock is complete, and closing the
// handle (at the latest on exit) releases the lock anyway. s.mu must be
// held.
func (s *stream) unlockLocked() {
	if err := s.lk.Unlock(); err != nil {
		s.l.logger.Error("unlock stream", "stream", s.name, "error", err)
	}
}

// bumpGenLocked tells other processes that the segment list changed. s.mu
// and the file lock must be held.
func (s *stream) bumpGenLocked() error {
	if err := s.lk.SetGeneration(s.gen + 1); err != nil {
		return fmt.Errorf("bump segment list generation: %w", err)
	}
	s.gen++
	return nil
}

// poll catches up with appends by other processes for a follower, unless
// another goroutine of this process holds the stream (a writer catches up
// itself and publishes when it is done; a follower polls again soon).
func (s *stream) poll() error {
	if !s.mu.TryLock() {
		return nil
	}
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.catchUpLocked(false)
}

// catchUp is poll for Read, Last and Streams, which promise to see every
// batch acknowledged before the call, including other processes' ones: it
// waits for the stream instead of skipping when another goroutine holds it
// (skipping made Last miss another process's appends while a follower of
// this process happened to be polling).
func (s *stream) catchUp() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return s.catchUpLocked(false)
}

// catchUpLocked brings the stream's view (segments, committed sizes, next
// sequence number, the active segment handle) up to date with its files,
// which other processes may have appended to, rolled over or pruned since,
// and publishes what is new to readers. The fast path, when nothing
// changed, costs one fstat of the active segment (plus, with OSFS, a load
// from the shared memory holding the segment list generation).
//
// Without repair (readers, and the first pass of Open) it exposes only
// complete batches and leaves the files alone. With repair the caller
// holds the file lock: a torn tail, which can only be left by a writer
// that died, is cut off. s.mu must be held.
func (s *stream) catchUpLocked(repair bool) error {
	if err := s.openLockLocked(); err != nil || s.lk == nil {
		return err
	}
	gen, err := s.lk.Generation()
	if err != nil {
		return fmt.Errorf("read segment list generation: %w", err)
	}
	if gen != s.gen || s.f == nil {
		return s.relistLocked(gen, repair)
	}
	fi, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("stat active segment: %w", err)
	}
	switch size := fi.Size(); {
	case size == s.wsize:
		return nil
	case size < s.wsize:
		active := s.segs[len(s.segs)-1]
		return &eventlog.CorruptError{File: active.path, Offset: size, Reason: fmt.Sprintf("file shorter than its committed size %d", s.wsize)}
	default:
		active := s.segs[len(s.segs)-1]
		if err := s.growLocked(active, s.f, size, true, repair); err != nil {
			return err
		}
		s.wsize, s.lastIdx = active.size, segHeaderSize
		if n := len(active.index); n > 0 {
			s.lastIdx = active.index[n-1].off
		}
		s.publishLocked(s.segs, active.end)
		return nil
	}
}

// growLocked scans segment seg (open as f) beyond its committed size up to
// size and commits the complete batches found. s.mu must be held.
func (s *stream) growLocked(seg *segment, f File, size int64, last, repair bool) error {
	lastIdx := int64(segHeaderSize)
	if n := len(seg.index); n > 0 {
		lastIdx = seg.index[n-1].off
	}
	sc, err := s.scanLocked(f, seg.path, seg.size, seg.end, lastIdx, size)
	if err != nil {
		return err
	}
	rec, err := s.tailLocked(f, seg.path, sc, size, last, repair)
	if err != nil {
		return err
	}
	if rec != nil {
		s.recordRecovery(rec)
	}
	if sc.end == seg.size {
		return nil
	}
	s.stateMu.Lock()
	seg.size, seg.end = sc.end, sc.next
	seg.index = append(seg.index, sc.index...)
	s.stateMu.Unlock()
	return nil
}

// publishLocked makes segs (ordered, the last one active) and next the
// published state and wakes followers if records were added. s.mu must be
// held.
func (s *stream) publishLocked(segs []*segment, next int64) {
	s.stateMu.Lock()
	s.segs = segs
	if next != s.next {
		s.next = next
		if !s.shut {
			close(s.wake)
			s.wake = make(chan struct{})
		}
	}
	s.stateMu.Unlock()
}

// relistLocked rebuilds the segment list from the stream directory:
// segments still listed keep their state, the active one is scanned beyond
// its committed size, new ones are scanned whole, and ones that are gone
// (retention in another process) are dropped. gen is the generation read
// before listing; it is remembered only if the list was complete, so that
// a segment caught while being created is looked at again. s.mu must be
// held.
func (s *stream) relistLocked(gen int64, repair bool) error {
	fsys := s.l.fs
	entries, err := fsys.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list segments: %w", err)
	}
	s.created = true
	var bases []int64
	for _, e := range entries {
		if b, ok := parseSegName(e.Name()); ok && !e.IsDir() {
			bases = append(bases, b)
		}
	}
	slices.Sort(bases)
	var active *segment
	if len(s.segs) > 0 && s.f != nil {
		active = s.segs[len(s.segs)-1]
	}
	known := s.segs
	var (
		segs     = make([]*segment, 0, len(bases))
		newF     File // handle of the last segment, if newly opened
		complete = true
	)
	fail := func(err error) error {
		if newF != nil {
			newF.Close()
		}
		return err
	}
	for i, base := range bases {
		last := i == len(bases)-1
		for len(known) > 0 && known[0].base < base {
			known = known[1:] // deleted by retention
		}
		if len(known) > 0 && known[0].base == base {
			seg := known[0]
			known = known[1:]
			if seg == active {
				fi, err := s.f.Stat()
				if err != nil {
					return fail(fmt.Errorf("stat active segment: %w", err))
				}
				if err := s.growLocked(seg, s.f, fi.Size(), last, repair); err != nil {
					return fail(err)
				}
			}
			if len(segs) > 0 && seg.base != segs[len(segs)-1].end {
				return fail(gapError(seg.path, seg.base, segs[len(segs)-1].end))
			}
			segs = append(segs, seg)
			continue
		}
		path := filepath.Join(s.dir, segName(base))
		flag := os.O_RDONLY
		if last {
			flag = os.O_RDWR
		}
		f, err := fsys.OpenFile(path, flag, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted by retention since the listing
		}
		if err != nil {
			return fail(fmt.Errorf("open segment: %w", err))
		}
		seg, ok, err := s.loadSegmentLocked(f, path, base, last, repair)
		if err != nil {
			f.Close()
			return fail(err)
		}
		if !ok {
			// A segment being created by another process: look again later.
			f.Close()
			complete = false
			break
		}
		if len(segs) > 0 && seg.base != segs[len(segs)-1].end {
			f.Close()
			return fail(gapError(path, seg.base, segs[len(segs)-1].end))
		}
		segs = append(segs, seg)
		if last {
			newF = f
		} else {
			f.Close()
		}
	}
	if len(segs) == 0 {
		if complete {
			s.gen = gen
		}
		return nil
	}
	if newF != nil || segs[len(segs)-1] != active {
		// The active segment changed: another process rolled over.
		if s.f != nil {
			if s.dirty && s.l.cfg.Fsync != FsyncNone {
				if err := s.f.Sync(); err != nil {
					s.werr = fmt.Errorf("sync %s: %w", s.name, err)
				}
			}
			s.dirty = false
			s.f.Close()
		}
		s.f = newF
		if s.f == nil {
			// The last listed segment is an old one still open for reading
			// only (its successor is being created): reopen it for writing.
			last := segs[len(segs)-1]
			f, err := fsys.OpenFile(last.path, os.O_RDWR, 0)
			if err != nil {
				return fmt.Errorf("open segment: %w", err)
			}
			s.f = f
		}
	}
	act := segs[len(segs)-1]
	s.wsize, s.lastIdx = act.size, segHeaderSize
	if n := len(act.index); n > 0 {
		s.lastIdx = act.index[n-1].off
	}
	if complete {
		s.gen = gen
	}
	s.publishLocked(segs, act.end)
	return nil
}

func gapError(path string, base, want int64) error {
	return &eventlog.CorruptError{File: path, Offset: 0,
		Reason: fmt.Sprintf("segment starts at sequence number %d, want %d (segment missing?)", base, want)}
}

// loadSegmentLocked checks the header of a segment new to this process and
// scans it. ok is false for the last segment whose header is not all there
// yet without repair (another process is creating it); with repair (under
// the file lock) such a header, left by a crash while the segment was being
// created, is written again. s.mu must be held.
func (s *stream) loadSegmentLocked(f File, path string, base int64, last, repair bool) (seg *segment, ok bool, err error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("stat segment: %w", err)
	}
	size := fi.Size()
	hdr := make([]byte, segHeaderSize)
	n, err := f.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, fmt.Errorf("read segment header: %w", err)
	}
	hbase, created, reason := decodeSegHeader(hdr[:n])
	if reason == "" && hbase != base {
		reason = fmt.Sprintf("header says first sequence number %d, file name says %d", hbase, base)
	}
	if reason != "" {
		if !last || size > segHeaderSize {
			return nil, false, &eventlog.CorruptError{File: path, Offset: 0, Reason: reason}
		}
		if !repair {
			return nil, false, nil
		}
		// A crash while a new segment was being created: write its header
		// again (the name says which sequence number it starts at).
		created = s.l.cfg.Clock().UnixNano()
		if err := rewriteHeader(f, base, created, s.l.cfg.Fsync != FsyncNone); err != nil {
			return nil, false, fmt.Errorf("rewrite torn segment header: %w", err)
		}
		s.recordRecovery(&Recovery{Stream: s.name, File: path, Offset: segHeaderSize, BytesLost: size, Reason: reason})
		return &segment{base: base, path: path, created: created, size: segHeaderSize, end: base}, true, nil
	}
	seg = &segment{base: base, path: path, created: created, size: segHeaderSize, end: base}
	if err := s.growLocked(seg, f, size, last, repair); err != nil {
		return nil, false, err
	}
	return seg, true, nil
}
