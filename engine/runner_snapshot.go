package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

// The Runner's snapshot record, frozen:
//
//	magic "CWRS" | version u8 | next uvarint | signalLast varint |
//	deadLast varint | core length uvarint | core bytes
//
// next is the sequence number of the first input event the snapshot has not
// seen; signalLast and deadLast are the Last() of the output and dead-letter
// streams when it was taken: everything the run appended after the snapshot
// lies beyond them, and that is all a restart must check for duplicates.
const (
	runnerSnapMagic   = "CWRS"
	runnerSnapVersion = 1
)

// ErrRunnerSnapshot is matched by the error for a runner snapshot record that
// cannot be decoded.
var ErrRunnerSnapshot = errors.New("engine: bad runner snapshot")

// maxSnapshotTries is how many of the latest snapshots restore tries before
// it replays the input from the start.
const maxSnapshotTries = 3

type runnerSnap struct {
	next       int64
	signalLast int64
	deadLast   int64
	core       []byte
}

func (s runnerSnap) appendTo(b []byte) []byte {
	b = append(b, runnerSnapMagic...)
	b = append(b, runnerSnapVersion)
	b = binary.AppendUvarint(b, uint64(s.next))
	b = binary.AppendVarint(b, s.signalLast)
	b = binary.AppendVarint(b, s.deadLast)
	b = binary.AppendUvarint(b, uint64(len(s.core)))
	return append(b, s.core...)
}

func decodeRunnerSnap(b []byte) (runnerSnap, error) {
	var s runnerSnap
	bad := func(what string) (runnerSnap, error) {
		return runnerSnap{}, fmt.Errorf("%w: %s", ErrRunnerSnapshot, what)
	}
	if len(b) < len(runnerSnapMagic)+1 || string(b[:len(runnerSnapMagic)]) != runnerSnapMagic {
		return bad("no magic number")
	}
	if v := b[len(runnerSnapMagic)]; v != runnerSnapVersion {
		return bad(fmt.Sprintf("version %d, want %d", v, runnerSnapVersion))
	}
	b = b[len(runnerSnapMagic)+1:]
	next, n := binary.Uvarint(b)
	if n <= 0 || next > 1<<62 {
		return bad("input position")
	}
	b = b[n:]
	s.next = int64(next)
	if s.signalLast, n = binary.Varint(b); n <= 0 || s.signalLast < -1 {
		return bad("signal position")
	}
	b = b[n:]
	if s.deadLast, n = binary.Varint(b); n <= 0 || s.deadLast < -1 {
		return bad("dead-letter position")
	}
	b = b[n:]
	size, n := binary.Uvarint(b)
	if n <= 0 || size != uint64(len(b)-n) {
		return bad("core state length")
	}
	s.core = b[n:]
	return s, nil
}

// snapshot appends the current state. It is called between events, after
// the signals of the last one were appended, so signalLast covers them.
func (r *Runner) snapshot(ctx context.Context) error {
	// Every signal the snapshot accounts for must be in the log before it.
	if err := r.flushOut(); err != nil {
		return err
	}
	core, err := r.core.MarshalBinary()
	if err != nil {
		return fmt.Errorf("engine: runner: snapshot: %w", err)
	}
	s := runnerSnap{next: r.next, core: core, signalLast: r.restored.signalLast, deadLast: r.restored.deadLast}
	// While the run is still re-deriving what an earlier run appended past
	// the restored snapshot (events up to r.replayUntil), the output holds
	// signals of events this snapshot has not seen yet: a restart from it
	// must check them again, so it keeps the restored positions. Past that
	// region everything in the output derives from events before r.next.
	if r.next > r.replayUntil {
		if s.signalLast, err = r.cfg.Log.Last(ctx, r.cfg.Output); err != nil {
			return fmt.Errorf("engine: runner: snapshot: %w", err)
		}
		if s.deadLast, err = r.cfg.Log.Last(ctx, r.cfg.DeadLetter); err != nil {
			return fmt.Errorf("engine: runner: snapshot: %w", err)
		}
	}
	rec := eventlog.Record{
		Key:     r.snapKey,
		Value:   s.appendTo(nil),
		Headers: []eventlog.Header{{Key: HeaderContentType, Value: []byte(ContentTypeSnapshot)}},
	}
	if _, err := r.cfg.Log.Append(ctx, r.cfg.Snapshots, []eventlog.Record{rec}); err != nil {
		return fmt.Errorf("engine: runner: append snapshot: %w", err)
	}
	r.lastSnap, r.sinceSnap = r.next, 0
	r.count(func(m *Metrics) { m.Snapshots++ })
	return r.snapshotted(ctx, r.next)
}

// snapshotted calls the OnSnapshot hook, if any, for a durable snapshot
// that resumes at next.
func (r *Runner) snapshotted(ctx context.Context, next int64) error {
	if r.cfg.OnSnapshot == nil {
		return nil
	}
	if err := r.cfg.OnSnapshot(ctx, next); err != nil {
		return fmt.Errorf("engine: runner: after the snapshot at %d: %w", next, err)
	}
	return nil
}

// newCore makes r.core a new Processor. Its signals are encoded by
// publish before the next Apply, so a Core reuses their memory (see
// Core.ReuseSignalMemory): emitting a signal then allocates nothing.
func (r *Runner) newCore() (Processor, error) {
	core, err := r.cfg.NewCore()
	if err != nil {
		return nil, fmt.Errorf("engine: runner: new core: %w", err)
	}
	if c, ok := core.(interface{ ReuseSignalMemory(bool) }); ok {
		c.ReuseSignalMemory(true)
	}
	r.core = core
	return core, nil
}

