package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// segView is a reader's snapshot of a segment.
type segView struct {
	base  int64
	path  string
	size  int64
	index []indexEntry
}

// snapshot copies the published state: the segments with their committed
// sizes, the end (next sequence number) and the channel closed on the next
// append. shut reports that the log closed.
func (s *stream) snapshot(dst []segView) (segs []segView, end int64, wake chan struct{}, shut bool) {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	dst = dst[:0]
	for _, seg := range s.segs {
		dst = append(dst, segView{base: seg.base, path: seg.path, size: seg.size, index: seg.index[:len(seg.index):len(seg.index)]})
	}
	return dst, s.next, s.wake, s.shut
}

// Read implements [eventlog.Log.Read]. Its snapshot includes the complete
// batches that other processes appended. The iterator reads the segment files
// through its own handles and a 256 KiB buffer; records alias that buffer.
// It verifies every frame and stops with a [*eventlog.CorruptError] on bad
// data. A segment deleted by retention while the iterator waits to open it
// gives [eventlog.ErrOutOfRange].
func (l *Log) Read(ctx context.Context, name string, from int64) (eventlog.Iterator, error) {
	s, err := l.stream(name, false)
	if err != nil {
		return nil, err
	}
	if from < 0 {
		return nil, fmt.Errorf("disk: read %s from %d: %w", name, from, eventlog.ErrOutOfRange)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	it := &iter{from: from, next: from}
	if s == nil {
		return it, nil // never written: empty
	}
	it.s = s
	if err := s.catchUp(); err != nil {
		return nil, fmt.Errorf("disk: read %s: %w", name, err)
	}
	if err := it.refresh(); err != nil {
		return nil, err
	}
	return it, nil
}

// Follow implements [eventlog.Log.Follow]. It waits for appends in this
// process on a channel the writer closes; while none come, it looks at the
// stream's files every Config.PollInterval for complete batches appended by
// other processes.
func (l *Log) Follow(ctx context.Context, name string, from int64, fn func(eventlog.Record) error) error {
	s, err := l.stream(name, true)
	if err != nil {
		return err
	}
	if from < 0 {
		return fmt.Errorf("disk: follow %s from %d: %w", name, from, eventlog.ErrOutOfRange)
	}
	it := &iter{s: s, from: from, next: from}
	defer it.Close()
	// The wall clock is fine here: polling is an adapter concern, and it
	// only decides when to look, never what is seen.
	poll := time.NewTimer(l.cfg.PollInterval)
	defer poll.Stop()
	for polled := false; ; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !polled {
			if err := s.poll(); err != nil {
				return fmt.Errorf("disk: follow %s: %w", name, err)
			}
		}
		if err := it.refresh(); err != nil {
			return err
		}
		if it.shut {
			return eventlog.ErrClosed
		}
		n := 0
		for it.Next() {
			if err := fn(it.rec); err != nil {
				return err
			}
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if err := it.Err(); err != nil {
			return err
		}
		poll.Reset(l.cfg.PollInterval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-it.wake:
			polled = true // this process appended: no need to look at the files
		case <-poll.C:
			polled = false
		}
	}
}

// iter is the disk [eventlog.Iterator]. It is not safe for concurrent use.
type iter struct {
	s    *stream
	from int64 // first sequence number to return
	next int64 // sequence number of the frame at sr.offset()
	end  int64 // snapshot end: next sequence number not yet committed
	segs []segView
	si   int // index in segs of the open segment; -1 when none is open
	wake chan struct{}
	shut bool

	f   File
	sr  segReader
	rec eventlog.Record
	err error
}

// refresh takes a new snapshot of the stream, keeping the position.
func (it *iter) refresh() error {
	var cur segView
	if it.f != nil {
		cur = it.segs[it.si]
	}
	it.segs, it.end, it.wake, it.shut = it.s.snapshot(it.segs)
	if it.f != nil {
		// Keep reading the open segment, up to its new committed size. If
		// retention removed it from the list meanwhile, finish it anyway: the
		// open handle keeps the data.
		i := sort.Search(len(it.segs), func(i int) bool { return it.segs[i].base >= cur.base })
		if i < len(it.segs) && it.segs[i].base == cur.base {
			it.si = i
			it.sr.limit = it.segs[i].size
		} else {
			it.segs = append([]segView{cur}, it.segs...)
			it.si = 0
		}
		return nil
	}
	it.si = -1
	if it.next >= it.end || len(it.segs) == 0 {
		return nil
	}
	if it.next < it.segs[0].base {
		return fmt.Errorf("disk: read %s from %d: oldest retained record is %d: %w", it.s.name, it.next, it.segs[0].base, eventlog.ErrOutOfRange)
	}
	return nil
}

// open opens segment i at the indexed position nearest below it.next.
func (it *iter) open(i int) error {
	seg := it.segs[i]
	f, err := it.s.l.fs.OpenFile(seg.path, os.O_RDONLY, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("disk: read %s at %d: segment deleted by retention: %w", it.s.name, it.next, eventlog.ErrOutOfRange)
		}
		return fmt.Errorf("disk: open segment: %w", err)
	}
	off, seq := int64(segHeaderSize), seg.base
	if k := sort.Search(len(seg.index), func(k int) bool { return seg.index[k].seq > it.next }); k > 0 {
		off, seq = seg.index[k-1].off, seg.index[k-1].seq
	}
	it.f, it.si, it.next = f, i, seq
	it.sr.reset(f, off, seg.size)
	return nil
}

