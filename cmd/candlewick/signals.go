package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

func cmdSignals(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "signals", "[flags]", `
Print the signal stream (signals.v1) of the embedded event log as JSON lines, one
signal per line in the order they were appended, optionally filtered by symbol,
strategy and the close time of the bar that caused them. With --follow, keep
printing new signals until interrupted.

Times are RFC 3339 (2024-01-02T15:04:05Z) or dates (2024-01-02, UTC midnight);
--since is inclusive, --until exclusive.

With --brokers, read the signal topic (--topic, default signals.v1) of a Kafka
cluster instead: every partition, from --from-offset to --to-offset in each (or
by event time with --from-time and --to-time), merged by signal time, then
partition, then offset, and printed in the same format. With --follow, new
signals of all partitions are printed as they arrive.`)
	dataDir := dataDirFlag(fs)
	ko := kafkaFlags(fs)
	var rf topicRangeFlags
	rf.register(fs, events.StreamSignals, true)
	symbol := fs.String("symbol", "", "only signals of this symbol")
	strategy := fs.String("strategy", "", "only signals of this strategy instance")
	since := fs.String("since", "", "only signals at or after this time")
	until := fs.String("until", "", "only signals before this time")
	follow := fs.Bool("follow", false, "wait for and print new signals until interrupted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	f := signalFilter{symbol: *symbol, strategy: *strategy}
	var errs []error
	var err error
	if f.since, err = parseTimeFlag(*since); err != nil {
		errs = append(errs, fmt.Errorf("--since: %w", err))
	}
	if f.until, err = parseTimeFlag(*until); err != nil {
		errs = append(errs, fmt.Errorf("--until: %w", err))
	}
	if len(errs) > 0 {
		return usageError{errors.Join(errs...).Error()}
	}
	if ko.Enabled() {
		return kafkaSignals(ctx, sio, ko, &rf, f, *follow)
	}
	log, err := openLog(*dataDir)
	if err != nil {
		return err
	}
	defer log.Close()

	out := bufio.NewWriterSize(sio.out, 64<<10)
	print := func(r eventlog.Record) error {
		line, ok, err := f.line(r)
		if err != nil {
			return fmt.Errorf("%s record %d: %w", events.StreamSignals, r.Seq, err)
		}
		if !ok {
			return nil
		}
		_, err = out.Write(append(line, '\n'))
		return err
	}
	if *follow {
		err = log.Follow(ctx, events.StreamSignals, 0, func(r eventlog.Record) error {
			if err := print(r); err != nil {
				return err
			}
			return out.Flush()
		})
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return errors.Join(err, out.Flush())
	}
	it, err := log.Read(ctx, events.StreamSignals, 0)
	if err != nil {
		return err
	}
	for it.Next() {
		if err := print(it.Record()); err != nil {
			it.Close()
			return err
		}
	}
	return errors.Join(it.Close(), out.Flush())
}

// signalFilter selects signals; zero fields select everything.
type signalFilter struct {
	symbol, strategy string
	since, until     time.Time
}

// line decodes r and returns its JSON line when it passes the filter.
func (f signalFilter) line(r eventlog.Record) ([]byte, bool, error) {
	var s events.Signal
	var err error
	if events.IsJSON(r.Value) {
		s, err = events.DecodeSignalJSON(r.Value, false)
	} else {
		err = events.DecodeSignal(r.Value, &s)
	}
	if err != nil {
		return nil, false, err
	}
	if (f.symbol != "" && s.Symbol != f.symbol) || (f.strategy != "" && s.Strategy != f.strategy) ||
		(!f.since.IsZero() && s.Time.Before(f.since)) || (!f.until.IsZero() && !s.Time.Before(f.until)) {
		return nil, false, nil
	}
	return s.AppendJSON(nil), true, nil
}

// parseTimeFlag parses RFC 3339 or a date (UTC); "" is the zero time.
func parseTimeFlag(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: want RFC 3339 (2024-01-02T15:04:05Z) or a date (2024-01-02)", s)
}
