package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files instead of comparing with them")

// Check compares got with the golden file at path (slash-separated or
// native). Under -update it writes got to path, creating its folder, and
// passes. A missing file stops the test; a difference fails it, naming the
// first differing line, and lets it go on. Check reports whether it passed,
// for a caller that should stop after a difference.
func Check(t testing.TB, path string, got []byte) bool {
	t.Helper()
	path = filepath.FromSlash(path)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return true
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if msg := Diff(got, want); msg != "" {
		t.Errorf("%s differs (run go test -update to accept the output): %s", path, msg)
		return false
	}
	return true
}

// context is how many bytes Diff quotes on each side of a difference.
const context = 60

// Diff describes the first difference between got and want: its line, its
// column and the text around it on both sides. It returns "" when they are
// equal.
func Diff(got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	line := 1 + bytes.Count(got[:i], []byte("\n"))
	start := bytes.LastIndexByte(got[:i], '\n') + 1
	lo := max(start, i-context)
	return fmt.Sprintf("first at line %d, column %d (got %d bytes, want %d)\n got: %q\nwant: %q",
		line, i-start+1, len(got), len(want), window(got, lo, i), window(want, lo, i))
}

// window returns b from lo to the end of the line holding b[i], at most
// context bytes past i.
func window(b []byte, lo, i int) []byte {
	hi := min(len(b), i+context)
	if j := bytes.IndexByte(b[i:hi], '\n'); j >= 0 {
		hi = i + j + 1
	}
	return b[lo:hi]
}
