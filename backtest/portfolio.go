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
//
// Its quantity is qtyC × 10^qtyExp (qtyC points at qtyBuf once the
// portfolio has filled it); qty, the same as a decimal, is kept up to date
// only by the decimal form of fill, which tests use. The entry and the
// stop levels are xdecs (see [calc]), so that a round trip allocates only
// the decimals of its [Trade].
type holding struct {
	symbol     string
	qty        decimal.Decimal // see above
	entryPrice xdec
	entryTime  time.Time
	entryFee   xdec
	entrySlip  xdec
	entrySig   string
	sl, tp     xdec // levels; zero when off
	bars       int
	mark       events.Fixed // last close
	qtyC       *big.Int     // the quantity's coefficient (nil: zero)
	qtyExp     int32
	qtyBuf     big.Int
	unitsC     *big.Int // units' coefficient, for the marker
	unitsExp   int32
	marked     bool
	pending    order
	lotSize    xdec // the symbol's lot rule (zero: none)
	minNot     xdec

	// per-symbol statistics
	barsSeen, barsExposed int
	firstOpen, lastClose  events.Fixed
	units                 decimal.Decimal // benchmark units bought at firstOpen
	fees, slip, notional  decimal.Decimal // set by portfolio.settle
	feeSum, slipSum       sum
	notionalSum           sum
	tstats                tradeAcc
	prices                []PriceBar
	uc                    unitsCache
}

// dir is the sign of the position: +1 long, −1 short, 0 flat.
func (h *holding) dir() int {
	if h.qtyC == nil {
		return 0
	}
	return h.qtyC.Sign()
}

// portfolio is the book of all symbols. Not safe for concurrent use.
type portfolio struct {
	m        costModel
	cash     decimal.Decimal // cashC × 10^cashExp when !cashStale; read it with cashDec
	hold     []*holding      // in first-seen order
	bySym    map[string]*holding
	trades   chunks[Trade]
	costs    Costs // Fees and Slippage set by settle
	counts   Counts
	notional decimal.Decimal // Σ fill notionals, for turnover; set by settle

	fees, slip, notionalSum sum // running sums behind costs and notional
	fs                      fillScratch

	// cash's coefficient and exponent, updated in place by fills.
	cashC     *big.Int
	cashExp   int32
	cashStale bool // cash lags cashC
	// alloc is the benchmark's cash per symbol (coefficient, exponent).
	allocC   *big.Int
	allocExp int32
	mk       marker

	// The cost model as xdecs, and the trade path's scratch values.
	k                                   calc
	taker, maker, fraction, notionalCfg xdec
	slipBps, slipFrac, stopLoss, takeP  xdec
	w                                   tradeScratch
	// tstats are the trade statistics; keepTrades says whether trades
	// also records every Trade (a lean sweep run needs only the stats).
	tstats     tradeAcc
	keepTrades bool

	// initC × 10^initExp is the initial cash (for reset); spare are the
	// holdings of the run before a reset, reused by symbol.
	initC   *big.Int
	initExp int32
	spare   []*holding
	// stat is the metrics' scratch space.
	stat statScratch
}

// tradeScratch holds open's, close's and stops' intermediate values.
type tradeScratch struct {
	ref, open, high, low, slipUnit, price, budget, den, qty, n, t xdec
	q, qtyAbs, slip, fee, gross, fees, pnl, en, ret, slipTot      xdec
	zero                                                          xdec // always 0
}

// bpsOf is bps basis points of x: the decimal expression the portfolio's
// fee and slippage arithmetic reproduces.
func bpsOf(x, bps decimal.Decimal) decimal.Decimal { return x.Mul(bps).Shift(-4) }

// qtyPlaces is the quantity precision of a symbol without a lot size.
const qtyPlaces = 8

