// Package htmlreport renders a backtest report as one self-contained HTML
// file: metric tables, a monthly-returns heatmap, a trade list and inline SVG
// charts (equity against the buy-and-hold benchmark, drawdown, and the price
// of every symbol with its entry and exit markers), drawn with
// gonum.org/v1/plot through its vg/vgsvg backend.
//
// The file opens offline: no scripts, no external CSS, fonts or images. The
// charts do not embed fonts (gonum's embedding adds hundreds of kilobytes per
// chart); the page's CSS asks for Liberation Sans, the face gonum measured the
// text with, and falls back to the metric-compatible Arial/Helvetica.
//
// # Input
//
// The package knows nothing of the backtester: its input is [Data], with
// numbers that are either already formatted (metric values, trade prices,
// costs: the caller owns exact decimal formatting) or float64 series that only
// drive chart geometry. Every slice is rendered in the order given; there are
// no maps, so the output order is the caller's.
//
// # Determinism and size
//
// [Write] produces byte-identical output for equal [Data]: no clock, no
// randomness, no map iteration, and gonum's SVG writer formats coordinates
// with a fixed precision. Long series are downsampled before plotting with a
// min/max bucket rule (each bucket keeps its lowest and highest point, in time
// order, so drawdown troughs and price spikes survive), which keeps a report of
// 65,000 bars per series around a megabyte. Markers beyond
// [MaxMarkers] per kind and symbol are thinned evenly, and the page says so.
//
// # Robustness
//
// Non-finite values (NaN, ±Inf) are dropped from series before plotting, empty
// series give an empty chart with a "no data" title, and user strings (titles,
// strategy names, symbols) are HTML-escaped both in the page and inside the
// SVG text. A panic inside the plotting library is recovered and returned as a
// [*ChartError] wrapping [ErrRender], so a report never takes down its caller.
package htmlreport
