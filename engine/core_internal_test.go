package engine

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// TestPlainValidIsConservative checks the fast validity check never accepts
// a bar Validate refuses, on random mutations of a valid bar, and that it
// accepts the valid bars (the fast path is the common path).
func TestPlainValidIsConservative(t *testing.T) {
	base := events.Bar{Symbol: "BTC-USDT", Venue: "binance", Interval: 5 * events.Minute,
		OpenTime: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), CloseTime: time.Date(2021, 1, 1, 0, 5, 0, 0, time.UTC),
		Open: events.MustFixed("100.5"), High: events.MustFixed("101"), Low: events.MustFixed("99.25"),
		Close: events.MustFixed("100"), Volume: events.MustFixed("12.5")}
	if !plainValid(&base) || base.Validate() != nil {
		t.Fatal("base bar not valid")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	fixeds := []string{"0", "-1", "1", "99.25", "99.2500001", "100", "100.5", "101", "101.0000001", "1e-18", "9223372036854775807", "0.000000000000000001"}
	times := []time.Time{{}, base.OpenTime, base.CloseTime, base.OpenTime.Add(-time.Minute),
		base.OpenTime.In(time.FixedZone("X", 3600)), time.Unix(0, -1<<62).UTC(), time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)}
	accepted := 0
	for i := 0; i < 200000; i++ {
		b := base
		for k := rng.IntN(3) + 1; k > 0; k-- {
			f := events.MustFixed(fixeds[rng.IntN(len(fixeds))])
			switch rng.IntN(13) {
			case 0:
				b.Symbol = []string{"", "X", "\xff", "A\x00", "BTC-USDT"}[rng.IntN(5)]
			case 1:
				b.Venue = []string{"", "\xfe", "v"}[rng.IntN(3)]
			case 2:
				b.Interval = events.Interval([]time.Duration{0, -time.Minute, time.Minute, 5 * time.Minute}[rng.IntN(4)])
			case 3:
				b.OpenTime = times[rng.IntN(len(times))]
			case 4:
				b.CloseTime = times[rng.IntN(len(times))]
			case 5:
				b.Open = f
			case 6:
				b.High = f
			case 7:
				b.Low = f
			case 8:
				b.Close = f
			case 9:
				b.Volume = f
			case 10:
				b.QuoteVolume, b.HasQuoteVolume = f, rng.IntN(2) == 0
			case 11:
				b.TradeCount, b.HasTradeCount = int64(rng.IntN(3)-1), rng.IntN(2) == 0
			case 12:
				b.Interval = events.Interval(b.CloseTime.Sub(b.OpenTime))
			}
		}
		if plainValid(&b) {
			accepted++
			if err := b.Validate(); err != nil {
				t.Fatalf("plainValid accepts %+v, Validate says %v", b, err)
			}
		}
	}
	if accepted == 0 {
		t.Fatal("plainValid accepted nothing")
	}
}

// TestFixedFloat checks the allocation-free conversion equals Float64.
func TestFixedFloat(t *testing.T) {
	for _, s := range []string{"0", "1", "-1.5", "9007199254740993", "123456789.123456789", "-922337203685477580.7",
		"0.000000000000000001", "9223372036854775807", "-9223372036854775808"} {
		f := events.MustFixed(s)
		if got, want := fixedFloat(f), f.Float64(); got != want {
			t.Fatalf("%s: %v, want %v", s, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	slow := 0
	for i := 0; i < 1_000_000; i++ {
		c := int64(rng.Uint64() >> uint(rng.IntN(11)))
		if rng.IntN(2) == 0 {
			c = -c
		}
		f, err := events.NewFixed(c, rng.IntN(19))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fixedFloat(f), f.Float64(); got != want {
			t.Fatalf("%s: %v, want %v", f, got, want)
		}
		if c > 1<<53 || c < -(1<<53) {
			slow++
		}
	}
	if slow < 500_000 {
		t.Fatalf("only %d large coefficients tried", slow)
	}
	big := events.MustFixed("123456789.123456789")
	if n := testing.AllocsPerRun(100, func() { _ = fixedFloat(big) }); n != 0 {
		t.Fatalf("fixedFloat allocates %v times", n)
	}
}

// TestApplyCopiesWholePosition guards Apply's field-by-field copy of the
// input position: a field added to events.Position must be copied there too.
func TestApplyCopiesWholePosition(t *testing.T) {
	if n := reflect.TypeOf(events.Position{}).NumField(); n != 3 {
		t.Fatalf("events.Position has %d fields; Core.Apply copies Stream, Partition and Offset", n)
	}
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := events.Bar{Symbol: "BTC-USDT", Interval: 5 * events.Minute,
		OpenTime: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), CloseTime: time.Date(2021, 1, 1, 0, 5, 0, 0, time.UTC),
		Open: events.MustFixed("1"), High: events.MustFixed("1"), Low: events.MustFixed("1"),
		Close: events.MustFixed("1"), Volume: events.MustFixed("1")}
	for i, pos := range []events.Position{{Stream: "a", Partition: 1, Offset: 2}, {Stream: "b", Partition: 3, Offset: 4}} {
		b.OpenTime = b.OpenTime.Add(5 * time.Minute)
		b.CloseTime = b.CloseTime.Add(5 * time.Minute)
		if _, err := c.Apply(pos, &b, nil); err != nil {
			t.Fatal(err)
		}
		if got, ok := c.Position(); !ok || got != pos {
			t.Fatalf("bar %d: Position() = %+v, %v; want %+v", i, got, ok, pos)
		}
	}
}
