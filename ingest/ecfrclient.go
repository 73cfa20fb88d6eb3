package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/entitywatch/entitywatch"
)

// DefaultECFRURL is the eCFR's base URL.
const DefaultECFRURL = "https://www.ecfr.gov"

// ECFRClient fetches part 744 of title 15 from the eCFR versioner API.
// Its fields are the knobs tests set: a base URL pointing at an httptest
// server, an HTTP client, a clock for backoff.
type ECFRClient struct {
	// BaseURL is the eCFR's address; empty means DefaultECFRURL.
	BaseURL string
	// HTTP is the client used; nil means one with a 60 s timeout.
	HTTP *http.Client
	// UserAgent names the caller in requests.
	UserAgent string
	// MaxBytes caps a response; 0 means 64 MiB.
	MaxBytes int64
	// Attempts is how many times a 429, a 5xx or a network error is
	// tried; 0 means 3.
	Attempts int
	// Sleep waits between attempts; nil means a context-aware sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrHTTP reports an HTTP response that is not a document.
var ErrHTTP = errors.New("unexpected HTTP response")

// FetchPart744 returns the eCFR XML of 15 CFR part 744 as of date: the
// body of GET {base}/api/versioner/v1/full/{date}/title-15.xml?part=744.
func (c *ECFRClient) FetchPart744(ctx context.Context, date entitywatch.Date) ([]byte, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultECFRURL
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + "/api/versioner/v1/full/" + date.String() + "/title-15.xml")
	if err != nil {
		return nil, fmt.Errorf("ecfr url: %w", err)
	}
	u.RawQuery = url.Values{"part": {"744"}}.Encode()
	return c.get(ctx, u.String())
}

func (c *ECFRClient) get(ctx context.Context, u string) ([]byte, error) {
	g := getter{client: c.HTTP, userAgent: c.UserAgent, maxBytes: c.MaxBytes, attempts: c.Attempts, sleep: c.Sleep}
	r, err := g.get(ctx, getSpec{url: u, accept: "application/xml", check: func(resp *http.Response, _ []byte) error {
		if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "html") {
			return fmt.Errorf("%w: got %s, not XML (an error page?)", ErrHTTP, ct)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: %w: %d without a conditional request", u, ErrHTTP, r.status)
	}
	return r.body, nil
}