func newPortfolio(m costModel) *portfolio {
	p := &portfolio{m: m, cash: m.InitialCash, bySym: make(map[string]*holding), keepTrades: true}
	p.cashC, p.cashExp = coefOf(p.cash)
	p.initC, p.initExp = coefOf(p.cash)
	p.taker.setDec(m.taker)
	p.maker.setDec(m.maker)
	p.fraction.setDec(m.fraction)
	p.notionalCfg.setDec(m.Sizing.Notional)
	p.slipBps.setDec(m.SlippageBps)
	p.slipFrac.setDec(m.SlippageRangeFrac)
	p.stopLoss.setDec(m.StopLoss)
	p.takeP.setDec(m.TakeProfit)
	return p
}

func (p *portfolio) holding(symbol string) *holding {
	h := p.bySym[symbol]
	if h == nil {
		if h = p.spareHolding(symbol); h == nil {
			h = &holding{symbol: symbol}
			l := p.m.lot(symbol)
			h.lotSize.setDec(l.Size)
			h.minNot.setDec(l.MinNotional)
		}
		p.bySym[symbol] = h
		p.hold = append(p.hold, h)
	}
	return h
}

// reset makes p what newPortfolio(p.m) returned (keepTrades aside, which
// it keeps), reusing its memory: the big.Int values keep the words they
// grew to, and the holdings are reused by symbol. A sweep worker runs one
// portfolio through all its points this way. The old contents are moved
// out whole and the parts worth keeping moved back, so that every field
// not named here starts from its zero value, as in newPortfolio.
func (p *portfolio) reset() {
	old := *p // moved from: nothing reads it after this function
	*p = portfolio{m: old.m, cash: old.m.InitialCash, bySym: old.bySym, keepTrades: old.keepTrades,
		initC: old.initC, initExp: old.initExp}
	clear(p.bySym)
	// The cost model, unchanged.
	p.taker, p.maker, p.fraction, p.notionalCfg = old.taker, old.maker, old.fraction, old.notionalCfg
	p.slipBps, p.slipFrac, p.stopLoss, p.takeP = old.slipBps, old.slipFrac, old.stopLoss, old.takeP
	p.cashC = old.cashC
	p.cashC.Set(p.initC)
	p.cashExp = p.initExp
	// Scratch space: every value in it is written before it is read.
	p.fs, p.k, p.w = old.fs, old.k, old.w
	p.mk = old.mk
	p.mk.reset()
	p.fees, p.slip, p.notionalSum = old.fees, old.slip, old.notionalSum
	p.fees.reset()
	p.slip.reset()
	p.notionalSum.reset()
	p.tstats = old.tstats
	p.tstats.reset()
	p.stat = old.stat
	p.spare = append(old.spare[:0], old.hold...)
	clear(old.hold)
	p.hold = old.hold[:0]
}

// spareHolding returns the holding of symbol from the run before reset,
// reset to a new holding's state (its lot rule is the symbol's: same cost
// model), or nil.
func (p *portfolio) spareHolding(symbol string) *holding {
	for i, h := range p.spare {
		if h != nil && h.symbol == symbol {
			p.spare[i] = nil
			h.reset()
			return h
		}
	}
	return nil
}

// reset makes h a new holding of its symbol (with its lot rule), keeping
// the memory of its big.Int values, as portfolio.reset does.
func (h *holding) reset() {
	old := *h // moved from
	*h = holding{symbol: old.symbol, lotSize: old.lotSize, minNot: old.minNot}
	h.qtyBuf = old.qtyBuf
	h.entryPrice, h.entryFee, h.entrySlip, h.sl, h.tp = old.entryPrice, old.entryFee, old.entrySlip, old.sl, old.tp
	for _, x := range []*xdec{&h.entryPrice, &h.entryFee, &h.entrySlip, &h.sl, &h.tp} {
		x.setZero()
	}
	h.feeSum, h.slipSum, h.notionalSum = old.feeSum, old.slipSum, old.notionalSum
	h.feeSum.reset()
	h.slipSum.reset()
	h.notionalSum.reset()
	h.tstats = old.tstats
	h.tstats.reset()
	h.uc = old.uc
}

