package feeds_test

import (
	"errors"
	"os"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		name string
		want feeds.NameInfo
	}{
		{"BTC_USDT-5m.json", feeds.NameInfo{Symbol: "BTC-USDT", Interval: 5 * events.Minute, Quote: "USDT"}},
		{"data/binance/BTC_USDT-5m.json.gz", feeds.NameInfo{Symbol: "BTC-USDT", Interval: 5 * events.Minute, Quote: "USDT"}},
		{"Binance-ETH-USD-PT5M-20230313_20230315.json", feeds.NameInfo{Symbol: "ETH-USD", Venue: "binance", Interval: 5 * events.Minute, Quote: "USD"}},
		{"Coinbase-BTC-USD-PT4H-20160518_20251028.json.gz", feeds.NameInfo{Symbol: "BTC-USD", Venue: "coinbase", Interval: 4 * events.Hour, Quote: "USD"}},
		{"TradingView-INDEX_BTCUSD-PT1D-20091005_20260306.json", feeds.NameInfo{Symbol: "BTC-USD", Interval: events.Day}},
		{"btc-1h.csv", feeds.NameInfo{Symbol: "BTC", Interval: events.Hour}},
		{"Coinbase_BTCUSD_1h.csv", feeds.NameInfo{Symbol: "BTC-USD", Venue: "coinbase", Interval: events.Hour}},
		{"Coinbase_BTCUSD_d.csv", feeds.NameInfo{Symbol: "BTC-USD", Venue: "coinbase", Interval: events.Day}},
		{"ADABTC-1m-2021-11-27.csv", feeds.NameInfo{Symbol: "ADABTC", Interval: events.Minute}},
		{"BTCUSDT-1m-2025-01-01.csv", feeds.NameInfo{Symbol: "BTC-USDT", Interval: events.Minute}},
		{"bitstamp_(BTC,ETH,LTC)USD_d.csv", feeds.NameInfo{Symbol: "BTC-ETH", Venue: "bitstamp", Interval: events.Day, Quote: "USD"}},
		{"btc-perp-20211231-20220201_1m.csv.gz", feeds.NameInfo{Symbol: "BTC-PERP", Interval: events.Minute}},
		{"UNITTEST_BTC-1m.json", feeds.NameInfo{Symbol: "UNITTEST-BTC", Interval: events.Minute}},
		{"prices.csv", feeds.NameInfo{}},
		{"", feeds.NameInfo{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := feeds.ParseName(tc.name); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNormalizeSymbol(t *testing.T) {
	for in, want := range map[string]string{
		"BTC/USDT": "BTC-USDT", "btc_usdt": "BTC-USDT", "BTC-USDT": "BTC-USDT", "BTCUSD": "BTC-USD",
		"ethusdt": "ETH-USDT", "ADABTC": "ADABTC", "BUSD": "BUSD", "BTC-USD-PERP": "BTC-USD-PERP", "": "",
	} {
		if got := feeds.NormalizeSymbol(in); got != want {
			t.Errorf("NormalizeSymbol(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetect(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		head []byte
		want feeds.Format
		err  error
	}{
		{"btc-1h.csv", read("testdata/btc-1h.csv"), feeds.FormatNinjabotCSV, nil},
		{"x.csv", read("testdata/ADABTC-1m-2021-11-27.csv"), feeds.FormatBinanceCSV, nil},
		{"x.csv", read("testdata/BTCUSDT-1m-2025-01-01.csv"), feeds.FormatBinanceCSV, nil},
		{"x.csv", read("testdata/Coinbase_BTCUSD_1h.csv"), feeds.FormatCSV, nil},
		{"x.csv", read("testdata/bitstamp_BTC-ETH-LTC_USD_d.csv"), feeds.FormatWideCSV, nil},
		{"x.json", read("testdata/ETH_USDT-1h.json"), feeds.FormatFreqtradeJSON, nil},
		{"x.json", read("testdata/Coinbase-ETH-USD-PT1D-20160517_20160522.json"), feeds.FormatOHLCJSON, nil},
		{"x.json", read("testdata/TradingView-INDEX_BTCUSD-PT1D-20091005_sample.json"), feeds.FormatCandlesJSON, nil},
		{"x.json.gz", read("testdata/Coinbase-BTC-USD-PT4H-20170415_sample.json.gz"), feeds.FormatCandlesJSON, nil},
		{"x.bin", read("testdata/bars.jsonl"), feeds.FormatJSONL, nil},
		{"x", []byte(`{"ohlc":[]}`), feeds.FormatOHLCJSON, nil},
		{"x", nil, "", feeds.ErrEmpty},
		{"x", []byte("\x1f\x8b\x08garbage"), "", feeds.ErrUnknownFormat},
		{"x", []byte("\x00\x00\x00\x01"), "", feeds.ErrUnknownFormat},
		{"x", []byte("a,b\n1,2\n"), "", feeds.ErrUnknownFormat},
	}
	for _, tc := range tests {
		got, err := feeds.Detect(tc.name, tc.head)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("Detect(%s, %.20q) = %q, %v; want %q, %v", tc.name, tc.head, got, err, tc.want, tc.err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range feeds.Formats() {
		if got, err := feeds.ParseFormat(string(f)); got != f || err != nil {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := feeds.ParseFormat("xml"); !errors.Is(err, feeds.ErrOption) {
		t.Errorf("ParseFormat(xml): %v", err)
	}
}
