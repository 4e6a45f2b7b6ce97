package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/internal/kafkatest"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

// groupPartitions is the market topic's partition count in the group tests.
const groupPartitions = 6

// groupSessionTimeout is the instances' session timeout: the development
// broker's group.min.session.timeout.ms is kfake's default, 6s, and a dead
// instance's partitions move on that long after its kill.
const groupSessionTimeout = "6s"

// groupBars returns the market data of the group tests: the five Binance
// 5m series of ../shared/data/market/binance-spot-nfi and two of
// ../shared/data/market/freqtrade (GPL-3.0 data, read in place, not
// copied), the first perSymbol bars of each, or, without the
// shared data, the bundled Binance samples (examples/data: btc-1h, eth-1h
// and the ETH 5m series; MIT). Merged by open time, as a market topic
// receives them.
func groupBars(t *testing.T, perSymbol int) []events.Bar {
	t.Helper()
	var all []events.Bar
	add := func(bars []events.Bar) { all = append(all, bars[:min(len(bars), perSymbol)]...) }
	if dir, err := shareddata.Find("market", "binance-spot-nfi"); err == nil {
		for _, sym := range []string{"BTC", "ETH", "ADA", "SOL", "XRP"} {
			var bars []events.Bar
			path := filepath.Join(dir, sym+"_USDT-5m.json.gz")
			if _, err := feeds.ImportFile(context.Background(), path, feeds.Options{}, feeds.SinkFuncs{
				OnBar: func(b events.Bar) error { bars = append(bars, b); return nil },
			}); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			add(bars)
		}
		// Two more Binance 5m series (freqtrade's test data, 2018): the
		// five USDT symbols hash (Murmur2) to partitions 2 and 5 only;
		// ADA-BTC and ETH-BTC go to 1 and 4, so four partitions carry data.
		if dir, err := shareddata.Find("market", "freqtrade"); err == nil {
			for _, name := range []string{"ADA_BTC-5m.json", "ETH_BTC-5m.json"} {
				var bars []events.Bar
				path := filepath.Join(dir, name)
				if _, err := feeds.ImportFile(context.Background(), path, feeds.Options{Venue: "binance"}, feeds.SinkFuncs{
					OnBar: func(b events.Bar) error { bars = append(bars, b); return nil },
				}); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				add(bars)
			}
		}
	} else {
		t.Logf("shared data absent (%v): the bundled samples instead", err)
		for _, bars := range kafkatest.SampleSeries(t) {
			add(bars)
		}
	}
	slices.SortStableFunc(all, func(a, b events.Bar) int { return a.OpenTime.Compare(b.OpenTime) })
	return all
}

// defaultEngineConfig is the engine configuration of 'candlewick run'
// without --config or --strategy: every built-in with its defaults.
func defaultEngineConfig(t *testing.T) engine.Config {
	t.Helper()
	reg, ireg, err := registries()
	if err != nil {
		t.Fatal(err)
	}
	insts, err := instances(reg, nil, nil, ruleLoader(ireg))
	if err != nil {
		t.Fatal(err)
	}
	return engine.Config{Indicators: ireg, Strategies: insts}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// member is one 'candlewick run --brokers' subprocess.
type member struct {
	name     string
	cmd      *exec.Cmd
	out, err syncBuffer
	done     chan struct{}
	waitErr  error
}

func startMemberProc(t *testing.T, name string, brokers []string) *member {
	t.Helper()
	return startMember(t, name, "run", "--brokers", strings.Join(brokers, ","),
		"--snapshot-every", "40", "--session-timeout", groupSessionTimeout, "--heartbeat-interval", "250ms",
		"--log-level", "info")
}

// startMember starts the candlewick binary with args as member name, and
// kills it at the end of the test if it is still running.
func startMember(t *testing.T, name string, args ...string) *member {
	t.Helper()
	m := &member{name: name, done: make(chan struct{})}
	m.cmd = exec.Command(candlewickBinary(t), args...)
	m.cmd.Stdout, m.cmd.Stderr = &m.out, &m.err
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		m.waitErr = m.cmd.Wait()
		close(m.done)
	}()
	t.Cleanup(func() {
		select {
		case <-m.done:
		default:
			_ = m.cmd.Process.Kill()
			<-m.done
		}
	})
	return m
}

