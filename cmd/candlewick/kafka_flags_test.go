package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func parseKafkaFlags(t *testing.T, env map[string]string, args ...string) (*kafkaOptions, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := kafkaFlags(fs)
	o.getenv = func(k string) string { return env[k] }
	return o, fs.Parse(args)
}

func TestKafkaFlagsDefaults(t *testing.T) {
	o, err := parseKafkaFlags(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Enabled() {
		t.Fatal("Enabled without --brokers")
	}
	o, _ = parseKafkaFlags(t, nil, "--brokers", " k1:9092, k2:9092 ")
	if !o.Enabled() {
		t.Fatal("not Enabled with --brokers")
	}
	cfg, err := o.Config(nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cfg.Brokers, ",") != "k1:9092,k2:9092" || cfg.ClientID != "candlewick" || cfg.BatchSize != 1000 ||
		cfg.BatchTimeout != time.Millisecond || cfg.Compression != "none" || cfg.RequiredAcks != "all" ||
		cfg.MaxAttempts != 10 || cfg.RetryBackoff != 100*time.Millisecond || cfg.Codec != "json" || cfg.TLS != nil || cfg.SASL.Mechanism != "" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestKafkaFlagsValues(t *testing.T) {
	o, err := parseKafkaFlags(t, map[string]string{envSASLPassword: "from-env"},
		"--brokers=k:9093", "--client-id=bot", "--sasl-mechanism=scram-sha-512", "--sasl-username=u",
		"--batch-size=10", "--batch-timeout=5ms", "--compression=zstd", "--acks=one", "--max-attempts=3",
		"--retry-backoff=50ms", "--codec=binary", "--tls", "--tls-insecure-skip-verify")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := o.Config(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := kafka.SASL{Mechanism: "SCRAM-SHA-512", Username: "u", Password: "from-env"}
	if cfg.SASL != want || cfg.ClientID != "bot" || cfg.BatchSize != 10 || cfg.BatchTimeout != 5*time.Millisecond ||
		cfg.Compression != "zstd" || cfg.RequiredAcks != "one" || cfg.MaxAttempts != 3 || cfg.RetryBackoff != 50*time.Millisecond ||
		cfg.Codec != "binary" || cfg.TLS == nil || !cfg.TLS.InsecureSkipVerify {
		t.Errorf("config: %+v", cfg)
	}
	// The flag wins over the environment.
	o, _ = parseKafkaFlags(t, map[string]string{envSASLPassword: "from-env"}, "--brokers=k:9093", "--sasl-mechanism=PLAIN", "--sasl-username=u", "--sasl-password=from-flag")
	if cfg, err := o.Config(nil); err != nil || cfg.SASL.Password != "from-flag" {
		t.Errorf("password = %q, %v; want the flag's", cfg.SASL.Password, err)
	}
}

func TestKafkaFlagsBad(t *testing.T) {
	const secret = "s3cr3t-value"
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error
	}{
		{"no brokers", []string{"--brokers", " , "}, nil, "--brokers"},
		{"broker without port", []string{"--brokers", "localhost"}, nil, "host:port"},
		{"empty client id", []string{"--brokers", "k:1", "--client-id="}, nil, "--client-id"},
		{"batch size", []string{"--brokers", "k:1", "--batch-size=0"}, nil, "--batch-size 0"},
		{"batch timeout", []string{"--brokers", "k:1", "--batch-timeout=0s"}, nil, "--batch-timeout"},
		{"compression", []string{"--brokers", "k:1", "--compression=brotli"}, nil, "none, gzip, snappy, lz4, zstd"},
		{"acks", []string{"--brokers", "k:1", "--acks=2"}, nil, "all, one, none"},
		{"max attempts", []string{"--brokers", "k:1", "--max-attempts=0"}, nil, "--max-attempts"},
		{"retry backoff", []string{"--brokers", "k:1", "--retry-backoff=1m"}, nil, "--retry-backoff"},
		{"codec", []string{"--brokers", "k:1", "--codec=xml"}, nil, "json, binary"},
		{"mechanism", []string{"--brokers", "k:1", "--sasl-mechanism=GSSAPI", "--sasl-username=u", "--sasl-password=" + secret}, nil, "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"},
		{"no username", []string{"--brokers", "k:1", "--sasl-mechanism=PLAIN", "--sasl-password=" + secret}, nil, "--sasl-username"},
		{"no password", []string{"--brokers", "k:1", "--sasl-mechanism=PLAIN", "--sasl-username=u"}, nil, envSASLPassword},
		{"credentials without mechanism", []string{"--brokers", "k:1", "--sasl-username=u", "--sasl-password=" + secret}, nil, "--sasl-mechanism"},
		{"cert without key", []string{"--brokers", "k:1", "--tls-cert=c.pem"}, nil, "--tls-key"},
		{"missing CA file", []string{"--brokers", "k:1", "--tls-ca=/nonexistent/ca.pem"}, nil, "--tls-ca"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseKafkaFlags(t, tc.env, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = o.Config(nil)
			if !errors.As(err, new(usageError)) {
				t.Fatalf("err = %v (%T), want a usageError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("err = %q leaks the password", err)
			}
		})
	}
}
