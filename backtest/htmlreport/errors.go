package htmlreport

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrRender is wrapped by a [*ChartError] when the plotting library
	// panicked or failed while drawing a chart.
	ErrRender = errors.New("htmlreport: render chart")
)

// ChartError reports which chart could not be drawn. Err wraps [ErrRender]
// and, where there is one, the library's error.
type ChartError struct {
	Chart string // e.g. "equity", "drawdown", "price BTC-USDT"
	Err   error
}

func (e *ChartError) Error() string { return fmt.Sprintf("htmlreport: chart %q: %v", e.Chart, e.Err) }

// Unwrap returns the underlying error.
func (e *ChartError) Unwrap() error { return e.Err }
