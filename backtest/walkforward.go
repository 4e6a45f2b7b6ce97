package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// WalkForwardConfig configures [WalkForward].
type WalkForwardConfig struct {
	// Train and Test are the window lengths; the windows advance by Test.
	// Required (positive).
	Train, Test time.Duration
	// Rank is the metric the training sweep optimises (see [MetricValue]).
	// Default "sharpe".
	Rank string
	// Workers run each training sweep in parallel (<= 0: GOMAXPROCS).
	Workers int
}

// ParseWalkForward parses a --walk-forward value, "train=90d,test=30d".
// Lengths are Go durations ("36h") or a whole number of days ("90d") or
// weeks ("4w"). Errors match [ErrWalkForward].
func ParseWalkForward(s string) (train, test time.Duration, err error) {
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return 0, 0, fmt.Errorf("%w: %q: want train=90d,test=30d", ErrWalkForward, part)
		}
		d, err := parseLength(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			return 0, 0, fmt.Errorf("%w: %s=%s: want a positive length like 90d, 4w or 36h", ErrWalkForward, k, v)
		}
		switch strings.TrimSpace(k) {
		case "train":
			train = d
		case "test":
			test = d
		default:
			return 0, 0, fmt.Errorf("%w: unknown key %q (want train and test)", ErrWalkForward, k)
		}
	}
	if train == 0 || test == 0 {
		return 0, 0, fmt.Errorf("%w: %q: want both train and test", ErrWalkForward, s)
	}
	return train, test, nil
}

func parseLength(s string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	default:
		return time.ParseDuration(s)
	}
	v, err := strconv.ParseInt(s[:len(s)-1], 10, 32)
	if err != nil {
		return 0, err
	}
	return time.Duration(v) * unit, nil
}

// WalkForwardWindow is one training and test window.
type WalkForwardWindow struct {
	// TrainFrom..TrainTo and TestFrom..TestTo bound bar open times (From
	// inclusive, To exclusive); TestFrom == TrainTo.
	TrainFrom time.Time `json:"train_from"`
	TrainTo   time.Time `json:"train_to"`
	TestFrom  time.Time `json:"test_from"`
	TestTo    time.Time `json:"test_to"`
	// Values are the chosen parameter values (indexed like the axes), the
	// best training point by the rank metric; TrainScore its score.
	Values     []string `json:"values"`
	TrainScore float64  `json:"train_score"`
	// Candidates is the number of grid points run on the training window,
	// Invalid those the strategy rejected.
	Candidates int `json:"candidates"`
	Invalid    int `json:"invalid"`
	// Test measures the chosen parameters on the test window, alone (from
	// the initial cash); Fingerprint is that run's fingerprint.
	Test        Stats  `json:"test"`
	Fingerprint string `json:"fingerprint"`
	// Skipped says why the window has no test run ("" when it has one): no
	// bars in the training or test window, or no valid grid point.
	Skipped string `json:"skipped,omitempty"`
}

// WalkForwardResult is the outcome of [WalkForward].
type WalkForwardResult struct {
	Axes    []Axis              `json:"axes"`
	Rank    string              `json:"rank"`
	Windows []WalkForwardWindow `json:"windows"`
	// Equity is the out-of-sample curve: the test windows' equity curves in
	// order, each rescaled to start from the previous one's final equity
	// (the first from the initial cash), so it compounds as one account
	// would. Benchmark is stitched the same way.
	Equity []EquityPoint `json:"-"`
	// Stats measure the stitched curve (curve measures as in [CurveStats];
	// Trades, WinRate, FeesPaid and Slippage add up the windows', costs
	// rescaled like the curve); Benchmark measures the stitched benchmark.
	Stats     Stats `json:"stats"`
	Benchmark Stats `json:"benchmark"`
}

