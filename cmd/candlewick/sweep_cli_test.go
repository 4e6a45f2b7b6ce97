package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBacktestSweepFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
		files  []string
	}{
		{"sweep", []string{"--sweep", "fast=5:15:5,slow=10|30", "--rank", "total_return", "--top", "3", "--workers", "2"},
			exitOK, "6 grid points: 4 run, 2 skipped", "", []string{"sweep.csv"}},
		{"walk-forward", []string{"--sweep", "fast=5|10,slow=30", "--walk-forward", "train=20d,test=10d"},
			exitOK, "out-of-sample:", "", []string{"walkforward.json", "walkforward.csv", "walkforward_equity.csv"}},
		{"bad grid", []string{"--sweep", "fast=9:1:1"}, exitUsage, "", "start after stop", nil},
		{"unknown parameter", []string{"--sweep", "speed=1|2"}, exitUsage, "", `no strategy has a parameter "speed"`, nil},
		{"bad rank", []string{"--sweep", "fast=5|10", "--rank", "luck"}, exitUsage, "", "unknown rank metric", nil},
		{"walk-forward without grid", []string{"--walk-forward", "train=20d,test=10d"}, exitUsage, "", "needs a --sweep", nil},
		{"window longer than the data", []string{"--sweep", "fast=5|10", "--walk-forward", "train=900d,test=10d"}, exitUsage, "", "training window", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"backtest", "--strategy", "ema_cross", "--input", barFile, "--out", out}, tc.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, f := range tc.files {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