var generationRE = regexp.MustCompile(`msg=generation .*partitions="\[([0-9 ]*)\]"`)

// partitions returns the partitions of m's latest generation.
func (m *member) partitions() []int {
	gens := generationRE.FindAllStringSubmatch(m.err.String(), -1)
	if len(gens) == 0 {
		return nil
	}
	var out []int
	for _, f := range strings.Fields(gens[len(gens)-1][1]) {
		p, _ := strconv.Atoi(f)
		out = append(out, p)
	}
	return out
}

func (m *member) alive(t *testing.T) {
	t.Helper()
	select {
	case <-m.done:
		t.Fatalf("%s ended by itself: %v\nstdout: %s\nstderr: %s", m.name, m.waitErr, m.out.String(), m.err.String())
	default:
	}
}

func (m *member) kill(t *testing.T) {
	t.Helper()
	if err := m.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-m.done
}

// stop sends SIGTERM, requires exit status 0 and returns the summary.
func (m *member) stop(t *testing.T) runSummary {
	t.Helper()
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not exit within 60s of SIGTERM\nstderr: %s", m.name, m.err.String())
	}
	if m.waitErr != nil {
		t.Fatalf("%s stopped by SIGTERM: %v\nstdout: %s\nstderr: %s", m.name, m.waitErr, m.out.String(), m.err.String())
	}
	s := runSummaryRE.FindStringSubmatch(m.out.String())
	if s == nil {
		t.Fatalf("%s printed no summary: %q", m.name, m.out.String())
	}
	var n [5]int64
	for i := range n {
		n[i], _ = strconv.ParseInt(s[i+1], 10, 64)
	}
	return runSummary{n[0], n[1], n[2], n[3], n[4]}
}

// groupRun is one test's cluster, data and reference.
type groupRun struct {
	t        *testing.T
	dev      *kafka.Dev
	log      *kafka.Log
	msgs     []kafkago.Message
	parts    []int
	want     [][]byte
	wantN    []int64
	total    int64
	fed      int
	w        *kafkago.Writer
	feedDone chan struct{}
	feedErr  error
}

func newGroupRun(t *testing.T, perSymbol int) *groupRun {
	t.Helper()
	g := &groupRun{t: t}
	g.msgs, g.parts = kafkatest.MarketMessages(groupBars(t, perSymbol), groupPartitions)
	g.want, g.wantN = kafkatest.ReferenceSignals(t, g.msgs, g.parts, groupPartitions, defaultEngineConfig(t))
	for _, n := range g.wantN {
		g.total += n
	}
	if g.total < 100 {
		t.Fatalf("the single-engine runs emitted %d signals: too few to prove anything", g.total)
	}
	// Built before anything runs: the build takes seconds, which must not
	// fall between the start of the feed and the start of the engines.
	candlewickBinary(t)
	ctx := context.Background()
	dev, err := kafka.StartDev(ctx, kafka.DevConfig{Listen: "127.0.0.1:0", Partitions: groupPartitions})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	g.dev = dev
	cfg := kafka.Config{Brokers: dev.Addrs()}
	if g.log, err = kafka.Open(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.log.Close() })
	g.w = cfg.Writer(kafka.TopicBars, &kafkago.Murmur2Balancer{})
	t.Cleanup(func() { g.w.Close() })
	return g
}

// prefill publishes the first n market records at once.
func (g *groupRun) prefill(n int) {
	g.t.Helper()
	if err := g.w.WriteMessages(context.Background(), g.msgs[:n]...); err != nil {
		g.t.Fatal(err)
	}
	g.fed = n
}

