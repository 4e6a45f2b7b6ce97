package indicators_test

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/indicators"
)

func ExampleRegistry_New() {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		panic(err)
	}
	sma, err := reg.New("SMA( 3, hl2 )")
	if err != nil {
		panic(err)
	}
	fmt.Println(sma.Name(), "lookback", sma.Lookback())
	for _, p := range []float64{10, 11, 12, 13} {
		sma.Update(indicators.Input{High: p + 1, Low: p - 1, Close: p})
		fmt.Println(sma.Ready(), sma.Value(0))
	}

	_, err = reg.New("smaa(3)")
	fmt.Println(err)
	// Output:
	// sma(3,hl2) lookback 2
	// false NaN
	// false NaN
	// true 11
	// true 12
	// unknown indicator "smaa" at column 1; did you mean sma?
	//	smaa(3)
	//	^
}
