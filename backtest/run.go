package backtest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
)

// Result is everything a backtest produced. It owns its slices.
type Result struct {
	// Metrics of the strategy, of the buy-and-hold benchmark, and per symbol.
	Metrics Metrics
	// Trades are the closed round trips in exit order.
	Trades []Trade
	// Equity has one point per distinct bar close time.
	Equity []EquityPoint
	// Signals are every signal the engine emitted, in order.
	Signals []events.Signal
	// Costs are the fees and slippage paid.
	Costs Costs
	// Counts say what happened to bars, signals and orders.
	Counts Counts
	// Fingerprint is the run fingerprint (hex SHA-256); Parts its inputs.
	Fingerprint string
	Parts       FingerprintParts
	// Prices are the bars of each symbol (Config.KeepPrices), in first-seen
	// symbol order.
	Prices []SymbolPrices
	// Params describes the run: strategies, parameters, cost model, range.
	Params RunParams
}

// SymbolPrices are one symbol's bars as float64, for charts only.
type SymbolPrices struct {
	Symbol string
	Bars   []PriceBar
}

// PriceBar is one bar of SymbolPrices.
type PriceBar struct {
	Time       time.Time // open time
	O, H, L, C float64
}

// RunParams describes a run for reports.
type RunParams struct {
	Stream     string               `json:"stream"`
	First      events.Position      `json:"first_position"`
	Last       events.Position      `json:"last_position"`
	From       time.Time            `json:"from"` // open time of the first bar
	To         time.Time            `json:"to"`   // close time of the last bar
	Symbols    []string             `json:"symbols"`
	Interval   events.Interval      `json:"interval"` // the smallest input interval
	Strategies []StrategyParams     `json:"strategies"`
	Portfolio  PortfolioDescription `json:"portfolio"`
}

// StrategyParams is one strategy instance of a run.
type StrategyParams struct {
	Name      string            `json:"name"`
	Strategy  string            `json:"strategy"`
	Version   string            `json:"version"`
	ParamHash string            `json:"param_hash"`
	Params    []events.Param    `json:"params"`
	Symbols   []string          `json:"symbols,omitempty"`
	Intervals []events.Interval `json:"intervals,omitempty"`
}

// PortfolioDescription is the cost model with its defaults applied, as
// canonical decimal text.
type PortfolioDescription struct {
	InitialCash       string      `json:"initial_cash"`
	AllowShort        bool        `json:"allow_short"`
	SizingFraction    string      `json:"sizing_fraction"`
	SizingNotional    string      `json:"sizing_notional"`
	LotSize           string      `json:"lot_size"`
	MinNotional       string      `json:"min_notional"`
	Lots              []SymbolLot `json:"lots,omitempty"`
	FeeBps            string      `json:"fee_bps"`
	MakerFeeBps       string      `json:"maker_fee_bps"`
	SlippageBps       string      `json:"slippage_bps"`
	SlippageRangeFrac string      `json:"slippage_range_frac"`
	StopLoss          string      `json:"stop_loss"`
	TakeProfit        string      `json:"take_profit"`
}

// SymbolLot is a per-symbol lot rule of a PortfolioDescription.
type SymbolLot struct {
	Symbol      string `json:"symbol"`
	Size        string `json:"size"`
	MinNotional string `json:"min_notional"`
}

func describe(m costModel) PortfolioDescription {
	d := PortfolioDescription{
		InitialCash: m.InitialCash.String(), AllowShort: m.AllowShort,
		SizingFraction: m.fraction.String(), SizingNotional: m.Sizing.Notional.String(),
		LotSize: m.Lot.Size.String(), MinNotional: m.Lot.MinNotional.String(),
		FeeBps: m.taker.String(), MakerFeeBps: m.maker.String(),
		SlippageBps: m.SlippageBps.String(), SlippageRangeFrac: m.SlippageRangeFrac.String(),
		StopLoss: m.StopLoss.String(), TakeProfit: m.TakeProfit.String(),
	}
	for sym, l := range m.Lots {
		d.Lots = append(d.Lots, SymbolLot{sym, l.Size.String(), l.MinNotional.String()})
	}
	slices.SortFunc(d.Lots, func(a, b SymbolLot) int { return strings.Compare(a.Symbol, b.Symbol) })
	return d
}

