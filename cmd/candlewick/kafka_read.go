package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
)

// The --brokers paths of the commands that read topics: signals, cat and
// verify (backtest needs only kafkaBarSource). Each reads its range with
// readTopic and then prints or compares exactly as for the embedded log.

// kafkaSignals is 'candlewick signals --brokers'.
func kafkaSignals(ctx context.Context, sio stdio, ko *kafkaOptions, rf *topicRangeFlags, f signalFilter, follow bool) error {
	cfg, err := kafkaConfigLogged(ko, nil)
	if err != nil {
		return err
	}
	rng, err := rf.resolve()
	if err != nil {
		return err
	}
	read, err := readTopic(ctx, cfg, rng, eventTimeOf(events.StreamSignals))
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(sio.out, 64<<10)
	print := func(p int32, r eventlog.Record) error {
		line, ok, err := f.line(r)
		if err != nil {
			return fmt.Errorf("%s partition %d offset %d: %w", rng.topic, p, r.Seq, err)
		}
		if !ok {
			return nil
		}
		_, err = out.Write(append(line, '\n'))
		return err
	}
	return printTopic(ctx, cfg, rng, read, eventTimeOf(events.StreamSignals), follow, out, print)
}

// kafkaCat is 'candlewick cat --brokers': stream is the topic. With seq,
// each line starts with partition:offset and a tab.
func kafkaCat(ctx context.Context, sio stdio, ko *kafkaOptions, rf *topicRangeFlags, stream string, follow, seq bool) error {
	cfg, err := kafkaConfigLogged(ko, nil)
	if err != nil {
		return err
	}
	rf.topic = stream
	rng, err := rf.resolve()
	if err != nil {
		return err
	}
	timeOf := eventTimeOf(stream)
	read, err := readTopic(ctx, cfg, rng, timeOf)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(sio.out, 64<<10)
	pr := printer{dead: stream == events.StreamDeadLetter}
	var prefix []byte
	print := func(p int32, r eventlog.Record) error {
		if seq {
			prefix = strconv.AppendInt(prefix[:0], int64(p), 10)
			prefix = append(prefix, ':')
			prefix = strconv.AppendInt(prefix, r.Seq, 10)
			prefix = append(prefix, '\t')
			if _, err := out.Write(prefix); err != nil {
				return err
			}
		}
		if err := pr.print(out, r); err != nil {
			return fmt.Errorf("%s partition %d: %w", rng.topic, p, err)
		}
		return nil
	}
	return printTopic(ctx, cfg, rng, read, timeOf, follow, out, print)
}

// printTopic prints the records read, then, with follow, those appended
// later within rng, flushing after each, until ctx ends.
func printTopic(ctx context.Context, cfg kafka.Config, rng topicRange, read topicRead, timeOf eventTimeFunc,
	follow bool, out *bufio.Writer, print func(int32, eventlog.Record) error) error {
	for _, r := range read.recs {
		if err := print(r.partition, r.rec); err != nil {
			return errors.Join(err, out.Flush())
		}
	}
	if err := out.Flush(); err != nil || !follow {
		return err
	}
	err := followTopic(ctx, cfg, rng.topic, read.ends, func(p int32, r eventlog.Record) error {
		if t, ok := timeOf(r); (rng.to > 0 && r.Seq >= rng.to) || (ok && !rng.inTime(t)) {
			return nil
		}
		if err := print(p, r); err != nil {
			return err
		}
		return out.Flush()
	})
	return errors.Join(err, out.Flush())
}

// kafkaVerifyInputs returns verify's market source and recorded signals
// for --brokers: the market range of rf, and the signals of signalsPath
// (a JSONL file) or else of signalsTopic, in the order a replay emits them
// (see orderLikeReplay). It prints a note when recorded signals come from
// inputs outside the range.
func kafkaVerifyInputs(ctx context.Context, sio stdio, ko *kafkaOptions, rf *topicRangeFlags, signalsTopic, signalsPath string) (backtest.Source, []events.Signal, error) {
	cfg, err := kafkaConfigLogged(ko, nil)
	if err != nil {
		return nil, nil, err
	}
	rng, err := rf.resolve()
	if err != nil {
		return nil, nil, err
	}
	if err := eventlog.ValidateStream(signalsTopic); err != nil {
		return nil, nil, usageError{"--signals-topic: " + err.Error()}
	}
	in, err := (&kafkaBarSource{cfg: cfg, rng: rng}).Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	partitionMajor(&in)
	var recorded []events.Signal
	if signalsPath != "" {
		f, err := os.Open(signalsPath)
		if err != nil {
			return nil, nil, err
		}
		recorded, err = backtest.ReadSignalsJSONL(f)
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", signalsPath, err)
		}
	} else {
		read, err := readTopic(ctx, cfg, topicRange{topic: signalsTopic}, eventTimeOf(events.StreamSignals))
		if err != nil {
			return nil, nil, err
		}
		recorded = make([]events.Signal, 0, len(read.recs))
		for _, r := range read.recs {
			s, err := decodeSignal(r.rec.Value)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %s partition %d offset %d: %w", backtest.ErrSignalStream, signalsTopic, r.partition, r.rec.Seq, err)
			}
			recorded = append(recorded, s)
		}
	}
	recorded, skipped := orderLikeReplay(in, recorded)
	if skipped > 0 {
		fmt.Fprintf(sio.out, "note: %d recorded signals come from %s records outside the range read; not compared\n", skipped, rng.topic)
	}
	return loadedSource{in}, recorded, nil
}

// partitionMajor reorders in by (partition, offset): each partition in its
// own order, one after the other. That is how a live run over Kafka
// applies them (one engine shard per partition, each in offset order;
// shards share no state), and the order backtest.Verify needs (it expects
// input positions in increasing order).
func partitionMajor(in *backtest.Input) {
	idx := make([]int, len(in.Bars))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		pa, pb := in.Positions[a], in.Positions[b]
		return cmp.Or(cmp.Compare(pa.Partition, pb.Partition), cmp.Compare(pa.Offset, pb.Offset))
	})
	bars := make([]events.Bar, len(idx))
	pos := make([]events.Position, len(idx))
	for i, j := range idx {
		bars[i], pos[i] = in.Bars[j], in.Positions[j]
	}
	in.Bars, in.Positions = bars, pos
}
