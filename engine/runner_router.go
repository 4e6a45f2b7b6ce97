package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/pubsub"
)

// drive runs a watermill Router whose Subscriber follows the input stream
// from r.next and whose handler is r.handle; signals go out through a
// watermill Publisher over the same log. The subscriber delivers one
// message at a time (the next only after the Ack), so events are handled in
// stream order by one goroutine, as the Core requires.
//
// Middleware, outermost first: the poison path (a panic escaping the
// handler is recovered and the event dead-lettered; the run goes on) and the
// stop path (errStop or a log failure cancels the router).
func (r *Runner) drive(ctx context.Context) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()

	pub, err := pubsub.NewPublisher(pubsub.PublisherConfig{Log: r.cfg.Log})
	if err != nil {
		return err
	}
	defer pub.Close()
	r.appendOut = func(ctx context.Context, recs []eventlog.Record) error {
		msgs := make([]*message.Message, len(recs))
		for i, rec := range recs {
			m := message.NewMessageWithContext(ctx, string(rec.Headers[0].Value), rec.Value)
			m.Metadata.Set(pubsub.MetaKey, string(rec.Key))
			for _, h := range rec.Headers[1:] {
				m.Metadata.Set(h.Key, string(h.Value))
			}
			msgs[i] = m
		}
		return pub.Publish(r.cfg.Output, msgs...)
	}
	sub, err := pubsub.NewSubscriber(pubsub.SubscriberConfig{Log: r.cfg.Log, From: r.next, Logger: r.cfg.Logger})
	if err != nil {
		return err
	}
	defer sub.Close()

	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 30 * time.Second},
		watermill.NewSlogLogger(r.cfg.Logger.With("component", "engine.router")))
	if err != nil {
		return err
	}
	var fatal error
	stop := func(err error) {
		if fatal == nil && !errors.Is(err, errStop) {
			fatal = err
		}
		cancel()
	}
	router.AddConsumerHandler("engine", r.cfg.Input, sub, func(m *message.Message) error {
		seq, err := pubsub.SeqOf(m)
		if err != nil {
			stop(err)
			return nil
		}
		if err := r.handle(rctx, seq, []byte(m.Metadata.Get(pubsub.MetaKey)), m.Payload); err != nil {
			stop(err)
		}
		return nil
	})
	router.AddMiddleware(r.recoverer)
	if err := router.Run(rctx); err != nil && fatal == nil {
		fatal = err
	}
	if fatal == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if fatal == nil {
		return errStop
	}
	return fatal
}

// recoverer dead-letters an event whose handler panicked outside the
// decode-and-apply step (which recovers its own panics), so that the run
// goes on; the event counts as handled.
func (r *Runner) recoverer(h message.HandlerFunc) message.HandlerFunc {
	return func(m *message.Message) (out []*message.Message, err error) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			seq, serr := pubsub.SeqOf(m)
			if serr != nil {
				err = serr
				return
			}
			pos := r.position(seq)
			r.core.Skip(pos)
			err = r.deadLetter(m.Context(), pos, []byte(m.Metadata.Get(pubsub.MetaKey)), m.Payload,
				fmt.Sprintf("panic while handling the event: %v", v))
			if err == nil && seq >= r.next {
				r.next = seq + 1
				r.count(func(m *Metrics) { m.EventsIn++; m.Panics++ })
			}
		}()
		return h(m)
	}
}
