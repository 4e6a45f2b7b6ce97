// Package golden compares test output with committed golden files.
//
// Check compares bytes with a file and reports the first line that differs.
// Run the tests with -update to rewrite the files instead:
//
//	go test ./feeds -run TestImportSamples -update
//
// The package registers the -update flag on the test binary's command line,
// so a test package that imports it must not define its own flag of that name
// (the binary would panic with "flag redefined: update"). It is for tests only.
package golden
