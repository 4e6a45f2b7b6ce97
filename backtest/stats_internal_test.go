package backtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestTradeStatsMatchDecimal checks tradeAcc.stats, which works in scratch
// big.Ints and reused memory, against the decimal expressions it stands
// for, on random trades, with the scratch reused (and the accumulator
// reset) from one set of trades to the next as a sweep worker does.
func TestTradeStatsMatchDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	var a tradeAcc
	var sc statScratch
	var tmp xdec
	for round := range 300 {
		a.reset()
		n := r.IntN(12)
		net, wins, losses := decimal.Zero, decimal.Zero, decimal.Zero
		nw, nl := 0, 0
		for range n {
			pnl := randDec(r, true)
			if r.IntN(8) == 0 {
				pnl = decimal.Zero
			}
			var x xdec
			x.setDec(pnl)
			a.add(&x, &tmp.c)
			net = net.Add(pnl)
			switch pnl.Sign() {
			case 1:
				nw++
				wins = wins.Add(pnl)
			case -1:
				nl++
				losses = losses.Add(pnl)
			}
		}
		got := a.stats(&sc)
		if got.Trades != n {
			t.Fatalf("round %d: %d trades, want %d", round, got.Trades, n)
		}
		if n == 0 {
			for _, d := range []decimal.Decimal{got.NetPnL, got.Expectancy, got.AvgWin, got.AvgLoss} {
				sameDec(t, "zero", d, decimal.Zero)
			}
			continue
		}
		sameDec(t, "net", got.NetPnL, net)
		sameDec(t, "expectancy", got.Expectancy, net.DivRound(decimal.NewFromInt(int64(n)), 8))
		if nw > 0 {
			sameDec(t, "avg win", got.AvgWin, wins.DivRound(decimal.NewFromInt(int64(nw)), 8))
		}
		wantPF := 0.0
		if nl > 0 {
			sameDec(t, "avg loss", got.AvgLoss, losses.DivRound(decimal.NewFromInt(int64(nl)), 8))
			wantPF = wins.InexactFloat64() / -losses.InexactFloat64()
		}
		if math.Float64bits(got.ProfitFactor) != math.Float64bits(wantPF) {
			t.Fatalf("round %d: profit factor %v, want %v", round, got.ProfitFactor, wantPF)
		}
		if got.WinRate != float64(nw)/float64(n) {
			t.Fatalf("round %d: win rate %v", round, got.WinRate)
		}
	}
}
