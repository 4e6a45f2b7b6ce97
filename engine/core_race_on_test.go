//go:build race

package engine_test

const coreRaceEnabled = true
