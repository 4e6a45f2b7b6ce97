package indicators_test

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/indicators"
)

// A streaming RSI: NaN and not ready during TA-Lib's lookback (the period),
// then one value per close; Peek evaluates a forming bar without changing
// the indicator.
func ExampleNewRSI() {
	rsi, err := indicators.NewRSI(3, indicators.SourceClose, indicators.Settings{})
	if err != nil {
		panic(err)
	}
	for _, c := range []float64{10, 11, 10.5, 12, 12, 11} {
		rsi.Update(indicators.Input{Close: c})
		fmt.Printf("close %-4g ready %-5v rsi %.2f\n", c, rsi.Ready(), rsi.Value(0))
	}
	out := make([]float64, 1)
	rsi.Peek(indicators.Input{Close: 13}, out)
	fmt.Printf("if the next close were 13: %.2f (still %.2f)\n", out[0], rsi.Value(0))
	// Output:
	// close 10   ready false rsi NaN
	// close 11   ready false rsi NaN
	// close 10.5 ready false rsi NaN
	// close 12   ready true  rsi 83.33
	// close 12   ready true  rsi 83.33
	// close 11   ready true  rsi 47.62
	// if the next close were 13: 77.08 (still 47.62)
}

// MACD's three outputs are valid together, from TA-Lib's lookback on.
func ExampleNewMACD() {
	m, err := indicators.NewMACD(3, 6, 2, indicators.SourceClose, indicators.Settings{})
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Name(), m.Outputs(), "lookback", m.Lookback())
	for i := 0; i < 8; i++ {
		m.Update(indicators.Input{Close: float64(100 + i*i%7)})
	}
	fmt.Printf("macd %.4f signal %.4f hist %.4f\n", m.Value(0), m.Value(1), m.Value(2))
	// Output:
	// macd(3,6,2) [macd signal hist] lookback 6
	// macd -0.3929 signal -0.1786 hist -0.2143
}
