package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	talib "github.com/markcheno/go-talib"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/cputime"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/internal/workload"
)

// jsonStream holds the same bars as JSON, for the naive pipeline.
const jsonStream = "market.bars.json.v1"

// referenceLog imports the five Binance 5m series of the reference workload
// (shared data; the benchmark is skipped without it), merges them by open
// time as a market stream holds them, and writes them to a disk log in a
// temporary directory: binary in events.StreamBars, JSON in jsonStream.
func referenceLog(b *testing.B) (*disk.Log, int) {
	b.Helper()
	dir := shareddata.Market(b, "binance-spot-nfi")
	var all [][]events.Bar
	for _, sym := range workload.Symbols {
		all = append(all, loadFile(b, filepath.Join(dir, sym+"_USDT-5m.json.gz")))
	}
	bars := merge(all...)
	log, err := disk.Open(disk.Config{Dir: b.TempDir(), Fsync: disk.FsyncNone})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { log.Close() })
	ctx := context.Background()
	const batch = 4096
	for i := 0; i < len(bars); i += batch {
		var bin, js []eventlog.Record
		for _, bar := range bars[i:min(i+batch, len(bars))] {
			key := []byte(bar.Symbol)
			bin = append(bin, eventlog.Record{Key: key, Value: bar.AppendBinary(nil)})
			js = append(js, eventlog.Record{Key: key, Value: bar.AppendJSON(nil)})
		}
		if _, err := log.Append(ctx, events.StreamBars, bin); err != nil {
			b.Fatal(err)
		}
		if _, err := log.Append(ctx, jsonStream, js); err != nil {
			b.Fatal(err)
		}
	}
	return log, len(bars)
}

// BenchmarkReplay is the reference workload: the five 5m Binance
// series (328,712 bars) through EMA cross (20/50), RSI reversion (14,
// 30/70), MACD cross (12/26/9) and Bollinger (20, 2) on 5m and 1h, replayed
// from the disk log through a BarDecoder and Core.Apply on one goroutine
// ("core"), and the same work done by a naive pipeline of the same
// libraries ("naive": watermill gochannel, encoding/json per bar, go-talib
// over a trailing window per bar); "ratio" reports core/naive bars/s.
func BenchmarkReplay(b *testing.B) {
	log, n := referenceLog(b)
	insts := reference(b)
	var coreRate, naiveRate float64
	// "core" consumes each Apply's signals before the next, as the Runner
	// does (it encodes them), so the Core reuses their memory (see
	// Core.ReuseSignalMemory); "core-kept" keeps every signal valid, as a
	// caller that retains them needs: signal emission then allocates.
	for _, mode := range []struct {
		name  string
		reuse bool
	}{{"core", true}, {"core-kept", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			signals := 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, cpuOK := cputime.Thread()
			for b.Loop() {
				signals = replayLog(b, log, engine.Config{Strategies: insts}, mode.reuse)
			}
			rate := reportRates(b, n, cpu0, cpuOK)
			if mode.reuse {
				coreRate = rate
			}
			b.ReportMetric(float64(signals), "signals/op")
		})
	}
	// The input side alone (disk log read and BarDecoder, no Core), to
	// tell the engine's share of "core" from the log's.
	b.Run("read+decode", func(b *testing.B) {
		b.ReportAllocs()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0, cpuOK := cputime.Thread()
		for b.Loop() {
			decodeLog(b, log)
		}
		reportRates(b, n, cpu0, cpuOK)
	})
	// The naive pipeline is ~two orders of magnitude slower: it runs over
	// the first naiveBars bars of the same stream.
	const naiveBars = 30000
	b.Run("naive", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			naivePipeline(b, log, naiveBars)
		}
		// The naive pipeline runs on two goroutines: its rate is wall time.
		naiveRate = float64(naiveBars) * float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(naiveRate, "bars/s")
	})
	b.Run("ratio", func(b *testing.B) {
		for b.Loop() {
		}
		if naiveRate > 0 {
			b.ReportMetric(coreRate/naiveRate, "core/naive")
		}
	})
}

