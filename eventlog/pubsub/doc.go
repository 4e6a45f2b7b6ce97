// Package pubsub adapts any [eventlog.Log] to watermill's
// [message.Publisher] and [message.Subscriber], so that the engine's router
// runs unchanged on the embedded disk log, the in-memory log of tests and
// (later) the Kafka backend.
//
// A topic is a stream. [Publisher.Publish] appends its messages as one batch
// (all or nothing): the payload becomes the record's Value, the "key"
// metadata its Key, the message UUID the [HeaderUUID] header, and every other
// metadata entry a header, in sorted key order so that the same message always
// gives the same bytes.
//
// [Subscriber.Subscribe] follows a stream from a configured start position
// and delivers its records in order, one at a time: the next message is sent
// only after the previous one is acked; a Nack delivers the same record
// again. Each message carries the metadata [MetaSeq], [MetaStream] and
// [MetaKey] beside the record's headers; its UUID is the one it was published
// with, or "stream:seq" (e.g. "market.bars.v1:42") for records appended
// without one, so it is deterministic either way.
//
// Neither type owns the log: closing them leaves it open.
package pubsub