// Run loads cfg.Market and backtests it: see [RunBars].
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Market == nil {
		return nil, fmt.Errorf("%w: no market source", ErrConfig)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	in, err := cfg.Market.Load(ctx)
	if err != nil {
		return nil, err
	}
	return RunBars(ctx, cfg, &in)
}

// RunBars backtests bars already loaded (cfg.Market is ignored). It is the
// cheap entry point for sweeps and walk-forward: load an [Input] once and
// call RunBars per parameter set or window, concurrently if wanted (it only
// reads in). cfg.Symbols, From and To select the bars. It returns an error
// matching ErrConfig for a bad config, ErrNoBars when nothing is in range,
// ctx's error when cancelled, and engine errors other than rejected bars
// (which are counted and skipped, as the live runner dead-letters them).
func RunBars(ctx context.Context, cfg Config, in *Input) (*Result, error) {
	if err := cfg.Portfolio.Validate(); err != nil {
		return nil, err
	}
	if len(cfg.Strategies) == 0 {
		return nil, fmt.Errorf("%w: no strategies", ErrConfig)
	}
	lean := cfg.shared != nil
	core, err := cfg.ws.engine(cfg, lean)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	var sel []int
	if lean {
		sel = cfg.shared.selection(cfg, in)
	} else {
		sel = selectBars(cfg, in)
	}
	if len(sel) == 0 {
		return nil, ErrNoBars
	}
	ws := cfg.ws
	if ws == nil || !lean {
		ws = &workspace{}
	}
	p := ws.portfolio(cfg, lean)
	m := p.m
	res := ws.result(lean)
	res.Counts.UndecodedRecords = in.Skipped

	// Symbols in first-seen order; the benchmark splits the cash equally.
	var minIv events.Interval
	var times []time.Time // a lean run's equity point times: the sweep's
	if lean {
		sh := cfg.shared.shape(in)
		for _, s := range sh.syms {
			p.holding(s)
		}
		minIv, times = sh.minIv, sh.times
	} else {
		for _, i := range sel {
			p.holding(in.Bars[i].Symbol)
		}
		minIv = minInterval(in, sel)
	}
	alloc := ws.allocation(m, len(p.hold))
	p.allocC, p.allocExp = ws.allocC, ws.allocExp

	// One equity point per close time: about one per bar of one symbol.
	// A lean run keeps only the last point, and the exposed count the
	// metrics read (the times are the sweep's).
	npts := len(sel)/len(p.hold) + 1
	exposedPts := 0
	if lean {
		res.Equity = res.Equity[:0] // the last point only
	} else {
		res.Equity = make([]EquityPoint, 0, npts)
	}
	var signals chunks[events.Signal]
	nsig := 0 // a lean run counts the signals instead of keeping them
	hasher := ws.fingerprinter(in.Stream)
	out := ws.out[:0]
	line := ws.line[:0]
	// The equity curve and the benchmark as float64, for the metrics.
	eqF, benchF := ws.eqF[:0], ws.benchF[:0]
	if cap(eqF) < npts {
		eqF, benchF = make([]float64, 0, npts), make([]float64, 0, npts)
	}
	// Hand the (possibly grown) buffers back for the worker's next run.
	defer func() { ws.eqF, ws.benchF, ws.out, ws.line = eqF, benchF, out, line }()
	for k, i := range sel {
		if k&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if cfg.Progress != nil {
				cfg.Progress(k, len(sel))
			}
		}
		b := &in.Bars[i]
		pos := in.pos(i)
		out, err = core.Apply(pos, b, out[:0])
		if err != nil {
			if errors.Is(err, engine.ErrRejected) {
				res.Counts.RejectedBars++
				continue
			}
			return nil, fmt.Errorf("bar at %s offset %d: %w", pos.Stream, pos.Offset, err)
		}
		// The engine accepted the bar; now the portfolio sees it. The
		// signals from this bar are recorded only after the fill and stop
		// steps, so they can fill at a later bar only.
		if !lean {
			hasher.bar(pos, b)
		}
		res.Counts.Bars++
		h := p.bySym[b.Symbol]
		p.execute(h, b)
		p.stops(h, b)
		h.mark, h.marked, h.lastClose = b.Close, true, b.Close
		if h.barsSeen == 0 {
			h.firstOpen = b.Open
			if b.Open.Sign() > 0 {
				h.setUnits(alloc, p.allocC, b.Open)
			}
		}
		h.barsSeen++
		if cfg.KeepPrices {
			h.prices = append(h.prices, PriceBar{b.OpenTime, b.Open.Float64(), b.High.Float64(), b.Low.Float64(), b.Close.Float64()})
		}
		if h.dir() != 0 {
			h.bars++
			h.barsExposed++
		}
		for j := range out {
			s := &out[j]
			if lean {
				nsig++
			} else {
				signals.add(s)
			}
			hasher.signal(s)
			p.signal(p.holding(s.Symbol), s)
		}
		// One equity point per close time: after the last bar closing then.
		if k+1 == len(sel) || !in.Bars[sel[k+1]].CloseTime.Equal(b.CloseTime) {
			var pt EquityPoint
			if lean && k+1 < len(sel) {
				pt = p.pointLean(b.CloseTime)
			} else {
				pt = p.point(b.CloseTime)
			}
			line = p.appendPoint(line[:0], &pt)
			hasher.equityLine(line)
			if lean {
				if pt.Exposed {
					exposedPts++
				}
				if k+1 == len(sel) {
					res.Equity = append(res.Equity, pt)
				}
			} else {
				res.Equity = append(res.Equity, pt)
			}
			eqF, benchF = append(eqF, p.mk.eqF), append(benchF, p.mk.benchF)
		}
	}
	if cfg.Progress != nil {
		cfg.Progress(len(sel), len(sel))
	}
	if lean && res.Counts.RejectedBars > 0 {
		// The cached input hash covers every selected bar, and the last
		// equity point may be missing: run it the plain way.
		cfg.shared, cfg.ws = nil, nil
		return RunBars(ctx, cfg, in)
	}
	if len(res.Equity) == 0 {
		return nil, ErrNoBars
	}
	for _, h := range p.hold {
		if h.pending.active {
			res.Counts.Unfilled++
		}
		if h.dir() != 0 {
			res.Counts.OpenAtEnd++
		}
	}
	p.settle(!lean) // a sweep reads no per-symbol figures
	res.Signals = signals.all()
	if res.Signals == nil {
		res.Signals = []events.Signal{}
	}
	c := &res.Counts
	pc := p.counts
	c.Signals = len(res.Signals)
	if lean {
		c.Signals = nsig
	}
	c.Fills, c.SkippedMinNotional, c.SkippedZeroQty = pc.Fills, pc.SkippedMinNotional, pc.SkippedZeroQty
	c.StopLosses, c.TakeProfits = pc.StopLosses, pc.TakeProfits
	res.Trades = p.trades.all()
	res.Costs = p.costs
	if res.Costs.Fees.IsZero() {
		res.Costs.Fees = decimal.Zero
	}

	first, last := sel[0], sel[len(sel)-1]
	res.Params = RunParams{
		Stream: in.Stream, First: in.pos(first), Last: in.pos(last),
		From: in.Bars[first].OpenTime, To: res.Equity[len(res.Equity)-1].Time,
		Interval: minIv, Portfolio: ws.describe(m),
		Symbols: res.Params.Symbols, Strategies: res.Params.Strategies, // a lean run's buffers
	}
	for _, h := range p.hold {
		res.Params.Symbols = append(res.Params.Symbols, h.symbol)
		if cfg.KeepPrices {
			res.Prices = append(res.Prices, SymbolPrices{Symbol: h.symbol, Bars: h.prices})
		}
	}
	for _, inst := range cfg.Strategies {
		name := inst.Name
		if name == "" {
			name = inst.Def.Name
		}
		res.Params.Strategies = append(res.Params.Strategies, StrategyParams{
			Name: name, Strategy: inst.Def.Name, Version: inst.Def.Version,
			ParamHash: inst.Params.Hash(), Params: inst.Params.List(),
			Symbols: inst.Symbols, Intervals: inst.Intervals,
		})
	}
	if lean {
		// Nor the per-symbol metrics: PerSymbol stays empty.
		res.Metrics = curveMetrics(m.InitialCash, res, p, times, eqF, benchF, exposedPts, false)
	} else {
		res.Metrics = computeMetrics(m.InitialCash, res, p, eqF, benchF)
	}
	if lean {
		// The input part is the sweep's (see runShared.inputDigest): taken
		// here when it is ready, else left to the sweep (Parts.Input and
		// Fingerprint empty), which fills it in once it is.
		hasher.inputHex, _ = cfg.shared.readyDigest()
		hasher.deferInput = true
		// The cost model, symbols and range are those of every run of
		// the sweep (a lean run applied every selected bar).
		hasher.costsHex = ws.costsHex
	}
	res.Parts = hasher.finish(res.Params)
	if lean {
		ws.costsHex = res.Parts.Costs
	}
	if res.Parts.Input != "" {
		res.Fingerprint = res.Parts.sum()
	}
	return res, nil
}

