package backtest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// randDec is a random decimal of up to 30 digits with an exponent in
// [-20, 2], either sign when neg.
func randDec(r *rand.Rand, neg bool) decimal.Decimal {
	d := decimal.New(r.Int64N(1<<62), -int32(r.IntN(21)))
	if r.IntN(2) == 0 {
		d = d.Mul(decimal.New(r.Int64N(1<<40), -int32(r.IntN(10))))
	}
	if r.IntN(10) == 0 {
		d = decimal.New(r.Int64N(1000), int32(r.IntN(3)))
	}
	if neg && r.IntN(2) == 0 {
		d = d.Neg()
	}
	return d
}

func randFixed(t *testing.T, r *rand.Rand) events.Fixed {
	c := r.Int64N(1<<62) >> r.IntN(60)
	if r.IntN(8) == 0 {
		c = -c // not a real price, but it exercises the negative rounding
	}
	f, err := events.NewFixed(c, r.IntN(events.MaxScale+1))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sameDec requires got and want to be equal with the same exponent, so
// that every rendering of them matches too.
func sameDec(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) || got.Exponent() != want.Exponent() || got.String() != want.String() {
		t.Fatalf("%s: got %s (exp %d), want %s (exp %d)", what, got, got.Exponent(), want, want.Exponent())
	}
	if toFloat(got) != toFloat(want) {
		t.Fatalf("%s: float %v, want %v", what, toFloat(got), toFloat(want))
	}
}

// TestMarkerMatchesDecimal compares the marker with the straightforward
// decimal expressions it replaces, on random books: coefficients, exponents
// and the float64 the metrics read must all agree.
func TestMarkerMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 20000 {
		p := newPortfolio(costModel{PortfolioConfig: PortfolioConfig{InitialCash: randDec(r, false)}})
		if iter%3 == 0 {
			p.cash = randDec(r, true)
			p.cashC, p.cashExp = coefOf(p.cash)
		}
		alloc := randDec(r, false)
		p.allocC, p.allocExp = coefOf(alloc)
		for i := range 1 + r.IntN(6) {
			h := p.holding(string(rune('A' + i)))
			h.mark = randFixed(t, r)
			if r.IntN(3) > 0 {
				h.qty = randDec(r, true)
				h.qtyC, h.qtyExp = coefOf(h.qty)
			}
			if r.IntN(4) > 0 {
				h.barsSeen = 1
				if r.IntN(5) > 0 {
					h.units = randDec(r, r.IntN(8) == 0)
					h.unitsC, h.unitsExp = coefOf(h.units)
				}
			}
		}
		// The straightforward computation (the code the marker replaced).
		pv := decimal.Zero
		bench := decimal.Zero
		exposed := false
		for _, h := range p.hold {
			if h.qty.Sign() != 0 {
				exposed = true
				pv = pv.Add(h.qty.Mul(h.mark.Decimal()))
			}
			if h.barsSeen == 0 || h.units.IsZero() {
				bench = bench.Add(alloc)
				continue
			}
			bench = bench.Add(h.units.Mul(h.mark.Decimal()))
		}
		eq := p.cash.Add(pv)
		bench = bench.Round(8)

		for range 2 { // twice: the second reuses the scratch space and the last benchmark
			pt := p.point(time.Unix(int64(iter), 0))
			if got, want := p.mk.eqF, toFloat(eq); got != want {
				t.Fatalf("equity float %v, want %v (%s)", got, want, eq)
			}
			if got, want := p.mk.benchF, toFloat(bench); got != want {
				t.Fatalf("benchmark float %v, want %v (%s)", got, want, bench)
			}
			f := newFingerprinter("")
			f.equity(&pt)
			if got, want := string(p.appendPoint(nil, &pt)), string(f.buf); got != want {
				t.Fatalf("fingerprint line %q, want %q", got, want)
			}
			sameDec(t, "equity", pt.Equity, eq)
			sameDec(t, "position value", pt.PositionValue, pv)
			sameDec(t, "benchmark", pt.Benchmark, bench)
			sameDec(t, "cash", pt.Cash, p.cash)
			if pt.Exposed != exposed {
				t.Fatalf("exposed %v, want %v", pt.Exposed, exposed)
			}
			sameDec(t, "equityOnly", p.mk.equityOnly(p), eq)
			e, v := p.mk.equity(p)
			sameDec(t, "equity()", e, eq)
			sameDec(t, "equity() position value", v, pv)
		}
	}
}

