package backtest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// refBook is the portfolio's fill, stop and trade logic written with
// plain decimal.Decimal expressions (the implementation before the
// in-place arithmetic of calc): the reference of the differential tests.
type refBook struct {
	m      costModel
	cash   decimal.Decimal
	hold   map[string]*refHolding
	order  []*refHolding
	trades []Trade
	counts Counts
}

type refHolding struct {
	symbol                         string
	qty                            decimal.Decimal
	entryPrice, entryFee, entrySlp decimal.Decimal
	entryTime                      time.Time
	entrySig                       string
	sl, tp                         decimal.Decimal
	bars                           int
	mark                           events.Fixed
	pending                        order
}

func newRefBook(m costModel) *refBook {
	return &refBook{m: m, cash: m.InitialCash, hold: map[string]*refHolding{}}
}

func (p *refBook) holding(sym string) *refHolding {
	h := p.hold[sym]
	if h == nil {
		h = &refHolding{symbol: sym}
		p.hold[sym] = h
		p.order = append(p.order, h)
	}
	return h
}

func (p *refBook) equity() decimal.Decimal {
	pv := decimal.Zero
	for _, h := range p.order {
		if h.qty.Sign() != 0 {
			pv = pv.Add(h.qty.Mul(h.mark.Decimal()))
		}
	}
	return p.cash.Add(pv)
}

func (p *refBook) slippage(ref decimal.Decimal, b *events.Bar) decimal.Decimal {
	if p.m.SlippageRangeFrac.Sign() > 0 {
		return b.High.Decimal().Sub(b.Low.Decimal()).Mul(p.m.SlippageRangeFrac)
	}
	if p.m.SlippageBps.Sign() > 0 {
		return bpsOf(ref, p.m.SlippageBps)
	}
	return decimal.Zero
}

func (p *refBook) fill(h *refHolding, q, price, feeBps decimal.Decimal) decimal.Decimal {
	fee := bpsOf(q.Abs().Mul(price), feeBps)
	p.cash = p.cash.Sub(q.Mul(price)).Sub(fee)
	h.qty = h.qty.Add(q)
	p.counts.Fills++
	return fee
}

func (p *refBook) close(h *refHolding, t time.Time, ref, slipUnit, feeBps decimal.Decimal, reason, sig string) {
	q := h.qty.Neg()
	price := ref.Sub(slipUnit)
	if q.Sign() > 0 {
		price = ref.Add(slipUnit)
	}
	qty := h.qty.Abs()
	slip := qty.Mul(slipUnit)
	fee := p.fill(h, q, price, feeBps)
	side, gross := "long", price.Sub(h.entryPrice).Mul(qty)
	if q.Sign() > 0 {
		side, gross = "short", h.entryPrice.Sub(price).Mul(qty)
	}
	fees := h.entryFee.Add(fee)
	pnl := gross.Sub(fees)
	ret := decimal.Zero
	if en := h.entryPrice.Mul(qty); en.Sign() > 0 {
		ret = pnl.DivRound(en, 8)
	}
	p.trades = append(p.trades, Trade{
		Symbol: h.symbol, Side: side, Quantity: qty,
		EntryTime: h.entryTime, EntryPrice: h.entryPrice, ExitTime: t, ExitPrice: price,
		Fees: fees, Slippage: h.entrySlp.Add(slip), PnL: pnl, Return: ret,
		ExitReason: reason, EntrySignal: h.entrySig, ExitSignal: sig, Bars: h.bars,
	})
	h.qty, h.sl, h.tp, h.bars = decimal.Zero, decimal.Zero, decimal.Zero, 0
}

