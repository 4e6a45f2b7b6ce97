package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/events"
	"github.com/candlewick-labs/candlewick/feeds"
	"github.com/candlewick-labs/candlewick/internal/shareddata"
)

// TestImportCatSharedData imports every bar file of the shared data set
// through the CLI into one log, and checks that `cat` prints exactly the
// bars the importer read — every price the same decimal (feeds' own tests
// check those against the source text) — with nothing lost or added.
func TestImportCatSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("imports ~700k bars")
	}
	root := shareddata.Market(t)
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && name == "ws-frames-cryptofeed" {
			return filepath.SkipDir
		}
		if !d.IsDir() && !strings.Contains(name, "trades") && !strings.HasSuffix(name, ".md") && name != "SHA256SUMS" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 25 {
		t.Fatalf("found only %d bar files under %s", len(files), root)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, out, errOut := runCLI(t, "import", "--data-dir", dir, f)
			if code != exitOK {
				t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
			}
			var want []events.Bar
			sum, err := feeds.ImportFile(context.Background(), f, feeds.Options{},
				feeds.SinkFuncs{OnBar: func(b events.Bar) error { want = append(want, b); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Imported != len(want) || sum.Imported == 0 {
				t.Fatalf("summary says %d imported, sink got %d", sum.Imported, len(want))
			}
			code, out, errOut = runCLI(t, "cat", "--data-dir", dir, events.StreamBars)
			if code != exitOK {
				t.Fatalf("cat: exit %d: %s", code, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(want) {
				t.Fatalf("cat printed %d bars, the importer read %d", len(lines), len(want))
			}
			for i, line := range lines {
				got, err := events.DecodeBarJSON([]byte(line), true)
				if err != nil {
					t.Fatalf("line %d: %v: %s", i+1, err, line)
				}
				if got != want[i] {
					t.Fatalf("bar %d differs:\n cat:    %s\n import: %s", i, line, want[i].AppendJSON(nil))
				}
			}
		})
	}
}
