package kafka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
)

func values(recs []eventlog.Record) string {
	var vs []string
	for _, r := range recs {
		vs = append(vs, fmt.Sprintf("%d:%s", r.Seq, r.Value))
	}
	return strings.Join(vs, ",")
}

func TestPartitionViews(t *testing.T) {
	cfg := fakeBrokers(t)
	ctx := context.Background()
	if _, err := kafka.CreateTopics(ctx, cfg, kafka.StandardTopics(3, 1)); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, cfg)
	if n, err := l.Partitions(ctx, kafka.TopicSignals); err != nil || n != 3 {
		t.Fatalf("Partitions = %d, %v", n, err)
	}
	for p := int32(0); p < 3; p++ {
		for i := 0; i <= int(p); i++ {
			if _, err := l.Partition(p).Append(ctx, kafka.TopicSignals, []eventlog.Record{{Value: []byte(fmt.Sprintf("p%d-%d", p, i))}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p, want := range []string{"0:p0-0", "0:p1-0,1:p1-1", "0:p2-0,1:p2-1,2:p2-2"} {
		v := l.Partition(int32(p))
		if got := values(eventlogtest.ReadAll(t, v, kafka.TopicSignals)); got != want {
			t.Errorf("partition %d = %s, want %s", p, got, want)
		}
		if last, err := v.Last(ctx, kafka.TopicSignals); err != nil || last != int64(p) {
			t.Errorf("partition %d: Last = %d, %v", p, last, err)
		}
	}
	// The Log itself is partition 0.
	if got := values(eventlogtest.ReadAll(t, l, kafka.TopicSignals)); got != "0:p0-0" {
		t.Errorf("Log = %s, want partition 0", got)
	}
	_, err := l.Partition(3).Append(ctx, kafka.TopicSignals, []eventlog.Record{{Value: []byte("x")}})
	if !errors.Is(err, kafka.ErrNoPartition) {
		t.Errorf("Append to partition 3 of 3: %v, want ErrNoPartition", err)
	}
	if last, err := l.Partition(3).Last(ctx, kafka.TopicSignals); err != nil || last != -1 {
		t.Errorf("Last of partition 3 of 3 = %d, %v; want -1", last, err)
	}
	if _, err := l.Partition(-1).Last(ctx, kafka.TopicSignals); !errors.Is(err, kafka.ErrNoPartition) {
		t.Errorf("Last of partition -1: %v, want ErrNoPartition", err)
	}
	// Closing a view leaves the Log open.
	v := l.Partition(1)
	v.Close()
	if _, err := v.Last(ctx, kafka.TopicSignals); !errors.Is(err, eventlog.ErrClosed) {
		t.Errorf("closed view: %v", err)
	}
	if _, err := l.Last(ctx, kafka.TopicSignals); err != nil {
		t.Errorf("Log after a view closed: %v", err)
	}
	// A view beyond the default partition count cannot create its topic.
	if _, err := l.Partition(1).Append(ctx, "fresh", []eventlog.Record{{Value: []byte("x")}}); !errors.Is(err, kafka.ErrNoPartition) {
		t.Errorf("Append creating a 1-partition topic from partition 1: %v, want ErrNoPartition", err)
	}
}

// TestTopicFromAnotherClient: kafka-go's transport caches metadata; a topic
// another client creates must not read as empty, nor fail to append.
func TestTopicFromAnotherClient(t *testing.T) {
	cfg := fakeBrokers(t)
	ctx := context.Background()
	a := openLog(t, cfg)
	if last, err := a.Last(ctx, "other"); err != nil || last != -1 { // fills a's cache without "other"
		t.Fatalf("Last = %d, %v", last, err)
	}
	b := openLog(t, cfg)
	if _, err := b.Append(ctx, "other", []eventlog.Record{{Value: []byte("1")}, {Value: []byte("2")}}); err != nil {
		t.Fatal(err)
	}
	if last, err := a.Last(ctx, "other"); err != nil || last != 1 {
		t.Fatalf("Last through a stale cache = %d, %v; want 1", last, err)
	}
	seqs, err := a.Append(ctx, "other", []eventlog.Record{{Value: []byte("3")}})
	if err != nil || seqs[0] != 2 {
		t.Fatalf("Append through a stale cache = %v, %v", seqs, err)
	}
	if got := values(eventlogtest.ReadAll(t, a, "other")); got != "0:1,1:2,2:3" {
		t.Errorf("read %s", got)
	}
}

// TestAppendRetriesTemporaryErrors: a leader election (LEADER_NOT_AVAILABLE)
// and a dropped connection before the append are retried, and the batch
// lands exactly once with exact offsets.
func TestAppendRetriesTemporaryErrors(t *testing.T) {
	cfg, c := fakeCluster(t)
	ctx := context.Background()
	l := openLog(t, cfg)
	if _, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	var injected atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		n := injected.Add(1)
		if n > 3 {
			return nil, nil, false // from now on, the broker handles it
		}
		c.KeepControl()
		if n == 1 {
			// Refuse: the connection drops before anything is appended.
			return nil, errors.New("injected connection drop"), true
		}
		r := req.(*kmsg.ProduceRequest)
		resp := r.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range r.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.LeaderNotAvailable.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	seqs, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("b")}, {Value: []byte("c")}})
	if err != nil {
		t.Fatal(err)
	}
	if seqs[0] != 1 || seqs[1] != 2 || injected.Load() < 4 {
		t.Errorf("seqs = %v after %d produce requests", seqs, injected.Load())
	}
	if got := values(eventlogtest.ReadAll(t, l, "s")); got != "0:a,1:b,2:c" {
		t.Errorf("read %s, want each record once", got)
	}
}

