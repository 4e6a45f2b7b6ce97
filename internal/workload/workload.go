// Package workload defines the reference workload of the engine's
// throughput budget (ARCHITECTURE.md): EMA cross (20/50), RSI reversion
// (14, 30/70), MACD cross (12/26/9) and Bollinger (20, 2), each on 5m and
// on 1h, over the five Binance 5m series of the shared data. The engine,
// backtest and Kafka benchmarks take it from here, so that they measure
// the same work.
package workload

import (
	"fmt"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/strategies"
)

// Symbols are the bases of the reference series, the files
// "<symbol>_USDT-5m.json.gz" of the shared data's binance-spot-nfi folder.
var Symbols = []string{"BTC", "ETH", "ADA", "SOL", "XRP"}

// Reference returns the reference workload's eight strategy instances,
// named "<def>@<timeframe>", in a new slice.
func Reference() ([]engine.Instance, error) {
	params := []struct {
		def strategies.Def
		p   map[string]string
	}{
		{strategies.EMACrossDef(), map[string]string{"fast": "20", "slow": "50"}},
		{strategies.RSIReversionDef(), map[string]string{"period": "14", "lower": "30", "upper": "70"}},
		{strategies.MACDCrossDef(), map[string]string{"fast": "12", "slow": "26", "signal": "9"}},
		{strategies.BollingerDef(), map[string]string{"period": "20", "nbdev": "2"}},
	}
	var out []engine.Instance
	for _, tf := range []string{"5m", "1h"} {
		for _, np := range params {
			over := map[string]string{"timeframe": tf}
			for k, v := range np.p {
				over[k] = v
			}
			p, err := strategies.Bind(np.def, over)
			if err != nil {
				return nil, fmt.Errorf("workload: %s@%s: %w", np.def.Name, tf, err)
			}
			out = append(out, engine.Instance{Name: np.def.Name + "@" + tf, Def: np.def, Params: p})
		}
	}
	return out, nil
}
