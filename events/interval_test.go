package events_test

import (
	"errors"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

func TestParseInterval(t *testing.T) {
	tests := []struct {
		in   string
		want events.Interval
		str  string // String() of the result
	}{
		{"1s", events.Second, "1s"},
		{"1m", events.Minute, "1m"},
		{"5m", 5 * events.Minute, "5m"},
		{"60m", events.Hour, "1h"},
		{"90s", 90 * events.Second, "90s"},
		{"4h", 4 * events.Hour, "4h"},
		{"24h", events.Day, "1d"},
		{"1d", events.Day, "1d"},
		{"7d", events.Week, "1w"},
		{"1w", events.Week, "1w"},
		{"PT5M", 5 * events.Minute, "5m"},
		{"PT4H", 4 * events.Hour, "4h"},
		{"pt30s", 30 * events.Second, "30s"},
		{"P1D", events.Day, "1d"},
		{"P2W", 2 * events.Week, "2w"},
		{"1.5s", events.Interval(1500 * time.Millisecond), "1.5s"},
		{"250ms", events.Interval(250 * time.Millisecond), "250ms"},
		{"1h30m", 90 * events.Minute, "90m"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := events.ParseInterval(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseInterval(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.str {
				t.Fatalf("String() = %q; want %q", got.String(), tc.str)
			}
			back, err := events.ParseInterval(got.String())
			if err != nil || back != got {
				t.Fatalf("round trip %q: %v, %v", got.String(), back, err)
			}
		})
	}
}

func TestParseIntervalErrors(t *testing.T) {
	for _, in := range []string{"", "m", "0m", "-5m", "+5m", "5", "5x", "5M", "1y", "1mo",
		"P", "PT", "PT0M", "PT5D", "P5H", "PT-5M", "PT+5M", "PT1H30M", "9999999999999w",
		"2147483647w", "-1s", "0s", "0.5", "abc"} {
		t.Run(in, func(t *testing.T) {
			got, err := events.ParseInterval(in)
			if !errors.Is(err, events.ErrInterval) {
				t.Fatalf("ParseInterval(%q) = %v, %v; want ErrInterval", in, got, err)
			}
		})
	}
}

func TestIntervalText(t *testing.T) {
	var iv events.Interval
	if err := iv.UnmarshalText([]byte("15m")); err != nil || iv != 15*events.Minute {
		t.Fatalf("UnmarshalText = %v, %v", iv, err)
	}
	if b, _ := iv.MarshalText(); string(b) != "15m" {
		t.Fatalf("MarshalText = %s", b)
	}
	if events.Interval(0).String() != "" || events.Interval(-1).String() != "" {
		t.Fatal("non-positive intervals must print as empty")
	}
	if err := iv.UnmarshalText([]byte("x")); err == nil {
		t.Fatal("UnmarshalText(x) succeeded")
	}
}

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"5m", "PT5M", "1.5s", "2147483647w", "P1D", "1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := events.ParseInterval(s)
		if err != nil {
			return
		}
		if iv <= 0 {
			t.Fatalf("ParseInterval(%q) = %d, not positive", s, iv)
		}
		back, err := events.ParseInterval(iv.String())
		if err != nil || back != iv {
			t.Fatalf("round trip of %q via %q: %v, %v", s, iv.String(), back, err)
		}
	})
}
