package feeds

import (
	"fmt"
	"time"

	"github.com/candlewick-labs/candlewick/events"
)

// Format names a bar file format. The zero value means "detect".
type Format string

// Supported formats; the strings are what the CLI's --format flag accepts.
const (
	FormatAuto          Format = ""
	FormatBinanceCSV    Format = "binance-csv"
	FormatCSV           Format = "csv"
	FormatNinjabotCSV   Format = "ninjabot-csv"
	FormatWideCSV       Format = "wide-csv"
	FormatFreqtradeJSON Format = "freqtrade-json"
	FormatCandlesJSON   Format = "candles-json"
	FormatOHLCJSON      Format = "ohlc-json"
	FormatJSONL         Format = "jsonl"
)

// Formats lists every supported format, in documentation order.
func Formats() []Format {
	return []Format{FormatBinanceCSV, FormatCSV, FormatNinjabotCSV, FormatWideCSV,
		FormatFreqtradeJSON, FormatCandlesJSON, FormatOHLCJSON, FormatJSONL}
}

// ParseFormat returns the Format named s ("" and "auto" give FormatAuto), or
// an error wrapping ErrOption.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: format %q", ErrOption, s)
}

func (f Format) isCSV() bool {
	switch f {
	case FormatBinanceCSV, FormatCSV, FormatNinjabotCSV, FormatWideCSV:
		return true
	}
	return false
}

// TimeUnit is the unit of epoch-number times. The zero value means "by
// magnitude" (see the package documentation).
type TimeUnit string

// Time units.
const (
	UnitAuto        TimeUnit = ""
	UnitSecond      TimeUnit = "s"
	UnitMillisecond TimeUnit = "ms"
	UnitMicrosecond TimeUnit = "us"
	UnitNanosecond  TimeUnit = "ns"
)

func (u TimeUnit) valid() bool {
	switch u {
	case UnitAuto, UnitSecond, UnitMillisecond, UnitMicrosecond, UnitNanosecond:
		return true
	}
	return false
}

// Options steer an import. The zero value detects everything. Every field
// that is set overrides what the file name or the data says.
type Options struct {
	// Format forces the format instead of detecting it.
	Format Format
	// Symbol forces the symbol of every bar (normalised by [NormalizeSymbol]).
	// For a wide file it is ignored: each coin column names its own symbol.
	Symbol string
	// Venue forces the venue of every bar, e.g. "binance".
	Venue string
	// Interval forces the bar interval.
	Interval events.Interval
	// Columns gives the column order of a headerless CSV, or overrides a
	// header's names, e.g. {"time","open","close","low","high","volume","trades"}.
	// Names are matched like header names; unknown names are ignored columns
	// ("-" is the conventional placeholder). See [ParseColumns].
	Columns []string
	// TimeUnit forces the unit of epoch-number times.
	TimeUnit TimeUnit
	// Progress, if set, is called from the importing goroutine with the
	// number of input bytes consumed so far (compressed bytes for gzip input)
	// and the total (-1 when unknown), every 256 KiB or so and once at the end.
	Progress func(bytesRead, total int64)
	// Now stamps dead letters (events.DeadLetter.Time). Nil means time.Now;
	// tests pass a fixed clock.
	Now func() time.Time
}

// ParseColumns splits a --columns flag value ("time,open,close,low,high,volume")
// into Options.Columns.
func ParseColumns(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, trimSpace(s[start:i]))
			start = i + 1
		}
	}
	return out
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// Sink receives the results of an import from the importing goroutine, bars
// in ascending open time per symbol. A non-nil error from either method stops
// the import; Import then returns it wrapped with ErrSink. The DeadLetter's
// Original is a fresh copy the sink may keep.
type Sink interface {
	Bar(events.Bar) error
	Reject(events.DeadLetter) error
}

// SinkFuncs adapts two functions to a [Sink]; a nil function discards.
type SinkFuncs struct {
	OnBar    func(events.Bar) error
	OnReject func(events.DeadLetter) error
}

// Bar calls OnBar.
func (s SinkFuncs) Bar(b events.Bar) error {
	if s.OnBar == nil {
		return nil
	}
	return s.OnBar(b)
}

// Reject calls OnReject.
func (s SinkFuncs) Reject(d events.DeadLetter) error {
	if s.OnReject == nil {
		return nil
	}
	return s.OnReject(d)
}

// SymbolSummary counts one symbol's rows.
type SymbolSummary struct {
	Symbol     string
	Imported   int
	Duplicates int
	Rejected   int
	Skipped    int       // wide files: empty cells before the coin's start
	First      time.Time // open time of the first imported bar
	Last       time.Time // open time of the last imported bar
}

// Summary describes a finished (or stopped) import.
//
// Read counts data records (CSV lines after the header, JSON array elements,
// JSONL lines); a wide row holding three coins is one record. Every record ends
// up in exactly one of Imported, Duplicates, Rejected or Skipped, per coin for
// wide rows, so Imported+Duplicates+Rejected+Skipped == Read × coins for wide
// files and == Read otherwise. Comments counts ignored comment and blank lines.
type Summary struct {
	File       string
	Format     Format
	Columns    []string // the column roles in use, in file order ("" for ignored)
	Venue      string
	Interval   events.Interval
	Descending bool // the file ran newest-first and was re-ordered
	Symbols    []SymbolSummary

	Read       int
	Imported   int
	Duplicates int
	Rejected   int
	Skipped    int
	Comments   int
	First      time.Time // earliest imported open time
	Last       time.Time // latest imported open time
}

// Symbol returns the per-symbol summary for sym, or false.
func (s *Summary) Symbol(sym string) (SymbolSummary, bool) {
	for _, x := range s.Symbols {
		if x.Symbol == sym {
			return x, true
		}
	}
	return SymbolSummary{}, false
}
