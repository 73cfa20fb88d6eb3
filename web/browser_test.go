package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which CI installs (apt-get install
// chromium).
const chromiumPath = "/usr/bin/chromium"

// TestBrowser_SearchToHistory opens the web view in headless Chromium,
// searches "Inspur", opens Inspur Taiwan, checks its history is shown and
// saves a screenshot. It fails without Chromium: the web view must be
// seen working in a browser.
func TestBrowser_SearchToHistory(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get update && apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	h, _ := newTestServer(t, newFixtureStore(t), Options{})
	srv := httptest.NewServer(h)
	defer srv.Close()

	// Every wait below is bounded by this.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var chromeLog bytes.Buffer
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
		chromedp.CombinedOutput(&chromeLog),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	defer cancelBrowser()

	var results, heading, history, status, location string
	var shot []byte
	err := chromedp.Do(browser,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "Inspur"),
		chromedp.Click(chromedp.ID("search")),
		chromedp.WaitVisible(chromedp.ID("results")),
		into(&results, chromedp.Text(chromedp.ID("results"))),
		chromedp.Click(chromedp.CSS(`#results a[href="/entries/TW/inspurtaiwan"]`)),
		chromedp.WaitVisible(chromedp.ID("history")),
		into(&location, chromedp.Location()),
		into(&heading, chromedp.Text(chromedp.CSS("h1"))),
		into(&status, chromedp.Text(chromedp.CSS("p.status"))),
		into(&history, chromedp.Text(chromedp.ID("history"))),
		into(&shot, chromedp.FullScreenshot(100)),
	)
	if err != nil {
		t.Fatalf("browser: %v\nchromium said:\n%s", err, chromeLog.String())
	}
	for _, want := range []string{"6 entries like “Inspur”", "Inspur Taiwan", "Inspur Software Co., Ltd."} {
		if !strings.Contains(results, want) {
			t.Errorf("results lack %q:\n%s", want, results)
		}
	}
	if !strings.HasSuffix(location, "/entries/TW/inspurtaiwan") || heading != "Inspur Taiwan" {
		t.Errorf("entry page: %s, heading %q", location, heading)
	}
	if !strings.Contains(status, "On the Entity List") {
		t.Errorf("status %q", status)
	}
	for _, want := range []string{"March 25, 2025", "Added to the Entity List", "Federal Register document 2025-05427", "Read the rule on federalregister.gov", "Our stored copy of the original"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	file := filepath.Join(t.TempDir(), "entry.png")
	if err := os.WriteFile(file, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Size() < 1000 || !bytes.HasPrefix(shot, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot %s: %d bytes, not a PNG (%v)", file, len(shot), err)
	}
	t.Logf("screenshot: %s (%d bytes)", file, fi.Size())
	if os.Getenv("ENTITYWATCH_SCREENSHOT") != "" {
		os.WriteFile(os.Getenv("ENTITYWATCH_SCREENSHOT"), shot, 0o644)
	}
}

// into runs a and stores its value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := a(ctx, t)
		*dst = v
		return err
	})
}