// reportRates reports bars per wall second and per CPU second of the
// benchmark's thread (see cputime.Thread), and ns per bar, and returns the
// wall-clock rate.
func reportRates(b *testing.B, bars int, cpu0 time.Duration, cpuOK bool) float64 {
	total := float64(bars) * float64(b.N)
	rate := total / b.Elapsed().Seconds()
	b.ReportMetric(rate, "bars/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/total, "ns/bar")
	if cpu1, ok := cputime.Thread(); ok && cpuOK && cpu1 > cpu0 {
		b.ReportMetric(total/(cpu1-cpu0).Seconds(), "cpu-bars/s")
	}
	return rate
}

// replayLog replays the whole market stream through a new Core (reusing
// signal memory when reuse is set) and returns the number of signals.
func replayLog(b *testing.B, log eventlog.Log, cfg engine.Config, reuse bool) int {
	c, err := engine.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c.ReuseSignalMemory(reuse)
	it, err := log.Read(context.Background(), events.StreamBars, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer it.Close()
	var bar events.Bar
	var dec events.BarDecoder
	out := make([]events.Signal, 0, 64)
	signals := 0
	pos := events.Position{Stream: events.StreamBars}
	for it.Next() {
		rec := it.Record()
		if err := dec.Decode(rec.Value, &bar); err != nil {
			b.Fatal(err)
		}
		pos.Offset = rec.Seq
		out, err = c.Apply(pos, &bar, out[:0])
		if err != nil {
			b.Fatal(err)
		}
		signals += len(out)
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
	return signals
}

// decodeLog reads and decodes the whole market stream, as replayLog does,
// without applying the bars.
func decodeLog(b *testing.B, log eventlog.Log) {
	it, err := log.Read(context.Background(), events.StreamBars, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer it.Close()
	var bar events.Bar
	var dec events.BarDecoder
	for it.Next() {
		if err := dec.Decode(it.Record().Value, &bar); err != nil {
			b.Fatal(err)
		}
	}
	if err := it.Err(); err != nil {
		b.Fatal(err)
	}
}

// naiveBar is the bar as a DIY consumer decodes it with encoding/json.
type naiveBar struct {
	Symbol    string    `json:"symbol"`
	Interval  string    `json:"interval"`
	OpenTime  time.Time `json:"open_time"`
	CloseTime time.Time `json:"close_time"`
	Open      string    `json:"open"`
	High      string    `json:"high"`
	Low       string    `json:"low"`
	Close     string    `json:"close"`
	Volume    string    `json:"volume"`
}

// naiveWindow is the trailing window the naive pipeline recomputes over.
const naiveWindow = 200

type naiveSeries struct {
	closes5m, closes1h []float64
	hourStart          time.Time
	hourClose          float64
	signals            int
}

// naivePipeline is the obvious DIY pipeline: read the JSON stream, publish
// each record on a watermill gochannel, and in the subscriber decode it with
// encoding/json, keep a trailing window per symbol and timeframe (1h built
// by hand), and recompute every indicator with go-talib over the window on
// each bar, checking the same four rules on 5m and on 1h.
func naivePipeline(b *testing.B, log eventlog.Log, limit int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next, closeBus := naiveBus(ctx, b, log, limit)
	defer closeBus()
	state := map[string]*naiveSeries{}
	signals := 0
	for i := 0; i < limit; i++ {
		payload, ack := next()
		var nb naiveBar
		if err := json.Unmarshal(payload, &nb); err != nil {
			b.Fatal(err)
		}
		ack()
		cl, err := strconv.ParseFloat(nb.Close, 64)
		if err != nil {
			b.Fatal(err)
		}
		s := state[nb.Symbol]
		if s == nil {
			s = &naiveSeries{}
			state[nb.Symbol] = s
		}
		s.closes5m = appendWindow(s.closes5m, cl)
		signals += naiveRules(s.closes5m)
		hour := nb.OpenTime.Truncate(time.Hour)
		if !hour.Equal(s.hourStart) && !s.hourStart.IsZero() {
			s.closes1h = appendWindow(s.closes1h, s.hourClose)
			signals += naiveRules(s.closes1h)
		}
		s.hourStart, s.hourClose = hour, cl
	}
	return signals
}

func appendWindow(w []float64, x float64) []float64 {
	if len(w) == naiveWindow {
		copy(w, w[1:])
		w = w[:naiveWindow-1]
	}
	return append(w, x)
}

// naiveRules evaluates the four reference rules on the latest two values of
// indicators recomputed over the whole window, and counts the signals.
func naiveRules(closes []float64) int {
	n := len(closes)
	if n < 60 {
		return 0
	}
	crossed := func(a, b []float64) bool {
		return (a[n-2] <= b[n-2] && a[n-1] > b[n-1]) || (a[n-2] >= b[n-2] && a[n-1] < b[n-1])
	}
	count := 0
	if crossed(talib.Ema(closes, 20), talib.Ema(closes, 50)) {
		count++
	}
	rsi := talib.Rsi(closes, 14)
	if (rsi[n-2] < 30) != (rsi[n-1] < 30) || (rsi[n-2] > 70) != (rsi[n-1] > 70) {
		count++
	}
	macd, sig, _ := talib.Macd(closes, 12, 26, 9)
	if crossed(macd, sig) {
		count++
	}
	up, _, lo := talib.BBands(closes, 20, 2, 2, talib.SMA)
	if crossed(closes, up) || crossed(closes, lo) {
		count++
	}
	return count
}

// BenchmarkApply is Core.Apply alone on the reference workload's bars,
// already decoded in memory (no log, no decoding): the engine's own cost.
// Without the shared data it runs on the repository's sample.
func BenchmarkApply(b *testing.B) {
	var bars []events.Bar
	if _, err := os.Stat(filepath.Join("..", "..", "shared", "data", "market", "binance-spot-nfi")); err == nil {
		dir := shareddata.Market(b, "binance-spot-nfi")
		var all [][]events.Bar
		for _, sym := range workload.Symbols {
			all = append(all, loadFile(b, filepath.Join(dir, sym+"_USDT-5m.json.gz")))
		}
		bars = merge(all...)
	} else {
		bars = dedupe(loadExample(b, "Binance-ETH-USD-PT5M-20230313_20230315.json"))
	}
	insts := reference(b)
	for _, prov := range []bool{false, true} {
		b.Run("provisional="+strconv.FormatBool(prov), func(b *testing.B) {
			b.ReportAllocs()
			out := make([]events.Signal, 0, 64)
			signals := 0
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, cpuOK := cputime.Thread()
			for b.Loop() {
				c, err := engine.New(engine.Config{Strategies: insts, Provisional: prov})
				if err != nil {
					b.Fatal(err)
				}
				signals = 0
				for i := range bars {
					out, err = c.Apply(posAt(i), &bars[i], out[:0])
					if err != nil {
						b.Fatal(err)
					}
					signals += len(out)
				}
			}
			reportRates(b, len(bars), cpu0, cpuOK)
			b.ReportMetric(float64(signals), "signals/op")
		})
	}
}
