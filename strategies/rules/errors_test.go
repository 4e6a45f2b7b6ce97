package rules_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// base is a valid file the error cases below break one thing of.
const base = `name: t
params:
  lower: {type: float, default: 30, min: 0, max: 100}
indicators:
  rsi: rsi(14)
  trend: sma(50)
rules:
  - when: crosses_above(rsi, lower) and close > trend
    signal: long
`

// TestLoadErrors loads broken files and compares every message (file, line,
// column, path, what is wrong, the caret line) with testdata/errors.golden.
func TestLoadErrors(t *testing.T) {
	reg := registry(t)
	if _, err := rules.Load([]byte(base), "base.yaml", reg); err != nil {
		t.Fatalf("base does not load: %v", err)
	}
	tests := []struct {
		name, yaml string
	}{
		{"not yaml", "name: [t\nrules: x\n"},
		{"empty file", ""},
		{"top level list", "- when: x\n"},
		{"unknown top key", strings.Replace(base, "rules:", "rule:", 1)},
		{"duplicate key", base + "name: u\n"},
		{"no rules", "name: t\nindicators:\n  rsi: rsi(14)\n"},
		{"empty rules", "name: t\nrules: []\n"},
		{"rules not a list", "name: t\nrules:\n  when: close > 1\n"},
		{"name not an identifier", strings.Replace(base, "name: t", "name: RSI Dip", 1)},
		{"rule without when", base + "  - signal: exit\n"},
		{"rule without signal", base + "  - when: close < trend\n"},
		{"signal not a kind", strings.Replace(base, "signal: long", "signal: buy", 1)},
		{"signal near a kind", strings.Replace(base, "signal: long", "signal: lnog", 1)},
		{"unknown rule key", base + "  - whn: close < trend\n    signal: exit\n"},
		{"unknown name with close match", strings.Replace(base, "close > trend", "close > trnd", 1)},
		{"unknown name without match", strings.Replace(base, "close > trend", "close > zzz", 1)},
		{"unknown name quoted", strings.Replace(base, "when: crosses_above(rsi, lower) and close > trend", `when: "close > trnd"`, 1)},
		{"unknown name in block scalar", strings.Replace(base, "when: crosses_above(rsi, lower) and close > trend",
			"when: |\n      crosses_above(rsi, lower)\n      and close > trnd", 1)},
		{"unknown name in folded scalar", strings.Replace(base, "when: crosses_above(rsi, lower) and close > trend",
			"when: >-\n      crosses_above(rsi, lower)\n      and close > trend\n      and trend > lowr", 1)},
		{"unknown name in continued plain scalar", strings.Replace(base, "when: crosses_above(rsi, lower) and close > trend",
			"when: crosses_above(rsi, lower)\n      and close > trnd", 1)},
		{"unknown indicator spec", strings.Replace(base, "rsi(14)", "rsii(14)", 1)},
		{"spec parameter out of range", strings.Replace(base, "rsi(14)", "rsi(1)", 1)},
		{"spec with unknown param", strings.Replace(base, "rsi(14)", "rsi(${period})", 1)},
		{"spec with unclosed param", strings.Replace(base, "rsi(14)", "rsi(${lower)", 1)},
		{"spec with bad timeframe", strings.Replace(base, "sma(50)", "sma(50)@2x", 1)},
		{"spec param pushed out of range by default", strings.Replace(strings.Replace(base, "rsi(14)", "rsi(${n})", 1),
			"params:\n", "params:\n  n: {type: int, default: 1}\n", 1)},
		{"indicator not a scalar", strings.Replace(base, "rsi(14)", "[rsi]", 1)},
		{"indicator named like a bar field", strings.Replace(base, "  trend: sma(50)", "  close: sma(50)", 1)},
		{"param and indicator share a name", strings.Replace(base, "  trend: sma(50)", "  lower: sma(50)", 1)},
		{"param type unknown", strings.Replace(base, "type: float", "type: integer", 1)},
		{"param type missing", strings.Replace(base, "type: float, ", "", 1)},
		{"param default missing", strings.Replace(base, "default: 30, ", "", 1)},
		{"param default not a number", strings.Replace(base, "default: 30", "default: abc", 1)},
		{"param default out of range", strings.Replace(base, "default: 30", "default: 300", 1)},
		{"param int default not whole", strings.Replace(base, "type: float, default: 30", "type: int, default: 30.5", 1)},
		{"param min above max", strings.Replace(base, "min: 0, max: 100", "min: 100, max: 0", 1)},
		{"param min without max", strings.Replace(base, "min: 0, max: 100", "min: 0", 1)},
		{"param min not a number", strings.Replace(base, "min: 0", "min: low", 1)},
		{"param range on bool", strings.Replace(base, "lower: {type: float, default: 30,", "flag: {type: bool, default: true,", 1)},
		{"param unknown key", strings.Replace(base, "min: 0,", "minimum: 0,", 1)},
		{"param named like a function", strings.Replace(base, "  lower: {", "  abs: {", 1)},
		{"param shorthand of unknown type", strings.Replace(base, "  lower: {type: float, default: 30, min: 0, max: 100}", "  lower: abc", 1)},
		{"param choice default not a choice", strings.Replace(base, "  lower: {type: float, default: 30, min: 0, max: 100}",
			"  lower: 30\n  ma: {type: string, default: wma, choices: [ema, sma]}", 1)},
		{"string param in expression", strings.Replace(base, "  lower: {type: float, default: 30, min: 0, max: 100}",
			"  lower: 30\n  ma: {type: string, default: ema}", 1) + "  - when: ma > 1\n    signal: exit\n"},
		{"timeframe not an interval", strings.Replace(base, "params:", "timeframes: [1h, 1x]\nparams:", 1)},
		{"timeframe twice", strings.Replace(base, "params:", "timeframes: [1h, 60m]\nparams:", 1)},
		{"expression does not compile", strings.Replace(base, "close > trend", "close >", 1)},
		{"expression not boolean", strings.Replace(base, "crosses_above(rsi, lower) and close > trend", "rsi + 1", 1)},
		{"expression type mismatch", strings.Replace(base, "close > trend", `close > "a"`, 1)},
		{"multi-output indicator used bare", strings.Replace(base, "rsi(14)", "macd(12,26,9)", 1)},
		{"unknown output", strings.Replace(strings.Replace(base, "rsi(14)", "macd(12,26,9)", 1), "crosses_above(rsi, lower)", "crosses_above(rsi.sgnal, 0)", 1)},
		{"output of a single-output indicator", strings.Replace(base, "crosses_above(rsi, lower)", "rsi.value > lower", 1)},
		{"negative bars back", strings.Replace(base, "close > trend", "close[-1] > trend", 1)},
		{"bars back not a literal", strings.Replace(base, "close > trend", "close[lower] > trend", 1)},
		{"let", strings.Replace(base, "crosses_above(rsi, lower) and close > trend", "let x = rsi; x > lower", 1)},
		{"unsupported builtin", strings.Replace(base, "close > trend", "len(close) > 1", 1)},
		{"strength not a number", base + "    strength: rsi > 50\n"},
		{"strength out of range", base + "    strength: 2\n"},
		{"strength unknown name", base + "    strength: rsi / 100 * wieght\n"},
		{"broken indicator is reported once", strings.Replace(base, "sma(50)", "sma(1)", 1) + "  - when: crosses_below(close, trend) or trend[1] > 2\n    signal: exit\n"},
		{"broken param is reported once", strings.Replace(strings.Replace(base, "default: 30", "default: x", 1), "rsi(14)", "rsi(${lower})", 1)},
		{"several problems at once", "name: t\nparams:\n  x: {type: int, default: q}\nindicators:\n  a: foo(1)\nrules:\n  - when: b > 1\n    signal: up\n  - signal: exit\n"},
	}
	var out bytes.Buffer
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Load([]byte(tc.yaml), "t.yaml", reg)
			if err == nil {
				t.Fatalf("loaded without error:\n%s", tc.yaml)
			}
			if !errors.Is(err, rules.ErrRules) {
				t.Errorf("error does not match ErrRules: %v", err)
			}
			var re *rules.Error
			if !errors.As(err, &re) || re.File != "t.yaml" {
				t.Errorf("error is not a *rules.Error naming the file: %v", err)
			}
			fmt.Fprintf(&out, "## %s\n%v\n\n", tc.name, err)
		})
	}
	golden.Check(t, "testdata/errors.golden", out.Bytes())
}

// TestLoadUnderlyingErrors checks that errors from the packages rules
// delegates to stay matchable through a load error.
func TestLoadUnderlyingErrors(t *testing.T) {
	reg := registry(t)
	_, err := rules.Load([]byte(strings.Replace(base, "rsi(14)", "rsii(14)", 1)), "t.yaml", reg)
	var se *indicators.SpecError
	if !errors.As(err, &se) || !errors.Is(err, indicators.ErrSpec) {
		t.Errorf("spec error not matchable: %v", err)
	}
	_, err = rules.Load([]byte(strings.Replace(base, "default: 30", "default: 300", 1)), "t.yaml", reg)
	if !errors.Is(err, strategies.ErrParam) {
		t.Errorf("param error not matchable: %v", err)
	}
	if _, err := rules.Load([]byte(base), "t.yaml", nil); !errors.Is(err, rules.ErrRules) {
		t.Errorf("nil registry: %v", err)
	}
	if _, err := rules.LoadFile("testdata/no-such-file.yaml", reg); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
}
