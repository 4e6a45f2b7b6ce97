package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/events"
)

var (
	binMu   sync.Mutex
	binPath string // "" until built (again)
)

// candlewickBinary builds the command once per test binary and returns its
// path. The package's TestMain belongs to the CLI tests, so there is no
// place to remove the binary when the last test is done: under 'go test' it
// goes into the test binary's own work directory, which go test removes;
// otherwise (a test binary built with -c and run by hand) into a temporary
// directory that the calling test removes, so that the next test builds
// again.
func candlewickBinary(t *testing.T) string {
	t.Helper()
	binMu.Lock()
	defer binMu.Unlock()
	if binPath != "" {
		return binPath
	}
	var dir string
	exe, err := os.Executable()
	if work := filepath.Dir(exe); err == nil && strings.Contains(filepath.Base(filepath.Dir(work)), "go-build") {
		dir, err = os.MkdirTemp(work, "bin-")
	} else {
		dir, err = os.MkdirTemp("", "candlewick-bin-")
		t.Cleanup(func() {
			binMu.Lock()
			defer binMu.Unlock()
			os.RemoveAll(dir)
			binPath = ""
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "candlewick")
	if out, err := exec.Command("go", "build", "-o", p, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	binPath = p
	return p
}

// marketRecords imports the bundled sample files the demo uses into a
// scratch log and returns its market stream records, in order.
func marketRecords(t *testing.T, files ...string) []eventlog.Record {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		args := []string{"import", "--quiet", "--data-dir", dir}
		if f == "../../examples/data/btc-1h.csv" {
			args = append(args, "--symbol", "BTC-USDT", "--venue", "binance")
		}
		if code, out, errOut := runCLI(t, append(args, f)...); code != exitOK {
			t.Fatalf("import %s: exit %d\n%s%s", f, code, out, errOut)
		}
	}
	l := openTestLog(t, dir)
	defer l.Close()
	return eventlogtest.ReadAll(t, l, events.StreamBars)
}

func openTestLog(t *testing.T, dir string) *disk.Log {
	t.Helper()
	l, err := disk.Open(disk.Config{Dir: dir, Fsync: disk.FsyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// appendMarket appends recs to dir's market stream and closes the log again.
func appendMarket(t *testing.T, dir string, recs []eventlog.Record) {
	t.Helper()
	if len(recs) == 0 {
		return
	}
	l := openTestLog(t, dir)
	if _, err := l.Append(context.Background(), events.StreamBars, recs); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// signalStream returns dir's signal stream as text (key, headers, value per
// record), for a byte-for-byte comparison.
func signalStream(t *testing.T, dir string) ([]byte, int) {
	t.Helper()
	l := openTestLog(t, dir)
	defer l.Close()
	it, err := l.Read(context.Background(), events.StreamSignals, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	n := 0
	for it.Next() {
		r := it.Record()
		fmt.Fprintf(&b, "%d %s", r.Seq, r.Key)
		for _, h := range r.Headers {
			fmt.Fprintf(&b, " %s=%s", h.Key, h.Value)
		}
		fmt.Fprintf(&b, " %s\n", r.Value)
		n++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), n
}

// startRun starts 'candlewick run' on dir with extra flags.
func startRun(t *testing.T, dir string, stderr *bytes.Buffer, flags ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(candlewickBinary(t), append([]string{"run", "--data-dir", dir, "--log-level", "warn"}, flags...)...)
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// crashSeed seeds TestCrashSafety's chunks and kill moments; the lead runs
// others with -args -crash.seed=N.
var crashSeed = flag.Int64("crash.seed", 20261130, "seed of TestCrashSafety")

// withPoison returns recs with n poison events (values that are no bar) at
// random places: the runs must dead-letter each exactly once, crashes or
// not.
func withPoison(recs []eventlog.Record, n int, rng *rand.Rand) []eventlog.Record {
	out := append([]eventlog.Record(nil), recs...)
	for i := range n {
		at := rng.Intn(len(out) + 1)
		poison := eventlog.Record{Key: []byte("ETH-USD"), Value: fmt.Appendf(nil, `{"poison":%d}`, i)}
		out = append(out[:at], append([]eventlog.Record{poison}, out[at:]...)...)
	}
	return out
}

// deadLetters returns dir's dead-letter stream as text: key, source, reason
// and original bytes per record, leaving out the wall-clock time at which
// each was rejected.
func deadLetters(t *testing.T, dir string) string {
	t.Helper()
	l := openTestLog(t, dir)
	defer l.Close()
	it, err := l.Read(context.Background(), events.StreamDeadLetter, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for it.Next() {
		d := eventlog.DeadLetterOf(it.Record())
		fmt.Fprintf(&b, "%s %s %q %s\n", it.Record().Key, d.Source, d.Reason, d.Original)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCrashSafety kills a following 'candlewick run' with SIGKILL at 20
// seeded random moments while this process keeps appending market bars to
// the same data directory (the disk log is multi-process), restarts it each
// time, lets a last run catch up and stops it with SIGTERM, and checks that
// the signal stream is byte for byte the one of an uninterrupted 'run
// --once' over the same market stream: nothing lost, nothing duplicated.
// The market stream holds a few poison events too, whose dead letters must
// also be there exactly once.
//
// Nothing waits on the wall clock (the machine may be loaded): the appends
// are paced by the run's progress, read from the signal stream against the
// reference (market events stay up to a fixed lead ahead of the run, in
// chunks of random size, and the input of the next signal is always there), and each kill comes when the
// signal stream reaches a seeded random length, or for some runs when the
// run has taken a snapshot or two (so that kills also land while a restarted
// run replays what its predecessor already did).
func TestCrashSafety(t *testing.T) {
	const poison = 8
	kills := 20
	if testing.Short() {
		kills = 5
	}
	recs := marketRecords(t, "../../examples/data/Binance-ETH-USD-PT5M-20230313_20230315.json", "../../examples/data/btc-1h.csv")
	if len(recs) > 2500 {
		recs = recs[:2500] // enough for every strategy to warm up and trade
	}
	recs = withPoison(recs, poison, rand.New(rand.NewSource(*crashSeed+2)))
	total := int64(len(recs))

	ref := t.TempDir()
	appendMarket(t, ref, recs)
	var refErr bytes.Buffer
	if err := startRun(t, ref, &refErr, "--once").Wait(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, refErr.String())
	}
	want, nwant := signalStream(t, ref)
	wantDead := deadLetters(t, ref)
	if n := strings.Count(wantDead, "\n"); n != poison {
		t.Fatalf("the uninterrupted run dead-lettered %d events, want the %d poison ones:\n%s", n, poison, wantDead)
	}
	src := signalSources(t, ref)
	if nwant < 10*kills {
		t.Fatalf("the uninterrupted run emitted %d signals: too few for %d kills", nwant, kills)
	}

	dir := t.TempDir()
	w := newWatcher(t, dir)
	// Two sources: the chunk sizes and the kill schedule are each a fixed
	// sequence for a seed, however the appends and kills interleave.
	rng := rand.New(rand.NewSource(*crashSeed))
	chunks := rand.New(rand.NewSource(*crashSeed + 1))
	next, appends := int64(0), 0
	appendChunk := func() {
		n := 1 + chunks.Int63n(60)
		n = min(n, total-next)
		if _, err := w.log.Append(context.Background(), events.StreamBars, recs[next:next+n]); err != nil {
			t.Fatal(err)
		}
		next += n
		appends++
	}
	const lead = 150 // market events appended ahead of the run, at most
	// feed appends a chunk when the run is close to the end of the market
	// stream, judged by the signals it has appended (c of them).
	feed := func(c int64) {
		if next >= total {
			return
		}
		if c < int64(nwant) && src[c] >= next {
			appendChunk() // the next signal's input is not there yet
			return
		}
		done := int64(0) // input the run has certainly handled
		if c > 0 {
			done = src[c-1] + 1
		}
		if next-done < lead {
			appendChunk()
		}
	}
	appendChunk() // before the first run: the stream exists when it starts
	appends = 0

	// Kill points: distinct signal counts, in order, in the first nine
	// tenths of the stream so that every run can add at least one signal.
	perm := rng.Perm(nwant * 9 / 10)[:kills]
	sort.Ints(perm)
	killed, bySnap := 0, 0
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for i := range kills {
		c := w.count(events.StreamSignals)
		target := max(int64(perm[i]+1), c+1)
		snapTarget := int64(-1) // kill on signal growth only
		if rng.Intn(3) == 0 {
			snapTarget = w.count(events.StreamSnapshots) + 1 + rng.Int63n(2)
		}
		p := startFollow(t, dir, "--snapshot-every", fmt.Sprint(20+rng.Intn(300)))
		for {
			p.exited(t)
			c = w.count(events.StreamSignals)
			if c > int64(nwant) {
				t.Fatalf("run %d: %d signals, more than the %d of an uninterrupted run", i, c, nwant)
			}
			if c >= target {
				break
			}
			if snapTarget >= 0 && w.count(events.StreamSnapshots) >= snapTarget {
				bySnap++
				break
			}
			feed(c)
			<-tick.C
		}
		if p.kill(t) {
			killed++
		}
	}

	// The last run: market events keep arriving until they are all there;
	// once every signal is too, SIGTERM must snapshot and exit 0.
	p := startFollow(t, dir)
	for {
		p.exited(t)
		c := w.count(events.StreamSignals)
		if c > int64(nwant) {
			t.Fatalf("last run: %d signals, more than the %d of an uninterrupted run", c, nwant)
		}
		if c == int64(nwant) && next == total {
			break
		}
		feed(c)
		<-tick.C
	}
	p.stop(t)
	sum := p.summary(t)
	finishRun(t, dir, w, total, sum)
	t.Logf("seed %d: %d market events in %d appends while a run was following, %d runs killed mid-way (%d after a snapshot), %d signals; the last run got to %d",
		*crashSeed, total, appends, killed, bySnap, nwant, sum.next)
	if killed != kills {
		t.Errorf("%d of %d runs were killed; the others had ended before", killed, kills)
	}
	compareSignals(t, dir, want, nwant)
	if got := deadLetters(t, dir); got != wantDead {
		t.Fatalf("dead letters:\n%s\nwant (as the uninterrupted run):\n%s", got, wantDead)
	}
}
