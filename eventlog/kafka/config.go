package kafka

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Defaults applied by [Config] to zero fields.
const (
	DefaultClientID        = "candlewick"
	DefaultBatchSize       = 1000
	DefaultBatchTimeout    = time.Millisecond
	DefaultMaxAttempts     = 10
	DefaultRetryBackoff    = 100 * time.Millisecond
	DefaultRetryBackoffMax = 5 * time.Second
	DefaultPartitions      = 1
	DefaultMaxRecordSize   = 1_000_000 // under Kafka's default message.max.bytes (1048588), which bounds a whole batch with its overhead
	DefaultFetchMaxWait    = 5 * time.Millisecond
	DefaultDialTimeout     = 10 * time.Second
)

// SASL mechanism names accepted in [SASL.Mechanism].
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// Codec names accepted in [Config.Codec].
const (
	CodecJSON   = "json"
	CodecBinary = "binary"
)

// SASL holds SASL credentials. The zero value means no SASL. Its String,
// GoString and LogValue methods redact the password, so a SASL (or a Config
// holding one) can be logged or printed with %v without leaking it.
type SASL struct {
	// Mechanism is "" (no SASL), "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512".
	Mechanism string
	Username  string
	Password  string
}

// String describes s without its password.
func (s SASL) String() string {
	if s.Mechanism == "" {
		return "SASL{}"
	}
	pw := ""
	if s.Password != "" {
		pw = "<redacted>"
	}
	return fmt.Sprintf("SASL{Mechanism:%s Username:%s Password:%s}", s.Mechanism, s.Username, pw)
}

// GoString is String, so that %#v redacts too.
func (s SASL) GoString() string { return s.String() }

// LogValue implements [slog.LogValuer] without the password.
func (s SASL) LogValue() slog.Value {
	return slog.GroupValue(slog.String("mechanism", s.Mechanism), slog.String("username", s.Username))
}

// Config holds every production setting of the Kafka backend. The zero value
// of each field means its default (applied by the constructors to their own
// copy); only Brokers is required. A Config is a value: copying it is safe,
// but TLS and Logger are shared pointers.
type Config struct {
	// Brokers are the bootstrap brokers, "host:port". Required.
	Brokers []string
	// ClientID is sent with every request (broker logs, quotas); default
	// "candlewick".
	ClientID string
	// TLS enables TLS with this configuration; nil means plaintext. See
	// [TLSFiles].
	TLS *tls.Config
	// SASL enables SASL authentication (PLAIN or SCRAM). Use it with TLS:
	// PLAIN sends the password in clear text.
	SASL SASL
	// BatchSize is the most records a producer [kafkago.Writer] sends in one
	// request; default 1000 (kafka-go's default is 100).
	BatchSize int
	// BatchTimeout is how long a producer Writer waits to fill a batch before
	// sending a partial one; default 1ms. kafka-go's own default is 1s, a
	// latency trap: a Writer fed one message at a time (as a live engine is)
	// then delivers each message a whole second late. 1ms keeps the live
	// budget (p99 <= 5 ms market-to-signal) while still batching bursts.
	BatchTimeout time.Duration
	// Compression is the producer's batch compression: "none" (default),
	// "gzip", "snappy", "lz4" or "zstd".
	Compression string
	// RequiredAcks is "all" (default: every in-sync replica; durable), "one"
	// (the leader only) or "none" (fire and forget; Append cannot return
	// exact sequence numbers and fails).
	RequiredAcks string
	// MaxAttempts is how many times a produce or metadata request is tried
	// before its error is returned; default 10.
	MaxAttempts int
	// RetryBackoff is the wait before the first retry; it doubles on every
	// attempt up to RetryBackoffMax. Defaults 100ms and 5s: with 10 attempts
	// a broker may be away for about 20 s before an Append fails.
	RetryBackoff    time.Duration
	RetryBackoffMax time.Duration
	// Codec is the value encoding of the events Candlewick writes: "json"
	// (default, readable by any client) or "binary" (the events package's
	// binary codec). It selects the content-type header (see [MetaHeaders]).
	Codec string
	// Partitions is the partition count of a topic the [Log] creates on its
	// first Append; default 1. Create topics up front with [CreateTopics]
	// (see [StandardTopics]) to choose per-topic counts.
	Partitions int
	// ReplicationFactor of topics the Log creates; 0 means the broker's
	// default.replication.factor.
	ReplicationFactor int
	// MaxRecordSize is the largest record (key + value + headers) Append
	// accepts; larger ones fail with [eventlog.ErrTooLarge] before anything
	// is sent. Default 1,000,000 bytes: under Kafka's default
	// message.max.bytes (1048588), which bounds a whole batch including its
	// overhead. A batch over the topic's limit fails with ErrTooLarge too.
	MaxRecordSize int
	// FetchMaxWait is how long a tailing read (Follow) long-polls the broker
	// for new records; default 5ms. The broker answers as soon as a record
	// arrives (MinBytes is 1), so this bounds only how often an idle Follow
	// wakes up to check its context, not the delivery latency.
	FetchMaxWait time.Duration
	// DialTimeout bounds connecting to a broker; default 10s.
	DialTimeout time.Duration
	// Logger receives lifecycle messages; nil discards them.
	Logger *slog.Logger
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	c.ClientID = cmp.Or(c.ClientID, DefaultClientID)
	c.BatchSize = cmp.Or(c.BatchSize, DefaultBatchSize)
	c.BatchTimeout = cmp.Or(c.BatchTimeout, DefaultBatchTimeout)
	c.Compression = cmp.Or(c.Compression, "none")
	c.RequiredAcks = cmp.Or(c.RequiredAcks, "all")
	c.MaxAttempts = cmp.Or(c.MaxAttempts, DefaultMaxAttempts)
	c.RetryBackoff = cmp.Or(c.RetryBackoff, DefaultRetryBackoff)
	c.RetryBackoffMax = cmp.Or(c.RetryBackoffMax, DefaultRetryBackoffMax)
	c.Codec = cmp.Or(c.Codec, CodecJSON)
	c.Partitions = cmp.Or(c.Partitions, DefaultPartitions)
	c.MaxRecordSize = cmp.Or(c.MaxRecordSize, DefaultMaxRecordSize)
	c.FetchMaxWait = cmp.Or(c.FetchMaxWait, DefaultFetchMaxWait)
	c.DialTimeout = cmp.Or(c.DialTimeout, DefaultDialTimeout)
	c.Logger = cmp.Or(c.Logger, slog.New(slog.DiscardHandler))
	return c
}

