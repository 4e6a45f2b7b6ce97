package feeds_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/candlewick-labs/candlewick/feeds"
)

// fuzzImport runs one import and checks the invariants that hold for any
// input: no panic, every delivered bar valid, every dead letter with a
// reason, source and original bytes, and counts that add up.
func fuzzImport(t *testing.T, data []byte, name string, format feeds.Format) {
	var c collect
	sum, err := feeds.Import(context.Background(), bytes.NewReader(data), name,
		feeds.Options{Format: format, Now: opts().Now}, &c)
	for _, b := range c.bars {
		if verr := b.Validate(); verr != nil {
			t.Fatalf("invalid bar delivered: %v (%+v)", verr, b)
		}
	}
	for _, d := range c.rejects {
		if d.Reason == "" || d.Source == "" {
			t.Fatalf("dead letter without reason or source: %+v", d)
		}
	}
	if len(c.bars) != sum.Imported || len(c.rejects) != sum.Rejected {
		t.Fatalf("sink saw %d/%d, summary %d/%d", len(c.bars), len(c.rejects), sum.Imported, sum.Rejected)
	}
	if err == nil && sum.Format != feeds.FormatWideCSV &&
		sum.Imported+sum.Duplicates+sum.Rejected+sum.Skipped != sum.Read {
		t.Fatalf("counts do not add up: %+v", sum)
	}
}

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, filepath.Base(p))
		if len(b) > 10 {
			f.Add(b[:len(b)/2], filepath.Base(p)) // truncated
			flipped := bytes.Clone(b)
			flipped[len(b)/3] ^= 0x20
			f.Add(flipped, filepath.Base(p))
		}
	}
}

func FuzzImportCSV(f *testing.F) {
	addSeeds(f, "*.csv")
	f.Add([]byte("time,open,high,low,close\n2024-01-01,1,2,0.5,1\n2024-01-02 10-PM,1,2,0.5,1\n"), "BTC-USD-1d.csv")
	f.Add([]byte("1,2,3,4,5,6,7\n8,9,10,11,12,13,14\n"), "x-1m.csv")
	f.Add([]byte(",A:open,A:high,A:low,A:close\n2024-01-01,,,,\n2024-01-02,1,2,0.5,\n"), "w_USD_d.csv")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		fuzzImport(t, data, name, feeds.FormatAuto)
		fuzzImport(t, data, "BTC-USD-1m.csv", feeds.FormatCSV)
	})
}

func FuzzImportJSON(f *testing.F) {
	addSeeds(f, "*.json")
	addSeeds(f, "*.jsonl")
	f.Add([]byte(`[[1606780800000,"1","2","0.5","1.5",null]]`), "BTC_USDT-5m.json")
	f.Add([]byte(`{"name":"ETH/USD@x","ohlc":[{"endTime":1,"openPrice":1}],"ohlc":{}}`), "x.json")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		fuzzImport(t, data, name, feeds.FormatAuto)
		fuzzImport(t, data, "BTC_USDT-5m.json", feeds.FormatFreqtradeJSON)
		fuzzImport(t, data, "BTC-USD-1m.jsonl", feeds.FormatJSONL)
	})
}
