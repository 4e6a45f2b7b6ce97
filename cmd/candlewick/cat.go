package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
)

func cmdCat(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "cat", "[flags] STREAM", `
Print a stream of the embedded event log as JSON lines, one event per line, from
sequence number --from on. Bars, trades and signals print as their canonical JSON;
dead letters as {"original","reason","source","time"}. With --follow, keep printing
new events as they are appended until interrupted.

Streams: market.bars.v1, market.trades.v1, signals.v1, deadletter.v1.

With --brokers, STREAM is a Kafka topic: every partition, from --from-offset to
--to-offset in each (or by event time with --from-time and --to-time), merged by
event time, then partition, then offset; --seq prints partition:offset. With
--follow, new records of all partitions are printed as they arrive.`)
	dataDir := dataDirFlag(fs)
	ko := kafkaFlags(fs)
	var rf topicRangeFlags
	rf.registerRange(fs, true)
	from := fs.Int64("from", 0, "first sequence number to print")
	follow := fs.Bool("follow", false, "wait for and print new events until interrupted")
	seq := fs.Bool("seq", false, `prefix each line with the sequence number and a tab`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want exactly one stream name, got %d arguments", fs.NArg())
	}
	stream := fs.Arg(0)
	if err := eventlog.ValidateStream(stream); err != nil {
		return usageError{err.Error()}
	}
	if *from < 0 {
		return usagef("--from %d is negative", *from)
	}
	if ko.Enabled() {
		if *from > 0 {
			rf.fromOff = *from // --from is the first offset of every partition
		}
		return kafkaCat(ctx, sio, ko, &rf, stream, *follow, *seq)
	}
	log, err := openLog(*dataDir)
	if err != nil {
		return err
	}
	defer log.Close()

	out := bufio.NewWriterSize(sio.out, 64<<10)
	p := printer{dead: stream == events.StreamDeadLetter, seq: *seq}
	if *follow {
		err = log.Follow(ctx, stream, *from, func(r eventlog.Record) error {
			if err := p.print(out, r); err != nil {
				return err
			}
			// Flush per record while following: a reader waits for each line.
			return out.Flush()
		})
		if errors.Is(err, context.Canceled) {
			err = nil // interrupted: the normal way to stop following
		}
		return errors.Join(err, out.Flush())
	}
	it, err := log.Read(ctx, stream, *from)
	if err != nil {
		return err
	}
	for it.Next() {
		if err := p.print(out, it.Record()); err != nil {
			it.Close()
			return err
		}
	}
	return errors.Join(it.Close(), out.Flush())
}

// printer turns records into JSON lines, reusing its buffers.
type printer struct {
	dead bool
	seq  bool
	buf  []byte
	bar  events.Bar
	dec  events.BarDecoder
}

func (p *printer) print(w *bufio.Writer, r eventlog.Record) error {
	b := p.buf[:0]
	if p.seq {
		b = fmt.Appendf(b, "%d\t", r.Seq)
	}
	var err error
	b, err = p.appendEvent(b, r)
	if err != nil {
		return fmt.Errorf("record %d: %w", r.Seq, err)
	}
	b = append(b, '\n')
	p.buf = b
	_, err = w.Write(b)
	return err
}

func (p *printer) appendEvent(b []byte, r eventlog.Record) ([]byte, error) {
	if p.dead {
		return eventlog.DeadLetterOf(r).AppendJSON(b), nil
	}
	if events.IsJSON(r.Value) {
		return append(b, r.Value...), nil // already the canonical interchange form
	}
	typ, err := events.EventType(r.Value)
	if err != nil {
		return b, err
	}
	switch typ {
	case events.TypeBar:
		if err := p.dec.Decode(r.Value, &p.bar); err != nil {
			return b, err
		}
		return p.bar.AppendJSON(b), nil
	case events.TypeTrade:
		var t events.Trade
		if err := events.DecodeTrade(r.Value, &t); err != nil {
			return b, err
		}
		return t.AppendJSON(b), nil
	case events.TypeSignal:
		var s events.Signal
		if err := events.DecodeSignal(r.Value, &s); err != nil {
			return b, err
		}
		return s.AppendJSON(b), nil
	case events.TypeDeadLetter:
		var d events.DeadLetter
		if err := events.DecodeDeadLetter(r.Value, &d); err != nil {
			return b, err
		}
		return d.AppendJSON(b), nil
	}
	return b, fmt.Errorf("unknown event type %d", typ)
}
