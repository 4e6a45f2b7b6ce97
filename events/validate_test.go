package events_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// problemsOf returns the Problem texts of a joined validation error and
// checks that each matches ErrInvalid and is a *ValidationError.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("%v does not match ErrInvalid", err)
	}
	var out []string
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("%T is not a joined error", err)
	}
	for _, e := range joined.Unwrap() {
		var ve *events.ValidationError
		if !errors.As(e, &ve) {
			t.Fatalf("%v is not a *ValidationError", e)
		}
		out = append(out, ve.Problem)
	}
	return out
}

func TestBarValidate(t *testing.T) {
	ok := sampleBar(t)
	tests := []struct {
		name   string
		mutate func(b *events.Bar)
		want   []string
	}{
		{name: "valid", mutate: func(*events.Bar) {}},
		{name: "valid without optionals", mutate: func(b *events.Bar) {
			b.Venue, b.HasQuoteVolume, b.HasTradeCount = "", false, false
		}},
		{name: "zero volume ok", mutate: func(b *events.Bar) { b.Volume = events.Fixed{} }},
		{name: "empty symbol", mutate: func(b *events.Bar) { b.Symbol = "" }, want: []string{"symbol is empty"}},
		{name: "high below close", mutate: func(b *events.Bar) {
			b.Open, b.High, b.Low, b.Close = fx("10"), fx("10"), fx("9"), fx("11")
		}, want: []string{"high 10 below close 11"}},
		{name: "high below everything", mutate: func(b *events.Bar) {
			b.Open, b.High, b.Low, b.Close = fx("10"), fx("8"), fx("9"), fx("11")
		}, want: []string{"high 8 below open 10", "high 8 below close 11", "high 8 below low 9"}},
		{name: "low above open and close", mutate: func(b *events.Bar) {
			b.Open, b.High, b.Low, b.Close = fx("10"), fx("12"), fx("11"), fx("10.5")
		}, want: []string{"low 11 above open 10", "low 11 above close 10.5"}},
		{name: "zero and negative prices", mutate: func(b *events.Bar) {
			b.Open, b.Low = events.Fixed{}, fx("-1")
		}, want: []string{"open is zero", "low -1 is negative"}},
		{name: "negative volumes", mutate: func(b *events.Bar) {
			b.Volume, b.QuoteVolume, b.TradeCount = fx("-0.5"), fx("-2"), -3
		}, want: []string{"volume -0.5 is negative", "quote_volume -2 is negative", "trade count -3 is negative"}},
		{name: "negative quote volume ignored when absent", mutate: func(b *events.Bar) {
			b.QuoteVolume, b.HasQuoteVolume = fx("-2"), false
		}},
		{name: "zero interval", mutate: func(b *events.Bar) { b.Interval = 0 }, want: []string{"interval is zero"}},
		{name: "interval mismatch", mutate: func(b *events.Bar) { b.Interval = events.Hour },
			want: []string{"interval 1h does not match close time - open time = 5m"}},
		{name: "close not after open", mutate: func(b *events.Bar) { b.CloseTime = b.OpenTime },
			want: []string{"close time 2021-01-01T00:00:00Z not after open time 2021-01-01T00:00:00Z"}},
		{name: "zero times", mutate: func(b *events.Bar) { b.OpenTime, b.CloseTime = time.Time{}, time.Time{} },
			want: []string{"open time is zero", "close time is zero"}},
		{name: "non-UTC time", mutate: func(b *events.Bar) {
			loc := time.FixedZone("CET", 3600)
			b.OpenTime, b.CloseTime = b.OpenTime.In(loc), b.CloseTime.In(loc)
		}, want: []string{`open time 2021-01-01T01:00:00+01:00 is not UTC (location "CET")`,
			`close time 2021-01-01T01:05:00+01:00 is not UTC (location "CET")`}},
		{name: "time out of range", mutate: func(b *events.Bar) {
			b.OpenTime = time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
			b.CloseTime = b.OpenTime.Add(5 * time.Minute)
		}, want: []string{"open time 2300-01-01T00:00:00Z outside the years 1678..2262",
			"close time 2300-01-01T00:05:00Z outside the years 1678..2262"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := ok
			tc.mutate(&b)
			if got := problemsOf(t, b.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	b := sampleBar(t)
	b.Open, b.High, b.Low, b.Close = fx("10"), fx("10"), fx("9"), fx("11")
	err := b.Validate()
	const want = "events: bar BTC-USDT 2021-01-01T00:00:00Z: high 10 below close 11"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v; want %s", err, want)
	}
	var ve *events.ValidationError
	if !errors.As(err, &ve) || ve.Field != "high" || ve.Event != "bar" {
		t.Fatalf("errors.As: %#v", ve)
	}
}

func TestTradeValidate(t *testing.T) {
	ok := sampleTrade(t)
	tests := []struct {
		name   string
		mutate func(*events.Trade)
		want   []string
	}{
		{name: "valid", mutate: func(*events.Trade) {}},
		{name: "unknown side ok", mutate: func(tr *events.Trade) { tr.Side = events.SideUnknown }},
		{name: "everything wrong", mutate: func(tr *events.Trade) {
			*tr = events.Trade{Price: fx("-1"), Side: 7}
		}, want: []string{"symbol is empty", "time is zero", "price -1 is negative", "quantity is zero", "side 7 is unknown"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := ok
			tc.mutate(&tr)
			if got := problemsOf(t, tr.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSignalValidate(t *testing.T) {
	ok := sampleSignal(t)
	tests := []struct {
		name   string
		mutate func(*events.Signal)
		want   []string
	}{
		{name: "valid", mutate: func(*events.Signal) {}},
		{name: "strength bounds ok", mutate: func(s *events.Signal) { s.Strength = -1 }},
		{name: "NaN strength", mutate: func(s *events.Signal) { s.Strength = math.NaN() }, want: []string{"strength is NaN"}},
		{name: "Inf strength", mutate: func(s *events.Signal) { s.Strength = math.Inf(1) }, want: []string{"strength is +Inf"}},
		{name: "strength out of range", mutate: func(s *events.Signal) { s.Strength = 1.5 }, want: []string{"strength 1.5 outside [-1, 1]"}},
		{name: "unknown kind and status", mutate: func(s *events.Signal) { s.Kind, s.Status = 0, 9 },
			want: []string{"kind 0 is unknown", "status 9 is unknown"}},
		{name: "bad indicators", mutate: func(s *events.Signal) {
			s.Indicators = []events.IndicatorValue{{Name: "rsi(14)", Value: math.NaN()}, {Value: math.Inf(-1)}}
		}, want: []string{"indicator rsi(14) is NaN", "indicators[1] has an empty name", "indicators[1] is -Inf"}},
		{name: "empty identity", mutate: func(s *events.Signal) {
			s.ID, s.Strategy, s.Symbol, s.Timeframe = "", "", "", 0
			s.Params = []events.Param{{Value: "1"}}
			s.Price = fx("-1")
			s.Source.Offset = -1
		}, want: []string{"id is empty", "strategy is empty", "symbol is empty", "timeframe 0s is not positive",
			"price -1 is negative", "params[0] has an empty name", "source position 3:-1 is negative"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.mutate(&s)
			if got := problemsOf(t, s.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDeadLetterValidate(t *testing.T) {
	if err := sampleDeadLetter(t).Validate(); err != nil {
		t.Fatal(err)
	}
	got := problemsOf(t, events.DeadLetter{Source: "x.csv:1"}.Validate())
	if want := []string{"reason is empty", "time is zero"}; !slices.Equal(got, want) {
		t.Fatalf("got %q; want %q", got, want)
	}
	if err := (events.DeadLetter{Source: "x.csv:1"}).Validate(); !strings.HasPrefix(err.Error(), "events: deadletter x.csv:1: ") {
		t.Fatalf("message %q", err)
	}
}

func TestRealBarsValidate(t *testing.T) {
	for _, b := range realBars(t) {
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
	}
}
