package events_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLogValue(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	logger.Info("got", "bar", sampleBar(t), "dl", sampleDeadLetter(t))
	got := buf.String()
	for _, want := range []string{"bar.symbol=BTC-USDT", "bar.close=28995.13", "bar.open_time=2021-01-01T00:00:00Z",
		"dl.original_bytes=26", `dl.reason="line 12: open: not a decimal number"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log line %q lacks %q", got, want)
		}
	}
}
