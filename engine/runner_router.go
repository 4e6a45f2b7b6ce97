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
// watermill Publisher over the same log, called by the output writer (see
// outWriter) in the order the handler produced them. The subscriber delivers one
// message at a time (the next only after the Ack), so events are handled in
// stream order by one goroutine, as the Core requires.
//
// Middleware, outermost first: the poison path (a panic escaping the
// handler is recovered and the event dead-lettered; the run goes on) and the
// stop path (errStop or a log failure cancels the router).
//
// With RunnerConfig.Direct, drive is follow instead.
func (r *Runner) drive(ctx context.Context) error {
	if r.cfg.Direct {
		return r.follow(ctx)
	}
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
	r.startWriter()
	defer func() {
		r.out.stop() // a no-op unless drive returns early
		r.out = nil
	}()
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
	// The handler is done: what it handed the writer must be appended
	// before the run may snapshot.
	if err := r.out.stop(); err != nil && fatal == nil {
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

// follow is drive without watermill (RunnerConfig.Direct): Log.Follow calls
// r.handle for each input event on this goroutine. Signals still go out
// through the output writer; a panic outside decode-and-apply is
// dead-lettered as the Router's recoverer does.
func (r *Runner) follow(ctx context.Context) error {
	r.appendOut = func(ctx context.Context, recs []eventlog.Record) error {
		_, err := r.cfg.Log.Append(ctx, r.cfg.Output, recs)
		return err
	}
	r.startWriter()
	defer func() {
		r.out.stop() // a no-op unless follow returns early
		r.out = nil
	}()
	err := r.cfg.Log.Follow(ctx, r.cfg.Input, r.next, func(rec eventlog.Record) error {
		return r.handleRecovered(ctx, rec)
	})
	if werr := r.out.stop(); werr != nil && (err == nil || errors.Is(err, errStop) || ctx.Err() != nil) {
		return werr
	}
	if err == nil {
		// Follow returns only with an error; nil would be a backend's bug.
		err = errStop
	}
	return err
}

// handleRecovered is r.handle with the Router's recoverer around it.
func (r *Runner) handleRecovered(ctx context.Context, rec eventlog.Record) (err error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		pos := r.position(rec.Seq)
		r.core.Skip(pos)
		err = r.deadLetter(r.ioCtx, pos, rec.Key, rec.Value, fmt.Sprintf("panic while handling the event: %v", v))
		if err == nil && rec.Seq >= r.next {
			r.next = rec.Seq + 1
			r.count(func(m *Metrics) { m.EventsIn++; m.Panics++ })
		}
	}()
	return r.handle(ctx, rec.Seq, rec.Key, rec.Value)
}
