package backtest

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/indicators"
)

// Version is the version of the backtest engine (replay, fills, costs and
// metrics) that the run fingerprint covers: bump it whenever a change makes
// the same input give different trades, equity or metrics.
const Version = "candlewick-backtest/1"

// Errors returned by the package. Match them with errors.Is.
var (
	// ErrConfig is matched by every problem Config.Validate (and so Run)
	// reports.
	ErrConfig = errors.New("backtest: invalid config")
	// ErrNoBars is returned by Run when the source holds no bar in range.
	ErrNoBars = errors.New("backtest: no bars in range")
	// ErrSource is matched by the errors a Source returns while loading.
	ErrSource = errors.New("backtest: cannot load the market source")
)

// maxDecExp bounds the exponents and digits of PortfolioConfig's decimals:
// far beyond any price or fee, and far from overflowing the int32
// exponents that products of a few of them add up to.
const maxDecExp = 1000

// Defaults of PortfolioConfig.
var (
	defaultCash   = decimal.NewFromInt(10000)
	defaultFeeBps = decimal.NewFromInt(10)
)

// Config configures [Run]. The zero value of every field but Market and
// Strategies means its default.
type Config struct {
	// Market is where the bars come from (a [*LogSource] or a
	// [*FileSource]). Required by Run; RunBars ignores it.
	Market Source
	// Strategies are the engine instances to run, usually one. Required.
	Strategies []engine.Instance
	// Indicators builds the indicators the strategies declare. Default: the
	// engine's default registry.
	Indicators *indicators.Registry
	// Portfolio is the cost and sizing model.
	Portfolio PortfolioConfig
	// Symbols restricts the run to these symbols (bars of others are
	// dropped before the engine sees them). Empty: every symbol.
	Symbols []string
	// From and To bound the bars by open time: From inclusive, To exclusive.
	// Zero: unbounded.
	From, To time.Time
	// KeepPrices keeps every symbol's bars (as float64 OHLC) in
	// Result.Prices for the report's price charts. Default false: sweeps
	// need not pay for them.
	KeepPrices bool
	// Progress, when set, is called every few thousand bars and at the end
	// with the bars done and the total. It must not block long.
	Progress func(done, total int)

	// shared, set by sweeps, is state common to every run over the same
	// input and selection; nil for plain runs.
	shared *runShared
	// ws, set by a sweep worker for its lean runs, holds buffers it
	// reuses from one run to the next; nil: fresh buffers.
	ws *workspace
}

// PortfolioConfig is the portfolio, sizing and cost model. All money is in
// quote units; all fields are exact decimals.
type PortfolioConfig struct {
	// InitialCash is the starting cash. Default 10000.
	InitialCash decimal.Decimal
	// AllowShort lets short signals open short positions; when false a
	// short signal is treated as an exit. Default false (the CLI defaults
	// it to true; --no-short turns it off).
	AllowShort bool
	// Sizing decides the quantity of an entry.
	Sizing Sizing
	// Lot is the lot size and minimum notional of every symbol without an
	// entry in Lots.
	Lot Lot
	// Lots overrides Lot per symbol.
	Lots map[string]Lot
	// FeeBps is the taker fee in basis points of the fill's notional, paid
	// by market entries, exits and stop-losses. Unset (Valid false): 10.
	FeeBps decimal.NullDecimal
	// MakerFeeBps is the maker fee in basis points, paid by take-profits
	// (limit orders). Unset: FeeBps.
	MakerFeeBps decimal.NullDecimal
	// SlippageBps moves market and stop fills against the trader by this
	// many basis points of the price. Default 0.
	SlippageBps decimal.Decimal
	// SlippageRangeFrac, when positive, replaces SlippageBps: fills move
	// against the trader by this fraction of the fill bar's high-low range.
	SlippageRangeFrac decimal.Decimal
	// StopLoss and TakeProfit are fractions of the entry price (0.05 = 5%);
	// zero turns them off.
	StopLoss, TakeProfit decimal.Decimal
}

// Sizing decides how much an entry buys or sells. Zero value: all equity
// (Fraction 1).
type Sizing struct {
	// Fraction of current equity (cash plus marked positions) per entry,
	// in (0, 1]. Default 1. Long entries are further capped by the cash
	// at hand, fees included: there is no leverage.
	Fraction decimal.Decimal
	// Notional, when positive, replaces Fraction: every entry is worth this
	// many quote units (capped by cash for longs).
	Notional decimal.Decimal
}

// Lot is a symbol's trading rules.
type Lot struct {
	// Size is the quantity step; quantities round down to a multiple of it.
	// Zero: 8 decimal places.
	Size decimal.Decimal
	// MinNotional is the smallest order worth (quantity × price) accepted;
	// smaller orders are skipped. Zero: no minimum.
	MinNotional decimal.Decimal
}

// costModel is a PortfolioConfig with its defaults applied.
type costModel struct {
	PortfolioConfig
	taker, maker decimal.Decimal
	fraction     decimal.Decimal
}

