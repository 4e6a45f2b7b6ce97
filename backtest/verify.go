package backtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

// Errors of the parity and look-ahead checks, sweeps and walk-forward.
// Match them with errors.Is.
var (
	// ErrSignalStream is matched by the error ReadSignalsJSONL and
	// ReadSignalsLog return for a recorded signal that cannot be decoded.
	ErrSignalStream = errors.New("backtest: bad recorded signal")
	// ErrNoMarket is returned by Verify and CheckLookahead when they are
	// given no market input.
	ErrNoMarket = errors.New("backtest: no market input")
	// ErrGrid is matched by the errors ParseGrid returns for a bad --sweep
	// value, and by Sweep and WalkForward for an axis no strategy declares.
	ErrGrid = errors.New("backtest: bad sweep grid")
	// ErrRank is matched by the errors of Rank, MetricValue and WalkForward
	// for an unknown metric.
	ErrRank = errors.New("backtest: unknown rank metric")
	// ErrWalkForward is matched by the errors ParseWalkForward returns for a
	// bad --walk-forward value, and by WalkForward when the data does not
	// hold one training window plus some test data.
	ErrWalkForward = errors.New("backtest: bad walk-forward")
)

// VerifyConfig configures [Verify].
type VerifyConfig struct {
	// Engine is the configuration of the recorded run (strategies,
	// parameters, symbols, indicator settings, provisional evaluation).
	Engine engine.Config
	// Market is the market stream to replay ([*LogSource] for a live run's
	// data directory; a [*FileSource] gives positions in its own "files"
	// stream, so set the Stream of its Input to that of the run's market
	// stream, see [InputSource]). Required.
	Market Source
	// Recorded is the signal stream to compare with, in the order it was
	// appended (see [ReadSignalsLog] and [ReadSignalsJSONL]).
	Recorded []events.Signal
}

// VerifyResult is what [Verify] found.
type VerifyResult struct {
	Inputs   int64 // market bars replayed
	Skipped  int64 // records that could not be decoded, and bars the engine rejected
	Replayed int   // signals the replay emitted (up to the divergence, if any)
	Recorded int   // signals recorded
	// Divergence is the first difference between the streams, or nil when
	// they are identical.
	Divergence *Divergence
}

// Divergence is the first place where a replay and a recorded signal stream
// differ: the Index-th signal of both streams. When the two signals come
// from different inputs, only the one from the earlier input is set (the
// other stream has no signal there); when they come from the same input,
// both are set and differ.
type Divergence struct {
	Index    int             // index in both signal streams
	Pos      events.Position // the input that caused the offending signal
	Replayed *events.Signal  // what the replay emitted there, or nil
	Recorded *events.Signal  // what was recorded there, or nil
	// Bar is the input bar at Pos as the replay saw it, when the replay got
	// that far; nil otherwise.
	Bar *events.Bar
	// LastMatch is the position of the input that caused the last signal
	// both streams agree on, and false when they agree on none.
	LastMatch    events.Position
	HasLastMatch bool
}

// String describes the divergence on several lines: the position, the bar,
// both signals as JSON and the indicator values each saw.
func (d *Divergence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "first divergence at signal %d, caused by input %s\n", d.Index, formatPos(d.Pos))
	if d.HasLastMatch {
		fmt.Fprintf(&b, "last agreeing signal caused by input %s\n", formatPos(d.LastMatch))
	} else {
		b.WriteString("no signal agrees before it\n")
	}
	if d.Bar != nil {
		fmt.Fprintf(&b, "input bar: %s\n", d.Bar.AppendJSON(nil))
	}
	side := func(name string, s *events.Signal) {
		if s == nil {
			fmt.Fprintf(&b, "%s: (no signal)\n", name)
			return
		}
		fmt.Fprintf(&b, "%s: %s\n", name, s.AppendJSON(nil))
		fmt.Fprintf(&b, "%s indicators:", name)
		if len(s.Indicators) == 0 {
			b.WriteString(" (none)")
		}
		for _, v := range s.Indicators {
			fmt.Fprintf(&b, " %s=%v", v.Name, v.Value)
		}
		b.WriteByte('\n')
	}
	side("replayed", d.Replayed)
	side("recorded", d.Recorded)
	return b.String()
}

func formatPos(p events.Position) string {
	return fmt.Sprintf("%s@%d:%d", p.Stream, p.Partition, p.Offset)
}

// posLess orders positions of one stream.
func posLess(a, b events.Position) bool {
	if a.Partition != b.Partition {
		return a.Partition < b.Partition
	}
	return a.Offset < b.Offset
}

