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
// # Encodings
//
// Canonical JSON is the interchange format (Kafka topics, the API, JSONL files);
// the compact binary form is the embedded log's hot path. Both round-trip
// exactly; JSON Schemas for every event type are in events/schema.
package events
