package engine_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/eventlog/eventlogtest"
	"github.com/candlewick-labs/candlewick/eventlog/memlog"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/golden"
	"github.com/candlewick-labs/candlewick/strategies"
)

// liveCores are the Processors the live tests run: the real Core with every
// built-in strategy (on the input interval and on 1h), and a small fake whose
// signals are easy to reason about and which panics on one poison bar.
func liveCores(t testing.TB) []struct {
	name string
	new  func() (engine.Processor, error)
} {
	t.Helper()
	var insts []engine.Instance
	for _, tf := range []string{"", "1h"} {
		for _, def := range strategies.Builtins() {
			over := map[string]string{}
			name := def.Name
			if tf != "" {
				over["timeframe"] = tf
				name += "@" + tf
			}
			p, err := strategies.Bind(def, over)
			if err != nil {
				t.Fatal(err)
			}
			insts = append(insts, engine.Instance{Name: name, Def: def, Params: p})
		}
	}
	return []struct {
		name string
		new  func() (engine.Processor, error)
	}{
		{"core", func() (engine.Processor, error) { return engine.New(engine.Config{Strategies: insts}) }},
		{"fake", newFakeCore},
	}
}

// liveBars returns the market stream the live tests use: the sample ETH 5m
// and BTC 1h series of examples/data, interleaved by open time.
func liveBars(t testing.TB) []events.Bar {
	t.Helper()
	eth := loadExample(t, "Binance-ETH-USD-PT5M-20230313_20230315.json")
	btc := loadExample(t, "btc-1h.csv")
	if len(btc) > 1500 {
		btc = btc[:1500]
	}
	for i := range btc {
		btc[i].Symbol = "BTC-USDT"
	}
	return merge(eth, btc)
}

func barRecords(bars []events.Bar) []eventlog.Record {
	recs := make([]eventlog.Record, len(bars))
	for i, b := range bars {
		recs[i] = eventlog.Record{Key: []byte(b.Symbol), Value: b.AppendBinary(nil)}
	}
	return recs
}

func appendAll(t testing.TB, l eventlog.Log, stream string, recs []eventlog.Record) {
	t.Helper()
	if len(recs) == 0 {
		return
	}
	if _, err := l.Append(context.Background(), stream, recs); err != nil {
		t.Fatal(err)
	}
}

