package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
)

func TestRunConfigStrict(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, yaml string
		want       string // substring of stderr
	}{
		{"unknown top-level key", "snapshot_every: 5\nsnapshot_evry: 6\n", "line 2"},
		{"unknown strategy key", "strategies:\n  - strategy: ema_cross\n    parms: {fast: 5}\n", "line 3"},
		{"unknown strategy", "strategies:\n  - strategy: nope\n", `unknown strategy "nope"`},
		{"bad param", "strategies:\n  - strategy: ema_cross\n    params: {fast: -3}\n", "fast"},
		{"both strategy and file", "strategies:\n  - strategy: ema_cross\n    file: x.yaml\n", "not both"},
		{"bad interval", "strategies:\n  - strategy: ema_cross\n    intervals: [7q]\n", `interval "7q"`},
		{"negative snapshot interval", "snapshot_every: -1\n", "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, errOut := runCLI(t, "run", "--config", p, "--data-dir", dir, "--once")
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errOut, exitUsage, tc.want)
			}
		})
	}
}

// TestExampleConfig keeps deploy/run.example.yaml loadable.
func TestExampleConfig(t *testing.T) {
	cfg, err := loadRunConfig(filepath.Join("..", "..", "deploy", "run.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	reg, ireg, err := registries()
	if err != nil {
		t.Fatal(err)
	}
	insts, err := instances(reg, cfg.Strategies, cfg.Symbols, ruleLoader(ireg))
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != len(cfg.Strategies) || len(insts) < 3 {
		t.Fatalf("%d instances from %d strategy entries", len(insts), len(cfg.Strategies))
	}
}

func TestRunOnceAndSignals(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := runCLI(t, "import", "--data-dir", dir, "--quiet", "testdata/ninjabot-btc-1h-head.csv"); code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	cfg := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(cfg, []byte(`
strategies:
  - strategy: ema_cross
    params: {fast: 3, slow: 8}
  - name: fast_rsi
    strategy: rsi_reversion
    params: {period: 3, lower: 40, upper: 60}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "run", "--config", cfg, "--data-dir", dir, "--once", "--log-level", "warn")
	if code != exitOK || !strings.Contains(out, "signals appended") {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	code, all, errOut := runCLI(t, "signals", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("signals: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(all), "\n")
	if len(lines) < 4 {
		t.Fatalf("only %d signals:\n%s", len(lines), all)
	}
	byStrategy := map[string]int{}
	var times []string
	for _, l := range lines {
		s, err := events.DecodeSignalJSON([]byte(l), true)
		if err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		byStrategy[s.Strategy]++
		times = append(times, s.Time.Format("2006-01-02T15:04:05Z07:00"))
	}
	if byStrategy["ema_cross"] == 0 || byStrategy["fast_rsi"] == 0 {
		t.Fatalf("signals per strategy: %v", byStrategy)
	}

	// A second run finds nothing new: no duplicates.
	if code, out, _ := runCLI(t, "run", "--config", cfg, "--data-dir", dir, "--once", "--log-level", "warn"); code != exitOK || !strings.Contains(out, "handled 0 events") {
		t.Fatalf("second run: exit %d: %s", code, out)
	}
	if _, again, _ := runCLI(t, "signals", "--data-dir", dir); again != all {
		t.Fatal("the signal stream changed on a second run")
	}

	count := func(args ...string) int {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"signals", "--data-dir", dir}, args...)...)
		if code != exitOK {
			t.Fatalf("signals %v: exit %d\n%s", args, code, errOut)
		}
		return strings.Count(out, "\n")
	}
	if got := count("--strategy", "fast_rsi"); got != byStrategy["fast_rsi"] {
		t.Errorf("--strategy fast_rsi: %d signals, want %d", got, byStrategy["fast_rsi"])
	}
	if got := count("--symbol", "NOPE-USDT"); got != 0 {
		t.Errorf("--symbol NOPE-USDT: %d signals", got)
	}
	mid := times[len(times)/2]
	before, after := count("--until", mid), count("--since", mid)
	if before+after != len(lines) || before == 0 || after == 0 {
		t.Errorf("--until %s: %d, --since: %d; want a split of %d", mid, before, after, len(lines))
	}
	if code, _, errOut := runCLI(t, "signals", "--data-dir", dir, "--since", "yesterday"); code != exitUsage || !strings.Contains(errOut, "--since") {
		t.Errorf("bad --since: exit %d, %s", code, errOut)
	}
}
