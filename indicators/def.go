package indicators

import (
	"strconv"
	"strings"
)

// MAType selects a moving average, numbered as TA-Lib's TA_MAType so that
// specs and go-talib calls agree: sma=0, ema=1, wma=2, dema=3, tema=4,
// trima=5, kama=6, mama=7, t3=8.
type MAType int

// Moving average types.
const (
	MASMA MAType = iota
	MAEMA
	MAWMA
	MADEMA
	MATEMA
	MATRIMA
	MAKAMA
	MAMAMA
	MAT3
)

var maTypeNames = [...]string{"sma", "ema", "wma", "dema", "tema", "trima", "kama", "mama", "t3"}

// String returns the lower-case name ("sma").
func (t MAType) String() string {
	if t >= 0 && int(t) < len(maTypeNames) {
		return maTypeNames[t]
	}
	return "matype(" + strconv.Itoa(int(t)) + ")"
}

// ParamKind is the type of an indicator parameter.
type ParamKind uint8

// Parameter kinds.
const (
	ParamInt    ParamKind = iota // a period or count
	ParamFloat                   // a multiplier, acceleration, ...
	ParamMAType                  // an MAType, written by name or number
)

// ParamDef describes one parameter: its name as TA-Lib calls it (lower case,
// without TA-Lib's "optIn" prefix), kind, default and inclusive range.
// Optional parameters that are trailing and equal to their default are left
// out of the normalised spec ("bbands(20,2,2)" rather than
// "bbands(20,2,2,sma)").
type ParamDef struct {
	Name     string
	Kind     ParamKind
	Default  float64
	Min, Max float64
	Optional bool
}

// Settings carries TA-Lib's global settings, made explicit per indicator:
// the unstable period of each function that has one (TA_SetUnstablePeriod),
// keyed by TA-Lib's upper-case function name ("EMA", "RSI", "ATR", ...). The
// zero value is TA-Lib's default: no unstable periods. Composite indicators
// consult their parts' entries as TA-Lib does (DEMA's lookback is twice EMA's,
// including EMA's unstable period).
type Settings struct {
	Unstable map[string]int
}

// UnstablePeriod returns the unstable period set for TA-Lib function fn.
func (s Settings) UnstablePeriod(fn string) int { return s.Unstable[fn] }

// Def describes a streaming indicator for the registry and the spec language.
type Def struct {
	Name      string     // lower case, as written in specs: "macd"
	Title     string     // "Moving Average Convergence/Divergence"
	Inputs    string     // what it reads: "value" (a Source), "hlc", "hlcv", "ohlc", "hl", "cv", "ohlcv"
	Params    []ParamDef // in positional order
	Outputs   []string   // output names, "value" for single-output indicators
	HasSource bool       // accepts a trailing source argument ("rsi(14,hl2)")
	// New builds the indicator from params (one per Params entry, already
	// range-checked and defaulted by the registry).
	New func(params []float64, src Source, set Settings) (Indicator, error)
}

// specName formats a normalised spec: fn(p1,p2,...[,source]) with numbers in
// their shortest form and the source only when it is not close. Every
// indicator's Name() is built with it, so that names and parsed specs agree.
func specName(fn string, src Source, params ...float64) string {
	var b strings.Builder
	b.WriteString(fn)
	b.WriteByte('(')
	for i, p := range params {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatFloat(p, 'g', -1, 64))
	}
	if src != SourceClose {
		if len(params) > 0 {
			b.WriteByte(',')
		}
		b.WriteString(src.String())
	}
	b.WriteByte(')')
	return b.String()
}

// series is a single-input, single-output indicator that composite indicators
// (MACD, BBANDS, STOCH, ...) feed with values they computed.
type series interface {
	Indicator
	// Next consumes v and returns the new value (NaN during the lookback).
	Next(v float64) float64
	// PeekNext returns what Next(v) would return, without changing state.
	PeekNext(v float64) float64
}
