package backtest

import (
	"math"
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/events"
)

// Metrics are the measures of a run; docs/metrics.md gives every formula.
// Money is exact (decimal); ratios are float64, computed from the decimal
// equity curve converted once per point. A ratio that is undefined (a
// division by zero: no trades, no losing trade, a flat curve) is 0.
type Metrics struct {
	// PeriodsPerYear is the annualisation factor: 365.25 × 24h divided by
	// the smallest input bar interval (crypto trades 24/7).
	PeriodsPerYear float64 `json:"periods_per_year"`
	// Strategy measures the backtested portfolio.
	Strategy Stats `json:"strategy"`
	// Benchmark measures buy-and-hold of the traded symbols, equal weight:
	// InitialCash / N bought at each symbol's first open, no costs.
	Benchmark Stats `json:"benchmark"`
	// PerSymbol breaks the trades down by symbol, in first-seen order.
	PerSymbol []SymbolStats `json:"per_symbol"`
}

// Stats are the curve and trade measures of one equity curve.
type Stats struct {
	InitialEquity decimal.Decimal `json:"initial_equity"`
	FinalEquity   decimal.Decimal `json:"final_equity"`
	// TotalReturn = final / initial − 1.
	TotalReturn float64 `json:"total_return"`
	// CAGR = (final / initial)^(1/years) − 1, years = (last close − first
	// open) / 365.25 days; −1 when final ≤ 0.
	CAGR float64 `json:"cagr"`
	// Volatility = sample standard deviation of the per-point returns ×
	// √PeriodsPerYear.
	Volatility float64 `json:"volatility"`
	// Sharpe = mean(r) / stdev(r) × √PeriodsPerYear, risk-free rate 0.
	Sharpe float64 `json:"sharpe"`
	// Sortino = mean(r) / √(mean(min(r, 0)²)) × √PeriodsPerYear.
	Sortino float64 `json:"sortino"`
	// Calmar = CAGR / MaxDrawdown.
	Calmar float64 `json:"calmar"`
	// MaxDrawdown = max over t of 1 − equity_t / max(initial, equity_≤t),
	// a positive fraction.
	MaxDrawdown float64 `json:"max_drawdown"`
	// MaxDrawdownDuration is the longest time from a peak to the first
	// point back at or above it (or to the end when never recovered).
	MaxDrawdownDuration Duration `json:"max_drawdown_duration"`
	// Trade measures; zero for the benchmark.
	TradeStats
	// Exposure is the fraction of equity points with a position open.
	Exposure float64 `json:"exposure"`
	// Turnover = Σ fill notionals / mean equity.
	Turnover float64 `json:"turnover"`
	// FeesPaid and Slippage are the costs in quote units.
	FeesPaid decimal.Decimal `json:"fees_paid"`
	Slippage decimal.Decimal `json:"slippage"`
}

// TradeStats measure closed trades.
type TradeStats struct {
	// Trades is the number of closed trades.
	Trades int `json:"trades"`
	// WinRate = trades with PnL > 0 / Trades.
	WinRate float64 `json:"win_rate"`
	// ProfitFactor = Σ winning PnL / |Σ losing PnL|.
	ProfitFactor float64 `json:"profit_factor"`
	// NetPnL = Σ PnL (fees included).
	NetPnL decimal.Decimal `json:"net_pnl"`
	// Expectancy = NetPnL / Trades, 8 places.
	Expectancy decimal.Decimal `json:"expectancy"`
	// AvgWin = Σ winning PnL / winners; AvgLoss = Σ losing PnL / losers
	// (negative); 8 places.
	AvgWin  decimal.Decimal `json:"avg_win"`
	AvgLoss decimal.Decimal `json:"avg_loss"`
}

// SymbolStats are one symbol's share of a run.
type SymbolStats struct {
	Symbol string `json:"symbol"`
	TradeStats
	FeesPaid decimal.Decimal `json:"fees_paid"`
	Slippage decimal.Decimal `json:"slippage"`
	// Exposure is the fraction of the symbol's bars closed with a position.
	Exposure float64 `json:"exposure"`
	// BuyHoldReturn = last close / first open − 1.
	BuyHoldReturn float64 `json:"buy_hold_return"`
}

// Duration is a time.Duration that reads and writes as text ("36h0m0s").
type Duration time.Duration

// MarshalText returns time.Duration's String.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText parses time.ParseDuration's format.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}

// PeriodsPerYear is 365.25 × 24h / iv: markets that trade around the clock
// (crypto) have that many bars of iv a year. It is 0 for iv ≤ 0.
func PeriodsPerYear(iv events.Interval) float64 {
	if iv <= 0 {
		return 0
	}
	return 365.25 * 24 * float64(time.Hour) / float64(iv)
}