// TestMarkerTextAndFloat compares appendDec and float with decimal's
// String and toFloat on random coefficients of up to ~200 digits.
func TestMarkerTextAndFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var m marker
	for range 50000 {
		d := decimal.New(r.Int64N(1<<63-1)>>r.IntN(63), int32(r.IntN(60)-40))
		for range r.IntN(12) {
			d = d.Mul(decimal.New(r.Int64N(1<<63-1)>>r.IntN(63), 0))
		}
		if r.IntN(2) == 0 {
			d = d.Neg()
		}
		c, e := coefOf(d)
		if got, want := string(m.appendDec(nil, c, e)), d.String(); got != want {
			t.Fatalf("appendDec(%s e%d) = %q, want %q", c, e, got, want)
		}
		if got, want := m.float(c, e), toFloat(d); got != want {
			t.Fatalf("float(%s e%d) = %v, want %v", c, e, got, want)
		}
	}
}

// FuzzMarkerText checks appendDec and float against decimal on any
// coefficient and exponent.
func FuzzMarkerText(f *testing.F) {
	f.Add(int64(123456789), int64(987654321), int32(-12))
	f.Add(int64(-5), int64(0), int32(3))
	f.Add(int64(1)<<62, int64(1)<<62, int32(-30))
	f.Fuzz(func(t *testing.T, a, b int64, e int32) {
		e %= 50
		d := decimal.New(a, e)
		if b != 0 {
			d = d.Mul(decimal.New(b, 0))
		}
		var m marker
		c, x := coefOf(d)
		if got, want := string(m.appendDec(nil, c, x)), d.String(); got != want {
			t.Fatalf("appendDec(%s e%d) = %q, want %q", c, x, got, want)
		}
		if got, want := m.float(c, x), toFloat(d); got != want {
			t.Fatalf("float(%s e%d) = %v, want %v", c, x, got, want)
		}
	})
}

// TestFillMatchesDecimal compares fill's in-place arithmetic with the
// straightforward decimal expressions on random fill sequences: the fee,
// the cash after every fill, and the settled sums must be the same
// decimals, exponent included.
func TestFillMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		cash0 := randDec(r, false)
		taker := randDec(r, false)
		p := newPortfolio(costModel{PortfolioConfig: PortfolioConfig{InitialCash: cash0}, taker: taker})
		hs := []*holding{p.holding("A"), p.holding("B")}
		cash := cash0
		var fees, slips, notional decimal.Decimal
		hf := make([]decimal.Decimal, len(hs))
		hs2 := make([]decimal.Decimal, len(hs))
		for range 1 + r.IntN(8) {
			i := r.IntN(len(hs))
			h := hs[i]
			q, price, bps, slip := randDec(r, true), randDec(r, false), randDec(r, false), randDec(r, false)
			switch r.IntN(3) {
			case 0:
				bps = taker // the cached coefficient
			case 1:
				bps = taker.Round(taker.Exponent()*-1 + 1) // equal, another exponent
			}
			wantQty := h.qty.Add(q)
			n := q.Abs().Mul(price)
			wantFee := bpsOf(n, bps)
			cash = cash.Sub(q.Mul(price)).Sub(wantFee)
			fees, slips, notional = fees.Add(wantFee), slips.Add(slip), notional.Add(n)
			hf[i], hs2[i] = hf[i].Add(wantFee), hs2[i].Add(slip)

			fee := p.fill(h, q, price, bps, slip)
			sameDec(t, "fee", fee, wantFee)
			sameDec(t, "cash", p.cash, cash)
			sameDec(t, "qty", h.qty, wantQty)
			if c, e := coefOf(p.cash); c.Cmp(p.cashC) != 0 || e != p.cashExp {
				t.Fatalf("cash coefficient %s e%d, want %s e%d", p.cashC, p.cashExp, c, e)
			}
		}
		p.settle(true)
		sameDec(t, "fees", p.costs.Fees, fees)
		sameDec(t, "slippage", p.costs.Slippage, slips)
		sameDec(t, "notional", p.notional, notional)
		for i, h := range hs {
			sameDec(t, "symbol fees", h.fees, hf[i])
			sameDec(t, "symbol slippage", h.slip, hs2[i])
		}
	}
}
