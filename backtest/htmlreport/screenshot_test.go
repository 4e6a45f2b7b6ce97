package htmlreport_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/candlewick-labs/candlewick/backtest/htmlreport"
)

var (
	screenshotOut = flag.String("screenshot-out", "", "copy the PNG taken by TestScreenshot to this path (e.g. ../../docs/report-screenshot.png)")
	reportOut     = flag.String("report-out", "", "copy the real-data report.html written by TestScreenshot to this path")
)

// TestScreenshot renders a report of real bars and photographs it in
// headless Chromium through scripts/screenshot-report.sh. It needs a
// browser, so it skips without one (and under -short): make test never
// requires Chromium.
func TestScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser run")
	}
	browser := ""
	for _, b := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(b); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Skip("no chromium installed (apt-get install -y chromium)")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := htmlreport.Write(&buf, realData(t)); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.html")
	if err := os.WriteFile(report, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "report.png")
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "screenshot-report.sh"), report, png, "1400,3400")
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	img, err := os.ReadFile(png)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) || len(img) < 20_000 {
		t.Fatalf("screenshot is not a plausible PNG (%d bytes)", len(img))
	}
	t.Logf("report %d bytes, screenshot %d bytes", buf.Len(), len(img))
	for path, data := range map[string][]byte{*screenshotOut: img, *reportOut: buf.Bytes()} {
		if strings.TrimSpace(path) == "" {
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
