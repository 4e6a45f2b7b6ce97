package eventlog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/eventlog"
)

func TestValidateStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		reason string // substring of the error; "" means valid
	}{
		{"market.bars.v1", ""},
		{"signals.v1", ""},
		{"deadletter.v1", ""},
		{"engine.snapshots.v1", ""},
		{"A-z_0.9", ""},
		{"trailing.", ""},
		{strings.Repeat("s", eventlog.MaxStreamNameLen), ""},
		{"", "empty"},
		{strings.Repeat("s", eventlog.MaxStreamNameLen+1), "longer"},
		{".", "starts with '.'"},
		{"..", "starts with '.'"},
		{".hidden", "starts with '.'"},
		{"a..b", `".."`},
		{"a/b", "path separator"},
		{"../../etc/passwd", "starts with '.'"},
		{"up/../x", "path separator"},
		{`a\b`, "path separator"},
		{"a b", "character"},
		{"a:b", "character"},
		{"naïve", "character"},
		{"nul\x00", "character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := eventlog.ValidateStream(tc.name)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("ValidateStream(%q) = %v, want nil", tc.name, err)
				}
				return
			}
			var se *eventlog.StreamNameError
			if !errors.Is(err, eventlog.ErrInvalidStream) || !errors.As(err, &se) || se.Name != tc.name {
				t.Fatalf("ValidateStream(%q) = %v, want a *StreamNameError", tc.name, err)
			}
			if !strings.Contains(se.Reason, tc.reason) {
				t.Errorf("reason %q, want it to mention %q", se.Reason, tc.reason)
			}
		})
	}
}

func TestRecordSize(t *testing.T) {
	for _, c := range []struct {
		r    eventlog.Record
		want int
	}{
		{eventlog.Record{}, 0},
		{eventlog.Record{Seq: 7, Key: []byte("BTC"), Value: []byte("12345")}, 8},
		{eventlog.Record{Key: []byte("k"), Value: []byte("v"), Headers: []eventlog.Header{{Key: "ab", Value: []byte("cde")}, {Key: "x"}}}, 8},
	} {
		if got := c.r.Size(); got != c.want {
			t.Errorf("Size(%+v) = %d, want %d", c.r, got, c.want)
		}
	}
}

func TestRecordClone(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  eventlog.Record
	}{
		{"Zero", eventlog.Record{}},
		{"Full", eventlog.Record{Seq: 7, Key: []byte("k"), Value: []byte("value"), Headers: []eventlog.Header{{Key: "a", Value: []byte("1")}, {Key: "b"}}}},
		{"EmptyNotNil", eventlog.Record{Key: []byte{}, Value: []byte{}, Headers: []eventlog.Header{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.rec.Clone()
			if c.Seq != tc.rec.Seq || string(c.Key) != string(tc.rec.Key) || string(c.Value) != string(tc.rec.Value) || len(c.Headers) != len(tc.rec.Headers) {
				t.Fatalf("Clone = %+v, want %+v", c, tc.rec)
			}
			if (c.Key == nil) != (tc.rec.Key == nil) || (c.Value == nil) != (tc.rec.Value == nil) || (c.Headers == nil) != (tc.rec.Headers == nil) {
				t.Errorf("Clone changed nil-ness: %+v -> %+v", tc.rec, c)
			}
			// The clone shares no memory: appending to one slice must not
			// write into another.
			if len(c.Key) > 0 {
				c.Key = append(c.Key, 'X')
				if string(c.Value) != string(tc.rec.Value) {
					t.Errorf("appending to the cloned key changed the value: %q", c.Value)
				}
				tc.rec.Key[0] = 'Z'
				if c.Key[0] == 'Z' {
					t.Error("clone shares the key with the original")
				}
			}
		})
	}
}

func TestErrorsUnwrap(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want error
		text string
	}{
		{&eventlog.CorruptError{File: "a.seg", Offset: 42, Reason: "checksum mismatch"}, eventlog.ErrCorrupt, "a.seg at offset 42: checksum mismatch"},
		{&eventlog.StreamNameError{Name: "a/b", Reason: "contains a path separator"}, eventlog.ErrInvalidStream, `"a/b"`},
		{&eventlog.RecordTooLargeError{Index: 3, Size: 10, Max: 5}, eventlog.ErrTooLarge, "record 3 is 10 bytes"},
	} {
		if !errors.Is(tc.err, tc.want) || !strings.Contains(tc.err.Error(), tc.text) || !strings.HasPrefix(tc.err.Error(), "eventlog: ") {
			t.Errorf("%v: want it to match %v and mention %q", tc.err, tc.want, tc.text)
		}
	}
}
