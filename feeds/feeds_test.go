package feeds_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/golden"
)

var fixedNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func opts() feeds.Options { return feeds.Options{Now: func() time.Time { return fixedNow }} }

// render writes what an import produced, one line per event, for golden files.
func render(sum feeds.Summary, c *collect) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "format=%s venue=%q interval=%s descending=%v columns=%q\n",
		sum.Format, sum.Venue, sum.Interval, sum.Descending, sum.Columns)
	fmt.Fprintf(&b, "read=%d imported=%d duplicates=%d rejected=%d skipped=%d comments=%d first=%s last=%s\n",
		sum.Read, sum.Imported, sum.Duplicates, sum.Rejected, sum.Skipped, sum.Comments,
		sum.First.Format(time.RFC3339), sum.Last.Format(time.RFC3339))
	for _, s := range sum.Symbols {
		fmt.Fprintf(&b, "symbol %s imported=%d duplicates=%d rejected=%d skipped=%d\n",
			s.Symbol, s.Imported, s.Duplicates, s.Rejected, s.Skipped)
	}
	for _, bar := range c.bars {
		b.Write(bar.AppendJSON(nil))
		b.WriteByte('\n')
	}
	for _, d := range c.rejects {
		fmt.Fprintf(&b, "REJECT %s: %s: %q\n", filepath.Base(d.Source), d.Reason, d.Original)
	}
	return b.Bytes()
}

func TestImportSamples(t *testing.T) {
	tests := []struct {
		file     string
		format   feeds.Format
		symbols  []string
		venue    string
		interval events.Interval
		imported int
		dups     int
		rejected int
		skipped  int
	}{
		{"btc-1h.csv", feeds.FormatNinjabotCSV, []string{"BTC"}, "", events.Hour, 11, 1, 0, 0},
		{"Coinbase_BTCUSD_1h.csv", feeds.FormatCSV, []string{"BTC-USD"}, "coinbase", events.Hour, 16, 0, 0, 0},
		{"Coinbase_BTCUSD_d.csv", feeds.FormatCSV, []string{"BTC-USD"}, "coinbase", events.Day, 3, 0, 0, 0},
		{"bitstamp_BTC-ETH-LTC_USD_d.csv", feeds.FormatWideCSV, []string{"BTC-USD", "ETH-USD", "LTC-USD"}, "bitstamp", events.Day, 13 + 4 + 9, 0, 0, 9 + 4},
		{"Coinbase-ETH-USD-PT1D-20160517_20160522.json", feeds.FormatOHLCJSON, []string{"ETH-USD"}, "coinbase", events.Day, 5, 0, 0, 0},
		{"Binance-ETH-USD-PT5M-20230313_sample.json", feeds.FormatOHLCJSON, []string{"ETH-USD"}, "binanceus", 5 * events.Minute, 6, 0, 0, 0},
		{"TradingView-INDEX_BTCUSD-PT1D-20091005_sample.json", feeds.FormatCandlesJSON, []string{"BTC-USD"}, "", events.Day, 4, 0, 0, 0},
		{"Coinbase-BTC-USD-PT4H-20170415_sample.json.gz", feeds.FormatCandlesJSON, []string{"BTC-USD"}, "coinbase", 4 * events.Hour, 5, 0, 0, 0},
		{"ADABTC-1m-2021-11-27.csv", feeds.FormatBinanceCSV, []string{"ADABTC"}, "", events.Minute, 10, 0, 0, 0},
		{"BTCUSDT-1m-2025-01-01.csv", feeds.FormatBinanceCSV, []string{"BTC-USDT"}, "", events.Minute, 3, 0, 0, 0},
		{"ETH_USDT-1h.json", feeds.FormatFreqtradeJSON, []string{"ETH-USDT"}, "", events.Hour, 4, 0, 0, 0},
		{"kraken_XBT-EUR_15m.csv", feeds.FormatCSV, []string{"XBT-EUR"}, "kraken", 15 * events.Minute, 3, 0, 1, 0},
		{"bars.jsonl", feeds.FormatJSONL, []string{"BTC-USDT", "ETH-USDT"}, "", 5 * events.Minute, 2, 0, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			var c collect
			sum, err := feeds.ImportFile(context.Background(), filepath.Join("testdata", tc.file), opts(), &c)
			if err != nil {
				t.Fatal(err)
			}
			var syms []string
			for _, s := range sum.Symbols {
				syms = append(syms, s.Symbol)
			}
			if sum.Format != tc.format || strings.Join(syms, ",") != strings.Join(tc.symbols, ",") ||
				sum.Venue != tc.venue || sum.Interval != tc.interval || sum.Imported != tc.imported ||
				sum.Duplicates != tc.dups || sum.Rejected != tc.rejected || sum.Skipped != tc.skipped {
				t.Errorf("got %s %v venue %q %s imported %d dups %d rejected %d skipped %d",
					sum.Format, syms, sum.Venue, sum.Interval, sum.Imported, sum.Duplicates, sum.Rejected, sum.Skipped)
			}
			if len(c.bars) != sum.Imported || len(c.rejects) != sum.Rejected {
				t.Errorf("sink saw %d bars, %d rejects", len(c.bars), len(c.rejects))
			}
			last := map[string]time.Time{}
			for _, b := range c.bars {
				if err := b.Validate(); err != nil {
					t.Errorf("invalid bar delivered: %v", err)
				}
				if !b.OpenTime.After(last[b.Symbol]) {
					t.Errorf("%s %s not ascending", b.Symbol, b.OpenTime)
				}
				last[b.Symbol] = b.OpenTime
			}
			for _, d := range c.rejects {
				if d.Reason == "" || len(d.Original) == 0 || !strings.HasPrefix(d.Source, filepath.Join("testdata", tc.file)+":") || !d.Time.Equal(fixedNow) {
					t.Errorf("dead letter %+v", d)
				}
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.file+".golden"), render(sum, &c))
		})
	}
}

