package main

import (
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
	"github.com/candlewick-labs/candlewick/strategies/rules"
)

// ruleLoader returns the loader of YAML rule files for 'run' and 'demo'.
// reg must be the registry the engine builds indicators with, since it
// decides the indicators' warm-up.
func ruleLoader(reg *indicators.Registry) func(path string) (strategies.Def, error) {
	return func(path string) (strategies.Def, error) { return rules.LoadFile(path, reg) }
}
