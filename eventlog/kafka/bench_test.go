package kafka_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
)

// rawBenchRecords is the size of the topic BenchmarkRawGroupConsume reads.
const rawBenchRecords = 200_000

// Reader tuning of BenchmarkRawGroupConsume, measured on kfake (200k
// records, 2 cores): MaxBytes 256 KiB 251k msgs/s, 1 MiB 301k, 4 MiB 231k,
// 10 MiB 71k (kafka-go allocates a MaxBytes buffer per fetch);
// QueueCapacity 100 vs 1000 is within noise.
const (
	rawBenchMaxBytes = 1 << 20
	rawBenchQueue    = 1000
)

// rawBenchBars returns n bar-sized JSON records (events.Bar.AppendJSON of a
// synthetic 5m series, about 280 bytes each, the size of a real Binance
// bar) keyed by 60 symbols, so that Murmur2 spreads them over 6 partitions.
func rawBenchBars(n int) []kafkago.Message {
	msgs := make([]kafkago.Message, n)
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range msgs {
		sym := fmt.Sprintf("S%02d-USDT", i%60)
		open := int64(2892363 + i%5000)
		bar := events.Bar{
			Symbol: sym, Venue: "binance", Interval: events.Interval(5 * time.Minute),
			OpenTime: t0.Add(time.Duration(i/60) * 5 * time.Minute), CloseTime: t0.Add(time.Duration(i/60+1) * 5 * time.Minute),
			Open: fixed(open, 2), High: fixed(open+10768, 2), Low: fixed(open-23346, 2), Close: fixed(open+7150, 2),
			Volume: fixed(2311811445, 6), QuoteVolume: fixed(6676883034017135, 8), HasQuoteVolume: true,
			TradeCount: 58389, HasTradeCount: true,
		}
		msgs[i] = kafkago.Message{
			Key:     []byte(sym),
			Value:   bar.AppendJSON(nil),
			Headers: []kafkago.Header{{Key: kafka.HeaderEventType, Value: []byte(kafka.EventBar)}, {Key: kafka.HeaderContentType, Value: []byte(kafka.ContentTypeJSON)}},
		}
	}
	return msgs
}

func fixed(coef int64, scale int) events.Fixed {
	f, err := events.NewFixed(coef, scale)
	if err != nil {
		panic(err) // a bug in the benchmark's constants
	}
	return f
}

// rawBenchTopic fills a 6-partition topic of a fresh cluster with msgs
// through a Murmur2 Writer, as the market producers do.
func rawBenchTopic(b *testing.B, msgs []kafkago.Message) kafka.Config {
	b.Helper()
	cfg := fakeBrokers(b)
	ctx := context.Background()
	if _, err := kafka.CreateTopics(ctx, cfg, []kafka.TopicSpec{{Name: kafka.TopicBars, Partitions: 6, ReplicationFactor: 1}}); err != nil {
		b.Fatal(err)
	}
	w := cfg.Writer(kafka.TopicBars, nil)
	defer w.Close()
	for i := 0; i < len(msgs); i += 5000 {
		if err := w.WriteMessages(ctx, msgs[i:min(i+5000, len(msgs))]...); err != nil {
			b.Fatal(err)
		}
	}
	return cfg
}