// Validate reports every problem of c (after defaults) at once, joined with
// [errors.Join]; each is a [*ConfigError]. It never includes the SASL
// password.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if len(c.Brokers) == 0 {
		bad("Brokers", "at least one broker host:port is required")
	}
	for _, b := range c.Brokers {
		host, port, err := net.SplitHostPort(b)
		if err != nil || host == "" {
			bad("Brokers", "%q is not host:port", b)
			continue
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			bad("Brokers", "%q: port must be 1-65535", b)
		}
	}
	switch c.SASL.Mechanism {
	case "":
		if c.SASL.Username != "" || c.SASL.Password != "" {
			bad("SASL.Mechanism", "credentials given without a mechanism (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
		}
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if c.SASL.Username == "" {
			bad("SASL.Username", "required with mechanism %s", c.SASL.Mechanism)
		}
		if c.SASL.Password == "" {
			bad("SASL.Password", "required with mechanism %s", c.SASL.Mechanism)
		}
		if _, err := c.saslMechanism(); err != nil && c.SASL.Username != "" && c.SASL.Password != "" {
			// The error may quote the credentials: say only what is wrong.
			bad("SASL", "the username or password has characters SASLprep (RFC 4013) prohibits")
		}
	default:
		bad("SASL.Mechanism", "%q is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512", c.SASL.Mechanism)
	}
	if c.BatchSize < 0 {
		bad("BatchSize", "%d is negative", c.BatchSize)
	}
	if c.BatchTimeout < 0 {
		bad("BatchTimeout", "%v is negative", c.BatchTimeout)
	}
	if _, ok := compressionOf(c.Compression); !ok {
		bad("Compression", "%q is not one of none, gzip, snappy, lz4, zstd", c.Compression)
	}
	if _, ok := acksOf(c.RequiredAcks); !ok {
		bad("RequiredAcks", "%q is not one of all, one, none", c.RequiredAcks)
	}
	if c.MaxAttempts < 0 {
		bad("MaxAttempts", "%d is negative", c.MaxAttempts)
	}
	if c.RetryBackoff < 0 {
		bad("RetryBackoff", "%v is negative", c.RetryBackoff)
	}
	if c.RetryBackoffMax < c.RetryBackoff {
		bad("RetryBackoffMax", "%v is less than RetryBackoff %v", c.RetryBackoffMax, c.RetryBackoff)
	}
	if c.Codec != CodecJSON && c.Codec != CodecBinary {
		bad("Codec", "%q is not one of json, binary", c.Codec)
	}
	if c.Partitions < 0 {
		bad("Partitions", "%d is negative", c.Partitions)
	}
	if c.ReplicationFactor < 0 {
		bad("ReplicationFactor", "%d is negative", c.ReplicationFactor)
	}
	if c.MaxRecordSize < 0 {
		bad("MaxRecordSize", "%d is negative", c.MaxRecordSize)
	}
	if c.FetchMaxWait < 0 {
		bad("FetchMaxWait", "%v is negative", c.FetchMaxWait)
	}
	if c.DialTimeout < 0 {
		bad("DialTimeout", "%v is negative", c.DialTimeout)
	}
	return errors.Join(errs...)
}

func compressionOf(s string) (kafkago.Compression, bool) {
	switch s {
	case "none", "":
		return 0, true
	case "gzip":
		return kafkago.Gzip, true
	case "snappy":
		return kafkago.Snappy, true
	case "lz4":
		return kafkago.Lz4, true
	case "zstd":
		return kafkago.Zstd, true
	}
	return 0, false
}

