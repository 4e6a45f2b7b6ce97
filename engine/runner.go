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
	// SnapshotKey is the record key of the snapshots of a Runner of
	// partition 0 (the embedded log's only one); a Runner of partition p keys
	// its snapshots with p in decimal, so that a compacted snapshot topic
	// keeps the latest one of every partition.
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
	// The Runner encodes each Apply's signals before the next Apply, so a
	// Processor that can reuse signal memory (a *Core: see
	// [Core.ReuseSignalMemory]) is switched to it.
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
	// Partition is the partition of Input that Log holds (a Kafka
	// partition view; 0 on the embedded log). It goes into every position
	// the Runner hands the Processor (and so into signal IDs and sources),
	// into dead-letter sources ("stream@p:offset") and into the key of its
	// snapshot records. Default 0.
	Partition int32
	// OnSnapshot, when set, is called with the input position a snapshot
	// resumes from (the next input sequence number) once the snapshot
	// record was appended, before the run goes on: after every snapshot the
	// Runner appends, and after restoring one (it is durable already, and a
	// hook that commits consumer offsets may have missed it when the
	// previous run crashed). Everything the snapshot accounts for (signals,
	// dead letters) was appended before it. An error stops the run: Run
	// returns it. The Kafka consumer group commits offsets here, so that an
	// offset is committed only after the signals and snapshot it depends
	// on are written.
	OnSnapshot func(ctx context.Context, next int64) error
	// Direct makes the Runner follow Input with Log.Follow on Run's own
	// goroutine, instead of through a watermill Router and Subscriber (see
	// drive). The handling and the output are the same, byte for byte; what
	// goes is a goroutine, a message copy and an acknowledgement round per
	// input event, which cap the Router at tens of thousands of events per
	// second per Runner. The Kafka consumer group uses it: its broker round
	// trips leave no room for that overhead. Default false.
	Direct bool
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
	if c.Partition < 0 {
		errs = append(errs, fmt.Errorf("engine: RunnerConfig.Partition %d is negative", c.Partition))
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
	out         *outWriter // the output writer while drive runs
	direct      sigBatch   // the batch publish appends itself without a writer
	bar         events.Bar
	dec         events.BarDecoder // reuses the symbols' strings: no allocation per bar
	deadPrefix  string
	snapKey     []byte // record key of the snapshots: the partition number
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
		deadPrefix: cfg.Input + "@" + strconv.FormatInt(int64(cfg.Partition), 10) + ":",
		snapKey:    strconv.AppendInt(nil, int64(cfg.Partition), 10),
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
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			// Shut down while restoring: a requested shutdown, not a
			// failure. Nothing was handled, and a half-restored state must
			// not be snapshotted: the next Run restores again.
			return nil
		}
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
	var err error
	if events.IsJSON(value) {
		err = r.dec.DecodeJSON(value, false, &r.bar)
	} else {
		err = r.dec.Decode(value, &r.bar)
	}
	if err != nil {
		return "decode: " + err.Error(), false
	}
	r.sigs, err = r.core.Apply(pos, &r.bar, r.sigs)
	if err != nil {
		r.sigs = r.sigs[:0]
		return err.Error(), false
	}
	return "", false
}

// publish hands the signals of the last event that the output stream does
// not hold yet to the output writer (see outWriter), which appends them
// in order, batched with those of the events handled while an append is in
// flight. Without a writer (before drive starts it) it appends them itself.
func (r *Runner) publish(ctx context.Context) error {
	if len(r.sigs) == 0 {
		return nil
	}
	w := r.out
	batch := &r.direct
	if w == nil {
		batch.reset()
	} else {
		w.mu.Lock()
		defer w.mu.Unlock()
		// Back-pressure: a slow log must not let pending signals grow
		// without bound.
		for w.err == nil && len(w.pend.recs) >= maxPendingSignals {
			w.cond.Wait()
		}
		if w.err != nil {
			return w.err
		}
		batch = &w.pend
	}
	var suppressed int64
	for i := range r.sigs {
		s := &r.sigs[i]
		if _, ok := r.suppress[s.ID]; ok {
			suppressed++
			continue
		}
		batch.add(s)
	}
	if suppressed > 0 {
		r.count(func(m *Metrics) { m.Suppressed += suppressed })
	}
	if w == nil {
		return r.writeBatch(ctx, batch)
	}
	w.cond.Broadcast()
	return nil
}

// maxPendingSignals bounds the signal records waiting for the output
// writer.
const maxPendingSignals = 4096

