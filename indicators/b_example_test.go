package indicators_test

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/indicators"
)

// A SuperTrend with ATR(1) and multiplier 1 on six bars: the first value
// needs one previous close, then the line flips below price (direction +1)
// when the close breaks the upper band, and back above it when the close
// breaks the lower band.
func ExampleNewSuperTrend() {
	st, err := indicators.NewSuperTrend(1, 1, indicators.Settings{})
	if err != nil {
		panic(err)
	}
	bars := [][3]float64{{10, 8, 9}, {11, 9, 10}, {13, 11, 12.5}, {12, 10, 10.5}, {10, 7, 7.5}, {8, 6, 6.5}}
	for _, b := range bars {
		st.Update(indicators.Input{High: b[0], Low: b[1], Close: b[2]})
		fmt.Println(st.Ready(), st.Value(0), st.Value(1))
	}
	// Output:
	// false NaN NaN
	// true 12 -1
	// true 9 1
	// true 9 1
	// true 12 -1
	// true 9 -1
}

// Peek evaluates a forming bar without consuming it: the value equals what
// Update will give once the bar closes.
func ExampleATR_Peek() {
	atr, err := indicators.NewATR(2, indicators.Settings{})
	if err != nil {
		panic(err)
	}
	for _, b := range [][3]float64{{10, 8, 9}, {11, 9, 10}} {
		atr.Update(indicators.Input{High: b[0], Low: b[1], Close: b[2]})
	}
	out := make([]float64, 1)
	forming := indicators.Input{High: 12, Low: 9.5, Close: 11}
	ok := atr.Peek(forming, out)
	fmt.Println(ok, out[0]) // (TR 2 + TR 2.5) / 2
	atr.Update(forming)
	fmt.Println(atr.Value(0))
	// Output:
	// true 2.25
	// 2.25
}
