package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// barFile is a month and a half of hourly BTCUSDT bars (ninjabot, MIT; see
// backtest/testdata/PROVENANCE.md).
const barFile = "../../backtest/testdata/ninjabot-btc-1h.csv"

// liveRun imports barFile into a new data directory and runs every built-in
// over it with 'run --once', as a live run would; it returns the directory.
func liveRun(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "import", "--data-dir", dir, "--quiet", barFile); code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "run", "--data-dir", dir, "--once", "--log-level", "warn"); code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	return dir
}

func TestVerifyCLI(t *testing.T) {
	dir := liveRun(t)
	code, all, errOut := runCLI(t, "signals", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("signals: exit %d\n%s", code, errOut)
	}
	lines := strings.SplitAfter(all, "\n")
	if len(lines) < 20 {
		t.Fatalf("only %d signals", len(lines))
	}
	// One signal altered: its strength.
	const k = 7
	altered := make([]string, len(lines))
	copy(altered, lines)
	altered[k] = alterStrength(t, lines[k])
	good := filepath.Join(t.TempDir(), "signals.jsonl")
	bad := filepath.Join(t.TempDir(), "altered.jsonl")
	for p, c := range map[string]string{good: all, bad: strings.Join(altered, "")} {
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"data dir", []string{"--data-dir", dir}, exitOK, []string{"identical:"}, ""},
		{"signals file", []string{"--data-dir", dir, "--signals", good}, exitOK, []string{"identical:"}, ""},
		{"bar file and signals file", []string{"--data-dir", t.TempDir(), "--signals", good, barFile}, exitOK, []string{"identical:"}, ""},
		{"altered signal", []string{"--data-dir", dir, "--signals", bad}, exitError,
			[]string{"first divergence at signal 7", "input bar:", "replayed: {", "recorded: {", "replayed indicators:", "recorded indicators:", `"strength":0.123`},
			"diverge at signal 7"},
		{"other strategy config", []string{"--data-dir", dir, "--strategy", "ema_cross"}, exitError,
			[]string{"first divergence"}, "diverge"},
		{"bad strategy", []string{"--data-dir", dir, "--strategy", "nope"}, exitUsage, nil, "unknown strategy"},
		{"missing signals file", []string{"--data-dir", dir, "--signals", filepath.Join(dir, "nope.jsonl")}, exitError, nil, "nope.jsonl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"verify"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want %q\nstdout:\n%s", code, tc.code, errOut, tc.stderr, out)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Fatalf("stdout lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// alterStrength sets the strength of a signal's JSON line to 0.123.
func alterStrength(t *testing.T, line string) string {
	t.Helper()
	i := strings.Index(line, `"strength":`)
	if i < 0 {
		t.Fatalf("no strength in %s", line)
	}
	j := i + len(`"strength":`)
	end := j + strings.IndexByte(line[j:], ',')
	return line[:j] + "0.123" + line[end:]
}

func TestCheckLookaheadCLI(t *testing.T) {
	dir := liveRun(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"data dir, every built-in", []string{"--data-dir", dir, "--cuts", "4", "--random-cuts", "4"}, exitOK, "no look-ahead:", ""},
		{"bar file", []string{"--data-dir", t.TempDir(), "--strategy", "supertrend", "--seed", "9", barFile}, exitOK, "no look-ahead:", ""},
		{"no cuts", []string{"--data-dir", dir, "--cuts", "0", "--random-cuts", "0"}, exitUsage, "", "at least one prefix"},
		{"bad strategy", []string{"--data-dir", dir, "--strategy", "nope"}, exitUsage, "", "unknown strategy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"check-lookahead"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.stdout) || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d, want %d\nstdout %q\nstderr %q", code, tc.code, out, errOut)
			}
		})
	}
}

// TestVerifyDemoRun verifies the live run of the embedded sample data (every
// built-in over several symbols and intervals), then one altered signal.
func TestVerifyDemoRun(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "demo", "--data-dir", dir, "--rules", filepath.Join(dir, "none"), "--report", ""); code != exitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "verify", "--data-dir", dir); code != exitOK || !strings.HasPrefix(out, "identical:") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
	_, all, _ := runCLI(t, "signals", "--data-dir", dir)
	lines := strings.SplitAfter(all, "\n")
	k := len(lines) / 2
	lines[k] = alterStrength(t, lines[k])
	bad := filepath.Join(t.TempDir(), "altered.jsonl")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "verify", "--data-dir", dir, "--signals", bad)
	if code != exitError || !strings.Contains(out, "first divergence at signal "+strconv.Itoa(k)) ||
		!strings.Contains(out, `"strength":0.123`) {
		t.Fatalf("altered: exit %d\n%s%s", code, out, errOut)
	}
}