// sigBatch is a batch of signal records and the bytes they point into.
type sigBatch struct {
	recs  []eventlog.Record
	buf   []byte
	spans []int // end offset in buf of each record's value
}

func (b *sigBatch) reset() { b.recs, b.buf, b.spans = b.recs[:0], b.buf[:0], b.spans[:0] }

func (b *sigBatch) add(s *events.Signal) {
	b.buf = s.AppendJSON(b.buf)
	b.spans = append(b.spans, len(b.buf))
	b.recs = append(b.recs, eventlog.Record{
		Key: []byte(s.Symbol),
		Headers: []eventlog.Header{
			{Key: HeaderSignalID, Value: []byte(s.ID)},
			{Key: HeaderContentType, Value: []byte(ContentTypeJSON)},
		},
	})
}

// maxAppendBytes bounds the bytes of signal values in one append: a Kafka
// broker rejects a record batch over its max.message.bytes (1 MiB by
// default), and a burst of events handled while an append was in flight
// can gather more than that.
const maxAppendBytes = 256 << 10

// writeBatch appends b's records to the output stream, in order, in as few
// appends as maxAppendBytes allows. After a failed append it appends no
// more.
func (r *Runner) writeBatch(ctx context.Context, b *sigBatch) error {
	if len(b.recs) == 0 {
		return nil
	}
	// buf may have moved while the batch grew: point the values into it now.
	start := 0
	for i := range b.recs {
		b.recs[i].Value = b.buf[start:b.spans[i]:b.spans[i]]
		start = b.spans[i]
	}
	for first := 0; first < len(b.recs); {
		last, size := first, 0
		for last < len(b.recs) && (last == first || size+len(b.recs[last].Value) <= maxAppendBytes) {
			size += len(b.recs[last].Value)
			last++
		}
		if err := r.appendOut(ctx, b.recs[first:last]); err != nil {
			return fmt.Errorf("engine: runner: append %d signals to %s: %w", last-first, r.cfg.Output, err)
		}
		n := int64(last - first)
		r.mu.Lock()
		r.metrics.SignalsOut += n
		r.mu.Unlock()
		first = last
	}
	return nil
}

// outWriter appends signal records to the output stream on a goroutine of
// its own, in the order they were handed over: while one append is in
// flight, the signals of the events handled meanwhile gather into the next
// batch (group commit). The run does not wait for the log per event, and a
// burst of events costs one append, not one per event; yet a signal is
// appended as soon as the append before it is done, which keeps the
// event-to-signal latency at about one append.
//
// Exactly-once is unchanged: a snapshot is taken only after flush (every
// signal of the events before it is in the log); a crash loses at most
// pending signals of events after the last snapshot, which the next run
// re-derives. After a failed append the writer appends nothing more (a
// later batch must not overtake the failed one) and every call returns the
// error.
type outWriter struct {
	r *Runner

	mu       sync.Mutex // guards everything below
	cond     *sync.Cond // signalled on every change
	pend     sigBatch   // records waiting for the next append
	spare    sigBatch   // the previous batch, reused
	inFlight bool
	closing  bool
	err      error
	done     chan struct{}
}

func (r *Runner) startWriter() {
	w := &outWriter{r: r, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	r.out = w
	go w.run()
}

func (w *outWriter) run() {
	defer close(w.done)
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for w.err == nil && len(w.pend.recs) == 0 && !w.closing {
			w.cond.Wait()
		}
		if w.err != nil || len(w.pend.recs) == 0 {
			return // failed, or closing with nothing left
		}
		batch := w.pend
		w.pend = w.spare
		w.pend.reset()
		w.inFlight = true
		w.cond.Broadcast() // room for the producer again
		w.mu.Unlock()
		err := w.r.writeBatch(w.r.ioCtx, &batch)
		w.mu.Lock()
		w.inFlight = false
		w.spare = batch
		if err != nil {
			w.err = err
		}
		w.cond.Broadcast()
	}
}

// flush waits until every handed-over record is appended, and returns the
// writer's error.
func (w *outWriter) flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.err == nil && (len(w.pend.recs) > 0 || w.inFlight) {
		w.cond.Wait()
	}
	return w.err
}

// stop flushes, ends the goroutine and returns the writer's error.
func (w *outWriter) stop() error {
	err := w.flush()
	w.mu.Lock()
	w.closing = true
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.done
	return err
}

// flushOut waits for the output writer, if any, to append everything.
func (r *Runner) flushOut() error {
	if r.out == nil {
		return nil
	}
	return r.out.flush()
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
	return events.Position{Stream: r.cfg.Input, Partition: r.cfg.Partition, Offset: seq}
}
