package main

import (
	"context"
	"fmt"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

func cmdValidate(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "validate", "[flags] FILE...", `
Check market data files without importing them: every row is parsed and validated
as import would, and every rejected row is printed as "file:line: reason". Exits 1
if any row was rejected or a file could not be read.`)
	var ff feedFlags
	ff.register(fs)
	maxShown := fs.Int("max", 20, "print at most this many rejected rows per file (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no files to validate")
	}
	opt, err := ff.options()
	if err != nil {
		return err
	}
	bad := 0
	for _, path := range fs.Args() {
		shown := 0
		sink := feeds.SinkFuncs{OnReject: func(d events.DeadLetter) error {
			if *maxShown == 0 || shown < *maxShown {
				fmt.Fprintf(sio.out, "%s: %s\n", d.Source, d.Reason)
			}
			shown++
			return nil
		}}
		sum, err := feeds.ImportFile(ctx, path, opt, sink)
		if err != nil {
			return err
		}
		if *maxShown > 0 && shown > *maxShown {
			fmt.Fprintf(sio.out, "%s: ... and %d more rejected rows\n", path, shown-*maxShown)
		}
		fmt.Fprintf(sio.out, "%s: %s\n", path, summaryLine(sum, -1, 0))
		bad += sum.Rejected
	}
	if bad > 0 {
		return fmt.Errorf("%d rejected rows", bad)
	}
	return nil
}
