package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name, got, want string
		msg             []string // substrings of the message, none when equal
	}{
		{"equal", "a\nb\n", "a\nb\n", nil},
		{"line", "a\nbxc\nd\n", "a\nbyc\nd\n", []string{"line 2, column 2", `got: "bxc\n"`, `want: "byc\n"`}},
		{"shorter", "a\n", "a\nb\n", []string{"line 2, column 1", "got 2 bytes, want 4", `got: ""`, `want: "b\n"`}},
		{"longer", "a\nb", "a\n", []string{"line 2, column 1", `got: "b"`}},
		{"long line", strings.Repeat("x", 200) + "1" + strings.Repeat("y", 200), strings.Repeat("x", 200) + "2" + strings.Repeat("y", 200),
			[]string{"line 1, column 201", `got: "` + strings.Repeat("x", context) + "1" + strings.Repeat("y", context-1) + `"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := Diff([]byte(tc.got), []byte(tc.want))
			if (msg == "") != (tc.msg == nil) {
				t.Fatalf("Diff = %q", msg)
			}
			for _, s := range tc.msg {
				if !strings.Contains(msg, s) {
					t.Errorf("Diff = %q, lacks %q", msg, s)
				}
			}
		})
	}
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	old := *update
	*update = true
	Check(t, path, []byte("one\n"))
	*update = old
	if old {
		return
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "one\n" {
		t.Fatalf("after -update: %q, %v", b, err)
	}
	Check(t, path, []byte("one\n"))
}