// streamBytes renders a stream's records (key, headers, value) as text, so
// that two streams compare byte for byte and a difference prints readably.
func newRunner(t testing.TB, l eventlog.Log, newCore func() (engine.Processor, error), once bool, every int) *engine.Runner {
	t.Helper()
	r, err := engine.NewRunner(engine.RunnerConfig{
		Log: l, NewCore: newCore, Once: once, SnapshotEvery: every,
		Clock: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// runOnce runs a Once runner over l to the end of its input.
func runOnce(t testing.TB, l eventlog.Log, newCore func() (engine.Processor, error), every int) engine.Metrics {
	t.Helper()
	r := newRunner(t, l, newCore, true, every)
	if err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r.Metrics()
}

// reference returns the signal stream of one uninterrupted Once run over
// recs, and its metrics.
func referenceRun(t testing.TB, recs []eventlog.Record, newCore func() (engine.Processor, error)) ([]byte, engine.Metrics) {
	t.Helper()
	l := memlog.New(memlog.Config{})
	defer l.Close()
	appendAll(t, l, events.StreamBars, recs)
	m := runOnce(t, l, newCore, 0)
	return eventlogtest.Render(t, l, events.StreamSignals), m
}

func diffStreams(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if d := golden.Diff(got, want); d != "" {
		t.Fatalf("%s: signal streams differ: %s", what, d)
	}
}

func TestLiveEqualsReplay(t *testing.T) {
	recs := barRecords(liveBars(t))
	for _, c := range liveCores(t) {
		t.Run(c.name, func(t *testing.T) {
			want, wm := referenceRun(t, recs, c.new)
			if wm.SignalsOut == 0 {
				t.Fatal("the reference run emitted no signals: the test would prove nothing")
			}
			t.Logf("%d events, %d signals", wm.EventsIn, wm.SignalsOut)

			l, err := disk.Open(disk.Config{Dir: t.TempDir(), Fsync: disk.FsyncNone})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			r := newRunner(t, l, c.new, false, 500)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- r.Run(ctx) }()
			rng := rand.New(rand.NewSource(1))
			for i := 0; i < len(recs); {
				n := 1 + rng.Intn(300)
				if i+n > len(recs) {
					n = len(recs) - i
				}
				appendAll(t, l, events.StreamBars, recs[i:i+n])
				i += n
			}
			waitFor(t, func() bool { return r.Metrics().Next == int64(len(recs)) }, done)
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run: %v", err)
			}
			diffStreams(t, "live vs replay", eventlogtest.Render(t, l, events.StreamSignals), want)
			if got := eventlogtest.ReadAll(t, l, events.StreamSnapshots); len(got) == 0 {
				t.Fatal("no snapshot after shutdown")
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test if Run ends first or
// it takes longer than a minute.
func waitFor(t testing.TB, cond func() bool, done <-chan error) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(time.Minute)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-deadline:
			t.Fatal("timed out")
		case <-tick.C:
		}
	}
}

// TestRestartPicksUpExactly stops runs at many points (between appends, by
// ctx cancel at arbitrary moments, and by a simulated crash that loses the
// snapshot) and checks that the final signal stream is the uninterrupted
// one: nothing lost, nothing duplicated.
func TestRestartPicksUpExactly(t *testing.T) {
	recs := barRecords(liveBars(t))
	for _, c := range liveCores(t) {
		t.Run(c.name, func(t *testing.T) {
			want, _ := referenceRun(t, recs, c.new)

			t.Run("once in chunks", func(t *testing.T) {
				l := memlog.New(memlog.Config{})
				defer l.Close()
				rng := rand.New(rand.NewSource(2))
				for i := 0; i < len(recs); {
					n := 1 + rng.Intn(700)
					if i+n > len(recs) {
						n = len(recs) - i
					}
					appendAll(t, l, events.StreamBars, recs[i:i+n])
					i += n
					runOnce(t, l, c.new, 1+rng.Intn(400))
				}
				diffStreams(t, "chunked", eventlogtest.Render(t, l, events.StreamSignals), want)
			})

			t.Run("cancel mid-run", func(t *testing.T) {
				l := memlog.New(memlog.Config{})
				defer l.Close()
				appendAll(t, l, events.StreamBars, recs)
				for k := int64(1); ; k *= 3 {
					r := newRunner(t, l, c.new, false, 250)
					ctx, cancel := context.WithCancel(context.Background())
					done := make(chan error, 1)
					go func() { done <- r.Run(ctx) }()
					start := r.Metrics().Next
					waitFor(t, func() bool { m := r.Metrics(); return m.Next >= start+k || m.Next == int64(len(recs)) }, done)
					cancel()
					if err := <-done; err != nil {
						t.Fatal(err)
					}
					if r.Metrics().Next == int64(len(recs)) {
						break
					}
				}
				diffStreams(t, "cancelled", eventlogtest.Render(t, l, events.StreamSignals), want)
			})

			t.Run("crash without snapshot", func(t *testing.T) {
				l := memlog.New(memlog.Config{})
				defer l.Close()
				appendAll(t, l, events.StreamBars, recs)
				// The first run dies (its log fails) after appending some
				// signals and before any snapshot.
				fl := &failingLog{Log: l, failStream: events.StreamSnapshots}
				r := newRunner(t, fl, c.new, true, 0)
				if err := r.Run(context.Background()); err == nil {
					t.Fatal("Run with a failing snapshot append returned nil")
				}
				if n := len(eventlogtest.ReadAll(t, l, events.StreamSignals)); n == 0 {
					t.Fatal("the failed run appended no signals: the test would prove nothing")
				}
				m := runOnce(t, l, c.new, 0)
				if m.Suppressed == 0 {
					t.Fatal("the restart suppressed nothing")
				}
				diffStreams(t, "after crash", eventlogtest.Render(t, l, events.StreamSignals), want)
			})

			t.Run("crash after signals", func(t *testing.T) {
				l := memlog.New(memlog.Config{})
				defer l.Close()
				appendAll(t, l, events.StreamBars, recs)
				rng := rand.New(rand.NewSource(3))
				for i := 0; i < 20; i++ {
					// Each run fails on some later signal batch, after
					// snapshots every few events; the next picks up.
					fl := &failingLog{Log: l, failStream: events.StreamSignals, after: 1 + rng.Intn(40)}
					r := newRunner(t, fl, c.new, true, 1+rng.Intn(300))
					if err := r.Run(context.Background()); err == nil {
						break
					}
				}
				runOnce(t, l, c.new, 0)
				diffStreams(t, "after crashes", eventlogtest.Render(t, l, events.StreamSignals), want)
			})

			t.Run("snapshot of another config", func(t *testing.T) {
				l := memlog.New(memlog.Config{})
				defer l.Close()
				appendAll(t, l, events.StreamBars, recs[:len(recs)/2])
				// A snapshot the core cannot restore: the runner replays
				// from the start and suppresses what is already there.
				appendAll(t, l, events.StreamSnapshots, []eventlog.Record{{Value: []byte("not a snapshot")}})
				runOnce(t, l, c.new, 0)
				// One bad snapshot on top of a good one: the good one is
				// restored.
				appendAll(t, l, events.StreamBars, recs[len(recs)/2:len(recs)*3/4])
				appendAll(t, l, events.StreamSnapshots, []eventlog.Record{{Value: []byte("CWRS\x01garbage")}})
				if m := runOnce(t, l, c.new, 0); m.Suppressed != 0 || m.EventsIn != int64(len(recs)*3/4-len(recs)/2) {
					t.Fatalf("after one bad snapshot: %d events, %d suppressed; want a resume from the good one", m.EventsIn, m.Suppressed)
				}
				// Three bad ones (more than restore tries): a full replay.
				appendAll(t, l, events.StreamBars, recs[len(recs)*3/4:])
				for i := 0; i < 3; i++ {
					appendAll(t, l, events.StreamSnapshots, []eventlog.Record{{Value: []byte("CWRS\x01garbage")}})
				}
				m := runOnce(t, l, c.new, 0)
				if m.Suppressed == 0 || m.EventsIn != int64(len(recs)) {
					t.Fatalf("after three bad snapshots: %d events, %d suppressed; want a full replay", m.EventsIn, m.Suppressed)
				}
				diffStreams(t, "after a bad snapshot", eventlogtest.Render(t, l, events.StreamSignals), want)
			})
		})
	}
}

// failingLog fails appends to failStream after `after` successful ones, as
// a process dying at that point would leave the log.
type failingLog struct {
	eventlog.Log
	failStream string
	after      int
	mu         sync.Mutex
	n          int
}

var errInjected = errors.New("injected append failure")

func (f *failingLog) Append(ctx context.Context, stream string, recs []eventlog.Record) ([]int64, error) {
	if stream == f.failStream {
		f.mu.Lock()
		f.n++
		fail := f.n > f.after
		f.mu.Unlock()
		if fail {
			return nil, errInjected
		}
	}
	return f.Log.Append(ctx, stream, recs)
}

// TestBadInput salts the market stream with undecodable, invalid,
// out-of-order and (for the fake) panicking events: the signals are those of
// the clean stream (but for their source offsets and hence IDs), and there
// is one dead-letter record per bad event, with its reason.
func TestBadInput(t *testing.T) {
	bars := liveBars(t)
	clean := barRecords(bars)
	for _, c := range liveCores(t) {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(4))
			var salted []eventlog.Record
			var bad []string // the reason we expect to see, by kind
			invalid := bars[10]
			invalid.High = events.MustFixed("0.5") // below low: fails Validate
			panicky := bars[20]
			panicky.Symbol = "PANIC-USDT"
			panicky.Open, panicky.High, panicky.Low, panicky.Close = events.MustFixed("666"), events.MustFixed("666"), events.MustFixed("666"), events.MustFixed("666")
			for i, r := range clean {
				salted = append(salted, r)
				if i < 50 || rng.Intn(40) != 0 {
					continue
				}
				switch rng.Intn(5) {
				case 0:
					salted = append(salted, eventlog.Record{Value: []byte{0xff, 0x00, 0x13}})
					bad = append(bad, "decode")
				case 1:
					salted = append(salted, eventlog.Record{Value: []byte(`{"type":"bar","symbol":`)})
					bad = append(bad, "decode")
				case 2:
					salted = append(salted, eventlog.Record{Value: invalid.AppendJSON(nil)})
					bad = append(bad, "invalid")
				case 3:
					salted = append(salted, clean[i]) // the same bar again: out of order
					bad = append(bad, "order")
				case 4:
					if c.name == "fake" {
						salted = append(salted, eventlog.Record{Value: panicky.AppendBinary(nil)})
						bad = append(bad, "panic")
					} else {
						salted = append(salted, eventlog.Record{Value: nil})
						bad = append(bad, "decode")
					}
				}
			}
			_, cm := referenceRun(t, clean, c.new)
			l := memlog.New(memlog.Config{})
			defer l.Close()
			appendAll(t, l, events.StreamBars, salted)
			m := runOnce(t, l, c.new, 300)
			if m.DeadLetters != int64(len(bad)) {
				t.Fatalf("%d dead letters, want %d (one per bad event)", m.DeadLetters, len(bad))
			}
			dead := eventlogtest.ReadAll(t, l, events.StreamDeadLetter)
			if len(dead) != len(bad) {
				t.Fatalf("dead-letter stream holds %d records, want %d", len(dead), len(bad))
			}
			for _, r := range dead {
				d := eventlog.DeadLetterOf(r)
				if d.Reason == "" || d.Source == "" {
					t.Fatalf("dead letter without reason or source: %+v", d)
				}
			}
			// Same signals as the clean run, but for their IDs and source
			// offsets (positions in the salted stream).
			strip := func(l eventlog.Log) []string {
				var out []string
				for _, r := range eventlogtest.ReadAll(t, l, events.StreamSignals) {
					s, err := events.DecodeSignalJSON(r.Value, true)
					if err != nil {
						t.Fatal(err)
					}
					s.ID, s.Source.Offset = "", 0
					out = append(out, string(s.AppendJSON(nil)))
				}
				return out
			}
			cl := memlog.New(memlog.Config{})
			defer cl.Close()
			appendAll(t, cl, events.StreamBars, clean)
			runOnce(t, cl, c.new, 0)
			got, want := strip(l), strip(cl)
			if int64(len(want)) != cm.SignalsOut || len(got) != len(want) {
				t.Fatalf("%d signals from the salted stream, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("signal %d differs:\ngot:  %s\nwant: %s", i, got[i], want[i])
				}
			}
			// A rerun from scratch (no snapshots) dead-letters nothing twice.
			l2 := memlog.New(memlog.Config{})
			defer l2.Close()
			appendAll(t, l2, events.StreamBars, salted)
			appendAll(t, l2, events.StreamDeadLetter, dead)
			if m := runOnce(t, l2, c.new, 0); m.DeadLetters != 0 || m.Duplicates != int64(len(bad)) {
				t.Fatalf("rerun: %d new dead letters and %d recognised, want 0 and %d", m.DeadLetters, m.Duplicates, len(bad))
			}
		})
	}
}

