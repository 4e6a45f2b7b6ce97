package backtest_test

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/backtest"
)

func ExampleParseGrid() {
	grid, err := backtest.ParseGrid("fast=5:20:5,slow=30|50,ma=ema")
	if err != nil {
		panic(err)
	}
	for _, a := range grid {
		fmt.Println(a.Param, a.Values)
	}
	// Output:
	// fast [5 10 15 20]
	// slow [30 50]
	// ma [ema]
}
