package indicators

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadParam is wrapped by every error a constructor returns for a parameter
// outside TA-Lib's range (or an unsupported combination, such as MAMA where a
// period-driven moving average is required). Match it with errors.Is; use
// errors.As with *ParamRangeError for the details.
var ErrBadParam = errors.New("indicators: bad parameter")

// ParamRangeError reports a parameter outside its inclusive range [Min, Max].
// It unwraps to [ErrBadParam].
type ParamRangeError struct {
	Indicator string  // lower-case function name, "ema"
	Param     string  // parameter name as TA-Lib calls it, "timeperiod"
	Value     float64 // the value given
	Min, Max  float64 // the inclusive range
}

// Error implements error.
func (e *ParamRangeError) Error() string {
	return fmt.Sprintf("indicators: %s %s %s out of range %s..%s", e.Indicator, e.Param,
		strconv.FormatFloat(e.Value, 'g', -1, 64),
		strconv.FormatFloat(e.Min, 'g', -1, 64), strconv.FormatFloat(e.Max, 'g', -1, 64))
}

// Unwrap returns ErrBadParam.
func (e *ParamRangeError) Unwrap() error { return ErrBadParam }

// checkRange returns a *ParamRangeError when v is outside [lo, hi] (NaN is
// always outside).
func checkRange(ind, param string, v, lo, hi float64) error {
	if v >= lo && v <= hi {
		return nil
	}
	return &ParamRangeError{Indicator: ind, Param: param, Value: v, Min: lo, Max: hi}
}

// checkPeriod checks an integer period against [lo, hi].
func checkPeriod(ind, param string, v, lo, hi int) error {
	return checkRange(ind, param, float64(v), float64(lo), float64(hi))
}

// TA-Lib's real-parameter range (TA_REAL_MIN..TA_REAL_MAX).
const (
	taRealMin = -3e37
	taRealMax = 3e37
)
