package backtest_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/strategies"
)

func TestWriteOutputs(t *testing.T) {
	bars := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	cfg := backtest.Config{KeepPrices: true, Portfolio: backtest.PortfolioConfig{AllowShort: true},
		Strategies: []engine.Instance{builtin(t, strategies.EMACrossDef(), map[string]string{"fast": "5", "slow": "13"})}}
	res, err := backtest.RunBars(context.Background(), cfg, &backtest.Input{Stream: "examples", Bars: bars})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := backtest.WriteOutputs(dir, res); err != nil {
		t.Fatal(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if got := bytes.Count(read(backtest.FileSignals), []byte("\n")); got != len(res.Signals) {
		t.Errorf("signals.jsonl has %d lines, want %d", got, len(res.Signals))
	}
	if got := bytes.Count(read(backtest.FileTrades), []byte("\n")); got != len(res.Trades)+1 {
		t.Errorf("trades.csv has %d lines, want %d", got, len(res.Trades)+1)
	}
	if got := bytes.Count(read(backtest.FileEquity), []byte("\n")); got != len(res.Equity)+1 {
		t.Errorf("equity.csv has %d lines, want %d", got, len(res.Equity)+1)
	}
	html := string(read(backtest.FileHTML))
	if !strings.Contains(html, "<svg") || !strings.Contains(html, res.Fingerprint) {
		t.Error("report.html lacks charts or the fingerprint")
	}
	if !bytes.Contains(read(backtest.FileReport), []byte(res.Fingerprint)) {
		t.Error("report.json lacks the fingerprint")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("output directory holds %d files, want 5 (no temporary files)", len(entries))
	}
}