// resolve applies the defaults to a copy of p.
func (p PortfolioConfig) resolve() costModel {
	m := costModel{PortfolioConfig: p}
	if m.InitialCash.IsZero() {
		m.InitialCash = defaultCash
	}
	m.taker = defaultFeeBps
	if p.FeeBps.Valid {
		m.taker = p.FeeBps.Decimal
	}
	m.maker = m.taker
	if p.MakerFeeBps.Valid {
		m.maker = p.MakerFeeBps.Decimal
	}
	m.fraction = p.Sizing.Fraction
	if m.fraction.IsZero() {
		m.fraction = decimal.NewFromInt(1)
	}
	return m
}

func (m *costModel) lot(symbol string) Lot {
	if l, ok := m.Lots[symbol]; ok {
		return l
	}
	return m.Lot
}

// Validate reports every problem of p at once, each matching ErrConfig.
func (p PortfolioConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...))
	}
	// The portfolio adds exponents as it multiplies (as decimal does, which
	// panics when that overflows an int32): bound them, and the digits,
	// first: comparing such a number below would take forever.
	checkDigits := func(what string, d decimal.Decimal) {
		if e := d.Exponent(); e < -maxDecExp || e > maxDecExp || d.NumDigits() > maxDecExp {
			bad("%s has too many digits (exponent %d)", what, e)
		}
	}
	checkDigits("initial cash", p.InitialCash)
	checkDigits("sizing fraction", p.Sizing.Fraction)
	checkDigits("sizing notional", p.Sizing.Notional)
	checkDigits("default lot size", p.Lot.Size)
	checkDigits("default min notional", p.Lot.MinNotional)
	for sym, l := range p.Lots { // errors.Join order only
		checkDigits(sym+" lot size", l.Size)
		checkDigits(sym+" min notional", l.MinNotional)
	}
	checkDigits("fee bps", p.FeeBps.Decimal)
	checkDigits("maker fee bps", p.MakerFeeBps.Decimal)
	checkDigits("slippage bps", p.SlippageBps)
	checkDigits("slippage range fraction", p.SlippageRangeFrac)
	checkDigits("stop-loss", p.StopLoss)
	checkDigits("take-profit", p.TakeProfit)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	one := decimal.NewFromInt(1)
	if p.InitialCash.Sign() < 0 {
		bad("initial cash %s is negative", p.InitialCash)
	}
	if p.Sizing.Fraction.Sign() < 0 || p.Sizing.Fraction.GreaterThan(one) {
		bad("sizing fraction %s not in (0, 1]", p.Sizing.Fraction)
	}
	if p.Sizing.Notional.Sign() < 0 {
		bad("sizing notional %s is negative", p.Sizing.Notional)
	}
	checkLot := func(what string, l Lot) {
		if l.Size.Sign() < 0 {
			bad("%s lot size %s is negative", what, l.Size)
		}
		if l.MinNotional.Sign() < 0 {
			bad("%s min notional %s is negative", what, l.MinNotional)
		}
	}
	checkLot("default", p.Lot)
	for sym, l := range p.Lots { // errors.Join order only; nothing else depends on it
		checkLot(sym, l)
	}
	bps := decimal.NewFromInt(10000)
	for _, f := range []struct {
		name string
		v    decimal.NullDecimal
	}{{"fee bps", p.FeeBps}, {"maker fee bps", p.MakerFeeBps}} {
		if f.v.Valid && (f.v.Decimal.Sign() < 0 || f.v.Decimal.GreaterThan(bps)) {
			bad("%s %s not in [0, 10000]", f.name, f.v.Decimal)
		}
	}
	if p.SlippageBps.Sign() < 0 || p.SlippageBps.GreaterThan(bps) {
		bad("slippage bps %s not in [0, 10000]", p.SlippageBps)
	}
	if p.SlippageRangeFrac.Sign() < 0 || p.SlippageRangeFrac.GreaterThan(one) {
		bad("slippage range fraction %s not in [0, 1]", p.SlippageRangeFrac)
	}
	if p.StopLoss.Sign() < 0 || p.StopLoss.GreaterThanOrEqual(one) {
		bad("stop-loss %s not in [0, 1)", p.StopLoss)
	}
	if p.TakeProfit.Sign() < 0 {
		bad("take-profit %s is negative", p.TakeProfit)
	}
	return errors.Join(errs...)
}

// Validate reports every problem of c at once (errors.Join), each matching
// ErrConfig: no strategies, a bad portfolio, an empty time range, and the
// engine's own configuration errors.
func (c Config) Validate() error {
	var errs []error
	if len(c.Strategies) == 0 {
		errs = append(errs, fmt.Errorf("%w: no strategies", ErrConfig))
	}
	if !c.From.IsZero() && !c.To.IsZero() && !c.From.Before(c.To) {
		errs = append(errs, fmt.Errorf("%w: from %s not before to %s", ErrConfig, c.From.Format(time.RFC3339), c.To.Format(time.RFC3339)))
	}
	errs = append(errs, c.Portfolio.Validate())
	if err := c.engineConfig().Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", ErrConfig, err))
	}
	return errors.Join(errs...)
}

func (c Config) engineConfig() engine.Config {
	return engine.Config{Indicators: c.Indicators, Strategies: c.Strategies}
}
