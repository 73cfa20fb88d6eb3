package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// getter is the GET loop ECFRClient and Client share: a User-Agent naming
// the tool, a response size cap, and retries with exponential backoff on
// 429, 5xx, network errors and bodies cut short, honouring Retry-After.
// A zero field takes its default.
type getter struct {
	client    *http.Client
	userAgent string
	maxBytes  int64
	attempts  int
	sleep     func(ctx context.Context, d time.Duration) error
	now       func() time.Time
	// jitter spreads a backoff wait (never a Retry-After); nil leaves it
	// as it is.
	jitter func(time.Duration) time.Duration
	log    *slog.Logger
}

// maxRetryAfter is the longest Retry-After a request waits for; a server
// asking for more is an error, left to the next run.
const maxRetryAfter = 2 * time.Minute

// getSpec is one GET.
type getSpec struct {
	url    string
	accept string
	// header adds request headers (conditional request validators).
	header http.Header
	// wait runs before each attempt (a rate limiter); nil means none.
	wait func(ctx context.Context) error
	// check judges the body of a 200 response; an error from it fails
	// the request, or is retried when wrapped by retryable.
	check func(resp *http.Response, body []byte) error
}

// got is a response with status 200 or 304.
type got struct {
	status int
	header http.Header
	body   []byte
}

// retryableError marks an error worth another attempt.
type retryableError struct{ err error }

func (e retryableError) Error() string { return e.err.Error() }
func (e retryableError) Unwrap() error { return e.err }

func retryable(err error) error { return retryableError{err} }

// statusError is an HTTP status other than 200 or 304.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// Is reports the status as ErrHTTP, and a 404 also as ErrNotFound.
func (e *statusError) Is(target error) bool {
	return target == ErrHTTP || (target == ErrNotFound && e.code == http.StatusNotFound)
}

// get performs s, retrying what is worth retrying. Its error says which
// URL failed: "fetch URL: ...".
func (g *getter) get(ctx context.Context, s getSpec) (got, error) {
	attempts := g.attempts
	if attempts <= 0 {
		attempts = 3
	}
	sleep := g.sleep
	if sleep == nil {
		sleep = sleepContext
	}
	var last error
	for i := 0; i < attempts; i++ {
		if s.wait != nil {
			if err := s.wait(ctx); err != nil {
				return got{}, fmt.Errorf("fetch %s: %w", s.url, err)
			}
		}
		resp, wait, err := g.once(ctx, s)
		if err == nil {
			return resp, nil
		}
		last = err
		if wait < 0 || ctx.Err() != nil {
			break // not worth retrying
		}
		if wait == 0 {
			wait = time.Duration(1<<i) * time.Second
			if g.jitter != nil {
				wait = g.jitter(wait)
			}
		}
		if wait > maxRetryAfter {
			last = fmt.Errorf("%w (the server asks to wait %s; giving up until the next run)", err, wait)
			break
		}
		if i+1 < attempts {
			g.logger().Warn("retrying", "url", s.url, "attempt", i+1, "wait", wait, "err", err)
			if err := sleep(ctx, wait); err != nil {
				return got{}, fmt.Errorf("fetch %s: %w", s.url, err)
			}
		}
	}
	return got{}, fmt.Errorf("fetch %s: %w", s.url, last)
}

// once makes one request. wait < 0 means the error is permanent, 0 that
// it is retried after the default backoff, > 0 after that long.
func (g *getter) once(ctx context.Context, s getSpec) (got, time.Duration, error) {
	client := g.client
	if client == nil {
		client = &http.Client{Timeout: 60 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return got{}, -1, err
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	ua := g.userAgent
	if ua == "" {
		ua = "entitywatch (Entity List monitor)"
	}
	req.Header.Set("User-Agent", ua)
	if s.accept != "" {
		req.Header.Set("Accept", s.accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return got{}, -1, ctx.Err()
		}
		if errors.Is(err, ErrForeignHost) {
			return got{}, -1, err // a redirect off the FR host
		}
		return got{}, 0, err // network error or timeout
	}
	defer resp.Body.Close()
	limit := g.maxBytes
	if limit <= 0 {
		limit = 64 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return got{}, -1, ctx.Err()
		}
		// A body shorter than its Content-Length ends in io.ErrUnexpectedEOF.
		return got{}, 0, fmt.Errorf("read body (%d bytes): %w", len(body), err)
	}
	if int64(len(body)) > limit {
		return got{}, -1, fmt.Errorf("%w: body larger than %d bytes", ErrHTTP, limit)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength && resp.StatusCode == http.StatusOK {
		return got{}, 0, fmt.Errorf("%w: body cut short: %d of %d bytes", ErrHTTP, len(body), resp.ContentLength)
	}
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusNotModified:
		return got{status: code, header: resp.Header}, 0, nil
	case code == http.StatusTooManyRequests || code >= 500:
		return got{}, g.retryAfter(resp.Header.Get("Retry-After")), &statusError{code, fmt.Sprintf("%v: %s", ErrHTTP, resp.Status)}
	default:
		return got{}, -1, &statusError{code, fmt.Sprintf("%v: %s: %s", ErrHTTP, resp.Status, firstWords(string(body[:min(len(body), 200)]), 20))}
	}
	if s.check != nil {
		if err := s.check(resp, body); err != nil {
			var r retryableError
			if errors.As(err, &r) {
				return got{}, 0, err
			}
			return got{}, -1, err
		}
	}
	return got{status: http.StatusOK, header: resp.Header, body: body}, 0, nil
}

// retryAfter reads a Retry-After header, in seconds or as an HTTP date; 0
// means none (use the default backoff).
func (g *getter) retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	now := time.Now
	if g.now != nil {
		now = g.now
	}
	if d := t.Sub(now()); d > 0 {
		return d.Round(time.Second)
	}
	return 0
}

func (g *getter) logger() *slog.Logger {
	if g.log != nil {
		return g.log
	}
	return slog.New(slog.DiscardHandler)
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer spaces requests at least interval apart: a token bucket of one
// token, so any window of one second holds at most 1s/interval requests.
// Its clock and sleep are the caller's, so tests run it on a fake clock.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return &pacer{}
	}
	return &pacer{interval: time.Duration(float64(time.Second) / perSecond)}
}

// wait reserves the next slot and sleeps until it.
func (p *pacer) wait(ctx context.Context, now func() time.Time, sleep func(context.Context, time.Duration) error) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	t := now()
	at := p.next
	if at.Before(t) {
		at = t
	}
	p.next = at.Add(p.interval)
	p.mu.Unlock()
	if d := at.Sub(t); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}
