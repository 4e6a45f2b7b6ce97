// Package eventlogtest is the conformance suite every [eventlog.Log]
// backend runs: call [Run] from a test of the backend's package with a
// [Harness] that opens fresh logs.
//
// The suite checks the contract documented on [eventlog.Log]: sequence
// numbers, reads from any position, stream isolation and names, Follow,
// concurrent readers during appends (run it with -race), record shapes,
// close semantics and, when the harness can reopen a log, durability.
package eventlogtest
