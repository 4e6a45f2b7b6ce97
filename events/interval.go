package events

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// Interval is a bar length. Only fixed-length intervals exist (no calendar
// months): "1s", "1m", "5m", "1h", "4h", "1d", "1w" and any positive whole
// multiple of s, m, h, d or w. The zero value is "no interval".
type Interval time.Duration

// ErrInterval is returned by ParseInterval for text that is not an interval.
var ErrInterval = errors.New("events: invalid interval")

// Common intervals.
const (
	Second = Interval(time.Second)
	Minute = Interval(time.Minute)
	Hour   = Interval(time.Hour)
	Day    = Interval(24 * time.Hour)
	Week   = Interval(7 * 24 * time.Hour)
)

// ParseInterval parses "5m", "1h", "1d", "1w" and the like. It also accepts the
// ISO 8601 period forms data vendors use ("PT5M", "PT4H", "P1D").
func ParseInterval(s string) (Interval, error) {
	if len(s) >= 3 && (s[0] == 'P' || s[0] == 'p') {
		return parseISOInterval(s)
	}
	if len(s) < 2 {
		return 0, ErrInterval
	}
	var unit Interval
	switch s[len(s)-1] {
	case 's':
		unit = Second
	case 'm':
		unit = Minute
	case 'h':
		unit = Hour
	case 'd':
		unit = Day
	case 'w':
		unit = Week
	default:
		return parseDurationInterval(s)
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 32)
	if err != nil || s[0] == '+' {
		return parseDurationInterval(s)
	}
	return whole(n, unit)
}

// whole returns n × unit, refusing non-positive counts and counts whose
// product overflows (1000000000w would otherwise wrap to a negative length).
func whole(n int64, unit Interval) (Interval, error) {
	if n <= 0 || n > math.MaxInt64/int64(unit) {
		return 0, ErrInterval
	}
	return Interval(n) * unit, nil
}

// parseDurationInterval accepts the time.Duration forms that String falls back
// to for lengths that are not a whole number of seconds ("1.5s", "250ms"), so
// every positive Interval survives a String/ParseInterval round trip.
func parseDurationInterval(s string) (Interval, error) {
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, ErrInterval
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, ErrInterval
	}
	return Interval(d), nil
}

func parseISOInterval(s string) (Interval, error) {
	body := s[1:]
	timePart := false
	if len(body) > 0 && (body[0] == 'T' || body[0] == 't') {
		timePart = true
		body = body[1:]
	}
	if len(body) < 2 {
		return 0, ErrInterval
	}
	n, err := strconv.ParseInt(body[:len(body)-1], 10, 32)
	if err != nil || body[0] == '+' {
		return 0, ErrInterval
	}
	var unit Interval
	switch u := body[len(body)-1] | 0x20; {
	case timePart && u == 's':
		unit = Second
	case timePart && u == 'm':
		unit = Minute
	case timePart && u == 'h':
		unit = Hour
	case !timePart && u == 'd':
		unit = Day
	case !timePart && u == 'w':
		unit = Week
	default:
		return 0, ErrInterval
	}
	return whole(n, unit)
}

// Duration returns the interval as a time.Duration.
func (iv Interval) Duration() time.Duration { return time.Duration(iv) }

// String returns the shortest form with the largest whole unit: "5m", "1h",
// "4h", "1d", "1w", "90s". The zero interval is "".
func (iv Interval) String() string {
	var buf [32]byte
	return string(appendInterval(buf[:0], iv))
}

// MarshalText implements encoding.TextMarshaler.
func (iv Interval) MarshalText() ([]byte, error) { return []byte(iv.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (iv *Interval) UnmarshalText(b []byte) error {
	v, err := ParseInterval(string(b))
	if err != nil {
		return err
	}
	*iv = v
	return nil
}
