package indicators

import "math"

// Input is one update of an indicator: one bar's prices and volume, already
// converted to float64 (TA-Lib's arithmetic). Single-input indicators read the
// field their [Source] selects; the rest read what they need (ATR reads High,
// Low, Close). Time is the bar's open time in Unix nanoseconds; only
// session-anchored indicators (VWAP) use it.
type Input struct {
	Open, High, Low, Close, Volume float64
	Time                           int64
}

// Source selects the value a single-input indicator reads from an [Input].
// The zero value is [SourceClose].
type Source uint8

// Sources.
const (
	SourceClose Source = iota
	SourceOpen
	SourceHigh
	SourceLow
	SourceVolume
	SourceHL2   // (high+low)/2, TA-Lib MEDPRICE
	SourceHLC3  // (high+low+close)/3, TA-Lib TYPPRICE
	SourceOHLC4 // (open+high+low+close)/4, TA-Lib AVGPRICE
)

var sourceNames = [...]string{"close", "open", "high", "low", "volume", "hl2", "hlc3", "ohlc4"}

// String returns the source's name as the spec language writes it ("close").
func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "source(?)"
}

// ParseSource returns the Source named s, and false if there is none.
func ParseSource(s string) (Source, bool) {
	for i, n := range sourceNames {
		if n == s {
			return Source(i), true
		}
	}
	return 0, false
}

// Of returns the value s selects from in.
func (s Source) Of(in Input) float64 {
	switch s {
	case SourceOpen:
		return in.Open
	case SourceHigh:
		return in.High
	case SourceLow:
		return in.Low
	case SourceVolume:
		return in.Volume
	case SourceHL2:
		return (in.High + in.Low) / 2
	case SourceHLC3:
		return (in.High + in.Low + in.Close) / 3
	case SourceOHLC4:
		return (in.Open + in.High + in.Low + in.Close) / 4
	}
	return in.Close
}

// Indicator is a streaming technical indicator: one [Input] per Update in O(1)
// amortised time (O(log n) where a sliding max/min needs it) and no heap
// allocation.
//
// Values follow TA-Lib: after Lookback() inputs have been consumed, the next
// Update (input index Lookback(), counting from 0) gives the first valid value.
// Before that Ready reports false and Value returns NaN, never 0.
//
// An Indicator is not safe for concurrent use; the engine gives each one to a
// single goroutine.
type Indicator interface {
	// Name is the normalised spec, e.g. "sma(30)" or "macd(12,26,9)".
	Name() string
	// Outputs names the outputs in order ("macd", "signal", "hist"); a
	// single-output indicator has one output, named "value". The returned slice
	// is shared and must not be modified.
	Outputs() []string
	// Lookback is the number of inputs consumed before the first valid value:
	// exactly TA-Lib's lookback for the same parameters, including the
	// unstable period where TA-Lib has one.
	Lookback() int
	// Update consumes one input.
	Update(in Input)
	// Ready reports whether the latest Update produced a valid value.
	Ready() bool
	// Value returns output i of the latest Update, or NaN when not Ready.
	Value(i int) float64
	// Peek writes into out (len(out) >= len(Outputs())) the values that
	// Update(in) would give, without changing any state, and reports whether
	// they would be valid. It is what a forming bar is evaluated with.
	Peek(in Input, out []float64) bool
	// Reset returns the indicator to its freshly constructed state.
	Reset()
	// MarshalBinary snapshots the state (versioned); UnmarshalBinary restores
	// it into an indicator constructed with the same parameters, after which
	// updates continue bit for bit as an uninterrupted run would.
	MarshalBinary() ([]byte, error)
	UnmarshalBinary(data []byte) error
}

// ValuesReader is implemented by indicators with several outputs that can
// hand them all out in one call: Values(out) writes Value(i) into out[i] for
// every output i (len(out) >= len(Outputs())). It is an optional extension
// of [Indicator] for callers that record every output after each Update
// (the engine does), saving a call per output.
type ValuesReader interface {
	Values(out []float64)
}

// nan is the value of an output that is not valid.
var nan = math.NaN()
