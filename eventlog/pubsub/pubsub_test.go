package pubsub_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
	"github.com/candlewick-labs/candlewick/eventlog/pubsub"
)

// logsPerTest gives every constructor call of one test the same log: the
// suite's persistence tests make several Publisher/Subscriber pairs per test
// and expect them to share the messages.
type logsPerTest struct {
	mu   sync.Mutex
	logs map[*testing.T]eventlog.Log
	open func(t *testing.T) eventlog.Log
}

func (l *logsPerTest) constructor(t *testing.T) (message.Publisher, message.Subscriber) {
	l.mu.Lock()
	lg, ok := l.logs[t]
	if !ok {
		lg = l.open(t)
		l.logs[t] = lg
		t.Cleanup(func() { lg.Close() })
	}
	l.mu.Unlock()
	pub, err := pubsub.NewPublisher(pubsub.PublisherConfig{Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := pubsub.NewSubscriber(pubsub.SubscriberConfig{Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	return pub, sub
}

func TestWatermillSuite(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) eventlog.Log
	}{
		{"memlog", func(t *testing.T) eventlog.Log { return memlog.New(memlog.Config{}) }},
		{"disk", func(t *testing.T) eventlog.Log {
			l, err := disk.Open(disk.Config{Dir: t.TempDir(), Fsync: disk.FsyncNone})
			if err != nil {
				t.Fatal(err)
			}
			return l
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			l := &logsPerTest{logs: map[*testing.T]eventlog.Log{}, open: b.open}
			tests.TestPubSub(t, tests.Features{
				ConsumerGroups:                   false,
				ExactlyOnceDelivery:              false,
				GuaranteedOrder:                  true,
				Persistent:                       true,
				NewSubscriberReceivesOldMessages: true,
				// The full-size variants publish tens of thousands of
				// messages per test; the short ones cover the same paths.
				ForceShort: testing.Short() || b.name == "disk",
			}, l.constructor, nil)
		})
	}
}

func TestDeliveryOrderAckNack(t *testing.T) {
	lg := memlog.New(memlog.Config{})
	defer lg.Close()
	ctx := context.Background()
	if _, err := lg.Append(ctx, "s", []eventlog.Record{
		{Key: []byte("BTC-USDT"), Value: []byte("a"), Headers: []eventlog.Header{{Key: "content-type", Value: []byte("x")}}},
		{Value: []byte("b")},
		{Value: []byte("c")},
	}); err != nil {
		t.Fatal(err)
	}
	sub, err := pubsub.NewSubscriber(pubsub.SubscriberConfig{Log: lg, From: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	ch, err := sub.Subscribe(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	m := <-ch
	if m.UUID != "s:1" || string(m.Payload) != "b" || m.Metadata.Get(pubsub.MetaSeq) != "1" || m.Metadata.Get(pubsub.MetaStream) != "s" {
		t.Fatalf("first message = %s %q %v", m.UUID, m.Payload, m.Metadata)
	}
	select {
	case m2 := <-ch:
		t.Fatalf("got %s before the Ack of %s", m2.UUID, m.UUID)
	case <-time.After(20 * time.Millisecond):
	}
	m.Nack()
	m = <-ch
	if m.UUID != "s:1" {
		t.Fatalf("after Nack got %s, want s:1 again", m.UUID)
	}
	m.Ack()
	m = <-ch
	if m.UUID != "s:2" {
		t.Fatalf("after Ack got %s, want s:2", m.UUID)
	}
	m.Ack()
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ch; ok {
		t.Fatal("channel open after Close")
	}
	if _, err := sub.Subscribe(ctx, "s"); err == nil {
		t.Fatal("Subscribe after Close succeeded")
	}
}

func TestPublishRecord(t *testing.T) {
	lg := memlog.New(memlog.Config{})
	defer lg.Close()
	pub, err := pubsub.NewPublisher(pubsub.PublisherConfig{Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	m := message.NewMessage("sig-1", []byte("payload"))
	m.Metadata.Set(pubsub.MetaKey, "ETH-USDT")
	m.Metadata.Set("z", "2")
	m.Metadata.Set("a", "1")
	m.Metadata.Set(pubsub.MetaSeq, "99") // delivery metadata: not republished
	if err := pub.Publish("out", m); err != nil {
		t.Fatal(err)
	}
	it, err := lg.Read(context.Background(), "out", 0)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := eventlog.Collect(it, -1)
	if err != nil || len(recs) != 1 {
		t.Fatalf("read %d records, err %v", len(recs), err)
	}
	r := recs[0]
	want := []eventlog.Header{{Key: pubsub.HeaderUUID, Value: []byte("sig-1")}, {Key: "a", Value: []byte("1")}, {Key: "z", Value: []byte("2")}}
	if string(r.Key) != "ETH-USDT" || string(r.Value) != "payload" || len(r.Headers) != len(want) {
		t.Fatalf("record = %+v", r)
	}
	for i, h := range want {
		if r.Headers[i].Key != h.Key || string(r.Headers[i].Value) != string(h.Value) {
			t.Fatalf("header %d = %s=%s, want %s=%s", i, r.Headers[i].Key, r.Headers[i].Value, h.Key, h.Value)
		}
	}
	back := pubsub.MessageOf("out", r)
	if back.UUID != "sig-1" || back.Metadata.Get(pubsub.MetaKey) != "ETH-USDT" || back.Metadata.Get("a") != "1" {
		t.Fatalf("MessageOf = %s %v", back.UUID, back.Metadata)
	}
	pub.Close()
	if err := pub.Publish("out", m); err == nil {
		t.Fatal("Publish after Close succeeded")
	}
}
