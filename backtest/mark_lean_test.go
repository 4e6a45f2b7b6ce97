package backtest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// TestPointLeanMatchesPoint checks that pointLean (128-bit arithmetic when
// the book allows) leaves the same equity and benchmark floats, and the
// same fingerprint line, as point, on random books: flat, long-only with
// small coefficients (the fast path), and anything (the fallback).
func TestPointLeanMatchesPoint(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	small := func(neg bool) decimal.Decimal {
		d := decimal.New(r.Int64N(1<<50), -int32(r.IntN(25)))
		if neg && r.IntN(2) == 0 {
			d = d.Neg()
		}
		return d
	}
	fast := 0
	for iter := range 20000 {
		kind := iter % 3 // 0: small long-only, 1: anything, 2: flat
		lean, full := newPortfolio(costModel{}), newPortfolio(costModel{})
		cash := small(false)
		if kind == 1 {
			cash = randDec(r, true)
		}
		alloc := randDec(r, false)
		n := 1 + r.IntN(5)
		marks := make([]events.Fixed, n)
		qtys := make([]decimal.Decimal, n)
		for i := range n {
			marks[i] = randFixed(t, r)
			if kind == 0 && marks[i].Sign() < 0 {
				marks[i] = events.FixedFromInt(-marks[i].Coef())
			}
			switch kind {
			case 0:
				if r.IntN(3) > 0 {
					qtys[i] = small(false)
				}
			case 1:
				if r.IntN(2) > 0 {
					qtys[i] = randDec(r, true)
				}
			}
		}
		var lines [2]string
		var eqF, benchF [2]float64
		for k, p := range []*portfolio{lean, full} {
			p.cash = cash
			p.cashC, p.cashExp = coefOf(cash)
			p.allocC, p.allocExp = coefOf(alloc)
			for i := range n {
				h := p.holding(string(rune('A' + i)))
				h.mark = marks[i]
				if !qtys[i].IsZero() {
					h.qty = qtys[i]
					h.qtyC, h.qtyExp = coefOf(qtys[i])
				}
				h.barsSeen = 1
				h.units = decimal.New(int64(1+i), -3)
				h.unitsC, h.unitsExp = coefOf(h.units)
			}
			tm := time.Unix(int64(iter), 0)
			var pt EquityPoint
			if k == 0 {
				pt = p.pointLean(tm)
				if _, ok := p.mk.leanEquity(p); ok && pt.Exposed {
					fast++
				}
			} else {
				pt = p.point(tm)
			}
			lines[k] = string(p.appendPoint(nil, &pt))
			eqF[k], benchF[k] = p.mk.eqF, p.mk.benchF
		}
		if lines[0] != lines[1] || eqF[0] != eqF[1] || benchF[0] != benchF[1] {
			t.Fatalf("iter %d: lean %q %v %v, point %q %v %v", iter, lines[0], eqF[0], benchF[0], lines[1], eqF[1], benchF[1])
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d exposed books took the 128-bit path", fast)
	}
}