// CurveStats computes the curve measures of Stats (returns, CAGR,
// volatility, Sharpe, Sortino, Calmar, drawdown) for an equity curve
// starting at initial at time start, with equity[i] at times[i]. It is
// exported so that sweeps and tests can measure any curve the same way.
func CurveStats(initial float64, start time.Time, times []time.Time, equity []float64, periodsPerYear float64) Stats {
	var s Stats
	n := len(equity)
	if n == 0 || initial <= 0 {
		return s
	}
	final := equity[n-1]
	s.TotalReturn = final/initial - 1
	years := times[n-1].Sub(start).Hours() / (365.25 * 24)
	switch {
	case final <= 0:
		s.CAGR = -1
	case years > 0:
		s.CAGR = math.Pow(final/initial, 1/years) - 1
	}
	// Per-point simple returns, the first against the initial equity.
	// (The returns are computed again, identically, for the variance
	// rather than kept in a slice.)
	ret := func(prev, e float64) float64 {
		if prev != 0 {
			return e/prev - 1
		}
		return 0
	}
	var sum, down float64
	prev := initial
	for _, e := range equity {
		r := ret(prev, e)
		prev = e
		sum += r
		if r < 0 {
			down += r * r
		}
	}
	mean := sum / float64(n)
	if n > 1 {
		var ss float64
		prev = initial
		for _, e := range equity {
			r := ret(prev, e)
			prev = e
			ss += (r - mean) * (r - mean)
		}
		sd := math.Sqrt(ss / float64(n-1))
		s.Volatility = sd * math.Sqrt(periodsPerYear)
		if sd > 0 {
			s.Sharpe = mean / sd * math.Sqrt(periodsPerYear)
		}
	}
	if dd := math.Sqrt(down / float64(n)); dd > 0 {
		s.Sortino = mean / dd * math.Sqrt(periodsPerYear)
	}
	peak, peakAt := initial, start
	var longest time.Duration
	underwater := false
	for i, e := range equity {
		if e >= peak {
			if underwater {
				longest = max(longest, times[i].Sub(peakAt))
				underwater = false
			}
			peak, peakAt = e, times[i]
			continue
		}
		underwater = true
		s.MaxDrawdown = max(s.MaxDrawdown, 1-e/peak)
	}
	if underwater {
		longest = max(longest, times[n-1].Sub(peakAt))
	}
	s.MaxDrawdownDuration = Duration(longest)
	if s.MaxDrawdown > 0 {
		s.Calmar = s.CAGR / s.MaxDrawdown
	}
	return s
}

// tradeAcc accumulates the trade statistics of a run (or of one symbol)
// as the portfolio closes trades, so that the metrics need not walk the
// trades again, nor allocate a decimal per addition: the sums are kept in
// place with decimal.Decimal.Add's rules (see [sum]), from decimal.Zero.
type tradeAcc struct {
	n, nw, nl         int
	net, wins, losses sum
}

// reset sets a to its zero value, keeping the sums' memory.
func (a *tradeAcc) reset() {
	a.n, a.nw, a.nl = 0, 0, 0
	a.net.reset()
	a.wins.reset()
	a.losses.reset()
}

// add counts a closed trade with profit pnl.
func (a *tradeAcc) add(pnl *xdec, tmp *big.Int) {
	a.n++
	a.net.add(&pnl.c, pnl.e, tmp)
	switch pnl.sign() {
	case 1:
		a.nw++
		a.wins.add(&pnl.c, pnl.e, tmp)
	case -1:
		a.nl++
		a.losses.add(&pnl.c, pnl.e, tmp)
	}
}

// stats returns the trade statistics: net PnL, win rate, expectancy,
// average win and loss (rounded to 8 places) and profit factor. It
// computes what the decimal expressions
//
//	expectancy   = net.DivRound(decimal.NewFromInt(n), 8)
//	avgWin       = wins.DivRound(decimal.NewFromInt(winners), 8)
//	profitFactor = wins.InexactFloat64() / -losses.InexactFloat64()
//
// give (the same coefficients and exponents, see [calc]; the same floats,
// see [marker.float]) in sc's scratch space, so that only the decimals it
// returns are allocated.
func (a *tradeAcc) stats(sc *statScratch) TradeStats {
	t := TradeStats{NetPnL: decimal.Zero, Expectancy: decimal.Zero, AvgWin: decimal.Zero, AvgLoss: decimal.Zero}
	if a.n == 0 {
		return t
	}
	t.Trades = a.n
	t.NetPnL = a.net.decimal(decimal.Zero)
	t.WinRate = float64(a.nw) / float64(t.Trades)
	t.Expectancy = sc.avg(&a.net, a.n)
	if a.nw > 0 {
		t.AvgWin = sc.avg(&a.wins, a.nw)
	}
	if a.nl > 0 {
		t.AvgLoss = sc.avg(&a.losses, a.nl)
		// An unused sum is decimal.Zero, whose float is 0 whatever its
		// exponent.
		t.ProfitFactor = sc.mk.float(&a.wins.v, a.wins.exp) / -sc.mk.float(&a.losses.v, a.losses.exp)
	}
	return t
}