// runShared is what the runs of a sweep share: they run over the same
// loaded input with the same selection (symbols, range), so the selected
// indexes and the input part of the fingerprint are computed once. A run
// with a runShared is "lean": it does not keep its equity points except
// the last one, nor its signals, only their count, nor trades, nor
// per-symbol figures (a sweep reads only the strategy and benchmark
// metrics, which use the floats and the final point, Counts.Signals and
// the fingerprint, all the same as a plain run's), and
// it takes the input hash from here (or leaves it to the sweep: see
// RunBars); when the engine rejects a bar it falls back to a plain run.
// Safe for concurrent use.
type runShared struct {
	selOnce, hashOnce, symOnce sync.Once
	sel                        []int
	inputHex                   string
	hashed                     atomic.Bool // inputHex is set
	sh                         runShape
}

func (s *runShared) selection(cfg Config, in *Input) []int {
	s.selOnce.Do(func() { s.sel = selectBars(cfg, in) })
	return s.sel
}

// runShape is what the runs of a sweep share about the selected bars.
// Read-only.
type runShape struct {
	syms  []string        // the symbols, in first-seen order
	minIv events.Interval // the smallest interval
	// times are the equity point times of a run that applies every
	// selected bar (a lean run): the close time of each bar followed by
	// one closing later, and of the last.
	times []time.Time
}

