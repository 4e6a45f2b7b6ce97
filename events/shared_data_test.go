package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// sharedData returns the path of a file under shared/data, which sits beside
// the repository checkout on the development machine and in CI but not on
// users' machines; the test is skipped there.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "shared", "data", filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared data not present: %v", err)
	}
	return path
}

// TestSharedTa4jBars runs every bar of the full ta4j Coinbase ETH-USD daily
// file (3,582 rows) through validation, both codecs and the bar schema.
func TestSharedTa4jBars(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	raw, err := os.ReadFile(sharedData(t, "market/ta4j/Coinbase-ETH-USD-PT1D-20160517_20260310.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Name string  `json:"name"`
		OHLC []taBar `json:"ohlc"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	sch := compileSchemas(t)["bar"]
	var bin, js []byte
	for i, r := range doc.OHLC {
		end := time.UnixMilli(r.EndTime).UTC()
		b := events.Bar{Symbol: doc.Name, Venue: "coinbase", Interval: events.Day,
			OpenTime: end.Add(-24 * time.Hour), CloseTime: end,
			Open: fx(r.OpenPrice.String()), High: fx(r.HighPrice.String()), Low: fx(r.LowPrice.String()),
			Close: fx(r.ClosePrice.String()), Volume: fx(r.Volume.String())}
		if err := b.Validate(); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		bin = b.AppendBinary(bin[:0])
		var fromBin events.Bar
		if err := events.DecodeBar(bin, &fromBin); err != nil || !barEqual(fromBin, b) {
			t.Fatalf("row %d binary: %+v, %v", i, fromBin, err)
		}
		js = b.AppendJSON(js[:0])
		fromJSON, err := events.DecodeBarJSON(js, true)
		if err != nil || !barEqual(fromJSON, b) {
			t.Fatalf("row %d JSON: %+v, %v", i, fromJSON, err)
		}
		if i%50 == 0 {
			if err := validateDoc(t, sch, js); err != nil {
				t.Fatalf("row %d schema: %v", i, err)
			}
		}
	}
	if len(doc.OHLC) != 3582 {
		t.Fatalf("%d rows; want 3582", len(doc.OHLC))
	}
}
