package notify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch/notify"
)

func sendError(t *testing.T, err error) *notify.SendError {
	t.Helper()
	var se *notify.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *notify.SendError", err, err)
	}
	return se
}

func TestSlackBot_Errors(t *testing.T) {
	tests := []struct {
		name       string
		token      string
		fault      []response
		wantErr    string // "" for success
		retryable  bool
		retryAfter time.Duration
	}{
		{name: "ok", token: testToken},
		{name: "rate_limited", token: testToken, fault: []response{{status: 429, header: map[string]string{"Retry-After": "1"}}},
			wantErr: "rate limit", retryable: true, retryAfter: time.Second},
		{name: "rate_limited_no_header", token: testToken, fault: []response{{status: 429}}, wantErr: "429", retryable: true},
		{name: "server_error", token: testToken, fault: []response{{status: 500, body: "<html>oops</html>"}}, wantErr: "500", retryable: true},
		{name: "bad_gateway", token: testToken, fault: []response{{status: 502}}, wantErr: "502", retryable: true},
		{name: "hang_up", token: testToken, fault: []response{{hangUp: true}}, wantErr: "EOF", retryable: true},
		{name: "ratelimited_in_body", token: testToken, fault: []response{{status: 200, body: `{"ok":false,"error":"ratelimited"}`}}, wantErr: "ratelimited", retryable: true},
		{name: "internal_error", token: testToken, fault: []response{{status: 200, body: `{"ok":false,"error":"internal_error"}`}}, wantErr: "internal_error", retryable: true},
		{name: "invalid_auth", token: "xoxb-0-0-wrong", wantErr: "invalid_auth"},
		{name: "channel_not_found", token: testToken, fault: []response{{status: 200, body: `{"ok":false,"error":"channel_not_found"}`}}, wantErr: "channel_not_found"},
		{name: "not_in_channel", token: testToken, fault: []response{{status: 200, body: `{"ok":false,"error":"not_in_channel"}`}}, wantErr: "not_in_channel"},
		{name: "msg_blocks_too_long", token: testToken, fault: []response{{status: 200, body: `{"ok":false,"error":"msg_blocks_too_long"}`}}, wantErr: "msg_blocks_too_long"},
		{name: "not_json", token: testToken, fault: []response{{status: 200, body: `<html>captive portal</html>`}}, wantErr: "invalid character", retryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.fail(tt.fault...)
			ts, err := f.bot(tt.token).Send(t.Context(), notify.Message{ID: "1", Text: "BIS added 1 entity & more"})
			if tt.wantErr == "" {
				if err != nil || ts == "" {
					t.Fatalf("Send = %q, %v; want a ts", ts, err)
				}
				posts, _, _, _ := f.snapshot()
				if got := posts[0].Get("text"); got != "BIS added 1 entity &amp; more" {
					t.Errorf("text sent as %q; want it escaped", got)
				}
				return
			}
			se := sendError(t, err)
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q lacks %q", err, tt.wantErr)
			}
			if se.Retryable != tt.retryable || se.RetryAfter != tt.retryAfter {
				t.Errorf("Retryable, RetryAfter = %v, %v; want %v, %v", se.Retryable, se.RetryAfter, tt.retryable, tt.retryAfter)
			}
			if notify.IsPermanent(err) == tt.retryable {
				t.Errorf("IsPermanent = %v; want %v", notify.IsPermanent(err), !tt.retryable)
			}
		})
	}
}