func (it *iter) closeFile() {
	if it.f != nil {
		it.f.Close()
		it.f = nil
	}
}

// Next implements [eventlog.Iterator].
func (it *iter) Next() bool {
	for it.err == nil && it.next < it.end {
		if it.f == nil {
			// Find the segment holding it.next.
			i := sort.Search(len(it.segs), func(i int) bool { return it.segs[i].base > it.next }) - 1
			if i < 0 {
				it.err = fmt.Errorf("disk: read %s at %d: %w", it.s.name, it.next, eventlog.ErrOutOfRange)
				return false
			}
			if err := it.open(i); err != nil {
				it.err = err
				return false
			}
		}
		off := it.sr.offset()
		_, reason, err := it.sr.next(&it.rec)
		if err != nil {
			path := it.segs[it.si].path
			it.closeFile()
			switch {
			case errors.Is(err, io.EOF):
				// The segment is done; its successor must start at it.next.
				if it.si+1 < len(it.segs) && it.segs[it.si+1].base == it.next {
					continue
				}
				it.err = &eventlog.CorruptError{File: path, Offset: off, Reason: fmt.Sprintf("segment ends before sequence number %d", it.next)}
			case errors.Is(err, io.ErrUnexpectedEOF):
				it.err = &eventlog.CorruptError{File: path, Offset: off, Reason: "file shorter than its committed size"}
			default:
				it.err = fmt.Errorf("disk: read %s: %w", path, err)
			}
			return false
		}
		if reason == "" && it.rec.Seq != it.next {
			reason = fmt.Sprintf("sequence number %d, want %d", it.rec.Seq, it.next)
		}
		if reason != "" {
			it.err = &eventlog.CorruptError{File: it.segs[it.si].path, Offset: off, Reason: reason}
			it.closeFile()
			return false
		}
		it.next++
		if it.rec.Seq >= it.from {
			return true
		}
	}
	return false
}

// Record implements [eventlog.Iterator]: the record aliases the iterator's
// buffer until the next call of Next or Close.
func (it *iter) Record() eventlog.Record { return it.rec }

// Err implements [eventlog.Iterator].
func (it *iter) Err() error { return it.err }

// Close implements [eventlog.Iterator].
func (it *iter) Close() error {
	it.closeFile()
	it.end = it.next // no more records
	it.rec = eventlog.Record{}
	return it.err
}
