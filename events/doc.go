// Package events defines Candlewick's event model: market events ([Bar],
// [Trade]), the [Signal] events strategies emit, and the [DeadLetter] record
// that keeps rejected input with its reason.
//
// # Numbers and time
//
// Prices and quantities are exact decimals ([Fixed]), converted losslessly to
// and from shopspring/decimal at the boundaries; indicator math converts them to
// float64 once per event. Times are UTC with nanosecond precision. In JSON they
// are RFC 3339 strings with up to nine fractional digits
// ("2021-07-17T21:05:00Z", "2021-07-17T21:05:00.123456789Z"), and decimals are
// JSON strings ("0.00001234").
//
// # Validation
//
// [Bar.Validate], [Trade.Validate], [Signal.Validate] and
// [DeadLetter.Validate] report every problem of an event at once, joined with
// errors.Join; each is a [*ValidationError] that matches [ErrInvalid]:
//
//	events: bar BTC-USDT 2021-01-01T00:00:00Z: high 10 below close 11
//
// Decoding and validation are separate steps: a decoder accepts any event its
// encoding can express, so that feeds can dead-letter a decoded but invalid
// event with a precise reason.
//
// # Encodings
//
// Canonical JSON is the interchange format (Kafka topics, the API, JSONL
// files): AppendJSON writes it without allocating, MarshalJSON and
// UnmarshalJSON make encoding/json use it, and DecodeBarJSON and friends read
// it, strictly (unknown members rejected) or leniently. The same event always
// encodes to the same bytes.
//
// The compact binary form is the embedded log's hot path: AppendBinary writes
// it, DecodeBar and friends read it into a caller's struct with at most one
// allocation for a bar, and a [BarDecoder] reads a stream of bars with none
// (it reuses the Symbol and Venue strings of the series it has seen). Its layout is documented with [FormatV1] and frozen.
// [EventType] sniffs the type of a binary record and [IsJSON] tells the two
// encodings apart. Both encodings round-trip exactly, and every decoder is
// fuzzed; decoders return a [*DecodeError] naming the field and byte offset,
// wrapping a sentinel such as [ErrTruncated] or [ErrMalformed], and never
// panic.
//
// # Schemas
//
// JSON Schemas (draft 2020-12) for every event type's canonical JSON live in
// events/schema and are embedded: see [Schema] and [SchemaFS].
package events
