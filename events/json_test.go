package events_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/internal/golden"
)

func TestCanonicalJSONGolden(t *testing.T) {
	minimal := events.Bar{Symbol: "ETH-USD", Interval: events.Day,
		OpenTime: mustTime(t, "2016-05-18T00:00:00Z"), CloseTime: mustTime(t, "2016-05-19T00:00:00Z"),
		Open: fx("12.5"), High: fx("14.93"), Low: fx("12.5"), Close: fx("13.18"), Volume: fx("482.52182654")}
	tricky := sampleSignal(t)
	tricky.Params, tricky.Indicators = nil, nil
	tricky.Reason = "tab\there, nl\n, ctl\x01, bad utf8 \xff, ünïcode ✓, \\ \"q\""
	tricky.Strength = -0.000001
	tricky.Kind, tricky.Status = events.KindExit, events.StatusProvisional
	tests := []struct {
		name string
		data []byte
	}{
		{"bar", sampleBar(t).AppendJSON(nil)},
		{"bar_minimal", minimal.AppendJSON(nil)},
		{"trade", sampleTrade(t).AppendJSON(nil)},
		{"signal", sampleSignal(t).AppendJSON(nil)},
		{"signal_tricky", tricky.AppendJSON(nil)},
		{"deadletter", sampleDeadLetter(t).AppendJSON(nil)},
	}
	var all []byte
	for _, tc := range tests {
		if !json.Valid(tc.data) {
			t.Fatalf("%s: invalid JSON %s", tc.name, tc.data)
		}
		all = append(all, tc.name+" "...)
		all = append(append(all, tc.data...), '\n')
	}
	golden.Check(t, "testdata/canonical_json.golden", all)
}

