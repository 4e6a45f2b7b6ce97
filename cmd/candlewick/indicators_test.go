package main

import (
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/internal/golden"
)

func TestIndicatorsGolden(t *testing.T) {
	tests := []struct {
		name, golden string
		args         []string
	}{
		{"csv", "testdata/indicators.golden.csv", []string{"indicators", "--input", "testdata/ninjabot-btc-1h-head.csv",
			"--symbol", "BTC-USDT", "--spec", "sma(5), macd(3,6,2).signal ,bbands(5,2,2),atr(3),rsi(4,hl2)"}},
		{"jsonl", "testdata/indicators.golden.jsonl", []string{"indicators", "--input", "testdata/ninjabot-btc-1h-head.csv",
			"--spec", "stoch(5,3,0,3,0),ema(4)", "--out", "jsonl"}},
		{"unstable", "testdata/indicators-unstable.golden.csv", []string{"indicators", "--input", "testdata/ninjabot-btc-1h-head.csv",
			"--spec", "ema(4)", "--unstable", "ema=3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden.Check(t, tc.golden, []byte(out))
			if n := strings.Count(out, "\n"); n != 50+boolInt(tc.name != "jsonl") {
				t.Errorf("%d lines, want one per bar (50) plus a header for CSV", n)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestIndicatorsErrors(t *testing.T) {
	in := "testdata/ninjabot-btc-1h-head.csv"
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no input", []string{"--spec", "sma(3)"}, "--input FILE is required"},
		{"no spec", []string{"--input", in}, "--spec is required"},
		{"unknown", []string{"--input", in, "--spec", "sma(3),rsii(14)"}, "unknown indicator \"rsii\" at column 8; did you mean rsi?"},
		{"range", []string{"--input", in, "--spec", "sma(1)"}, "sma"},
		{"out", []string{"--input", in, "--spec", "sma(3)", "--out", "xml"}, `--out "xml"`},
		{"unstable", []string{"--input", in, "--spec", "sma(3)", "--unstable", "EMA"}, "NAME=N"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"indicators"}, tc.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, tc.stderr)
			}
		})
	}
	if code, out, _ := runCLI(t, "indicators", "--list"); code != exitOK || !strings.Contains(out, "macd ") || !strings.Contains(out, "outputs: macd, signal, hist") {
		t.Errorf("--list: exit %d:\n%s", code, out)
	}
}