func (p *refBook) open(h *refHolding, dir int, b *events.Bar, sig string) {
	one := decimal.NewFromInt(1)
	ref := b.Open.Decimal()
	eq := p.equity()
	if eq.Sign() <= 0 || ref.Sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	budget := eq.Mul(p.m.fraction)
	if p.m.Sizing.Notional.Sign() > 0 {
		budget = p.m.Sizing.Notional
	}
	if dir > 0 && budget.GreaterThan(p.cash) {
		budget = p.cash
	}
	slipUnit := p.slippage(ref, b)
	price := ref.Add(slipUnit)
	if dir < 0 {
		price = ref.Sub(slipUnit)
	}
	if budget.Sign() <= 0 || price.Sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	qty, _ := budget.QuoRem(price.Add(bpsOf(price, p.m.taker)), qtyPlaces)
	lot := p.m.lot(h.symbol)
	if lot.Size.Sign() > 0 {
		n, _ := qty.QuoRem(lot.Size, 0)
		qty = n.Mul(lot.Size)
	}
	if qty.Sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	if lot.MinNotional.Sign() > 0 && qty.Mul(price).LessThan(lot.MinNotional) {
		p.counts.SkippedMinNotional++
		return
	}
	if dir < 0 {
		qty = qty.Neg()
	}
	slip := qty.Abs().Mul(slipUnit)
	fee := p.fill(h, qty, price, p.m.taker)
	h.entryPrice, h.entryTime, h.entryFee, h.entrySlp, h.entrySig, h.bars = price, b.OpenTime, fee, slip, sig, 0
	h.sl, h.tp = decimal.Zero, decimal.Zero
	d := decimal.NewFromInt(int64(dir))
	if p.m.StopLoss.Sign() > 0 {
		h.sl = price.Mul(one.Sub(d.Mul(p.m.StopLoss)))
	}
	if p.m.TakeProfit.Sign() > 0 {
		h.tp = price.Mul(one.Add(d.Mul(p.m.TakeProfit)))
	}
}

func (p *refBook) execute(h *refHolding, b *events.Bar) {
	o := &h.pending
	if !o.active || b.OpenTime.Before(o.after) {
		return
	}
	o.active = false
	cur := h.qty.Sign()
	if o.target == cur {
		return
	}
	if cur != 0 {
		ref := b.Open.Decimal()
		reason := ExitSignal
		if o.target != 0 {
			reason = ExitReverse
		}
		p.close(h, b.OpenTime, ref, p.slippage(ref, b), p.m.taker, reason, o.signal)
	}
	if o.target != 0 {
		p.open(h, o.target, b, o.signal)
	}
}

func (p *refBook) stops(h *refHolding, b *events.Bar) {
	dir := h.qty.Sign()
	if dir == 0 || (h.sl.IsZero() && h.tp.IsZero()) {
		return
	}
	open, high, low := b.Open.Decimal(), b.High.Decimal(), b.Low.Decimal()
	if !h.sl.IsZero() {
		if dir > 0 && low.LessThanOrEqual(h.sl) {
			ref := decimal.Min(open, h.sl)
			p.counts.StopLosses++
			p.close(h, b.OpenTime, ref, p.slippage(ref, b), p.m.taker, ExitStopLoss, "")
			return
		}
		if dir < 0 && high.GreaterThanOrEqual(h.sl) {
			ref := decimal.Max(open, h.sl)
			p.counts.StopLosses++
			p.close(h, b.OpenTime, ref, p.slippage(ref, b), p.m.taker, ExitStopLoss, "")
			return
		}
	}
	if !h.tp.IsZero() {
		if dir > 0 && high.GreaterThanOrEqual(h.tp) {
			p.counts.TakeProfits++
			p.close(h, b.OpenTime, decimal.Max(open, h.tp), decimal.Zero, p.m.maker, ExitTakeProfit, "")
			return
		}
		if dir < 0 && low.LessThanOrEqual(h.tp) {
			p.counts.TakeProfits++
			p.close(h, b.OpenTime, decimal.Min(open, h.tp), decimal.Zero, p.m.maker, ExitTakeProfit, "")
		}
	}
}

// randCostModel is a random portfolio configuration: every sizing,
// slippage, fee, lot and stop option, on or off.
func randCostModel(r *rand.Rand) costModel {
	pick := func(opts ...string) decimal.Decimal {
		return decimal.RequireFromString(opts[r.IntN(len(opts))])
	}
	pc := PortfolioConfig{
		InitialCash: pick("10000", "1000.5", "123456789.123456789", "0.07"),
		AllowShort:  r.IntN(4) > 0,
		Sizing:      Sizing{Fraction: pick("0", "1", "0.2", "0.333", "0.05")},
		SlippageBps: pick("0", "2", "0.5", "17.25"),
		StopLoss:    pick("0", "0", "0.02", "0.005", "0.1"),
		TakeProfit:  pick("0", "0", "0.03", "0.0125", "0.5"),
	}
	if r.IntN(4) == 0 {
		pc.Sizing.Notional = pick("100", "2500.75", "0.001")
	}
	if r.IntN(3) == 0 {
		pc.SlippageRangeFrac = pick("0.1", "0.25", "1")
	}
	if r.IntN(3) > 0 {
		pc.FeeBps = decimal.NewNullDecimal(pick("0", "10", "7.5", "0.1", "100"))
	}
	if r.IntN(3) == 0 {
		pc.MakerFeeBps = decimal.NewNullDecimal(pick("0", "2", "1.25"))
	}
	if r.IntN(3) == 0 {
		pc.Lot = Lot{Size: pick("0.001", "1", "0.25", "10"), MinNotional: pick("0", "5", "50")}
	}
	if r.IntN(4) == 0 {
		pc.Lots = map[string]Lot{"B": {Size: pick("0.1", "0.00001"), MinNotional: pick("0", "10")}}
	}
	return pc.resolve()
}

