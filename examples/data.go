// Package examples bundles the real sample data that `candlewick demo` imports
// (see data/PROVENANCE.md), so the demo runs from the binary alone.
package examples

import "embed"

// Data holds data/: the sample files and their PROVENANCE.md. It is read-only.
//
//go:embed data
var Data embed.FS
