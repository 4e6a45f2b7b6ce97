package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

// Processor is what a [Runner] drives: ordered bars in, signals out, and a
// snapshot of its state. [*Core] implements it; tests may pass a fake.
type Processor interface {
	// Apply consumes the bar at pos; an error means the bar was not applied
	// (the runner dead-letters it and calls Skip).
	Apply(pos events.Position, b *events.Bar, out []events.Signal) ([]events.Signal, error)
	// Skip records that the input at pos was consumed without being applied.
	Skip(pos events.Position)
	// MarshalBinary snapshots the whole state; the Runner keeps the bytes.
	MarshalBinary() ([]byte, error)
	// UnmarshalBinary restores a snapshot into a fresh Processor; an error
	// (another configuration, a damaged snapshot) makes the Runner try an
	// older snapshot or replay from the start.
	UnmarshalBinary([]byte) error
}

// DefaultSnapshotEvery is how many input events a Runner handles between two
// snapshots unless configured otherwise.
const DefaultSnapshotEvery = 10000

// Header values the Runner writes. Frozen: part of the wire contract.
const (
	HeaderContentType   = "content-type"
	ContentTypeJSON     = "application/json"
	ContentTypeSnapshot = "application/x-candlewick-runner-snapshot"
	// HeaderSignalID carries a signal's ID on its record; it is the header
	// watermill uses for a message UUID, so that a watermill subscriber of the
	// signal stream sees the signal ID as the message UUID.
	HeaderSignalID = "_watermill_message_uuid"
	// SnapshotKey is the record key of the Runner's snapshots (its shard).
	SnapshotKey = "0"
)

// RunnerConfig configures [NewRunner]. Log and NewCore are required; every
// other field has a default, applied when it is the zero value.
type RunnerConfig struct {
	// Log holds the input, output, dead-letter and snapshot streams. The
	// Runner does not close it.
	Log eventlog.Log
	// NewCore returns a fresh Processor (usually engine.New with the run's
	// Config). The Runner calls it once, and once more when the latest
	// snapshot cannot be restored into the first one (taken with another
	// configuration, say): it then replays the input from the start, and
	// the exactly-once check keeps the signal stream free of duplicates.
	NewCore func() (Processor, error)
	// Input is the market stream; default events.StreamBars.
	Input string
	// Output is the signal stream; default events.StreamSignals.
	Output string
	// DeadLetter receives poison input; default events.StreamDeadLetter.
	DeadLetter string
	// Snapshots receives the Runner's snapshots; default
	// events.StreamSnapshots.
	Snapshots string
	// SnapshotEvery is the number of input events between snapshots; default
	// DefaultSnapshotEvery; negative means only at shutdown.
	SnapshotEvery int
	// Once makes Run stop (with a snapshot) after the last input event that
	// was in the stream when it started, instead of following the stream.
	Once bool
	// Logger receives lifecycle messages (Info) and dead letters (Warn); nil
	// discards them.
	Logger *slog.Logger
	// Clock stamps dead letters with the time they were rejected; default
	// time.Now. It is used for nothing else: signals carry event time only.
	Clock func() time.Time
}

// Validate reports every problem of c at once, or nil.
func (c RunnerConfig) Validate() error {
	var errs []error
	if c.Log == nil {
		errs = append(errs, errors.New("engine: RunnerConfig.Log is nil"))
	}
	if c.NewCore == nil {
		errs = append(errs, errors.New("engine: RunnerConfig.NewCore is nil"))
	}
	for _, s := range []struct{ field, name string }{
		{"Input", c.Input}, {"Output", c.Output}, {"DeadLetter", c.DeadLetter}, {"Snapshots", c.Snapshots},
	} {
		if s.name == "" {
			continue
		}
		if err := eventlog.ValidateStream(s.name); err != nil {
			errs = append(errs, fmt.Errorf("engine: RunnerConfig.%s: %w", s.field, err))
		}
	}
	return errors.Join(errs...)
}

