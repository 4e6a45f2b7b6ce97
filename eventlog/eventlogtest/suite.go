package eventlogtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// Harness tells [Run] how to make logs of the backend under test.
type Harness struct {
	// New returns a new, empty log. Required. The suite closes it (closing it
	// again from t.Cleanup is fine: Close is idempotent).
	New func(t *testing.T) eventlog.Log
	// Reopen closes l and opens the same log again. Nil skips the durability
	// tests (for in-memory backends).
	Reopen func(t *testing.T, l eventlog.Log) eventlog.Log
	// MaxRecordSize is the backend's record size limit in bytes; 0 skips the
	// too-large test.
	MaxRecordSize int
	// LargeRecordSize is the value size of the large-record test; 0 means
	// 1 MiB. It must be accepted by the backend.
	LargeRecordSize int
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, h Harness) {
	if h.New == nil {
		t.Fatal("eventlogtest: Harness.New is nil")
	}
	if h.LargeRecordSize == 0 {
		h.LargeRecordSize = 1 << 20
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, h Harness)
	}{
		{"AppendAssignsIncreasingSeqs", testAppendSeqs},
		{"ReadFromAnyPosition", testReadFromAnyPosition},
		{"ReadPastEnd", testReadPastEnd},
		{"ReadIsSnapshot", testReadSnapshot},
		{"EmptyStream", testEmptyStream},
		{"StreamsIsolated", testStreamsIsolated},
		{"FollowExistingThenNew", testFollow},
		{"FollowFromFuture", testFollowFromFuture},
		{"FollowFnError", testFollowFnError},
		{"FollowUnblocksOnClose", testFollowClose},
		{"ConcurrentReadersDuringAppends", testConcurrent},
		{"InvalidStreamNames", testInvalidNames},
		{"RecordShapes", testRecordShapes},
		{"AppendDoesNotRetainInput", testNoRetain},
		{"LargeRecords", testLarge},
		{"TooLarge", testTooLarge},
		{"CanceledContext", testCanceled},
		{"CloseSemantics", testClose},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

func open(t *testing.T, h Harness) eventlog.Log {
	t.Helper()
	l := h.New(t)
	t.Cleanup(func() { l.Close() })
	return l
}

func rec(stream string, i int) eventlog.Record {
	return eventlog.Record{
		Key:     []byte(fmt.Sprintf("sym-%d", i%7)),
		Value:   []byte(fmt.Sprintf("%s value %d", stream, i)),
		Headers: []eventlog.Header{{Key: "content-type", Value: []byte("text/plain")}},
	}
}

func recs(stream string, from, n int) []eventlog.Record {
	out := make([]eventlog.Record, n)
	for i := range out {
		out[i] = rec(stream, from+i)
	}
	return out
}

func mustAppend(t *testing.T, l eventlog.Log, stream string, rs []eventlog.Record) []int64 {
	t.Helper()
	seqs, err := l.Append(context.Background(), stream, rs)
	if err != nil {
		t.Fatalf("Append(%s, %d records): %v", stream, len(rs), err)
	}
	if len(seqs) != len(rs) {
		t.Fatalf("Append returned %d seqs for %d records", len(seqs), len(rs))
	}
	return seqs
}

func readAll(t *testing.T, l eventlog.Log, stream string, from int64) []eventlog.Record {
	t.Helper()
	it, err := l.Read(context.Background(), stream, from)
	if err != nil {
		t.Fatalf("Read(%s, %d): %v", stream, from, err)
	}
	out, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatalf("Read(%s, %d): iterate: %v", stream, from, err)
	}
	return out
}

// sameRecord compares by content: nil and empty slices are equal.
func sameRecord(a, b eventlog.Record) bool {
	if !bytes.Equal(a.Key, b.Key) || !bytes.Equal(a.Value, b.Value) || len(a.Headers) != len(b.Headers) {
		return false
	}
	for i := range a.Headers {
		if a.Headers[i].Key != b.Headers[i].Key || !bytes.Equal(a.Headers[i].Value, b.Headers[i].Value) {
			return false
		}
	}
	return true
}

