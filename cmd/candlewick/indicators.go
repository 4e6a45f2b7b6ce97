package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/indicators"
)

func cmdIndicators(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "indicators", "--input FILE --spec SPECS [flags]", `
Compute indicators over a bar file (any format import accepts) and print one row per
bar: the bar's open time (RFC 3339), then one column per indicator output, named by
its normalised spec ("sma(30)", "macd(12,26,9).signal"). Rows inside an indicator's
warm-up (lookback) have empty cells (null in JSONL). Values are printed with full
float64 precision (the shortest form that reads back to the same float).

Specs are comma separated: "sma(30),macd(12,26,9),bbands(20,2,2),rsi(14,hl2)";
"macd(12,26,9).signal" selects one output. --list prints every indicator with its
parameters, defaults, ranges and outputs.`)
	input := fs.String("input", "", "bar file to read (required)")
	spec := fs.String("spec", "", "indicator specs, comma separated (required)")
	out := fs.String("out", "csv", "output format: csv or jsonl")
	list := fs.Bool("list", false, "list the available indicators and exit")
	unstable := fs.String("unstable", "", `TA-Lib unstable periods, e.g. "EMA=20,RSI=10"`)
	var ff feedFlags
	ff.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set, err := parseUnstable(*unstable)
	if err != nil {
		return err
	}
	reg, err := indicators.NewRegistry(set)
	if err != nil {
		return err
	}
	if *list {
		return listIndicators(sio, reg)
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected argument %q (the file goes after --input)", fs.Arg(0))
	case *input == "":
		return usagef("--input FILE is required")
	case *spec == "":
		return usagef("--spec is required, e.g. --spec \"sma(30),macd(12,26,9)\"")
	case *out != "csv" && *out != "jsonl":
		return usagef("--out %q: want csv or jsonl", *out)
	}
	inds, cols, err := reg.NewColumns(*spec)
	if err != nil {
		return err
	}
	opt, err := ff.options()
	if err != nil {
		return err
	}
	bars, err := readSeries(ctx, *input, opt)
	if err != nil {
		return err
	}

	w := bufio.NewWriterSize(sio.out, 64<<10)
	var emit func(t string, vals []float64, ok []bool) error
	if *out == "csv" {
		cw := csv.NewWriter(w)
		header := make([]string, 1, len(cols)+1)
		header[0] = "time"
		for _, c := range cols {
			header = append(header, c.Name)
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		row := make([]string, len(cols)+1)
		emit = func(t string, vals []float64, ok []bool) error {
			row[0] = t
			for i := range cols {
				row[i+1] = ""
				if ok[i] {
					row[i+1] = strconv.FormatFloat(vals[i], 'g', -1, 64)
				}
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}
	} else {
		keys := make([][]byte, len(cols))
		for i, c := range cols {
			keys[i] = strconv.AppendQuote(nil, c.Name)
		}
		var line []byte
		emit = func(t string, vals []float64, ok []bool) error {
			line = append(line[:0], `{"time":`...)
			line = strconv.AppendQuote(line, t)
			for i := range cols {
				line = append(line, ',')
				line = append(line, keys[i]...)
				line = append(line, ':')
				if ok[i] {
					line = strconv.AppendFloat(line, vals[i], 'g', -1, 64)
				} else {
					line = append(line, "null"...)
				}
			}
			line = append(line, '}', '\n')
			_, err := w.Write(line)
			return err
		}
	}
	vals := make([]float64, len(cols))
	ok := make([]bool, len(cols))
	for _, b := range bars {
		in := indicators.Input{
			Open: b.Open.Float64(), High: b.High.Float64(), Low: b.Low.Float64(),
			Close: b.Close.Float64(), Volume: b.Volume.Float64(), Time: b.OpenTime.UnixNano(),
		}
		for _, ind := range inds {
			ind.Update(in)
		}
		for i, c := range cols {
			ind := inds[c.Indicator]
			vals[i], ok[i] = ind.Value(c.Output), ind.Ready()
			if ok[i] && (math.IsNaN(vals[i]) || math.IsInf(vals[i], 0)) {
				ok[i] = false // e.g. a ratio over a zero denominator: not a number to print
			}
		}
		if err := emit(b.OpenTime.Format("2006-01-02T15:04:05.999999999Z07:00"), vals, ok); err != nil {
			return err
		}
	}
	return w.Flush()
}

// readSeries imports one bar series from path. A file holding several
// symbols or intervals needs --symbol (and --interval) to pick one.
func readSeries(ctx context.Context, path string, opt feeds.Options) ([]events.Bar, error) {
	type key struct {
		sym string
		iv  events.Interval
	}
	series := map[key][]events.Bar{}
	var order []key
	sink := feeds.SinkFuncs{OnBar: func(b events.Bar) error {
		k := key{b.Symbol, b.Interval}
		if _, seen := series[k]; !seen {
			order = append(order, k)
		}
		series[k] = append(series[k], b)
		return nil
	}}
	if _, err := feeds.ImportFile(ctx, path, opt, sink); err != nil {
		return nil, err
	}
	switch len(order) {
	case 0:
		return nil, fmt.Errorf("%s holds no valid bars", path)
	case 1:
		return series[order[0]], nil
	}
	names := make([]string, len(order))
	for i, k := range order {
		names[i] = k.sym + " " + k.iv.String()
	}
	return nil, usagef("%s holds several series (%s): pick one with --symbol", path, strings.Join(names, ", "))
}

// parseUnstable reads "EMA=20,RSI=10" into TA-Lib unstable periods.
func parseUnstable(s string) (indicators.Settings, error) {
	var set indicators.Settings
	if s == "" {
		return set, nil
	}
	set.Unstable = map[string]int{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(val)
		if !ok || err != nil || n < 0 || name == "" {
			return set, usagef("--unstable %q: want NAME=N pairs with N >= 0, e.g. EMA=20,RSI=10", part)
		}
		set.Unstable[strings.ToUpper(name)] = n
	}
	return set, nil
}

func listIndicators(sio stdio, reg *indicators.Registry) error {
	w := bufio.NewWriter(sio.out)
	defs := reg.Defs()
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	for _, d := range defs {
		params := make([]string, len(d.Params))
		for i, p := range d.Params {
			params[i] = fmt.Sprintf("%s=%s [%s..%s]", p.Name, num(p.Default), num(p.Min), num(p.Max))
		}
		if len(params) == 0 {
			params = []string{"none"}
		}
		src := ""
		if d.HasSource {
			src = " [,source]"
		}
		fmt.Fprintf(w, "%-18s %s\n    params: %s%s\n    reads: %s; outputs: %s\n", d.Name, d.Title,
			strings.Join(params, ", "), src, d.Inputs, strings.Join(d.Outputs, ", "))
	}
	return w.Flush()
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