func (c RunnerConfig) withDefaults() RunnerConfig {
	if c.Input == "" {
		c.Input = events.StreamBars
	}
	if c.Output == "" {
		c.Output = events.StreamSignals
	}
	if c.DeadLetter == "" {
		c.DeadLetter = events.StreamDeadLetter
	}
	if c.Snapshots == "" {
		c.Snapshots = events.StreamSnapshots
	}
	if c.SnapshotEvery == 0 {
		c.SnapshotEvery = DefaultSnapshotEvery
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c
}

// Metrics are a Runner's counters since it started. Safe to read while it
// runs.
type Metrics struct {
	EventsIn    int64 // input events handled (applied, or dead-lettered)
	SignalsOut  int64 // signals appended to the output stream
	DeadLetters int64 // input events appended to the dead-letter stream
	Suppressed  int64 // re-derived signals already in the output stream, not appended again
	Duplicates  int64 // dead letters already recorded by an earlier run, not appended again
	Panics      int64 // input events whose handling panicked (dead-lettered)
	Snapshots   int64 // snapshots appended
	Next        int64 // sequence number of the next input event to handle
}

// ErrRunnerUsed is returned by [Runner.Run] when called a second time.
var ErrRunnerUsed = errors.New("engine: Runner.Run called twice")

// Runner runs a Processor live over an event log: it restores the latest
// snapshot, replays the input stream after it, follows the stream, appends
// the signals it derives, dead-letters poison input and snapshots its state.
// After a crash, the next Run re-derives the signals after the snapshot and
// appends only those whose IDs are not in the output stream already, so the
// output has every signal exactly once (ARCHITECTURE.md, contract 5).
//
// Only Metrics is safe for concurrent use. Run may be called once.
type Runner struct {
	cfg    RunnerConfig
	logger *slog.Logger
	used   atomic.Bool

	core      Processor
	next      int64           // next input seq to handle
	ioCtx     context.Context // Run's ctx without its cancellation, for appends
	dirty     bool            // the core applied an event whose effects are not all recorded
	sinceSnap int
	lastSnap  int64 // r.next at the last snapshot taken or restored, -1 if none
	restored  runnerSnap
	// replayUntil is the highest input offset whose signals or dead letters
	// an earlier run appended after the restored snapshot (-1: none).
	replayUntil int64
	target      int64 // Once: last input seq to handle
	suppress    map[string]struct{}
	deadSeen    map[string]struct{}
	sigs        []events.Signal
	recs        []eventlog.Record
	buf         []byte
	bar         events.Bar
	dec         events.BarDecoder // reuses the symbols' strings: no allocation per bar
	deadPrefix  string
	// appendOut appends signal records to the output stream as one batch:
	// straight to the log, or through a watermill Publisher (runner_router.go).
	appendOut func(ctx context.Context, recs []eventlog.Record) error

	mu      sync.Mutex // guards metrics
	metrics Metrics
}

// NewRunner returns a Runner for cfg (defaults applied to its copy).
func NewRunner(cfg RunnerConfig) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Runner{
		cfg:        cfg,
		logger:     cfg.Logger.With("component", "engine.runner"),
		lastSnap:   -1,
		deadPrefix: cfg.Input + "@0:",
	}
	r.appendOut = func(ctx context.Context, recs []eventlog.Record) error {
		_, err := r.cfg.Log.Append(ctx, r.cfg.Output, recs)
		return err
	}
	return r, nil
}

// Metrics returns a copy of the counters.
func (r *Runner) Metrics() Metrics {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.metrics
}

func (r *Runner) count(f func(m *Metrics)) {
	r.mu.Lock()
	f(&r.metrics)
	r.metrics.Next = r.next
	r.mu.Unlock()
}

// errStop ends the drive loop when a Once run has handled its last event.
var errStop = errors.New("engine: once target reached")

// Run restores, replays and follows until ctx ends (or, with Once, until the
// input present at the start is handled), then snapshots and returns nil. It
// returns an error when the log fails (an append of signals, dead letters or
// a snapshot, or reading the input): the state is then not snapshotted, and
// the next Run recovers from the previous snapshot.
func (r *Runner) Run(ctx context.Context) error {
	if r.used.Swap(true) {
		return ErrRunnerUsed
	}
	// Made once: handle uses it for every event and must not allocate.
	r.ioCtx = context.WithoutCancel(ctx)
	if err := r.restore(ctx); err != nil {
		return err
	}
	r.target = -1
	if r.cfg.Once {
		last, err := r.cfg.Log.Last(ctx, r.cfg.Input)
		if err != nil {
			return fmt.Errorf("engine: runner: %w", err)
		}
		r.target = last
	}
	r.logger.InfoContext(ctx, "run starting", "input", r.cfg.Input, "from", r.next, "once", r.cfg.Once,
		"once_until", r.target, "known_signals", len(r.suppress))
	var err error
	if !r.cfg.Once || r.target >= r.next {
		err = r.drive(ctx)
	}
	if errors.Is(err, errStop) || (err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		err = nil
	}
	if err == nil && r.dirty {
		err = errors.New("engine: runner: stopped in the middle of an event")
	}
	if err != nil {
		return err
	}
	// Shutdown: ctx may be done, but the snapshot must still be written.
	if r.next != r.lastSnap {
		if err := r.snapshot(context.WithoutCancel(ctx)); err != nil {
			return err
		}
	}
	m := r.Metrics()
	r.logger.InfoContext(ctx, "run stopped", "events_in", m.EventsIn, "signals_out", m.SignalsOut,
		"dead_letters", m.DeadLetters, "suppressed", m.Suppressed, "panics", m.Panics,
		"snapshots", m.Snapshots, "next", m.Next)
	return nil
}

