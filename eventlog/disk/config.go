package disk

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// FsyncPolicy says when appended data is made durable with fsync.
type FsyncPolicy int

const (
	// FsyncAlways syncs every batch before Append returns, and before readers
	// can see it: an acknowledged append survives a machine crash. It is the
	// default (the zero value). Batch appends to amortise its cost.
	FsyncAlways FsyncPolicy = iota
	// FsyncInterval syncs dirty streams every Config.FsyncInterval from a
	// background goroutine: a crash may lose the appends of the last period
	// (but never corrupts older ones).
	FsyncInterval
	// FsyncNone never syncs (not even on roll-over, recovery or Close); the
	// operating system writes data back when it wants, and a machine crash
	// may tear any segment. For tests and throw-away logs.
	FsyncNone
)

// String returns "always", "interval" or "none".
func (p FsyncPolicy) String() string {
	switch p {
	case FsyncAlways:
		return "always"
	case FsyncInterval:
		return "interval"
	case FsyncNone:
		return "none"
	}
	return fmt.Sprintf("FsyncPolicy(%d)", int(p))
}

// Defaults and limits of [Config].
const (
	DefaultFsyncInterval = 100 * time.Millisecond
	DefaultPollInterval  = 50 * time.Millisecond
	DefaultSegmentSize   = 64 << 20
	DefaultMaxRecordSize = 4 << 20
	// MinSegmentSize is the smallest SegmentSize accepted.
	MinSegmentSize = 1 << 10
	// MaxRecordSizeLimit is the largest MaxRecordSize accepted; frames larger
	// than this are treated as corrupt by the reader, whatever the config.
	MaxRecordSizeLimit = 256 << 20
)

// RetentionConfig bounds how much of each stream is kept. Retention deletes
// whole segments, oldest first, and never the segment being written, so a
// stream may exceed the bounds by up to one segment. Zero fields mean "no
// limit".
type RetentionConfig struct {
	// MaxBytes is the size of a stream (all its segments) above which its
	// oldest segments are deleted.
	MaxBytes int64
	// MaxAge deletes a segment once its newest record is older than this,
	// judged by Config.Clock against the time the next segment was created.
	MaxAge time.Duration
}

// Config configures [Open]. Every field but Dir has a default, applied when
// the field is the zero value.
type Config struct {
	// Dir is the log's root directory; each stream is a subdirectory. It is
	// created if missing. Required.
	Dir string
	// Fsync is the durability policy; default FsyncAlways.
	Fsync FsyncPolicy
	// FsyncInterval is the period of the background flusher under
	// FsyncInterval; default 100ms.
	FsyncInterval time.Duration
	// PollInterval is how often a blocked Follow looks at a stream's files
	// for records appended by other processes (appends in this process wake
	// it at once, without polling); default 50ms. Each poll costs one fstat
	// when nothing changed.
	PollInterval time.Duration
	// SegmentSize is the size in bytes at which a stream rolls over to a new
	// segment file; default 64 MiB, minimum 1 KiB. A segment always takes at
	// least one whole batch, so it may exceed SegmentSize by one batch.
	SegmentSize int64
	// MaxRecordSize is the largest encoded record (sequence number, key,
	// headers and value, plus a few bytes of lengths) Append accepts; default
	// 4 MiB, at most 256 MiB.
	MaxRecordSize int
	// Retention bounds each stream; default unlimited.
	Retention RetentionConfig
	// TruncateCorruptTail makes Open cut the last segment of a stream at its
	// first bad frame even when valid frames follow (which Open otherwise
	// refuses as corruption). It is the operator's way back after a power
	// loss under FsyncInterval or FsyncNone, when the operating system may
	// have written pages out of order. The records after the cut are lost;
	// Recovered lists the cut. Default false.
	TruncateCorruptTail bool
	// Clock returns the current time, used only for segment creation times and
	// age-based retention; default time.Now. Tests inject a fake.
	Clock func() time.Time
	// Logger receives lifecycle and recovery messages; nil discards them.
	Logger *slog.Logger
	// FS is the file system; default OSFS.
	FS FS
}

// Validate reports every problem of c at once (joined with errors.Join), or
// nil. Zero values are valid: they mean "default".
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("disk: Config.Dir is empty"))
	}
	if c.Fsync < FsyncAlways || c.Fsync > FsyncNone {
		errs = append(errs, fmt.Errorf("disk: Config.Fsync %d is not a known policy", int(c.Fsync)))
	}
	if c.FsyncInterval < 0 {
		errs = append(errs, fmt.Errorf("disk: Config.FsyncInterval %v is negative", c.FsyncInterval))
	}
	if c.PollInterval < 0 {
		errs = append(errs, fmt.Errorf("disk: Config.PollInterval %v is negative", c.PollInterval))
	}
	if c.SegmentSize < 0 || (c.SegmentSize > 0 && c.SegmentSize < MinSegmentSize) {
		errs = append(errs, fmt.Errorf("disk: Config.SegmentSize %d is below the minimum of %d", c.SegmentSize, MinSegmentSize))
	}
	if c.MaxRecordSize < 0 || c.MaxRecordSize > MaxRecordSizeLimit {
		errs = append(errs, fmt.Errorf("disk: Config.MaxRecordSize %d is outside [0, %d]", c.MaxRecordSize, MaxRecordSizeLimit))
	}
	if c.Retention.MaxBytes < 0 {
		errs = append(errs, fmt.Errorf("disk: Config.Retention.MaxBytes %d is negative", c.Retention.MaxBytes))
	}
	if c.Retention.MaxAge < 0 {
		errs = append(errs, fmt.Errorf("disk: Config.Retention.MaxAge %v is negative", c.Retention.MaxAge))
	}
	return errors.Join(errs...)
}

// withDefaults returns a copy of c with defaults filled in.
func (c Config) withDefaults() Config {
	c.FsyncInterval = cmp.Or(c.FsyncInterval, DefaultFsyncInterval)
	c.PollInterval = cmp.Or(c.PollInterval, DefaultPollInterval)
	c.SegmentSize = cmp.Or(c.SegmentSize, DefaultSegmentSize)
	c.MaxRecordSize = cmp.Or(c.MaxRecordSize, DefaultMaxRecordSize)
	if c.Clock == nil {
		c.Clock = time.Now
	}
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	c.FS = cmp.Or[FS](c.FS, OSFS{})
	return c
}
