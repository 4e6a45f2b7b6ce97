package events

import (
	"errors"
	"strconv"
	"strings"
)

// Errors returned by validation and by the JSON and binary decoders. Decoders
// wrap them in a [*DecodeError] and validation in a [*ValidationError]; match
// them with errors.Is.
var (
	// ErrInvalid is matched by every problem the Validate methods report.
	ErrInvalid = errors.New("events: invalid event")
	// ErrTruncated is returned by the binary decoders when the record ends
	// before its last field, and by the JSON decoders when the text ends
	// before the document does.
	ErrTruncated = errors.New("events: truncated record")
	// ErrUnknownVersion is returned by the binary decoders and EventType when
	// the first byte is not a known format version (JSON input included).
	ErrUnknownVersion = errors.New("events: unknown binary format version")
	// ErrWrongType is returned when a binary record holds another event type
	// than the decoder reads (a trade given to DecodeBar).
	ErrWrongType = errors.New("events: wrong event type")
	// ErrMalformed is returned for input that is structurally wrong: bad JSON
	// syntax, a JSON value of the wrong kind, an unknown enum value, an
	// overlong varint, trailing bytes, a non-finite float.
	ErrMalformed = errors.New("events: malformed record")
	// ErrUnknownField is returned by the strict JSON decoders for a member
	// name the event type does not have.
	ErrUnknownField = errors.New("events: unknown field")
	// ErrMissingField is returned by the JSON decoders when a required member
	// is absent (or null).
	ErrMissingField = errors.New("events: missing field")
	// ErrDuplicateField is returned by the JSON decoders when a member name
	// appears twice in one object; which one to believe would be a guess.
	ErrDuplicateField = errors.New("events: duplicate field")
	// ErrNotFinite is returned when encoding a NaN or infinite float with
	// MarshalJSON; no event may carry one.
	ErrNotFinite = errors.New("events: float is NaN or infinite")
)

// DecodeError describes why a JSON or binary record could not be decoded.
// Err is one of the package's sentinel errors (or [ErrNotNumber],
// [ErrFixedRange], [ErrInterval], or a time parsing error) and is returned by
// Unwrap.
type DecodeError struct {
	Format string // "json" or "binary"; "" outside a decoder (enum parsing)
	Type   Type   // the event type being decoded; 0 when not known
	Field  string // the member or field, e.g. "open" or "params[2].name"; may be ""
	Offset int    // byte offset in the input where the problem was found
	Detail string // more about the problem, e.g. `expected string, found '1'`; may be ""
	Err    error
}

// Error formats the problem, e.g.
// `events: decode json bar: field "open" at byte 97: not a decimal number: "abc"`.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString("events: ")
	if e.Format != "" || e.Type != 0 {
		b.WriteString("decode")
		if e.Format != "" {
			b.WriteString(" " + e.Format)
		}
		if e.Type != 0 {
			b.WriteString(" " + e.Type.String())
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString("field " + strconv.Quote(e.Field))
		if e.Format != "" {
			b.WriteString(" at byte " + strconv.Itoa(e.Offset))
		}
		b.WriteString(": ")
	} else if e.Format != "" {
		b.WriteString("at byte " + strconv.Itoa(e.Offset) + ": ")
	}
	if e.Err != nil {
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "events: "))
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// Unwrap returns the underlying sentinel or parse error.
func (e *DecodeError) Unwrap() error { return e.Err }

// ValidationError is one problem Validate found in an event. Validate joins
// all problems of an event with errors.Join, and each matches [ErrInvalid].
type ValidationError struct {
	Event   string // "bar", "trade", "signal" or "deadletter"
	Key     string // identifies the event: symbol and time, or signal id
	Field   string // the field at fault, e.g. "high" ("" for the whole event)
	Problem string // what is wrong, e.g. "high 10 below close 11"
}

// Error formats the problem as
// `events: bar BTC-USDT 2021-01-01T00:00:00Z: high 10 below close 11`.
func (e *ValidationError) Error() string {
	s := "events: " + e.Event
	if e.Key != "" {
		s += " " + e.Key
	}
	return s + ": " + e.Problem
}

// Unwrap returns [ErrInvalid].
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Type is the event type of a binary record, its second byte. The values are
// part of the binary format and frozen.
type Type uint8

// Event types. Frozen: these numbers are written to disk and Kafka.
const (
	TypeBar        Type = 1
	TypeTrade      Type = 2
	TypeSignal     Type = 3
	TypeDeadLetter Type = 4
)

// String returns "bar", "trade", "signal", "deadletter", or "type(N)".
func (t Type) String() string {
	switch t {
	case TypeBar:
		return "bar"
	case TypeTrade:
		return "trade"
	case TypeSignal:
		return "signal"
	case TypeDeadLetter:
		return "deadletter"
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}
