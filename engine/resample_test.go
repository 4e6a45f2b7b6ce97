package engine_test

import (
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
	"github.com/candlewick-labs/candlewick/strategies"
)

// barProbe records every bar of its timeframe (it declares no indicators,
// so OnBar sees every closed bar).
type barProbe struct {
	tf   events.Interval
	bars *[]strategies.BarValues
	prov *int
}

func (p *barProbe) Needs() strategies.Needs {
	return strategies.Needs{Timeframes: []events.Interval{p.tf}}
}

func (p *barProbe) OnBar(v strategies.View, out []strategies.Decision) []strategies.Decision {
	if v.Provisional() {
		*p.prov++
		return out
	}
	b, ok := v.Bar(0)
	if !ok || v.Timeframe() != p.tf && p.tf != 0 {
		panic("bad view")
	}
	*p.bars = append(*p.bars, b)
	return out
}

// resampled runs bars through a Core with a probe on tf and returns the bars
// it saw.
func resampled(t testing.TB, bars []events.Bar, tf events.Interval) []strategies.BarValues {
	t.Helper()
	var got []strategies.BarValues
	prov := 0
	def := strategies.Def{Name: "probe", Version: "1", New: func(strategies.Params) (strategies.Strategy, error) {
		return &barProbe{tf: tf, bars: &got, prov: &prov}, nil
	}}
	c := newCore(t, engine.Config{Strategies: []engine.Instance{{Def: def}}})
	replay(t, c, bars, 0, len(bars))
	return got
}

// group is the obvious reference resampler: bars grouped by bucket start
// (epoch-aligned; weeks from Monday), in order.
func group(bars []events.Bar, tf time.Duration) []strategies.BarValues {
	var out []strategies.BarValues
	var vol events.Fixed
	for _, b := range bars {
		// time.Truncate counts from the zero time, a Monday 00:00 UTC, so it
		// aligns days to midnight and weeks to Monday, as the Core does.
		start := b.OpenTime.Truncate(tf)
		if n := len(out); n > 0 && out[n-1].OpenTime.Equal(start) {
			o := &out[n-1]
			o.High = math.Max(o.High, b.High.Float64())
			o.Low = math.Min(o.Low, b.Low.Float64())
			o.Close = b.Close.Float64()
			vol = events.MustFixed(vol.Decimal().Add(b.Volume.Decimal()).String())
			o.Volume = vol.Float64()
			continue
		}
		vol = b.Volume
		out = append(out, strategies.BarValues{OpenTime: start, CloseTime: start.Add(tf),
			Open: b.Open.Float64(), High: b.High.Float64(), Low: b.Low.Float64(), Close: b.Close.Float64(),
			Volume: b.Volume.Float64()})
	}
	return out
}

func sameBar(a, b strategies.BarValues) bool {
	return a.OpenTime.Equal(b.OpenTime) && a.CloseTime.Equal(b.CloseTime) && a.Open == b.Open &&
		a.High == b.High && a.Low == b.Low && a.Close == b.Close &&
		math.Abs(a.Volume-b.Volume) <= 1e-9*math.Max(math.Abs(a.Volume), 1)
}

// TestResampleSample resamples the committed ETH/USD 5m sample to 1h and 4h
// and compares with the reference grouping.
func TestResampleSample(t *testing.T) {
	bars := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	for _, tf := range []time.Duration{time.Hour, 4 * time.Hour, 24 * time.Hour} {
		got := resampled(t, bars, events.Interval(tf))
		want := group(bars, tf)
		// The last bucket may still be forming: the Core has not emitted it.
		if last := bars[len(bars)-1]; !last.CloseTime.Equal(want[len(want)-1].CloseTime) {
			want = want[:len(want)-1]
		}
		if len(got) != len(want) {
			t.Fatalf("%v: %d bars, want %d", tf, len(got), len(want))
		}
		for i := range got {
			if !sameBar(got[i], want[i]) {
				t.Fatalf("%v bar %d: got %+v, want %+v", tf, i, got[i], want[i])
			}
		}
	}
}

