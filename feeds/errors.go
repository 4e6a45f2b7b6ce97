package feeds

import (
	"errors"
	"strconv"
)

// Errors returned (wrapped in an [*ImportError]) by [Import] and [ImportFile].
var (
	// ErrUnknownFormat: the content matches no supported format; set
	// Options.Format, or the file is not bar data.
	ErrUnknownFormat = errors.New("feeds: unknown file format")
	// ErrMalformed: the file breaks its format where no row can be skipped
	// (JSON syntax errors, truncated JSON); rows before the damage are
	// delivered.
	ErrMalformed = errors.New("feeds: malformed file")
	// ErrEmpty: the input holds no data at all (zero bytes or only blanks).
	ErrEmpty = errors.New("feeds: empty input")
	// ErrColumns: required columns (time, open, high, low, close) are missing
	// from the header or Options.Columns.
	ErrColumns = errors.New("feeds: missing columns")
	// ErrNoSymbol: neither the options, the data nor the file name names the
	// symbol; set Options.Symbol.
	ErrNoSymbol = errors.New("feeds: cannot tell the symbol")
	// ErrNoInterval: neither the options, the data nor the file name gives the
	// bar interval, and there are too few rows to infer it; set Options.Interval.
	ErrNoInterval = errors.New("feeds: cannot tell the bar interval")
	// ErrOption: an option value is invalid (unknown Format or TimeUnit).
	ErrOption = errors.New("feeds: invalid option")
	// ErrSink: the sink returned an error; the import stopped there.
	ErrSink = errors.New("feeds: sink failed")
)

// ImportError is the fatal error of an import: it names the file and, where
// known, the line (or JSON element) being read. Rejected rows are not errors;
// they go to the sink as dead letters.
type ImportError struct {
	File string
	Line int // 1-based line, or 0 when not tied to a line
	Err  error
}

// Error implements error.
func (e *ImportError) Error() string {
	s := "feeds: import " + e.File
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause, so errors.Is(err, ErrUnknownFormat) works.
func (e *ImportError) Unwrap() error { return e.Err }
