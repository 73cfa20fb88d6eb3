package notify_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch/notify"
)

const (
	testToken   = "xoxb-1111111111-2222222222-SeCrEtToKeNvAlUe"
	testChannel = "C0ENTITYLIST"
	// hookPath is the secret part of an incoming webhook URL.
	hookPath = "/services/T0000000/B0000000/WebhookSecretPathXYZ"
)

// response is a canned HTTP answer.
type response struct {
	status int
	header map[string]string
	body   string
	// hangUp closes the connection without answering.
	hangUp bool
}

// fakeSlack is an httptest server that speaks the parts of Slack's Web
// API (chat.postMessage, the three-step file upload) and incoming
// webhooks that notify uses. Faults queued with fail are served, one per
// request, before it answers normally.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	faults   []response
	requests int          // every request, faults included
	posts    []url.Values // chat.postMessage forms that succeeded
	hooks    []slack.WebhookMessage
	uploads  []url.Values // files.completeUploadExternal forms
	content  []string     // uploaded file contents
	ts       int
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the URL to pass to slack.OptionAPIURL.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// hookURL is an incoming webhook's URL, secret included.
func (f *fakeSlack) hookURL() string { return f.srv.URL + hookPath }

func (f *fakeSlack) fail(rs ...response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, rs...)
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if len(f.faults) > 0 {
		fault := f.faults[0]
		f.faults = f.faults[1:]
		if fault.hangUp {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		for k, v := range fault.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(fault.status)
		io.WriteString(w, fault.body)
		return
	}
	apiErr := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}
	ok := func(v map[string]any) {
		v["ok"] = true
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.URL.Path == hookPath:
		var m slack.WebhookMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "invalid_payload")
			return
		}
		f.hooks = append(f.hooks, m)
		io.WriteString(w, "ok")
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		file, _, err := r.FormFile("file")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(file)
		f.content = append(f.content, string(b))
		io.WriteString(w, "OK - "+fmt.Sprint(len(b)))
	case strings.HasPrefix(r.URL.Path, "/api/"):
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		token := r.Form.Get("token")
		if token == "" {
			token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if token != testToken {
			apiErr("invalid_auth")
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/api/") {
		case "chat.postMessage":
			if r.Form.Get("channel") != testChannel {
				apiErr("channel_not_found")
				return
			}
			var blocks []json.RawMessage
			if b := r.Form.Get("blocks"); b != "" {
				if err := json.Unmarshal([]byte(b), &blocks); err != nil || len(blocks) > 50 {
					apiErr("invalid_blocks")
					return
				}
			}
			f.ts++
			f.posts = append(f.posts, r.Form)
			ok(map[string]any{"channel": testChannel, "ts": fmt.Sprintf("1711620000.%06d", f.ts)})
		case "files.getUploadURLExternal":
			ok(map[string]any{"upload_url": f.srv.URL + "/upload/F0001", "file_id": "F0001"})
		case "files.completeUploadExternal":
			f.uploads = append(f.uploads, r.Form)
			ok(map[string]any{"files": []map[string]string{{"id": "F0001", "title": "list"}}})
		default:
			apiErr("unknown_method")
		}
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "no_service")
	}
}

// snapshot returns what the server received so far.
func (f *fakeSlack) snapshot() (posts []url.Values, hooks []slack.WebhookMessage, uploads []url.Values, requests int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...), append([]slack.WebhookMessage(nil), f.hooks...),
		append([]url.Values(nil), f.uploads...), f.requests
}

func (f *fakeSlack) bot(token string) *notify.SlackBot {
	return notify.NewSlackBot(token, testChannel, slack.OptionAPIURL(f.apiURL()), slack.OptionHTTPClient(f.srv.Client()))
}

func notifyAPI(f *fakeSlack) slack.Option { return slack.OptionAPIURL(f.apiURL()) }
