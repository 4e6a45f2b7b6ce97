package backtest

import (
	"context"
	"fmt"
	"slices"

	"github.com/candlewick-labs/candlewick/eventlog"
	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

// Source loads the market bars of a backtest. Implementations: [*LogSource]
// and [*FileSource]; tests may implement it over a slice.
type Source interface {
	// Load returns the bars in input order with their positions.
	Load(ctx context.Context) (Input, error)
}

// Input is a market range loaded in memory: the bars in the order the
// engine applies them, and where each came from. Build one once and pass it
// to [RunBars] as many times as needed (sweeps, walk-forward): RunBars never
// modifies it, so one Input may be shared by concurrent runs.
type Input struct {
	// Stream names the source in the fingerprint and in signal positions,
	// e.g. "market.bars.v1" or "files:btc-1h.csv".
	Stream string
	// Bars in input order (per symbol and interval: increasing open time).
	Bars []events.Bar
	// Positions[i] is the input position of Bars[i]; nil means
	// {Stream, 0, i}.
	Positions []events.Position
	// Skipped counts records the source could not decode (log sources).
	Skipped int
}

func (in *Input) pos(i int) events.Position {
	if in.Positions != nil {
		return in.Positions[i]
	}
	return events.Position{Stream: in.Stream, Offset: int64(i)}
}

// LogSource reads bars from a stream of an event log (binary or JSON
// records, as the live runner accepts them).
type LogSource struct {
	Log eventlog.Log
	// Stream to read. Default events.StreamBars.
	Stream string
	// From is the first sequence number read (default 0); To, when
	// positive, the first one not read.
	From, To int64
}

// Load reads the range. Records that do not decode are skipped and counted
// in Input.Skipped, as the live runner dead-letters them.
func (s *LogSource) Load(ctx context.Context) (Input, error) {
	stream := s.Stream
	if stream == "" {
		stream = events.StreamBars
	}
	in := Input{Stream: stream}
	it, err := s.Log.Read(ctx, stream, s.From)
	if err != nil {
		return in, fmt.Errorf("%w: read %s: %w", ErrSource, stream, err)
	}
	defer it.Close()
	var dec events.BarDecoder // shares the symbol strings of a series: no allocation per bar
	for it.Next() {
		rec := it.Record()
		if s.To > 0 && rec.Seq >= s.To {
			break
		}
		var b events.Bar
		if events.IsJSON(rec.Value) {
			err = dec.DecodeJSON(rec.Value, false, &b)
		} else {
			err = dec.Decode(rec.Value, &b) // retains nothing of rec
		}
		if err != nil {
			in.Skipped++
			continue
		}
		in.Bars = append(in.Bars, b)
		in.Positions = append(in.Positions, events.Position{Stream: stream, Offset: rec.Seq})
		if len(in.Bars)%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return in, err
			}
		}
	}
	if err := it.Err(); err != nil {
		return in, fmt.Errorf("%w: read %s: %w", ErrSource, stream, err)
	}
	return in, nil
}

// FileSource imports bar files with the feeds importers (any format
// feeds.ImportFile accepts) and merges them by open time, ties in file
// order, as a market stream holds them. Rejected rows are dropped.
type FileSource struct {
	Paths   []string
	Options feeds.Options
}

// Load imports every file. The stream is "files" and positions are indexes
// in the merged order.
func (s *FileSource) Load(ctx context.Context) (Input, error) {
	in := Input{Stream: "files"}
	for _, p := range s.Paths {
		_, err := feeds.ImportFile(ctx, p, s.Options, feeds.SinkFuncs{
			OnBar: func(b events.Bar) error { in.Bars = append(in.Bars, b); return nil },
		})
		if err != nil {
			return in, fmt.Errorf("%w: %w", ErrSource, err)
		}
	}
	slices.SortStableFunc(in.Bars, func(a, b events.Bar) int { return a.OpenTime.Compare(b.OpenTime) })
	return in, nil
}

// BarsSource is a Source over bars already in memory (positions are
// indexes in Stream). Its Load shares Bars; nothing modifies them.
type BarsSource struct {
	Stream string
	Bars   []events.Bar
}

// Load returns the bars.
func (s *BarsSource) Load(context.Context) (Input, error) {
	st := s.Stream
	if st == "" {
		st = "memory"
	}
	return Input{Stream: st, Bars: s.Bars}, nil
}
