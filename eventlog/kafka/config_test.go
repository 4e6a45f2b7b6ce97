package kafka_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func TestConfigValidate(t *testing.T) {
	ok := kafka.Config{Brokers: []string{"k1:9092"}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("minimal config: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(c *kafka.Config)
		fields []string
	}{
		{"no brokers", func(c *kafka.Config) { c.Brokers = nil }, []string{"Brokers"}},
		{"bad broker", func(c *kafka.Config) { c.Brokers = []string{"nohost", "h:0"} }, []string{"Brokers", "Brokers"}},
		{"mechanism", func(c *kafka.Config) { c.SASL = kafka.SASL{Mechanism: "GSSAPI", Username: "u", Password: "pw"} }, []string{"SASL.Mechanism"}},
		{"credentials without mechanism", func(c *kafka.Config) { c.SASL.Password = "pw" }, []string{"SASL.Mechanism"}},
		{"missing credentials", func(c *kafka.Config) { c.SASL.Mechanism = kafka.SASLScramSHA256 }, []string{"SASL.Username", "SASL.Password"}},
		{"compression", func(c *kafka.Config) { c.Compression = "brotli" }, []string{"Compression"}},
		{"acks", func(c *kafka.Config) { c.RequiredAcks = "two" }, []string{"RequiredAcks"}},
		{"codec", func(c *kafka.Config) { c.Codec = "xml" }, []string{"Codec"}},
		{"negatives", func(c *kafka.Config) {
			c.BatchSize, c.MaxAttempts, c.Partitions, c.MaxRecordSize = -1, -1, -1, -1
		}, []string{"BatchSize", "MaxAttempts", "Partitions", "MaxRecordSize"}},
		{"backoff order", func(c *kafka.Config) { c.RetryBackoff, c.RetryBackoffMax = time.Second, time.Millisecond }, []string{"RetryBackoffMax"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mutate(&c)
			err := c.Validate()
			if !errors.Is(err, kafka.ErrInvalidConfig) {
				t.Fatalf("Validate = %v, want ErrInvalidConfig", err)
			}
			for _, f := range tc.fields {
				if !strings.Contains(err.Error(), "config "+f+":") {
					t.Errorf("Validate = %q, want a problem with %s", err, f)
				}
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("Validate = %q leaks the password", err)
			}
		})
	}
}

func TestSASLRedacted(t *testing.T) {
	s := kafka.SASL{Mechanism: kafka.SASLPlain, Username: "alice", Password: "hunter2"}
	cfg := kafka.Config{Brokers: []string{"k:1"}, SASL: s}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "sasl", s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), logged.String()} {
		if strings.Contains(out, "hunter2") {
			t.Errorf("password leaked: %s", out)
		}
		if !strings.Contains(out, "alice") {
			t.Errorf("username missing: %s", out)
		}
	}
}

func TestWriterSettings(t *testing.T) {
	cfg := kafka.Config{Brokers: []string{"k:1"}, Compression: "zstd", RequiredAcks: "one"}
	w := cfg.Writer("t", nil)
	defer w.Close()
	if _, ok := w.Balancer.(*kafkago.Murmur2Balancer); !ok {
		t.Errorf("Balancer = %T, want Murmur2", w.Balancer)
	}
	if w.BatchTimeout != time.Millisecond || w.BatchSize != 1000 || w.MaxAttempts != 10 ||
		w.WriteBackoffMin != 100*time.Millisecond || w.WriteBackoffMax != 5*time.Second ||
		w.Compression != kafkago.Zstd || w.RequiredAcks != kafkago.RequireOne || w.Topic != "t" {
		t.Errorf("writer = %+v", w)
	}
	tr := cfg.Transport()
	if tr.ClientID != "candlewick" || tr.SASL != nil || tr.TLS != nil {
		t.Errorf("transport = %+v", tr)
	}
	if d := cfg.Dialer(); d.ClientID != "candlewick" {
		t.Errorf("dialer = %+v", d)
	}
}

// TestSASLAgainstBroker authenticates with each mechanism against kfake,
// which implements the broker side of PLAIN and SCRAM.
func TestSASLAgainstBroker(t *testing.T) {
	for _, mech := range []string{kafka.SASLPlain, kafka.SASLScramSHA256, kafka.SASLScramSHA512} {
		t.Run(mech, func(t *testing.T) {
			cfg := fakeBrokers(t, kfake.EnableSASL(), kfake.Superuser(mech, "alice", "s3cret"))
			cfg.SASL = kafka.SASL{Mechanism: mech, Username: "alice", Password: "s3cret"}
			l := openLog(t, cfg)
			if _, err := l.Append(context.Background(), "s", []eventlog.Record{{Value: []byte("v")}}); err != nil {
				t.Fatal(err)
			}
			bad := cfg
			bad.SASL.Password = "wrong-password"
			bad.MaxAttempts = 1
			if l, err := kafka.Open(context.Background(), bad); err == nil {
				l.Close()
				t.Fatal("Open with a wrong password succeeded")
			} else if strings.Contains(err.Error(), "wrong-password") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// writeCert writes a self-signed CA and a leaf certificate + key signed by
// it into dir and returns the file names.
func writeCert(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "client"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caTmpl, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(leafKey)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("client.pem", "CERTIFICATE", leafDER), write("client.key", "EC PRIVATE KEY", keyDER)
}

func TestTLSFiles(t *testing.T) {
	dir := t.TempDir()
	ca, cert, key := writeCert(t, dir)
	tc, err := kafka.TLSFiles(ca, cert, key, false)
	if err != nil {
		t.Fatal(err)
	}
	if tc.RootCAs == nil || len(tc.Certificates) != 1 || tc.InsecureSkipVerify {
		t.Errorf("tls config = %+v", tc)
	}
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, []byte("not a certificate"), 0o600)
	if _, err := kafka.TLSFiles(empty, "", "", false); !errors.Is(err, kafka.ErrNoCertificates) {
		t.Errorf("CA without certificates: %v", err)
	}
	if _, err := kafka.TLSFiles("", cert, "", false); !errors.Is(err, kafka.ErrInvalidConfig) {
		t.Errorf("cert without key: %v", err)
	}
	if _, err := kafka.TLSFiles(filepath.Join(dir, "missing.pem"), "", "", false); err == nil {
		t.Error("missing CA file accepted")
	}
	if _, err := kafka.TLSFiles("", cert, ca, false); err == nil {
		t.Error("certificate as key accepted")
	}
}
