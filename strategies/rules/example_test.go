package rules_test

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

func ExampleLoad() {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		panic(err)
	}
	def, err := rules.Load([]byte(`
name: rsi_dip
version: "2"
params:
  lower: {type: float, default: 30, min: 0, max: 100}
  trend_days: {type: int, default: 50, min: 2, max: 400}
indicators:
  rsi: rsi(14)
  trend: sma(${trend_days})@1d
rules:
  - when: crosses_above(rsi, lower) and close > trend
    signal: long
    reason: RSI dip in an uptrend
`), "rsi_dip.yaml", reg)
	if err != nil {
		fmt.Println(err)
		return
	}
	params, err := strategies.Bind(def, map[string]string{"trend_days": "20"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := def.New(params)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Name, def.Version, params.Format())
	for _, n := range s.Needs().Indicators {
		fmt.Printf("%s on %q\n", n.Spec, n.Timeframe)
	}
	// Output:
	// rsi_dip 2 lower=30,trend_days=20
	// rsi(14) on ""
	// sma(20) on "1d"
}

func ExampleLoad_errors() {
	reg, err := indicators.NewRegistry(indicators.Settings{})
	if err != nil {
		panic(err)
	}
	_, err = rules.Load([]byte(`name: broken
indicators:
  rsi: rsi(14)
  trend: smaa(200)
rules:
  - when: rsi < 30 and close > trnd
    signal: buy
`), "broken.yaml", reg)
	fmt.Println(err)
	// Output:
	// broken.yaml:4:10: indicators.trend: bad indicator spec: unknown indicator "smaa" at column 1; did you mean sma?
	// 	smaa(200)
	// 	^
	// broken.yaml:6:32: rules[0].when: unknown name "trnd"; did you mean trend?
	// 	rsi < 30 and close > trnd
	// 	                     ^
	// broken.yaml:7:13: rules[0].signal: unknown signal "buy"; allowed: long, short, exit, flat
}