// checkRange checks that got holds the records of stream numbered from
// from, as made by rec, each with its sequence number.
func checkRange(t *testing.T, stream string, got []eventlog.Record, from int64, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s from %d: got %d records, want %d", stream, from, len(got), n)
	}
	for i, r := range got {
		want := rec(stream, int(from)+i)
		if r.Seq != from+int64(i) || !sameRecord(r, want) {
			t.Fatalf("%s record %d: got seq %d %q, want seq %d %q", stream, i, r.Seq, r.Value, from+int64(i), want.Value)
		}
	}
}

func testAppendSeqs(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "market.bars.v1"
	next := int64(0)
	for _, n := range []int{1, 5, 1, 100, 3} {
		seqs := mustAppend(t, l, s, recs(s, int(next), n))
		for i, q := range seqs {
			if q != next+int64(i) {
				t.Fatalf("batch of %d: seq[%d] = %d, want %d", n, i, q, next+int64(i))
			}
		}
		next += int64(n)
	}
	seqs, err := l.Append(context.Background(), s, nil)
	if err != nil || len(seqs) != 0 {
		t.Fatalf("Append(empty batch) = %v, %v; want no seqs, nil", seqs, err)
	}
	if last, err := l.Last(context.Background(), s); err != nil || last != next-1 {
		t.Fatalf("Last = %d, %v; want %d", last, err, next-1)
	}
	checkRange(t, s, readAll(t, l, s, 0), 0, int(next))
}

func testReadFromAnyPosition(t *testing.T, h Harness) {
	l := open(t, h)
	const s, n = "signals.v1", 1000
	for i := 0; i < n; {
		b := min(1+i%37, n-i)
		mustAppend(t, l, s, recs(s, i, b))
		i += b
	}
	for _, from := range []int64{0, 1, 2, 36, 500, 998, 999} {
		checkRange(t, s, readAll(t, l, s, from), from, n-int(from))
	}
	// Partial reads: stop early and close.
	it, err := l.Read(context.Background(), s, 10)
	if err != nil {
		t.Fatal(err)
	}
	got, err := eventlog.Collect(it, 5)
	if err != nil {
		t.Fatal(err)
	}
	checkRange(t, s, got, 10, 5)
}

func testReadPastEnd(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 10))
	for _, from := range []int64{10, 11, 1 << 40} {
		if got := readAll(t, l, s, from); len(got) != 0 {
			t.Errorf("Read from %d: got %d records, want none", from, len(got))
		}
	}
	if _, err := l.Read(context.Background(), s, -1); !errors.Is(err, eventlog.ErrOutOfRange) {
		t.Errorf("Read from -1: err = %v, want ErrOutOfRange", err)
	}
}

func testReadSnapshot(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 10))
	it, err := l.Read(context.Background(), s, 0)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, s, recs(s, 10, 10))
	got, err := eventlog.Collect(it, -1)
	if err != nil {
		t.Fatal(err)
	}
	checkRange(t, s, got, 0, 10)
}

func testEmptyStream(t *testing.T, h Harness) {
	l := open(t, h)
	ctx := context.Background()
	if last, err := l.Last(ctx, "never.written"); err != nil || last != -1 {
		t.Errorf("Last(never written) = %d, %v; want -1, nil", last, err)
	}
	if got := readAll(t, l, "never.written", 0); len(got) != 0 {
		t.Errorf("Read(never written): got %d records", len(got))
	}
	names, err := l.Streams(ctx)
	if err != nil || len(names) != 0 {
		t.Errorf("Streams() on a new log = %v, %v; want none", names, err)
	}
}

func testStreamsIsolated(t *testing.T, h Harness) {
	l := open(t, h)
	ctx := context.Background()
	names := []string{"signals.v1", "deadletter.v1", "market.bars.v1"}
	for round := 0; round < 3; round++ {
		for i, s := range names {
			mustAppend(t, l, s, recs(s, round*(i+1), i+1))
		}
	}
	for i, s := range names {
		n := 3 * (i + 1)
		checkRange(t, s, readAll(t, l, s, 0), 0, n)
		if last, err := l.Last(ctx, s); err != nil || last != int64(n-1) {
			t.Errorf("Last(%s) = %d, %v; want %d", s, last, err, n-1)
		}
	}
	got, err := l.Streams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"deadletter.v1", "market.bars.v1", "signals.v1"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Streams() = %v, want %v", got, want)
	}
}

