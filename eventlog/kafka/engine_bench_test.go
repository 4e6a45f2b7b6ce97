package kafka_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/kafkatest"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/internal/workload"
)

// benchPartitions and benchBars are the market topic's shape in the Kafka
// benchmarks: 6 partitions, 200k bars of the real Binance 5m series.
const (
	benchPartitions = 6
	benchBars       = 200_000
)

// benchMarket returns the benchmark's market records as JSON messages keyed
// by symbol: the first benchBars bars of the five Binance 5m series of the
// reference workload (shared data) merged by open time, or the bundled
// samples when the shared data is absent.
func benchMarket(b *testing.B) ([]kafkago.Message, []int) {
	b.Helper()
	var bars []events.Bar
	if dir, err := shareddata.Find("market", "binance-spot-nfi"); err == nil {
		for _, sym := range workload.Symbols {
			path := filepath.Join(dir, sym+"_USDT-5m.json.gz")
			_, err := feeds.ImportFile(context.Background(), path, feeds.Options{}, feeds.SinkFuncs{
				OnBar: func(bar events.Bar) error { bars = append(bars, bar); return nil },
			})
			if err != nil {
				b.Fatalf("%s: %v", path, err)
			}
		}
		slices.SortStableFunc(bars, func(x, y events.Bar) int { return x.OpenTime.Compare(y.OpenTime) })
		bars = bars[:min(len(bars), benchBars)]
	} else {
		b.Logf("shared data absent (%v): the bundled samples instead", err)
		bars = kafkatest.MergeByTime(kafkatest.SampleSeries(b)...)
	}
	msgs, parts := kafkatest.MarketMessages(bars, benchPartitions)
	return msgs, parts
}

// referenceWorkload is the reference workload (internal/workload) as an
// engine Config.
func referenceWorkload(b testing.TB) engine.Config {
	b.Helper()
	insts, err := workload.Reference()
	if err != nil {
		b.Fatal(err)
	}
	return engine.Config{Strategies: insts}
}

