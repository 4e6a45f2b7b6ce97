package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func fx(s string) events.Fixed { return events.MustFixed(s) }

func sampleBar(t testing.TB) events.Bar {
	return events.Bar{
		Symbol:         "BTC-USDT",
		Venue:          "binance",
		Interval:       5 * events.Minute,
		OpenTime:       mustTime(t, "2021-01-01T00:00:00Z"),
		CloseTime:      mustTime(t, "2021-01-01T00:05:00Z"),
		Open:           fx("28923.63"),
		High:           fx("29031.34"),
		Low:            fx("28690.17"),
		Close:          fx("28995.13"),
		Volume:         fx("2311.811445"),
		QuoteVolume:    fx("66768830.34017135"),
		HasQuoteVolume: true,
		TradeCount:     58389,
		HasTradeCount:  true,
	}
}

func sampleTrade(t testing.TB) events.Trade {
	return events.Trade{
		Symbol:   "ETH-USD",
		Venue:    "coinbase",
		Time:     mustTime(t, "2023-03-13T18:04:59.123456789Z"),
		Price:    fx("1650.25"),
		Quantity: fx("0.00012"),
		Side:     events.SideSell,
		ID:       "t-981234",
	}
}

func sampleSignal(t testing.TB) events.Signal {
	return events.Signal{
		ID:              "9f86d081884c7d65",
		Strategy:        "macd_cross",
		StrategyVersion: "1.2.0",
		ParamHash:       "a1b2c3",
		Params:          []events.Param{{Name: "fast", Value: "12"}, {Name: "slow", Value: "26"}},
		Symbol:          "BTC-USDT",
		Timeframe:       events.Hour,
		Time:            mustTime(t, "2021-01-01T01:00:00Z"),
		Kind:            events.KindLong,
		Strength:        0.75,
		Price:           fx("29001.5"),
		Reason:          "macd crossed above signal \"line\"",
		Indicators: []events.IndicatorValue{
			{Name: "macd(12,26,9).macd", Value: 12.345678901234567},
			{Name: "macd(12,26,9).signal", Value: -1e-7},
		},
		Status: events.StatusConfirmed,
		Source: events.Position{Stream: events.StreamBars, Partition: 3, Offset: 5531},
	}
}

func sampleDeadLetter(t testing.TB) events.DeadLetter {
	return events.DeadLetter{
		Original: []byte("BTC-USDT,2021-01-01,abc,\x00\xff"),
		Reason:   "line 12: open: not a decimal number",
		Source:   "bars.csv:12",
		Time:     mustTime(t, "2021-01-02T03:04:05.5Z"),
	}
}

// Equality helpers: time.Time and slices need more than ==.

func barEqual(a, b events.Bar) bool {
	return a.Symbol == b.Symbol && a.Venue == b.Venue && a.Interval == b.Interval &&
		a.OpenTime.Equal(b.OpenTime) && a.CloseTime.Equal(b.CloseTime) &&
		a.Open == b.Open && a.High == b.High && a.Low == b.Low && a.Close == b.Close &&
		a.Volume == b.Volume && a.QuoteVolume == b.QuoteVolume && a.HasQuoteVolume == b.HasQuoteVolume &&
		a.TradeCount == b.TradeCount && a.HasTradeCount == b.HasTradeCount
}

func tradeEqual(a, b events.Trade) bool {
	return a.Symbol == b.Symbol && a.Venue == b.Venue && a.Time.Equal(b.Time) && a.Price == b.Price &&
		a.Quantity == b.Quantity && a.Side == b.Side && a.ID == b.ID
}

func signalEqual(a, b events.Signal) bool {
	return a.ID == b.ID && a.Strategy == b.Strategy && a.StrategyVersion == b.StrategyVersion &&
		a.ParamHash == b.ParamHash && slices.Equal(a.Params, b.Params) && a.Symbol == b.Symbol &&
		a.Timeframe == b.Timeframe && a.Time.Equal(b.Time) && a.Kind == b.Kind &&
		a.Strength == b.Strength && a.Price == b.Price && a.Reason == b.Reason &&
		slices.Equal(a.Indicators, b.Indicators) && a.Status == b.Status && a.Source == b.Source
}

func deadLetterEqual(a, b events.DeadLetter) bool {
	return bytes.Equal(a.Original, b.Original) && a.Reason == b.Reason && a.Source == b.Source &&
		a.Time.Equal(b.Time)
}

// taBar is one row of the ta4j JSON format in testdata.
type taBar struct {
	EndTime    int64       `json:"endTime"`
	OpenPrice  json.Number `json:"openPrice"`
	HighPrice  json.Number `json:"highPrice"`
	LowPrice   json.Number `json:"lowPrice"`
	ClosePrice json.Number `json:"closePrice"`
	Volume     json.Number `json:"volume"`
}

// realBars builds Bars from the committed ta4j slice (Coinbase ETH-USD daily;
// endTime is the bar's end, in milliseconds).
func realBars(t testing.TB) []events.Bar {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "coinbase-eth-usd-1d-50.json"))
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
	bars := make([]events.Bar, 0, len(doc.OHLC))
	for i, r := range doc.OHLC {
		end := time.UnixMilli(r.EndTime).UTC()
		b := events.Bar{Symbol: doc.Name, Venue: "coinbase", Interval: events.Day,
			OpenTime: end.Add(-24 * time.Hour), CloseTime: end}
		for _, f := range []struct {
			dst *events.Fixed
			src json.Number
		}{{&b.Open, r.OpenPrice}, {&b.High, r.HighPrice}, {&b.Low, r.LowPrice}, {&b.Close, r.ClosePrice}, {&b.Volume, r.Volume}} {
			v, err := events.ParseFixed(f.src.String())
			if err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
			*f.dst = v
		}
		bars = append(bars, b)
	}
	if len(bars) != 50 {
		t.Fatalf("got %d bars, want 50", len(bars))
	}
	return bars
}
