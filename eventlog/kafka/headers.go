package kafka

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Header names of the event metadata every Candlewick producer puts on a
// record, so that any Kafka client can tell what a record is without
// decoding it. Frozen: part of the wire contract (see the package doc).
// HeaderContentType is the same name the engine writes (engine.HeaderContentType).
const (
	HeaderEventType     = "event-type"
	HeaderSchemaVersion = "schema-version"
	HeaderContentType   = "content-type"
)

// Values of [HeaderEventType]. Frozen.
const (
	EventBar        = "bar"
	EventTrade      = "trade"
	EventSignal     = "signal"
	EventDeadLetter = "dead-letter"
	EventSnapshot   = "snapshot"
)

// SchemaVersion is the value of [HeaderSchemaVersion] for the event JSON
// documented in events/schema. Frozen: a change of the event JSON that old
// readers cannot read gets a new version.
const SchemaVersion = "1"

// Values of [HeaderContentType]. Frozen.
const (
	ContentTypeJSON   = "application/json"
	ContentTypeBinary = "application/x-candlewick-binary"
)

// EventMeta is the event metadata of a record.
type EventMeta struct {
	EventType     string // one of the Event* constants
	SchemaVersion string // "1"
	ContentType   string // ContentTypeJSON or ContentTypeBinary
}

// MetaFor returns the metadata of an event of eventType encoded with codec
// ("json" or "binary"; anything else counts as "json", the default).
func MetaFor(eventType, codec string) EventMeta {
	ct := ContentTypeJSON
	if codec == CodecBinary {
		ct = ContentTypeBinary
	}
	return EventMeta{EventType: eventType, SchemaVersion: SchemaVersion, ContentType: ct}
}

// MetaHeaders returns the headers of an event of eventType written with
// c's Codec: event-type, schema-version and content-type, in that order.
// Callers append their own headers (a signal ID, dead-letter reasons) after
// them. The returned slice is new on every call.
func (c Config) MetaHeaders(eventType string) []eventlog.Header {
	return MetaFor(eventType, c.withDefaults().Codec).Headers()
}

// Headers returns m as record headers, in the order event-type,
// schema-version, content-type; empty fields are left out.
func (m EventMeta) Headers() []eventlog.Header {
	hs := make([]eventlog.Header, 0, 3)
	add := func(k, v string) {
		if v != "" {
			hs = append(hs, eventlog.Header{Key: k, Value: []byte(v)})
		}
	}
	add(HeaderEventType, m.EventType)
	add(HeaderSchemaVersion, m.SchemaVersion)
	add(HeaderContentType, m.ContentType)
	return hs
}

// MetaOf reads the event metadata from a record's headers (the last one
// wins for a repeated key; other headers are ignored). It never panics. It
// returns an error matching [ErrBadMeta] when the event type or schema
// version is present but not one this version knows, with the
// fields it could read; missing headers leave fields empty without error,
// since records from other producers (kcat, scripts) may carry none.
func MetaOf(hs []eventlog.Header) (EventMeta, error) {
	var m EventMeta
	for _, h := range hs {
		switch h.Key {
		case HeaderEventType:
			m.EventType = string(h.Value)
		case HeaderSchemaVersion:
			m.SchemaVersion = string(h.Value)
		case HeaderContentType:
			m.ContentType = string(h.Value)
		}
	}
	switch m.EventType {
	case "", EventBar, EventTrade, EventSignal, EventDeadLetter, EventSnapshot:
	default:
		return m, fmt.Errorf("%w: %s %q", ErrBadMeta, HeaderEventType, m.EventType)
	}
	if m.SchemaVersion != "" && m.SchemaVersion != SchemaVersion {
		return m, fmt.Errorf("%w: %s %q (this version reads %q)", ErrBadMeta, HeaderSchemaVersion, m.SchemaVersion, SchemaVersion)
	}
	// Content types are not checked: the engine writes its own for
	// snapshots (engine.ContentTypeSnapshot), and the reader of a value
	// decides what it can decode.
	return m, nil
}
