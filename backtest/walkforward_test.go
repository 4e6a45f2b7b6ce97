package backtest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/backtest"
)

func TestParseWalkForward(t *testing.T) {
	tests := []struct {
		in          string
		train, test time.Duration
		ok          bool
	}{
		{"train=90d,test=30d", 90 * 24 * time.Hour, 30 * 24 * time.Hour, true},
		{"test=1w, train=36h", 36 * time.Hour, 7 * 24 * time.Hour, true},
		{"train=90d", 0, 0, false},
		{"train=90d,test=0d", 0, 0, false},
		{"train=x,test=1d", 0, 0, false},
		{"train=1d,test=1d,gap=1d", 0, 0, false},
		{"90d/30d", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			train, test, err := backtest.ParseWalkForward(tc.in)
			if !tc.ok {
				if !errors.Is(err, backtest.ErrWalkForward) {
					t.Fatalf("got %v %v %v; want an ErrWalkForward error", train, test, err)
				}
				return
			}
			if err != nil || train != tc.train || test != tc.test {
				t.Fatalf("got %v %v %v", train, test, err)
			}
		})
	}
}

func TestWalkForward(t *testing.T) {
	base := emaBase(t) // 50 days of hourly bars from 2020-11-17
	grid, err := backtest.ParseGrid("fast=5|10|20,slow=10|30")
	if err != nil {
		t.Fatal(err)
	}
	wf := backtest.WalkForwardConfig{Train: 20 * 24 * time.Hour, Test: 10 * 24 * time.Hour, Rank: "total_return", Workers: 2}
	res, err := backtest.WalkForward(context.Background(), base, grid, wf)
	if err != nil {
		t.Fatal(err)
	}
	bars := loadBTC(t)
	last := bars[len(bars)-1].OpenTime
	span := last.Sub(bars[0].OpenTime)
	// Windows start every test length while training plus some test data fit.
	if want := int((span-wf.Train)/wf.Test) + 1; len(res.Windows) != want {
		t.Fatalf("%d windows over %v, want %d", len(res.Windows), span, want)
	}
	if lw := res.Windows[len(res.Windows)-1]; lw.TestTo.After(last.Add(time.Nanosecond)) || !lw.TestFrom.Before(last.Add(time.Nanosecond)) {
		t.Fatalf("last window %+v, last bar %v", lw, last)
	}
	var points int
	for i, w := range res.Windows {
		if w.Skipped != "" || len(w.Values) != 2 || w.Candidates != 6 || w.Invalid != 2 {
			t.Fatalf("window %d: %+v", i, w)
		}
		if !w.TestFrom.Equal(w.TrainTo) || !w.TrainTo.Equal(w.TrainFrom.Add(wf.Train)) {
			t.Fatalf("window %d bounds %+v", i, w)
		}
		if i > 0 && !w.TrainFrom.Equal(res.Windows[i-1].TrainFrom.Add(wf.Test)) {
			t.Fatalf("window %d does not advance by the test length", i)
		}
		// The chosen point is the training sweep's best.
		train := base
		train.From, train.To = w.TrainFrom, w.TrainTo
		sweep, err := backtest.Sweep(context.Background(), train, grid, 1)
		if err != nil {
			t.Fatal(err)
		}
		ranked, _ := backtest.Rank(sweep, "total_return")
		if ranked[0].Values[0] != w.Values[0] || ranked[0].Values[1] != w.Values[1] {
			t.Fatalf("window %d chose %v, the training sweep's best is %v", i, w.Values, ranked[0].Values)
		}
		for _, pt := range res.Equity {
			if !pt.Time.Before(w.TestFrom) && !pt.Time.After(w.TestTo) {
				points++
			}
		}
	}
	// Out-of-sample only: the curve starts after the first training window.
	if len(res.Equity) == 0 || !res.Equity[0].Time.After(res.Windows[0].TestFrom) || points < len(res.Equity) {
		t.Fatalf("%d points, first at %v", len(res.Equity), res.Equity[0].Time)
	}
	// Stitching compounds: the final equity is the product of the windows'
	// growth factors.
	want := 10000.0
	for _, w := range res.Windows {
		want *= 1 + w.Test.TotalReturn
	}
	if got := res.Stats.FinalEquity.InexactFloat64(); got < want*0.999999 || got > want*1.000001 {
		t.Fatalf("final equity %v, want %v", got, want)
	}
	if d := res.Stats.TotalReturn - (want/10000 - 1); d > 1e-6 || d < -1e-6 {
		t.Fatalf("total return %v", res.Stats.TotalReturn)
	}

	if _, err := backtest.WalkForward(context.Background(), base, grid,
		backtest.WalkForwardConfig{Train: 100 * 24 * time.Hour, Test: time.Hour}); !errors.Is(err, backtest.ErrWalkForward) {
		t.Fatalf("training window longer than the data: %v", err)
	}
	if _, err := backtest.WalkForward(context.Background(), base, grid,
		backtest.WalkForwardConfig{Train: time.Hour, Test: time.Hour, Rank: "luck"}); !errors.Is(err, backtest.ErrRank) {
		t.Fatalf("bad rank: %v", err)
	}
}

func TestRunSweepOutputs(t *testing.T) {
	base := emaBase(t)
	tests := []struct {
		name  string
		opt   backtest.SweepOptions
		files []string
		want  string // in the table
	}{
		{"sweep", backtest.SweepOptions{Grid: "fast=5|10,slow=10|30", Top: 2, Workers: 2}, []string{"sweep.csv"}, "top 2 by sharpe"},
		{"walk-forward", backtest.SweepOptions{Grid: "fast=5|10,slow=30", WalkForward: "train=20d,test=10d", Rank: "cagr"},
			[]string{"walkforward.json", "walkforward.csv", "walkforward_equity.csv"}, "out-of-sample: total return"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var out strings.Builder
			if err := backtest.RunSweep(context.Background(), base, tc.opt, dir, &out); err != nil {
				t.Fatal(err)
			}
			t.Logf("output:\n%s", out.String())
			if !strings.Contains(out.String(), tc.want) {
				t.Fatalf("output:\n%s", out.String())
			}
			for _, f := range tc.files {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 50 {
					t.Fatalf("%s: %v", f, err)
				}
			}
		})
	}
	_, _, err := backtest.SweepOptions{Grid: "fast=", WalkForward: "train=1d", Rank: "luck"}.Parse()
	for _, want := range []error{backtest.ErrGrid, backtest.ErrWalkForward, backtest.ErrRank} {
		if !errors.Is(err, want) {
			t.Fatalf("Parse: %v, want %v too", err, want)
		}
	}
}
