package eventlog

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by every backend. Match them with [errors.Is]:
// backends wrap them with context.
var (
	// ErrClosed is returned by every method called after [Log.Close], and by a
	// [Log.Follow] that was blocked when the log closed.
	ErrClosed = errors.New("eventlog: log closed")

	// ErrCorrupt marks data that fails its checksum or framing and cannot be
	// explained by a torn write at the tail. Backends return it wrapped in a
	// [*CorruptError] naming the file and offset.
	ErrCorrupt = errors.New("eventlog: corrupt data")

	// ErrInvalidStream is returned for a stream name that [ValidateStream]
	// rejects, wrapped in a [*StreamNameError].
	ErrInvalidStream = errors.New("eventlog: invalid stream name")

	// ErrTooLarge is returned by [Log.Append] for a record larger than the
	// backend's maximum record size, wrapped in a [*RecordTooLargeError].
	ErrTooLarge = errors.New("eventlog: record too large")

	// ErrOutOfRange is returned by [Log.Read] and [Log.Follow] for a negative
	// start position or one that precedes the oldest record still retained.
	ErrOutOfRange = errors.New("eventlog: sequence number out of range")

	// ErrReadOnly is returned by [Log.Append] on a stream whose earlier write or
	// fsync failed (a sticky error); the first failure is wrapped with it.
	ErrReadOnly = errors.New("eventlog: stream is read-only after a write failure")
)

// CorruptError reports data that fails verification. It unwraps to
// [ErrCorrupt].
type CorruptError struct {
	File   string // file (or partition) holding the bad data
	Offset int64  // byte offset of the first bad frame in File
	Reason string // what failed, e.g. "checksum mismatch"
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("eventlog: corrupt data in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Unwrap returns [ErrCorrupt].
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// StreamNameError reports an invalid stream name. It unwraps to
// [ErrInvalidStream].
type StreamNameError struct {
	Name   string // the rejected name
	Reason string // why it was rejected
}

func (e *StreamNameError) Error() string {
	return fmt.Sprintf("eventlog: invalid stream name %q: %s", e.Name, e.Reason)
}

// Unwrap returns [ErrInvalidStream].
func (e *StreamNameError) Unwrap() error { return ErrInvalidStream }

// RecordTooLargeError reports a record over the maximum size. Nothing of the
// batch it belonged to was appended. It unwraps to [ErrTooLarge].
type RecordTooLargeError struct {
	Index int // index of the record in the batch passed to Append
	Size  int // its encoded size in bytes
	Max   int // the backend's limit in bytes
}

func (e *RecordTooLargeError) Error() string {
	return fmt.Sprintf("eventlog: record %d is %d bytes, over the maximum of %d", e.Index, e.Size, e.Max)
}

// Unwrap returns [ErrTooLarge].
func (e *RecordTooLargeError) Unwrap() error { return ErrTooLarge }
