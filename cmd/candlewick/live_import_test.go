package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// TestImportRunCat runs three processes on one data directory at once:
// 'candlewick run' following the market stream, 'candlewick import'
// appending to it (two files, one import process after the other, while the
// run goes on), and 'candlewick cat --follow signals.v1' printing the
// signals. The signal stream must be byte for byte the one that
// import-then-'run --once' gives, and cat, read line by line as it prints,
// must print every signal, in order, while the run is still following.
func TestImportRunCat(t *testing.T) {
	imports := [][]string{
		{"../../examples/data/Binance-ETH-USD-PT5M-20230313_20230315.json"},
		{"--symbol", "BTC-USDT", "--venue", "binance", "../../examples/data/btc-1h.csv"},
	}
	ref := t.TempDir()
	for _, args := range imports {
		if code, out, errOut := runCLI(t, append([]string{"import", "--quiet", "--data-dir", ref}, args...)...); code != exitOK {
			t.Fatalf("import %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	var refErr bytes.Buffer
	if err := startRun(t, ref, &refErr, "--once").Wait(); err != nil {
		t.Fatalf("run --once: %v\n%s", err, refErr.String())
	}
	want, nwant := signalStream(t, ref)
	if nwant == 0 {
		t.Fatal("run --once emitted no signals: the test would prove nothing")
	}
	total := newWatcher(t, ref).count(events.StreamBars)

	dir := t.TempDir()
	w := newWatcher(t, dir)
	// The run starts on an empty directory and waits for the market stream.
	run := startFollow(t, dir)
	lines := startCatFollow(t, dir)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for i, args := range imports {
		// The second file arrives while the run is busy with the first:
		// once it has appended a signal.
		for i > 0 && w.count(events.StreamSignals) == 0 {
			run.exited(t)
			<-tick.C
		}
		imp := startProc(t, "import", append([]string{"import", "--quiet", "--data-dir", dir}, args...)...)
		<-imp.done
		if imp.waitErr != nil {
			t.Fatalf("import %v while running: %v\n%s%s", args, imp.waitErr, imp.stdout.String(), imp.err.String())
		}
		run.exited(t)
	}
	if got := w.count(events.StreamBars); got != total {
		t.Fatalf("%d market events imported, want %d", got, total)
	}
	t.Logf("%d market events imported, %d of %d signals appended by then", total, w.count(events.StreamSignals), nwant)

	// Wait, polling without a deadline of its own (go test's -timeout is
	// the backstop), for every signal and every line of cat.
	var printed []string
	for len(printed) < nwant || w.count(events.StreamSignals) < int64(nwant) {
		select {
		case l, ok := <-lines.out:
			if !ok {
				lines.p.exited(t)
				t.Fatalf("cat --follow closed its output after %d lines", len(printed))
			}
			printed = append(printed, l)
		case <-tick.C:
			run.exited(t)
			if c := w.count(events.StreamSignals); c > int64(nwant) {
				t.Fatalf("%d signals, more than the %d of import-then-run", c, nwant)
			}
		}
	}
	run.stop(t)
	finishRun(t, dir, w, total, run.summary(t))
	lines.p.stop(t)
	compareSignals(t, dir, want, nwant)

	// cat printed each signal's value, in order, and nothing more.
	for l := range lines.out {
		printed = append(printed, l)
	}
	l := openTestLog(t, dir)
	defer l.Close()
	it, err := l.Read(context.Background(), events.StreamSignals, 0)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for ; it.Next(); i++ {
		if i >= len(printed) {
			t.Fatalf("cat printed %d lines; signal %d is missing", len(printed), i)
		}
		if v := string(it.Record().Value); printed[i] != v {
			t.Fatalf("cat line %d:\n%.300s\nwant\n%.300s", i, printed[i], v)
		}
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if i != len(printed) {
		t.Fatalf("cat printed %d lines for %d signals", len(printed), i)
	}
}

// catLines is a 'candlewick cat --follow' process and its stdout, line by
// line, as it prints; out is closed when its stdout is.
type catLines struct {
	p   *proc
	out chan string
}

// startCatFollow starts 'candlewick cat --follow signals.v1' on dir. Its
// stdout is a pipe of our own (not the exec package's), so that reading it
// does not race with Wait.
func startCatFollow(t *testing.T, dir string) catLines {
	t.Helper()
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: "cat --follow", done: make(chan struct{})}
	p.cmd = exec.Command(candlewickBinary(t), "cat", "--follow", "--data-dir", dir, events.StreamSignals)
	p.cmd.Stdout = wr
	p.cmd.Stderr = &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	wr.Close()
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	out := make(chan string, 64)
	go func() {
		defer close(out)
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	return catLines{p: p, out: out}
}
