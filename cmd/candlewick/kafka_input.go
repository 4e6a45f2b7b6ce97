package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
)

// topicRangeFlags are the flags that select a range of a Kafka topic for
// the commands that read one (cat, signals, backtest, verify).
type topicRangeFlags struct {
	topic            string
	fromOff, toOff   int64
	fromTime, toTime string
}

// register adds --topic (default defaultTopic), --from-time and --to-time,
// and, when offsets is true, --from-offset and --to-offset (backtest has
// its own, shared with the embedded log).
func (f *topicRangeFlags) register(fs *flag.FlagSet, defaultTopic string, offsets bool) {
	fs.StringVar(&f.topic, "topic", defaultTopic, "with --brokers: the topic to read")
	f.registerRange(fs, offsets)
}

// registerRange is register without --topic (for cat, whose topic is its
// argument).
func (f *topicRangeFlags) registerRange(fs *flag.FlagSet, offsets bool) {
	if offsets {
		fs.Int64Var(&f.fromOff, "from-offset", 0, "with --brokers: first offset to read, in every partition")
		fs.Int64Var(&f.toOff, "to-offset", 0, "with --brokers: offset to stop before, in every partition (0: the end)")
	}
	fs.StringVar(&f.fromTime, "from-time", "", "with --brokers: only events at or after this event time (RFC 3339)")
	fs.StringVar(&f.toTime, "to-time", "", "with --brokers: only events before this event time (RFC 3339)")
}

// topicRange is a validated range of a topic: offsets [from, to) in every
// partition (to <= 0: the end each partition had when the read started),
// then event times [fromTime, toTime) (zero: unbounded).
type topicRange struct {
	topic            string
	from, to         int64
	fromTime, toTime time.Time
}

// resolve validates the flags; every problem is reported, as a usage error.
func (f *topicRangeFlags) resolve() (topicRange, error) {
	r := topicRange{topic: f.topic, from: f.fromOff, to: f.toOff}
	var errs []error
	if err := eventlog.ValidateStream(f.topic); err != nil {
		errs = append(errs, fmt.Errorf("--topic: %w", err))
	}
	if f.fromOff < 0 || f.toOff < 0 {
		errs = append(errs, errors.New("--from-offset and --to-offset must not be negative"))
	}
	if f.toOff > 0 && f.toOff <= f.fromOff {
		errs = append(errs, fmt.Errorf("--to-offset %d is not after --from-offset %d", f.toOff, f.fromOff))
	}
	var err error
	if r.fromTime, err = parseTimeFlag(f.fromTime); err != nil {
		errs = append(errs, fmt.Errorf("--from-time: %w", err))
	}
	if r.toTime, err = parseTimeFlag(f.toTime); err != nil {
		errs = append(errs, fmt.Errorf("--to-time: %w", err))
	}
	if !r.fromTime.IsZero() && !r.toTime.IsZero() && !r.toTime.After(r.fromTime) {
		errs = append(errs, fmt.Errorf("--to-time %s is not after --from-time %s",
			r.toTime.Format(time.RFC3339), r.fromTime.Format(time.RFC3339)))
	}
	if len(errs) > 0 {
		return r, usageError{errors.Join(errs...).Error()}
	}
	return r, nil
}

// topicRecord is one record of a topic read by [readTopic].
type topicRecord struct {
	partition int32
	time      time.Time       // event time (see eventTimeFunc)
	rec       eventlog.Record // owned; rec.Seq is the offset in the partition
}

// eventTimeFunc returns the event time of a record of one kind of stream,
// and false when the record cannot be decoded.
type eventTimeFunc func(eventlog.Record) (time.Time, bool)

