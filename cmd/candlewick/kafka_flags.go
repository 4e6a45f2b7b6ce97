package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

// envSASLPassword is read when --sasl-password is not given, so that the
// secret stays out of the process list (ps shows arguments, not the
// environment).
const envSASLPassword = "CANDLEWICK_SASL_PASSWORD"

// kafkaOptions holds the Kafka flags of a command; Config turns them into a
// kafka.Config.
type kafkaOptions struct {
	brokers        string
	clientID       string
	tls            bool
	tlsCA          string
	tlsCert        string
	tlsKey         string
	tlsInsecure    bool
	saslMechanism  string
	saslUsername   string
	saslPassword   string
	batchSize      int
	batchTimeout   time.Duration
	compression    string
	acks           string
	maxAttempts    int
	retryBackoff   time.Duration
	codec          string
	getenv         func(string) string // os.Getenv; tests replace it
	passwordIsFlag bool                // --sasl-password was given on the command line
}

// kafkaFlags registers the Kafka flags on fs. Defaults shown in --help are
// the kafka package's.
func kafkaFlags(fs *flag.FlagSet) *kafkaOptions {
	o := &kafkaOptions{getenv: os.Getenv}
	fs.StringVar(&o.brokers, "brokers", "", "Kafka bootstrap brokers, comma-separated host:port (empty: the embedded log)")
	fs.StringVar(&o.clientID, "client-id", kafka.DefaultClientID, "Kafka client id")
	fs.BoolVar(&o.tls, "tls", false, "connect to the brokers with TLS (implied by the other --tls-* flags)")
	fs.StringVar(&o.tlsCA, "tls-ca", "", "PEM file of the CA that signed the brokers' certificates (default: system roots)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM client certificate for mutual TLS (with --tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.BoolVar(&o.tlsInsecure, "tls-insecure-skip-verify", false, "do not verify the brokers' certificates (testing only)")
	fs.StringVar(&o.saslMechanism, "sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (empty: none)")
	fs.StringVar(&o.saslUsername, "sasl-username", "", "SASL username")
	fs.Func("sasl-password", "SASL password (prefer the "+envSASLPassword+" environment variable: arguments are visible in ps)", func(s string) error {
		o.saslPassword, o.passwordIsFlag = s, true
		return nil
	})
	fs.IntVar(&o.batchSize, "batch-size", kafka.DefaultBatchSize, "most records per produce request")
	fs.DurationVar(&o.batchTimeout, "batch-timeout", kafka.DefaultBatchTimeout, "longest wait to fill a produce batch (kafka-go's 1s default would delay every live event)")
	fs.StringVar(&o.compression, "compression", "none", "producer compression: none, gzip, snappy, lz4 or zstd")
	fs.StringVar(&o.acks, "acks", "all", "required acknowledgements: all, one or none")
	fs.IntVar(&o.maxAttempts, "max-attempts", kafka.DefaultMaxAttempts, "attempts of a produce or metadata request before it fails")
	fs.DurationVar(&o.retryBackoff, "retry-backoff", kafka.DefaultRetryBackoff, "first wait between attempts; doubles up to 5s")
	fs.StringVar(&o.codec, "codec", kafka.CodecJSON, "value encoding of written events: json or binary")
	return o
}

// Enabled reports whether --brokers was given: Kafka instead of the
// embedded log.
func (o *kafkaOptions) Enabled() bool { return strings.TrimSpace(o.brokers) != "" }

// configFlags names the flag behind each kafka.Config field that Validate
// may report.
var configFlags = map[string]string{
	"Brokers":        "--brokers",
	"SASL":           "--sasl-username/--sasl-password",
	"SASL.Mechanism": "--sasl-mechanism",
	"SASL.Username":  "--sasl-username",
	"SASL.Password":  "--sasl-password (or " + envSASLPassword + ")",
	"Compression":    "--compression",
	"RequiredAcks":   "--acks",
	"Codec":          "--codec",
}

// Config returns the kafka.Config the flags describe. A bad value is a
// usageError naming the flag and what it accepts; the SASL password never
// appears in an error.
func (o *kafkaOptions) Config(logger *slog.Logger) (kafka.Config, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var brokers []string
	for _, b := range strings.Split(o.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	password := o.saslPassword
	if !o.passwordIsFlag && o.getenv != nil {
		password = o.getenv(envSASLPassword)
	}
	mech := strings.ToUpper(strings.TrimSpace(o.saslMechanism))
	cfg := kafka.Config{
		Brokers:      brokers,
		ClientID:     o.clientID,
		SASL:         kafka.SASL{Mechanism: mech, Username: o.saslUsername, Password: password},
		BatchSize:    o.batchSize,
		BatchTimeout: o.batchTimeout,
		Compression:  strings.ToLower(o.compression),
		RequiredAcks: strings.ToLower(o.acks),
		MaxAttempts:  o.maxAttempts,
		RetryBackoff: o.retryBackoff,
		Codec:        strings.ToLower(o.codec),
		Logger:       logger,
	}
	if o.clientID == "" {
		bad("--client-id: must not be empty")
	}
	if o.batchSize < 1 {
		bad("--batch-size %d: must be at least 1", o.batchSize)
	}
	if o.batchTimeout <= 0 {
		bad("--batch-timeout %v: must be positive (e.g. 1ms)", o.batchTimeout)
	}
	if o.maxAttempts < 1 {
		bad("--max-attempts %d: must be at least 1", o.maxAttempts)
	}
	if o.retryBackoff <= 0 || o.retryBackoff > kafka.DefaultRetryBackoffMax {
		bad("--retry-backoff %v: must be positive and at most %v", o.retryBackoff, kafka.DefaultRetryBackoffMax)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		bad("--tls-cert and --tls-key must be given together")
	}
	if len(problems) == 0 && (o.tls || o.tlsCA != "" || o.tlsCert != "" || o.tlsInsecure) {
		tc, err := kafka.TLSFiles(o.tlsCA, o.tlsCert, o.tlsKey, o.tlsInsecure)
		if err != nil {
			bad("--tls-ca/--tls-cert/--tls-key: %v", err)
		}
		cfg.TLS = tc
	}
	// The rules for values (compression, acks, codec, SASL, brokers) are
	// the Config's own: report its problems under the flags' names. Its
	// errors name the Config field and never the password.
	if err := cfg.Validate(); err != nil {
		var ces interface{ Unwrap() []error }
		list := []error{err}
		if errors.As(err, &ces) {
			list = ces.Unwrap()
		}
		for _, e := range list {
			var ce *kafka.ConfigError
			if errors.As(e, &ce) && configFlags[ce.Field] != "" {
				bad("%s: %s", configFlags[ce.Field], ce.Reason)
			} else {
				bad("%v", e)
			}
		}
	}
	if len(problems) > 0 {
		return kafka.Config{}, usagef("%s", strings.Join(problems, "; "))
	}
	return cfg, nil
}
