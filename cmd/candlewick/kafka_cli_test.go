package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
)

// The Kafka paths of the CLI against an in-process development broker, a
// fresh one per test (it holds everything in memory).

// devBroker starts a dev broker on a free port with topics (nil: the
// standard set, 6 partitions) and returns its address.
func devBroker(t *testing.T, topics []kafka.TopicSpec) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: "127.0.0.1:0", Topics: topics})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d.Addrs()[0]
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("candlewick %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestKafkaDevKafkaCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"dev-kafka", "--listen", "127.0.0.1:0", "--partitions", "3"}, stdio{in: strings.NewReader(""), out: pw, err: &errb})
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("dev-kafka printed nothing; stderr: %s", errb.String())
	}
	addr, ok := strings.CutPrefix(sc.Text(), "listening on ")
	if !ok {
		t.Fatalf("first line %q, want listening on ADDR", sc.Text())
	}
	var rest []string
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		for sc.Scan() {
			rest = append(rest, sc.Text())
		}
	}()
	out := mustRun(t, "topics", "describe", "--brokers", addr, "--json")
	var got []topicJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range got {
		names = append(names, tp.Topic)
		if len(tp.Partitions) != 3 {
			t.Errorf("%s: %d partitions, want 3", tp.Topic, len(tp.Partitions))
		}
	}
	if want := []string{"deadletter.v1", "engine.snapshots.v1", "market.bars.v1", "market.trades.v1", "signals.v1"}; !slices.Equal(names, want) {
		t.Errorf("topics %v, want %v", names, want)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("dev-kafka exit %d: %s", code, errb.String())
	}
	<-scanned
	text := strings.Join(rest, "\n")
	for _, want := range []string{"NOT for production", "engine.snapshots.v1  3           cleanup.policy=compact", "stopped"} {
		if !strings.Contains(text, want) {
			t.Errorf("dev-kafka output lacks %q:\n%s", want, text)
		}
	}
	code, help, _ := runCLI(t, "dev-kafka", "--help")
	if code != exitOK || !strings.Contains(help, "everything is kept in memory and gone on exit") ||
		!strings.Contains(help, "NOT for production") || !strings.Contains(help, "deploy/docker-compose.yaml") {
		t.Errorf("dev-kafka --help (exit %d) does not say plainly what it is not:\n%s", code, help)
	}
}

func TestKafkaTopicsCommand(t *testing.T) {
	addr := devBroker(t, []kafka.TopicSpec{})
	out := mustRun(t, "topics", "create", "--brokers", addr, "--partitions", "3", "--config", "signals.v1=retention.ms=-1")
	for _, want := range []string{
		"market.bars.v1 3 1 - created",
		"signals.v1 3 1 retention.ms=-1 created",
		"engine.snapshots.v1 3 1 cleanup.policy=compact created",
	} {
		if !strings.Contains(squeeze(out), want) {
			t.Errorf("topics create output lacks %q:\n%s", want, out)
		}
	}
	// Idempotent.
	out = mustRun(t, "topics", "create", "--brokers", addr, "--partitions", "3")
	if strings.Count(out, "exists (left as it is)") != 5 {
		t.Errorf("second create:\n%s", out)
	}
	// Named topics: a standard name keeps its standard configs.
	out = mustRun(t, "topics", "create", "--brokers", addr, "--partitions", "2", "--config", "extra.v1=cleanup.policy=compact", "extra.v1")
	if !strings.Contains(squeeze(out), "extra.v1 2 1 cleanup.policy=compact created") {
		t.Errorf("create extra.v1:\n%s", out)
	}

	out = mustRun(t, "topics", "describe", "--brokers", addr, "signals.v1", "engine.snapshots.v1")
	want := `topic                partition  leader  replicas  isr  start  end  configs
engine.snapshots.v1  0          0       0         0    0      0    cleanup.policy=compact
                     1          0       0         0    0      0    
                     2          0       0         0    0      0    
signals.v1           0          0       0         0    0      0    retention.ms=-1
                     1          0       0         0    0      0    
                     2          0       0         0    0      0    
`
	if out != want {
		t.Errorf("describe:\n%s\nwant:\n%s", out, want)
	}
	out = mustRun(t, "topics", "describe", "--brokers", addr, "--json", "extra.v1")
	var got []topicJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Topic != "extra.v1" || len(got[0].Partitions) != 2 || got[0].Configs["cleanup.policy"] != "compact" {
		t.Errorf("describe --json: %+v", got)
	}

	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no subcommand", []string{"topics"}, "want a subcommand"},
		{"unknown subcommand", []string{"topics", "drop"}, `unknown subcommand "drop"`},
		{"no brokers", []string{"topics", "create"}, "--brokers is required"},
		{"bad partitions", []string{"topics", "create", "--brokers", addr, "--partitions", "0"}, "--partitions 0"},
		{"bad config", []string{"topics", "create", "--brokers", addr, "--config", "retention.ms"}, "want topic=key=value"},
		{"config of another topic", []string{"topics", "create", "--brokers", addr, "--config", "x.v1=a=b", "signals.v1"}, "is not one being created"},
		{"bad topic name", []string{"topics", "describe", "--brokers", addr, "no/slash"}, "path separator"},
		{"bad broker", []string{"topics", "describe", "--brokers", "nohostport"}, "not host:port"},
		{"unknown flag", []string{"topics", "create", "--brokers", addr, "--frobnicate"}, "frobnicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.stderr)
			}
		})
	}
	if code, _, errOut := runCLI(t, "topics", "describe", "--brokers", addr, "missing.v1"); code != exitError || !strings.Contains(errOut, "missing.v1") {
		t.Errorf("describe of a missing topic: exit %d, %s", code, errOut)
	}
}

