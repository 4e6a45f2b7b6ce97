package backtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/backtest"
)

// TestConfigDigits checks that absurd exponents are a config error, not
// a panic (decimal's Mul panics when exponents overflow) nor a silent
// wrap in the portfolio's arithmetic.
func TestConfigDigits(t *testing.T) {
	tests := []struct {
		name string
		pc   backtest.PortfolioConfig
		want string // "" when valid
	}{
		{"sane", backtest.PortfolioConfig{FeeBps: bps("7.5"), SlippageBps: dec("0.0001")}, ""},
		{"tiny fee", backtest.PortfolioConfig{FeeBps: decimal.NewNullDecimal(decimal.New(1, -2147483000))}, "fee bps has too many digits"},
		{"huge cash", backtest.PortfolioConfig{InitialCash: dec("1e2000")}, "initial cash has too many digits"},
		{"tiny stop", backtest.PortfolioConfig{StopLoss: dec("1e-5000")}, "stop-loss has too many digits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.pc.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, backtest.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
