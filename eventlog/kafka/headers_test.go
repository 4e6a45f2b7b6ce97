package kafka_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func TestMetaHeaders(t *testing.T) {
	tests := []struct {
		codec, event string
		want         string
	}{
		{"", kafka.EventBar, "event-type=bar schema-version=1 content-type=application/json"},
		{"json", kafka.EventSignal, "event-type=signal schema-version=1 content-type=application/json"},
		{"binary", kafka.EventTrade, "event-type=trade schema-version=1 content-type=application/x-candlewick-binary"},
		{"binary", kafka.EventDeadLetter, "event-type=dead-letter schema-version=1 content-type=application/x-candlewick-binary"},
	}
	for _, tc := range tests {
		t.Run(tc.codec+"/"+tc.event, func(t *testing.T) {
			hs := kafka.Config{Codec: tc.codec}.MetaHeaders(tc.event)
			got := ""
			for i, h := range hs {
				if i > 0 {
					got += " "
				}
				got += h.Key + "=" + string(h.Value)
			}
			if got != tc.want {
				t.Errorf("headers = %q, want %q", got, tc.want)
			}
			m, err := kafka.MetaOf(hs)
			if err != nil || m != kafka.MetaFor(tc.event, tc.codec) {
				t.Errorf("MetaOf = %+v, %v", m, err)
			}
		})
	}
}

func TestMetaOfUnknown(t *testing.T) {
	for _, hs := range [][]eventlog.Header{
		{{Key: kafka.HeaderEventType, Value: []byte("candle")}},
		{{Key: kafka.HeaderSchemaVersion, Value: []byte("2")}},
	} {
		if _, err := kafka.MetaOf(hs); !errors.Is(err, kafka.ErrBadMeta) {
			t.Errorf("MetaOf(%s) = %v, want ErrBadMeta", hs[0].Value, err)
		}
	}
	// Records from other producers carry no metadata: not an error.
	if m, err := kafka.MetaOf(nil); err != nil || m != (kafka.EventMeta{}) {
		t.Errorf("MetaOf(nil) = %+v, %v", m, err)
	}
}

func ExampleConfig_MetaHeaders() {
	cfg := kafka.Config{Brokers: []string{"localhost:9092"}}
	for _, h := range cfg.MetaHeaders(kafka.EventSignal) {
		fmt.Printf("%s: %s\n", h.Key, h.Value)
	}
	// Output:
	// event-type: signal
	// schema-version: 1
	// content-type: application/json
}

// FuzzMetaOf: any headers parse without panic, and metadata that parses
// round-trips through Headers.
func FuzzMetaOf(f *testing.F) {
	f.Add("event-type", []byte("bar"), "schema-version", []byte("1"), "content-type", []byte("application/json"))
	f.Add("event-type", []byte("nope"), "x", []byte{0xff}, "content-type", []byte(""))
	f.Add("", []byte(nil), "schema-version", []byte("2"), "event-type", []byte("signal"))
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte, k3 string, v3 []byte) {
		hs := []eventlog.Header{{Key: k1, Value: v1}, {Key: k2, Value: v2}, {Key: k3, Value: v3}}
		m, err := kafka.MetaOf(hs)
		if err != nil {
			if !errors.Is(err, kafka.ErrBadMeta) {
				t.Fatalf("error %v does not match ErrBadMeta", err)
			}
			return
		}
		back, err := kafka.MetaOf(m.Headers())
		if err != nil || back != m {
			t.Fatalf("round trip: %+v -> %+v, %v", m, back, err)
		}
	})
}