// BenchmarkRawGroupConsume is the baseline of the engine's Kafka throughput:
// a plain, well-tuned kafka-go consumer-group Reader draining a 6-partition
// topic of 200k bar-sized JSON records, doing nothing with them. Each
// iteration is a new group reading from the first offset.
//
// Tuning: MinBytes 1 with MaxWait 10ms (answer at once when data is there),
// MaxBytes 1 MiB per fetch (thousands of records per round trip; the best
// of the sizes tried, see rawBenchMaxBytes), QueueCapacity 1000 (the
// Reader's prefetch buffer, so fetching overlaps consuming), and
// CommitInterval 1s (asynchronous, batched offset commits, as a
// throughput-oriented consumer would run).
func BenchmarkRawGroupConsume(b *testing.B) {
	msgs := rawBenchBars(rawBenchRecords)
	cfg := rawBenchTopic(b, msgs)
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m.Key) + len(m.Value))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := kafkago.NewReader(kafkago.ReaderConfig{
			Brokers:        cfg.Brokers,
			GroupID:        fmt.Sprintf("raw-bench-%d", i),
			Topic:          kafka.TopicBars,
			Dialer:         cfg.Dialer(),
			MinBytes:       1,
			MaxBytes:       rawBenchMaxBytes,
			MaxWait:        10 * time.Millisecond,
			QueueCapacity:  rawBenchQueue,
			CommitInterval: time.Second,
			StartOffset:    kafkago.FirstOffset,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		for n := 0; n < len(msgs); n++ {
			m, err := r.FetchMessage(ctx)
			if err != nil {
				b.Fatalf("after %d messages: %v", n, err)
			}
			if n == len(msgs)-1 {
				if err := r.CommitMessages(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
		}
		cancel()
		r.Close()
	}
	b.ReportMetric(float64(b.N*len(msgs))/time.Since(start).Seconds(), "msgs/s")
}

func benchRecords(n int) []eventlog.Record {
	msgs := rawBenchBars(n)
	recs := make([]eventlog.Record, n)
	for i, m := range msgs {
		recs[i] = eventlog.Record{Key: m.Key, Value: m.Value, Headers: []eventlog.Header{{Key: kafka.HeaderEventType, Value: []byte(kafka.EventBar)}}}
	}
	return recs
}

// BenchmarkLogAppend appends bar records to one partition in batches of
// the given size, one produce request per Append.
func BenchmarkLogAppend(b *testing.B) {
	for _, batch := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			cfg := fakeBrokers(b)
			l := openLog(b, cfg)
			recs := benchRecords(batch)
			ctx := context.Background()
			if _, err := l.Append(ctx, "bench", recs[:1]); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(recs[0].Value) * batch))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := l.Append(ctx, "bench", recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// benchPartition fills partition 0 of topic "scan" with n records.
func benchPartition(b *testing.B, n int) (kafka.Config, *kafka.Log) {
	b.Helper()
	cfg := fakeBrokers(b)
	l := openLog(b, cfg)
	recs := benchRecords(n)
	for i := 0; i < n; i += 2000 {
		if _, err := l.Append(context.Background(), "scan", recs[i:min(i+2000, n)]); err != nil {
			b.Fatal(err)
		}
	}
	return cfg, l
}

// BenchmarkLogRead scans 100k records of one partition with Log.Read
// (fetch requests on the caller's goroutine, buffers reused), against a
// kafka-go Reader on the same fixed partition (a prefetching goroutine,
// one allocation set per message): the comparison behind Read's design.
func BenchmarkLogRead(b *testing.B) {
	const n = 100_000
	cfg, l := benchPartition(b, n)
	b.Run("Log.Read", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			it, err := l.Read(context.Background(), "scan", 0)
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for it.Next() {
				got++
			}
			if err := it.Close(); err != nil || got != n {
				b.Fatalf("read %d records, err %v", got, err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("kafkago.Reader", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			r := kafkago.NewReader(kafkago.ReaderConfig{
				Brokers: cfg.Brokers, Topic: "scan", Partition: 0, Dialer: cfg.Dialer(),
				MinBytes: 1, MaxBytes: rawBenchMaxBytes, MaxWait: 10 * time.Millisecond, QueueCapacity: rawBenchQueue,
			})
			for got := 0; got < n; got++ {
				if _, err := r.ReadMessage(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
	})
}

// BenchmarkFollowLatency measures append-to-delivery latency of Follow:
// each iteration appends one record and waits until the follower's callback
// has it. It reports p50 and p99 in microseconds.
func BenchmarkFollowLatency(b *testing.B) {
	cfg := fakeBrokers(b)
	l := openLog(b, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := benchRecords(1)
	if _, err := l.Append(ctx, "tail", rec); err != nil {
		b.Fatal(err)
	}
	got := make(chan time.Time, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		l.Follow(ctx, "tail", 1, func(eventlog.Record) error {
			got <- time.Now()
			return nil
		})
	}()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sent := time.Now()
		if _, err := l.Append(ctx, "tail", rec); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-got).Sub(sent))
	}
	b.StopTimer()
	cancel()
	wg.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-us")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-us")
}
