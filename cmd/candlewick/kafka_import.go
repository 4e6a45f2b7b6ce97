package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

// kafkaImportLog is the eventlog.Log that 'candlewick import --brokers'
// hands to the importer (internal/ingest), so that the Kafka import does
// exactly what the embedded one does: the same validation, dead letters,
// duplicate and conflict detection, counts and summary lines.
//
//   - Read of the bar stream returns every bar of the bar topic, all
//     partitions merged (readTopic), re-encoded in the binary codec the
//     importer fingerprints: a bar already on the topic, in either codec,
//     is recognised and skipped, and a different bar for the same symbol,
//     interval and open time is dead-lettered as a conflict. The cost is
//     one read of the whole topic per import (as the embedded import
//     scans its stream); bars that retention has deleted are not known
//     and would be published again.
//   - Append of the bar stream publishes to the bar topic with key =
//     symbol, partitioned by murmur2 (the Java client's default), values
//     in the configured codec (JSON by default) with the event metadata
//     headers. Dead letters go to the dead-letter topic as they are:
//     original bytes, reason headers.
//
// It is not a general Log: Follow, Last and Streams are not supported, and
// Append returns no sequence numbers (kafka-go's Writer does not report
// offsets; the importer does not use them).
type kafkaImportLog struct {
	cfg      kafka.Config
	barTopic string
	bars     *kafkago.Writer
	dead     *kafkago.Writer
	msgs     []kafkago.Message // reused between Appends
}

func newKafkaImportLog(cfg kafka.Config, barTopic string) *kafkaImportLog {
	return &kafkaImportLog{
		cfg:      cfg,
		barTopic: barTopic,
		bars:     cfg.Writer(barTopic, &kafkago.Murmur2Balancer{}),
		dead:     cfg.Writer(kafka.TopicDeadLetter, &kafkago.Murmur2Balancer{}),
	}
}

// streamTopic maps the importer's stream names to topics.
func (l *kafkaImportLog) streamTopic(stream string) (string, error) {
	switch stream {
	case events.StreamBars:
		return l.barTopic, nil
	case events.StreamDeadLetter:
		return kafka.TopicDeadLetter, nil
	}
	return "", fmt.Errorf("import: no topic for stream %s", stream)
}

func (l *kafkaImportLog) Append(ctx context.Context, stream string, recs []eventlog.Record) ([]int64, error) {
	topic, err := l.streamTopic(stream)
	if err != nil {
		return nil, err
	}
	l.msgs = l.msgs[:0]
	w := l.dead
	if stream == events.StreamBars {
		w = l.bars
		var b events.Bar
		var dec events.BarDecoder
		hs := kafkaHeaders(l.cfg.MetaHeaders(kafka.EventBar)) // shared: kafka-go only reads them
		for _, r := range recs {
			v := r.Value
			if l.cfg.Codec != kafka.CodecBinary {
				if err := dec.Decode(r.Value, &b); err != nil {
					return nil, fmt.Errorf("import: re-encode bar for %s: %w", topic, err)
				}
				v = b.AppendJSON(nil)
			}
			l.msgs = append(l.msgs, kafkago.Message{Key: r.Key, Value: v, Headers: hs})
		}
	} else {
		// As the embedded stream holds them: the original bytes and the
		// reason headers (eventlog.DeadLetterRecord), nothing else.
		for _, r := range recs {
			l.msgs = append(l.msgs, kafkago.Message{Key: r.Key, Value: r.Value, Headers: kafkaHeaders(r.Headers)})
		}
	}
	if err := w.WriteMessages(ctx, l.msgs...); err != nil {
		return nil, fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil, nil
}

func (l *kafkaImportLog) Read(ctx context.Context, stream string, from int64) (eventlog.Iterator, error) {
	if stream != events.StreamBars || from != 0 {
		return nil, fmt.Errorf("import: read %s from %d: %w", stream, from, errors.ErrUnsupported)
	}
	read, err := readTopic(ctx, l.cfg, topicRange{topic: l.barTopic}, eventTimeOf(events.StreamBars))
	if err != nil {
		return nil, err
	}
	return &binaryBarIter{recs: read.recs, i: -1}, nil
}

func (l *kafkaImportLog) Follow(context.Context, string, int64, func(eventlog.Record) error) error {
	return errors.ErrUnsupported
}

func (l *kafkaImportLog) Last(context.Context, string) (int64, error) {
	return 0, errors.ErrUnsupported
}

func (l *kafkaImportLog) Streams(context.Context) ([]string, error) {
	return nil, errors.ErrUnsupported
}

// kafkaHeaders converts record headers to kafka-go's (sharing the values).
func kafkaHeaders(hs []eventlog.Header) []kafkago.Header {
	out := make([]kafkago.Header, len(hs))
	for i, h := range hs {
		out[i] = kafkago.Header{Key: h.Key, Value: h.Value}
	}
	return out
}

// Close flushes and closes the producers.
func (l *kafkaImportLog) Close() error {
	return errors.Join(l.bars.Close(), l.dead.Close())
}

// binaryBarIter iterates over records of a bar topic with their values in
// the binary codec; values that are not bars are passed through (the
// importer ignores what it cannot decode).
type binaryBarIter struct {
	recs []topicRecord
	i    int
	cur  eventlog.Record
	buf  []byte
}

func (it *binaryBarIter) Next() bool {
	it.i++
	if it.i >= len(it.recs) {
		return false
	}
	it.cur = it.recs[it.i].rec
	if events.IsJSON(it.cur.Value) {
		if b, err := events.DecodeBarJSON(it.cur.Value, false); err == nil {
			it.buf = b.AppendBinary(it.buf[:0])
			it.cur.Value = it.buf
		}
	}
	return true
}

func (it *binaryBarIter) Record() eventlog.Record { return it.cur }
func (it *binaryBarIter) Err() error              { return nil }
func (it *binaryBarIter) Close() error            { return nil }

// importKafka is 'candlewick import --brokers': the embedded import's
// pipeline over a kafkaImportLog.
func importKafka(ctx context.Context, sio stdio, ko *kafkaOptions, topic string, opt feeds.Options, paths []string, quiet bool) error {
	cfg, err := kafkaConfigLogged(ko, nil)
	if err != nil {
		return err
	}
	if err := eventlog.ValidateStream(topic); err != nil {
		return usageError{"--topic: " + err.Error()}
	}
	// Producers never create topics (a typo would make a stray one): say
	// how to make them rather than failing on the first publish.
	for _, t := range []string{topic, kafka.TopicDeadLetter} {
		if _, err := kafka.DescribeTopics(ctx, cfg, []string{t}); err != nil {
			if errors.Is(err, kafkago.UnknownTopicOrPartition) {
				return fmt.Errorf("topic %s does not exist: create it with 'candlewick topics create --brokers %s'", t, strings.Join(cfg.Brokers, ","))
			}
			return err
		}
	}
	l := newKafkaImportLog(cfg, topic)
	_, err = importFiles(ctx, sio, l, opt, paths, quiet)
	return errors.Join(err, l.Close())
}
