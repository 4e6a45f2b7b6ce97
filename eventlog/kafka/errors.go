package kafka

import (
	"errors"
	"fmt"
)

// Sentinel errors of the Kafka backend. The [eventlog] sentinels
// (ErrClosed, ErrOutOfRange, ErrTooLarge, ErrInvalidStream) are returned
// too, wrapped with context; match all of them with [errors.Is].
var (
	// ErrInvalidConfig is matched by every [*ConfigError] that
	// [Config.Validate] and the constructors return.
	ErrInvalidConfig = errors.New("kafka: invalid configuration")

	// ErrNoCertificates is returned by [TLSFiles] for a CA file holding no
	// PEM certificate.
	ErrNoCertificates = errors.New("kafka: no PEM certificates found")

	// ErrPartitionMismatch is returned by [CreateTopics] when a topic exists
	// with a different partition count, wrapped in a [*TopicError].
	ErrPartitionMismatch = errors.New("kafka: topic exists with a different partition count")

	// ErrBadMeta is returned by [MetaOf] for a record whose event metadata
	// headers hold a value this version does not know.
	ErrBadMeta = errors.New("kafka: unknown event metadata")

	// ErrNoPartition is returned for a partition view beyond the topic's
	// partition count, wrapped in a [*TopicError].
	ErrNoPartition = errors.New("kafka: no such partition")
)

// ConfigError is one problem of a [Config]. It unwraps to [ErrInvalidConfig].
type ConfigError struct {
	Field  string // the Config field, e.g. "SASL.Mechanism"
	Reason string // what is wrong and what is allowed; never a secret
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("kafka: config %s: %s", e.Field, e.Reason)
}

// Unwrap returns [ErrInvalidConfig].
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// TopicError reports a problem with one topic. It unwraps to Err.
type TopicError struct {
	Topic  string
	Reason string
	Err    error // a sentinel such as ErrPartitionMismatch, or the broker's error
}

func (e *TopicError) Error() string {
	return fmt.Sprintf("kafka: topic %s: %s", e.Topic, e.Reason)
}

// Unwrap returns Err.
func (e *TopicError) Unwrap() error { return e.Err }