// eventTimeOf returns the event time that orders the records of stream:
// a bar's open time (as the file importers and FileSource order bars), a
// trade's time, a signal's time (the close of the bar that caused it), a
// dead letter's rejection time.
func eventTimeOf(stream string) eventTimeFunc {
	switch stream {
	case events.StreamSignals:
		return func(r eventlog.Record) (time.Time, bool) {
			s, err := decodeSignal(r.Value)
			return s.Time, err == nil
		}
	case events.StreamDeadLetter:
		return func(r eventlog.Record) (time.Time, bool) {
			d := eventlog.DeadLetterOf(r)
			return d.Time, !d.Time.IsZero()
		}
	case events.StreamTrades:
		return func(r eventlog.Record) (time.Time, bool) {
			var t events.Trade
			var err error
			if events.IsJSON(r.Value) {
				t, err = events.DecodeTradeJSON(r.Value, false)
			} else {
				err = events.DecodeTrade(r.Value, &t)
			}
			return t.Time, err == nil
		}
	}
	// Bars, and any other topic of bars (--topic): the market streams.
	return func(r eventlog.Record) (time.Time, bool) {
		b, err := decodeBar(r.Value)
		return b.OpenTime, err == nil
	}
}

func decodeBar(v []byte) (events.Bar, error) {
	if events.IsJSON(v) {
		return events.DecodeBarJSON(v, false)
	}
	var b events.Bar
	err := events.DecodeBar(v, &b)
	return b, err
}

func decodeSignal(v []byte) (events.Signal, error) {
	if events.IsJSON(v) {
		return events.DecodeSignalJSON(v, false)
	}
	var s events.Signal
	err := events.DecodeSignal(v, &s)
	return s, err
}