// feed publishes the rest of the market data in chunks, paced by a ticker
// so that the engines run while it arrives; it returns at once (see
// waitFed).
func (g *groupRun) feed() {
	g.feedDone = make(chan struct{})
	first := g.fed
	go func() {
		defer close(g.feedDone)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		const chunk = 40
		for i := first; i < len(g.msgs); i += chunk {
			<-tick.C
			if err := g.w.WriteMessages(context.Background(), g.msgs[i:min(i+chunk, len(g.msgs))]...); err != nil {
				g.feedErr = err
				return
			}
		}
	}()
}

func (g *groupRun) waitFed() {
	<-g.feedDone
	if g.feedErr != nil {
		g.t.Fatal(g.feedErr)
	}
}

// counts returns the number of records in each signal partition, failing
// the test when one has more than the reference.
func (g *groupRun) counts() []int64 {
	g.t.Helper()
	out := make([]int64, groupPartitions)
	for p := range groupPartitions {
		last, err := g.log.Partition(int32(p)).Last(context.Background(), kafka.TopicSignals)
		if err != nil {
			g.t.Fatal(err)
		}
		out[p] = last + 1
		if out[p] > g.wantN[p] {
			g.t.Fatalf("signal partition %d holds %d records, more than the single engine's %d: duplicates", p, out[p], g.wantN[p])
		}
	}
	return out
}

// waitSignals polls the signal partitions until cond holds, checking that
// the members are alive.
func (g *groupRun) waitSignals(what string, timeout time.Duration, ms []*member, cond func(c []int64) bool) {
	g.t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(timeout)
	for {
		c := g.counts()
		if cond(c) {
			return
		}
		for _, m := range ms {
			m.alive(g.t)
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("%s: timed out with signals %v (want %v)\n%s", what, c, g.wantN, memberLogs(ms))
		}
		<-tick.C
	}
}

// memberLogs returns the members' stderr, for a failure message.
func memberLogs(ms []*member) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "--- %s:\n%s\n", m.name, m.err.String())
	}
	return b.String()
}

// check compares every signal partition with the single engine's.
func (g *groupRun) check() {
	g.t.Helper()
	for p := range groupPartitions {
		got := eventlogtest.Render(g.t, g.log.Partition(int32(p)), kafka.TopicSignals)
		if d := golden.Diff(got, g.want[p]); d != "" {
			g.t.Fatalf("signal partition %d differs from the single engine's: %s", p, d)
		}
	}
}

// midStream reports whether partition p's signals are well under way and
// far from done, at counts c: a kill then lands mid-stream even if the
// rest of the kill path takes a while.
func (g *groupRun) midStream(c []int64, p int) bool {
	return c[p] >= 20 && c[p] <= g.wantN[p]*2/3
}

// busy returns the partitions that hold market data.
func (g *groupRun) busy() []int {
	var out []int
	for p := range groupPartitions {
		if slices.Contains(g.parts, p) {
			out = append(out, p)
		}
	}
	return out
}

// waitGroupEmpty waits until the broker has expired every member of the
// engines' group (a session timeout after they died). A real cluster does
// not need this: members that join meanwhile wait in a rebalance until the
// dead ones expire. kfake, though, can carry members killed while their
// join request was pending into the next generation and then never expire
// them, leaving their partitions assigned to nobody alive; a restart into
// an empty group avoids that.
func (g *groupRun) waitGroupEmpty() {
	g.t.Helper()
	cl := kafka.Config{Brokers: g.dev.Addrs()}.Client()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := cl.DescribeGroups(context.Background(), &kafkago.DescribeGroupsRequest{GroupIDs: []string{kafka.DefaultGroupID}})
		if err == nil && len(resp.Groups) == 1 && len(resp.Groups[0].Members) == 0 {
			return
		}
		if time.Now().After(deadline) {
			g.t.Logf("the dead members are still in the group after 60s (%v); restarting anyway", err)
			return
		}
		<-tick.C
	}
}