// follower runs Follow in a goroutine, sending cloned records to a channel.
type follower struct {
	recs   chan eventlog.Record
	done   chan error
	cancel context.CancelFunc
}

func follow(l eventlog.Log, stream string, from int64) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{recs: make(chan eventlog.Record, 1024), done: make(chan error, 1), cancel: cancel}
	go func() {
		f.done <- l.Follow(ctx, stream, from, func(r eventlog.Record) error {
			select {
			case f.recs <- r.Clone():
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return f
}

func (f *follower) expect(t *testing.T, stream string, from int64, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second) // a hang guard, not a wait
	for i := 0; i < n; i++ {
		select {
		case r := <-f.recs:
			checkRange(t, stream, []eventlog.Record{r}, from+int64(i), 1)
		case err := <-f.done:
			t.Fatalf("Follow returned %v after %d of %d records", err, i, n)
		case <-timeout:
			t.Fatalf("Follow: timed out after %d of %d records", i, n)
		}
	}
}

func (f *follower) stop(t *testing.T) error {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after its context was canceled")
		return nil
	}
}

func testFollow(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 5))
	f := follow(l, s, 2)
	f.expect(t, s, 2, 3)
	mustAppend(t, l, s, recs(s, 5, 1))
	f.expect(t, s, 5, 1)
	mustAppend(t, l, s, recs(s, 6, 50))
	f.expect(t, s, 6, 50)
	if err := f.stop(t); !errors.Is(err, context.Canceled) {
		t.Errorf("Follow after cancel = %v, want context.Canceled", err)
	}
}

func testFollowFromFuture(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "brand.new.stream"
	f := follow(l, s, 5)
	mustAppend(t, l, s, recs(s, 0, 3))
	mustAppend(t, l, s, recs(s, 3, 7))
	f.expect(t, s, 5, 5)
	if err := f.stop(t); !errors.Is(err, context.Canceled) {
		t.Errorf("Follow after cancel = %v, want context.Canceled", err)
	}
}

func testFollowFnError(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 10))
	stop := errors.New("stop here")
	n := 0
	err := l.Follow(context.Background(), s, 0, func(r eventlog.Record) error {
		if n++; n == 4 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 4 {
		t.Errorf("Follow = %v after %d calls, want the callback's error after 4", err, n)
	}
	if _, err := l.Read(context.Background(), s, 0); err != nil {
		t.Errorf("Read after Follow: %v", err)
	}
}

func testFollowClose(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 1))
	f := follow(l, s, 0)
	f.expect(t, s, 0, 1)
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-f.done:
		if !errors.Is(err, eventlog.ErrClosed) {
			t.Errorf("Follow after Close = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return after Close")
	}
	f.cancel()
}

