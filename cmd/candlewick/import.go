package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/eventlog/disk"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/ingest"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// feedFlags are the flags import and validate share.
type feedFlags struct {
	format, symbol, venue, interval, columns, timeUnit string
}

func (f *feedFlags) register(fs *flag.FlagSet) {
	names := make([]string, 0, len(feeds.Formats()))
	for _, x := range feeds.Formats() {
		names = append(names, string(x))
	}
	fs.StringVar(&f.format, "format", "auto", "file format: auto, "+strings.Join(names, ", "))
	fs.StringVar(&f.symbol, "symbol", "", "symbol of every bar, e.g. BTC-USDT (default: from the data or the file name)")
	fs.StringVar(&f.venue, "venue", "", "venue of every bar, e.g. binance (default: from the file name)")
	fs.StringVar(&f.interval, "interval", "", "bar interval, e.g. 5m, 1h, 1d (default: from the file name or the data)")
	fs.StringVar(&f.columns, "columns", "", "column order of a headerless CSV, e.g. time,open,close,low,high,volume")
	fs.StringVar(&f.timeUnit, "time-unit", "", "unit of numeric times: s, ms, us or ns (default: by magnitude)")
}

func (f *feedFlags) options() (feeds.Options, error) {
	var o feeds.Options
	var errs []error
	var err error
	if o.Format, err = feeds.ParseFormat(f.format); err != nil {
		errs = append(errs, fmt.Errorf("--format: %w", err))
	}
	o.Symbol, o.Venue = f.symbol, f.venue
	if f.interval != "" {
		if o.Interval, err = events.ParseInterval(f.interval); err != nil {
			errs = append(errs, fmt.Errorf("--interval %q: want a length like 1m, 5m, 1h, 4h, 1d", f.interval))
		}
	}
	o.Columns = feeds.ParseColumns(f.columns)
	switch f.timeUnit {
	case "", "s", "ms", "us", "ns":
		o.TimeUnit = feeds.TimeUnit(f.timeUnit)
	default:
		errs = append(errs, fmt.Errorf("--time-unit %q: want s, ms, us or ns", f.timeUnit))
	}
	if len(errs) > 0 {
		return o, usageError{errors.Join(errs...).Error()}
	}
	return o, nil
}

func cmdImport(ctx context.Context, sio stdio, args []string) error {
	fs := newFlagSet(sio, "import", "[flags] FILE...", `
Import market data files into the market stream (market.bars.v1) of the embedded
event log. Rejected rows go to the dead-letter stream (deadletter.v1) with the file,
line and reason; exact duplicates, within a file or of bars already stored, are
skipped and counted, so importing a file twice changes nothing. Prints one summary
line per file. See the README for the formats.

With --brokers, publish to a Kafka topic instead (--topic, default market.bars.v1;
create it first with 'candlewick topics create'): key = symbol, partitioned with
murmur2 as the Java client does, values in JSON (or --codec binary) with the event
metadata headers; rejected rows go to deadletter.v1 with their reason. Bars already
on the topic are skipped as above: the import reads the whole topic once first.`)
	var ff feedFlags
	ff.register(fs)
	dataDir := dataDirFlag(fs)
	ko := kafkaFlags(fs)
	topic := fs.String("topic", events.StreamBars, "with --brokers: the topic to publish the bars to")
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no files to import")
	}
	opt, err := ff.options()
	if err != nil {
		return err
	}
	if ko.Enabled() {
		return importKafka(ctx, sio, ko, *topic, opt, fs.Args(), *quiet)
	}
	log, err := openLog(*dataDir)
	if err != nil {
		return err
	}
	_, err = importFiles(ctx, sio, log, opt, fs.Args(), *quiet)
	return errors.Join(err, log.Close())
}

func openLog(dir string) (*disk.Log, error) {
	// Interval fsync: an import can be rerun, so it need not pay a sync per
	// batch; Close syncs everything.
	l, err := disk.Open(disk.Config{Dir: dir, Fsync: disk.FsyncInterval})
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	return l, nil
}