// waitFormed waits until the three members share the partitions: each
// has some, none has all.
func (g *groupRun) waitFormed(ms []*member) {
	g.t.Helper()
	g.waitSignals("the group to form", 60*time.Second, ms, func([]int64) bool {
		seen := map[int]bool{}
		for _, m := range ms {
			owned := m.partitions()
			if len(owned) == 0 || len(owned) == groupPartitions {
				return false
			}
			for _, p := range owned {
				seen[p] = true
			}
		}
		return len(seen) == groupPartitions
	})
}

// restoredOrSuppressed reports whether a member's log shows a restored
// snapshot, or its summary signals it found already present.
func restoredOrSuppressed(m *member, s runSummary) bool {
	return s.present > 0 || strings.Contains(m.err.String(), "snapshot restored")
}

// TestKafkaGroupKillOne runs three 'candlewick run --brokers' instances in
// one consumer group over a 6-partition market topic fed with the real
// Binance series while they run, kills (SIGKILL) one that owns market data
// mid-stream, lets the other two take its partitions over and finish, and
// requires every signal partition to equal, byte for byte and in order, a
// single engine's run over the same market partition: nothing lost,
// nothing duplicated.
func TestKafkaGroupKillOne(t *testing.T) {
	g := newGroupRun(t, 2000)
	g.prefill(200)
	ms := []*member{startMemberProc(t, "a", g.dev.Addrs()), startMemberProc(t, "b", g.dev.Addrs()), startMemberProc(t, "c", g.dev.Addrs())}
	g.waitFormed(ms)
	g.feed()
	// Wait until the three share the partitions and one of them owns a
	// partition whose signals are partly out, then kill that one.
	var victim *member
	g.waitSignals("a partition mid-stream", 60*time.Second, ms, func(c []int64) bool {
		for _, m := range ms {
			owned := m.partitions()
			if len(owned) > 0 && len(owned) < groupPartitions && slices.ContainsFunc(owned, func(p int) bool { return g.midStream(c, p) }) {
				victim = m
				return true
			}
		}
		return false
	})
	owned := victim.partitions()
	victim.kill(t)
	before := g.counts()
	// Mid-stream: a partition of the victim had some of its signals out,
	// not all.
	if !slices.ContainsFunc(owned, func(p int) bool { return before[p] > 0 && before[p] < g.wantN[p] }) {
		t.Fatalf("killed %s (partitions %v) at signals %v of %v: none of its partitions was mid-stream\n%s", victim.name, owned, before, g.wantN, memberLogs(ms))
	}
	var rest []*member
	for _, m := range ms {
		if m != victim {
			rest = append(rest, m)
		}
	}
	g.waitFed()
	g.waitSignals("after the kill", 60*time.Second, rest, func(c []int64) bool { return slices.Equal(c, g.wantN) })
	mid := false
	for _, m := range rest {
		s := m.stop(t)
		mid = mid || restoredOrSuppressed(m, s)
		t.Logf("%s: %+v", m.name, s)
	}
	g.check()
	if !mid {
		t.Error("no surviving instance restored a snapshot or met an already-present signal: the kill was not mid-stream")
	}
	t.Logf("%d bars, %d signals; killed %s (partitions %v) at signals %v", len(g.msgs), g.total, victim.name, owned, before)
}