// handle handles the input event at seq. It returns an error only for a
// failure that must stop the run (the log failed); poison input is
// dead-lettered and the run goes on. Redelivered events (seq below the next
// expected) are ignored, so at-least-once delivery is safe.
func (r *Runner) handle(ctx context.Context, seq int64, key, value []byte) error {
	if seq < r.next {
		return nil
	}
	if r.target >= 0 && seq > r.target {
		return errStop
	}
	if seq != r.next {
		return fmt.Errorf("engine: runner: input %s jumped from %d to %d", r.cfg.Input, r.next, seq)
	}
	// Once the core has applied the event, its signals, dead letter and
	// position must all be recorded, or none of the event's effects may be
	// snapshotted: a cancelled ctx must not split it, so the appends use a
	// context that is not cancelled with it (the log's own failures still
	// stop the run, and then r.dirty forbids the shutdown snapshot).
	ctx = r.ioCtx
	pos := r.position(seq)
	r.dirty = true
	reason, panicked := r.apply(pos, value)
	if reason != "" {
		r.core.Skip(pos)
		if err := r.deadLetter(ctx, pos, key, value, reason); err != nil {
			return err
		}
	} else if err := r.publish(ctx); err != nil {
		return err
	}
	r.next = seq + 1
	r.dirty = false
	r.sinceSnap++
	r.count(func(m *Metrics) {
		m.EventsIn++
		if panicked {
			m.Panics++
		}
	})
	if r.cfg.SnapshotEvery > 0 && r.sinceSnap >= r.cfg.SnapshotEvery {
		if err := r.snapshot(ctx); err != nil {
			return err
		}
	}
	if r.target >= 0 && seq >= r.target {
		return errStop
	}
	return nil
}

// apply decodes value and applies it to the core, leaving the signals in
// r.sigs. It returns why the event is poison ("" when it is not), recovering
// a panic in the decoder, the core or a strategy as poison too: bad input is
// data, not a crash (ARCHITECTURE.md, contract 7).
func (r *Runner) apply(pos events.Position, value []byte) (reason string, panicked bool) {
	r.sigs = r.sigs[:0]
	defer func() {
		if v := recover(); v != nil {
			r.sigs = r.sigs[:0]
			reason, panicked = fmt.Sprintf("panic while handling the event: %v", v), true
		}
	}()
	if events.IsJSON(value) {
		b, err := events.DecodeBarJSON(value, false)
		if err != nil {
			return "decode: " + err.Error(), false
		}
		r.bar = b
	} else if err := r.dec.Decode(value, &r.bar); err != nil {
		return "decode: " + err.Error(), false
	}
	var err error
	r.sigs, err = r.core.Apply(pos, &r.bar, r.sigs)
	if err != nil {
		r.sigs = r.sigs[:0]
		return err.Error(), false
	}
	return "", false
}

// publish appends the signals of the last event that the output stream does
// not hold yet, as one batch.
func (r *Runner) publish(ctx context.Context) error {
	if len(r.sigs) == 0 {
		return nil
	}
	r.recs = r.recs[:0]
	r.buf = r.buf[:0]
	var suppressed int64
	type span struct{ a, b int }
	spans := make([]span, 0, len(r.sigs))
	for i := range r.sigs {
		s := &r.sigs[i]
		if _, ok := r.suppress[s.ID]; ok {
			suppressed++
			continue
		}
		a := len(r.buf)
		r.buf = s.AppendJSON(r.buf)
		spans = append(spans, span{a, len(r.buf)})
		r.recs = append(r.recs, eventlog.Record{
			Key: []byte(s.Symbol),
			Headers: []eventlog.Header{
				{Key: HeaderSignalID, Value: []byte(s.ID)},
				{Key: HeaderContentType, Value: []byte(ContentTypeJSON)},
			},
		})
	}
	for i := range r.recs {
		r.recs[i].Value = r.buf[spans[i].a:spans[i].b]
	}
	if len(r.recs) > 0 {
		if err := r.appendOut(ctx, r.recs); err != nil {
			return fmt.Errorf("engine: runner: append %d signals to %s: %w", len(r.recs), r.cfg.Output, err)
		}
	}
	n := int64(len(r.recs))
	r.count(func(m *Metrics) { m.SignalsOut += n; m.Suppressed += suppressed })
	return nil
}

// deadLetter records the poison event at pos, unless an earlier run did.
func (r *Runner) deadLetter(ctx context.Context, pos events.Position, key, value []byte, reason string) error {
	source := r.deadPrefix + strconv.FormatInt(pos.Offset, 10)
	if _, ok := r.deadSeen[source]; ok {
		r.count(func(m *Metrics) { m.Duplicates++ })
		return nil
	}
	r.logger.WarnContext(ctx, "dead letter", "source", source, "reason", reason)
	rec := eventlog.DeadLetterRecord(key, events.DeadLetter{
		Original: value, Reason: reason, Source: source, Time: r.cfg.Clock(),
	})
	if _, err := r.cfg.Log.Append(ctx, r.cfg.DeadLetter, []eventlog.Record{rec}); err != nil {
		return fmt.Errorf("engine: runner: append dead letter for %s: %w", source, err)
	}
	r.count(func(m *Metrics) { m.DeadLetters++ })
	return nil
}

// isDeadSource reports whether a dead letter's source is an event of the
// Runner's input stream.
func (r *Runner) isDeadSource(source string) bool { return strings.HasPrefix(source, r.deadPrefix) }

func (r *Runner) position(seq int64) events.Position {
	return events.Position{Stream: r.cfg.Input, Offset: seq}
}
