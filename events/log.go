package events

import (
	"log/slog"
	"strconv"
	"time"
)

// LogValue implements slog.LogValuer, so a logged Bar is formatted only when
// the record is written, with stable snake_case keys.
func (b Bar) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("symbol", b.Symbol),
		slog.String("interval", b.Interval.String()),
		slog.String("open_time", b.OpenTime.UTC().Format(time.RFC3339Nano)),
		slog.String("open", b.Open.String()),
		slog.String("high", b.High.String()),
		slog.String("low", b.Low.String()),
		slog.String("close", b.Close.String()),
		slog.String("volume", b.Volume.String()),
	}
	if b.Venue != "" {
		attrs = append(attrs, slog.String("venue", b.Venue))
	}
	return slog.GroupValue(attrs...)
}

// LogValue implements slog.LogValuer; see [Bar.LogValue].
func (t Trade) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("symbol", t.Symbol),
		slog.String("time", t.Time.UTC().Format(time.RFC3339Nano)),
		slog.String("price", t.Price.String()),
		slog.String("quantity", t.Quantity.String()),
		slog.String("side", t.Side.String()),
	)
}

// LogValue implements slog.LogValuer. It leaves out params and indicator
// values, which can be long; log the signal's JSON for those.
func (s Signal) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", s.ID),
		slog.String("strategy", s.Strategy),
		slog.String("symbol", s.Symbol),
		slog.String("time", s.Time.UTC().Format(time.RFC3339Nano)),
		slog.String("kind", s.Kind.String()),
		slog.Float64("strength", s.Strength),
		slog.String("price", s.Price.String()),
		slog.String("status", s.Status.String()),
	)
}

// LogValue implements slog.LogValuer. It logs the size of the original
// input, not its bytes, which may be large or sensitive.
func (d DeadLetter) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("reason", d.Reason),
		slog.String("source", d.Source),
		slog.String("original_bytes", strconv.Itoa(len(d.Original))),
		slog.String("time", d.Time.UTC().Format(time.RFC3339Nano)),
	)
}
