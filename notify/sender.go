package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Sender delivers rendered messages to one destination: a Slack channel,
// a webhook, the console. The Dispatcher calls Send once per part of a
// message (see Message.Parts), in order.
//
// Send returns a receipt, which the delivery log keeps (Slack's message
// ts), or an error; errors worth retrying are *SendError values with
// Retryable set. Errors never contain the sender's secrets.
type Sender interface {
	// Name names the sender in logs and errors, without secrets
	// ("slack:#entity-list").
	Name() string
	Send(ctx context.Context, m Message) (receipt string, err error)
}

// Threader is a Sender that posts replies in the thread of an earlier
// message and uploads files there (SlackBot). The Dispatcher posts the
// first part of a long message with Send and the rest with Reply and
// Upload, passing the first part's receipt as parent; Render then says
// the full list is "in the thread" and attaches a CSV.
type Threader interface {
	Sender
	Reply(ctx context.Context, parent string, m Message) (receipt string, err error)
	Upload(ctx context.Context, parent string, f File) (receipt string, err error)
}

// SendError is a failed delivery, classified: Retryable errors (rate
// limits, server errors, timeouts, network errors) are tried again after
// RetryAfter, or after the Dispatcher's backoff when RetryAfter is zero;
// the others (bad token, unknown channel, a message Slack refuses) are
// permanent.
type SendError struct {
	Err        error
	Retryable  bool
	RetryAfter time.Duration
}

// Error returns the message of the underlying error.
func (e *SendError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a SendError that is not worth
// retrying. Other errors, which senders outside this package may return,
// count as retryable.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && !se.Retryable
}

// retryAfter returns the wait a SendError asks for, or zero.
func retryAfter(err error) time.Duration {
	var se *SendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// transientSlackErrors are the Web API error codes worth retrying. Every
// other code (invalid_auth, not_authed, token_revoked, account_inactive,
// channel_not_found, not_in_channel, is_archived, msg_too_long,
// msg_blocks_too_long, invalid_blocks, missing_scope, ...) is permanent:
// retrying cannot change the answer.
var transientSlackErrors = map[string]bool{
	"ratelimited":         true,
	"rate_limited":        true,
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
	"timeout":             true,
}

// classify wraps err, already redacted, in a SendError.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	var api slack.SlackErrorResponse
	var status *httpStatusError
	var nerr net.Error
	switch {
	case errors.As(err, &rl):
		return &SendError{Err: err, Retryable: true, RetryAfter: rl.RetryAfter}
	case errors.As(err, &sc):
		return &SendError{Err: err, Retryable: retryableStatus(sc.Code)}
	case errors.As(err, &status):
		return &SendError{Err: err, Retryable: retryableStatus(status.Code), RetryAfter: status.RetryAfter}
	case errors.As(err, &api):
		return &SendError{Err: err, Retryable: transientSlackErrors[api.Err]}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &nerr),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &SendError{Err: err, Retryable: true}
	}
	// Unknown errors (a response that is not JSON, say) are retried: the
	// Dispatcher gives up after MaxAttempts and leaves the alert queued.
	return &SendError{Err: err, Retryable: true}
}

func retryableStatus(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
}

// httpStatusError is a webhook's answer other than 2xx.
type httpStatusError struct {
	Code       int
	Status     string
	Body       string
	RetryAfter time.Duration
}

func (e *httpStatusError) Error() string {
	s := "server answered " + e.Status
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// parseRetryAfter reads a Retry-After header: seconds, or an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// secretPatterns catch Slack tokens and webhook URLs a redactor was not
// told about.
var secretPatterns = []*regexp.Regexp{
	regexp.MustCompile(`xox[a-zA-Z]-[0-9A-Za-z-]+`),
	regexp.MustCompile(`xapp-[0-9A-Za-z-]+`),
	regexp.MustCompile(`hooks\.slack(-gov)?\.com/[^\s"'<>]+`),
}

// redactor removes a sender's secrets (token, webhook URL) from errors.
type redactor struct {
	// pairs holds each form of each secret and its replacement, longest
	// first.
	pairs []string
}

// newRedactor returns a redactor for tokens and URLs. A URL is replaced
// by its scheme and host; its path and query are secrets too, alone.
func newRedactor(tokens []string, urls []string) redactor {
	var r redactor
	add := func(secret, repl string) {
		if len(secret) >= 6 {
			r.pairs = append(r.pairs, secret, repl)
		}
	}
	for _, u := range urls {
		if u == "" {
			continue
		}
		repl := "[REDACTED URL]"
		if p, err := url.Parse(u); err == nil && p.Host != "" {
			repl = p.Scheme + "://" + p.Host + "/[REDACTED]"
			add(p.String(), repl)
			add(p.Redacted(), repl)
			add(p.EscapedPath(), "/[REDACTED]")
			add(p.Path, "/[REDACTED]")
			add(p.RawQuery, "[REDACTED]")
			if p.User != nil {
				add(p.User.String(), "[REDACTED]")
			}
		}
		add(u, repl)
		add(url.QueryEscape(u), "[REDACTED URL]")
	}
	for _, t := range tokens {
		add(t, "[REDACTED]")
		add(url.QueryEscape(t), "[REDACTED]")
	}
	// Longest first, so that a URL goes before its path.
	for i := 0; i < len(r.pairs); i += 2 {
		for j := i + 2; j < len(r.pairs); j += 2 {
			if len(r.pairs[j]) > len(r.pairs[i]) {
				r.pairs[i], r.pairs[j] = r.pairs[j], r.pairs[i]
				r.pairs[i+1], r.pairs[j+1] = r.pairs[j+1], r.pairs[i+1]
			}
		}
	}
	return r
}

// string redacts s.
func (r redactor) string(s string) string {
	if len(r.pairs) > 0 {
		s = strings.NewReplacer(r.pairs...).Replace(s)
	}
	for _, re := range secretPatterns {
		s = re.ReplaceAllString(s, "[REDACTED]")
	}
	return s
}

// error returns err classified and redacted. When any error in err's
// chain mentions a secret, the chain is cut: the result keeps only the
// redacted message, so that nobody can unwrap the secret back out.
// Otherwise the chain is kept for errors.As (slack.SlackErrorResponse,
// *slack.RateLimitedError).
func (r redactor) error(prefix string, err error) error {
	if err == nil {
		return nil
	}
	se := classify(err)
	inner := se.Err
	if r.leaks(inner) {
		inner = errors.New(r.string(inner.Error()))
	}
	return &SendError{Err: fmt.Errorf("%s: %w", prefix, inner), Retryable: se.Retryable, RetryAfter: se.RetryAfter}
}

// leaks reports whether the message of err or of any error it wraps
// holds a secret.
func (r redactor) leaks(err error) bool {
	if err == nil {
		return false
	}
	if s := err.Error(); r.string(s) != s {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return r.leaks(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if r.leaks(e) {
				return true
			}
		}
	}
	return false
}