// unitsCache is the benchmark units a holding computed last, and from
// what: a reset holding whose symbol starts at the same open with the
// same allocation (every run of a sweep) buys the same units.
type unitsCache struct {
	ok    bool
	open  events.Fixed
	alloc *big.Int // the allocation's coefficient (p.allocC: the same pointer for the same allocation)
	units decimal.Decimal
	c     *big.Int
	exp   int32
}

// setUnits sets the benchmark units bought with alloc (coefficient
// allocC) at open (positive): alloc.DivRound(open, 16).
func (h *holding) setUnits(alloc decimal.Decimal, allocC *big.Int, open events.Fixed) {
	u := &h.uc
	if !u.ok || u.open != open || u.alloc != allocC {
		units := alloc.DivRound(open.Decimal(), 16)
		c, e := coefOf(units)
		*u = unitsCache{ok: true, open: open, alloc: allocC, units: units, c: c, exp: e}
	}
	// The marker only reads unitsC: sharing it between runs is safe.
	h.units, h.unitsC, h.unitsExp = u.units, u.c, u.exp
}

// cashDec returns the cash as a decimal, built only when a fill changed it.
func (p *portfolio) cashDec() decimal.Decimal {
	if p.cashStale {
		p.cash, p.cashStale = decimal.NewFromBigInt(p.cashC, p.cashExp), false
	}
	return p.cash
}

// slippage sets z to the per-unit price move against the trader on bar b
// at ref: (high − low) × SlippageRangeFrac, or bpsOf(ref, SlippageBps), or
// decimal.Zero.
func (p *portfolio) slippage(z, ref *xdec, b *events.Bar) {
	k, w := &p.k, &p.w
	switch {
	case p.slipFrac.sign() > 0:
		w.high.setFixed(b.High)
		w.low.setFixed(b.Low)
		k.sub(&w.t, &w.high, &w.low)
		k.mul(z, &w.t, &p.slipFrac)
	case p.slipBps.sign() > 0:
		k.mul(z, ref, &p.slipBps)
		z.e -= 4 // Shift(-4)
	default:
		z.setZero()
	}
}

// fill books a fill of signed quantity q (buy > 0) at price with the fee
// rate, and sets fee to the fee. It is the decimal form of fillNum, for
// tests: it also brings p.cash and h.qty up to date.
func (p *portfolio) fill(h *holding, q, price, feeBps, slip decimal.Decimal) decimal.Decimal {
	var nq, np, nb, ns, fee xdec
	nq.setDec(q)
	np.setDec(price)
	nb.setDec(feeBps)
	ns.setDec(slip)
	p.fillNum(h, &nq, &np, &nb, &ns, &fee)
	h.qty = decimal.NewFromBigInt(h.qtyC, h.qtyExp)
	p.cashDec()
	return fee.dec()
}

