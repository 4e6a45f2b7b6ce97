package eventlog

import (
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// Header keys of a dead-letter record. The record's Value is the original
// bytes exactly as received and its Key the original key, so that a
// dead-letter stream looks the same on the disk log and on Kafka, where any
// client can read the original and the reason (ARCHITECTURE.md, "Topics and
// streams"). Frozen: they are part of the wire contract.
const (
	HeaderReason = "candlewick-reason" // why it was rejected
	HeaderSource = "candlewick-source" // where it came from: "file.csv:12", "market.bars.v1@0:5531"
	HeaderTime   = "candlewick-time"   // when it was rejected, RFC 3339 UTC
)

// DeadLetterRecord returns the record that stores d in a dead-letter stream
// under key (which may be nil). The record shares d.Original.
func DeadLetterRecord(key []byte, d events.DeadLetter) Record {
	hs := []Header{
		{Key: HeaderReason, Value: []byte(d.Reason)},
		{Key: HeaderSource, Value: []byte(d.Source)},
	}
	if !d.Time.IsZero() {
		hs = append(hs, Header{Key: HeaderTime, Value: d.Time.UTC().AppendFormat(nil, time.RFC3339Nano)})
	}
	return Record{Key: key, Value: d.Original, Headers: hs}
}

// DeadLetterOf reads a record written by DeadLetterRecord back into a
// DeadLetter; fields whose header is missing stay zero. The result shares no
// memory with r.
func DeadLetterOf(r Record) events.DeadLetter {
	d := events.DeadLetter{Original: append([]byte(nil), r.Value...)}
	for _, h := range r.Headers {
		switch h.Key {
		case HeaderReason:
			d.Reason = string(h.Value)
		case HeaderSource:
			d.Source = string(h.Value)
		case HeaderTime:
			if t, err := time.Parse(time.RFC3339Nano, string(h.Value)); err == nil {
				d.Time = t.UTC()
			}
		}
	}
	return d
}
