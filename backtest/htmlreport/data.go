package htmlreport

import "time"

// Data is everything a report shows. The zero value renders a valid, empty
// report. Strings are shown as given (HTML-escaped); slices keep their order.
// Write does not modify or retain Data.
type Data struct {
	Title    string // page title and heading, e.g. "sma_cross on BTC-USDT"
	Subtitle string // one line under the heading, e.g. the time range
	// Currency labels the equity axis, e.g. "USDT"; may be empty.
	Currency string

	Params    []KV            // strategy parameters and run settings, in display order
	Metrics   []MetricRow     // overall metrics: strategy against buy-and-hold
	PerSymbol []SymbolMetrics // the same per traded symbol

	// Equity and Benchmark are the strategy's and buy-and-hold's equity marked
	// at every bar close, in quote units; Drawdown is the strategy's drawdown
	// as a fraction <= 0 (-0.25 is 25% below the running peak). When Drawdown
	// is empty it is computed from Equity.
	Equity    []Point
	Benchmark []Point
	Drawdown  []Point

	Prices  []SymbolPrices // one price chart per entry, in this order
	Monthly []MonthReturn  // strategy return per calendar month (UTC)

	Trades      []TradeRow // usually the first N trades
	TradesTotal int        // total number of trades; shown when larger than len(Trades)

	Costs       Costs
	Fingerprint string // the run fingerprint, shown verbatim
}

// KV is one labelled value.
type KV struct {
	Key, Value string
}

// MetricRow is one metric, formatted by the caller (e.g. "12.34%", "1.27").
// An empty Benchmark is shown as a dash.
type MetricRow struct {
	Name      string
	Strategy  string
	Benchmark string
}

// SymbolMetrics is the metric table of one symbol.
type SymbolMetrics struct {
	Symbol  string
	Metrics []MetricRow
}

// Point is one sample of a series; points are expected in time order.
type Point struct {
	T time.Time
	V float64
}

// OHLC is one bar of a price chart. Only C is plotted (as a line); O, H and L
// are kept so callers can pass bars unchanged and later chart types can use them.
type OHLC struct {
	T          time.Time // bar open time
	O, H, L, C float64
}

// Marker is an entry or exit on a price chart. Side is "buy" or "long"
// (drawn as an up triangle) or "sell" or "short" (a down triangle); anything
// else is drawn as a buy. Exits are drawn as rings whatever the side.
type Marker struct {
	T     time.Time
	Price float64
	Side  string
}

// SymbolPrices is the price chart of one symbol.
type SymbolPrices struct {
	Symbol  string
	Bars    []OHLC
	Entries []Marker
	Exits   []Marker
}

// MonthReturn is the strategy's return over one calendar month, as a
// fraction (0.05 is +5%).
type MonthReturn struct {
	Year   int
	Month  time.Month
	Return float64
}

// TradeRow is one closed trade, formatted by the caller. A PnL that starts
// with "-" is shown as a loss.
type TradeRow struct {
	Symbol     string
	Side       string // "long" or "short"
	EntryTime  time.Time
	ExitTime   time.Time
	EntryPrice string
	ExitPrice  string
	Qty        string
	PnL        string
	Return     string // e.g. "1.25%"
	Fees       string
	Reason     string // why it closed: "signal", "stop-loss", "take-profit", "end"
}

// Costs is what trading costs ate, formatted by the caller. Empty fields
// are left out.
type Costs struct {
	Fees     string
	Slippage string
	Total    string
}
