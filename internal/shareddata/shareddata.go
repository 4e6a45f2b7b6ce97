package shareddata

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Find returns the absolute path of shared/data/<elem...> beside the module
// root (the nearest folder holding go.mod, from the working directory up),
// or an error when the module root or the path does not exist. It is for
// callers without a testing.TB, such as a benchmark input that falls back to
// committed data.
func Find(elem ...string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("shareddata: no go.mod above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{filepath.Dir(dir), "shared", "data"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shareddata: %w", err)
	}
	return p, nil
}

// Path returns the absolute path of shared/data/<elem...>, skipping t when it
// is absent.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	p, err := Find(elem...)
	if err != nil {
		t.Skipf("shared data absent (it sits beside the repository on development machines and CI): %v", err)
	}
	return p
}

// Market returns the absolute path of shared/data/market/<elem...>, skipping t
// when it is absent.
func Market(t testing.TB, elem ...string) string {
	t.Helper()
	return Path(t, append([]string{"market"}, elem...)...)
}

// Oracle returns the absolute path of shared/data/oracle/<elem...>, skipping t
// when it is absent.
func Oracle(t testing.TB, elem ...string) string {
	t.Helper()
	return Path(t, append([]string{"oracle"}, elem...)...)
}