func TestBarJSONExact(t *testing.T) {
	b := events.Bar{Symbol: "BTC-USDT", Venue: "binance", Interval: 5 * events.Minute,
		OpenTime: mustTime(t, "2021-01-01T00:00:00Z"), CloseTime: mustTime(t, "2021-01-01T00:05:00Z"),
		Open: fx("28923.63"), High: fx("29000"), Low: fx("28900.1"), Close: fx("28950"),
		Volume: fx("0.00001234"), HasTradeCount: true, TradeCount: 123}
	const want = `{"symbol":"BTC-USDT","venue":"binance","interval":"5m","open_time":"2021-01-01T00:00:00Z",` +
		`"close_time":"2021-01-01T00:05:00Z","open":"28923.63","high":"29000","low":"28900.1",` +
		`"close":"28950","volume":"0.00001234","trade_count":123}`
	if got := string(b.AppendJSON(nil)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// encoding/json uses the same bytes.
	std, err := json.Marshal(b)
	if err != nil || string(std) != want {
		t.Fatalf("json.Marshal = %s, %v", std, err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	bars := append([]events.Bar{sampleBar(t)}, realBars(t)...)
	for _, b := range bars {
		data := b.AppendJSON(nil)
		for _, strict := range []bool{true, false} {
			got, err := events.DecodeBarJSON(data, strict)
			if err != nil || !barEqual(got, b) {
				t.Fatalf("DecodeBarJSON(%s) = %+v, %v", data, got, err)
			}
		}
	}
	tr := sampleTrade(t)
	if got, err := events.DecodeTradeJSON(tr.AppendJSON(nil), true); err != nil || !tradeEqual(got, tr) {
		t.Fatalf("trade: %+v, %v", got, err)
	}
	s := sampleSignal(t)
	if got, err := events.DecodeSignalJSON(s.AppendJSON(nil), true); err != nil || !signalEqual(got, s) {
		t.Fatalf("signal: %+v, %v", got, err)
	}
	d := sampleDeadLetter(t)
	if got, err := events.DecodeDeadLetterJSON(d.AppendJSON(nil), true); err != nil || !deadLetterEqual(got, d) {
		t.Fatalf("deadletter: %+v, %v", got, err)
	}
}

func TestEncodingJSONInterop(t *testing.T) {
	type envelope struct {
		Bar    events.Bar        `json:"bar"`
		Trades []events.Trade    `json:"trades"`
		Sig    *events.Signal    `json:"sig"`
		DL     events.DeadLetter `json:"dl"`
		Side   events.Side       `json:"side"`
	}
	s := sampleSignal(t)
	in := envelope{Bar: sampleBar(t), Trades: []events.Trade{sampleTrade(t)}, Sig: &s, DL: sampleDeadLetter(t), Side: events.SideBuy}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out envelope
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !barEqual(in.Bar, out.Bar) || !tradeEqual(in.Trades[0], out.Trades[0]) || !signalEqual(*in.Sig, *out.Sig) ||
		!deadLetterEqual(in.DL, out.DL) || out.Side != events.SideBuy {
		t.Fatalf("round trip through encoding/json changed the events:\n%s", data)
	}
	// MarshalJSON refuses what JSON cannot carry.
	s.Strength = math.NaN()
	if _, err := json.Marshal(s); !errors.Is(err, events.ErrNotFinite) {
		t.Fatalf("json.Marshal(NaN strength) error = %v; want ErrNotFinite", err)
	}
	s = sampleSignal(t)
	s.Indicators[1].Value = math.Inf(1)
	if _, err := json.Marshal(s); !errors.Is(err, events.ErrNotFinite) {
		t.Fatalf("json.Marshal(Inf indicator) error = %v; want ErrNotFinite", err)
	}
	b := sampleBar(t)
	b.OpenTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := json.Marshal(b); err == nil {
		t.Fatal("json.Marshal(year 10000) succeeded")
	}
	// The appender never writes NaN as a number.
	s.Strength = math.NaN()
	if _, err := events.DecodeSignalJSON(s.AppendJSON(nil), false); err == nil {
		t.Fatal("a NaN strength survived AppendJSON and decoding")
	}
}

func TestDecodeBarJSONAccepts(t *testing.T) {
	want := sampleBar(t)
	want.Venue, want.HasQuoteVolume, want.QuoteVolume, want.HasTradeCount, want.TradeCount = "", false, events.Fixed{}, false, 0
	tests := []struct {
		name string
		doc  string
	}{
		{"numbers for decimals", `{"symbol":"BTC-USDT","interval":"5m","open_time":"2021-01-01T00:00:00Z","close_time":"2021-01-01T00:05:00Z","open":28923.63,"high":2.903134e4,"low":"28690.17","close":28995.13,"volume":2311.811445}`},
		{"offsets and white space", " {\n\t\"symbol\" : \"BTC-USDT\" , \"interval\":\"PT5M\",\"open_time\":\"2021-01-01T01:00:00+01:00\",\"close_time\":\"2020-12-31T19:05:00-05:00\",\"open\":\"28923.63\",\"high\":\"29031.34\",\"low\":\"28690.17\",\"close\":\"28995.130\",\"volume\":\"2311.811445\"}\r\n"},
		{"nulls for optional members", `{"symbol":"BTC-USDT","venue":null,"quote_volume":null,"trade_count":null,"interval":"5m","open_time":"2021-01-01T00:00:00Z","close_time":"2021-01-01T00:05:00Z","open":"28923.63","high":"29031.34","low":"28690.17","close":"28995.13","volume":"2311.811445"}`},
		{"escapes in names and values", `{"s\u0079mbol":"BTC\u002dUSDT","interval":"5m","open_time":"2021-01-01T00:00:00Z","close_time":"2021-01-01T00:05:00Z","open":"28923.63","high":"29031.34","low":"28690.17","close":"28995.13","volume":"2311.811445"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := events.DecodeBarJSON([]byte(tc.doc), true)
			if err != nil {
				t.Fatal(err)
			}
			if !barEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
			if got.OpenTime.Location() != time.UTC {
				t.Fatalf("open time not UTC: %v", got.OpenTime.Location())
			}
		})
	}
	lenient := `{"symbol":"X","extra":{"a":[1,2,{"b":null}],"c":true},"interval":"1m","open_time":"2021-01-01T00:00:00Z","close_time":"2021-01-01T00:01:00Z","open":"1","high":"1","low":"1","close":"1","volume":"0","more":-1.5e3}`
	if _, err := events.DecodeBarJSON([]byte(lenient), false); err != nil {
		t.Fatalf("lenient decode: %v", err)
	}
	if _, err := events.DecodeBarJSON([]byte(lenient), true); !errors.Is(err, events.ErrUnknownField) {
		t.Fatalf("strict decode error = %v; want ErrUnknownField", err)
	}
}

func TestDecodeBarJSONErrors(t *testing.T) {
	valid := string(sampleBar(t).AppendJSON(nil))
	tests := []struct {
		name  string
		doc   string
		err   error
		field string
		msg   string // substring of the message
	}{
		{name: "empty", doc: "", err: events.ErrTruncated},
		{name: "not an object", doc: `[1]`, err: events.ErrMalformed},
		{name: "truncated", doc: valid[:40], err: events.ErrTruncated},
		{name: "trailing data", doc: valid + "{}", err: events.ErrMalformed, msg: "data after the document"},
		{name: "trailing comma", doc: strings.Replace(valid, `}`, `,}`, 1), err: events.ErrMalformed},
		{name: "unknown field", doc: strings.Replace(valid, `{`, `{"Symbol":"x",`, 1), err: events.ErrUnknownField, field: "Symbol"},
		{name: "duplicate field", doc: strings.Replace(valid, `{`, `{"open":"1",`, 1), err: events.ErrDuplicateField, field: "open"},
		{name: "missing field", doc: strings.Replace(valid, `"volume":"2311.811445",`, ``, 1), err: events.ErrMissingField, field: "volume"},
		{name: "null required", doc: strings.Replace(valid, `"symbol":"BTC-USDT"`, `"symbol":null`, 1), err: events.ErrMissingField, field: "symbol"},
		{name: "bad decimal", doc: strings.Replace(valid, `"28923.63"`, `"abc"`, 1), err: events.ErrNotNumber, field: "open",
			msg: `events: decode json bar: field "open" at byte 133: not a decimal number: "abc"`},
		{name: "decimal out of range", doc: strings.Replace(valid, `"28923.63"`, `"1e40"`, 1), err: events.ErrFixedRange, field: "open"},
		{name: "NaN decimal", doc: strings.Replace(valid, `"28923.63"`, `"NaN"`, 1), err: events.ErrNotNumber, field: "open"},
		{name: "bool for decimal", doc: strings.Replace(valid, `"28923.63"`, `true`, 1), err: events.ErrMalformed, field: "open"},
		{name: "number for symbol", doc: strings.Replace(valid, `"BTC-USDT"`, `42`, 1), err: events.ErrMalformed, field: "symbol", msg: "expected string"},
		{name: "bad interval", doc: strings.Replace(valid, `"5m"`, `"5 minutes"`, 1), err: events.ErrInterval, field: "interval"},
		{name: "bad time", doc: strings.Replace(valid, `"2021-01-01T00:00:00Z"`, `"2021-01-01 00:00:00"`, 1), err: events.ErrMalformed, field: "open_time"},
		{name: "fractional trade count", doc: strings.Replace(valid, `58389`, `58389.5`, 1), err: events.ErrMalformed, field: "trade_count"},
		{name: "bad number", doc: strings.Replace(valid, `58389`, `-`, 1), err: events.ErrMalformed, field: "trade_count"},
		{name: "leading zero number", doc: strings.Replace(valid, `58389`, `0123`, 1), err: events.ErrMalformed},
		{name: "control char in string", doc: strings.Replace(valid, `BTC-USDT`, "BTC\x01", 1), err: events.ErrMalformed, field: "symbol"},
		{name: "bad escape", doc: strings.Replace(valid, `BTC-USDT`, `BTC\x`, 1), err: events.ErrMalformed, field: "symbol"},
		{name: "unterminated string", doc: `{"symbol":"BTC`, err: events.ErrTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.DecodeBarJSON([]byte(tc.doc), true)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v; want %v", err, tc.err)
			}
			var de *events.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is not a *DecodeError", err)
			}
			if tc.field != "" && de.Field != tc.field {
				t.Fatalf("field %q; want %q (%v)", de.Field, tc.field, err)
			}
			if tc.msg != "" && !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("message %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestDecodeOtherJSONErrors(t *testing.T) {
	sig := string(sampleSignal(t).AppendJSON(nil))
	tr := string(sampleTrade(t).AppendJSON(nil))
	dl := string(sampleDeadLetter(t).AppendJSON(nil))
	tests := []struct {
		name   string
		decode func([]byte) error
		doc    string
		err    error
		field  string
	}{
		{"signal kind", decodeSignal, strings.Replace(sig, `"long"`, `"LONG"`, 1), events.ErrMalformed, "kind"},
		{"signal status", decodeSignal, strings.Replace(sig, `"confirmed"`, `"final"`, 1), events.ErrMalformed, "status"},
		{"signal strength string", decodeSignal, strings.Replace(sig, `0.75`, `"0.75"`, 1), events.ErrMalformed, "strength"},
		{"signal strength overflow", decodeSignal, strings.Replace(sig, `0.75`, `1e999`, 1), events.ErrNotFinite, "strength"},
		{"signal param extra", decodeSignal, strings.Replace(sig, `"value":"12"`, `"value":"12","x":1`, 1), events.ErrUnknownField, "params[0].x"},
		{"signal param missing", decodeSignal, strings.Replace(sig, `"name":"slow",`, ``, 1), events.ErrMissingField, "params[1].name"},
		{"signal indicator null", decodeSignal, strings.Replace(sig, `-1e-07`, `null`, 1), events.ErrMissingField, "indicators[1].value"},
		{"signal partition range", decodeSignal, strings.Replace(sig, `"partition":3`, `"partition":2147483648`, 1), events.ErrMalformed, "source.partition"},
		{"signal source missing", decodeSignal, strings.Replace(sig, `,"offset":5531`, ``, 1), events.ErrMissingField, "source.offset"},
		{"signal params not array", decodeSignal, strings.Replace(sig, `"params":[`, `"params":{`, 1), events.ErrMalformed, "params"},
		{"trade side", decodeTrade, strings.Replace(tr, `"sell"`, `"ask"`, 1), events.ErrMalformed, "side"},
		{"trade missing price", decodeTrade, strings.Replace(tr, `"price":"1650.25",`, ``, 1), events.ErrMissingField, "price"},
		{"deadletter base64", decodeDeadLetter, strings.Replace(dl, `"original":"`, `"original":"!`, 1), events.ErrMalformed, "original"},
		{"deadletter time", decodeDeadLetter, strings.Replace(dl, `"time":"`, `"time":"x`, 1), events.ErrMalformed, "time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.decode([]byte(tc.doc))
			var de *events.DecodeError
			if !errors.Is(err, tc.err) || !errors.As(err, &de) || de.Field != tc.field {
				t.Fatalf("error %v (field %q); want %v in field %q", err, fieldOf(err), tc.err, tc.field)
			}
		})
	}
}

func fieldOf(err error) string {
	var de *events.DecodeError
	if errors.As(err, &de) {
		return de.Field
	}
	return ""
}

func decodeSignal(b []byte) error     { _, err := events.DecodeSignalJSON(b, true); return err }
func decodeTrade(b []byte) error      { _, err := events.DecodeTradeJSON(b, true); return err }
func decodeDeadLetter(b []byte) error { _, err := events.DecodeDeadLetterJSON(b, true); return err }

func TestDecodeJSONStringEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`"a\"b\\c\/d\b\f\n\r\t"`, "a\"b\\c/d\b\f\n\r\t"},
		{`"\u00e9\u20AC"`, "é€"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud83d"`, "\ufffd"},
		{`"\ud83dx"`, "\ufffdx"},
		{`"\ude00\ud83d"`, "\ufffd\ufffd"},
		{"\"bad \xff utf8\"", "bad \ufffd utf8"},
		{"\"trunc \xe2\x82\"", "trunc \ufffd\ufffd"},
		{"\"ok ✓\"", "ok ✓"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			doc := `{"original":"","reason":` + tc.in + `,"source":"","time":"2021-01-01T00:00:00Z"}`
			d, err := events.DecodeDeadLetterJSON([]byte(doc), true)
			if err != nil {
				t.Fatal(err)
			}
			if d.Reason != tc.want {
				t.Fatalf("got %q; want %q", d.Reason, tc.want)
			}
			// Compare with encoding/json's reading of the same text.
			var std string
			if err := json.Unmarshal([]byte(tc.in), &std); err != nil || std != tc.want {
				t.Fatalf("encoding/json reads %q, %v", std, err)
			}
		})
	}
}