// TestResampleBinanceShared compares BTC/USDT 5m resampled to 1h with
// Binance's own 1h bars of the same period (shared data; skipped without
// it), wherever the hour has all twelve 5m bars.
func TestResampleBinanceShared(t *testing.T) {
	dir := shareddata.Market(t, "binance-spot-nfi")
	five := loadFile(t, filepath.Join(dir, "BTC_USDT-5m.json.gz"))
	hour := loadFile(t, filepath.Join(dir, "BTC_USDT-1h.json"))
	got := resampled(t, five, events.Hour)
	count := map[time.Time]int{}
	for _, b := range five {
		count[b.OpenTime.Truncate(time.Hour)]++
	}
	real := map[time.Time]events.Bar{}
	for _, b := range hour {
		real[b.OpenTime] = b
	}
	compared, volDiff := 0, 0
	for _, g := range got {
		r, ok := real[g.OpenTime]
		if !ok || count[g.OpenTime] != 12 {
			continue
		}
		want := strategies.BarValues{OpenTime: r.OpenTime, CloseTime: r.CloseTime, Open: r.Open.Float64(),
			High: r.High.Float64(), Low: r.Low.Float64(), Close: r.Close.Float64(), Volume: r.Volume.Float64()}
		// Prices must match exactly. Binance's stored 1h volume differs from
		// the sum of its 5m volumes in a few hours (the exchange's own
		// revisions); those are counted, not failed.
		vol := want.Volume
		want.Volume = g.Volume
		if !sameBar(g, want) {
			t.Fatalf("hour %v: resampled %+v, Binance %+v", g.OpenTime, g, want)
		}
		if math.Abs(vol-g.Volume) > 1e-9*vol {
			volDiff++
		}
		compared++
	}
	if compared < 5000 || volDiff > compared/100 {
		t.Fatalf("%d hours compared, %d with another volume", compared, volDiff)
	}
	t.Logf("%d hours have Binance's 1h prices; %d of them another volume", compared, volDiff)
}

// synth makes a valid bar of interval iv opening at t with close c.
func synth(sym string, iv time.Duration, t time.Time, c string) events.Bar {
	p := events.MustFixed(c)
	return events.Bar{Symbol: sym, Interval: events.Interval(iv), OpenTime: t, CloseTime: t.Add(iv),
		Open: p, High: p, Low: p, Close: p, Volume: events.MustFixed("1")}
}

