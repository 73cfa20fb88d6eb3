package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch/notify"
	"github.com/entitywatch/entitywatch/store"
)

// slackServer speaks the parts of Slack's Web API the bot uses:
// chat.postMessage (top level and thread replies) and the external file
// upload. It counts what it receives.
type slackServer struct {
	mu      sync.Mutex
	srv     *httptest.Server
	posts   []url.Values
	uploads int
	tokens  map[string]bool
}

func newSlackServer(t *testing.T, token, channel string) *slackServer {
	s := &slackServer{tokens: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/upload/") {
			io.Copy(io.Discard, r.Body)
			fmt.Fprint(w, "OK")
			return
		}
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got := r.Form.Get("token")
		if got == "" {
			got = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		}
		if got != token {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/api/") {
		case "chat.postMessage":
			if r.Form.Get("channel") != channel {
				fmt.Fprint(w, `{"ok":false,"error":"channel_not_found"}`)
				return
			}
			s.posts = append(s.posts, r.Form)
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": channel, "ts": fmt.Sprintf("1711620000.%06d", len(s.posts))})
		case "files.getUploadURLExternal":
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/F1", "file_id": "F1"})
		case "files.completeUploadExternal":
			s.uploads++
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": []map[string]string{{"id": "F1", "title": "list"}}})
		default:
			fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// topLevel returns the texts of the messages that are not thread replies.
func (s *slackServer) topLevel() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.posts {
		if p.Get("thread_ts") == "" {
			out = append(out, p.Get("text"))
		}
	}
	return out
}

// TestMain_RunOnceSlack is issue 5's end-to-end check: a run over the
// fixtures with a bot token posts one alert per rule to Slack (a local
// server speaking its API), and a second run posts nothing.
func TestMain_RunOnceSlack(t *testing.T) {
	const token, channel = "xoxb-test-0000-secret", "C0123ENTITY"
	slack := newSlackServer(t, token, channel)
	t.Setenv("SLACK_BOT_TOKEN", token)
	t.Setenv("SLACK_WEBHOOK_URL", "")
	t.Setenv("ENTITYWATCH_WEBHOOK_URL", "")
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	args := []string{"run", "--once", "--source", "../../fixtures/federalregister", "--db", db, "--since", "2023-01-01", "--slack-channel", channel, "--slack-api-url", slack.srv.URL + "/api/"}
	code, stdout, stderr := run(t, "", args...)
	if code != exitFailed { // 2023-13196 is quarantined
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, token) {
		t.Errorf("the bot token appears in the output")
	}
	posts := slack.topLevel()
	if len(posts) != 7 {
		t.Fatalf("%d top-level posts, want 7 (6 rules applied, 1 quarantined):\n%s", len(posts), strings.Join(posts, "\n---\n"))
	}
	joined := strings.Join(posts, "\n")
	for _, want := range []string{"2023-13196 could not be parsed", "BIS added 12 entities, effective 2025-03-25", "2025-05426", "2023-25557"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no post mentions %q", want)
		}
	}
	before := len(slack.posts)
	code, stdout, _ = run(t, "", args...)
	if code != exitOK || len(slack.posts) != before {
		t.Errorf("second run: exit %d, %d new posts\n%s", code, len(slack.posts)-before, stdout)
	}
	// The outbox shows each alert delivered with Slack's ts.
	code, stdout, _ = run(t, "", "alerts", "list", "--db", db)
	if code != exitOK || strings.Count(stdout, `"status": "delivered"`) != 7 || !strings.Contains(stdout, "1711620000.") {
		t.Errorf("alerts list: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "", "alerts", "preview", "2025-05427", "--db", db)
	if code != exitOK || !strings.Contains(stdout, `"blocks"`) && !strings.Contains(stdout, `"Blocks"`) {
		t.Errorf("alerts preview: exit %d\n%.400s", code, stdout)
	}
	if code, _, stderr := run(t, "", "alerts", "retry", "2099-99999", "--db", db); code != exitFailed || !strings.Contains(stderr, "no alert") {
		t.Errorf("retry of an unknown document: exit %d %s", code, stderr)
	}
}

// TestWeeklyReport_Slack posts last week's report to Slack once: a
// summary message and the HTML report uploaded beside it.
func TestWeeklyReport_Slack(t *testing.T) {
	const token, channel = "xoxb-test-0000-secret", "C0123ENTITY"
	sl := newSlackServer(t, token, channel)
	dbPath := filepath.Join(t.TempDir(), "entitywatch.db")
	if code, _, stderr := run(t, "", "apply", "--db", dbPath, "../../fixtures/federalregister/2025-05426.xml", "../../fixtures/federalregister/2025-05427.xml"); code != exitOK {
		t.Fatalf("apply: %s", stderr)
	}
	ctx := t.Context()
	db, err := store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	route := notify.Route{Name: "slack", Sender: notify.NewSlackBot(token, channel, slackgo.OptionAPIURL(sl.srv.URL+"/api/"))}
	d := newDispatcher(db, []notify.Route{route}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	p := &pipeline{db: db, deliver: d.Deliver}
	now := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC) // last complete week: 2025-W13
	for range 2 {
		if err := postWeeklyReport(ctx, p, now); err != nil {
			t.Fatal(err)
		}
	}
	posts := sl.topLevel()
	if len(posts) != 3 || !strings.Contains(posts[2], "2025-W13") || !strings.Contains(posts[2], "82 added") || !strings.Contains(posts[2], "4 revised") {
		t.Errorf("posts (2 rule alerts, then the report once):\n%s", strings.Join(posts, "\n---\n"))
	}
	if sl.uploads == 0 {
		t.Errorf("the report file was not uploaded")
	}
}
