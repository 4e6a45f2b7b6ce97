package disk_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog/disk"
)

// killWriterEnv makes TestKillWriterHelper run as TestKill9's writer
// process: its value is the log directory.
const (
	killWriterEnv = "CANDLEWICK_EVENTLOG_KILL_WRITER_DIR"
	killSeedEnv   = "CANDLEWICK_EVENTLOG_KILL_WRITER_SEED"
)

func killConfig(dir string) disk.Config {
	return disk.Config{Dir: dir, Fsync: disk.FsyncAlways, SegmentSize: 16 << 10}
}

// TestKillWriterHelper is not a test: TestKill9 runs the test binary with
// only this function selected and the environment set. It appends batches
// with FsyncAlways and prints "ack <seq>" for the last record of each batch
// once Append has returned.
func TestKillWriterHelper(t *testing.T) {
	dir := os.Getenv(killWriterEnv)
	if dir == "" {
		t.Skip("helper process of TestKill9")
	}
	seed, _ := strconv.ParseUint(os.Getenv(killSeedEnv), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	l, err := disk.Open(killConfig(dir))
	if err != nil {
		fmt.Printf("error %v\n", err)
		os.Exit(2)
	}
	// Bounded, so that an orphaned helper cannot run forever.
	for i := 0; i < 1_000_000; i++ {
		last, err := l.Last(ctx, crashStream)
		if err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(2)
		}
		seqs, err := l.Append(ctx, crashStream, batch(last+1, 1+rng.IntN(40)))
		if err != nil {
			fmt.Printf("error %v\n", err)
			os.Exit(2)
		}
		fmt.Printf("ack %d\n", seqs[len(seqs)-1]) // os.Stdout is unbuffered
	}
	os.Exit(3)
}

// TestKill9 kills a writer process with SIGKILL in the middle of its
// appends, several times over the same log, and checks after each kill
// that every acknowledged record survived and the log reads back as a
// contiguous run of correct records.
func TestKill9(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs processes and SIGKILL")
	}
	killAfter := []int{1, 25, 200, 3, 60}
	if testing.Short() {
		killAfter = killAfter[:2]
	}
	dir := t.TempDir()
	acked := int64(-1)
	for round, k := range killAfter {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillWriterHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), killWriterEnv+"="+dir, killSeedEnv+"="+strconv.Itoa(round))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error ") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: writer: %s", round, line)
			}
			seq, ok := strings.CutPrefix(line, "ack ")
			if !ok {
				continue
			}
			s, err := strconv.ParseInt(seq, 10, 64)
			if err != nil || s <= acked {
				t.Fatalf("round %d: bad ack line %q after %d", round, line, acked)
			}
			acked = s
			if n++; n == k {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: writer ended with %v after %d acks, want SIGKILL; stderr:\n%s", round, err, n, stderr.String())
		}
		l, err := disk.Open(killConfig(dir))
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		last, err := l.Last(context.Background(), crashStream)
		if err != nil {
			t.Fatal(err)
		}
		if last < acked {
			t.Fatalf("round %d: last record %d, but %d was acknowledged", round, last, acked)
		}
		checkAll(t, l, crashStream, 0, last)
		t.Logf("round %d: killed after %d acks; %d acknowledged, %d on disk, recovered %+v", round, n, acked, last, l.Recovered())
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
