// Package shareddata locates the real-data corpus that tests and benchmarks
// read from shared/data, a folder beside the repository checkout:
//
//	<parent>/main/go.mod     the module root
//	<parent>/shared/data/    market/ (exchange series), oracle/ (reference outputs)
//
// The folder is on development machines and in CI, not on users' machines,
// so Path, Market and Oracle skip the test when what it asks for is absent.
// They do not look at testing.Short: a test that is too slow for -short
// checks that itself, before asking for the data. It is for tests only.
package shareddata