// importBoth imports the sample files into an embedded data directory and
// to the broker at addr, and returns the directory.
func importBoth(t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	ex := filepath.Join("..", "..", "examples", "data")
	for _, f := range []struct{ file, symbol string }{{"btc-1h.csv", "BTC-USDT"}, {"eth-1h.csv", "ETH-USDT"}} {
		args := []string{"import", "--symbol", f.symbol, "--venue", "binance", filepath.Join(ex, f.file)}
		emb := mustRun(t, append([]string{args[0], "--data-dir", dir}, args[1:]...)...)
		kaf := mustRun(t, append([]string{args[0], "--brokers", addr}, args[1:]...)...)
		if emb != kaf {
			t.Errorf("import %s: Kafka summary\n%s\ndiffers from the embedded one\n%s", f.file, kaf, emb)
		}
	}
	return dir
}

func TestKafkaImportCat(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 8,618 bars twice; -short (the -race run) skips it")
	}
	addr := devBroker(t, nil)
	dir := importBoth(t, addr)

	// Importing again publishes nothing: every bar is already on the topic.
	out := mustRun(t, "import", "--brokers", addr, "--symbol", "BTC-USDT", "--venue", "binance", "../../examples/data/btc-1h.csv")
	if !strings.Contains(out, "(new 0, already stored 4309)") {
		t.Errorf("second import: %s", out)
	}
	// The same bars, merged by open time, then partition, then offset.
	embBars := mustRun(t, "cat", "--data-dir", dir, "market.bars.v1")
	kafBars := mustRun(t, "cat", "--brokers", addr, "market.bars.v1")
	if sortedLines(embBars) != sortedLines(kafBars) {
		t.Fatalf("cat --brokers: %d lines, embedded %d; contents differ", strings.Count(kafBars, "\n"), strings.Count(embBars, "\n"))
	}
	var prev time.Time
	for i, line := range strings.Split(strings.TrimSpace(kafBars), "\n") {
		b, err := events.DecodeBarJSON([]byte(line), true)
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if b.OpenTime.Before(prev) {
			t.Fatalf("line %d: open time %s before %s", i, b.OpenTime, prev)
		}
		prev = b.OpenTime
	}
	// --seq shows partition:offset; each symbol sits in its murmur2 partition.
	seq := mustRun(t, "cat", "--brokers", addr, "--seq", "--to-offset", "2", "market.bars.v1")
	for _, sym := range []string{"BTC-USDT", "ETH-USDT"} {
		p := (&kafkago.Murmur2Balancer{}).Balance(kafkago.Message{Key: []byte(sym)}, 0, 1, 2, 3, 4, 5)
		for _, o := range []string{":0\t", ":1\t"} {
			if !strings.Contains(seq, "\n"+itoa(p)+o+`{"symbol":"`+sym) && !strings.HasPrefix(seq, itoa(p)+o+`{"symbol":"`+sym) {
				t.Errorf("cat --seq lacks %s at partition %d offset %s:\n%s", sym, p, o, seq)
			}
		}
	}
	if n := strings.Count(seq, "\n"); n != 4 {
		t.Errorf("--to-offset 2: %d lines, want 4 (2 per symbol)", n)
	}
	// Time ranges select by event time, across partitions.
	rng := mustRun(t, "cat", "--brokers", addr, "--from-time", "2021-01-01T00:00:00Z", "--to-time", "2021-01-01T02:00:00Z", "market.bars.v1")
	if n := strings.Count(rng, "\n"); n != 4 {
		t.Errorf("two hours of two symbols: %d bars\n%s", n, rng)
	}
	// Rejected rows go to the dead-letter topic as to the embedded stream.
	emb := mustRun(t, "import", "--data-dir", dir, "testdata/bad_BTC_USDT-1h.csv")
	kaf := mustRun(t, "import", "--brokers", addr, "testdata/bad_BTC_USDT-1h.csv")
	if emb != kaf || !strings.Contains(kaf, "rejected 2") {
		t.Errorf("bad rows: Kafka\n%s\nembedded\n%s", kaf, emb)
	}
	embDead := mustRun(t, "cat", "--data-dir", dir, "deadletter.v1")
	kafDead := mustRun(t, "cat", "--brokers", addr, "deadletter.v1")
	if sortedLines(dropTime(embDead)) != sortedLines(dropTime(kafDead)) || strings.Count(kafDead, "\n") != 2 {
		t.Errorf("dead letters: Kafka\n%s\nembedded\n%s", kafDead, embDead)
	}

	// Binary values read back the same.
	addr2 := devBroker(t, nil)
	mustRun(t, "import", "--brokers", addr2, "--codec", "binary", "--symbol", "BTC-USDT", "--venue", "binance", "../../examples/data/btc-1h.csv")
	bin := mustRun(t, "cat", "--brokers", addr2, "market.bars.v1")
	if n := strings.Count(bin, "\n"); n != 4309 || !strings.Contains(embBars, strings.SplitN(bin, "\n", 2)[0]) {
		t.Errorf("binary import: %d bars", n)
	}
	again := mustRun(t, "import", "--brokers", addr2, "--symbol", "BTC-USDT", "--venue", "binance", "../../examples/data/btc-1h.csv")
	if !strings.Contains(again, "(new 0, already stored 4309)") {
		t.Errorf("JSON import over binary bars: %s", again)
	}
}