// readTopic reads rng from every partition of its topic and merges the
// partitions deterministically: by event time (timeOf), then partition,
// then offset. Within a partition whose records are in event-time order
// (as every Candlewick producer writes them) that is the partition's own
// order; records whose time cannot be decoded take the time of the record
// before them in their partition, so they stay where they were. The upper
// end of each partition is its high watermark when the read starts:
// records appended during the read are not included.
//
// The whole range is held in memory (backtest and verify need it so);
// bound big topics with offsets or times.
func readTopic(ctx context.Context, cfg kafka.Config, rng topicRange, timeOf eventTimeFunc) (topicRead, error) {
	var res topicRead
	descs, err := kafka.DescribeTopics(ctx, cfg, []string{rng.topic})
	if err != nil {
		return res, err
	}
	if len(descs) != 1 {
		return res, fmt.Errorf("topic %s: not found", rng.topic)
	}
	log, err := kafka.Open(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer log.Close()
	for _, pd := range descs[0].Partitions {
		res.ends = append(res.ends, pd.End)
		start, end := max(rng.from, pd.Start), pd.End
		if rng.to > 0 {
			end = min(end, rng.to)
		}
		if start >= end {
			continue
		}
		err := readPartition(ctx, log.Partition(int32(pd.ID)), rng, int32(pd.ID), start, end, timeOf, &res.recs)
		if err != nil {
			return res, fmt.Errorf("read %s partition %d from offset %d: %w", rng.topic, pd.ID, start, err)
		}
	}
	slices.SortStableFunc(res.recs, func(a, b topicRecord) int {
		return cmp.Or(a.time.Compare(b.time), cmp.Compare(a.partition, b.partition), cmp.Compare(a.rec.Seq, b.rec.Seq))
	})
	return res, nil
}

// topicRead is what readTopic read.
type topicRead struct {
	recs []topicRecord // merged
	ends []int64       // by partition: the end offset when the read started
}

// inTime reports whether event time t is within rng's time bounds.
func (rng topicRange) inTime(t time.Time) bool {
	return (rng.fromTime.IsZero() || !t.Before(rng.fromTime)) && (rng.toTime.IsZero() || t.Before(rng.toTime))
}

// followTopic calls fn for every record appended to any partition p of
// topic at or after offset from[p] (partitions added later are not
// followed), until ctx ends (returning nil), fn fails or reading fails.
// Calls of fn are serialised; across partitions they come in arrival
// order, which is not deterministic (within a partition it is the
// partition's order).
func followTopic(ctx context.Context, cfg kafka.Config, topic string, from []int64, fn func(p int32, r eventlog.Record) error) error {
	log, err := kafka.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer log.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex // serialises fn
		wg   sync.WaitGroup
		errs = make([]error, len(from))
	)
	for p := range from {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := log.Partition(int32(p)).Follow(ctx, topic, from[p], func(r eventlog.Record) error {
				mu.Lock()
				defer mu.Unlock()
				return fn(int32(p), r)
			})
			if err != nil && ctx.Err() == nil {
				errs[p] = fmt.Errorf("follow %s partition %d: %w", topic, p, err)
				cancel() // one failure stops every partition
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// readPartition appends the records of offsets [start, end) of one
// partition that pass rng's time bounds to out.
func readPartition(ctx context.Context, l eventlog.Log, rng topicRange, p int32, start, end int64,
	timeOf eventTimeFunc, out *[]topicRecord) error {
	it, err := l.Read(ctx, rng.topic, start)
	if err != nil {
		return err
	}
	defer it.Close()
	var last time.Time
	n := 0
	for it.Next() {
		r := it.Record()
		if r.Seq >= end {
			break
		}
		n++
		t, ok := timeOf(r)
		if !ok {
			t = last
		}
		last = t
		if n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !rng.inTime(t) {
			continue
		}
		*out = append(*out, topicRecord{partition: p, time: t, rec: r.Clone()})
	}
	return it.Close()
}

// kafkaBarSource is a backtest.Source over a range of a Kafka topic of
// bars: the bars in readTopic's merged order, each at its position
// topic@partition:offset, so that signal IDs and sources match a live run's.
type kafkaBarSource struct {
	cfg kafka.Config
	rng topicRange
}

func (s *kafkaBarSource) Load(ctx context.Context) (backtest.Input, error) {
	in := backtest.Input{Stream: s.rng.topic}
	read, err := readTopic(ctx, s.cfg, s.rng, eventTimeOf(events.StreamBars))
	if err != nil {
		return in, err
	}
	in.Bars = make([]events.Bar, 0, len(read.recs))
	in.Positions = make([]events.Position, 0, len(read.recs))
	for _, r := range read.recs {
		b, err := decodeBar(r.rec.Value)
		if err != nil {
			in.Skipped++ // the engine dead-letters these; a backtest skips them
			continue
		}
		in.Bars = append(in.Bars, b)
		in.Positions = append(in.Positions, events.Position{Stream: s.rng.topic, Partition: r.partition, Offset: r.rec.Seq})
	}
	return in, nil
}

// loadedSource is a backtest.Source of an Input already in memory.
type loadedSource struct{ in backtest.Input }

func (s loadedSource) Load(context.Context) (backtest.Input, error) { return s.in, nil }

// orderLikeReplay returns recorded in the order a replay of in emits them:
// by the index in in of each signal's source position, ties (signals of
// one input) in recorded order. The signals of a live Kafka run come from
// one engine shard per partition and are merged by time; a replay of the
// merged market range emits each partition's signals in the same order but
// interleaves partitions by input, so this is the order to compare in.
// Signals whose source is on in's topic but outside the range read are
// left out and counted in skipped: they cannot be reproduced from the
// range. Signals from any other source are kept, at the end (they diverge).
func orderLikeReplay(in backtest.Input, recorded []events.Signal) (out []events.Signal, skipped int) {
	type pk struct {
		p int32
		o int64
	}
	index := make(map[pk]int, len(in.Positions))
	for i, pos := range in.Positions {
		index[pk{pos.Partition, pos.Offset}] = i
	}
	type keyed struct {
		i int
		s events.Signal
	}
	ks := make([]keyed, 0, len(recorded))
	for _, s := range recorded {
		i, ok := index[pk{s.Source.Partition, s.Source.Offset}]
		switch {
		case ok && s.Source.Stream == in.Stream:
		case s.Source.Stream == in.Stream:
			skipped++
			continue
		default:
			i = len(in.Positions)
		}
		ks = append(ks, keyed{i, s})
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return cmp.Compare(a.i, b.i) })
	out = make([]events.Signal, len(ks))
	for i, k := range ks {
		out[i] = k.s
	}
	return out, skipped
}