// WalkForward optimises base's strategies over grid on each training
// window (a sweep ranked by wf.Rank, ties to the earliest grid point) and
// backtests the best parameters on the following test window; windows
// advance by wf.Test from the first bar's open time (or base.From) until the
// test window would start at or after the end of the data (or base.To).
// Each test run starts flat, with the initial cash and cold indicators: its
// strategies warm up inside the test window, which costs them the first
// signals there but can never leak training data into it.
func WalkForward(ctx context.Context, base Config, grid []Axis, wf WalkForwardConfig) (*WalkForwardResult, error) {
	if wf.Train <= 0 || wf.Test <= 0 {
		return nil, fmt.Errorf("%w: train %v and test %v must be positive", ErrWalkForward, wf.Train, wf.Test)
	}
	if wf.Rank == "" {
		wf.Rank = "sharpe"
	}
	if _, err := MetricValue(Stats{}, wf.Rank); err != nil {
		return nil, err
	}
	if err := checkAxes(base.Strategies, grid); err != nil {
		return nil, err
	}
	if base.Market == nil {
		return nil, fmt.Errorf("%w: no market source", ErrConfig)
	}
	in, err := base.Market.Load(ctx)
	if err != nil {
		return nil, err
	}
	sel := selectBars(base, &in)
	if len(sel) == 0 {
		return nil, ErrNoBars
	}
	start, end := in.Bars[sel[0]].OpenTime, in.Bars[sel[0]].OpenTime
	for _, i := range sel {
		b := &in.Bars[i]
		if b.OpenTime.Before(start) {
			start = b.OpenTime
		}
		if b.OpenTime.After(end) {
			end = b.OpenTime
		}
	}
	end = end.Add(time.Nanosecond) // To is exclusive: include the last bar
	if !start.Add(wf.Train).Before(end) {
		return nil, fmt.Errorf("%w: the data spans %v, not more than one training window of %v",
			ErrWalkForward, end.Sub(start).Round(time.Second), wf.Train)
	}
	res := &WalkForwardResult{Axes: grid, Rank: wf.Rank}
	initial := base.Portfolio.resolve().InitialCash
	capital, benchCap := initial, initial
	var (
		times        []time.Time
		eq, bench    []float64
		ppy          float64
		trades, wins float64
		fees, slip   = decimal.Zero, decimal.Zero
	)
	for t := start; t.Add(wf.Train).Before(end); t = t.Add(wf.Test) {
		w := WalkForwardWindow{TrainFrom: t, TrainTo: t.Add(wf.Train), TestFrom: t.Add(wf.Train)}
		w.TestTo = minTime(w.TestFrom.Add(wf.Test), end)
		train := base
		train.From, train.To = w.TrainFrom, w.TrainTo
		points, err := sweepInput(ctx, train, &in, grid, wf.Workers)
		switch {
		case errors.Is(err, ErrNoBars):
			w.Skipped = "no bars in the training window"
			res.Windows = append(res.Windows, w)
			continue
		case err != nil:
			return nil, fmt.Errorf("training window %s: %w", w.TrainFrom.Format(time.RFC3339), err)
		}
		ranked, _ := Rank(points, wf.Rank)
		w.Candidates, w.Invalid = len(points), len(points)-len(ranked)
		if len(ranked) == 0 {
			w.Skipped = "no valid grid point"
			res.Windows = append(res.Windows, w)
			continue
		}
		best := ranked[0]
		w.Values = best.Values
		w.TrainScore, _ = MetricValue(best.Stats, wf.Rank)
		if wf.Rank == "max_drawdown" || wf.Rank == "volatility" {
			w.TrainScore = -w.TrainScore
		}
		test := base
		test.From, test.To = w.TestFrom, w.TestTo
		test.Progress = nil
		test.Strategies, _ = bindPoint(base.Strategies, grid, best.Values)
		r, err := RunBars(ctx, test, &in)
		switch {
		case errors.Is(err, ErrNoBars):
			w.Skipped = "no bars in the test window"
			res.Windows = append(res.Windows, w)
			continue
		case err != nil:
			return nil, fmt.Errorf("test window %s: %w", w.TestFrom.Format(time.RFC3339), err)
		}
		w.Test, w.Fingerprint = r.Metrics.Strategy, r.Fingerprint
		res.Windows = append(res.Windows, w)

		ppy = r.Metrics.PeriodsPerYear
		scale := func(x, c decimal.Decimal) decimal.Decimal { return c.Mul(x).DivRound(initial, 8) }
		for _, pt := range r.Equity {
			s := EquityPoint{Time: pt.Time, Equity: scale(pt.Equity, capital), Cash: scale(pt.Cash, capital),
				PositionValue: scale(pt.PositionValue, capital), Benchmark: scale(pt.Benchmark, benchCap), Exposed: pt.Exposed}
			res.Equity = append(res.Equity, s)
			times = append(times, s.Time)
			eq = append(eq, s.Equity.InexactFloat64())
			bench = append(bench, s.Benchmark.InexactFloat64())
		}
		st := r.Metrics.Strategy
		trades += float64(st.Trades)
		wins += st.WinRate * float64(st.Trades)
		fees = fees.Add(scale(r.Costs.Fees, capital))
		slip = slip.Add(scale(r.Costs.Slippage, capital))
		last := res.Equity[len(res.Equity)-1]
		capital, benchCap = last.Equity, last.Benchmark
	}
	if len(res.Equity) == 0 {
		return res, fmt.Errorf("%w: no window has a test run", ErrWalkForward)
	}
	first := res.Windows[0].TestFrom
	for _, w := range res.Windows {
		if w.Skipped == "" {
			first = w.TestFrom
			break
		}
	}
	init := initial.InexactFloat64()
	res.Stats = CurveStats(init, first, times, eq, ppy)
	res.Stats.InitialEquity, res.Stats.FinalEquity = initial, capital
	res.Stats.Trades = int(trades)
	if trades > 0 {
		res.Stats.WinRate = math.Round(wins) / trades
	}
	res.Stats.NetPnL = capital.Sub(initial)
	res.Stats.FeesPaid, res.Stats.Slippage = fees, slip
	res.Benchmark = CurveStats(init, first, times, bench, ppy)
	res.Benchmark.InitialEquity, res.Benchmark.FinalEquity = initial, benchCap
	return res, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
