// Package memlog is an in-memory [eventlog.Log]: the reference backend that
// validates the conformance suite in eventlog/eventlogtest and a fast fake for
// unit tests of the log's consumers. Nothing survives Close.
//
// Records are copied on Append; records handed out by Read and Follow alias
// the log's copy and must not be modified.
package memlog
