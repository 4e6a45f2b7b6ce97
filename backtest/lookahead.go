package backtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
)

// Defaults of LookaheadConfig.
const (
	DefaultLookaheadCuts       = 10
	DefaultLookaheadRandomCuts = 10
)

// LookaheadConfig configures [CheckLookahead].
type LookaheadConfig struct {
	// Engine holds the strategies to check and the indicator settings.
	Engine engine.Config
	// Build, when set, builds the strategies for a run over data (a prefix
	// of Bars, or all of them) and replaces Engine.Strategies. It is the
	// hook for strategies that are handed their data set, the usual source
	// of look-ahead (columns precomputed over the whole series, a model fit
	// on all of it): the check hands them only the prefix.
	Build func(data []events.Bar) ([]engine.Instance, error)
	// Bars is the market data in stream order; they get the positions
	// Stream@0:0, 0:1, ... Required.
	Bars []events.Bar
	// Stream names the positions. Default events.StreamBars.
	Stream string
	// Cuts is the number of evenly spaced prefixes checked. Default
	// DefaultLookaheadCuts; negative: none.
	Cuts int
	// RandomCuts is the number of prefixes of random length checked, drawn
	// from a PCG generator seeded with Seed. Default
	// DefaultLookaheadRandomCuts; negative: none.
	RandomCuts int
	// Seed seeds the random cut points; the same seed checks the same cuts.
	Seed uint64
}

// LookaheadResult is what [CheckLookahead] found.
type LookaheadResult struct {
	Bars    int   // bars in the full run
	Signals int   // signals of the full run
	Cuts    []int // the prefix lengths checked, ascending, without repeats
	// Violation is the earliest signal (by input position) that differs
	// between the full run and a run on a prefix, or nil when none does.
	Violation *LookaheadViolation
}

// LookaheadViolation is a signal that changed, appeared or disappeared when
// later data was added: the run over the first Cut bars disagrees with the
// full run about the signals caused by the input at Pos, which is inside the
// prefix.
type LookaheadViolation struct {
	Cut    int             // bars in the prefix run
	Pos    events.Position // the input whose signals differ
	Full   *events.Signal  // the full run's signal, or nil if it has none there
	Prefix *events.Signal  // the prefix run's signal, or nil if it has none there
}

// String describes the violation on a few lines, with both signals as JSON.
func (v *LookaheadViolation) String() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "look-ahead: the signals of input %s change when bars after the first %d are added\n",
		formatPos(v.Pos), v.Cut)
	for _, x := range []struct {
		name string
		s    *events.Signal
	}{{"with later data", v.Full}, {fmt.Sprintf("first %d bars only", v.Cut), v.Prefix}} {
		if x.s == nil {
			fmt.Fprintf(&b, "%s: (no signal)\n", x.name)
		} else {
			fmt.Fprintf(&b, "%s: %s\n", x.name, x.s.AppendJSON(nil))
		}
	}
	return b.String()
}

// CheckLookahead runs the strategies over cfg.Bars, then over prefixes of
// them (cfg.Cuts evenly spaced and cfg.RandomCuts random lengths), and
// reports the earliest signal that a prefix run does not reproduce exactly
// (byte for byte in JSON), or that it emits although the full run does not:
// a strategy that decides at time t only from data up to t passes. Bars the
// engine rejects are skipped in every run alike. The runs are sequential;
// each costs a replay of its prefix. It returns an error when the check
// could not be done: no bars ([ErrNoMarket]), a bad config
// (engine.ErrConfig), Build failing, or ctx ending.
func CheckLookahead(ctx context.Context, cfg LookaheadConfig) (LookaheadResult, error) {
	n := len(cfg.Bars)
	res := LookaheadResult{Bars: n}
	if n == 0 {
		return res, ErrNoMarket
	}
	if cfg.Stream == "" {
		cfg.Stream = events.StreamBars
	}
	full, ends, err := lookaheadRun(ctx, cfg, n)
	if err != nil {
		return res, err
	}
	res.Signals = len(full)
	res.Cuts = lookaheadCuts(cfg, n)
	fullJSON := make([][]byte, len(full))
	for i := range full {
		fullJSON[i] = full[i].AppendJSON(nil)
	}
	for _, cut := range res.Cuts {
		pre, _, err := lookaheadRun(ctx, cfg, cut)
		if err != nil {
			return res, err
		}
		// The full run's signals caused by the prefix's inputs.
		want := ends[cut-1]
		v := firstDifference(full[:want], fullJSON[:want], pre)
		if v == nil {
			continue
		}
		v.Cut = cut
		if res.Violation == nil || posLess(v.Pos, res.Violation.Pos) {
			res.Violation = v
		}
	}
	return res, nil
}