// reuseRecorder is a Core that records what the Runner asks of its signal
// memory.
type reuseRecorder struct {
	*engine.Core
	on *bool
}

func (r reuseRecorder) ReuseSignalMemory(on bool) {
	*r.on = on
	r.Core.ReuseSignalMemory(on)
}

// TestRunnerReusesSignalMemory checks that the Runner switches its Core to
// reused signal memory, and that the records it writes then hold exactly
// the signals a Core that keeps every signal gives for the same bars, in
// order: it encodes each Apply's signals before the next Apply overwrites
// their memory.
func TestRunnerReusesSignalMemory(t *testing.T) {
	bars := liveBars(t)
	newCore := liveCores(t)[0].new
	on := false
	l := memlog.New(memlog.Config{})
	defer l.Close()
	appendAll(t, l, events.StreamBars, barRecords(bars))
	runOnce(t, l, func() (engine.Processor, error) {
		p, err := newCore()
		if err != nil {
			return nil, err
		}
		return reuseRecorder{Core: p.(*engine.Core), on: &on}, nil
	}, 0)
	if !on {
		t.Fatal("the Runner did not switch its Core to reused signal memory")
	}
	got := eventlogtest.ReadAll(t, l, events.StreamSignals)

	p, err := newCore()
	if err != nil {
		t.Fatal(err)
	}
	kept := p.(*engine.Core) // signal memory kept: the default
	var want []events.Signal
	for i := range bars {
		if want, err = kept.Apply(events.Position{Stream: events.StreamBars, Offset: int64(i)}, &bars[i], want); err != nil {
			t.Fatal(err)
		}
	}
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("the Runner wrote %d signals, a Core keeping its signals gives %d", len(got), len(want))
	}
	for i := range want {
		if w := want[i].AppendJSON(nil); !bytes.Equal(got[i].Value, w) {
			t.Fatalf("signal %d:\n got %s\nwant %s", i, got[i].Value, w)
		}
	}
}
