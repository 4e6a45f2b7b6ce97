package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns its exit code and
// output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestUsageAndErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		oneLiner bool   // stderr's first line is the reason
	}{
		{"no command", nil, exitUsage, "Commands:", "", false},
		{"help", []string{"--help"}, exitOK, "Commands:", "", false},
		{"help import", []string{"help", "import"}, exitOK, "Usage: candlewick import", "", false},
		{"unknown command", []string{"imprt"}, exitUsage, "", `unknown command "imprt"`, true},
		{"version", []string{"version"}, exitOK, "candlewick ", "", false},
		{"import --help", []string{"import", "--help"}, exitOK, "-data-dir", "", false},
		{"cat --help", []string{"cat", "-h"}, exitOK, "--follow", "", false},
		{"import no files", []string{"import", "--data-dir", dir}, exitUsage, "", "no files to import", true},
		{"bad flag", []string{"import", "--nope", "x"}, exitUsage, "", "flag provided but not defined: -nope", true},
		{"bad interval", []string{"import", "--data-dir", dir, "--interval", "5x", "f.csv"}, exitUsage, "", `--interval "5x"`, true},
		{"bad format", []string{"validate", "--format", "xls", "f.csv"}, exitUsage, "", "--format", true},
		{"missing file", []string{"import", "--data-dir", dir, filepath.Join(dir, "none.csv")}, exitError, "", "none.csv", true},
		{"cat bad stream", []string{"cat", "--data-dir", dir, "../etc"}, exitUsage, "", "stream", true},
		{"cat two streams", []string{"cat", "--data-dir", dir, "a", "b"}, exitUsage, "", "exactly one stream", true},
		{"cat negative from", []string{"cat", "--data-dir", dir, "--from", "-1", "signals.v1"}, exitUsage, "", "negative", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout %q does not contain %q", out, tc.stdout)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.stderr)
			}
			if n := strings.Count(out, "Usage:"); n > 1 {
				t.Errorf("usage printed %d times", n)
			}
			if tc.oneLiner && !strings.HasPrefix(errOut, "candlewick") {
				t.Errorf("stderr should start with the one-line reason, got %q", errOut)
			}
		})
	}
}

// TestImportCatRoundTrip imports real rows and a bad file, then checks that
// cat prints every price exactly as the source wrote it (as a number), that
// the bad rows are in the dead-letter stream with their reason, and that a
// second import of the same files changes nothing.
func TestImportCatRoundTrip(t *testing.T) {
	dir := t.TempDir()
	files := []string{"testdata/ninjabot-btc-1h-head.csv", "testdata/bad_BTC_USDT-1h.csv"}
	args := append([]string{"import", "--data-dir", dir}, files...)
	code, out, errOut := runCLI(t, args...)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"read 50, imported 50 (new 50", "read 7, imported 5 (new 5", "rejected 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("import summary lacks %q:\n%s", want, out)
		}
	}

	code, out, errOut = runCLI(t, "cat", "--data-dir", dir, "market.bars.v1")
	if code != exitOK {
		t.Fatalf("cat: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 55 {
		t.Fatalf("cat printed %d bars, want 55", len(lines))
	}
	var first, last map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[54]), &last); err != nil {
		t.Fatal(err)
	}
	// ninjabot's first row: 1605571200,16713.080000,16806.090000,16683.630000,16830.000000,2861.4,51506
	// in the order time,open,close,low,high,volume,trades.
	wantFirst := map[string]any{"open": "16713.08", "close": "16806.09", "low": "16683.63", "high": "16830",
		"volume": "2861.4", "open_time": "2020-11-17T00:00:00Z"}
	for k, v := range wantFirst {
		if first[k] != v {
			t.Errorf("first bar %s = %v, want %v (line %s)", k, first[k], v, lines[0])
		}
	}
	if last["volume"] != "0.00001234" || last["close"] != "29250" {
		t.Errorf("last bar = %s, want volume 0.00001234 and close 29250", lines[54])
	}

	code, out, _ = runCLI(t, "cat", "--data-dir", dir, "deadletter.v1")
	if code != exitOK {
		t.Fatalf("cat deadletter: exit %d", code)
	}
	dead := strings.Split(strings.TrimSpace(out), "\n")
	if len(dead) != 2 {
		t.Fatalf("dead letters = %d, want 2:\n%s", len(dead), out)
	}
	for i, want := range []string{"bad_BTC_USDT-1h.csv:6", "bad_BTC_USDT-1h.csv:7"} {
		var d struct{ Source, Reason, Original string }
		if err := json.Unmarshal([]byte(dead[i]), &d); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(d.Source, want) || d.Reason == "" || d.Original == "" {
			t.Errorf("dead letter %d = %+v, want source ending %s with a reason and the original bytes", i, d, want)
		}
	}

	// Importing again appends nothing new.
	code, out, _ = runCLI(t, args...)
	if code != exitOK || !strings.Contains(out, "new 0, already stored 50") {
		t.Errorf("second import: exit %d, want nothing new:\n%s", code, out)
	}
	_, out, _ = runCLI(t, "cat", "--data-dir", dir, "market.bars.v1")
	if n := strings.Count(out, "\n"); n != 55 {
		t.Errorf("after a second import the stream holds %d bars, want 55", n)
	}
}

func TestValidate(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", "testdata/bad_BTC_USDT-1h.csv")
	if code != exitError {
		t.Fatalf("validate of a bad file: exit %d, want %d", code, exitError)
	}
	if !strings.Contains(out, "bad_BTC_USDT-1h.csv:6: ") || !strings.Contains(errOut, "2 rejected rows") {
		t.Errorf("validate output:\n%s\nstderr: %s", out, errOut)
	}
	if code, out, _ := runCLI(t, "validate", "testdata/ninjabot-btc-1h-head.csv"); code != exitOK {
		t.Errorf("validate of a good file: exit %d\n%s", code, out)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 29k bars")
	}
	report := t.TempDir()
	code, out, errOut := runCLI(t, "demo", "--rules", "../../strategies/examples", "--report", report)
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"BTC-USDT", "ETH-USD ", "imported 29309 bars", "dropped 10 duplicates",
		"rsi_dip", "buy & hold", "fingerprint"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"report.html", "report.json", "trades.csv", "equity.csv", "signals.jsonl"} {
		if st, err := os.Stat(filepath.Join(report, f)); err != nil || st.Size() == 0 {
			t.Errorf("demo wrote no %s: %v", f, err)
		}
	}
}

func TestMain(m *testing.M) {
	// Keep tests away from the user's real data directory.
	os.Setenv("CANDLEWICK_DATA_DIR", filepath.Join(os.TempDir(), "candlewick-test-unused"))
	os.Exit(m.Run())
}
