package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The headers of a Webhook request.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256, keyed
	// with the shared secret, of the timestamp header's value, a dot and
	// the body (see Sign).
	HeaderSignature = "X-Entitywatch-Signature"
	// HeaderTimestamp carries the Unix time of sending, in seconds.
	// Receivers should refuse requests more than a few minutes old.
	HeaderTimestamp = "X-Entitywatch-Timestamp"
	// HeaderDelivery carries the Message ID ("42", "42.1"): the same for
	// every retry of a message, so receivers can drop duplicates.
	HeaderDelivery = "X-Entitywatch-Delivery"
)

// Webhook POSTs each message as JSON (a Message: id, text, blocks, and on
// the first part the whole alert) to a URL, signed with HMAC-SHA256. Its
// receipt is the HTTP status and the response's X-Request-Id, if any.
type Webhook struct {
	url    string
	secret []byte
	client *http.Client
	redact redactor
	// Now returns the time stamped on requests; nil means time.Now.
	Now func() time.Time
}

// NewWebhook returns a Webhook posting to endpoint, signing with secret,
// using client (nil means a client with DefaultTimeout). The URL and the
// secret never appear in Name or in errors.
func NewWebhook(endpoint string, secret []byte, client *http.Client) *Webhook {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Webhook{url: endpoint, secret: secret, client: client, redact: newRedactor([]string{string(secret)}, []string{endpoint})}
}

// Name returns "webhook:" and the URL's host.
func (w *Webhook) Name() string {
	if u, err := url.Parse(w.url); err == nil && u.Host != "" {
		return "webhook:" + u.Host
	}
	return "webhook"
}

// Sign returns the signature of a request: "sha256=" and the hex
// HMAC-SHA256 of timestamp, ".", body.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether signature is the signature of
// timestamp and body with secret, in constant time. Receivers also check
// that timestamp is recent.
func VerifySignature(secret []byte, timestamp string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// Send posts m.
func (w *Webhook) Send(ctx context.Context, m Message) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", &SendError{Err: fmt.Errorf("webhook: encode message %s: %w", m.ID, err)}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return "", w.redact.error(w.Name(), &SendError{Err: err})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "entitywatch")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(w.secret, ts, body))
	req.Header.Set(HeaderDelivery, m.ID)
	resp, err := w.client.Do(req)
	if err != nil {
		return "", w.redact.error(w.Name(), err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		text := strings.TrimSpace(string(snippet))
		if !utf8.ValidString(text) {
			text = ""
		}
		return "", w.redact.error(w.Name(), &httpStatusError{
			Code: resp.StatusCode, Status: resp.Status, Body: cut(text, 200),
			RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now()),
		})
	}
	receipt := resp.Status
	if id := resp.Header.Get("X-Request-Id"); id != "" {
		receipt += " " + id
	}
	return receipt, nil
}