// randWalk is a random bar of symbol sym following prev's close, with
// prices of random scale (up to 8 places) so that exponents vary.
func randWalk(r *rand.Rand, sym string, t time.Time, prev events.Fixed) events.Bar {
	scale := r.IntN(9)
	f := func(x float64) events.Fixed {
		if x < 1e-8 {
			x = 1e-8
		}
		v, err := events.ParseFixed(decimal.NewFromFloat(x).StringFixed(int32(scale)))
		if err != nil || v.Sign() <= 0 {
			v = events.MustFixed("0.00000001")
		}
		return v
	}
	c := prev.Float64()
	open := c * (1 + (r.Float64()-0.5)*0.04)
	cl := open * (1 + (r.Float64()-0.5)*0.06)
	hi := max(open, cl) * (1 + r.Float64()*0.03)
	lo := min(open, cl) * (1 - r.Float64()*0.03)
	b := events.Bar{Symbol: sym, Interval: events.Hour, OpenTime: t, CloseTime: t.Add(time.Hour),
		Open: f(open), High: f(hi), Low: f(lo), Close: f(cl), Volume: events.MustFixed("1")}
	if b.High.Cmp(b.Open) < 0 || b.High.Cmp(b.Close) < 0 {
		b.High = maxFixed(b.Open, b.Close)
	}
	if b.Low.Cmp(b.Open) > 0 || b.Low.Cmp(b.Close) > 0 {
		b.Low = minFixed(b.Open, b.Close)
	}
	return b
}

func maxFixed(a, b events.Fixed) events.Fixed {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func minFixed(a, b events.Fixed) events.Fixed {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// TestPortfolioMatchesDecimal drives the portfolio and refBook with the
// same random bars and signals under random cost models, and requires the
// same trades (every decimal with the same coefficient and exponent), the
// same counts, cash and quantities.
func TestPortfolioMatchesDecimal(t *testing.T) {
	iters := 400
	if testing.Short() {
		iters = 100
	}
	var total Counts
	trades := 0
	for seed := range iters {
		c, n := portfolioDiff(t, uint64(seed), 150)
		total.Fills += c.Fills
		total.StopLosses += c.StopLosses
		total.TakeProfits += c.TakeProfits
		total.SkippedMinNotional += c.SkippedMinNotional
		total.SkippedZeroQty += c.SkippedZeroQty
		trades += n
	}
	// The random books must exercise every path, or the test proves little.
	if trades < iters || total.StopLosses == 0 || total.TakeProfits == 0 || total.SkippedMinNotional == 0 {
		t.Fatalf("weak coverage: %d trades, %+v", trades, total)
	}
	t.Logf("%d trades, %+v", trades, total)
}

// FuzzPortfolioMatchesDecimal is TestPortfolioMatchesDecimal from a fuzzed
// seed.
func FuzzPortfolioMatchesDecimal(f *testing.F) {
	f.Add(uint64(1), uint8(40))
	f.Add(uint64(77), uint8(200))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		portfolioDiff(t, seed, int(n))
	})
}

