package backtest

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"
)

// Defaults of SweepOptions.
const (
	DefaultRank = "sharpe"
	DefaultTop  = 10
)

// SweepOptions are what the --sweep, --walk-forward, --rank, --top and
// --workers flags of `candlewick backtest` ask for.
type SweepOptions struct {
	// Grid is the --sweep value (see [ParseGrid]). Required.
	Grid string
	// WalkForward is the --walk-forward value (see [ParseWalkForward]);
	// empty: a plain sweep over the whole range.
	WalkForward string
	// Rank is the metric to rank by (see [RankMetrics]). Default DefaultRank.
	Rank string
	// Top is the number of table rows of a sweep. Default DefaultTop.
	Top int
	// Workers is the number of parallel runs (<= 0: GOMAXPROCS).
	Workers int
}

// Parse checks o without running anything, returning every problem joined:
// errors match [ErrGrid], [ErrWalkForward] or [ErrRank], so a command can
// report them as usage errors.
func (o SweepOptions) Parse() ([]Axis, WalkForwardConfig, error) {
	var errs []error
	grid, err := ParseGrid(o.Grid)
	errs = append(errs, err)
	wf := WalkForwardConfig{Rank: o.Rank, Workers: o.Workers}
	if wf.Rank == "" {
		wf.Rank = DefaultRank
	}
	if _, err := MetricValue(Stats{}, wf.Rank); err != nil {
		errs = append(errs, err)
	}
	if o.WalkForward != "" {
		wf.Train, wf.Test, err = ParseWalkForward(o.WalkForward)
		errs = append(errs, err)
	}
	return grid, wf, errors.Join(errs...)
}

// RunSweep runs the sweep (or, with o.WalkForward, the walk-forward) that o
// describes over base, prints a summary table to w and, when dir is not
// empty, writes its files there: sweep.csv for a sweep (every grid point
// in grid order, see [WriteSweepCSV]); walkforward.json (windows, chosen
// parameters, stitched metrics), walkforward.csv (one row per window) and
// walkforward_equity.csv (the stitched out-of-sample curve) for a
// walk-forward. Errors: those of Parse, Sweep and WalkForward, and I/O.
func RunSweep(ctx context.Context, base Config, o SweepOptions, dir string, w io.Writer) error {
	grid, wf, err := o.Parse()
	if err != nil {
		return err
	}
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	if o.WalkForward != "" {
		res, err := WalkForward(ctx, base, grid, wf)
		if err != nil {
			return err
		}
		if err := WriteWalkForwardTable(w, res); err != nil {
			return err
		}
		if dir == "" {
			return nil
		}
		return writeWalkForwardFiles(dir, res)
	}
	results, err := Sweep(ctx, base, grid, o.Workers)
	if err != nil {
		return err
	}
	ranked, _ := Rank(results, wf.Rank)
	top := o.Top
	if top == 0 {
		top = DefaultTop
	}
	fmt.Fprintf(w, "%d grid points: %d run, %d skipped (rejected by the strategy); top %d by %s:\n",
		len(results), len(ranked), len(results)-len(ranked), min(top, len(ranked)), wf.Rank)
	if err := WriteSweepTable(w, grid, ranked, wf.Rank, top); err != nil {
		return err
	}
	if dir == "" {
		return nil
	}
	var b bytes.Buffer
	if err := WriteSweepCSV(&b, grid, results); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "sweep.csv"), b.Bytes(), 0o644)
}

// WriteWalkForwardTable writes one line per window (ranges, chosen values,
// training score, test return) and the stitched metrics.
func WriteWalkForwardTable(w io.Writer, res *WalkForwardResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "window\ttrain from\ttest from\ttest to"
	for _, a := range res.Axes {
		head += "\t" + a.Param
	}
	fmt.Fprintln(tw, head+"\ttrain "+res.Rank+"\ttest return\ttest trades\t")
	for i, win := range res.Windows {
		line := fmt.Sprintf("%d\t%s\t%s\t%s", i+1, day(win.TrainFrom), day(win.TestFrom), day(win.TestTo))
		if win.Skipped != "" {
			for range res.Axes {
				line += "\t-"
			}
			fmt.Fprintln(tw, line+"\t"+win.Skipped+"\t\t\t")
			continue
		}
		for _, v := range win.Values {
			line += "\t" + v
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%d\t\n", line, win.TrainScore, win.Test.TotalReturn, win.Test.Trades)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s, b := res.Stats, res.Benchmark
	_, err := fmt.Fprintf(w, "out-of-sample: total return %.4f (benchmark %.4f), CAGR %.4f, Sharpe %.3f, max drawdown %.4f, %d trades, final equity %s\n",
		s.TotalReturn, b.TotalReturn, s.CAGR, s.Sharpe, s.MaxDrawdown, s.Trades, s.FinalEquity.StringFixed(2))
	return err
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

func writeWalkForwardFiles(dir string, res *WalkForwardResult) error {
	js, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	var win, eq bytes.Buffer
	cw := csv.NewWriter(&win)
	head := []string{"train_from", "train_to", "test_from", "test_to"}
	for _, a := range res.Axes {
		head = append(head, a.Param)
	}
	head = append(head, "train_score", "test_total_return", "test_sharpe", "test_max_drawdown", "test_trades", "fingerprint", "skipped")
	cw.Write(head)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', 10, 64) }
	for _, w := range res.Windows {
		row := []string{w.TrainFrom.Format(time.RFC3339), w.TrainTo.Format(time.RFC3339), w.TestFrom.Format(time.RFC3339), w.TestTo.Format(time.RFC3339)}
		vals := w.Values
		if vals == nil {
			vals = make([]string, len(res.Axes))
		}
		row = append(row, vals...)
		if w.Skipped != "" {
			row = append(row, "", "", "", "", "", "", w.Skipped)
		} else {
			row = append(row, f(w.TrainScore), f(w.Test.TotalReturn), f(w.Test.Sharpe), f(w.Test.MaxDrawdown),
				strconv.Itoa(w.Test.Trades), w.Fingerprint, "")
		}
		cw.Write(row)
	}
	cw.Flush()
	ce := csv.NewWriter(&eq)
	ce.Write([]string{"time", "equity", "cash", "position_value", "benchmark"})
	for _, p := range res.Equity {
		ce.Write([]string{p.Time.Format(time.RFC3339), p.Equity.String(), p.Cash.String(), p.PositionValue.String(), p.Benchmark.String()})
	}
	ce.Flush()
	return errors.Join(cw.Error(), ce.Error(),
		os.WriteFile(filepath.Join(dir, "walkforward.json"), append(js, '\n'), 0o644),
		os.WriteFile(filepath.Join(dir, "walkforward.csv"), win.Bytes(), 0o644),
		os.WriteFile(filepath.Join(dir, "walkforward_equity.csv"), eq.Bytes(), 0o644))
}