func acksOf(s string) (kafkago.RequiredAcks, bool) {
	switch s {
	case "all", "":
		return kafkago.RequireAll, true
	case "one":
		return kafkago.RequireOne, true
	case "none":
		return kafkago.RequireNone, true
	}
	return 0, false
}

// mechanism returns the kafka-go SASL mechanism of c, or nil. The SCRAM
// constructor fails only for credentials SASLprep rejects (RFC 4013), which
// Validate reports; a nil mechanism then makes the broker refuse the login.
func (c Config) mechanism() sasl.Mechanism {
	m, _ := c.saslMechanism()
	return m
}

func (c Config) saslMechanism() (sasl.Mechanism, error) {
	switch c.SASL.Mechanism {
	case SASLPlain:
		return plain.Mechanism{Username: c.SASL.Username, Password: c.SASL.Password}, nil
	case SASLScramSHA256:
		return scram.Mechanism(scram.SHA256, c.SASL.Username, c.SASL.Password)
	case SASLScramSHA512:
		return scram.Mechanism(scram.SHA512, c.SASL.Username, c.SASL.Password)
	}
	return nil, nil
}

// TLSFiles builds a TLS configuration from PEM files: caFile (optional; the
// system roots when empty) verifies the brokers, and certFile with keyFile
// (both or neither) is the client certificate for mutual TLS.
// insecureSkipVerify disables broker verification (testing only). Errors
// name the file, never its contents.
func TLSFiles(caFile, certFile, keyFile string, insecureSkipVerify bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecureSkipVerify} //nolint:gosec // opt-in
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("kafka: read TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka: TLS CA file %s: %w", caFile, ErrNoCertificates)
		}
		cfg.RootCAs = pool
	}
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			// The tls error may quote PEM parsing details but never key bytes.
			return nil, fmt.Errorf("kafka: load TLS client certificate %s / key %s: %w", certFile, keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	case certFile != "" || keyFile != "":
		return nil, fmt.Errorf("kafka: TLS client certificate and key must be given together (cert %q, key %q): %w", certFile, keyFile, ErrInvalidConfig)
	}
	return cfg, nil
}

// Transport returns a kafka-go transport with c's TLS, SASL, client ID and
// dial timeout, for a [kafkago.Client] or [kafkago.Writer]. Each call makes a
// new connection pool: share one per process and close its idle
// connections (CloseIdleConnections) when done.
func (c Config) Transport() *kafkago.Transport {
	c = c.withDefaults()
	return &kafkago.Transport{
		DialTimeout: c.DialTimeout,
		ClientID:    c.ClientID,
		TLS:         c.TLS,
		SASL:        c.mechanism(),
		// Metadata refreshes every few seconds so that a moved leader or a
		// new topic is found without a restart.
		MetadataTTL: 5 * time.Second,
	}
}

// Dialer returns a kafka-go dialer with c's TLS, SASL, client ID and dial
// timeout, for a [kafkago.Reader] or [kafkago.ConsumerGroup].
func (c Config) Dialer() *kafkago.Dialer {
	c = c.withDefaults()
	return &kafkago.Dialer{
		ClientID:      c.ClientID,
		Timeout:       c.DialTimeout,
		DualStack:     true,
		TLS:           c.TLS,
		SASLMechanism: c.mechanism(),
	}
}

// Client returns a kafka-go client for c's brokers over a new [Config.Transport].
func (c Config) Client() *kafkago.Client {
	return &kafkago.Client{Addr: kafkago.TCP(c.Brokers...), Transport: c.Transport()}
}

// Writer returns a kafka-go producer for topic with every producer setting
// of c applied (batch size and timeout, compression, acks, attempts and
// backoff, transport). balancer picks the partition; nil means
// [kafkago.Murmur2Balancer], the Java client's default. An invalid Compression
// or RequiredAcks falls back to the default: call Validate first. The caller
// closes the Writer.
func (c Config) Writer(topic string, balancer kafkago.Balancer) *kafkago.Writer {
	c = c.withDefaults()
	if balancer == nil {
		balancer = &kafkago.Murmur2Balancer{}
	}
	comp, _ := compressionOf(c.Compression)
	acks, _ := acksOf(c.RequiredAcks)
	return &kafkago.Writer{
		Addr:            kafkago.TCP(c.Brokers...),
		Topic:           topic,
		Balancer:        balancer,
		MaxAttempts:     c.MaxAttempts,
		WriteBackoffMin: c.RetryBackoff,
		WriteBackoffMax: c.RetryBackoffMax,
		BatchSize:       c.BatchSize,
		BatchBytes:      int64(c.MaxRecordSize) + 1<<10,
		BatchTimeout:    c.BatchTimeout,
		RequiredAcks:    acks,
		Compression:     comp,
		Transport:       c.Transport(),
		// Topics are created deliberately (CreateTopics, or the Log with its
		// partition count), never by a producer's typo.
		AllowAutoTopicCreation: false,
	}
}

// redactedBrokers is for log lines: brokers are not secret, but keep one
// place that decides what a log line may show.
func redactedBrokers(bs []string) string { return strings.Join(bs, ",") }
