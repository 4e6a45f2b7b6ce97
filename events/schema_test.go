package events_test

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compileSchemas compiles every embedded schema, with format assertions on
// so that "date-time" is checked too.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	out := map[string]*jsonschema.Schema{}
	for _, name := range events.SchemaNames() {
		raw, err := events.Schema(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		url := "https://github.com/candlewick-labs/candlewick/events/schema/" + name + ".schema.json"
		if id, _ := doc.(map[string]any)["$id"].(string); id != url {
			t.Fatalf("%s: $id %q; want %q", name, id, url)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		if out[name], err = c.Compile(url); err != nil {
			t.Fatalf("compile %s: %v", name, err)
		}
	}
	return out
}

func validateDoc(t *testing.T, sch *jsonschema.Schema, data []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	return sch.Validate(v)
}

func TestSchemasAcceptEncodedEvents(t *testing.T) {
	schemas := compileSchemas(t)
	for i, b := range realBars(t) {
		b.HasTradeCount, b.TradeCount = i%2 == 0, int64(i*100)
		if err := validateDoc(t, schemas["bar"], b.AppendJSON(nil)); err != nil {
			t.Fatalf("bar %d: %v", i, err)
		}
	}
	docs := map[string][][]byte{
		"bar":        {sampleBar(t).AppendJSON(nil)},
		"trade":      {sampleTrade(t).AppendJSON(nil), events.Trade{Symbol: "X", Time: mustTime(t, "2021-01-01T00:00:00.000000001Z"), Price: fx("1"), Quantity: fx("1")}.AppendJSON(nil)},
		"signal":     {sampleSignal(t).AppendJSON(nil), func() []byte { s := sampleSignal(t); s.Params, s.Indicators = nil, nil; return s.AppendJSON(nil) }()},
		"deadletter": {sampleDeadLetter(t).AppendJSON(nil), events.DeadLetter{Reason: "x", Time: mustTime(t, "2021-01-01T00:00:00Z")}.AppendJSON(nil)},
	}
	for name, list := range docs {
		for _, d := range list {
			if err := validateDoc(t, schemas[name], d); err != nil {
				t.Fatalf("%s %s: %v", name, d, err)
			}
		}
	}
}

func TestSchemasRejectInvalidDocuments(t *testing.T) {
	schemas := compileSchemas(t)
	bar := string(sampleBar(t).AppendJSON(nil))
	sig := string(sampleSignal(t).AppendJSON(nil))
	tests := []struct {
		name, schema, doc string
	}{
		{"bar missing field", "bar", strings.Replace(bar, `"open":"28923.63",`, ``, 1)},
		{"bar extra field", "bar", strings.Replace(bar, `{`, `{"extra":1,`, 1)},
		{"bar number for decimal", "bar", strings.Replace(bar, `"28923.63"`, `28923.63`, 1)},
		{"bar decimal with exponent", "bar", strings.Replace(bar, `"28923.63"`, `"2.892363e4"`, 1)},
		{"bar trailing zero", "bar", strings.Replace(bar, `"28923.63"`, `"28923.630"`, 1)},
		{"bar non-UTC time", "bar", strings.Replace(bar, `"2021-01-01T00:00:00Z"`, `"2021-01-01T01:00:00+01:00"`, 1)},
		{"bar bad time", "bar", strings.Replace(bar, `"2021-01-01T00:00:00Z"`, `"2021-13-01T00:00:00Z"`, 1)},
		{"bar bad interval", "bar", strings.Replace(bar, `"5m"`, `"5 minutes"`, 1)},
		{"bar negative trade count", "bar", strings.Replace(bar, `58389`, `-1`, 1)},
		{"signal unknown kind", "signal", strings.Replace(sig, `"long"`, `"buy"`, 1)},
		{"signal strength", "signal", strings.Replace(sig, `0.75`, `1.5`, 1)},
		{"signal strength string", "signal", strings.Replace(sig, `0.75`, `"0.75"`, 1)},
		{"signal null indicator", "signal", strings.Replace(sig, `-1e-07`, `null`, 1)},
		{"signal param extra", "signal", strings.Replace(sig, `"value":"12"`, `"value":"12","x":1`, 1)},
		{"signal missing source", "signal", sig[:strings.Index(sig, `,"source"`)] + "}"},
		{"trade side", "trade", strings.Replace(string(sampleTrade(t).AppendJSON(nil)), `"sell"`, `"ask"`, 1)},
		{"deadletter base64", "deadletter", strings.Replace(string(sampleDeadLetter(t).AppendJSON(nil)), `"original":"`, `"original":"!`, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateDoc(t, schemas[tc.schema], []byte(tc.doc))
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("schema accepted %s (err %v)", tc.doc, err)
			}
		})
	}
}

func TestSchemaLookup(t *testing.T) {
	if _, err := events.Schema("candle"); !errors.Is(err, events.ErrNoSchema) {
		t.Fatalf("Schema(candle) error %v; want ErrNoSchema", err)
	}
	a, _ := events.Schema("bar")
	a[0] = 'X'
	if b, _ := events.Schema("bar"); b[0] != '{' {
		t.Fatal("Schema returns shared memory")
	}
	names, err := fs.Glob(events.SchemaFS(), "*.schema.json")
	if err != nil || len(names) != 4 {
		t.Fatalf("SchemaFS has %v, %v", names, err)
	}
}
