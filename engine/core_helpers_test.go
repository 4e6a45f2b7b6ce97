package engine_test

import (
	"github.com/candlewick-labs/candlewick/internal/workload"

	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/examples"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/strategies"
)

// loadExample imports one of the repository's sample files (examples/data,
// see its PROVENANCE.md), dropping the rows the importer rejects.
func loadExample(t testing.TB, name string) []events.Bar {
	t.Helper()
	f, err := examples.Data.Open("data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return importBars(t, f, name)
}

// loadFile imports a bar file from disk.
func loadFile(t testing.TB, path string) []events.Bar {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return importBars(t, f, filepath.Base(path))
}

func importBars(t testing.TB, f fs.File, name string) []events.Bar {
	t.Helper()
	var bars []events.Bar
	_, err := feeds.Import(context.Background(), f, name, feeds.Options{}, feeds.SinkFuncs{
		OnBar: func(b events.Bar) error { bars = append(bars, b); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return bars
}

// merge interleaves series by open time (ties in argument order), as a real
// market stream holds them.
func merge(series ...[]events.Bar) []events.Bar {
	var out []events.Bar
	for _, s := range series {
		out = append(out, s...)
	}
	slices.SortStableFunc(out, func(a, b events.Bar) int { return a.OpenTime.Compare(b.OpenTime) })
	return out
}

// builtins returns an instance of every built-in strategy with its default
// parameters, once per timeframe given (named "<def>@<tf>").
func builtins(t testing.TB, tfs ...string) []engine.Instance {
	t.Helper()
	var out []engine.Instance
	for _, tf := range tfs {
		for _, def := range strategies.Builtins() {
			p, err := strategies.Bind(def, map[string]string{"timeframe": tf})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, engine.Instance{Name: def.Name + "@" + tf, Def: def, Params: p})
		}
	}
	return out
}

// reference returns the reference workload's instances (internal/workload).
func reference(t testing.TB) []engine.Instance {
	t.Helper()
	insts, err := workload.Reference()
	if err != nil {
		t.Fatal(err)
	}
	return insts
}

func newCore(t testing.TB, cfg engine.Config) *engine.Core {
	t.Helper()
	c, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func posAt(i int) events.Position {
	return events.Position{Stream: events.StreamBars, Offset: int64(i)}
}

// replay applies bars[from:to] (positions = indexes) and returns the signals.
func replay(t testing.TB, c *engine.Core, bars []events.Bar, from, to int) []events.Signal {
	t.Helper()
	var out []events.Signal
	for i := from; i < to; i++ {
		var err error
		if out, err = c.Apply(posAt(i), &bars[i], out); err != nil {
			t.Fatalf("bar %d: %v", i, err)
		}
	}
	return out
}

// encode returns the signals as JSONL and as concatenated binary records.
func encode(t testing.TB, sigs []events.Signal) (jsonl, bin []byte) {
	t.Helper()
	for _, s := range sigs {
		if err := s.Validate(); err != nil {
			t.Fatalf("invalid signal %s: %v", s.ID, err)
		}
		jsonl = append(s.AppendJSON(jsonl), '\n')
		bin = s.AppendBinary(bin)
	}
	return jsonl, bin
}