// shape returns the selected bars' runShape; selection must have been
// called.
func (s *runShared) shape(in *Input) *runShape {
	s.symOnce.Do(func() {
		sh := &s.sh
		seen := map[string]bool{}
		for _, i := range s.sel {
			if sym := in.Bars[i].Symbol; !seen[sym] {
				seen[sym] = true
				sh.syms = append(sh.syms, sym)
			}
		}
		// About one point per bar of one symbol, as RunBars reckons.
		sh.times = make([]time.Time, 0, len(s.sel)/max(len(sh.syms), 1)+1)
		for k, i := range s.sel {
			b := &in.Bars[i]
			// As RunBars makes its equity points.
			if k+1 == len(s.sel) || !in.Bars[s.sel[k+1]].CloseTime.Equal(b.CloseTime) {
				sh.times = append(sh.times, b.CloseTime)
			}
		}
		sh.minIv = minInterval(in, s.sel)
	})
	return &s.sh
}

// minInterval is the smallest interval of the bars sel selects (not empty).
func minInterval(in *Input, sel []int) events.Interval {
	iv := in.Bars[sel[0]].Interval
	for _, i := range sel {
		iv = min(iv, in.Bars[i].Interval)
	}
	return iv
}

// inputDigest is the Input part of the fingerprint of a run that applied
// every bar of sel: the same hash a plain run computes bar by bar.
func (s *runShared) inputDigest(in *Input, sel []int) string {
	s.hashOnce.Do(func() {
		f := newFingerprinter(in.Stream)
		for _, i := range sel {
			f.bar(in.pos(i), &in.Bars[i])
		}
		s.inputHex = hex.EncodeToString(f.input.Sum(nil))
		s.hashed.Store(true)
	})
	return s.inputHex
}

// readyDigest returns inputDigest's result if it has been computed, without
// waiting for it.
func (s *runShared) readyDigest() (string, bool) {
	if s.hashed.Load() {
		return s.inputHex, true
	}
	return "", false
}

