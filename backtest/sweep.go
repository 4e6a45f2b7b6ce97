package backtest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/strategies"
)

// Limits that keep a mistyped grid from running for a week.
const (
	maxAxisValues = 10000
	maxGridPoints = 1000000
)

// Axis is one swept parameter and its values, in order. Param is a
// parameter name, applied to every strategy instance that declares it, or
// "instance.param" for one instance. Values are parameter texts as
// strategies.Bind parses them.
type Axis struct {
	Param  string   `json:"param"`
	Values []string `json:"values"`
}

// ParseGrid parses a --sweep value: comma-separated axes "name=values",
// where values is start:stop:step (inclusive, exact decimal steps:
// "fast=5:20:5" is 5, 10, 15, 20), a list "fast=5|10|20", or one value.
// Errors match [ErrGrid].
func ParseGrid(s string) ([]Axis, error) {
	var axes []Axis
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, spec, ok := strings.Cut(part, "=")
		name, spec = strings.TrimSpace(name), strings.TrimSpace(spec)
		if !ok || name == "" || spec == "" {
			return nil, fmt.Errorf("%w: %q: want name=start:stop:step or name=a|b|c", ErrGrid, part)
		}
		if slices.ContainsFunc(axes, func(a Axis) bool { return a.Param == name }) {
			return nil, fmt.Errorf("%w: %q swept twice", ErrGrid, name)
		}
		var vals []string
		switch {
		case strings.Contains(spec, "|"):
			for _, v := range strings.Split(spec, "|") {
				if v = strings.TrimSpace(v); v == "" {
					return nil, fmt.Errorf("%w: %s: empty value in %q", ErrGrid, name, spec)
				}
				vals = append(vals, v)
			}
		case strings.Contains(spec, ":"):
			var err error
			if vals, err = parseRange(spec); err != nil {
				return nil, fmt.Errorf("%w: %s=%s: %s", ErrGrid, name, spec, err.Error())
			}
		default:
			vals = []string{spec}
		}
		axes = append(axes, Axis{Param: name, Values: vals})
	}
	if len(axes) == 0 {
		return nil, fmt.Errorf("%w: no axis", ErrGrid)
	}
	if n := gridSize(axes); n > maxGridPoints {
		return nil, fmt.Errorf("%w: %d combinations (at most %d)", ErrGrid, n, maxGridPoints)
	}
	return axes, nil
}

// parseRange expands start:stop:step.
func parseRange(spec string) ([]string, error) {
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		return nil, errors.New("want start:stop:step")
	}
	var d [3]decimal.Decimal
	for i, s := range f {
		v, err := decimal.NewFromString(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		d[i] = v
	}
	start, stop, step := d[0], d[1], d[2]
	switch {
	case step.Sign() <= 0:
		return nil, errors.New("step must be positive")
	case start.GreaterThan(stop):
		return nil, errors.New("start after stop")
	}
	n := stop.Sub(start).Div(step).IntPart() + 1
	if n > maxAxisValues {
		return nil, fmt.Errorf("%d values (at most %d)", n, maxAxisValues)
	}
	vals := make([]string, 0, n)
	for v := start; v.LessThanOrEqual(stop); v = v.Add(step) {
		vals = append(vals, v.String())
	}
	return vals, nil
}

func gridSize(axes []Axis) int {
	n := 1
	for _, a := range axes {
		n *= len(a.Values)
		if n > maxGridPoints || len(a.Values) == 0 {
			return maxGridPoints + 1
		}
	}
	return n
}

// SweepResult is one grid point of a sweep.
type SweepResult struct {
	// Index is the point's place in grid order: the last axis varies
	// fastest, as nested loops over the axes in order would go.
	Index int
	// Values are the point's parameter values, indexed like the axes.
	Values []string
	// Skipped says why the point was not run (the strategy rejects the
	// combination, e.g. fast >= slow), or "" when it was.
	Skipped string
	// Stats measure the run's equity curve and trades; Benchmark is
	// buy-and-hold over the same bars.
	Stats, Benchmark Stats
	// Signals is the number of signals; Fingerprint the run fingerprint.
	Signals     int
	Fingerprint string
}

