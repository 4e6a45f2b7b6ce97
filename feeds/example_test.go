package feeds_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

func ExampleImport() {
	const data = `# exported by hand
timestamp,open,high,low,close,Volume BTC,Volume USD
2024-03-01 00:00:00,61000.5,61250,60900,61200.25,3.5,214000
2024-03-01 01:00:00,61200.25,61300,61100,61050,oops,1
2024-03-01 02:00:00,61050,61060,60800,60990.75,1.25,76000
`
	sink := feeds.SinkFuncs{
		OnBar: func(b events.Bar) error {
			fmt.Println(b.Symbol, b.Venue, b.Interval, b.OpenTime.Format(time.RFC3339), b.Close, b.Volume, b.QuoteVolume)
			return nil
		},
		OnReject: func(d events.DeadLetter) error {
			fmt.Printf("rejected %s: %s\n", d.Source, d.Reason)
			return nil
		},
	}
	sum, err := feeds.Import(context.Background(), strings.NewReader(data), "Coinbase_BTCUSD_1h.csv", feeds.Options{}, sink)
	fmt.Println(sum.Format, sum.Read, sum.Imported, sum.Rejected, err)
	// Output:
	// BTC-USD coinbase 1h 2024-03-01T00:00:00Z 61200.25 3.5 214000
	// rejected Coinbase_BTCUSD_1h.csv:4: bad number in column Volume BTC: "oops"
	// BTC-USD coinbase 1h 2024-03-01T02:00:00Z 60990.75 1.25 76000
	// csv 3 2 1 <nil>
}

func ExampleParseName() {
	for _, name := range []string{"BTC_USDT-5m.json", "Coinbase-ETH-USD-PT1D-20160517_20260310.json", "btc-1h.csv", "ADABTC-1m-2021-11-27.csv"} {
		info := feeds.ParseName(name)
		fmt.Printf("%s: symbol=%s venue=%q interval=%s\n", name, info.Symbol, info.Venue, info.Interval)
	}
	// Output:
	// BTC_USDT-5m.json: symbol=BTC-USDT venue="" interval=5m
	// Coinbase-ETH-USD-PT1D-20160517_20260310.json: symbol=ETH-USD venue="coinbase" interval=1d
	// btc-1h.csv: symbol=BTC venue="" interval=1h
	// ADABTC-1m-2021-11-27.csv: symbol=ADABTC venue="" interval=1m
}
