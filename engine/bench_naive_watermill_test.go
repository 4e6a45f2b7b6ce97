package engine_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/candlewick-labs/candlewick/eventlog"
)

// naiveBus publishes the first limit records of the JSON stream on a
// watermill gochannel and returns a function that receives the next one
// (payload and its Ack) and a function that closes the bus.
func naiveBus(ctx context.Context, b *testing.B, log eventlog.Log, limit int) (func() ([]byte, func()), func()) {
	pubsub := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 1024}, watermill.NopLogger{})
	msgs, err := pubsub.Subscribe(ctx, "bars")
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		it, err := log.Read(ctx, jsonStream, 0)
		if err != nil {
			return
		}
		defer it.Close()
		for i := 0; i < limit && it.Next(); i++ {
			m := message.NewMessage(strconv.Itoa(i), append([]byte(nil), it.Record().Value...))
			if err := pubsub.Publish("bars", m); err != nil {
				return
			}
		}
	}()
	return func() ([]byte, func()) {
		m := <-msgs
		return m.Payload, func() { m.Ack() }
	}, func() { _ = pubsub.Close() }
}
