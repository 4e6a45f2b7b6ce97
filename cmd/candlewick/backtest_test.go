package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBacktestCommand(t *testing.T) {
	btc := filepath.Join("..", "..", "examples", "data", "btc-1h.csv")
	dir := t.TempDir()
	var reports [][]byte
	for i := range 2 {
		out := filepath.Join(dir, "run"+string(rune('a'+i)))
		code, stdout, stderr := runCLI(t, "backtest", "--strategy", "ema_cross", "--params", "fast=10,slow=30",
			"--input", btc, "--fee-bps", "10", "--slippage-bps", "5", "--stop-loss", "0.05", "--out", out)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"metric", "buy & hold", "Sharpe", "max drawdown", "fingerprint"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("summary lacks %q:\n%s", want, stdout)
			}
		}
		for _, f := range []string{"report.json", "trades.csv", "equity.csv", "signals.jsonl", "report.html"} {
			if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
		rep, err := os.ReadFile(filepath.Join(out, "report.json"))
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, rep)
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Error("two runs wrote different report.json")
	}
	var rep struct {
		Fingerprint string
		Params      struct {
			Portfolio struct {
				FeeBps   string `json:"fee_bps"`
				StopLoss string `json:"stop_loss"`
			} `json:"portfolio"`
		}
	}
	if err := json.Unmarshal(reports[0], &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Fingerprint) != 64 || rep.Params.Portfolio.FeeBps != "10" || rep.Params.Portfolio.StopLoss != "0.05" {
		t.Errorf("report = %+v", rep)
	}

	// The same bars from the embedded log (after an import) backtest too.
	data := filepath.Join(dir, "data")
	if code, _, stderr := runCLI(t, "import", "--quiet", "--data-dir", data, btc); code != exitOK {
		t.Fatalf("import: %s", stderr)
	}
	code, _, stderr := runCLI(t, "backtest", "--strategy", "ema_cross", "--data-dir", data, "--no-short",
		"--from", "2021-01-01", "--out", filepath.Join(dir, "fromlog"))
	if code != exitOK {
		t.Fatalf("from log: exit %d: %s", code, stderr)
	}
}

func TestBacktestUsage(t *testing.T) {
	dir := t.TempDir()
	btc := filepath.Join("..", "..", "examples", "data", "btc-1h.csv")
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no strategy", []string{"--input", btc, "--out", dir}, exitUsage, "--strategy is required"},
		{"no out", []string{"--strategy", "ema_cross", "--input", btc}, exitUsage, "--out is required"},
		{"bad fee", []string{"--strategy", "ema_cross", "--input", btc, "--out", dir, "--fee-bps", "x"}, exitUsage, "--fee-bps"},
		{"negative stop", []string{"--strategy", "ema_cross", "--input", btc, "--out", dir, "--stop-loss", "-1"}, exitUsage, "stop-loss"},
		{"unknown strategy", []string{"--strategy", "nope", "--input", btc, "--out", dir}, exitUsage, "unknown strategy"},
		{"bad param", []string{"--strategy", "ema_cross", "--params", "fast", "--input", btc, "--out", dir}, exitUsage, "name=value"},
		{"bad from", []string{"--strategy", "ema_cross", "--from", "soon", "--input", btc, "--out", dir}, exitUsage, "--from"},
		{"empty range", []string{"--strategy", "ema_cross", "--from", "2030-01-01", "--input", btc, "--out", dir}, exitError, "no bars"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"backtest"}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.msg)
			}
		})
	}
}