// TestAppendGivesUp: errors that outlast MaxAttempts fail the Append, which
// appended nothing and leaves the stream writable.
func TestAppendGivesUp(t *testing.T) {
	cfg, c := fakeCluster(t)
	cfg.MaxAttempts = 3
	ctx := context.Background()
	l := openLog(t, cfg)
	if _, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		if n.Add(1) > 3 {
			return nil, nil, false // from now on, the broker handles it
		}
		c.KeepControl()
		r := req.(*kmsg.ProduceRequest)
		resp := r.ResponseKind().(*kmsg.ProduceResponse)
		st := kmsg.NewProduceResponseTopic()
		st.Topic = r.Topics[0].Topic
		sp := kmsg.NewProduceResponseTopicPartition()
		sp.ErrorCode = kerr.NotEnoughReplicas.Code
		st.Partitions = append(st.Partitions, sp)
		resp.Topics = append(resp.Topics, st)
		return resp, nil, true
	})
	_, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("b")}})
	if n.Load() != 3 || err == nil || errors.Is(err, eventlog.ErrReadOnly) || !strings.Contains(err.Error(), "Not Enough Replicas") {
		t.Fatalf("Append = %v, want the broker's error", err)
	}
	if seqs, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("c")}}); err != nil || seqs[0] != 1 {
		t.Fatalf("Append after = %v, %v", seqs, err)
	}
}

// TestBatchOverBrokerLimit: a batch of records each under MaxRecordSize but
// together over the topic's max.message.bytes is ErrTooLarge.
func TestBatchOverBrokerLimit(t *testing.T) {
	cfg := fakeBrokers(t, kfake.BrokerConfigs(map[string]string{"message.max.bytes": "10000"}))
	l := openLog(t, cfg)
	recs := make([]eventlog.Record, 5)
	for i := range recs {
		recs[i].Value = make([]byte, 4000)
	}
	_, err := l.Append(context.Background(), "s", recs)
	if !errors.Is(err, eventlog.ErrTooLarge) {
		t.Fatalf("Append = %v, want ErrTooLarge", err)
	}
	if seqs, err := l.Append(context.Background(), "s", recs[:1]); err != nil || seqs[0] != 0 {
		t.Fatalf("Append after = %v, %v", seqs, err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	cfg := kafka.Config{Brokers: []string{"127.0.0.1:1"}, MaxAttempts: 2, RetryBackoff: 1, RetryBackoffMax: 1}
	if l, err := kafka.Open(context.Background(), cfg); err == nil {
		l.Close()
		t.Fatal("Open of an unreachable broker succeeded")
	}
	if _, err := kafka.Open(context.Background(), kafka.Config{}); !errors.Is(err, kafka.ErrInvalidConfig) {
		t.Fatalf("Open(no brokers) = %v", err)
	}
}

// TestAppendLostResponse: the broker appends the batch but the response is
// lost (here: a REQUEST_TIMED_OUT answer after another client appended the
// same records, as if the first request had landed). The Log sees the end
// offset moved by exactly the batch and returns its offsets instead of
// appending it a second time.
func TestAppendLostResponse(t *testing.T) {
	cfg, c := fakeCluster(t)
	ctx := context.Background()
	l := openLog(t, cfg)
	other := openLog(t, cfg)
	if _, err := l.Append(ctx, "s", []eventlog.Record{{Value: []byte("a")}}); err != nil {
		t.Fatal(err)
	}
	batch := []eventlog.Record{{Value: []byte("b")}, {Value: []byte("c")}}
	var n atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		if n.Add(1) > 1 {
			return nil, nil, false
		}
		c.SleepControl(func() {
			if _, err := other.Append(ctx, "s", batch); err != nil {
				t.Error(err)
			}
		})
		r := req.(*kmsg.ProduceRequest)
		resp := r.ResponseKind().(*kmsg.ProduceResponse)
		st := kmsg.NewProduceResponseTopic()
		st.Topic = r.Topics[0].Topic
		sp := kmsg.NewProduceResponseTopicPartition()
		sp.ErrorCode = kerr.RequestTimedOut.Code
		st.Partitions = append(st.Partitions, sp)
		resp.Topics = append(resp.Topics, st)
		return resp, nil, true
	})
	seqs, err := l.Append(ctx, "s", batch)
	if err != nil || len(seqs) != 2 || seqs[0] != 1 {
		t.Fatalf("Append = %v, %v; want [1 2]", seqs, err)
	}
	if got := values(eventlogtest.ReadAll(t, l, "s")); got != "0:a,1:b,2:c" {
		t.Errorf("read %s, want the batch once", got)
	}
	// And when the end moved by something else, the outcome is unknown: the
	// stream turns read-only.
	n.Store(0)
	c.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		if n.Add(1) > 1 {
			return nil, nil, false
		}
		c.SleepControl(func() {
			if _, err := other.Append(ctx, "s", batch[:1]); err != nil {
				t.Error(err)
			}
		})
		return nil, errors.New("injected connection drop"), true
	})
	if _, err := l.Append(ctx, "s", batch); err == nil {
		t.Fatal("Append with an unknown outcome succeeded")
	}
	if _, err := l.Append(ctx, "s", batch); !errors.Is(err, eventlog.ErrReadOnly) {
		t.Fatalf("Append after an unknown outcome = %v, want ErrReadOnly", err)
	}
	// A new Log (a restart) may write again.
	if _, err := openLog(t, cfg).Append(ctx, "s", batch); err != nil {
		t.Fatal(err)
	}
}