// Sweep backtests base once per point of grid, over the bars base.Market
// loads (loaded once), on workers goroutines (<= 0: GOMAXPROCS). Each
// point rebinds base's strategies with the point's values over their own
// parameters. Points whose parameters a strategy rejects (Bind or Def.New
// fails) are skipped: they are in the results with Skipped set, so the
// count is theirs to make. The results are in grid order whatever the
// scheduling; a run error other than a rejected combination stops the
// sweep and is returned (the one of the earliest point, so it does not
// depend on scheduling either). Errors: [ErrGrid] for an axis no strategy
// declares, the source's, RunBars', ctx's.
func Sweep(ctx context.Context, base Config, grid []Axis, workers int) ([]SweepResult, error) {
	if base.Market == nil {
		return nil, fmt.Errorf("%w: no market source", ErrConfig)
	}
	in, err := base.Market.Load(ctx)
	if err != nil {
		return nil, err
	}
	return sweepInput(ctx, base, &in, grid, workers)
}

// sweepCores holds the engines of finished sweep workers (with signal
// memory reuse on, as workspace.engine sets it) for the next sweep's: a
// Core is Reset for every point anyway (Reset gives New's state for any
// configuration), and a warm one spares each worker's first point the
// allocation and first touch of its memory. Sweeps run back to back (a
// walk-forward runs one per window) take them up.
var sweepCores sync.Pool

