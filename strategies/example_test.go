package strategies_test

import (
	"errors"
	"fmt"

	"github.com/candlewick-labs/candlewick/strategies"
)

// main builds the registry from the built-ins (and any Defs of its own);
// configs then name a strategy and override some of its parameters.
func ExampleRegistry() {
	reg, err := strategies.NewRegistry(strategies.Builtins()...)
	if err != nil {
		panic(err) // a programming error: a malformed or duplicate Def
	}
	fmt.Println(reg.Names())

	def, params, err := reg.Bind("ema_cross", map[string]string{"fast": "10", "ma": "SMA", "timeframe": "60m"})
	if err != nil {
		panic(err)
	}
	fmt.Println(def.Name, "v"+def.Version, params.Format())
	fmt.Println("param hash", params.Hash())
	s, err := def.New(params)
	if err != nil {
		panic(err)
	}
	for _, in := range s.Needs().Indicators {
		fmt.Println("needs", in.Spec, "on", in.Timeframe)
	}

	// Every bad value is reported at once, naming the parameter and what
	// it allows.
	_, _, err = reg.Bind("ema_cross", map[string]string{"fast": "1", "ma": "wma", "slwo": "30"})
	fmt.Println(errors.Is(err, strategies.ErrParam))
	fmt.Println(err)
	// Output:
	// [bollinger donchian_breakout ema_cross macd_cross rsi_reversion supertrend]
	// ema_cross v1 fast=10,slow=50,ma=sma,timeframe=1h,short=true
	// param hash 4f00358344c78fb3a4cf965ebde855a8
	// needs sma(10) on 1h
	// needs sma(50) on 1h
	// true
	// strategies: ema_cross: parameter fast = "1": out of range, allowed 2..100000 (integer)
	// strategies: ema_cross: parameter ma = "wma": not allowed, allowed one of ema, sma
	// strategies: ema_cross: parameter slwo = "30": no such parameter; declared: fast, slow, ma, timeframe, short
}