// The Coinbase 4h bad print (open = low = 0.06) is a consistent bar and a
// real trade: it must be imported, not rejected.
func TestBadPrintImported(t *testing.T) {
	var c collect
	if _, err := feeds.ImportFile(context.Background(), "testdata/Coinbase-BTC-USD-PT4H-20170415_sample.json.gz", opts(), &c); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2017, 4, 15, 20, 0, 0, 0, time.UTC)
	for _, b := range c.bars {
		if b.OpenTime.Equal(at) {
			if b.Open != events.MustFixed("0.06") || b.Low != events.MustFixed("0.06") {
				t.Errorf("bad print bar %+v", b)
			}
			return
		}
	}
	t.Fatalf("bar at %s not imported; rejects %+v", at, c.rejects)
}

// Bars written as Candlewick JSONL import back unchanged.
func TestJSONLRoundTrip(t *testing.T) {
	var c collect
	if _, err := feeds.ImportFile(context.Background(), "testdata/bitstamp_BTC-ETH-LTC_USD_d.csv", opts(), &c); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, b := range c.bars {
		buf.Write(b.AppendJSON(nil))
		buf.WriteByte('\n')
	}
	var back collect
	sum, err := feeds.Import(context.Background(), bytes.NewReader(buf.Bytes()), "export.jsonl", opts(), &back)
	if err != nil || sum.Format != feeds.FormatJSONL || sum.Imported != len(c.bars) || sum.Rejected != 0 {
		t.Fatalf("%v %+v", err, sum)
	}
	for i := range c.bars {
		if !bytes.Equal(c.bars[i].AppendJSON(nil), back.bars[i].AppendJSON(nil)) {
			t.Fatalf("bar %d: %+v != %+v", i, c.bars[i], back.bars[i])
		}
	}
}