// workspace is the buffers of a run that a sweep worker reuses for its
// next run (a lean run keeps none of them in its Result). One per worker:
// not safe for concurrent use.
type workspace struct {
	eqF, benchF []float64
	out         []events.Signal
	line        []byte
	// core is the worker's engine, Reset for each run (New gives the
	// same state: see engine.Core.Reset), with transient signal memory:
	// a lean run consumes each bar's signals (counts and hashes them, and
	// the portfolio keeps no ID) before the next.
	core *engine.Core
	// port is the worker's portfolio, reset for each run: the runs of a
	// sweep share their cost model (only the strategies differ).
	port *portfolio
	// res is the worker's Result, overwritten by each run: the sweep
	// copies what it keeps out of it first.
	res *Result
	// fp is the worker's fingerprinter, reset for each run; costsHex the
	// Costs part of the fingerprint, the same for every run of the sweep
	// (same cost model, symbols and range).
	fp       *fingerprinter
	costsHex string
	// alloc is the benchmark allocation for allocN symbols (allocC ×
	// 10^allocExp).
	alloc    decimal.Decimal
	allocC   *big.Int
	allocExp int32
	allocN   int
	// desc is describe of the cost model (descOK: computed).
	desc   PortfolioDescription
	descOK bool
}

// portfolio returns a new portfolio for cfg's cost model, or, for a lean
// run with a worker's workspace, the workspace's, reset.
func (ws *workspace) portfolio(cfg Config, lean bool) *portfolio {
	if ws.port != nil {
		ws.port.reset()
		return ws.port
	}
	p := newPortfolio(cfg.Portfolio.resolve())
	p.keepTrades = !lean // a sweep reads the trade statistics only
	if lean && cfg.ws == ws {
		ws.port = p
	}
	return p
}

// result returns a new Result, or for a lean run the workspace's, cleared
// (its slices keep their memory).
func (ws *workspace) result(lean bool) *Result {
	if !lean {
		return &Result{}
	}
	if ws.res == nil {
		ws.res = &Result{}
	}
	r := ws.res
	*r = Result{Equity: r.Equity[:0],
		Params: RunParams{Symbols: r.Params.Symbols[:0], Strategies: r.Params.Strategies[:0]},
	}
	return r
}

// allocation returns the benchmark's cash per symbol for n symbols (and
// leaves its coefficient in allocC, allocExp), computed once per n.
func (ws *workspace) allocation(m costModel, n int) decimal.Decimal {
	if ws.allocC == nil || ws.allocN != n {
		ws.alloc = m.InitialCash.DivRound(decimal.NewFromInt(int64(n)), 16)
		ws.allocC, ws.allocExp = coefOf(ws.alloc)
		ws.allocN = n
	}
	return ws.alloc
}

// describe is describe(m), computed once per workspace: the runs of a
// sweep share their cost model.
func (ws *workspace) describe(m costModel) PortfolioDescription {
	if !ws.descOK {
		ws.desc, ws.descOK = describe(m), true
	}
	return ws.desc
}

// fingerprinter returns a fingerprinter for a run over stream: the
// workspace's, reset.
func (ws *workspace) fingerprinter(stream string) *fingerprinter {
	if ws.fp == nil {
		ws.fp = newFingerprinter(stream)
		return ws.fp
	}
	ws.fp.reset(stream)
	return ws.fp
}

// engine returns the engine for a run of cfg: ws's, reset, for a lean run
// with a workspace, else a new one.
func (ws *workspace) engine(cfg Config, lean bool) (*engine.Core, error) {
	if ws == nil || !lean {
		return engine.New(cfg.engineConfig())
	}
	if ws.core == nil {
		c, err := engine.New(cfg.engineConfig())
		if err != nil {
			return nil, err
		}
		c.ReuseSignalMemory(true)
		ws.core = c
		return c, nil
	}
	if err := ws.core.Reset(cfg.engineConfig()); err != nil {
		return nil, err
	}
	return ws.core, nil
}

// selectBars returns the indexes of in.Bars within cfg's symbols and range.
func selectBars(cfg Config, in *Input) []int {
	sel := make([]int, 0, len(in.Bars))
	for i := range in.Bars {
		b := &in.Bars[i]
		if len(cfg.Symbols) > 0 && !slices.Contains(cfg.Symbols, b.Symbol) {
			continue
		}
		if !cfg.From.IsZero() && b.OpenTime.Before(cfg.From) {
			continue
		}
		if !cfg.To.IsZero() && !b.OpenTime.Before(cfg.To) {
			continue
		}
		sel = append(sel, i)
	}
	return sel
}