// fillNum books a fill of signed quantity q (buy > 0) at price with the
// fee rate, and sets fee (not aliasing the others) to the fee.
//
// It computes, exactly as the decimal expressions
//
//	notional = |q| × price
//	fee      = bpsOf(notional, feeBps)
//	cash     = cash − q × price − fee
//	qty      = qty + q
//
// would (same coefficients, same exponents: see [marker] for why the
// in-place big.Int operations are the decimal ones), and adds fee, slip and
// notional to running sums (see [sum]) instead of re-allocating six
// decimals per fill.
func (p *portfolio) fillNum(h *holding, q, price, feeBps, slip, fee *xdec) {
	f := &p.fs
	qc, qe := &q.c, q.e
	pc, pe := &price.c, price.e
	f.abs.Abs(qc)
	f.notional.Mul(&f.abs, pc)
	ne := qe + pe
	f.fee.Mul(&f.notional, &feeBps.c)
	feeExp := ne + feeBps.e - 4
	f.qp.Mul(qc, pc)
	f.neg.Neg(&f.qp)
	addScaled(p.cashC, &p.cashExp, &f.neg, ne, &f.tmp)
	f.neg.Neg(&f.fee)
	addScaled(p.cashC, &p.cashExp, &f.neg, feeExp, &f.tmp)
	p.cashStale, p.mk.cashOK = true, false
	if h.qtyC == nil {
		h.qtyC = &h.qtyBuf
		h.qtyC.SetInt64(0)
		h.qtyExp = 0
	}
	addScaled(h.qtyC, &h.qtyExp, qc, qe, &f.tmp)
	p.fees.add(&f.fee, feeExp, &f.tmp)
	p.slip.add(&slip.c, slip.e, &f.tmp)
	p.notionalSum.add(&f.notional, ne, &f.tmp)
	h.feeSum.add(&f.fee, feeExp, &f.tmp)
	h.slipSum.add(&slip.c, slip.e, &f.tmp)
	h.notionalSum.add(&f.notional, ne, &f.tmp)
	p.counts.Fills++
	fee.c.Set(&f.fee)
	fee.e = feeExp
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

// reset sets s to its zero value, keeping v's memory.
func (s *sum) reset() {
	s.v.SetInt64(0)
	s.exp, s.used = 0, false
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
// notional, and when perSymbol is set the per-symbol fees, slippage and
// notional). Call it once, after the last fill.
func (p *portfolio) settle(perSymbol bool) {
	p.costs.Fees = p.fees.decimal(p.costs.Fees)
	p.costs.Slippage = p.slip.decimal(p.costs.Slippage)
	p.notional = p.notionalSum.decimal(p.notional)
	if !perSymbol {
		return
	}
	for _, h := range p.hold {
		h.fees = h.feeSum.decimal(h.fees)
		h.slip = h.slipSum.decimal(h.slip)
		h.notional = h.notionalSum.decimal(h.notional)
	}
}

// close closes h's position at reference price ref (before slippage) with
// the given per-unit slippage and fee rate. In decimal terms:
//
//	q     = −qty                      (buy back a short, sell a long)
//	price = ref + slipUnit if q > 0, else ref − slipUnit
//	slip  = |qty| × slipUnit
//	gross = (price − entry) × |qty|   (long; (entry − price) × |qty| short)
//	fees  = entryFee + fee
//	pnl   = gross − fees
//	ret   = pnl.DivRound(entry × |qty|, 8) when that is positive, else 0
//
// ref and slipUnit may be h's levels or p.w's inputs, but not its
// intermediate values.
func (p *portfolio) close(h *holding, t time.Time, ref, slipUnit, feeBps *xdec, reason, sig string) {
	k, w := &p.k, &p.w
	w.q.c.Neg(h.qtyC)
	w.q.e = h.qtyExp
	buy := w.q.sign() > 0
	if buy {
		k.add(&w.price, ref, slipUnit)
	} else {
		k.sub(&w.price, ref, slipUnit)
	}
	w.qtyAbs.c.Abs(h.qtyC)
	w.qtyAbs.e = h.qtyExp
	k.mul(&w.slip, &w.qtyAbs, slipUnit)
	p.fillNum(h, &w.q, &w.price, feeBps, &w.slip, &w.fee)
	side := "long"
	if buy {
		side = "short"
		k.sub(&w.t, &h.entryPrice, &w.price)
	} else {
		k.sub(&w.t, &w.price, &h.entryPrice)
	}
	k.mul(&w.gross, &w.t, &w.qtyAbs)
	k.add(&w.fees, &h.entryFee, &w.fee)
	k.sub(&w.pnl, &w.gross, &w.fees)
	p.tstats.add(&w.pnl, &k.t)
	h.tstats.add(&w.pnl, &k.t)
	if p.keepTrades {
		ret := decimal.Zero
		if k.mul(&w.en, &h.entryPrice, &w.qtyAbs); w.en.sign() > 0 {
			k.divRound(&w.ret, &w.pnl, &w.en, 8)
			ret = w.ret.dec()
		}
		k.add(&w.slipTot, &h.entrySlip, &w.slip)
		p.trades.add(&Trade{
			Symbol: h.symbol, Side: side, Quantity: w.qtyAbs.dec(),
			EntryTime: h.entryTime, EntryPrice: h.entryPrice.dec(), ExitTime: t, ExitPrice: w.price.dec(),
			Fees: w.fees.dec(), Slippage: w.slipTot.dec(), PnL: w.pnl.dec(), Return: ret,
			ExitReason: reason, EntrySignal: h.entrySig, ExitSignal: sig, Bars: h.bars,
		})
	}
	h.qty = decimal.Zero
	h.qtyC.SetInt64(0)
	h.qtyExp = 0
	h.sl.setZero()
	h.tp.setZero()
	h.bars = 0
}

// open opens a position in direction dir at bar b's open. In decimal
// terms, with ref the open and eq the marked equity:
//
//	budget   = eq × fraction, or Notional; for longs at most the cash
//	price    = ref ± slippage(ref)                 (against the trader)
//	qty      = budget.QuoRem(price + bpsOf(price, taker), 8), then down
//	           to the lot: qty.QuoRem(lot, 0) × lot
//	stop     = price × (1 − dir × StopLoss), take = price × (1 + dir × TakeProfit)
func (p *portfolio) open(h *holding, dir int, b *events.Bar, sig string) {
	k, w := &p.k, &p.w
	w.ref.setFixed(b.Open)
	p.mk.positions(p) // the equity, in p.mk.eq × 10^eqExp
	if p.mk.eq.Sign() <= 0 || w.ref.sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	budget := &w.budget
	switch {
	case p.notionalCfg.sign() > 0:
		budget = &p.notionalCfg
	default:
		k.t.Mul(&p.mk.eq, &p.fraction.c)
		w.budget.c.Set(&k.t)
		w.budget.e = p.mk.eqExp + p.fraction.e
	}
	if dir > 0 && k.cmpCE(&budget.c, budget.e, p.cashC, p.cashExp) > 0 {
		w.budget.c.Set(p.cashC) // no leverage
		w.budget.e = p.cashExp
		budget = &w.budget
	}
	p.slippage(&w.slipUnit, &w.ref, b)
	if dir < 0 {
		k.sub(&w.price, &w.ref, &w.slipUnit)
	} else {
		k.add(&w.price, &w.ref, &w.slipUnit)
	}
	if budget.sign() <= 0 || w.price.sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	// Quantity = budget / (price × (1 + fee)), truncated so that the cost
	// with its fee never exceeds the budget, then down to the lot.
	k.mul(&w.den, &w.price, &p.taker)
	w.den.e -= 4 // bpsOf
	k.add(&w.den, &w.price, &w.den)
	k.quoRem(&w.qty, budget, &w.den, qtyPlaces)
	if h.lotSize.sign() > 0 {
		k.quoRem(&w.n, &w.qty, &h.lotSize, 0)
		k.mul(&w.qty, &w.n, &h.lotSize)
	}
	if w.qty.sign() <= 0 {
		p.counts.SkippedZeroQty++
		return
	}
	if h.minNot.sign() > 0 {
		if k.mul(&w.t, &w.qty, &w.price); k.cmp(&w.t, &h.minNot) < 0 {
			p.counts.SkippedMinNotional++
			return
		}
	}
	if dir < 0 {
		w.qty.c.Neg(&w.qty.c)
	}
	w.t.c.Abs(&w.qty.c)
	w.t.e = w.qty.e
	k.mul(&w.slip, &w.t, &w.slipUnit)
	p.fillNum(h, &w.qty, &w.price, &p.taker, &w.slip, &h.entryFee)
	h.entryPrice.set(&w.price)
	h.entrySlip.set(&w.slip)
	h.entryTime, h.entrySig, h.bars = b.OpenTime, sig, 0
	h.sl.setZero()
	h.tp.setZero()
	// one.Sub(d.Mul(StopLoss)) and one.Add(d.Mul(TakeProfit)), d = dir.
	if p.stopLoss.sign() > 0 {
		k.mulInt(&w.t, &p.stopLoss, int64(dir))
		w.n.c.SetInt64(1)
		w.n.e = 0
		k.sub(&w.t, &w.n, &w.t)
		k.mul(&h.sl, &w.price, &w.t)
	}
	if p.takeP.sign() > 0 {
		k.mulInt(&w.t, &p.takeP, int64(dir))
		w.n.c.SetInt64(1)
		w.n.e = 0
		k.add(&w.t, &w.n, &w.t)
		k.mul(&h.tp, &w.price, &w.t)
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
		w := &p.w
		w.open.setFixed(b.Open)
		reason := ExitSignal
		if o.target != 0 {
			reason = ExitReverse
		}
		p.slippage(&w.slipUnit, &w.open, b)
		p.close(h, b.OpenTime, &w.open, &w.slipUnit, &p.taker, reason, o.signal)
	}
	if o.target != 0 {
		p.open(h, o.target, b, o.signal)
	}
}

// stops checks h's stop-loss and take-profit against bar b; the stop-loss
// wins when the bar touches both (see the package documentation). A gap
// through a level fills at the open: decimal.Min(open, level) for a long
// stop, and so on (Min and Max keep the open on a tie).
func (p *portfolio) stops(h *holding, b *events.Bar) {
	dir := h.dir()
	if dir == 0 || (h.sl.sign() == 0 && h.tp.sign() == 0) {
		return
	}
	k, w := &p.k, &p.w
	w.open.setFixed(b.Open)
	w.high.setFixed(b.High)
	w.low.setFixed(b.Low)
	// minOpen and maxOpen are decimal.Min(open, lv) and decimal.Max(open, lv).
	minOpen := func(lv *xdec) *xdec {
		if k.cmp(lv, &w.open) < 0 {
			return lv
		}
		return &w.open
	}
	maxOpen := func(lv *xdec) *xdec {
		if k.cmp(lv, &w.open) > 0 {
			return lv
		}
		return &w.open
	}
	if h.sl.sign() != 0 {
		var ref *xdec
		switch {
		case dir > 0 && k.cmp(&w.low, &h.sl) <= 0:
			ref = minOpen(&h.sl)
		case dir < 0 && k.cmp(&w.high, &h.sl) >= 0:
			ref = maxOpen(&h.sl)
		}
		if ref != nil {
			p.counts.StopLosses++
			p.slippage(&w.slipUnit, ref, b)
			p.close(h, b.OpenTime, ref, &w.slipUnit, &p.taker, ExitStopLoss, "")
			return
		}
	}
	if h.tp.sign() != 0 {
		var ref *xdec
		switch {
		case dir > 0 && k.cmp(&w.high, &h.tp) >= 0:
			ref = maxOpen(&h.tp)
		case dir < 0 && k.cmp(&w.low, &h.tp) <= 0:
			ref = minOpen(&h.tp)
		}
		if ref != nil {
			p.counts.TakeProfits++
			p.close(h, b.OpenTime, ref, &w.zero, &p.maker, ExitTakeProfit, "")
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
	// A run that keeps no trades never reads the ID (whose memory the
	// engine may reuse after this bar: see engine.Core.ReuseSignalMemory).
	id := ""
	if p.keepTrades {
		id = s.ID
	}
	h.pending = order{target: t, after: s.Time, signal: id, active: true}
}
