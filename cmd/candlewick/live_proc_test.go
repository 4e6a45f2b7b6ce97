package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
)

// proc is a candlewick subprocess. Its stdout and stderr are collected and
// may be read once it has exited (after a read of done).
type proc struct {
	name        string
	cmd         *exec.Cmd
	stdout, err bytes.Buffer
	done        chan struct{}
	waitErr     error
}

// startProc starts the built binary with args; a process still running
// when the test ends is killed.
func startProc(t *testing.T, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(candlewickBinary(t), args...)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.err
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
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
	return p
}

// startFollow starts 'candlewick run' following dir's market stream.
func startFollow(t *testing.T, dir string, flags ...string) *proc {
	t.Helper()
	return startProc(t, "run", append([]string{"run", "--data-dir", dir, "--log-level", "warn"}, flags...)...)
}

// exited reports whether p has ended, and fails the test if it ended with an
// error: a following run or cat only ends when the test stops it.
func (p *proc) exited(t *testing.T) bool {
	t.Helper()
	select {
	case <-p.done:
		t.Fatalf("%s ended by itself: %v\nstdout: %s\nstderr: %s", p.name, p.waitErr, p.stdout.String(), p.err.String())
		return true
	default:
		return false
	}
}

// kill sends SIGKILL and waits; it reports whether the process was killed
// (rather than having exited before the signal).
func (p *proc) kill(t *testing.T) bool {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	<-p.done
	return p.waitErr != nil
}

// stop sends SIGTERM and requires exit status 0.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if p.waitErr != nil {
		t.Fatalf("%s stopped by SIGTERM: %v\nstdout: %s\nstderr: %s", p.name, p.waitErr, p.stdout.String(), p.err.String())
	}
}

// runSummary is the last line 'candlewick run' prints on a clean exit.
type runSummary struct{ handled, appended, present, dead, next int64 }

var runSummaryRE = regexp.MustCompile(`handled (\d+) events: (\d+) signals appended, (\d+) already present, (\d+) dead letters; next position (\d+)`)

func (p *proc) summary(t *testing.T) runSummary {
	t.Helper()
	m := runSummaryRE.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("%s printed no summary: %q", p.name, p.stdout.String())
	}
	var n [5]int64
	for i := range n {
		n[i], _ = strconv.ParseInt(m[i+1], 10, 64)
	}
	return runSummary{n[0], n[1], n[2], n[3], n[4]}
}

// watcher watches a data directory that other processes write to, through
// a log this process keeps open: Last catches up with their appends cheaply.
type watcher struct {
	t   *testing.T
	log *disk.Log
}

func newWatcher(t *testing.T, dir string) *watcher {
	t.Helper()
	l := openTestLog(t, dir)
	t.Cleanup(func() { l.Close() })
	return &watcher{t: t, log: l}
}

// count returns how many records stream holds.
func (w *watcher) count(stream string) int64 {
	w.t.Helper()
	last, err := w.log.Last(context.Background(), stream)
	if err != nil {
		w.t.Fatal(err)
	}
	return last + 1
}

// signalSources returns the input offset of each signal in dir's signal
// stream, in order: where in the market stream a run must have got to
// before it can have appended the signal.
func signalSources(t *testing.T, dir string) []int64 {
	t.Helper()
	l := openTestLog(t, dir)
	defer l.Close()
	it, err := l.Read(context.Background(), events.StreamSignals, 0)
	if err != nil {
		t.Fatal(err)
	}
	var src []int64
	for it.Next() {
		s, err := events.DecodeSignalJSON(it.Record().Value, true)
		if err != nil {
			t.Fatalf("signal %d: %v", it.Record().Seq, err)
		}
		src = append(src, s.Source.Offset)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return src
}

// finishRun proves that the signal stream of dir is complete and that a
// following run gets to the end of the market stream, without a timer: run
// was stopped with SIGTERM after every signal was there (its shutdown
// snapshot is the latest) and its summary says where it got to. Unless that
// is the end already, one more following run with --snapshot-every set to
// the events left takes its next snapshot exactly at the end: once that
// snapshot is there, it is stopped with SIGTERM and must have handled the
// rest without appending anything.
func finishRun(t *testing.T, dir string, w *watcher, total int64, sum runSummary) {
	t.Helper()
	if sum.next == total {
		return
	}
	if sum.next > total {
		t.Fatalf("the run got to %d, past the market stream's end %d", sum.next, total)
	}
	left := total - sum.next
	snaps := w.count(events.StreamSnapshots)
	p := startFollow(t, dir, "--snapshot-every", fmt.Sprint(left))
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for w.count(events.StreamSnapshots) == snaps {
		p.exited(t)
		<-tick.C
	}
	p.stop(t)
	got := p.summary(t)
	if want := (runSummary{handled: left, next: total}); got != want {
		t.Fatalf("the catch-up run: %+v, want %+v\n%s", got, want, p.err.String())
	}
}

// compareSignals fails unless dir's signal stream is want byte for byte.
func compareSignals(t *testing.T, dir string, want []byte, nwant int) {
	t.Helper()
	got, ngot := signalStream(t, dir)
	if bytes.Equal(got, want) {
		return
	}
	g, w := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := range min(len(g), len(w)) {
		if !bytes.Equal(g[i], w[i]) {
			t.Fatalf("signal streams differ at record %d (%d signals, want %d):\ngot:  %.300s\nwant: %.300s", i, ngot, nwant, g[i], w[i])
		}
	}
	t.Fatalf("got %d signals, want %d", ngot, nwant)
}
