package editdist_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/internal/editdist"
)

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"sma", "", 3},
		{"", "ema", 3},
		{"sma", "sma", 0},
		{"sma", "ema", 1},
		{"macd", "mcad", 2},
		{"kitten", "sitting", 3},
		{"rsi", "rsix", 1},
		{"bbands", "bands", 1},
	}
	for _, tc := range tests {
		if got := editdist.Levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := editdist.Levenshtein(tc.b, tc.a); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}
