package shareddata

import (
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	if _, err := Find("no-such-folder"); err == nil {
		t.Error("Find of a missing path succeeded")
	}
	p, err := Find()
	if err != nil {
		t.Skip(err)
	}
	if !filepath.IsAbs(p) || filepath.Base(p) != "data" || filepath.Base(filepath.Dir(p)) != "shared" {
		t.Errorf("Find() = %s", p)
	}
	if m := Market(t); m != filepath.Join(p, "market") {
		t.Errorf("Market = %s", m)
	}
}

func TestPathSkips(t *testing.T) {
	ok := t.Run("absent", func(t *testing.T) {
		Path(t, "no-such-folder")
		t.Error("Path did not skip")
	})
	if !ok {
		t.Error("absent data failed the test instead of skipping it")
	}
}