// benchTopics creates a fresh set of output topics (signals, dead letters,
// snapshots) named after run, co-partitioned with the market topic, so that
// every benchmark round starts from no snapshot.
func benchTopics(b *testing.B, cfg kafka.Config, run string) (signals, dead, snaps string) {
	b.Helper()
	signals, dead, snaps = "signals."+run, "deadletter."+run, "snapshots."+run
	_, err := kafka.CreateTopics(context.Background(), cfg, []kafka.TopicSpec{
		{Name: signals, Partitions: benchPartitions}, {Name: dead, Partitions: benchPartitions},
		{Name: snaps, Partitions: benchPartitions, Configs: map[string]string{"cleanup.policy": "compact"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return signals, dead, snaps
}

// engineWork returns the Work of an engine instance: one Runner per
// partition with the given output topics.
func engineWork(ecfg engine.Config, signals, dead, snaps string, once bool) func(context.Context, int32, eventlog.Log, func(int64) error) error {
	return func(ctx context.Context, p int32, log eventlog.Log, commit func(int64) error) error {
		r, err := engine.NewRunner(engine.RunnerConfig{
			Log: log, NewCore: func() (engine.Processor, error) { return engine.New(ecfg) },
			Input: kafka.TopicBars, Output: signals, DeadLetter: dead, Snapshots: snaps,
			Partition: p, Once: once, SnapshotEvery: engine.DefaultSnapshotEvery, Direct: true,
			OnSnapshot: func(_ context.Context, next int64) error { return commit(next) },
		})
		if err != nil {
			return err
		}
		return r.Run(ctx)
	}
}

// benchCluster starts a broker with the standard topics (6 partitions)
// and the market topic filled with msgs.
func benchCluster(b *testing.B, msgs []kafkago.Message) kafka.Config {
	b.Helper()
	cfg := fakeBrokers(b)
	ctx := context.Background()
	if _, err := kafka.CreateTopics(ctx, cfg, kafka.StandardTopics(benchPartitions, 1)); err != nil {
		b.Fatal(err)
	}
	if len(msgs) > 0 {
		w := cfg.Writer(kafka.TopicBars, &kafkago.Murmur2Balancer{})
		defer w.Close()
		for i := 0; i < len(msgs); i += 10_000 {
			if err := w.WriteMessages(ctx, msgs[i:min(i+10_000, len(msgs))]...); err != nil {
				b.Fatal(err)
			}
		}
	}
	return cfg
}

// BenchmarkEngineKafka is the live engine through Kafka: one instance in a
// consumer group (RunGroup with Once) consumes a 6-partition market topic
// of 200k JSON bars with one Runner per partition (Direct) running the
// reference workload, and appends the signals to a co-partitioned signal
// topic, snapshotting every 10k events and committing after each. It
// reports market records per second, wall clock, joining the group
// included. Two topics:
//
//   - binance: the real Binance 5m series of the reference workload. Its
//     five symbols hash (Murmur2) to partitions 2 and 5 only, so at most
//     two Runners work.
//   - synthetic60: BenchmarkRawGroupConsume's topic (60 symbols over all 6
//     partitions, bar-sized JSON), the like-for-like comparison with the
//     raw kafka-go consumer-group throughput in the same run.
func BenchmarkEngineKafka(b *testing.B) {
	b.Run("binance", func(b *testing.B) {
		msgs, _ := benchMarket(b)
		benchEngineKafka(b, msgs)
	})
	b.Run("synthetic60", func(b *testing.B) {
		benchEngineKafka(b, rawBenchBars(rawBenchRecords))
	})
}

func benchEngineKafka(b *testing.B, msgs []kafkago.Message) {
	cfg := benchCluster(b, msgs)
	ecfg := referenceWorkload(b)
	b.ReportAllocs()
	var signals atomic.Int64
	round := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		round++
		sig, dead, snaps := benchTopics(b, cfg, fmt.Sprintf("bench%d", round))
		g := kafka.GroupConfig{ID: fmt.Sprintf("bench-engine-%d", round), Topic: kafka.TopicBars, Once: true, OncePoll: 5 * time.Millisecond}
		g.Work = engineWork(ecfg, sig, dead, snaps, true)
		// A Log opened after the topics exist: one opened before would
		// not know them until its metadata refreshes.
		l, err := kafka.Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := kafka.RunGroup(context.Background(), l, g); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var n int64
		for p := range benchPartitions {
			last, err := l.Partition(int32(p)).Last(context.Background(), sig)
			if err != nil {
				b.Fatal(err)
			}
			n += last + 1
		}
		signals.Store(n)
		l.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(signals.Load()), "signals/op")
}

// stampLog records when each signal batch's append to the output topic
// completed: the signal side of the latency measurement.
type stampLog struct {
	eventlog.Log
	output string
	p      int32
	mu     *sync.Mutex
	stamps *[]signalStamp
}

type signalStamp struct {
	p     int32
	at    time.Time
	value []byte
}

func (s stampLog) Append(ctx context.Context, stream string, recs []eventlog.Record) ([]int64, error) {
	seqs, err := s.Log.Append(ctx, stream, recs)
	if err != nil || stream != s.output {
		return seqs, err
	}
	at := time.Now()
	s.mu.Lock()
	for _, r := range recs {
		*s.stamps = append(*s.stamps, signalStamp{p: s.p, at: at, value: append([]byte(nil), r.Value...)})
	}
	s.mu.Unlock()
	return seqs, err
}

// BenchmarkEngineKafkaLatency measures the event-to-signal latency of the
// live engine through Kafka: one engine instance follows the market topic
// while a producer appends the Binance series at a fixed 20,000 events/s
// (paced by event count against a 1 ms ticker: each tick appends the events
// that are due, one batch per partition); the latency of a signal is the
// time from the completed append of the market record that caused it to
// the completed append of the signal, both taken in this process. It
// reports p50-ms, p99-ms and max-ms over every signal of the run (3 s of
// events per op).
func BenchmarkEngineKafkaLatency(b *testing.B) {
	const rate = 20_000
	const seconds = 3
	msgs, parts := benchMarket(b)
	msgs, parts = msgs[:min(len(msgs), rate*seconds)], parts[:min(len(parts), rate*seconds)]
	cfg := benchCluster(b, nil)
	ecfg := referenceWorkload(b)
	b.ReportAllocs()
	var all []float64
	for i := 0; i < b.N; i++ {
		lat := latencyRound(b, cfg, ecfg, msgs, parts, rate, i)
		all = append(all, lat...)
	}
	if len(all) == 0 {
		b.Fatal("no signals: no latency")
	}
	sort.Float64s(all)
	q := func(f float64) float64 { return all[min(len(all)-1, int(f*float64(len(all))))] }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(all[len(all)-1], "max-ms")
	b.Logf("p90 %.2f p95 %.2f p97 %.2f p98 %.2f", q(0.90), q(0.95), q(0.97), q(0.98))
	b.ReportMetric(float64(len(all))/float64(b.N), "signals/op")
}

// latencyRound runs one latency measurement on a fresh market topic and
// returns the latency of every signal in milliseconds.
func latencyRound(b *testing.B, cfg kafka.Config, ecfg engine.Config, msgs []kafkago.Message, parts []int, rate, round int) []float64 {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	market := fmt.Sprintf("market.latency%d", round)
	if _, err := kafka.CreateTopics(ctx, cfg, []kafka.TopicSpec{{Name: market, Partitions: benchPartitions}}); err != nil {
		b.Fatal(err)
	}
	sig, dead, snaps := benchTopics(b, cfg, fmt.Sprintf("latency%d", round))
	l, err := kafka.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()

	var mu sync.Mutex
	var stamps []signalStamp
	runners := map[int32]*engine.Runner{} // guarded by mu
	started := make(chan int32, benchPartitions)
	g := kafka.GroupConfig{ID: "latency-" + market, Topic: market}
	work := func(ctx context.Context, p int32, log eventlog.Log, commit func(int64) error) error {
		r, err := engine.NewRunner(engine.RunnerConfig{
			Log: stampLog{Log: log, output: sig, p: p, mu: &mu, stamps: &stamps}, NewCore: func() (engine.Processor, error) { return engine.New(ecfg) },
			Input: market, Output: sig, DeadLetter: dead, Snapshots: snaps, Partition: p, Direct: true,
			OnSnapshot: func(_ context.Context, next int64) error { return commit(next) },
		})
		if err != nil {
			return err
		}
		mu.Lock()
		runners[p] = r
		mu.Unlock()
		started <- p
		return r.Run(ctx)
	}
	g.Work = work
	done := make(chan error, 1)
	go func() { done <- kafka.RunGroup(ctx, l, g) }()
	for range benchPartitions {
		select {
		case <-started:
		case err := <-done:
			b.Fatalf("RunGroup: %v", err)
		}
	}

	// Producer: one appender per partition, fed by the pacer in market
	// order; each appends whatever is queued as one batch and stamps the
	// records with the time the append completed.
	appended := make([][]time.Time, benchPartitions) // by partition, by offset
	queues := make([]chan []eventlog.Record, benchPartitions)
	var wg sync.WaitGroup
	b.ResetTimer()
	for p := range benchPartitions {
		queues[p] = make(chan []eventlog.Record, 1024)
		wg.Add(1)
		go func() {
			defer wg.Done()
			view := l.Partition(int32(p))
			for batch := range queues[p] {
				// Take what queued up meanwhile too (up to a bound: a batch
				// is one record batch, under the broker's size limit).
				for more := true; more && len(batch) < 1000; {
					select {
					case next, ok := <-queues[p]:
						if !ok {
							more = false
							break
						}
						batch = append(batch, next...)
					default:
						more = false
					}
				}
				if _, err := view.Append(ctx, market, batch); err != nil {
					b.Error(err)
					return
				}
				at := time.Now()
				for range batch {
					appended[p] = append(appended[p], at)
				}
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Millisecond)
	sent := 0
	for sent < len(msgs) {
		<-tick.C
		due := min(len(msgs), int(time.Since(start).Seconds()*float64(rate)))
		batches := make([][]eventlog.Record, benchPartitions)
		for ; sent < due; sent++ {
			p := parts[sent]
			batches[p] = append(batches[p], eventlog.Record{Key: msgs[sent].Key, Value: msgs[sent].Value})
		}
		for p, batch := range batches {
			if len(batch) > 0 {
				queues[p] <- batch
			}
		}
	}
	tick.Stop()
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	// Let the engine catch up with every partition, then stop it.
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	for caughtUp := false; !caughtUp; {
		<-poll.C
		mu.Lock()
		caughtUp = len(runners) == benchPartitions
		for p, r := range runners {
			if r.Metrics().Next < int64(len(appended[p])) {
				caughtUp = false
			}
		}
		mu.Unlock()
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	lat := make([]float64, 0, len(stamps))
	for _, s := range stamps {
		sg, err := events.DecodeSignalJSON(s.value, false)
		if err != nil {
			b.Fatal(err)
		}
		ts := appended[s.p]
		if sg.Source.Offset >= int64(len(ts)) {
			b.Fatalf("signal of partition %d offset %d: no such market record", s.p, sg.Source.Offset)
		}
		lat = append(lat, float64(s.at.Sub(ts[sg.Source.Offset]))/float64(time.Millisecond))
	}
	return lat
}
