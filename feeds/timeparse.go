package feeds

import (
	"errors"
	"time"
)

var errTime = errors.New("not a time")

// Bars must open after the epoch and before time.Time's UnixNano range ends,
// so that the open time is a usable int64 key and garbage numbers are caught.
var (
	minTime = time.Unix(0, 0).UTC()
	maxTime = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

// parseTime parses an epoch number (unit by magnitude unless given) or a text
// date/time. It allocates nothing on the fast paths.
func parseTime(b []byte, unit TimeUnit) (time.Time, error) {
	b = trimBytes(b)
	if len(b) == 0 {
		return time.Time{}, errTime
	}
	if b[0] >= '0' && b[0] <= '9' && (len(b) < 5 || b[4] != '-') {
		return parseEpoch(b, unit)
	}
	return parseTextTime(b)
}

func parseEpoch(b []byte, unit TimeUnit) (time.Time, error) {
	var n int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > (1<<63-1)/10-1 {
			return time.Time{}, errTime
		}
		n = n*10 + int64(b[i]-'0')
	}
	var fracNs int64 // fraction of the unit, in units of 1e-9
	if i < len(b) && b[i] == '.' {
		i++
		scale := int64(100000000)
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			fracNs += int64(b[i]-'0') * scale
			scale /= 10
		}
	}
	if i != len(b) {
		return time.Time{}, errTime
	}
	if unit == UnitAuto {
		switch {
		case n < 1e11:
			unit = UnitSecond
		case n < 1e14:
			unit = UnitMillisecond
		case n < 1e17:
			unit = UnitMicrosecond
		default:
			unit = UnitNanosecond
		}
	}
	var t time.Time
	switch unit {
	case UnitSecond:
		if n > maxTime.Unix() {
			return time.Time{}, errTime
		}
		t = time.Unix(n, fracNs)
	case UnitMillisecond:
		if n > maxTime.Unix()*1e3 {
			return time.Time{}, errTime
		}
		t = time.UnixMilli(n).Add(time.Duration(fracNs / 1e3))
	case UnitMicrosecond:
		if n > maxTime.Unix()*1e6 {
			return time.Time{}, errTime
		}
		t = time.UnixMicro(n).Add(time.Duration(fracNs / 1e6))
	default:
		t = time.Unix(0, n)
	}
	t = t.UTC()
	if !t.After(minTime) || !t.Before(maxTime) {
		return time.Time{}, errTime
	}
	return t, nil
}

func digits(b []byte, n int) (int, bool) {
	if len(b) < n {
		return 0, false
	}
	v := 0
	for i := 0; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseTextTime accepts YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.f...]] or
// CryptoDataDownload's " HH-AM"/" HH-PM", then optionally Z, " UTC" or a
// ±HH:MM / ±HHMM offset. Times without a zone are UTC.
func parseTextTime(b []byte) (time.Time, error) {
	y, ok1 := digits(b, 4)
	if !ok1 || len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return time.Time{}, errTime
	}
	mo, ok2 := digits(b[5:], 2)
	d, ok3 := digits(b[8:], 2)
	if !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, errTime
	}
	rest := b[10:]
	var h, mi, s, ns int
	if len(rest) > 0 && (rest[0] == ' ' || rest[0] == 'T' || rest[0] == 't') {
		rest = rest[1:]
		var ok bool
		if h, ok = digits(rest, 2); !ok {
			return time.Time{}, errTime
		}
		rest = rest[2:]
		switch {
		case len(rest) >= 3 && rest[0] == '-' && (rest[1]|0x20 == 'a' || rest[1]|0x20 == 'p') && rest[2]|0x20 == 'm':
			// 12-hour clock: 12-AM is midnight, 12-PM noon.
			if h < 1 || h > 12 {
				return time.Time{}, errTime
			}
			h %= 12
			if rest[1]|0x20 == 'p' {
				h += 12
			}
			rest = rest[3:]
		case len(rest) >= 3 && rest[0] == ':':
			if mi, ok = digits(rest[1:], 2); !ok {
				return time.Time{}, errTime
			}
			rest = rest[3:]
			if len(rest) >= 3 && rest[0] == ':' {
				if s, ok = digits(rest[1:], 2); !ok {
					return time.Time{}, errTime
				}
				rest = rest[3:]
				if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
					rest = rest[1:]
					scale := 100000000
					n := 0
					for ; n < len(rest) && rest[n] >= '0' && rest[n] <= '9'; n++ {
						ns += int(rest[n]-'0') * scale
						scale /= 10
					}
					if n == 0 {
						return time.Time{}, errTime
					}
					rest = rest[n:]
				}
			}
		default:
			return time.Time{}, errTime
		}
		if h > 23 || mi > 59 || s > 60 {
			return time.Time{}, errTime
		}
	}
	offset := 0
	switch {
	case len(rest) == 0:
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case string(rest) == " UTC" || string(rest) == "UTC":
	case rest[0] == '+' || rest[0] == '-':
		oh, ok := digits(rest[1:], 2)
		if !ok {
			return time.Time{}, errTime
		}
		tail := rest[3:]
		if len(tail) > 0 && tail[0] == ':' {
			tail = tail[1:]
		}
		om, ok := digits(tail, 2)
		if !ok || len(tail) != 2 || oh > 23 || om > 59 {
			return time.Time{}, errTime
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, errTime
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	if t.Day() != d {
		return time.Time{}, errTime // 2021-02-30 normalised into March
	}
	t = t.Add(-time.Duration(offset) * time.Second)
	if !t.After(minTime) || !t.Before(maxTime) {
		return time.Time{}, errTime
	}
	return t, nil
}

// snapEnd rounds a bar end given one tick before a whole second (…999 ms,
// …999999 µs, …999999999 ns, Binance's close_time convention) up to that
// second; other ends are returned as they are.
func snapEnd(t time.Time) time.Time {
	switch ns := t.Nanosecond(); ns {
	case 999_000_000:
		return t.Add(time.Millisecond)
	case 999_999_000:
		return t.Add(time.Microsecond)
	case 999_999_999:
		return t.Add(time.Nanosecond)
	}
	return t
}

func trimBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
