package memfs_test

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog/disk/internal/memfs"
)

func TestCrashClone(t *testing.T) {
	m := memfs.New()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.MkdirAll("/log/s", 0o755))
	syncDir := func(p string) {
		d, err := m.OpenFile(p, os.O_RDONLY, 0)
		must(err)
		must(d.Sync())
		must(d.Close())
	}
	f, err := m.OpenFile("/log/s/a", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	must(err)
	_, err = f.WriteAt([]byte("hello"), 0)
	must(err)

	// Nothing synced: the crash leaves no log directory at all.
	if _, err := m.CrashClone(nil).Stat("/log"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("unsynced directory survived the crash: %v", err)
	}
	syncDir("/")
	syncDir("/log")
	syncDir("/log/s")
	if b, err := m.CrashClone(nil).ReadFile("/log/s/a"); err != nil || len(b) != 0 {
		t.Fatalf("file with unsynced data after crash = %q, %v; want empty", b, err)
	}
	must(f.Sync())
	_, err = f.WriteAt([]byte(" world"), 5)
	must(err)
	if b, _ := m.CrashClone(nil).ReadFile("/log/s/a"); string(b) != "hello" {
		t.Fatalf("after crash = %q, want the synced %q", b, "hello")
	}
	seen := map[string]bool{}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		b, _ := m.CrashClone(rng).ReadFile("/log/s/a")
		seen[string(b)] = true
		if len(b) < 5 || string(b) != "hello world"[:len(b)] {
			t.Fatalf("torn crash gave %q, want a prefix of the data with the synced part", b)
		}
	}
	if len(seen) < 3 {
		t.Errorf("torn crashes gave only %d distinct outcomes", len(seen))
	}
	if _, err := m.OpenFile("/log/s/a", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); !errors.Is(err, fs.ErrExist) {
		t.Errorf("O_EXCL on an existing file = %v, want ErrExist", err)
	}
	must(m.Remove("/log/s/a"))
	if _, err := m.Stat("/log/s/a"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat after Remove = %v", err)
	}
	buf := make([]byte, 5)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "hello" {
		t.Errorf("open handle after Remove reads %q, %v", buf, err)
	}
}
