package disk_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

// Environment of TestMultiProcHelper, the writer process of the
// multi-process tests.
const (
	mpDirEnv     = "CANDLEWICK_EVENTLOG_MP_DIR"     // log directory; set = helper mode
	mpModeEnv    = "CANDLEWICK_EVENTLOG_MP_MODE"    // "append" or "torn"
	mpIDEnv      = "CANDLEWICK_EVENTLOG_MP_ID"      // writer id, in every value
	mpBatchesEnv = "CANDLEWICK_EVENTLOG_MP_BATCHES" // batches to append; 0: until stdin closes
	mpWaitEnv    = "CANDLEWICK_EVENTLOG_MP_WAIT"    // set: print "ready", wait for a line on stdin
	mpFsyncEnv   = "CANDLEWICK_EVENTLOG_MP_FSYNC"   // "always": FsyncAlways instead of FsyncNone
	mpStream     = "deadletter.v1"
)

func mpConfig(dir string, fsys disk.FS) disk.Config {
	return disk.Config{Dir: dir, Fsync: disk.FsyncNone, SegmentSize: 16 << 10, PollInterval: 2 * time.Millisecond, FS: fsys}
}

// mpValue is the value of record k of writer id.
func mpValue(id, k int) []byte { return fmt.Appendf(nil, "w%d-%d", id, k) }

func parseMPValue(v []byte) (id, k int, ok bool) {
	a, b, ok := strings.Cut(string(v), "-")
	if !ok || !strings.HasPrefix(a, "w") {
		return 0, 0, false
	}
	id, err1 := strconv.Atoi(a[1:])
	k, err2 := strconv.Atoi(b)
	return id, k, err1 == nil && err2 == nil
}

// tornFS makes the next segment write, once armed, write half its bytes,
// print "torn" and hang (holding the stream lock) until the process is
// killed.
type tornFS struct {
	disk.OSFS
	armed atomic.Bool
}

func (t *tornFS) OpenFile(name string, flag int, perm fs.FileMode) (disk.File, error) {
	f, err := t.OSFS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, ".seg") {
		return f, err
	}
	return &tornFile{File: f, fs: t}, nil
}

type tornFile struct {
	disk.File
	fs *tornFS
}

func (f *tornFile) WriteAt(p []byte, off int64) (int, error) {
	if f.fs.armed.Load() && len(p) > 1 {
		n, err := f.File.WriteAt(p[:len(p)/2], off)
		if err != nil {
			return n, err
		}
		fmt.Println("torn")
		select {} // until SIGKILL
	}
	return f.File.WriteAt(p, off)
}

// TestMultiProcHelper is not a test: the multi-process tests run the test
// binary with only this function selected and the environment set. It
// appends batches of 1..20 records "w<id>-<k>" (k counting from 0) and
// prints "ack <id> <first seq> <n> <first k>" after each. In mode "torn" its
// last batch is torn and it hangs. It ends with "recovered <n>" (torn tails
// it repaired) and "done".
func TestMultiProcHelper(t *testing.T) {
	dir := os.Getenv(mpDirEnv)
	if dir == "" {
		t.Skip("helper process of the multi-process tests")
	}
	id, _ := strconv.Atoi(os.Getenv(mpIDEnv))
	batches, _ := strconv.Atoi(os.Getenv(mpBatchesEnv))
	torn := os.Getenv(mpModeEnv) == "torn"
	fail := func(err error) {
		fmt.Printf("error %v\n", err)
		os.Exit(2)
	}
	tfs := &tornFS{}
	cfg := mpConfig(dir, tfs)
	if os.Getenv(mpFsyncEnv) == "always" {
		cfg.Fsync = disk.FsyncAlways
	}
	l, err := disk.Open(cfg)
	if err != nil {
		fail(err)
	}
	var stop atomic.Bool
	if os.Getenv(mpWaitEnv) != "" {
		// Start together with the other writers: after Open, on a line.
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			fail(err)
		}
	}
	if batches == 0 {
		batches = 100_000 // bounded, so that an orphaned helper cannot run forever
		go func() {
			io.Copy(io.Discard, os.Stdin)
			stop.Store(true)
		}()
	}
	rng := rand.New(rand.NewPCG(uint64(id), 42))
	ctx := context.Background()
	k := 0
	for b := 0; b < batches && !stop.Load(); b++ {
		n := 1 + rng.IntN(20)
		recs := make([]eventlog.Record, n)
		for i := range recs {
			recs[i] = eventlog.Record{Key: []byte("BTC-USDT"), Value: mpValue(id, k+i)}
		}
		seqs, err := l.Append(ctx, mpStream, recs)
		if err != nil {
			fail(err)
		}
		fmt.Printf("ack %d %d %d %d\n", id, seqs[0], n, k)
		k += n
	}
	if torn {
		tfs.armed.Store(true)
		l.Append(ctx, mpStream, []eventlog.Record{{Value: mpValue(id, k)}, {Value: mpValue(id, k+1)}})
		fail(errors.New("torn append returned"))
	}
	fmt.Printf("recovered %d\n", len(l.Recovered()))
	if err := l.Close(); err != nil {
		fail(err)
	}
	fmt.Println("done")
	os.Exit(0)
}

