package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// candlewickBinary builds the command once per test binary (the package's
// TestMain belongs to the CLI tests, so the build is lazy rather than in
// TestMain) and returns its path.
func candlewickBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "candlewick-bin-")
		if binErr != nil {
			return
		}
		// Only the crash test runs the binary, once per test process.
		t.Cleanup(func() { os.RemoveAll(binDir) })
		binPath = filepath.Join(binDir, "candlewick")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
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
	it, err := l.Read(context.Background(), events.StreamBars, 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func openTestLog(t *testing.T, dir string) *disk.Log {
	t.Helper()
	l, err := disk.Open(disk.Config{Dir: dir, Fsync: disk.FsyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// appendMarket appends recs to dir's market stream and closes the log again,
// so that the run process is the only one with the log open while it runs.
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

// TestCrashSafety kills 'candlewick run' with SIGKILL at 20 seeded random
// moments while market events keep arriving between the runs, restarts it
// each time, and checks that the final signal stream is byte for byte the
// one of an uninterrupted run: nothing lost, nothing duplicated. A last run
// is stopped with SIGTERM and must exit 0 after its shutdown snapshot.
//
// The disk log is one process's at a time here: the test appends while no
// run process is alive (appending and following across processes at once is
// not what the embedded log promises today).
func TestCrashSafety(t *testing.T) {
	kills := 20
	if testing.Short() {
		kills = 5
	}
	recs := marketRecords(t, "../../examples/data/Binance-ETH-USD-PT5M-20230313_20230315.json", "../../examples/data/btc-1h.csv")

	if len(recs) > 2500 {
		recs = recs[:2500] // enough for every strategy to warm up and trade
	}

	ref := t.TempDir()
	appendMarket(t, ref, recs)
	var refErr bytes.Buffer
	if err := startRun(t, ref, &refErr, "--once").Wait(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, refErr.String())
	}
	want, nwant := signalStream(t, ref)
	if nwant == 0 {
		t.Fatal("the uninterrupted run emitted no signals: the test would prove nothing")
	}
	refBytes := dirBytes(filepath.Join(ref, events.StreamSignals))

	dir := t.TempDir()
	rng := rand.New(rand.NewSource(20261130))
	next, killed := 0, 0
	for i := 0; i < kills; i++ {
		// Market events arrive: a random chunk, so kills land both in
		// replays and in new data.
		n := 1 + rng.Intn(2*len(recs)/kills)
		if next+n > len(recs) || i == kills-1 {
			n = len(recs) - next
		}
		appendMarket(t, dir, recs[next:next+n])
		next += n
		// The kill moment is random in the run's progress rather than in
		// wall time (which depends on the machine's load): once the run has
		// appended a random share of the signals its new events give.
		sigDir := filepath.Join(dir, events.StreamSignals)
		before := dirBytes(sigDir)
		target := before + 1 + rng.Int63n(max(1, refBytes*int64(n)/int64(len(recs))))
		var errb bytes.Buffer
		cmd := startRun(t, dir, &errb, "--once", "--snapshot-every", fmt.Sprint(20+rng.Intn(300)))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		tick := time.NewTicker(time.Millisecond)
	wait:
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run %d ended by itself with %v\n%s", i, err, errb.String())
				}
				break wait
			case <-tick.C:
				if dirBytes(sigDir) < target {
					continue
				}
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
					t.Fatal(err)
				}
				if err := <-done; err != nil {
					killed++
				}
				break wait
			}
		}
		tick.Stop()
	}
	// A graceful stop: SIGTERM once the run has started (its handler is
	// installed by then) must snapshot and exit 0.
	cmd := exec.Command(candlewickBinary(t), "run", "--data-dir", dir, "--log-level", "info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	started, stopped := false, false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !started && strings.Contains(sc.Text(), "run starting") {
			started = true
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
		stopped = stopped || strings.Contains(sc.Text(), "run stopped")
	}
	if err := cmd.Wait(); err != nil || !stopped {
		t.Fatalf("run stopped by SIGTERM: %v, stopped cleanly %v\n%s", err, stopped, strings.Join(lines, "\n"))
	}
	var errb bytes.Buffer
	// And a last run to the end.
	errb.Reset()
	if err := startRun(t, dir, &errb, "--once").Wait(); err != nil {
		t.Fatalf("final run: %v\n%s", err, errb.String())
	}
	got, ngot := signalStream(t, dir)
	t.Logf("%d market events, %d runs killed mid-way, %d signals", len(recs), killed, ngot)
	if killed == 0 {
		t.Errorf("none of %d runs was killed before it finished: the test proved nothing", kills)
	}
	if !bytes.Equal(got, want) {
		g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
		for i := range min(len(g), len(w)) {
			if !bytes.Equal(g[i], w[i]) {
				t.Fatalf("signal streams differ at record %d (%d signals, want %d):\ngot:  %.300s\nwant: %.300s", i, ngot, nwant, g[i], w[i])
			}
		}
		t.Fatalf("got %d signals, want %d", ngot, nwant)
	}
}

// dirBytes returns the total size of the files in dir (0 if it is missing):
// how far a stream has grown, read without opening the log.
func dirBytes(dir string) int64 {
	ents, _ := os.ReadDir(dir)
	var n int64
	for _, e := range ents {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			n += info.Size()
		}
	}
	return n
}
