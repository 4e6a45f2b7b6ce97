// Package cputime reads the CPU time a process or an OS thread has used, for
// benchmarks that report work per CPU second beside wall time: on a shared
// machine other processes stretch wall time without saying anything about
// the code. It imports only the standard library.
package cputime