// importTotals adds up an import of several files.
type importTotals struct {
	files                                   int
	read, imported, dups, rejected, skipped int
	counts                                  ingest.Counts
}

func (t *importTotals) add(o importTotals) {
	t.files += o.files
	t.read += o.read
	t.imported += o.imported
	t.dups += o.dups
	t.rejected += o.rejected
	t.skipped += o.skipped
	t.counts.Appended += o.counts.Appended
	t.counts.Stored += o.counts.Stored
	t.counts.Conflicts += o.counts.Conflicts
	t.counts.DeadLetters += o.counts.DeadLetters
}

// importFiles imports each path (or, for an in-memory demo, each file of
// open) and prints a summary line per file.
func importFiles(ctx context.Context, sio stdio, log eventlog.Log, opt feeds.Options, paths []string, quiet bool) (importTotals, error) {
	return importFrom(ctx, sio, log, opt, paths, quiet, func(p string) (io.ReadCloser, int64, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		size := int64(-1)
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		return f, size, nil
	})
}

func importFrom(ctx context.Context, sio stdio, log eventlog.Log, opt feeds.Options, names []string, quiet bool,
	open func(string) (io.ReadCloser, int64, error)) (importTotals, error) {
	var tot importTotals
	w, err := ingest.New(ctx, ingest.Config{Log: log})
	if err != nil {
		return tot, err
	}
	for _, name := range names {
		r, size, err := open(name)
		if err != nil {
			return tot, err
		}
		before := w.Counts()
		w.SetSource(name)
		o := opt
		bar := newProgress(sio, name, size, quiet)
		if bar != nil {
			o.Progress = func(n, _ int64) { _ = bar.Set64(n) }
		}
		sum, err := feeds.Import(ctx, r, name, o, w)
		r.Close()
		if bar != nil {
			_ = bar.Finish()
			_ = bar.Clear()
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return tot, err
		}
		after := w.Counts()
		tot.files++
		tot.read += sum.Read
		tot.imported += sum.Imported
		tot.dups += sum.Duplicates
		tot.rejected += sum.Rejected
		tot.skipped += sum.Skipped
		if !quiet {
			fmt.Fprintf(sio.out, "%s: %s\n", name, summaryLine(sum, after.Appended-before.Appended, after.Stored-before.Stored))
		}
	}
	tot.counts = w.Counts()
	return tot, nil
}

// summaryLine describes one file's import: what it held and what happened.
func summaryLine(s feeds.Summary, appended, stored int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", s.Format)
	if len(s.Symbols) > 0 {
		syms := make([]string, len(s.Symbols))
		for i, x := range s.Symbols {
			syms[i] = x.Symbol
		}
		fmt.Fprintf(&b, " %s", strings.Join(syms, ","))
	}
	if s.Interval > 0 {
		fmt.Fprintf(&b, " %s", s.Interval)
	}
	if s.Venue != "" {
		fmt.Fprintf(&b, " @%s", s.Venue)
	}
	if !s.First.IsZero() {
		fmt.Fprintf(&b, " %s..%s", s.First.Format(time.RFC3339), s.Last.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "; read %d, imported %d", s.Read, s.Imported)
	if appended >= 0 {
		fmt.Fprintf(&b, " (new %d, already stored %d)", appended, stored)
	}
	fmt.Fprintf(&b, ", duplicates %d, rejected %d", s.Duplicates, s.Rejected)
	if s.Skipped > 0 {
		fmt.Fprintf(&b, ", skipped %d", s.Skipped)
	}
	if s.Descending {
		b.WriteString(", re-ordered oldest first")
	}
	return b.String()
}

// newProgress returns a progress bar on stderr when it is a terminal and the
// size is known, else nil.
func newProgress(sio stdio, name string, size int64, quiet bool) *progressbar.ProgressBar {
	f, ok := sio.err.(*os.File)
	if quiet || !ok || size <= 0 || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}