func TestSlackBot_ThreadAndUpload(t *testing.T) {
	f := newFakeSlack(t)
	b := f.bot(testToken)
	ctx := t.Context()
	root, err := b.Send(ctx, notify.Message{Text: "summary"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Reply(ctx, root, notify.Message{Text: "part 1"}); err != nil {
		t.Fatal(err)
	}
	id, err := b.Upload(ctx, root, notify.File{Name: "x.csv", Title: "list", Type: "csv", Content: "a,b\n1,2\n"})
	if err != nil || id != "F0001" {
		t.Fatalf("Upload = %q, %v", id, err)
	}
	posts, _, uploads, _ := f.snapshot()
	if got := posts[1].Get("thread_ts"); got != root {
		t.Errorf("reply thread_ts = %q; want %q", got, root)
	}
	if got := uploads[0].Get("thread_ts"); got != root {
		t.Errorf("upload thread_ts = %q; want %q", got, root)
	}
	if got := uploads[0].Get("channel_id"); got != testChannel {
		t.Errorf("upload channel_id = %q", got)
	}
	if diff := cmp.Diff([]string{"a,b\n1,2\n"}, f.content); diff != "" {
		t.Errorf("uploaded (-want +got):\n%s", diff)
	}
}

func TestSlackWebhook_Errors(t *testing.T) {
	tests := []struct {
		name       string
		fault      []response
		wantErr    string
		retryable  bool
		retryAfter time.Duration
	}{
		{name: "ok"},
		{name: "rate_limited", fault: []response{{status: 429, header: map[string]string{"Retry-After": "3"}}}, wantErr: "rate limit", retryable: true, retryAfter: 3 * time.Second},
		{name: "server_error", fault: []response{{status: 503}}, wantErr: "503", retryable: true},
		{name: "no_service", fault: []response{{status: 404, body: "no_service"}}, wantErr: "404"},
		{name: "invalid_token", fault: []response{{status: 403, body: "invalid_token"}}, wantErr: "403"},
		{name: "channel_is_archived", fault: []response{{status: 410, body: "channel_is_archived"}}, wantErr: "410"},
		{name: "hang_up", fault: []response{{hangUp: true}}, wantErr: "EOF", retryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.fail(tt.fault...)
			m := notify.Render(fixtureAlert(t, "2025-05427", 1), notify.RenderOptions{})
			receipt, err := notify.NewSlackWebhook(f.hookURL(), f.srv.Client()).Send(t.Context(), m.Parts()[0])
			if tt.wantErr == "" {
				if err != nil || receipt != "ok" {
					t.Fatalf("Send = %q, %v", receipt, err)
				}
				_, hooks, _, _ := f.snapshot()
				if len(hooks) != 1 || hooks[0].Blocks == nil || len(hooks[0].Blocks.BlockSet) != len(m.Blocks) || !strings.HasPrefix(hooks[0].Text, "BIS added 12 entities") {
					t.Errorf("webhook received %+v", hooks)
				}
				return
			}
			se := sendError(t, err)
			if !strings.Contains(err.Error(), tt.wantErr) || se.Retryable != tt.retryable || se.RetryAfter != tt.retryAfter {
				t.Errorf("error %q, Retryable %v, RetryAfter %v; want %q, %v, %v", err, se.Retryable, se.RetryAfter, tt.wantErr, tt.retryable, tt.retryAfter)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

// assertNoSecrets fails if s holds the test token or the secret part of
// the webhook URL.
func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{testToken, "SeCrEtToKeNvAlUe", hookPath, "WebhookSecretPathXYZ", "s3cr3t-hmac-key"} {
		if strings.Contains(s, secret) {
			t.Errorf("secret %q leaked into:\n%s", secret, s)
		}
	}
}

// unwrapAll returns the messages of err and of every error it wraps.
func unwrapAll(err error) string {
	var b strings.Builder
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		b.WriteString(err.Error() + "\n")
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return b.String()
}

// TestRedaction sends with each sender to places that fail in ways whose
// errors, as slack-go and net/http produce them, name the URL or echo
// the token; none of it may reach the error or its wrapped chain.
func TestRedaction(t *testing.T) {
	f := newFakeSlack(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // connections are refused from now on

	tests := []struct {
		name   string
		sender notify.Sender
		fault  []response
	}{
		{"slack_webhook_refused", notify.NewSlackWebhook(closedURL+hookPath, nil), nil},
		{"slack_webhook_bad_url", notify.NewSlackWebhook("http://[::1"+hookPath, nil), nil},
		{"slack_webhook_404", notify.NewSlackWebhook(f.srv.URL+"/nothing"+hookPath, f.srv.Client()), nil},
		{"webhook_refused", notify.NewWebhook(closedURL+"/hook?key=s3cr3t-hmac-key&token="+testToken, []byte("s3cr3t-hmac-key"), nil), nil},
		{"webhook_echoes", notify.NewWebhook(f.srv.URL+"/hook?token="+testToken, []byte("s3cr3t-hmac-key"), f.srv.Client()),
			[]response{{status: 400, body: "bad token " + testToken + " signed with s3cr3t-hmac-key"}}},
		{"slack_bot_refused", notify.NewSlackBot(testToken, testChannel, slack.OptionAPIURL(closedURL+"/api/")), nil},
		{"slack_bot_echoes", f.bot(testToken), []response{{status: 200, body: `{"ok":false,"error":"invalid_auth: ` + testToken + `"}`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.fail(tt.fault...)
			_, err := tt.sender.Send(t.Context(), notify.Message{ID: "1", Text: "x"})
			if err == nil {
				t.Fatal("Send succeeded; want an error")
			}
			t.Logf("error: %v", err)
			assertNoSecrets(t, unwrapAll(err))
			assertNoSecrets(t, tt.sender.Name())
		})
	}
}

func TestWebhook_Signature(t *testing.T) {
	secret := []byte("s3cr3t-hmac-key")
	now := time.Unix(1711620000, 0)
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		mu.Unlock()
		// Verify as a receiver would, without notify.
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(r.Header.Get(notify.HeaderTimestamp) + "." + string(body)))
		if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(want), []byte(r.Header.Get(notify.HeaderSignature))) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Request-Id", "req-1")
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	w := notify.NewWebhook(srv.URL+"/entitywatch", secret, srv.Client())
	w.Now = func() time.Time { return now }
	m := notify.Render(fixtureAlert(t, "2025-05427", 7), notify.RenderOptions{})
	receipt, err := w.Send(t.Context(), m.Parts()[0])
	if err != nil {
		t.Fatal(err)
	}
	if receipt != "202 Accepted req-1" {
		t.Errorf("receipt = %q", receipt)
	}
	r, body := got[0], bodies[0]
	if ts := r.Header.Get(notify.HeaderTimestamp); ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("timestamp header %q", ts)
	}
	if id := r.Header.Get(notify.HeaderDelivery); id != "7" {
		t.Errorf("delivery header %q; want the message ID 7", id)
	}
	sig := r.Header.Get(notify.HeaderSignature)
	if !notify.VerifySignature(secret, r.Header.Get(notify.HeaderTimestamp), body, sig) {
		t.Errorf("VerifySignature refuses the request's own signature")
	}
	tampered := bytes.Replace(body, []byte("Inspur"), []byte("Inspuf"), 1)
	if notify.VerifySignature(secret, r.Header.Get(notify.HeaderTimestamp), tampered, sig) {
		t.Errorf("VerifySignature accepts a tampered body")
	}
	if notify.VerifySignature(secret, "1711620001", body, sig) {
		t.Errorf("VerifySignature accepts another timestamp")
	}
	var decoded struct {
		ID    string       `json:"id"`
		Text  string       `json:"text"`
		Alert notify.Alert `json:"alert"`
	}
	if err := json.Unmarshal(body, &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Alert.Document != "2025-05427" || len(decoded.Alert.Changes) != 12 || decoded.Alert.Effective.String() != "2025-03-25" {
		t.Errorf("payload alert = %s %d changes effective %s", decoded.Alert.Document, len(decoded.Alert.Changes), decoded.Alert.Effective)
	}
}

func TestWebhook_Errors(t *testing.T) {
	now := time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		header     map[string]string
		retryable  bool
		retryAfter time.Duration
	}{
		{"unavailable_retry_after_seconds", 503, map[string]string{"Retry-After": "2"}, true, 2 * time.Second},
		{"too_many_retry_after_date", 429, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, true, 90 * time.Second},
		{"server_error", 500, nil, true, 0},
		{"timeout", 408, nil, true, 0},
		{"bad_request", 400, nil, false, 0},
		{"unauthorized", 401, nil, false, 0},
		{"gone", 410, nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, "nope")
			}))
			defer srv.Close()
			w := notify.NewWebhook(srv.URL, []byte("k"), srv.Client())
			w.Now = func() time.Time { return now }
			_, err := w.Send(t.Context(), notify.Message{ID: "1", Text: "x"})
			se := sendError(t, err)
			if se.Retryable != tt.retryable || se.RetryAfter != tt.retryAfter {
				t.Errorf("Retryable, RetryAfter = %v, %v; want %v, %v (%v)", se.Retryable, se.RetryAfter, tt.retryable, tt.retryAfter, err)
			}
			if !strings.Contains(err.Error(), strconv.Itoa(tt.status)) || !strings.Contains(err.Error(), "nope") {
				t.Errorf("error %q lacks the status and the answer", err)
			}
		})
	}
}

func TestConsole(t *testing.T) {
	var b bytes.Buffer
	c := &notify.Console{W: &b}
	m := notify.Render(fixtureAlert(t, "2025-05427", 3), notify.RenderOptions{})
	receipt, err := c.Send(context.Background(), m.Parts()[0])
	if err != nil || receipt != "console" {
		t.Fatalf("Send = %q, %v", receipt, err)
	}
	want := "── entitywatch alert 3 ──\nBIS added 12 entities, effective 2025-03-25: China 11 ("
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("console got:\n%s\nwant prefix:\n%s", b.String(), want)
	}
}