// TestKafkaGroupRestartAll kills all three instances mid-stream and starts
// three new ones, which must finish the job with the same signals as a
// single engine's run.
func TestKafkaGroupRestartAll(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a whole group: waits out the dead members' session timeout")
	}
	g := newGroupRun(t, 2000)
	g.prefill(200)
	ms := []*member{startMemberProc(t, "a", g.dev.Addrs()), startMemberProc(t, "b", g.dev.Addrs()), startMemberProc(t, "c", g.dev.Addrs())}
	g.waitFormed(ms)
	g.feed()
	g.waitSignals("a partition mid-stream", 60*time.Second, ms, func(c []int64) bool {
		return slices.ContainsFunc(g.busy(), func(p int) bool { return g.midStream(c, p) })
	})
	for _, m := range ms {
		m.kill(t)
	}
	before := g.counts()
	g.waitGroupEmpty()
	if !slices.ContainsFunc(g.busy(), func(p int) bool { return before[p] > 0 && before[p] < g.wantN[p] }) {
		t.Fatalf("killed all at signals %v of %v: no partition was mid-stream", before, g.wantN)
	}
	ms = []*member{startMemberProc(t, "d", g.dev.Addrs()), startMemberProc(t, "e", g.dev.Addrs()), startMemberProc(t, "f", g.dev.Addrs())}
	g.waitFed()
	g.waitSignals("after the restart", 90*time.Second, ms, func(c []int64) bool { return slices.Equal(c, g.wantN) })
	mid := false
	for _, m := range ms {
		s := m.stop(t)
		mid = mid || restoredOrSuppressed(m, s)
		t.Logf("%s: %+v", m.name, s)
	}
	g.check()
	if !mid {
		t.Error("no restarted instance restored a snapshot or met an already-present signal: the kills were not mid-stream")
	}
	t.Logf("%d bars, %d signals; killed all three at signals %v", len(g.msgs), g.total, before)
}

// TestKafkaRunOnce runs one 'candlewick run --brokers --once' over a market
// topic fed beforehand: it exits 0 by itself once the group has consumed
// every partition, with the single engine's signals in every partition and
// the summary of what it did.
func TestKafkaRunOnce(t *testing.T) {
	g := newGroupRun(t, 500)
	g.prefill(len(g.msgs))
	m := &member{name: "once", done: make(chan struct{})}
	m.cmd = exec.Command(candlewickBinary(t), "run", "--brokers", strings.Join(g.dev.Addrs(), ","), "--once",
		"--snapshot-every", "100", "--session-timeout", groupSessionTimeout, "--heartbeat-interval", "250ms", "--log-level", "debug")
	m.cmd.Stdout, m.cmd.Stderr = &m.out, &m.err
	if err := m.cmd.Run(); err != nil {
		t.Fatalf("run --once: %v\nstdout: %s\nstderr: %s", err, m.out.String(), m.err.String())
	}
	s := runSummaryRE.FindStringSubmatch(m.out.String())
	if s == nil {
		t.Fatalf("no summary: %q", m.out.String())
	}
	if want := fmt.Sprintf("handled %d events: %d signals appended, 0 already present, 0 dead letters; next position %d", len(g.msgs), g.total, len(g.msgs)); s[0] != want {
		t.Fatalf("summary %q, want %q", s[0], want)
	}
	if c := g.counts(); !slices.Equal(c, g.wantN) {
		t.Fatalf("signals per partition %v, want %v", c, g.wantN)
	}
	g.check()
	t.Log(m.err.String())
}

// TestKafkaRunNoBroker starts 'candlewick run --brokers' with no broker
// listening: it keeps retrying rather than failing, and SIGTERM still ends
// it with status 0.
func TestKafkaRunNoBroker(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	m := startMember(t, "nobroker", "run", "--brokers", addr, "--retry-backoff", "10ms", "--max-attempts", "2", "--log-level", "warn")
	// It has given up on the log at least once (max-attempts 2) and is
	// still there: the failure is logged and retried.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(m.err.String(), "rejoining") {
		m.alive(t)
		if time.Now().After(deadline) {
			t.Fatalf("no retry logged within 30s:\n%s", m.err.String())
		}
		<-tick.C
	}
	m.alive(t)
	s := m.stop(t)
	if s.handled != 0 {
		t.Fatalf("summary %+v without a broker", s)
	}
}
