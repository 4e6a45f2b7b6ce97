// Command candlewick is Candlewick's one binary: it imports market data,
// inspects the event log, computes indicators and (in later commands) runs
// strategies and backtests. This package only wires flags to the library
// packages; the logic lives in them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}
