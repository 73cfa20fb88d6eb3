package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	sleep := c.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	var last error
	for i := 0; i < attempts; i++ {
		body, retryAfter, err := c.once(ctx, u)
		if err == nil {
			return body, nil
		}
		last = err
		if retryAfter < 0 {
			break // not worth retrying
		}
		if retryAfter == 0 {
			retryAfter = time.Duration(1<<i) * time.Second
		}
		if i+1 < attempts {
			if err := sleep(ctx, retryAfter); err != nil {
				return nil, err
			}
		}
	}
	return nil, fmt.Errorf("fetch %s: %w", u, last)
}

// once makes one request. retryAfter < 0 means the error is permanent; 0
// means retry after the default backoff.
func (c *ECFRClient) once(ctx context.Context, u string) ([]byte, time.Duration, error) {
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, -1, err
	}
	ua := c.UserAgent
	if ua == "" {
		ua = "entitywatch (Entity List monitor)"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/xml")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, 0, err
	}
	defer resp.Body.Close()
	limit := c.MaxBytes
	if limit <= 0 {
		limit = 64 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, -1, fmt.Errorf("%w: body larger than %d bytes", ErrHTTP, limit)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		wait := time.Duration(0)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
		return nil, wait, fmt.Errorf("%w: %s", ErrHTTP, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, -1, fmt.Errorf("%w: %s: %s", ErrHTTP, resp.Status, firstWords(string(body[:min(len(body), 200)]), 20))
	}
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "html") {
		return nil, -1, fmt.Errorf("%w: got %s, not XML (an error page?)", ErrHTTP, ct)
	}
	return body, 0, nil
}
