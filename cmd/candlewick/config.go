package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/candlewick-labs/candlewick/engine"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/indicators"
	"github.com/candlewick-labs/candlewick/strategies"
)

// runConfig is the YAML file of 'candlewick run --config' (see
// deploy/run.example.yaml). Unknown keys are errors, with their line.
type runConfig struct {
	// DataDir is the embedded log's directory; --data-dir overrides it.
	// Relative paths are relative to the config file.
	DataDir string `yaml:"data_dir"`
	// SnapshotEvery is the number of input events between snapshots.
	SnapshotEvery int `yaml:"snapshot_every"`
	// Provisional evaluates forming higher-timeframe bars.
	Provisional bool `yaml:"provisional"`
	// Once processes what is in the market stream and exits.
	Once bool `yaml:"once"`
	// Symbols restricts every strategy without symbols of its own.
	Symbols []string `yaml:"symbols"`
	// Strategies to run; empty means every built-in with default params.
	Strategies []strategyConfig `yaml:"strategies"`
}

// strategyConfig is one strategy instance of a runConfig.
type strategyConfig struct {
	// Name of the instance in signals; default the strategy's name.
	Name string `yaml:"name"`
	// Strategy is a built-in strategy name, or the path of a YAML rule file
	// (relative to the config file); exactly one of Strategy and File.
	Strategy string `yaml:"strategy"`
	File     string `yaml:"file"`
	// Params override the strategy's defaults, by parameter name.
	Params map[string]string `yaml:"params"`
	// Symbols and Intervals restrict the series it runs on; empty = all.
	Symbols   []string `yaml:"symbols"`
	Intervals []string `yaml:"intervals"`
}

// loadRunConfig reads and strictly decodes the config file at path.
func loadRunConfig(path string) (runConfig, error) {
	var c runConfig
	data, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file: every default
		}
		return c, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	base := filepath.Dir(path)
	if c.DataDir != "" && !filepath.IsAbs(c.DataDir) {
		c.DataDir = filepath.Join(base, c.DataDir)
	}
	for i := range c.Strategies {
		if f := c.Strategies[i].File; f != "" && !filepath.IsAbs(f) {
			c.Strategies[i].File = filepath.Join(base, f)
		}
	}
	if c.SnapshotEvery < 0 {
		return c, fmt.Errorf("%s: snapshot_every %d is negative", path, c.SnapshotEvery)
	}
	return c, nil
}

// instances turns the strategy configs into engine instances: built-ins are
// looked up in reg, rule files loaded with loadRules. No strategies means
// every strategy of reg with its default parameters.
func instances(reg *strategies.Registry, cfgs []strategyConfig, symbols []string,
	loadRules func(path string) (strategies.Def, error)) ([]engine.Instance, error) {
	if len(cfgs) == 0 {
		for _, name := range reg.Names() {
			cfgs = append(cfgs, strategyConfig{Strategy: name})
		}
	}
	var out []engine.Instance
	var errs []error
	for i, sc := range cfgs {
		what := fmt.Sprintf("strategy %d", i+1)
		var def strategies.Def
		switch {
		case sc.Strategy != "" && sc.File != "":
			errs = append(errs, fmt.Errorf("%s: give strategy or file, not both", what))
			continue
		case sc.File != "":
			if loadRules == nil {
				errs = append(errs, fmt.Errorf("%s: YAML rule files are not supported by this build", what))
				continue
			}
			d, err := loadRules(sc.File)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", what, err))
				continue
			}
			def = d
		case sc.Strategy != "":
			d, ok := reg.Lookup(sc.Strategy)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: unknown strategy %q; built-ins are %s", what, sc.Strategy, strings.Join(reg.Names(), ", ")))
				continue
			}
			def = d
		default:
			errs = append(errs, fmt.Errorf("%s: give a built-in strategy name or a rule file", what))
			continue
		}
		p, err := strategies.Bind(def, sc.Params)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", what, def.Name, err))
			continue
		}
		in := engine.Instance{Name: sc.Name, Def: def, Params: p, Symbols: sc.Symbols}
		if len(in.Symbols) == 0 {
			in.Symbols = symbols
		}
		for _, s := range sc.Intervals {
			iv, err := events.ParseInterval(s)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (%s): interval %q: %w", what, def.Name, s, err))
				continue
			}
			in.Intervals = append(in.Intervals, iv)
		}
		out = append(out, in)
	}
	return out, errors.Join(errs...)
}

// registries returns what every command resolves strategies against: the
// built-in strategies, and the indicator registry with TA-Lib's default
// settings (which rule files' indicator specs use).
func registries() (*strategies.Registry, *indicators.Registry, error) {
	reg, err := strategies.NewRegistry(strategies.Builtins()...)
	if err != nil {
		return nil, nil, err
	}
	ireg, err := indicators.DefaultRegistry()
	if err != nil {
		return nil, nil, err
	}
	return reg, ireg, nil
}