// restore builds the core from the latest snapshot (or fresh) and loads the
// IDs of the signals and the sources of the dead letters appended after it,
// which a replay will re-derive and must not append again.
func (r *Runner) restore(ctx context.Context) error {
	core, err := r.newCore()
	if err != nil {
		return err
	}
	snap := runnerSnap{signalLast: -1, deadLast: -1}
	last, err := r.cfg.Log.Last(ctx, r.cfg.Snapshots)
	if err != nil {
		return fmt.Errorf("engine: runner: %w", err)
	}
	// Try the latest few snapshots, newest first. One that cannot be
	// restored (taken with another configuration, or damaged) is a cache
	// miss, not a failure: an older one, or else a replay from the start
	// with every signal already in the output counted as known, gives the
	// same output.
	for seq := last; seq >= 0 && seq > last-maxSnapshotTries; seq-- {
		s, err := r.readSnapshot(ctx, seq)
		if err == nil {
			err = core.UnmarshalBinary(s.core)
		}
		if err == nil {
			snap = s
			r.lastSnap = s.next
			r.logger.InfoContext(ctx, "snapshot restored", "snapshot_seq", seq, "next", s.next,
				"signal_last", s.signalLast)
			break
		}
		r.logger.WarnContext(ctx, "snapshot not restored", "snapshot_seq", seq, "err", err)
		// A failed restore may have left the core half-loaded.
		if core, err = r.newCore(); err != nil {
			return err
		}
	}
	if last >= 0 && r.lastSnap < 0 {
		r.logger.WarnContext(ctx, "no snapshot restored; replaying the input from the start")
	}
	r.next = snap.next
	r.restored = snap
	r.replayUntil = -1
	r.count(func(*Metrics) {})
	if r.suppress, err = r.knownSignals(ctx, snap.signalLast+1); err != nil {
		return err
	}
	if r.deadSeen, err = r.knownDeadLetters(ctx, snap.deadLast+1); err != nil {
		return err
	}
	if r.lastSnap >= 0 {
		return r.snapshotted(ctx, r.lastSnap)
	}
	return nil
}

func (r *Runner) readSnapshot(ctx context.Context, seq int64) (runnerSnap, error) {
	it, err := r.cfg.Log.Read(ctx, r.cfg.Snapshots, seq)
	if err != nil {
		return runnerSnap{}, fmt.Errorf("engine: runner: read snapshot %d: %w", seq, err)
	}
	recs, err := eventlog.Collect(it, 1)
	if err != nil {
		return runnerSnap{}, fmt.Errorf("engine: runner: read snapshot %d: %w", seq, err)
	}
	if len(recs) != 1 {
		return runnerSnap{}, fmt.Errorf("engine: runner: snapshot %d vanished", seq)
	}
	return decodeRunnerSnap(recs[0].Value)
}

// knownSignals returns the IDs of the signals in the output stream from seq
// from on, and raises r.replayUntil to the input offset of the latest.
func (r *Runner) knownSignals(ctx context.Context, from int64) (map[string]struct{}, error) {
	ids := map[string]struct{}{}
	err := r.scan(ctx, r.cfg.Output, from, func(rec eventlog.Record) error {
		var s events.Signal
		var err error
		if events.IsJSON(rec.Value) {
			s, err = events.DecodeSignalJSON(rec.Value, false)
		} else {
			err = events.DecodeSignal(rec.Value, &s)
		}
		if err != nil {
			// Not a signal this engine wrote; nothing can collide with it.
			return nil
		}
		ids[s.ID] = struct{}{}
		if s.Source.Stream == r.cfg.Input && s.Source.Partition == r.cfg.Partition && s.Source.Offset > r.replayUntil {
			r.replayUntil = s.Source.Offset
		}
		return nil
	})
	return ids, err
}

// knownDeadLetters returns the sources of the dead letters of the input
// stream in the dead-letter stream from seq from on.
func (r *Runner) knownDeadLetters(ctx context.Context, from int64) (map[string]struct{}, error) {
	seen := map[string]struct{}{}
	err := r.scan(ctx, r.cfg.DeadLetter, from, func(rec eventlog.Record) error {
		for _, h := range rec.Headers {
			if h.Key != eventlog.HeaderSource || !r.isDeadSource(string(h.Value)) {
				continue
			}
			seen[string(h.Value)] = struct{}{}
			if off, err := strconv.ParseInt(string(h.Value[len(r.deadPrefix):]), 10, 64); err == nil && off > r.replayUntil {
				r.replayUntil = off
			}
		}
		return nil
	})
	return seen, err
}

func (r *Runner) scan(ctx context.Context, stream string, from int64, fn func(eventlog.Record) error) error {
	it, err := r.cfg.Log.Read(ctx, stream, from)
	if err != nil {
		return fmt.Errorf("engine: runner: read %s from %d: %w", stream, from, err)
	}
	for it.Next() {
		if err := fn(it.Record()); err != nil {
			it.Close()
			return err
		}
	}
	if err := it.Close(); err != nil {
		return fmt.Errorf("engine: runner: read %s from %d: %w", stream, from, err)
	}
	return nil
}