// statScratch is tradeAcc.stats' scratch space. Not safe for concurrent use.
type statScratch struct {
	k       calc
	mk      marker // for float only
	x, y, z xdec
}

// avg returns s's value (used: it has had additions) divided by n,
// rounded to 8 places, as decimal.Decimal.DivRound does.
func (sc *statScratch) avg(s *sum, n int) decimal.Decimal {
	sc.x.c.Set(&s.v)
	sc.x.e = s.exp
	sc.y.c.SetInt64(int64(n))
	sc.y.e = 0
	sc.k.divRound(&sc.z, &sc.x, &sc.y, 8)
	return sc.z.dec()
}

// computeMetrics measures a finished run. eqF and benchF, when they have
// a value per equity point, are its equity and benchmark already converted
// (exactly as toFloat would: see marker.float).
func computeMetrics(initial decimal.Decimal, res *Result, p *portfolio, eqF, benchF []float64) Metrics {
	n := len(res.Equity)
	times := make([]time.Time, n)
	eq := make([]float64, n)
	bench := make([]float64, n)
	exposed := 0
	for i := range res.Equity {
		pt := &res.Equity[i]
		times[i] = pt.Time
		if len(eqF) == n && len(benchF) == n {
			eq[i], bench[i] = eqF[i], benchF[i]
		} else {
			eq[i], bench[i] = toFloat(pt.Equity), toFloat(pt.Benchmark)
		}
		if pt.Exposed {
			exposed++
		}
	}
	return curveMetrics(initial, res, p, times, eq, bench, exposed, true)
}

// curveMetrics is computeMetrics over the curve given as its times, equity
// and benchmark floats and the number of exposed points; of res.Equity it
// reads only the last point (the final equity and benchmark), so a lean
// sweep run keeps only that one.
func curveMetrics(initial decimal.Decimal, res *Result, p *portfolio, times []time.Time, eq, bench []float64, exposed int,
	perSymbol bool) Metrics {
	m := Metrics{PeriodsPerYear: PeriodsPerYear(res.Params.Interval)}
	n := len(eq)
	last := &res.Equity[len(res.Equity)-1]
	var sumEq float64
	for _, e := range eq {
		sumEq += e
	}
	init := initial.InexactFloat64()
	start := res.Params.From
	m.Strategy = CurveStats(init, start, times, eq, m.PeriodsPerYear)
	m.Strategy.InitialEquity, m.Strategy.FinalEquity = initial, last.Equity
	m.Strategy.TradeStats = p.tstats.stats(&p.stat)
	m.Strategy.Exposure = float64(exposed) / float64(n)
	if mean := sumEq / float64(n); mean > 0 {
		m.Strategy.Turnover = p.notional.InexactFloat64() / mean
	}
	m.Strategy.FeesPaid, m.Strategy.Slippage = res.Costs.Fees, res.Costs.Slippage

	m.Benchmark = CurveStats(init, start, times, bench, m.PeriodsPerYear)
	m.Benchmark.InitialEquity, m.Benchmark.FinalEquity = initial, last.Benchmark
	m.Benchmark.TradeStats = (&tradeAcc{}).stats(nil) // no trades: no scratch needed
	m.Benchmark.FeesPaid, m.Benchmark.Slippage = decimal.Zero, decimal.Zero

	if !perSymbol {
		return m
	}
	for _, h := range p.hold {
		ss := SymbolStats{Symbol: h.symbol, TradeStats: h.tstats.stats(&p.stat), FeesPaid: h.fees, Slippage: h.slip}
		if h.barsSeen > 0 {
			ss.Exposure = float64(h.barsExposed) / float64(h.barsSeen)
		}
		if fo := h.firstOpen.Float64(); fo > 0 {
			ss.BuyHoldReturn = h.lastClose.Float64()/fo - 1
		}
		m.PerSymbol = append(m.PerSymbol, ss)
	}
	return m
}

// pow10s are the exactly representable powers of ten.
var pow10s = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// toFloat converts d to float64 once for the ratio metrics. When the
// coefficient is exact in a float64 (< 2^53) and the exponent small, one
// IEEE division by an exact power of ten gives the correctly rounded
// value without the allocations of decimal's big.Rat path, which it
// falls back to otherwise.
func toFloat(d decimal.Decimal) float64 {
	e := d.Exponent()
	if d.NumDigits() <= 15 && e <= 0 && -e < int32(len(pow10s)) {
		return float64(d.CoefficientInt64()) / pow10s[-e]
	}
	if e > 0 && e < int32(len(pow10s)) && d.NumDigits() <= 15 {
		return float64(d.CoefficientInt64()) * pow10s[e]
	}
	return d.InexactFloat64()
}
