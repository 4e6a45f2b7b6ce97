// Package eventlog defines Candlewick's durable, append-only log of opaque
// records: the [Log] interface that the engine, the backtester and the API
// consume, the [Record] and [Iterator] types, stream-name validation and the
// errors every backend returns.
//
// The log is bytes-level: it stores keys, values and headers without knowing
// which event types they encode. Backends live in sub-packages
// (eventlog/disk, the embedded default; eventlog/memlog, an in-memory
// reference; eventlog/kafka) and all of them pass the conformance suite in
// eventlog/eventlogtest.
//
// # Streams and sequence numbers
//
// A log holds named streams ("market.bars.v1", "signals.v1", ...). A stream
// comes into existence with its first append; reading a stream that was never
// written is not an error, it is empty. Names are checked by [ValidateStream].
//
// Every record in a stream has a sequence number, assigned by [Log.Append]:
// sequence numbers are 0-based, dense and strictly increasing (the first
// record of a stream is 0, the next 1, ...). Retention may delete the oldest
// records of a stream, never a record in the middle.
//
// # Buffer ownership
//
// [Log.Append] does not retain the caller's slices after it returns. Records
// handed out by an [Iterator] or to a [Log.Follow] callback may alias buffers
// of the backend: they are valid only until the next call of Next (or until
// the callback returns). Use [Record.Clone] to keep one. This is what lets a
// sequential scan run without an allocation per record.
package eventlog