// helperProc is a running TestMultiProcHelper.
type helperProc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, closed at EOF
	stdin  io.WriteCloser
	stderr bytes.Buffer
}

func skipWithoutProcesses(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs processes, flock and SIGKILL")
	}
}

func startHelper(t *testing.T, dir, mode string, id, batches int, env ...string) *helperProc {
	t.Helper()
	p := &helperProc{lines: make(chan string, 1024)}
	p.cmd = exec.Command(os.Args[0], "-test.run=^TestMultiProcHelper$", "-test.count=1")
	p.cmd.Env = append(os.Environ(), mpDirEnv+"="+dir, mpModeEnv+"="+mode,
		mpIDEnv+"="+strconv.Itoa(id), mpBatchesEnv+"="+strconv.Itoa(batches))
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
	return p
}

// ack is one acknowledged batch: records k..k+n-1 of writer id at
// sequence numbers seq..seq+n-1.
type ack struct {
	id, n, k int
	seq      int64
}

// collect reads the helper's output until one of the stop lines (or EOF),
// recording acks; it fails the test on an error line or after the timeout.
func (p *helperProc) collect(t *testing.T, acks *[]ack, timeout time.Duration, stop ...string) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return ""
			}
			if strings.HasPrefix(line, "error ") {
				t.Fatalf("helper: %s\nstderr:\n%s", line, p.stderr.String())
			}
			if f := strings.Fields(line); len(f) == 5 && f[0] == "ack" {
				var a ack
				a.id, _ = strconv.Atoi(f[1])
				a.seq, _ = strconv.ParseInt(f[2], 10, 64)
				a.n, _ = strconv.Atoi(f[3])
				a.k, _ = strconv.Atoi(f[4])
				*acks = append(*acks, a)
			}
			for _, s := range stop {
				if strings.HasPrefix(line, s) {
					return line
				}
			}
		case <-deadline:
			t.Fatalf("helper: no %q within %v; stderr:\n%s", stop, timeout, p.stderr.String())
		}
	}
}