// lookaheadRun replays the first n bars and returns their signals and, for
// each bar i, how many signals the bars up to i caused.
func lookaheadRun(ctx context.Context, cfg LookaheadConfig, n int) ([]events.Signal, []int, error) {
	ecfg := cfg.Engine
	data := cfg.Bars[:n:n]
	if cfg.Build != nil {
		insts, err := cfg.Build(data)
		if err != nil {
			return nil, nil, fmt.Errorf("build strategies for %d bars: %w", n, err)
		}
		ecfg.Strategies = insts
	}
	core, err := engine.New(ecfg)
	if err != nil {
		return nil, nil, err
	}
	var sigs []events.Signal
	ends := make([]int, n)
	for i := range data {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		pos := events.Position{Stream: cfg.Stream, Offset: int64(i)}
		sigs, err = core.Apply(pos, &data[i], sigs)
		if err != nil {
			if !errors.Is(err, engine.ErrRejected) {
				return nil, nil, fmt.Errorf("apply %s: %w", formatPos(pos), err)
			}
			core.Skip(pos)
		}
		ends[i] = len(sigs)
	}
	return sigs, ends, nil
}

// lookaheadCuts returns the prefix lengths to check, in [1, n-1], sorted.
func lookaheadCuts(cfg LookaheadConfig, n int) []int {
	if n < 2 {
		return nil
	}
	k, r := cfg.Cuts, cfg.RandomCuts
	if k == 0 {
		k = DefaultLookaheadCuts
	}
	if r == 0 {
		r = DefaultLookaheadRandomCuts
	}
	var cuts []int
	for i := 1; i <= k; i++ {
		// k cuts spread over (0, n), the last one bar short of the end.
		c := int(int64(n-1) * int64(i) / int64(k))
		if c >= 1 {
			cuts = append(cuts, c)
		}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6c6f6f6b61686561)) // "lookahea"
	for range max(r, 0) {
		cuts = append(cuts, 1+rng.IntN(n-1))
	}
	slices.Sort(cuts)
	return slices.Compact(cuts)
}

// firstDifference compares the full run's signals (and their JSON) with a
// prefix run's and returns the earliest difference, or nil.
func firstDifference(full []events.Signal, fullJSON [][]byte, pre []events.Signal) *LookaheadViolation {
	var buf []byte
	for i := 0; i < len(full) || i < len(pre); i++ {
		switch {
		case i >= len(pre):
			return &LookaheadViolation{Pos: full[i].Source, Full: &full[i]}
		case i >= len(full):
			return &LookaheadViolation{Pos: pre[i].Source, Prefix: &pre[i]}
		}
		buf = pre[i].AppendJSON(buf[:0])
		if bytes.Equal(buf, fullJSON[i]) {
			continue
		}
		f, p := &full[i], &pre[i]
		switch {
		case posLess(f.Source, p.Source):
			return &LookaheadViolation{Pos: f.Source, Full: f}
		case posLess(p.Source, f.Source):
			return &LookaheadViolation{Pos: p.Source, Prefix: p}
		}
		return &LookaheadViolation{Pos: f.Source, Full: f, Prefix: p}
	}
	return nil
}