// sweepInput is Sweep over bars already loaded.
func sweepInput(ctx context.Context, base Config, in *Input, grid []Axis, workers int) ([]SweepResult, error) {
	if err := checkAxes(base.Strategies, grid); err != nil {
		return nil, err
	}
	n := gridSize(grid)
	if n > maxGridPoints {
		return nil, fmt.Errorf("%w: %d combinations (at most %d)", ErrGrid, n, maxGridPoints)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The points share the input's selection and hash (see runShared),
	// and their engines the default indicator registry (see
	// indicators.DefaultRegistry) when the config brings none.
	base.shared = &runShared{}
	results := make([]SweepResult, n)
	errs := make([]error, n)
	// parts[i] are the fingerprint parts of a point that finished before
	// the input hash was ready (its Fingerprint is still empty).
	parts := make([]FingerprintParts, n)
	shared := base.shared
	// Workers take the next task from a shared counter (the only mutable
	// state they share besides runShared) rather than from a feeding
	// goroutine. Task 0 hashes the input, the part of the fingerprint
	// every point shares, while the other workers start on the points
	// (rather than before the points, or by every worker at the end of
	// its first point, waiting for each other); tasks 1..n are the points.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker has its own buffers (and shares nothing mutable
			// with the others), so that a run allocates little.
			wcfg := base
			wcfg.ws = &workspace{}
			if c, ok := sweepCores.Get().(*engine.Core); ok {
				wcfg.ws.core = c
			}
			defer func() {
				if wcfg.ws.core != nil {
					sweepCores.Put(wcfg.ws.core)
				}
			}()
			for ctx.Err() == nil {
				t := int(next.Add(1) - 1)
				if t == 0 {
					shared.inputDigest(in, shared.selection(base, in))
					continue
				}
				i := t - 1
				if i >= n {
					return
				}
				// Each worker writes only its own index: no lock needed.
				results[i], parts[i], errs[i] = sweepPoint(ctx, wcfg, in, grid, i)
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	// The earliest real error (cancellations it caused come with it), so
	// that which error is returned does not depend on scheduling.
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := parent.Err(); err != nil {
		return nil, err
	}
	for i := range results {
		if r := &results[i]; r.Skipped == "" && r.Fingerprint == "" {
			p := parts[i]
			p.Input = shared.inputDigest(in, shared.selection(base, in))
			r.Fingerprint = p.sum()
		}
	}
	return results, nil
}

// checkAxes returns an error matching ErrGrid for an axis that names no
// declared parameter of any instance.
func checkAxes(insts []Instance, grid []Axis) error {
	var errs []error
	for _, a := range grid {
		if len(a.Values) == 0 {
			errs = append(errs, fmt.Errorf("%w: %s has no values", ErrGrid, a.Param))
			continue
		}
		if !slices.ContainsFunc(insts, func(in Instance) bool { return axisApplies(in, a.Param) }) {
			errs = append(errs, fmt.Errorf("%w: no strategy has a parameter %q", ErrGrid, a.Param))
		}
	}
	return errors.Join(errs...)
}

// Instance is an engine instance (a short name for this file's signatures).
type Instance = engine.Instance

// axisApplies reports whether param ("name" or "instance.name") is one of
// in's declared parameters.
func axisApplies(in Instance, param string) bool {
	inst, p, ok := strings.Cut(param, ".")
	if ok {
		name := in.Name
		if name == "" {
			name = in.Def.Name
		}
		if name != inst {
			return false
		}
	} else {
		p = param
	}
	_, ok = in.Def.Param(p)
	return ok
}

func axisParam(param string) string {
	if _, p, ok := strings.Cut(param, "."); ok {
		return p
	}
	return param
}

// pointValues returns the values of grid point i (last axis fastest).
func pointValues(grid []Axis, i int) []string {
	vals := make([]string, len(grid))
	for k := len(grid) - 1; k >= 0; k-- {
		n := len(grid[k].Values)
		vals[k] = grid[k].Values[i%n]
		i /= n
	}
	return vals
}

// bindPoint returns base's strategies rebound with vals, or why the
// strategies reject them: the first failure, in instance order, of Bind
// and of Def.New on the rebound parameters. It calls Def.New only when a
// Bind fails (to find whether an earlier instance's New fails first); the
// caller calls newFailure when the run fails, since the run builds every
// strategy anyway (so a point is not built once more just to check it).
func bindPoint(insts []Instance, grid []Axis, vals []string) ([]Instance, string) {
	out := slices.Clone(insts)
	for j := range out {
		in := &out[j]
		ov := in.Params.Overrides()
		changed := false
		for k, a := range grid {
			if axisApplies(*in, a.Param) {
				ov[axisParam(a.Param)] = vals[k]
				changed = true
			}
		}
		if !changed {
			continue
		}
		p, err := strategies.Bind(in.Def, ov)
		if err != nil {
			if why := newFailure(out[:j], grid); why != "" {
				return nil, why
			}
			return nil, oneLineErr(err)
		}
		in.Params = p
	}
	return out, ""
}

// newFailure returns why Def.New rejects the first instance of bound that
// an axis of grid applies to (that bindPoint rebinds) and that it rejects,
// or "".
func newFailure(bound []Instance, grid []Axis) string {
	for _, in := range bound {
		if !slices.ContainsFunc(grid, func(a Axis) bool { return axisApplies(in, a.Param) }) {
			continue
		}
		if _, err := in.Def.New(in.Params); err != nil {
			return oneLineErr(err)
		}
	}
	return ""
}

func oneLineErr(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

// sweepPoint runs grid point i. When the input hash was not ready at the
// end of the run, the result's Fingerprint is empty and the parts returned
// (otherwise unused) have all but the input's.
func sweepPoint(ctx context.Context, base Config, in *Input, grid []Axis, i int) (SweepResult, FingerprintParts, error) {
	r := SweepResult{Index: i, Values: pointValues(grid, i)}
	insts, why := bindPoint(base.Strategies, grid, r.Values)
	if why != "" {
		r.Skipped = why
		return r, FingerprintParts{}, nil
	}
	cfg := base
	cfg.Strategies = insts
	cfg.Progress = nil
	res, err := RunBars(ctx, cfg, in)
	if err != nil {
		// A strategy that rejects the point's parameters fails the run:
		// that is a skipped point, as when bindPoint finds it.
		if why := newFailure(insts, grid); why != "" {
			r.Skipped = why
			return r, FingerprintParts{}, nil
		}
		return r, FingerprintParts{}, fmt.Errorf("sweep point %d (%s): %w", i, formatPoint(grid, r.Values), err)
	}
	r.Stats, r.Benchmark = res.Metrics.Strategy, res.Metrics.Benchmark
	r.Signals, r.Fingerprint = res.Counts.Signals, res.Fingerprint // a lean run keeps no signals, only their count
	return r, res.Parts, nil
}

func formatPoint(grid []Axis, vals []string) string {
	parts := make([]string, len(grid))
	for k, a := range grid {
		parts[k] = a.Param + "=" + vals[k]
	}
	return strings.Join(parts, ",")
}

// rankMetrics lists the metrics Rank accepts (read-only); for
// max_drawdown and volatility lower ranks higher.
var rankMetrics = []string{"sharpe", "sortino", "calmar", "cagr", "total_return", "max_drawdown",
	"volatility", "win_rate", "profit_factor", "net_pnl", "final_equity", "trades"}

// RankMetrics returns the names Rank accepts, in a fixed order.
func RankMetrics() []string { return slices.Clone(rankMetrics) }

// MetricValue returns metric name of s as a score where higher is better
// (max_drawdown and volatility are negated), or an error matching ErrRank.
func MetricValue(s Stats, name string) (float64, error) {
	var v float64
	switch name {
	case "sharpe":
		v = s.Sharpe
	case "sortino":
		v = s.Sortino
	case "calmar":
		v = s.Calmar
	case "cagr":
		v = s.CAGR
	case "total_return":
		v = s.TotalReturn
	case "max_drawdown":
		v = -s.MaxDrawdown
	case "volatility":
		v = -s.Volatility
	case "win_rate":
		v = s.WinRate
	case "profit_factor":
		v = s.ProfitFactor
	case "net_pnl":
		v = s.NetPnL.InexactFloat64()
	case "final_equity":
		v = s.FinalEquity.InexactFloat64()
	case "trades":
		v = float64(s.Trades)
	default:
		return 0, fmt.Errorf("%w %q; want one of %s", ErrRank, name, strings.Join(rankMetrics, ", "))
	}
	if math.IsNaN(v) {
		v = math.Inf(-1)
	}
	return v, nil
}

// Rank returns the points that ran, best first by metric (see
// [MetricValue]); ties keep grid order, so the ranking is deterministic.
// results is not modified.
func Rank(results []SweepResult, metric string) ([]SweepResult, error) {
	if _, err := MetricValue(Stats{}, metric); err != nil {
		return nil, err
	}
	out := make([]SweepResult, 0, len(results))
	for _, r := range results {
		if r.Skipped == "" {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b SweepResult) int {
		x, _ := MetricValue(a.Stats, metric)
		y, _ := MetricValue(b.Stats, metric)
		switch {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return a.Index - b.Index
	})
	return out, nil
}

// sweepColumns are the metric columns of WriteSweepCSV and the table.
var sweepColumns = []string{"total_return", "cagr", "sharpe", "sortino", "calmar", "max_drawdown",
	"volatility", "trades", "win_rate", "profit_factor", "net_pnl", "fees_paid", "final_equity", "benchmark_return"}

func sweepCells(r SweepResult) []string {
	s := r.Stats
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }
	return []string{f(s.TotalReturn), f(s.CAGR), f(s.Sharpe), f(s.Sortino), f(s.Calmar), f(s.MaxDrawdown),
		f(s.Volatility), strconv.Itoa(s.Trades), f(s.WinRate), f(s.ProfitFactor), s.NetPnL.String(),
		s.FeesPaid.String(), s.FinalEquity.String(), f(r.Benchmark.TotalReturn)}
}

// WriteSweepCSV writes one row per grid point, in grid order: the index,
// one column per axis, "skipped" (the reason, or empty), the metrics and the
// fingerprint. Skipped points have empty metric cells.
func WriteSweepCSV(w io.Writer, grid []Axis, results []SweepResult) error {
	head := []string{"index"}
	for _, a := range grid {
		head = append(head, a.Param)
	}
	head = append(head, "skipped")
	head = append(head, sweepColumns...)
	head = append(head, "signals", "fingerprint")
	cw := csv.NewWriter(w)
	cw.Write(head)
	for _, r := range results {
		row := append([]string{strconv.Itoa(r.Index)}, r.Values...)
		row = append(row, r.Skipped)
		if r.Skipped != "" {
			row = append(row, make([]string, len(sweepColumns)+2)...)
		} else {
			row = append(row, sweepCells(r)...)
			row = append(row, strconv.Itoa(r.Signals), r.Fingerprint)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WriteSweepTable writes the first n of ranked (all when n <= 0) as an
// aligned text table headed by the rank metric.
func WriteSweepTable(w io.Writer, grid []Axis, ranked []SweepResult, metric string, n int) error {
	if n <= 0 || n > len(ranked) {
		n = len(ranked)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"rank"}
	for _, a := range grid {
		head = append(head, a.Param)
	}
	head = append(head, metric+"*", "total_return", "sharpe", "max_drawdown", "trades", "final_equity")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i, r := range ranked[:n] {
		v, err := MetricValue(r.Stats, metric)
		if err != nil {
			return err
		}
		if metric == "max_drawdown" || metric == "volatility" {
			v = -v
		}
		row := append([]string{strconv.Itoa(i + 1)}, r.Values...)
		row = append(row, strconv.FormatFloat(v, 'f', 4, 64),
			strconv.FormatFloat(r.Stats.TotalReturn, 'f', 4, 64), strconv.FormatFloat(r.Stats.Sharpe, 'f', 3, 64),
			strconv.FormatFloat(r.Stats.MaxDrawdown, 'f', 4, 64), strconv.Itoa(r.Stats.Trades),
			r.Stats.FinalEquity.StringFixed(2))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}
