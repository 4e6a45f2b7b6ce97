package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/candlewick-labs/candlewick/indicators"
)

// stdio is where a command reads and writes; tests pass buffers.
type stdio struct {
	in  io.Reader
	out io.Writer
	err io.Writer
}

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, io stdio, args []string) error
}

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{
		{"import", "import market data files into the market stream", cmdImport},
		{"validate", "check market data files without importing them", cmdValidate},
		{"cat", "print a stream of the event log as JSONL", cmdCat},
		{"indicators", "compute indicators over a bar file (CSV or JSONL out)", cmdIndicators},
		{"run", "run strategies over the market stream, appending signals", cmdRun},
		{"signals", "print the signal stream as JSONL, filtered", cmdSignals},
		{"backtest", "backtest a strategy: fills, costs, metrics, report", cmdBacktest},
		{"verify", "replay the market stream and compare with recorded signals", cmdVerify},
		{"check-lookahead", "check strategies for look-ahead on prefixes of the data", cmdCheckLookahead},
		{"demo", "import the bundled sample data, run the strategies, summarise", cmdDemo},
		{"topics", "create or describe the Kafka topics", cmdTopics},
		{"dev-kafka", "start an in-memory Kafka broker for development (not for production)", cmdDevKafka},
		{"version", "print the version", cmdVersion},
	}
}

// usageError is a mistake in how the command was called: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command failed
	exitUsage = 2 // bad flags or arguments
)

func run(ctx context.Context, args []string, sio stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return run(ctx, []string{args[1], "--help"}, sio)
		}
		topUsage(sio.out)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name := args[0]
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, sio, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, new(usageError)):
			fmt.Fprintf(sio.err, "candlewick %s: %v\n", name, err)
			fmt.Fprintf(sio.err, "Run 'candlewick %s --help' for usage.\n", name)
			return exitUsage
		case errors.As(err, new(*indicators.SpecError)):
			// A spec error is a usage error whose caret lines point at the
			// column; its first line is the reason.
			fmt.Fprintf(sio.err, "candlewick %s: %v\n", name, err)
			return exitUsage
		case errors.Is(err, context.Canceled):
			fmt.Fprintf(sio.err, "candlewick %s: interrupted\n", name)
			return exitError
		default:
			fmt.Fprintf(sio.err, "candlewick %s: %v\n", name, oneLine(err))
			return exitError
		}
	}
	fmt.Fprintf(sio.err, "candlewick: unknown command %q\nRun 'candlewick --help' for the list of commands.\n", name)
	return exitUsage
}

// oneLine folds a (possibly joined, multi-line) error into one line, so that
// scripts can rely on the last line of stderr being the reason.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, `Candlewick: an event-sourced trading signal engine.

Usage:
  candlewick <command> [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'candlewick <command> --help' for a command's flags.
`)
}

// newFlagSet returns a flag set that reports errors instead of exiting, and
// prints usage (synopsis, description, flags) to the command's stdout on
// --help.
func newFlagSet(sio stdio, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(sio.out, "Usage: candlewick %s %s\n\n%s\n", name, synopsis, strings.TrimSpace(description))
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprint(sio.out, "\nFlags:\n")
			fs.SetOutput(sio.out)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return fs
}

// parseFlags parses args; --help prints usage and returns flag.ErrHelp; any
// other problem is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package calls Usage itself on -h and on every error; silence
	// it so that help prints once and errors stay one line on stderr.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return flag.ErrHelp
		}
		return usageError{err.Error()}
	}
	return nil
}

// dataDirFlag registers --data-dir with its default: $CANDLEWICK_DATA_DIR,
// else $XDG_DATA_HOME/candlewick, else ~/.local/share/candlewick.
func dataDirFlag(fs *flag.FlagSet) *string {
	return fs.String("data-dir", defaultDataDir(), "directory of the embedded event log (env CANDLEWICK_DATA_DIR)")
}

func defaultDataDir() string {
	if d := os.Getenv("CANDLEWICK_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "candlewick")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "candlewick")
	}
	return "candlewick-data"
}