func testConcurrent(t *testing.T, h Harness) {
	l := open(t, h)
	const s, batches, batch = "market.bars.v1", 100, 10
	const total = batches * batch
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := 0; b < batches; b++ {
			if _, err := l.Append(context.Background(), s, recs(s, b*batch, batch)); err != nil {
				errs <- err
				return
			}
		}
	}()
	// Readers: every read is a contiguous, correct prefix of whole batches.
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seen := 0; seen < total; {
				it, err := l.Read(context.Background(), s, 0)
				if err != nil {
					errs <- err
					return
				}
				n := 0
				for it.Next() {
					rr := it.Record()
					if rr.Seq != int64(n) || !sameRecord(rr, rec(s, n)) {
						errs <- fmt.Errorf("reader: record %d has seq %d value %q", n, rr.Seq, rr.Value)
						it.Close()
						return
					}
					n++
				}
				if err := it.Close(); err != nil {
					errs <- err
					return
				}
				if n%batch != 0 {
					errs <- fmt.Errorf("reader saw %d records: a partial batch", n)
					return
				}
				seen = n
			}
		}()
	}
	// Followers see every record once, in order.
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			err := l.Follow(ctx, s, 0, func(rr eventlog.Record) error {
				if rr.Seq != int64(n) || !sameRecord(rr, rec(s, n)) {
					return fmt.Errorf("follower: record %d has seq %d", n, rr.Seq)
				}
				if n++; n == total {
					cancel()
				}
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("follower: %v after %d records", err, n)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testInvalidNames(t *testing.T, h Harness) {
	l := open(t, h)
	ctx := context.Background()
	bad := []string{"", ".", "..", "../etc", "a/b", `a\b`, "a..b", ".hidden", "with space", "tab\t", "nul\x00", "ünïcode", strings.Repeat("x", 250)}
	for _, name := range bad {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			if err := eventlog.ValidateStream(name); !errors.Is(err, eventlog.ErrInvalidStream) {
				t.Errorf("ValidateStream = %v, want ErrInvalidStream", err)
			}
			if _, err := l.Append(ctx, name, recs("x", 0, 1)); !errors.Is(err, eventlog.ErrInvalidStream) {
				t.Errorf("Append = %v, want ErrInvalidStream", err)
			}
			if _, err := l.Read(ctx, name, 0); !errors.Is(err, eventlog.ErrInvalidStream) {
				t.Errorf("Read = %v, want ErrInvalidStream", err)
			}
			if _, err := l.Last(ctx, name); !errors.Is(err, eventlog.ErrInvalidStream) {
				t.Errorf("Last = %v, want ErrInvalidStream", err)
			}
			err := l.Follow(ctx, name, 0, func(eventlog.Record) error { return nil })
			var se *eventlog.StreamNameError
			if !errors.As(err, &se) || se.Name != name {
				t.Errorf("Follow = %v, want a *StreamNameError naming the stream", err)
			}
		})
	}
	for _, name := range []string{"a", "market.bars.v1", "A-b_c.9", "x.", strings.Repeat("y", 249)} {
		if err := eventlog.ValidateStream(name); err != nil {
			t.Errorf("ValidateStream(%q) = %v, want nil", name, err)
		}
		mustAppend(t, l, name, recs(name, 0, 1))
	}
}

func testRecordShapes(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "deadletter.v1"
	in := []eventlog.Record{
		{},
		{Key: []byte{}, Value: []byte{}, Headers: []eventlog.Header{}},
		{Key: []byte("k")},
		{Value: []byte("v")},
		{Headers: []eventlog.Header{{Key: "reason", Value: []byte("bad price")}, {Key: "", Value: nil}, {Key: "reason", Value: []byte{0, 1, 2}}}},
		{Key: []byte{0}, Value: bytes.Repeat([]byte{0xff}, 300), Headers: []eventlog.Header{{Key: "content-type", Value: []byte("application/x-candlewick-bar")}}},
		{Seq: 12345, Value: []byte("Seq on input is ignored")},
	}
	mustAppend(t, l, s, in)
	got := readAll(t, l, s, 0)
	if len(got) != len(in) {
		t.Fatalf("got %d records, want %d", len(got), len(in))
	}
	for i := range in {
		if got[i].Seq != int64(i) || !sameRecord(got[i], in[i]) {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], in[i])
		}
	}
}

func testNoRetain(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	r := eventlog.Record{Key: []byte("key"), Value: []byte("value"), Headers: []eventlog.Header{{Key: "h", Value: []byte("hv")}}}
	batch := []eventlog.Record{r}
	mustAppend(t, l, s, batch)
	r.Key[0], r.Value[0], r.Headers[0].Value[0] = 'X', 'X', 'X'
	batch[0].Headers[0].Key = "changed"
	got := readAll(t, l, s, 0)
	want := eventlog.Record{Key: []byte("key"), Value: []byte("value"), Headers: []eventlog.Header{{Key: "h", Value: []byte("hv")}}}
	if len(got) != 1 || !sameRecord(got[0], want) {
		t.Errorf("after modifying the appended slices: got %+v, want %+v", got, want)
	}
}

