//go:build !unix

package cputime

import "time"

// Process is unknown on this system: it reports false.
func Process() (time.Duration, bool) { return 0, false }
