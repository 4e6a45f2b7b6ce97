package cputime_test

import (
	"runtime"
	"testing"

	"github.com/candlewick-labs/candlewick/internal/cputime"
)

// TestGrows checks that both clocks, where the system has them, advance
// with work done on the calling thread.
func TestGrows(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, pok := cputime.Process()
	t0, tok := cputime.Thread()
	x := 0.0
	for p, q := cputime.Process(); pok && p-p0 < 20e6 && q; p, q = cputime.Process() {
		for i := range 100000 {
			x += float64(i)
		}
	}
	_ = x
	if p1, ok := cputime.Process(); pok && (!ok || p1 <= p0) {
		t.Errorf("Process did not advance: %v -> %v", p0, p1)
	}
	if t1, ok := cputime.Thread(); tok && (!ok || t1 <= t0) {
		t.Errorf("Thread did not advance: %v -> %v", t0, t1)
	}
}
