package backtest_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest"
	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/strategies"
)

func TestParseGrid(t *testing.T) {
	tests := []struct {
		in   string
		want []backtest.Axis // nil: an error
	}{
		{"fast=5:20:5,slow=20:100:20", []backtest.Axis{
			{Param: "fast", Values: []string{"5", "10", "15", "20"}},
			{Param: "slow", Values: []string{"20", "40", "60", "80", "100"}}}},
		{"fast=5|10|20", []backtest.Axis{{Param: "fast", Values: []string{"5", "10", "20"}}}},
		{" k = 1.5:2:0.25 , ma=ema|sma, x=7", []backtest.Axis{
			{Param: "k", Values: []string{"1.5", "1.75", "2"}},
			{Param: "ma", Values: []string{"ema", "sma"}},
			{Param: "x", Values: []string{"7"}}}},
		{"fast=5:7:5", []backtest.Axis{{Param: "fast", Values: []string{"5"}}}},
		{"ema_cross.fast=2:3:1", []backtest.Axis{{Param: "ema_cross.fast", Values: []string{"2", "3"}}}},
		{"", nil},
		{"fast", nil},
		{"fast=", nil},
		{"fast=5:1:1", nil},
		{"fast=1:5:0", nil},
		{"fast=1:5", nil},
		{"fast=a:5:1", nil},
		{"fast=1||2", nil},
		{"fast=1,fast=2", nil},
		{"fast=1:1000000:1", nil},
		{"a=1:1000:1,b=1:1000:1,c=1:2:1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := backtest.ParseGrid(tc.in)
			if tc.want == nil {
				if !errors.Is(err, backtest.ErrGrid) {
					t.Fatalf("got %v, %v; want an ErrGrid error", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// emaBase is a backtest of ema_cross over the BTC test data.
func emaBase(t testing.TB) backtest.Config {
	t.Helper()
	def := strategies.EMACrossDef()
	p, err := strategies.Bind(def, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := backtest.Input{Stream: "files", Bars: loadBTC(t)}
	return backtest.Config{
		Market:     &backtest.InputSource{Input: in},
		Strategies: []engine.Instance{{Def: def, Params: p}},
	}
}

func TestSweep(t *testing.T) {
	base := emaBase(t)
	grid, err := backtest.ParseGrid("fast=5:20:5,slow=10|20|40")
	if err != nil {
		t.Fatal(err)
	}
	one, err := backtest.Sweep(context.Background(), base, grid, 1)
	if err != nil {
		t.Fatal(err)
	}
	four, err := backtest.Sweep(context.Background(), base, grid, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, four) {
		t.Fatal("1 and 4 workers disagree")
	}
	if len(one) != 12 {
		t.Fatalf("%d results", len(one))
	}
	skipped := 0
	for i, r := range one {
		fast, slow := grid[0].Values[i/3], grid[1].Values[i%3]
		if r.Index != i || r.Values[0] != fast || r.Values[1] != slow {
			t.Fatalf("result %d is %+v, want fast=%s slow=%s", i, r, fast, slow)
		}
		var f, s int
		fmt.Sscan(fast, &f)
		fmt.Sscan(slow, &s)
		if (f >= s) != (r.Skipped != "") {
			t.Fatalf("fast=%d slow=%d: skipped %q", f, s, r.Skipped)
		}
		if r.Skipped != "" {
			skipped++
			continue
		}
		if r.Fingerprint == "" || r.Signals == 0 {
			t.Fatalf("point %d: %+v", i, r)
		}
	}
	// fast 10 slow 10, 15/10, 20/10, 20/20.
	if skipped != 4 {
		t.Fatalf("%d skipped, want 4", skipped)
	}
	// A point is the same backtest as a plain run with those parameters.
	cfg := base
	def := cfg.Strategies[0].Def
	p, err := strategies.Bind(def, map[string]string{"fast": "5", "slow": "40"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Strategies = []engine.Instance{{Def: def, Params: p}}
	res, err := backtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if one[2].Fingerprint != res.Fingerprint {
		t.Fatalf("point fast=5 slow=40: fingerprint %s, plain run %s", one[2].Fingerprint, res.Fingerprint)
	}

	ranked, err := backtest.Rank(one, "sharpe")
	if err != nil {
		t.Fatal(err)
	}
	if len(ranked) != 8 {
		t.Fatalf("%d ranked", len(ranked))
	}
	for i := 1; i < len(ranked); i++ {
		if ranked[i].Stats.Sharpe > ranked[i-1].Stats.Sharpe {
			t.Fatalf("not sorted at %d", i)
		}
	}
	var tbl bytes.Buffer
	if err := backtest.WriteSweepTable(&tbl, grid, ranked, "sharpe", 3); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(tbl.String(), "\n"); n != 4 || !strings.Contains(tbl.String(), "sharpe*") {
		t.Fatalf("table:\n%s", tbl.String())
	}
	var buf bytes.Buffer
	if err := backtest.WriteSweepCSV(&buf, grid, one); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || rows[0][1] != "fast" || rows[0][3] != "skipped" || rows[2][3] != "" || rows[4][3] == "" {
		t.Fatalf("csv rows: %q", rows[:5])
	}
}

func TestSweepErrors(t *testing.T) {
	base := emaBase(t)
	tests := []struct {
		name string
		grid string
		want error
	}{
		{"unknown parameter", "speed=1|2", backtest.ErrGrid},
		{"other instance", "bollinger.period=5|10", backtest.ErrGrid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			grid, err := backtest.ParseGrid(tc.grid)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := backtest.Sweep(context.Background(), base, grid, 2); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	grid, _ := backtest.ParseGrid("fast=5|6")
	if _, err := backtest.Sweep(ctx, base, grid, 2); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := backtest.Rank(nil, "luck"); !errors.Is(err, backtest.ErrRank) {
		t.Fatalf("rank: %v", err)
	}
}