// portfolioDiff runs one random book of nbars bars per symbol through
// both implementations and returns the counts and the number of trades.
func portfolioDiff(t *testing.T, seed uint64, nbars int) (Counts, int) {
	r := rand.New(rand.NewPCG(seed, 99))
	m := randCostModel(r)
	p, ref := newPortfolio(m), newRefBook(m)
	syms := []string{"A", "B"}[:1+r.IntN(2)]
	last := map[string]events.Fixed{"A": events.MustFixed("60000.5"), "B": events.MustFixed("0.3071")}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range nbars {
		bt := t0.Add(time.Duration(i) * time.Hour)
		for _, sym := range syms {
			b := randWalk(r, sym, bt, last[sym])
			last[sym] = b.Close
			h, rh := p.holding(sym), ref.holding(sym)
			p.execute(h, &b)
			ref.execute(rh, &b)
			p.stops(h, &b)
			ref.stops(rh, &b)
			h.mark, rh.mark = b.Close, b.Close
			if r.IntN(4) == 0 {
				kinds := []events.SignalKind{events.KindLong, events.KindShort, events.KindExit, events.KindFlat}
				s := events.Signal{Status: events.StatusConfirmed, Kind: kinds[r.IntN(len(kinds))],
					Time: b.CloseTime, ID: "s" + string(rune('a'+i%26))}
				p.signal(h, &s)
				ref.signal(rh, &s)
			}
			wantQty := rh.qty
			gotQty := decimal.Zero
			if h.qtyC != nil {
				gotQty = decimal.NewFromBigInt(h.qtyC, h.qtyExp)
			}
			if !gotQty.Equal(wantQty) {
				t.Fatalf("seed %d bar %d %s: qty %s, want %s", seed, i, sym, gotQty, wantQty)
			}
		}
		sameDec(t, "cash", p.cashDec(), ref.cash)
	}
	if p.counts != ref.counts {
		t.Fatalf("seed %d: counts %+v, want %+v", seed, p.counts, ref.counts)
	}
	got := p.trades.all()
	if len(got) != len(ref.trades) {
		t.Fatalf("seed %d: %d trades, want %d", seed, len(got), len(ref.trades))
	}
	for i := range got {
		g, w := &got[i], &ref.trades[i]
		for _, f := range []struct {
			name      string
			got, want decimal.Decimal
		}{{"quantity", g.Quantity, w.Quantity}, {"entry", g.EntryPrice, w.EntryPrice}, {"exit", g.ExitPrice, w.ExitPrice},
			{"fees", g.Fees, w.Fees}, {"slippage", g.Slippage, w.Slippage}, {"pnl", g.PnL, w.PnL}, {"return", g.Return, w.Return}} {
			sameDec(t, f.name, f.got, f.want)
		}
		if g.Symbol != w.Symbol || g.Side != w.Side || g.ExitReason != w.ExitReason || g.EntrySignal != w.EntrySignal ||
			g.ExitSignal != w.ExitSignal || g.Bars != w.Bars || !g.EntryTime.Equal(w.EntryTime) || !g.ExitTime.Equal(w.ExitTime) {
			t.Fatalf("seed %d trade %d: %+v, want %+v", seed, i, g, w)
		}
	}
	return p.counts, len(got)
}

func (p *refBook) signal(h *refHolding, s *events.Signal) {
	t := 0
	switch s.Kind {
	case events.KindLong:
		t = 1
	case events.KindShort:
		if p.m.AllowShort {
			t = -1
		}
	}
	h.pending = order{target: t, after: s.Time, signal: s.ID, active: true}
}

// TestCalcMatchesDecimal checks every calc operation against the decimal
// method it stands for, on random operands: coefficient and exponent.
func TestCalcMatchesDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var k calc
	var x, y, z xdec
	for range 20000 {
		a, b := randDec(r, true), randDec(r, true)
		x.setDec(a)
		y.setDec(b)
		k.add(&z, &x, &y)
		sameDec(t, "add", z.dec(), a.Add(b))
		k.sub(&z, &x, &y)
		sameDec(t, "sub", z.dec(), a.Sub(b))
		k.mul(&z, &x, &y)
		sameDec(t, "mul", z.dec(), a.Mul(b))
		k.mulInt(&z, &x, -3)
		sameDec(t, "mulInt", z.dec(), a.Mul(decimal.NewFromInt(-3)))
		if got, want := k.cmp(&x, &y), a.Cmp(b); got != want {
			t.Fatalf("cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		// aliasing: z = x + x, x = x × y
		z.set(&x)
		k.add(&z, &z, &z)
		sameDec(t, "add aliased", z.dec(), a.Add(a))
		z.set(&x)
		k.mul(&z, &z, &y)
		sameDec(t, "mul aliased", z.dec(), a.Mul(b))
		if b.IsZero() {
			continue
		}
		for _, prec := range []int32{0, 8, 16, -2} {
			k.quoRem(&z, &x, &y, prec)
			q, _ := a.QuoRem(b, prec)
			sameDec(t, "quoRem", z.dec(), q)
			k.divRound(&z, &x, &y, prec)
			sameDec(t, "divRound", z.dec(), a.DivRound(b, prec))
		}
	}
}
