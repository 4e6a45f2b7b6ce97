package disk

// An internal test: the frame checksum keeps a black-box fuzzer from
// reaching the payload decoder, so this one drives it directly.

import (
	"bytes"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// FuzzPayload decodes arbitrary payloads: no panic, and a payload that
// decodes re-encodes to a frame that decodes to the same record.
func FuzzPayload(f *testing.F) {
	for _, r := range []eventlog.Record{
		{},
		{Key: []byte("BTC-USDT"), Value: []byte(`{"close":"1.5"}`), Headers: []eventlog.Header{{Key: "content-type", Value: []byte("application/json")}}},
		{Headers: []eventlog.Header{{}, {Key: "a"}, {Key: "b", Value: []byte{0}}}},
	} {
		frame := appendFrame(nil, &r, 42, flagEndOfBatch, payloadSize(&r))
		f.Add(frame[frameHeaderSize:])
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		var d decoder
		var r eventlog.Record
		flags, reason := d.decode(p, &r)
		if reason != "" {
			return
		}
		r = r.Clone()
		frame := appendFrame(nil, &r, r.Seq, flags, payloadSize(&r))
		if !frameCRCOK(frame, len(frame)-frameHeaderSize) {
			t.Fatal("re-encoded frame fails its checksum")
		}
		var r2 eventlog.Record
		flags2, reason := d.decode(frame[frameHeaderSize:], &r2)
		if reason != "" || flags2 != flags || r2.Seq != r.Seq || !bytes.Equal(r.Key, r2.Key) || !bytes.Equal(r.Value, r2.Value) || len(r.Headers) != len(r2.Headers) {
			t.Fatalf("round trip: %+v (%s) -> %+v", r, reason, r2)
		}
		for i := range r.Headers {
			if r.Headers[i].Key != r2.Headers[i].Key || !bytes.Equal(r.Headers[i].Value, r2.Headers[i].Value) {
				t.Fatalf("header %d changed on round trip", i)
			}
		}
	})
}