// Verify replays cfg.Market through an [engine.Core] built from cfg.Engine,
// as the live runner does (events that cannot be decoded or that the engine
// rejects are skipped), and compares the signals, byte for byte in their
// JSON form, with cfg.Recorded. It stops at the first divergence. It returns
// an error only when the check could not be done (a bad config matching
// engine.ErrConfig, a read error, ctx ending); a divergence is a result.
func Verify(ctx context.Context, cfg VerifyConfig) (VerifyResult, error) {
	res := VerifyResult{Recorded: len(cfg.Recorded)}
	if cfg.Market == nil {
		return res, ErrNoMarket
	}
	core, err := engine.New(cfg.Engine)
	if err != nil {
		return res, err
	}
	market, err := cfg.Market.Load(ctx)
	if err != nil {
		return res, err
	}
	res.Skipped = int64(market.Skipped)
	want := make([][]byte, len(cfg.Recorded))
	for i := range cfg.Recorded {
		want[i] = cfg.Recorded[i].AppendJSON(nil)
	}
	var (
		sigs []events.Signal
		got  []byte
		k    int // next recorded signal to match
		last events.Position
		has  bool
	)
	diverge := func(d *Divergence) {
		d.Index, d.LastMatch, d.HasLastMatch = k, last, has
		res.Divergence = d
	}
	for i := range market.Bars {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		res.Inputs++
		pos := market.pos(i)
		// Signals recorded for an input before this one that the replay
		// did not emit.
		if k < len(want) && posLess(cfg.Recorded[k].Source, pos) {
			diverge(&Divergence{Pos: cfg.Recorded[k].Source, Recorded: &cfg.Recorded[k]})
			return res, nil
		}
		sigs, err = core.Apply(pos, &market.Bars[i], sigs[:0])
		if err != nil {
			if errors.Is(err, engine.ErrRejected) {
				// The live runner dead-letters it and goes on.
				res.Skipped++
				core.Skip(pos)
				continue
			}
			return res, fmt.Errorf("apply %s: %w", formatPos(pos), err)
		}
		for i := range sigs {
			s := &sigs[i]
			got = s.AppendJSON(got[:0])
			if k < len(want) && bytes.Equal(got, want[k]) {
				k++
				res.Replayed++
				last, has = s.Source, true
				continue
			}
			bar := market.Bars[i]
			rep := *s
			d := &Divergence{Pos: s.Source, Replayed: &rep, Bar: &bar}
			if k < len(want) && !posLess(s.Source, cfg.Recorded[k].Source) {
				d.Recorded = &cfg.Recorded[k]
			}
			diverge(d)
			return res, nil
		}
	}
	if k < len(want) {
		diverge(&Divergence{Pos: cfg.Recorded[k].Source, Recorded: &cfg.Recorded[k]})
	}
	return res, nil
}

// ReadSignalsLog reads every signal of stream (usually events.StreamSignals)
// of log, in order. A record that is not a signal gives an error matching
// [ErrSignalStream].
func ReadSignalsLog(ctx context.Context, log eventlog.Log, stream string) ([]events.Signal, error) {
	it, err := log.Read(ctx, stream, 0)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", stream, err)
	}
	defer it.Close()
	var out []events.Signal
	for it.Next() {
		r := it.Record()
		var s events.Signal
		if events.IsJSON(r.Value) {
			s, err = events.DecodeSignalJSON(r.Value, false)
		} else {
			err = events.DecodeSignal(r.Value, &s)
		}
		if err != nil {
			return out, fmt.Errorf("%w: %s record %d: %w", ErrSignalStream, stream, r.Seq, err)
		}
		out = append(out, s)
	}
	if err := it.Close(); err != nil {
		return out, fmt.Errorf("read %s: %w", stream, err)
	}
	return out, nil
}

// ReadSignalsJSONL reads signals, one JSON object a line (blank lines are
// skipped), as `candlewick signals` prints them and backtests write
// signals.jsonl. A line that is not a signal gives an error matching
// [ErrSignalStream] that names the line.
func ReadSignalsJSONL(r io.Reader) ([]events.Signal, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var out []events.Signal
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		s, err := events.DecodeSignalJSON(b, false)
		if err != nil {
			return out, fmt.Errorf("%w: line %d: %w", ErrSignalStream, line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read signals: %w", err)
	}
	return out, nil
}

// InputSource is a [Source] that returns Input as is: a range loaded once
// and checked or replayed several times, or one whose Stream was renamed.
type InputSource struct{ Input Input }

// Load returns s.Input.
func (s *InputSource) Load(context.Context) (Input, error) { return s.Input, nil }