func TestKafkaImportSmall(t *testing.T) {
	// The short version of TestKafkaImportCat, also run under -race.
	addr := devBroker(t, nil)
	dir := t.TempDir()
	files := []string{"testdata/ninjabot-btc-1h-head.csv", "testdata/bad_BTC_USDT-1h.csv"}
	emb := mustRun(t, append([]string{"import", "--data-dir", dir}, files...)...)
	kaf := mustRun(t, append([]string{"import", "--brokers", addr}, files...)...)
	if emb != kaf {
		t.Errorf("Kafka summary\n%s\nembedded\n%s", kaf, emb)
	}
	for _, stream := range []string{"market.bars.v1", "deadletter.v1"} {
		e := mustRun(t, "cat", "--data-dir", dir, stream)
		k := mustRun(t, "cat", "--brokers", addr, stream)
		if sortedLines(dropTime(e)) != sortedLines(dropTime(k)) {
			t.Errorf("cat %s: Kafka\n%s\nembedded\n%s", stream, k, e)
		}
	}
	read, err := readTopic(context.Background(), kafka.Config{Brokers: []string{addr}}, topicRange{topic: kafka.TopicBars}, eventTimeOf(kafka.TopicBars))
	if err != nil || len(read.recs) != 55 {
		t.Fatalf("read %d bars: %v", len(read.recs), err)
	}
	meta, err := kafka.MetaOf(read.recs[0].rec.Headers)
	if err != nil || meta != kafka.MetaFor(kafka.EventBar, kafka.CodecJSON) || !events.IsJSON(read.recs[0].rec.Value) {
		t.Errorf("bar record headers %+v (%v), value %.40q; want JSON bar metadata", meta, err, read.recs[0].rec.Value)
	}
	again := mustRun(t, append([]string{"import", "--brokers", addr}, files...)...)
	if !strings.Contains(again, "(new 0, already stored 50)") || !strings.Contains(again, "(new 0, already stored 5)") {
		t.Errorf("second import:\n%s", again)
	}
}

