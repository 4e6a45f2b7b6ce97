package feeds_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
)

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMalformed(t *testing.T) {
	const hdr = "time,open,high,low,close,volume\n"
	longCSV := hdr
	for i := 0; i < 3000; i++ {
		longCSV += itoa(1700000000+i*60) + ",1," + itoa(2+i%7) + ",0.5,1.5," + itoa(i*13%1000) + "\n"
	}
	tests := []struct {
		name     string
		file     string
		in       string
		opt      feeds.Options
		err      error    // fatal error expected (errors.Is)
		imported int      //
		dups     int      //
		reasons  []string // substrings of the dead-letter reasons, in order
	}{
		{name: "empty file", file: "x-1m.csv", in: "", err: feeds.ErrEmpty},
		{name: "blank file", file: "x-1m.csv", in: " \n\n\t\n", err: feeds.ErrEmpty},
		{name: "binary junk", file: "x-1m.csv", in: "\x00\x01\x02\xff\xfe garbage \x00", err: feeds.ErrUnknownFormat},
		{name: "free text", file: "x-1m.csv", in: "hello world\nthis is not a bar file\n", err: feeds.ErrUnknownFormat},
		{name: "header only", file: "BTC-USD-1m.csv", in: hdr},
		{name: "missing column in header", file: "BTC-USD-1m.csv", in: "time,open,high,close\n1,2,3,4\n", err: feeds.ErrColumns},
		{name: "missing column forced", file: "BTC-USD-1m.csv", in: "time,open,high,close\n1,2,3,4\n", opt: feeds.Options{Format: feeds.FormatCSV}, err: feeds.ErrColumns},
		{name: "bad numbers", file: "BTC-USD-1m.csv", in: hdr +
			"2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:01:00Z,abc,2,0.5,1.5,10\n" +
			"2024-01-01T00:02:00Z,1,2,0.5,1.5,NaN\n" +
			"2024-01-01T00:03:00Z,1,2,0.5,1e400,1\n" +
			"2024-01-01T00:04:00Z,1,2,0.5,12345678901234567890123,1\n",
			imported: 1, reasons: []string{`bad number in column open: "abc"`, `bad number in column volume: "NaN"`,
				`bad number in column close`, `bad number in column close`}},
		{name: "inconsistent OHLC", file: "BTC-USD-1m.csv", in: hdr +
			"2024-01-01T00:00:00Z,1,2,3,1.5,10\n" +
			"2024-01-01T00:01:00Z,1,2,0.5,2.5,10\n" +
			"2024-01-01T00:02:00Z,0,2,0.5,1.5,10\n" +
			"2024-01-01T00:03:00Z,1,2,0.5,1.5,-1\n" +
			"2024-01-01T00:04:00Z,1,2,1.2,1.5,1\n",
			reasons: []string{"high 2 below low 3", "high 2 below close 2.5", "open is zero", "volume -1 is negative", "low 1.2 above open 1"}},
		{name: "missing fields", file: "BTC-USD-1m.csv", in: hdr +
			"2024-01-01T00:00:00Z,1,2\n" +
			"2024-01-01T00:01:00Z,1,2,0.5,,10\n" +
			",1,2,0.5,1,10\n" +
			"2024-01-01T00:03:00Z,1,2,0.5,1.5\n",
			imported: 0, reasons: []string{"missing column low: line has 3 fields", "missing value in column close",
				"missing value in column time", "missing column volume"}},
		{name: "bad times", file: "BTC-USD-1m.csv", in: hdr +
			"2024-13-01T00:00:00Z,1,2,0.5,1.5,10\n" +
			"2024-02-30,1,2,0.5,1.5,10\n" +
			"yesterday,1,2,0.5,1.5,10\n" +
			"99999999999999999999,1,2,0.5,1.5,10\n" +
			"0,1,2,0.5,1.5,10\n",
			reasons: []string{"bad time", "bad time", "bad time", "bad time", "bad time"}},
		{name: "order, duplicates and conflicts", file: "BTC-USD-1m.csv", in: hdr +
			"2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:01:00Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:01:00Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:01:00Z,1,2,0.5,1.6,10\n" +
			"2024-01-01T00:00:30Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:02:30Z,1,2,0.5,1.5,10\n" +
			"2024-01-01T00:03:00Z,1,2,0.5,1.5,10\n",
			imported: 3, dups: 2, reasons: []string{"conflicting duplicate", "not after previous bar", "inside previous bar"}},
		{name: "gzip without .gz", file: "BTC-USD-1m.csv", in: gz(t, longCSV), imported: 3000},
		{name: "truncated gzip", file: "BTC-USD-1m.csv.gz", in: truncate(gz(t, longCSV)), err: io.ErrUnexpectedEOF},
		{name: "truncated JSON", file: "BTC_USDT-5m.json", in: `[[1606780800000,19695.87,19720.0,19578.96,19607.03,794.5],[1606781100000,1`,
			err: io.ErrUnexpectedEOF},
		{name: "JSON syntax error", file: "BTC_USDT-5m.json", in: `[[1606780800000,19695.87,19720.0,19578.96,19607.03,794.5],[1606781100000,}]`,
			err: feeds.ErrMalformed},
		{name: "JSON bad elements", file: "BTC_USDT-5m.json", in: `[[1606780800000,19695.87,19720.0,19578.96,19607.03,794.5],
			[1606781100000,"x",1,1,1,1], 42, [1606781400000,[1],1,1,1,1], [1606781700000,1,1], {"time":1606782000000,"open":true},
			[1606782300000,1,1,1,1,null], [1606782600000,1,1,1,1,1]]`,
			imported: 2, reasons: []string{`bad number in column open: "x"`, "not an array or object", "nested value",
				"missing column low", "not a number or string", "missing value in column volume"}},
		{name: "JSON not bars", file: "x.json", in: `{"hello":"world"}`, err: feeds.ErrUnknownFormat},
		{name: "no symbol", file: "data.csv", in: hdr + "2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n2024-01-01T00:01:00Z,1,2,0.5,1.5,10\n", err: feeds.ErrNoSymbol},
		{name: "no interval", file: "BTC-USD.csv", in: hdr + "2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n", err: feeds.ErrNoInterval},
		{name: "interval option", file: "BTC-USD.csv", in: hdr + "2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n",
			opt: feeds.Options{Interval: events.Hour}, imported: 1},
		{name: "bad option", file: "BTC-USD.csv", in: hdr, opt: feeds.Options{Format: "xml"}, err: feeds.ErrOption},
		{name: "bad unit", file: "BTC-USD.csv", in: hdr, opt: feeds.Options{TimeUnit: "fortnight"}, err: feeds.ErrOption},
		{name: "jsonl junk", file: "bars.jsonl", in: "{\"symbol\":\"BTC-USD\"\n{}\n[1,2]\n{\"symbol\":1}\n",
			reasons: []string{"truncated", "missing value in column time", "not a JSON object", "symbol"}},
		{name: "quoted fields", file: "BTC-USD-1m.csv", in: "\"time\",\"open\",\"high\",\"low\",\"close\",\"volume\"\r\n" +
			"\"2024-01-01T00:00:00Z\",\"1\",\"2\",\"0.5\",\"1.5\",\"1\"\r\n\"2024-01-01T00:01:00Z\",\"1\"\"\",\"2\",\"0.5\",\"1.5\",\"1\"\r\n\"unterminated",
			imported: 1, reasons: []string{`bad number in column open: "1\""`, "missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c collect
			o := tc.opt
			o.Now = opts().Now
			sum, err := feeds.Import(context.Background(), strings.NewReader(tc.in), tc.file, o, &c)
			if tc.err != nil {
				var ie *feeds.ImportError
				if !errors.Is(err, tc.err) || !errors.As(err, &ie) || ie.File != tc.file || !strings.Contains(err.Error(), tc.file) {
					t.Fatalf("error %v, want %v naming %s", err, tc.err, tc.file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sum.Imported != tc.imported || sum.Duplicates != tc.dups || len(c.rejects) != len(tc.reasons) {
				t.Errorf("imported %d dups %d rejects %d (want %d %d %d)", sum.Imported, sum.Duplicates, len(c.rejects),
					tc.imported, tc.dups, len(tc.reasons))
			}
			for i, d := range c.rejects {
				if i < len(tc.reasons) && !strings.Contains(d.Reason, tc.reasons[i]) {
					t.Errorf("reject %d: reason %q, want %q", i, d.Reason, tc.reasons[i])
				}
				if len(d.Original) == 0 || !strings.HasPrefix(d.Source, tc.file+":") {
					t.Errorf("reject %d: %+v", i, d)
				}
			}
		})
	}
}

func TestOptionsOverride(t *testing.T) {
	in, err := os.ReadFile("testdata/btc-1h.csv")
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	sum, err := feeds.Import(context.Background(), bytes.NewReader(in), "btc-1h.csv", feeds.Options{
		Symbol: "btc/usdt", Venue: "binance", Interval: events.Hour,
		Columns: feeds.ParseColumns("time, open, close, low, high, volume, trades"),
	}, &c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 11 || sum.Duplicates != 1 || c.bars[0].Symbol != "BTC-USDT" || c.bars[0].Venue != "binance" ||
		c.bars[0].High != events.MustFixed("19257.03") || !c.bars[0].HasTradeCount {
		t.Errorf("%+v %+v", sum, c.bars[0])
	}
	// The wrong order forced on ninjabot data makes every row inconsistent.
	c = collect{}
	sum, err = feeds.Import(context.Background(), bytes.NewReader(in), "btc-1h.csv", feeds.Options{
		Columns: feeds.ParseColumns("time,open,high,low,close,volume,trades")}, &c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 0 || sum.Rejected != 12 {
		t.Errorf("forced wrong order: %+v", sum)
	}
	// A time unit option is obeyed: seconds read as milliseconds land in
	// 1970, 3.6 s apart, so the 1h bars overlap and are rejected.
	c = collect{}
	sum, err = feeds.Import(context.Background(), bytes.NewReader(in), "btc-1h.csv", feeds.Options{TimeUnit: feeds.UnitMillisecond}, &c)
	if err != nil || sum.Imported != 1 || c.bars[0].OpenTime.Year() != 1970 || !strings.Contains(c.rejects[0].Reason, "inside previous bar") {
		t.Errorf("time unit: %v %+v", err, sum)
	}
}

func TestHeaderlessOrderHeuristic(t *testing.T) {
	// The same bars written in the usual order, 7 columns: the order check
	// must pick time,open,high,low,close rather than ninjabot's.
	in := "1605571200,16713.08,16830,16683.63,16806.09,2861.4,51506\n" +
		"1605574800,16806.09,16806.93,16666.4,16690.21,2463.7,46872\n"
	var c collect
	sum, err := feeds.Import(context.Background(), strings.NewReader(in), "BTCUSDT-1h.csv", opts(), &c)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Format != feeds.FormatCSV || sum.Imported != 2 || c.bars[0].High != events.MustFixed("16830") {
		t.Errorf("%+v", sum)
	}
}

type failSink struct{ n int }

var errStop = errors.New("stop")

func (f *failSink) Bar(events.Bar) error {
	f.n++
	if f.n == 3 {
		return errStop
	}
	return nil
}
func (f *failSink) Reject(events.DeadLetter) error { return nil }

func TestSinkErrorAndCancel(t *testing.T) {
	const hdr = "time,open,high,low,close,volume\n"
	var b strings.Builder
	b.WriteString(hdr)
	for i := 0; i < 5000; i++ {
		b.WriteString(itoa(1700000000 + i*60))
		b.WriteString(",1,2,0.5,1.5,10\n")
	}
	_, err := feeds.Import(context.Background(), strings.NewReader(b.String()), "BTC-USD-1m.csv", feeds.Options{}, &failSink{})
	if !errors.Is(err, feeds.ErrSink) || !errors.Is(err, errStop) {
		t.Errorf("sink error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = feeds.Import(ctx, strings.NewReader(b.String()), "BTC-USD-1m.csv", feeds.Options{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
	var calls []int64
	sum, err := feeds.Import(context.Background(), strings.NewReader(b.String()), "BTC-USD-1m.csv", feeds.Options{
		Progress: func(n, total int64) { calls = append(calls, n, total) }}, nil)
	if err != nil || sum.Imported != 5000 || len(calls) < 2 || calls[len(calls)-2] != int64(b.Len()) || calls[len(calls)-1] != int64(b.Len()) {
		t.Errorf("progress %v %v %+v", err, calls, sum)
	}
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}

func TestImportFileMissing(t *testing.T) {
	_, err := feeds.ImportFile(context.Background(), "testdata/no-such-file.csv", feeds.Options{}, nil)
	var ie *feeds.ImportError
	if !errors.Is(err, os.ErrNotExist) || !errors.As(err, &ie) || ie.File != "testdata/no-such-file.csv" {
		t.Errorf("%v", err)
	}
}

func truncate(s string) string { return s[:len(s)*2/3] }

// A damaged tail is a fatal error, but the bars read before it still reach
// the sink, and the summary counts them.
func TestTruncatedDeliversPrefix(t *testing.T) {
	var b strings.Builder
	b.WriteString("time,open,high,low,close,volume\n")
	for i := 0; i < 3000; i++ {
		b.WriteString(itoa(1700000000+i*60) + ",1," + itoa(2+i%7) + ",0.5,1.5," + itoa(i*13%1000) + "\n")
	}
	var c collect
	sum, err := feeds.Import(context.Background(), strings.NewReader(truncate(gz(t, b.String()))), "BTC-USD-1m.csv.gz", opts(), &c)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v", err)
	}
	if sum.Imported == 0 || sum.Imported != len(c.bars) || sum.Imported+sum.Rejected != sum.Read {
		t.Errorf("summary %+v, sink %d", sum, len(c.bars))
	}
}
