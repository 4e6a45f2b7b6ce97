package events_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

func ExampleParseFixed() {
	for _, s := range []string{"0.00001234", "1.234E+3", "-42.500", "1e-05", "NaN"} {
		f, err := events.ParseFixed(s)
		if err != nil {
			fmt.Println(s, "->", err)
			continue
		}
		fmt.Println(s, "->", f, f.Coef(), f.Scale(), f.Float64())
	}
	// Output:
	// 0.00001234 -> 0.00001234 1234 8 1.234e-05
	// 1.234E+3 -> 1234 1234 0 1234
	// -42.500 -> -42.5 -425 1 -42.5
	// 1e-05 -> 0.00001 1 5 1e-05
	// NaN -> events: not a decimal number
}

func ExampleBar_AppendJSON() {
	open := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	bar := events.Bar{
		Symbol:    "BTC-USDT",
		Venue:     "binance",
		Interval:  5 * events.Minute,
		OpenTime:  open,
		CloseTime: open.Add(5 * time.Minute),
		Open:      events.MustFixed("28923.63"),
		High:      events.MustFixed("29031.34"),
		Low:       events.MustFixed("28690.17"),
		Close:     events.MustFixed("28995.13"),
		Volume:    events.MustFixed("2311.811445"),
	}
	buf := bar.AppendJSON(nil)
	fmt.Println(string(buf))

	back, err := events.DecodeBarJSON(buf, true)
	fmt.Println(back.Close, back.CloseTime, err)
	// Output:
	// {"symbol":"BTC-USDT","venue":"binance","interval":"5m","open_time":"2021-01-01T00:00:00Z","close_time":"2021-01-01T00:05:00Z","open":"28923.63","high":"29031.34","low":"28690.17","close":"28995.13","volume":"2311.811445"}
	// 28995.13 2021-01-01 00:05:00 +0000 UTC <nil>
}

func ExampleDecodeBar() {
	open := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := events.Bar{Symbol: "ETH-USD", Interval: events.Day, OpenTime: open, CloseTime: open.AddDate(0, 0, 1),
		Open: events.MustFixed("730.1"), High: events.MustFixed("750"), Low: events.MustFixed("715.5"),
		Close: events.MustFixed("737.2"), Volume: events.MustFixed("1234.5")}.AppendBinary(nil)

	typ, _ := events.EventType(rec)
	var bar events.Bar
	err := events.DecodeBar(rec, &bar)
	fmt.Println(typ, len(rec), "bytes:", bar.Symbol, bar.Close, err)

	err = events.DecodeBar(rec[:10], &bar)
	fmt.Println(errors.Is(err, events.ErrTruncated))
	// Output:
	// bar 53 bytes: ETH-USD 737.2 <nil>
	// true
}

func ExampleBar_Validate() {
	open := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	bar := events.Bar{Symbol: "BTC-USDT", Interval: 5 * events.Minute, OpenTime: open, CloseTime: open.Add(5 * time.Minute),
		Open: events.MustFixed("10"), High: events.MustFixed("10"), Low: events.MustFixed("9"),
		Close: events.MustFixed("11"), Volume: events.MustFixed("-1")}
	err := bar.Validate()
	fmt.Println(err)
	fmt.Println(errors.Is(err, events.ErrInvalid))
	// Output:
	// events: bar BTC-USDT 2021-01-01T00:00:00Z: high 10 below close 11
	// events: bar BTC-USDT 2021-01-01T00:00:00Z: volume -1 is negative
	// true
}