func TestKafkaImportMissingTopic(t *testing.T) {
	addr := devBroker(t, []kafka.TopicSpec{})
	code, _, errOut := runCLI(t, "import", "--brokers", addr, "testdata/ninjabot-btc-1h-head.csv")
	if code != exitError || !strings.Contains(errOut, "candlewick topics create --brokers "+addr) {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestKafkaBacktestSignalsVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and replays 8,618 bars; -short (the -race run) skips it")
	}
	addr := devBroker(t, nil)
	dir := importBoth(t, addr)
	out := t.TempDir()
	// One symbol: the embedded stream holds the files one after the other,
	// the topic merges them by time, and a portfolio of two symbols
	// depends on that order.
	mustRun(t, "backtest", "--brokers", addr, "--strategy", "ema_cross", "--symbols", "BTC-USDT", "--out", filepath.Join(out, "k1"), "--quiet")
	mustRun(t, "backtest", "--data-dir", dir, "--strategy", "ema_cross", "--symbols", "BTC-USDT", "--out", filepath.Join(out, "e"), "--quiet")
	mustRun(t, "backtest", "--brokers", addr, "--strategy", "ema_cross", "--out", filepath.Join(out, "k"), "--quiet")
	for _, f := range []string{"trades.csv", "equity.csv"} {
		a, _ := os.ReadFile(filepath.Join(out, "k1", f))
		b, _ := os.ReadFile(filepath.Join(out, "e", f))
		if f == "trades.csv" {
			// Signal IDs hash the input position, which differs.
			a, b = dropIDs(a), dropIDs(b)
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between the Kafka and the embedded backtest:\n%.600s\n%.600s", f, a, b)
		}
	}

	// Publish the backtest's signals as a live run would: JSON, key =
	// symbol, in the partition of the market record that caused them.
	f, err := os.Open(filepath.Join(out, "k", "signals.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := backtest.ReadSignalsJSONL(f)
	f.Close()
	if err != nil || len(sigs) < 10 {
		t.Fatalf("%d signals, %v", len(sigs), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w := (kafka.Config{Brokers: []string{addr}}).Writer(kafka.TopicSignals, kafkago.BalancerFunc(
		func(m kafkago.Message, _ ...int) int { return int(m.Headers[0].Value[0]) }))
	var msgs []kafkago.Message
	for _, s := range sigs {
		if s.Source.Stream != events.StreamBars {
			t.Fatalf("signal source %+v: want a market.bars.v1 position", s.Source)
		}
		msgs = append(msgs, kafkago.Message{Key: []byte(s.Symbol), Value: s.AppendJSON(nil),
			Headers: []kafkago.Header{{Key: "test-partition", Value: []byte{byte(s.Source.Partition)}}}})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	w.Close()

	// signals --brokers prints them merged by time, partition, offset.
	printed := mustRun(t, "signals", "--brokers", addr)
	if sortedLines(printed) != sortedLines(jsonLines(sigs)) {
		t.Errorf("signals --brokers printed %d lines, want the %d published", strings.Count(printed, "\n"), len(sigs))
	}
	one := mustRun(t, "signals", "--brokers", addr, "--symbol", "ETH-USDT", "--since", "2021-01-01")
	for _, l := range strings.Split(strings.TrimSpace(one), "\n") {
		if !strings.Contains(l, `"symbol":"ETH-USDT"`) {
			t.Fatalf("--symbol ETH-USDT printed %s", l)
		}
	}

	// verify replays the market topic and finds the same signals.
	v := mustRun(t, "verify", "--brokers", addr, "--strategy", "ema_cross")
	if !strings.HasPrefix(v, "identical: "+itoa(len(sigs))+" signals from 8618 market events") {
		t.Errorf("verify --brokers: %s", v)
	}
	code, vout, _ := runCLI(t, "verify", "--brokers", addr, "--strategy", "rsi_reversion")
	if code != exitError || !strings.Contains(vout, "diverge") && !strings.Contains(vout, "signal") {
		t.Errorf("verify with another strategy: exit %d\n%s", code, vout)
	}
	// A range: signals of inputs outside it are left out and said so.
	v = mustRun(t, "verify", "--brokers", addr, "--strategy", "ema_cross", "--to-offset", "3000")
	if !strings.Contains(v, "outside the range read; not compared") {
		t.Errorf("verify --to-offset: %s", v)
	}
	if code, _, errOut := runCLI(t, "verify", "--brokers", addr, "testdata/ninjabot-btc-1h-head.csv"); code != exitUsage {
		t.Errorf("verify --brokers with files: exit %d %s", code, errOut)
	}
}

// testSignal is a valid signal of sym at hour h of 2021-01-01.
func testSignal(sym string, h int, p int32, o int64) events.Signal {
	return events.Signal{ID: fmt.Sprintf("%s-%d", sym, h), Strategy: "test", StrategyVersion: "1", ParamHash: "0",
		Symbol: sym, Timeframe: events.Interval(time.Hour), Time: time.Date(2021, 1, 1, h, 0, 0, 0, time.UTC),
		Kind: events.KindLong, Strength: 1, Price: events.MustFixed("1.5"), Reason: "test",
		Source: events.Position{Stream: events.StreamBars, Partition: p, Offset: o}}
}

func TestKafkaSignalsFollow(t *testing.T) {
	addr := devBroker(t, []kafka.TopicSpec{{Name: kafka.TopicSignals, Partitions: 2, ReplicationFactor: 1}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	publish := func(p int, s events.Signal) {
		t.Helper()
		w := (kafka.Config{Brokers: []string{addr}}).Writer(kafka.TopicSignals, kafkago.BalancerFunc(
			func(kafkago.Message, ...int) int { return p }))
		defer w.Close()
		if err := w.WriteMessages(ctx, kafkago.Message{Key: []byte(s.Symbol), Value: s.AppendJSON(nil)}); err != nil {
			t.Fatal(err)
		}
	}
	// Out of time order across partitions: printed merged by time.
	publish(1, testSignal("ETH-USDT", 2, 1, 0))
	publish(0, testSignal("BTC-USDT", 3, 0, 0))
	publish(0, testSignal("BTC-USDT", 1, 0, 1))

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := run(runCtx, []string{"signals", "--brokers", addr, "--follow", "--symbol", "BTC-USDT"}, stdio{in: strings.NewReader(""), out: pw, err: &errb})
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	next := func() events.Signal {
		t.Helper()
		if !sc.Scan() {
			t.Fatalf("signals --follow ended early: %s", errb.String())
		}
		s, err := events.DecodeSignalJSON(sc.Bytes(), true)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Only BTC-USDT (--symbol), by time although offset 1 came after 0.
	if a, b := next(), next(); a.ID != "BTC-USDT-1" || b.ID != "BTC-USDT-3" {
		t.Errorf("first lines %s, %s; want BTC-USDT-1 then BTC-USDT-3", a.ID, b.ID)
	}
	publish(1, testSignal("ETH-USDT", 5, 1, 1)) // filtered out
	publish(1, testSignal("BTC-USDT", 4, 1, 2)) // followed in partition 1
	if s := next(); s.ID != "BTC-USDT-4" {
		t.Errorf("followed %s, want BTC-USDT-4", s.ID)
	}
	stop()
	go io.Copy(io.Discard, pr)
	if code := <-done; code != exitOK {
		t.Errorf("signals --follow: exit %d after interrupt: %s", code, errb.String())
	}
}

func TestKafkaRangeFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"signals", "--brokers", "127.0.0.1:1", "--from-offset", "-1"}, "must not be negative"},
		{[]string{"signals", "--brokers", "127.0.0.1:1", "--from-offset", "5", "--to-offset", "5"}, "is not after --from-offset"},
		{[]string{"cat", "--brokers", "127.0.0.1:1", "--from-time", "yesterday", "market.bars.v1"}, "--from-time"},
		{[]string{"backtest", "--brokers", "127.0.0.1:1", "--strategy", "ema_cross", "--out", "x", "--to-time", "2020-01-01", "--from-time", "2021-01-01"}, "is not after --from-time"},
		{[]string{"verify", "--brokers", "127.0.0.1:1", "--topic", "a/b"}, "--topic"},
	} {
		code, _, errOut := runCLI(t, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", tc.args, code, errOut, tc.stderr)
		}
	}
}

func TestKafkaComposeRunConfig(t *testing.T) {
	// deploy/docker-compose.yaml's engines run with this config: it must
	// load and resolve as the run command does.
	cfg, err := loadRunConfig(filepath.Join("..", "..", "deploy", "run.compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	fs := newFlagSet(stdio{out: io.Discard}, "x", "", "")
	sf := addStrategyFlags(fs)
	sf.config = filepath.Join("..", "..", "deploy", "run.compose.yaml")
	if _, err := sf.resolve(fs); err != nil || len(cfg.Strategies) == 0 {
		t.Fatalf("run.compose.yaml: %v", err)
	}
}

// squeeze collapses runs of spaces, to match table rows whatever the
// column widths.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// dropIDs drops the last two CSV columns (entry and exit signal IDs).
func dropIDs(csv []byte) []byte {
	var out []byte
	for _, l := range strings.Split(string(csv), "\n") {
		f := strings.Split(l, ",")
		if len(f) > 2 {
			f = f[:len(f)-2]
		}
		out = append(out, strings.Join(f, ",")+"\n"...)
	}
	return out
}

// dropTime removes the rejection time (the wall clock) of dead letters.
func dropTime(s string) string {
	return regexp.MustCompile(`,"time":"[^"]*"`).ReplaceAllString(s, "")
}

func sortedLines(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	slices.Sort(l)
	return strings.Join(l, "\n")
}

func jsonLines(sigs []events.Signal) string {
	var b []byte
	for _, s := range sigs {
		b = append(s.AppendJSON(b), '\n')
	}
	return string(b)
}

func itoa(n int) string { return formatInt(int64(n)) }

// BenchmarkKafkaImport measures 'candlewick import --brokers' of 4,309 bars
// into a fresh dev broker per iteration (the full-topic read for duplicates
// included, on an empty topic).
func BenchmarkKafkaImport(b *testing.B) {
	b.ReportAllocs()
	var bars int
	for b.Loop() {
		b.StopTimer()
		ctx := context.Background()
		d, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var out, errb bytes.Buffer
		code := run(ctx, []string{"import", "--quiet", "--brokers", d.Addrs()[0], "--symbol", "BTC-USDT", "../../examples/data/btc-1h.csv"},
			stdio{in: strings.NewReader(""), out: &out, err: &errb})
		if code != exitOK {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
		bars += 4309
		b.StopTimer()
		d.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(bars)/b.Elapsed().Seconds(), "bars/s")
}

// BenchmarkKafkaReadTopic measures readTopic (the range reader of cat,
// signals, backtest and verify) over 8,618 JSON bars in 6 partitions,
// decode and merge included.
func BenchmarkKafkaReadTopic(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	d, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	for _, f := range []struct{ file, sym string }{{"btc-1h.csv", "BTC-USDT"}, {"eth-1h.csv", "ETH-USDT"}} {
		var out, errb bytes.Buffer
		if code := run(ctx, []string{"import", "--quiet", "--brokers", d.Addrs()[0], "--symbol", f.sym, "../../examples/data/" + f.file},
			stdio{in: strings.NewReader(""), out: &out, err: &errb}); code != exitOK {
			b.Fatalf("import: %s", errb.String())
		}
	}
	cfg := kafka.Config{Brokers: d.Addrs()}
	var n int
	for b.Loop() {
		read, err := readTopic(ctx, cfg, topicRange{topic: kafka.TopicBars}, eventTimeOf(events.StreamBars))
		if err != nil {
			b.Fatal(err)
		}
		n += len(read.recs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