func testLarge(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "engine.snapshots.v1"
	in := make([]eventlog.Record, 4)
	for i := range in {
		v := make([]byte, h.LargeRecordSize/(1+i%2))
		for j := range v {
			v[j] = byte(j*7 + i)
		}
		in[i] = eventlog.Record{Key: []byte("shard"), Value: v}
	}
	mustAppend(t, l, s, in[:1])
	mustAppend(t, l, s, in[1:])
	got := readAll(t, l, s, 0)
	if len(got) != len(in) {
		t.Fatalf("got %d records, want %d", len(got), len(in))
	}
	for i := range in {
		if !sameRecord(got[i], in[i]) {
			t.Errorf("large record %d differs (len %d, want %d)", i, len(got[i].Value), len(in[i].Value))
		}
	}
}

func testTooLarge(t *testing.T, h Harness) {
	if h.MaxRecordSize == 0 {
		t.Skip("Harness.MaxRecordSize not set")
	}
	l := open(t, h)
	const s = "signals.v1"
	batch := []eventlog.Record{rec(s, 0), {Value: make([]byte, h.MaxRecordSize+1)}}
	_, err := l.Append(context.Background(), s, batch)
	var tl *eventlog.RecordTooLargeError
	if !errors.Is(err, eventlog.ErrTooLarge) || !errors.As(err, &tl) || tl.Index != 1 {
		t.Fatalf("Append(too large) = %v, want a *RecordTooLargeError for index 1", err)
	}
	if last, _ := l.Last(context.Background(), s); last != -1 {
		t.Errorf("Last after a rejected batch = %d, want -1 (nothing appended)", last)
	}
	mustAppend(t, l, s, recs(s, 0, 1))
}

func testCanceled(t *testing.T, h Harness) {
	l := open(t, h)
	const s = "signals.v1"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Append(ctx, s, recs(s, 0, 3)); !errors.Is(err, context.Canceled) {
		t.Errorf("Append(canceled ctx) = %v, want context.Canceled", err)
	}
	if last, _ := l.Last(context.Background(), s); last != -1 {
		t.Errorf("Last after a canceled append = %d, want -1", last)
	}
	if err := l.Follow(ctx, s, 0, func(eventlog.Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Follow(canceled ctx) = %v, want context.Canceled", err)
	}
}

func testClose(t *testing.T, h Harness) {
	l := open(t, h)
	ctx := context.Background()
	const s = "signals.v1"
	mustAppend(t, l, s, recs(s, 0, 3))
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	check := func(op string, err error) {
		if !errors.Is(err, eventlog.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", op, err)
		}
	}
	_, err := l.Append(ctx, s, recs(s, 3, 1))
	check("Append", err)
	_, err = l.Read(ctx, s, 0)
	check("Read", err)
	_, err = l.Last(ctx, s)
	check("Last", err)
	_, err = l.Streams(ctx)
	check("Streams", err)
	check("Follow", l.Follow(ctx, s, 0, func(eventlog.Record) error { return nil }))
}

func testDurability(t *testing.T, h Harness) {
	if h.Reopen == nil {
		t.Skip("Harness.Reopen not set: the backend is not durable")
	}
	l := h.New(t)
	ctx := context.Background()
	names := []string{"market.bars.v1", "signals.v1"}
	for i, s := range names {
		mustAppend(t, l, s, recs(s, 0, 10+i))
	}
	l = h.Reopen(t, l)
	t.Cleanup(func() { l.Close() })
	got, err := l.Streams(ctx)
	if err != nil || strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("Streams after reopen = %v, %v; want %v", got, err, names)
	}
	for i, s := range names {
		checkRange(t, s, readAll(t, l, s, 0), 0, 10+i)
		seqs := mustAppend(t, l, s, recs(s, 10+i, 5))
		if seqs[0] != int64(10+i) {
			t.Errorf("%s: first seq after reopen = %d, want %d", s, seqs[0], 10+i)
		}
	}
	l = h.Reopen(t, l)
	for i, s := range names {
		checkRange(t, s, readAll(t, l, s, 0), 0, 15+i)
	}
	l.Close()
}
