package backtest

import (
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// Exit reasons of a [Trade].
const (
	ExitSignal     = "signal"      // an exit, flat or (shorts disabled) short signal
	ExitReverse    = "reverse"     // a signal in the other direction
	ExitStopLoss   = "stop_loss"   // the stop-loss level was touched
	ExitTakeProfit = "take_profit" // the take-profit level was touched
)

// Trade is one closed round trip. Prices are fill prices (slippage
// included); PnL is net of both fees.
type Trade struct {
	Symbol     string          `json:"symbol"`
	Side       string          `json:"side"` // "long" or "short"
	Quantity   decimal.Decimal `json:"quantity"`
	EntryTime  time.Time       `json:"entry_time"` // open time of the fill bar
	EntryPrice decimal.Decimal `json:"entry_price"`
	ExitTime   time.Time       `json:"exit_time"` // open time of the exit fill bar, or of the bar that touched a stop
	ExitPrice  decimal.Decimal `json:"exit_price"`
	Fees       decimal.Decimal `json:"fees"`     // entry and exit fees
	Slippage   decimal.Decimal `json:"slippage"` // quantity × |fill − reference price|, both legs
	PnL        decimal.Decimal `json:"pnl"`      // (exit − entry) × quantity (reversed for shorts) − fees
	// Return is PnL over the entry notional (quantity × entry price),
	// rounded to 8 places.
	Return      decimal.Decimal `json:"return"`
	ExitReason  string          `json:"exit_reason"`
	EntrySignal string          `json:"entry_signal"` // ID of the signal that opened it
	ExitSignal  string          `json:"exit_signal"`  // ID of the closing signal ("" for stops)
	Bars        int             `json:"bars"`         // bars of the symbol the position was held at a close
}

// EquityPoint is the portfolio marked at one bar close time.
type EquityPoint struct {
	Time          time.Time       `json:"time"`
	Equity        decimal.Decimal `json:"equity"`         // Cash + PositionValue
	Cash          decimal.Decimal `json:"cash"`           //
	PositionValue decimal.Decimal `json:"position_value"` // Σ signed quantity × last close
	Benchmark     decimal.Decimal `json:"benchmark"`      // buy-and-hold equity
	Exposed       bool            `json:"exposed"`        // any position open
}

// Costs is what trading cost, in quote units.
type Costs struct {
	Fees     decimal.Decimal `json:"fees"`
	Slippage decimal.Decimal `json:"slippage"`
}

// Counts says what happened to the bars, signals and orders.
type Counts struct {
	Bars               int `json:"bars"`              // bars applied to the engine
	RejectedBars       int `json:"rejected_bars"`     // bars the engine refused (invalid, out of order)
	UndecodedRecords   int `json:"undecoded_records"` // records the source could not decode
	Signals            int `json:"signals"`
	Fills              int `json:"fills"`                 // market, stop and limit fills
	SkippedMinNotional int `json:"skipped_min_notional"`  // entries below the minimum notional
	SkippedZeroQty     int `json:"skipped_zero_quantity"` // entries rounded to zero (lot size, no cash)
	StopLosses         int `json:"stop_losses"`
	TakeProfits        int `json:"take_profits"`
	Unfilled           int `json:"unfilled"`    // orders pending when the data ended
	OpenAtEnd          int `json:"open_at_end"` // positions still open (marked, not closed)
}

// order is a pending order: the target direction a signal asked for.
type order struct {
	target int // +1, -1, 0
	after  time.Time
	signal string
	active bool
}

// holding is one symbol's book.
type holding struct {
	symbol     string
	qty        decimal.Decimal // signed
	entryPrice decimal.Decimal
	entryTime  time.Time
	entryFee   decimal.Decimal
	entrySlip  decimal.Decimal
	entrySig   string
	sl, tp     decimal.Decimal // levels; zero when off
	bars       int
	mark       events.Fixed // last close
	qtyC       *big.Int     // qty's coefficient, for the marker (valid while qty ≠ 0)
	qtyExp     int32
	unitsC     *big.Int // units' coefficient, for the marker
	unitsExp   int32
	marked     bool
	pending    order

	// per-symbol statistics
	barsSeen, barsExposed int
	firstOpen, lastClose  events.Fixed
	units                 decimal.Decimal // benchmark units bought at firstOpen
	fees, slip, notional  decimal.Decimal // set by portfolio.settle
	feeSum, slipSum       sum
	notionalSum           sum
	prices                []PriceBar
}

func (h *holding) dir() int { return h.qty.Sign() }

// portfolio is the book of all symbols. Not safe for concurrent use.
type portfolio struct {
	m        costModel
	cash     decimal.Decimal
	hold     []*holding // in first-seen order
	bySym    map[string]*holding
	trades   chunks[Trade]
	costs    Costs // Fees and Slippage set by settle
	counts   Counts
	notional decimal.Decimal // Σ fill notionals, for turnover; set by settle

	fees, slip, notionalSum sum // running sums behind costs and notional
	fs                      fillScratch
	takerC                  *big.Int // p.m.taker's coefficient, for feeCoef
	takerExp                int32

	// cash's coefficient and exponent, for the marker; set with cash.
	cashC   *big.Int
	cashExp int32
	// alloc is the benchmark's cash per symbol (coefficient, exponent).
	allocC   *big.Int
	allocExp int32
	mk       marker
}

var (
	one   = decimal.NewFromInt(1)
	bpsOf = func(x, bps decimal.Decimal) decimal.Decimal { return x.Mul(bps).Shift(-4) }
)

// qtyPlaces is the quantity precision of a symbol without a lot size.
const qtyPlaces = 8

func newPortfolio(m costModel) *portfolio {
	p := &portfolio{m: m, cash: m.InitialCash, bySym: make(map[string]*holding)}
	p.cashC, p.cashExp = coefOf(p.cash)
	return p
}

func (p *portfolio) holding(symbol string) *holding {
	h := p.bySym[symbol]
	if h == nil {
		h = &holding{symbol: symbol}
		p.bySym[symbol] = h
		p.hold = append(p.hold, h)
	}
	return h
}

// slippage is the per-unit price move against the trader on bar b at ref.
func (p *portfolio) slippage(ref decimal.Decimal, b *events.Bar) decimal.Decimal {
	if p.m.SlippageRangeFrac.Sign() > 0 {
		return b.High.Decimal().Sub(b.Low.Decimal()).Mul(p.m.SlippageRangeFrac)
	}
	if p.m.SlippageBps.Sign() > 0 {
		return bpsOf(ref, p.m.SlippageBps)
	}
	return decimal.Zero
}

// fill books a fill of signed quantity q (buy > 0) at price with the fee
// rate, and returns the fee.
//
// It computes, exactly as the decimal expressions
//
//	notional = |q| × price
//	fee      = bpsOf(notional, feeBps)
//	cash     = cash − q × price − fee
//
// would (same coefficients, same exponents: see [marker] for why the
// in-place big.Int operations are the decimal ones), and adds fee, slip and
// notional to running sums (see [sum]) instead of re-allocating six
// decimals per fill.
func (p *portfolio) fill(h *holding, q, price, feeBps, slip decimal.Decimal) decimal.Decimal {
	f := &p.fs
	qc, qe := coefOf(q)
	pc, pe := coefOf(price)
	fc, fe := p.feeCoef(feeBps)
	sc, se := coefOf(slip)
	f.abs.Abs(qc)
	f.notional.Mul(&f.abs, pc)
	ne := qe + pe
	f.fee.Mul(&f.notional, fc)
	feeExp := ne + fe - 4
	f.qp.Mul(qc, pc)
	f.neg.Neg(&f.qp)
	addScaled(p.cashC, &p.cashExp, &f.neg, ne, &f.tmp)
	f.neg.Neg(&f.fee)
	addScaled(p.cashC, &p.cashExp, &f.neg, feeExp, &f.tmp)
	p.cash = decimal.NewFromBigInt(p.cashC, p.cashExp)
	h.qty = h.qty.Add(q)
	h.qtyC, h.qtyExp = coefOf(h.qty)
	p.fees.add(&f.fee, feeExp, &f.tmp)
	p.slip.add(sc, se, &f.tmp)
	p.notionalSum.add(&f.notional, ne, &f.tmp)
	h.feeSum.add(&f.fee, feeExp, &f.tmp)
	h.slipSum.add(sc, se, &f.tmp)
	h.notionalSum.add(&f.notional, ne, &f.tmp)
	p.counts.Fills++
	return decimal.NewFromBigInt(&f.fee, feeExp)
}

// feeCoef is coefOf(feeBps), without a copy for the taker fee, which
// nearly every fill pays. The cached coefficient is only read.
func (p *portfolio) feeCoef(feeBps decimal.Decimal) (*big.Int, int32) {
	if p.takerC == nil {
		p.takerC, p.takerExp = coefOf(p.m.taker)
	}
	if feeBps.Exponent() == p.takerExp && feeBps.Equal(p.m.taker) {
		return p.takerC, p.takerExp
	}
	return coefOf(feeBps)
}

// fillScratch is fill's reusable big.Int space.
type fillScratch struct{ abs, notional, fee, qp, neg, tmp big.Int }

// sum is a running decimal sum kept as a big.Int coefficient and an
// exponent, added to in place with decimal.Decimal.Add's rules (see
// [addScaled]). Its zero value is decimal.Zero.
type sum struct {
	v    big.Int
	exp  int32
	used bool
}

func (s *sum) add(c *big.Int, e int32, tmp *big.Int) {
	addScaled(&s.v, &s.exp, c, e, tmp)
	s.used = true
}

// decimal returns d (the field the sum started from, decimal.Zero) plus
// everything added.
func (s *sum) decimal(d decimal.Decimal) decimal.Decimal {
	if !s.used {
		return d
	}
	return decimal.NewFromBigInt(&s.v, s.exp)
}

// settle writes the running sums into their decimal fields (costs,
// notional, per-symbol fees, slippage and notional). Call it once, after
// the last fill.
func (p *portfolio) settle() {
	p.costs.Fees = p.fees.decimal(p.costs.Fees)
	p.costs.Slippage = p.slip.decimal(p.costs.Slippage)
	p.notional = p.notionalSum.decimal(p.notional)
	for _, h := range p.hold {
		h.fees = h.feeSum.decimal(h.fees)
		h.slip = h.slipSum.decimal(h.slip)
		h.notional = h.notionalSum.decimal(h.notional)
	}
}

// close closes h's position at reference price ref (before slippage) with
// the given per-unit slippage and fee rate.
func (p *portfolio) close(h *holding, t time.Time, ref, slipUnit, feeBps decimal.Decimal, reason, sig string) {
	q := h.qty.Neg() // buy back a short (+), sell a long (−)
	price := ref.Sub(slipUnit)
	if q.Sign() > 0 {
		price = ref.Add(slipUnit)
	}
	qty := h.qty.Abs()
	slip := qty.Mul(slipUnit)
	fee := p.fill(h, q, price, feeBps, slip)
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
	p.trades.add(&Trade{
		Symbol: h.symbol, Side: side, Quantity: qty,
		EntryTime: h.entryTime, EntryPrice: h.entryPrice, ExitTime: t, ExitPrice: price,
		Fees: fees, Slippage: h.entrySlip.Add(slip), PnL: pnl, Return: ret,
		ExitReason: reason, EntrySignal: h.entrySig, ExitSignal: sig, Bars: h.bars,
	})
	h.qty, h.sl, h.tp, h.bars = decimal.Zero, decimal.Zero, decimal.Zero, 0
}

// open opens a position in direction dir at bar b's open.
func (p *portfolio) open(h *holding, dir int, b *events.Bar, sig string) {
	ref := b.Open.Decimal()
	eq := p.mk.equityOnly(p)
	if eq.Sign() <= 0 || ref.Sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	budget := eq.Mul(p.m.fraction)
	if p.m.Sizing.Notional.Sign() > 0 {
		budget = p.m.Sizing.Notional
	}
	if dir > 0 && budget.GreaterThan(p.cash) {
		budget = p.cash // no leverage
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
	// Quantity = budget / (price × (1 + fee)), truncated so that the cost
	// with its fee never exceeds the budget, then down to the lot.
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
	fee := p.fill(h, qty, price, p.m.taker, slip)
	h.entryPrice, h.entryTime, h.entryFee, h.entrySlip, h.entrySig, h.bars = price, b.OpenTime, fee, slip, sig, 0
	h.sl, h.tp = decimal.Zero, decimal.Zero
	d := decimal.NewFromInt(int64(dir))
	if p.m.StopLoss.Sign() > 0 {
		h.sl = price.Mul(one.Sub(d.Mul(p.m.StopLoss)))
	}
	if p.m.TakeProfit.Sign() > 0 {
		h.tp = price.Mul(one.Add(d.Mul(p.m.TakeProfit)))
	}
}

// execute fills h's pending order at bar b's open, if the bar opened at or
// after the signal.
func (p *portfolio) execute(h *holding, b *events.Bar) {
	o := &h.pending
	if !o.active || b.OpenTime.Before(o.after) {
		return
	}
	o.active = false
	cur := h.dir()
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

// stops checks h's stop-loss and take-profit against bar b; the stop-loss
// wins when the bar touches both (see the package documentation).
func (p *portfolio) stops(h *holding, b *events.Bar) {
	dir := h.dir()
	if dir == 0 || (h.sl.IsZero() && h.tp.IsZero()) {
		return
	}
	open, high, low := b.Open.Decimal(), b.High.Decimal(), b.Low.Decimal()
	if !h.sl.IsZero() {
		if dir > 0 && low.LessThanOrEqual(h.sl) {
			ref := decimal.Min(open, h.sl) // a gap below the stop fills at the open
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

// signal records s as h's pending order (the latest signal wins).
func (p *portfolio) signal(h *holding, s *events.Signal) {
	if s.Status != events.StatusConfirmed {
		return
	}
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
