package kafka_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/kafka"
	"github.com/candlewick-labs/candlewick/eventlog/pubsub"
)

// clusterPerTest gives every constructor call of one test the same cluster:
// the suite's tests make several Publisher/Subscriber pairs per test and
// expect them to share messages (and consumer groups).
type clusterPerTest struct {
	mu     sync.Mutex
	cfgs   map[*testing.T]kafka.Config
	groups atomic.Int64
}

func (c *clusterPerTest) config(t *testing.T) kafka.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	cfg, ok := c.cfgs[t]
	if !ok {
		cfg = fakeBrokers(t)
		cfg.Partitions = 1
		c.cfgs[t] = cfg
	}
	return cfg
}

func (c *clusterPerTest) groupConstructor(t *testing.T, group string) (message.Publisher, message.Subscriber) {
	cfg := c.config(t)
	pub, err := kafka.NewPublisher(cfg, kafka.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := kafka.NewSubscriber(cfg, kafka.SubscriberConfig{
		GroupID:           group,
		HeartbeatInterval: 100 * time.Millisecond,
		SessionTimeout:    6 * time.Second, // the broker minimum (group.min.session.timeout.ms)
		RebalanceTimeout:  2 * time.Second,
		JoinGroupBackoff:  100 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return pub, sub
}

func TestWatermillSuite(t *testing.T) {
	c := &clusterPerTest{cfgs: map[*testing.T]kafka.Config{}}
	tests.TestPubSub(t, tests.Features{
		ConsumerGroups:                      true,
		ExactlyOnceDelivery:                 false,
		GuaranteedOrder:                     true, // one partition per test topic
		GuaranteedOrderWithSingleSubscriber: true,
		Persistent:                          true,
		NewSubscriberReceivesOldMessages:    true,
		// The full-size variants publish tens of thousands of messages per
		// test through synchronous per-message commits; the short ones
		// cover the same paths in about 2 s.
		ForceShort: true,
	}, func(t *testing.T) (message.Publisher, message.Subscriber) {
		// Without a group named by the test, every subscriber is a group
		// of its own, and so reads the whole topic.
		return c.groupConstructor(t, fmt.Sprintf("solo-%d", c.groups.Add(1)))
	}, c.groupConstructor)
}

func TestPublisherKeysAndMeta(t *testing.T) {
	cfg := fakeBrokers(t)
	ctx := context.Background()
	if _, err := kafka.CreateTopics(ctx, cfg, kafka.StandardTopics(6, 1)); err != nil {
		t.Fatal(err)
	}
	pub, err := kafka.NewMarketPublisher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	symbols := []string{"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"}
	for i := 0; i < 50; i++ {
		m := message.NewMessage(fmt.Sprintf("m%d", i), []byte(`{"n":`+fmt.Sprint(i)+`}`))
		m.Metadata.Set(pubsub.MetaKey, symbols[i%len(symbols)])
		if err := pub.Publish(kafka.TopicBars, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, cfg)
	seen := map[string]int32{}
	total := 0
	for p := int32(0); p < 6; p++ {
		recs := eventlogtest.ReadAll(t, l.Partition(p), kafka.TopicBars)
		for _, r := range recs {
			total++
			sym := string(r.Key)
			if q, ok := seen[sym]; ok && q != p {
				t.Errorf("%s in partitions %d and %d", sym, q, p)
			}
			seen[sym] = p
			if want := kafka.Murmur2Partition(r.Key, 6); want != p {
				t.Errorf("%s in partition %d, Murmur2 says %d", sym, p, want)
			}
			meta, err := kafka.MetaOf(r.Headers)
			if err != nil || meta != (kafka.EventMeta{EventType: kafka.EventBar, SchemaVersion: "1", ContentType: kafka.ContentTypeJSON}) {
				t.Errorf("meta = %+v, %v", meta, err)
			}
		}
	}
	if total != 50 {
		t.Errorf("read %d records, want 50", total)
	}
}

func TestSubscriberAckNack(t *testing.T) {
	cfg := fakeBrokers(t)
	ctx := context.Background()
	pub, err := kafka.NewPublisher(cfg, kafka.PublisherConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	for _, v := range []string{"a", "b", "c"} {
		m := message.NewMessage("id-"+v, []byte(v))
		m.Metadata.Set(pubsub.MetaKey, "BTC-USDT")
		if err := pub.Publish(kafka.TopicSignals, m); err != nil {
			t.Fatal(err)
		}
	}
	newSub := func() message.Subscriber {
		sub, err := kafka.NewSubscriber(cfg, kafka.SubscriberConfig{GroupID: "bots", HeartbeatInterval: 100 * time.Millisecond, SessionTimeout: 6 * time.Second, JoinGroupBackoff: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return sub
	}
	next := func(ch <-chan *message.Message) *message.Message {
		t.Helper()
		select {
		case m := <-ch:
			return m
		case <-time.After(20 * time.Second): // a hang guard, not a wait
			t.Fatal("no message")
			return nil
		}
	}
	sub := newSub()
	ch, err := sub.Subscribe(ctx, kafka.TopicSignals)
	if err != nil {
		t.Fatal(err)
	}
	m := next(ch)
	meta, _ := kafka.MetaOf([]eventlog.Header{{Key: kafka.HeaderEventType, Value: []byte(m.Metadata.Get(kafka.HeaderEventType))}})
	if m.UUID != "id-a" || string(m.Payload) != "a" || m.Metadata.Get(pubsub.MetaKey) != "BTC-USDT" || m.Metadata.Get(pubsub.MetaSeq) != "0" ||
		m.Metadata.Get(kafka.MetaPartition) != "0" || meta.EventType != kafka.EventSignal {
		t.Fatalf("first message = %s %q %v", m.UUID, m.Payload, m.Metadata)
	}
	m.Nack()
	if m = next(ch); m.UUID != "id-a" {
		t.Fatalf("after Nack: %s, want id-a again", m.UUID)
	}
	m.Ack()
	if m = next(ch); m.UUID != "id-b" {
		t.Fatalf("after Ack: %s, want id-b", m.UUID)
	}
	m.Ack()
	if m = next(ch); m.UUID != "id-c" {
		t.Fatalf("got %s, want id-c", m.UUID)
	}
	// Not acked: the group's next member gets it again.
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-ch; ok {
		t.Fatal("channel open after Close")
	}
	sub = newSub()
	defer sub.Close()
	ch, err = sub.Subscribe(ctx, kafka.TopicSignals)
	if err != nil {
		t.Fatal(err)
	}
	if m = next(ch); m.UUID != "id-c" {
		t.Fatalf("after restart: %s, want id-c (the first unacked)", m.UUID)
	}
	m.Ack()
}
