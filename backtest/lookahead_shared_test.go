package backtest_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

// TestCheckLookaheadSharedData checks every built-in together on two
// symbols of real Binance hourly data, merged by open time as a market
// stream holds them. The files are in ../shared/data/market beside the
// repository (developers' machines and CI), not on users' machines.
func TestCheckLookaheadSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("replays ~11k bars 21 times")
	}
	dir := shareddata.Market(t, "binance-spot-nfi")
	src := &backtest.FileSource{Paths: []string{filepath.Join(dir, "BTC_USDT-1h.json"), filepath.Join(dir, "ETH_USDT-1h.json")}}
	in, err := src.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	res, err := backtest.CheckLookahead(context.Background(), backtest.LookaheadConfig{
		Engine: engine.Config{Strategies: builtinInstances(t)}, Bars: in.Bars, Seed: 2026,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Violation != nil {
		t.Fatalf("built-ins flagged:\n%s", res.Violation)
	}
	t.Logf("%d bars, %d signals, cuts %v", res.Bars, res.Signals, res.Cuts)
	if res.Signals < 100 {
		t.Fatalf("only %d signals", res.Signals)
	}
}