// checkMP reads the whole stream and checks: sequence numbers run 0..last
// without gaps (the iterator checks that), every record of every writer is
// there exactly once and in order (k = 0, 1, ...), and every acknowledged
// batch sits at the sequence numbers Append returned. It returns the
// number of records of each writer.
func checkMP(t *testing.T, l *disk.Log, acks []ack) map[int]int {
	t.Helper()
	it, err := l.Read(context.Background(), mpStream, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	type pos struct{ id, k int }
	at := map[int64]pos{}
	count := map[int]int{}
	var n int64
	for it.Next() {
		r := it.Record()
		if r.Seq != n {
			t.Fatalf("record %d has sequence number %d", n, r.Seq)
		}
		id, k, ok := parseMPValue(r.Value)
		if !ok {
			t.Fatalf("record %d: bad value %q", n, r.Value)
		}
		if k != count[id] {
			t.Fatalf("record %d: writer %d record %d, want its record %d (lost or duplicated)", n, id, k, count[id])
		}
		count[id]++
		at[n] = pos{id, k}
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	for _, a := range acks {
		for i := 0; i < a.n; i++ {
			if got, ok := at[a.seq+int64(i)]; !ok || got != (pos{a.id, a.k + i}) {
				t.Fatalf("acknowledged record %d of writer %d at %d: found %+v (present %v)", a.k+i, a.id, a.seq+int64(i), got, ok)
			}
		}
	}
	return count
}

// nextBatchSize is the size of batch b (from 0) of helper id.
func nextBatchSize(id, b int) int {
	rng := rand.New(rand.NewPCG(uint64(id), 42))
	n := 0
	for i := 0; i <= b; i++ {
		n = 1 + rng.IntN(20)
	}
	return n
}

// TestMultiProcessAppend runs three writer processes appending batches to
// one stream at once, with small segments so that they roll over under
// each other: every record is there exactly once, at the sequence number
// its Append returned.
func TestMultiProcessAppend(t *testing.T) {
	skipWithoutProcesses(t)
	dir := t.TempDir()
	batches := 300
	if testing.Short() {
		batches = 100
	}
	var procs []*helperProc
	var acks []ack
	for id := 0; id < 3; id++ {
		p := startHelper(t, dir, "append", id, batches, mpWaitEnv+"=1")
		p.collect(t, &acks, 30*time.Second, "ready")
		procs = append(procs, p)
	}
	for _, p := range procs {
		if _, err := io.WriteString(p.stdin, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		p.collect(t, &acks, 30*time.Second, "done")
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("helper: %v; stderr:\n%s", err, p.stderr.String())
		}
	}
	l := mustOpen(t, mpConfig(dir, nil))
	count := checkMP(t, l, acks)
	acked := map[int]int{}
	for _, a := range acks {
		acked[a.id] += a.n
	}
	// How often the writer changes from one batch to the next in the log.
	slices.SortFunc(acks, func(a, b ack) int { return cmp.Compare(a.seq, b.seq) })
	switches := 0
	for i := 1; i < len(acks); i++ {
		if acks[i].id != acks[i-1].id {
			switches++
		}
	}
	t.Logf("the writer changed %d times in %d batches", switches, len(acks))
	if switches == 0 {
		t.Error("the writers never interleaved: the test exercises nothing")
	}
	for id := 0; id < 3; id++ {
		if count[id] != acked[id] {
			t.Errorf("writer %d: %d records in the log, %d acknowledged", id, count[id], acked[id])
		}
	}
	segs := segFiles(t, dir, mpStream)
	t.Logf("%d records in %d segments from 3 processes", count[0]+count[1]+count[2], len(segs))
	if len(segs) < 3 {
		t.Errorf("only %d segments: the test did not roll over", len(segs))
	}
}

// TestFollowAcrossProcesses follows a stream in this process while another
// process appends to it: every record arrives, in order, through polling.
func TestFollowAcrossProcesses(t *testing.T) {
	skipWithoutProcesses(t)
	dir := t.TempDir()
	l := mustOpen(t, mpConfig(dir, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// total is the number of records the writer acknowledged, once known;
	// followed is how many the follower has seen. Each side stores its own
	// and then loads the other's, so one of them sees both.
	var total, followed atomic.Int64
	total.Store(-1)
	seen := make(chan int64, 1)
	signal := func(n int64) {
		select {
		case seen <- n:
		default:
		}
	}
	followErr := make(chan error, 1)
	go func() {
		var n int64
		followErr <- l.Follow(ctx, mpStream, 0, func(r eventlog.Record) error {
			id, k, ok := parseMPValue(r.Value)
			if r.Seq != n || !ok || id != 0 || int64(k) != n {
				return fmt.Errorf("record %d: seq %d value %q", n, r.Seq, r.Value)
			}
			n++
			followed.Store(n)
			if n == total.Load() {
				signal(n)
			}
			return nil
		})
	}()
	batches := 200
	if testing.Short() {
		batches = 60
	}
	p := startHelper(t, dir, "append", 0, batches)
	var acks []ack
	p.collect(t, &acks, 30*time.Second, "done")
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v; stderr:\n%s", err, p.stderr.String())
	}
	var n int64
	for _, a := range acks {
		n += int64(a.n)
	}
	total.Store(n)
	if followed.Load() == n {
		signal(n)
	}
	last, err := l.Last(ctx, mpStream)
	if err != nil || last != n-1 {
		t.Fatalf("Last = %d, %v; want %d", last, err, n-1)
	}
	select {
	case got := <-seen:
		t.Logf("followed %d records appended by another process", got)
	case err := <-followErr:
		t.Fatalf("Follow = %v", err)
	case <-time.After(20 * time.Second):
		t.Fatalf("Follow did not deliver %d records", n)
	}
	cancel()
	if err := <-followErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow = %v after cancel", err)
	}
	checkMP(t, l, acks)
}

// TestKillMidBatchWhileAnotherAppends: one writer process is killed with
// SIGKILL in the middle of a batch, holding the stream lock; another
// process, blocked on that lock, takes it when the kernel releases it,
// repairs the torn batch and keeps appending. Then a third writer is
// killed at a random moment while the survivor keeps appending. Nothing
// acknowledged is lost and no batch is partly visible.
func TestKillMidBatchWhileAnotherAppends(t *testing.T) {
	skipWithoutProcesses(t)
	dir := t.TempDir()
	var acks []ack
	// Acknowledged means fsynced, as in production.
	always := mpFsyncEnv + "=always"
	victim := startHelper(t, dir, "torn", 0, 40, always)
	survivor := startHelper(t, dir, "append", 1, 0, always) // until stdin closes
	victim.collect(t, &acks, 30*time.Second, "torn")
	// The survivor is blocked on the lock now (or soon): let it queue up.
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := victim.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("victim ended with %v, want SIGKILL; stderr:\n%s", err, victim.stderr.String())
	}
	// Survivor acks after the kill: it repaired the tail and went on.
	survive := func(n int) {
		t.Helper()
		for want := len(acks) + n; len(acks) < want; {
			if survivor.collect(t, &acks, 30*time.Second, "ack ") == "" {
				t.Fatalf("survivor exited early; stderr:\n%s", survivor.stderr.String())
			}
		}
	}
	survive(30)

	// A writer killed wherever it happens to be: in a batch or between.
	victim2 := startHelper(t, dir, "append", 2, 0, always)
	var acks2 []ack
	for len(acks2) < 25 {
		if victim2.collect(t, &acks2, 30*time.Second, "ack ") == "" {
			t.Fatalf("victim 2 exited early; stderr:\n%s", victim2.stderr.String())
		}
	}
	if err := victim2.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim2.collect(t, &acks2, 10*time.Second) // acks printed before the kill, to EOF
	victim2.cmd.Wait()
	acks = append(acks, acks2...)
	survive(30)
	survivor.stdin.Close()
	line := survivor.collect(t, &acks, 30*time.Second, "recovered ")
	survivor.collect(t, &acks, 30*time.Second, "done")
	if err := survivor.cmd.Wait(); err != nil {
		t.Fatalf("survivor: %v; stderr:\n%s", err, survivor.stderr.String())
	}
	if line != "recovered 1" && line != "recovered 2" {
		t.Errorf("survivor reported %q, want it to have cut the torn batch (and maybe one of victim 2)", line)
	}
	l := mustOpen(t, mpConfig(dir, nil))
	if rec := l.Recovered(); len(rec) != 0 {
		t.Errorf("Open recovered %+v; the survivor should have repaired the tail", rec)
	}
	count := checkMP(t, l, acks)
	acked := map[int]int{}
	for _, a := range acks {
		acked[a.id] += a.n
	}
	for id := 0; id < 2; id++ {
		if count[id] != acked[id] {
			t.Errorf("writer %d: %d records in the log, %d acknowledged", id, count[id], acked[id])
		}
	}
	// Victim 2 may have written its next batch whole before it died (an
	// Append whose outcome is unknown), but never part of it.
	if extra := count[2] - acked[2]; extra != 0 && extra != nextBatchSize(2, len(acks2)) {
		t.Errorf("victim 2: %d records in the log, %d acknowledged: part of a batch survived", count[2], acked[2])
	}
	t.Logf("%s; victim acked %d records, victim 2 %d (%d in the log), survivor %d", line, acked[0], acked[2], count[2], acked[1])
}
