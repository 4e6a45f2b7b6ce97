package disk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// value is the deterministic content of record seq in the tests.
func value(seq int64) []byte {
	return fmt.Appendf(nil, "value-%08d-%s", seq, "payload of about 100 bytes for the crash and bench tests..........")
}

func batch(first int64, n int) []eventlog.Record {
	rs := make([]eventlog.Record, n)
	for i := range rs {
		rs[i] = eventlog.Record{Key: []byte("BTC-USDT"), Value: value(first + int64(i))}
	}
	return rs
}

func appendN(t testing.TB, l eventlog.Log, stream string, n int) {
	t.Helper()
	last, err := l.Last(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), stream, batch(last+1, n)); err != nil {
		t.Fatalf("Append: %v", err)
	}
}

// checkAll reads the whole stream and checks it holds records first..last
// with the content of value.
func checkAll(t testing.TB, l eventlog.Log, stream string, first, last int64) {
	t.Helper()
	it, err := l.Read(context.Background(), stream, first)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	defer it.Close()
	want := first
	for it.Next() {
		r := it.Record()
		if r.Seq != want || string(r.Value) != string(value(want)) || string(r.Key) != "BTC-USDT" {
			t.Fatalf("record %d: got seq %d value %q", want, r.Seq, r.Value)
		}
		want++
	}
	if err := it.Err(); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if want != last+1 {
		t.Fatalf("read records %d..%d, want %d..%d", first, want-1, first, last)
	}
}

// segFiles returns the segment file paths of a stream, in order.
func segFiles(t testing.TB, dir, stream string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, stream, "*.seg"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(m)
	return m
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
