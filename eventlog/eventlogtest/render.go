package eventlogtest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Render renders a stream's records (sequence number, key, headers, value)
// as text, one line each, so that tests can compare two streams byte for
// byte and print where they differ.
func Render(t testing.TB, l eventlog.Log, stream string) []byte {
	t.Helper()
	it, err := l.Read(context.Background(), stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for it.Next() {
		r := it.Record()
		fmt.Fprintf(&b, "%d %s", r.Seq, r.Key)
		for _, h := range r.Headers {
			fmt.Fprintf(&b, " %s=%s", h.Key, h.Value)
		}
		fmt.Fprintf(&b, " %s\n", r.Value)
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ReadAll returns every record of a stream, failing t on an error.
func ReadAll(t testing.TB, l eventlog.Log, stream string) []eventlog.Record {
	t.Helper()
	it, err := l.Read(context.Background(), stream, 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
