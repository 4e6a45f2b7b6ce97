package eventlog

import (
	"context"
)

// Header is one item of a record's metadata (content type, dead-letter
// reason, ...). Keys need not be unique; their order is preserved.
type Header struct {
	Key   string
	Value []byte
}

// Record is one entry of a stream. Key, Value and Headers may each be nil or
// empty; a backend returns an empty (non-nil or nil, unspecified) slice for
// both, so compare with len or bytes.Equal.
type Record struct {
	// Seq is the record's 0-based sequence number in its stream. It is
	// assigned by Append (any value passed in is ignored).
	Seq     int64
	Key     []byte   // e.g. the symbol; may be nil
	Value   []byte   // the encoded event; may be nil
	Headers []Header // small metadata; may be nil
}

// Size is the bytes r carries: key, value, and each header's key and value.
// The in-memory and Kafka logs count it against their record size limit
// (the disk log counts its encoded frame).
func (r Record) Size() int {
	n := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// Clone returns a deep copy of r that shares no memory with it, for keeping
// a record handed out by an [Iterator] past the next call of Next.
func (r Record) Clone() Record {
	c := Record{Seq: r.Seq}
	size := len(r.Key) + len(r.Value)
	for _, h := range r.Headers {
		size += len(h.Value)
	}
	// One backing array for all byte slices: one allocation instead of many.
	buf := make([]byte, 0, size)
	take := func(b []byte) []byte {
		if b == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	c.Key = take(r.Key)
	c.Value = take(r.Value)
	if r.Headers != nil {
		c.Headers = make([]Header, len(r.Headers))
		for i, h := range r.Headers {
			c.Headers[i] = Header{Key: h.Key, Value: take(h.Value)}
		}
	}
	return c
}

// Log is an append-only store of named streams of records. Implementations
// are safe for concurrent use by multiple goroutines; appends to one stream
// are serialised, and readers never see a partially appended batch.
//
// Every method returns [ErrClosed] after Close, and a [*StreamNameError] for a
// name [ValidateStream] rejects.
type Log interface {
	// Append appends recs to stream, in order, and returns the sequence number
	// assigned to each (indexed like recs). Readers see all of the batch or
	// none of it. The whole batch fails (nothing is appended) if a record is
	// over the backend's maximum size ([ErrTooLarge]) or ctx is done before the
	// write starts. After a failed write the stream is read-only and every
	// later Append returns an error matching [ErrReadOnly] and the first
	// failure. An Append that fails in the write or sync has an unknown
	// outcome: readers do not see the batch, but it may be found after a
	// restart (callers that must not duplicate deduplicate by content, as
	// the engine does by signal ID). Append does not keep recs or the slices
	// in them. Appending an empty batch is a no-op returning (nil, nil).
	Append(ctx context.Context, stream string, recs []Record) ([]int64, error)

	// Read returns an iterator over the records of stream from sequence number
	// from up to the last record appended before Read was called. It does not
	// block and does not see later appends. from beyond the end gives an empty
	// iterator; from < 0 or below the oldest retained record returns
	// [ErrOutOfRange]. The caller must Close the iterator.
	Read(ctx context.Context, stream string, from int64) (Iterator, error)

	// Follow calls fn with every record of stream from sequence number from on,
	// in order, then blocks and calls it for each new record as it is appended,
	// until ctx ends (returning ctx.Err()), the log closes ([ErrClosed]), fn
	// returns an error (returned as is) or reading fails. The record passed to
	// fn is valid only during the call. fn runs on the caller's goroutine.
	Follow(ctx context.Context, stream string, from int64, fn func(Record) error) error

	// Last returns the sequence number of the last record of stream, or -1 if
	// the stream has no records (or does not exist).
	Last(ctx context.Context, stream string) (int64, error)

	// Streams returns the names of all streams holding (or having held)
	// records, sorted.
	Streams(ctx context.Context) ([]string, error)

	// Close releases the log. It waits for appends in progress, makes what they
	// wrote durable where the backend can, wakes blocked Follow calls and is
	// idempotent: later calls return nil.
	Close() error
}

// Iterator walks records in sequence order. It is not safe for concurrent
// use. A typical loop:
//
//	for it.Next() { use(it.Record()) }
//	if err := it.Err(); err != nil { ... }
//	it.Close()
type Iterator interface {
	// Next advances to the next record and reports whether there is one. It
	// returns false at the end and on an error (see Err).
	Next() bool
	// Record returns the current record. Its slices alias the iterator's
	// buffers and are valid only until the next call of Next or Close.
	Record() Record
	// Err returns the error that stopped the iteration, if any (for example a
	// [*CorruptError]).
	Err() error
	// Close releases the iterator's resources. It is idempotent and returns
	// the iteration error, if any.
	Close() error
}

// Collect reads up to max records (all if max < 0) from it into cloned
// records, then closes it. It returns what it read and the iteration error.
// Collect is a convenience for tests and small reads; scans should use the
// iterator directly to avoid copying.
func Collect(it Iterator, max int) ([]Record, error) {
	var out []Record
	for (max < 0 || len(out) < max) && it.Next() {
		out = append(out, it.Record().Clone())
	}
	return out, it.Close()
}