func TestResampleGaps(t *testing.T) {
	t0 := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	var bars []events.Bar
	// Hour 0: minutes 0..50 only (the 55 bar is missing): partial, emitted
	// when hour 1's first bar arrives. Hour 1: complete. Hours 2-3: nothing.
	// Hour 4: starts at :30 and ends complete.
	for m := 0; m < 55; m += 5 {
		bars = append(bars, synth("X", 5*time.Minute, t0.Add(time.Duration(m)*time.Minute), "1"+itoa(m)))
	}
	for m := 60; m < 120; m += 5 {
		bars = append(bars, synth("X", 5*time.Minute, t0.Add(time.Duration(m)*time.Minute), "2"+itoa(m)))
	}
	for m := 270; m < 300; m += 5 {
		bars = append(bars, synth("X", 5*time.Minute, t0.Add(time.Duration(m)*time.Minute), "3"+itoa(m)))
	}
	var got []strategies.BarValues
	prov := 0
	def := strategies.Def{Name: "probe", Version: "1", New: func(strategies.Params) (strategies.Strategy, error) {
		return &barProbe{tf: events.Hour, bars: &got, prov: &prov}, nil
	}}
	c := newCore(t, engine.Config{Strategies: []engine.Instance{{Def: def}}, Provisional: true})
	var emittedAt []int
	for i := range bars {
		n := len(got)
		if _, err := c.Apply(posAt(i), &bars[i], nil); err != nil {
			t.Fatal(err)
		}
		if len(got) > n {
			emittedAt = append(emittedAt, i)
		}
	}
	if len(got) != 3 {
		t.Fatalf("%d hourly bars, want 3: %+v", len(got), got)
	}
	// Partial hour 0: real bucket times, 11 bars' values, emitted on bar 11
	// (the first of hour 1), before hour 1 closes on bar 22.
	if !got[0].OpenTime.Equal(t0) || !got[0].CloseTime.Equal(t0.Add(time.Hour)) || got[0].Open != 10 || got[0].Close != 150 ||
		got[0].Volume != 11 {
		t.Fatalf("partial hour: %+v", got[0])
	}
	if got[1].Volume != 12 || !got[1].OpenTime.Equal(t0.Add(time.Hour)) || got[1].Close != 2115 {
		t.Fatalf("hour 1: %+v", got[1])
	}
	if !got[2].OpenTime.Equal(t0.Add(4*time.Hour)) || got[2].Volume != 6 || got[2].Open != 3270 {
		t.Fatalf("hour 4: %+v", got[2])
	}
	if want := []int{11, 22, 28}; len(emittedAt) != 3 || emittedAt[0] != want[0] || emittedAt[1] != want[1] || emittedAt[2] != want[2] {
		t.Fatalf("hours emitted at bars %v, want %v", emittedAt, want)
	}
	// Provisional calls: every bar that leaves its hour forming.
	if want := len(bars) - 2; prov != want {
		t.Fatalf("%d provisional calls, want %d", prov, want)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestResampleAlignment(t *testing.T) {
	// Daily bars from a Thursday: weeks start on Monday 00:00 UTC.
	thu := time.Date(2021, 1, 7, 0, 0, 0, 0, time.UTC)
	var days []events.Bar
	for d := 0; d < 30; d++ {
		days = append(days, synth("W", 24*time.Hour, thu.AddDate(0, 0, d), "1"+itoa(d)))
	}
	weeks := resampled(t, days, events.Week)
	if len(weeks) == 0 {
		t.Fatal("no weekly bars")
	}
	for _, w := range weeks {
		if w.OpenTime.Weekday() != time.Monday || w.OpenTime.Hour() != 0 || w.CloseTime.Sub(w.OpenTime) != 7*24*time.Hour {
			t.Fatalf("week %v..%v not Monday-aligned", w.OpenTime, w.CloseTime)
		}
	}
	// The first week (Mon Jan 4) holds Thu..Sun: 4 days.
	if !weeks[0].OpenTime.Equal(time.Date(2021, 1, 4, 0, 0, 0, 0, time.UTC)) || weeks[0].Volume != 4 {
		t.Fatalf("first week %+v", weeks[0])
	}
	// Hourly bars from 21:00: days start at 00:00 UTC.
	h0 := time.Date(2021, 1, 7, 21, 0, 0, 0, time.UTC)
	var hours []events.Bar
	for h := 0; h < 60; h++ {
		hours = append(hours, synth("D", time.Hour, h0.Add(time.Duration(h)*time.Hour), "1"))
	}
	daily := resampled(t, hours, events.Day)
	if len(daily) != 3 {
		t.Fatalf("%d days", len(daily))
	}
	if !daily[0].OpenTime.Equal(time.Date(2021, 1, 7, 0, 0, 0, 0, time.UTC)) || daily[0].Volume != 3 ||
		!daily[1].OpenTime.Equal(time.Date(2021, 1, 8, 0, 0, 0, 0, time.UTC)) || daily[1].Volume != 24 ||
		!daily[2].CloseTime.Equal(time.Date(2021, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days %+v", daily)
	}
	// Two series of one symbol are independent: 1h bars and 5m bars of X.
	five := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	one := group(five, time.Hour)
	var hourly []events.Bar
	for _, h := range one[:len(one)-1] {
		hourly = append(hourly, events.Bar{Symbol: five[0].Symbol, Interval: events.Hour, OpenTime: h.OpenTime,
			CloseTime: h.CloseTime, Open: events.MustFixed("1"), High: events.MustFixed("1"), Low: events.MustFixed("1"),
			Close: events.MustFixed("1")})
	}
	mixed := merge(five, hourly)
	c := newCore(t, engine.Config{Strategies: builtins(t, "1h")})
	replay(t, c, mixed, 0, len(mixed))
	if s := c.Series(); len(s) != 2 || s[0].Interval == s[1].Interval {
		t.Fatalf("series %+v", s)
	}
}

// TestResampleVolumeOverflow: a volume sum beyond what a Fixed holds goes on
// in float64 rather than failing.
func TestResampleVolumeOverflow(t *testing.T) {
	t0 := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	var bars []events.Bar
	for i := 0; i < 4; i++ {
		b := synth("V", 15*time.Minute, t0.Add(time.Duration(i)*15*time.Minute), "1")
		b.Volume = events.MustFixed("5000000000000000000")
		bars = append(bars, b)
	}
	got := resampled(t, bars, events.Hour)
	if len(got) != 1 || got[0].Volume != 2e19 {
		t.Fatalf("got %+v", got)
	}
}
