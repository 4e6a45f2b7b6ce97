package events

import (
	"embed"
	"errors"
	"io/fs"
)

// The schemas describe the canonical JSON the AppendJSON methods write
// (decimals as strings, UTC times, no unknown members). The decoders accept a
// little more (decimals as JSON numbers, time offsets), so a document a
// decoder reads may still fail its schema; one an encoder wrote never does.
//
//go:embed schema/*.schema.json
var schemaFiles embed.FS

// ErrNoSchema is returned by [Schema] for a name that has no schema.
var ErrNoSchema = errors.New("events: no such schema")

// SchemaNames lists the names [Schema] accepts, in a fixed order.
func SchemaNames() []string { return []string{"bar", "trade", "signal", "deadletter"} }

// Schema returns the JSON Schema (draft 2020-12) of an event type's canonical
// JSON: name is "bar", "trade", "signal" or "deadletter" (see [Type.String]).
// The returned slice is a fresh copy the caller owns. It returns
// [ErrNoSchema] for any other name.
func Schema(name string) ([]byte, error) {
	for _, n := range SchemaNames() {
		if n == name {
			return schemaFiles.ReadFile("schema/" + name + ".schema.json")
		}
	}
	return nil, ErrNoSchema
}

// SchemaFS returns the schemas as a read-only file system holding
// "bar.schema.json", "trade.schema.json", "signal.schema.json" and
// "deadletter.schema.json"; their $id values are
// https://github.com/candlewick-labs/candlewick/events/schema/<file>.
func SchemaFS() fs.FS {
	sub, err := fs.Sub(schemaFiles, "schema")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "schema" is valid.
		panic("events: schema FS: " + err.Error())
	}
	return sub
}
