package workload_test

import (
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/internal/workload"
)

// TestReference checks that the workload is the eight instances the budget
// names and that an engine accepts them.
func TestReference(t *testing.T) {
	insts, err := workload.Reference()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ema_cross@5m", "rsi_reversion@5m", "macd_cross@5m", "bollinger@5m",
		"ema_cross@1h", "rsi_reversion@1h", "macd_cross@1h", "bollinger@1h"}
	if len(insts) != len(want) {
		t.Fatalf("%d instances, want %d", len(insts), len(want))
	}
	for i, in := range insts {
		if in.Name != want[i] {
			t.Errorf("instance %d is %q, want %q", i, in.Name, want[i])
		}
	}
	if err := (engine.Config{Strategies: insts}).Validate(); err != nil {
		t.Fatal(err)
	}
}
