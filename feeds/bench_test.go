package feeds_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

type countSink struct{ bars, rejects int }

func (c *countSink) Bar(events.Bar) error           { c.bars++; return nil }
func (c *countSink) Reject(events.DeadLetter) error { c.rejects++; return nil }

// BenchmarkImportBTC5m imports the 65,741-row Binance BTC/USDT 5m freqtrade
// file (shared data; skipped when absent), gzip-compressed as stored and
// decompressed in memory, and reports rows/s.
func BenchmarkImportBTC5m(b *testing.B) {
	dir := shareddata.Market(b)
	gz, err := os.ReadFile(filepath.Join(dir, "binance-spot-nfi", "BTC_USDT-5m.json.gz"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range []struct {
		name string
		data []byte
	}{{"json", plain}, {"json.gz", gz}} {
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(plain)))
			rows := 0
			for b.Loop() {
				var s countSink
				sum, err := feeds.Import(context.Background(), bytes.NewReader(in.data), "BTC_USDT-5m."+in.name, feeds.Options{}, &s)
				if err != nil || sum.Imported != 65741 {
					b.Fatal(err, sum.Imported)
				}
				rows += sum.Read
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkImportCSV imports the 45,031-row FTX 1m CSV (text timestamps).
func BenchmarkImportCSV(b *testing.B) {
	dir := shareddata.Market(b)
	gz, err := os.ReadFile(filepath.Join(dir, "nautilus", "btc-perp-20211231-20220201_1m.csv.gz"))
	if err != nil {
		b.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(plain)))
	rows := 0
	for b.Loop() {
		var s countSink
		sum, err := feeds.Import(context.Background(), bytes.NewReader(plain), "btc-perp_1m.csv", feeds.Options{}, &s)
		if err != nil || sum.Imported != 45031 {
			b.Fatal(err, sum.Imported)
		}
		rows += sum.Read
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
