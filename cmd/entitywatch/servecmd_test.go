package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/entitywatch/entitywatch/store"
	"github.com/entitywatch/entitywatch/web"
)

// servedDB runs the whole pipeline on the fixtures folder into a new
// database and returns its path.
func servedDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	code, stdout, stderr := run(t, "", "run", "--once", "--source", "../../fixtures/federalregister", "--since", "2023-01-01", "--db", db)
	if code != exitFailed || !strings.Contains(stderr+stdout, "2023-13196") {
		t.Fatalf("run --once: exit %d (want 1: 2023-13196 is quarantined)\n%s\n%s", code, stdout, stderr)
	}
	return db
}

func getBody(t *testing.T, h http.Handler, target string) (int, http.Header, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// TestServe_Store serves a database filled by the pipeline from the
// fixtures through webStore, and checks what each endpoint reads from
// it.
func TestServe_Store(t *testing.T) {
	path := servedDB(t)
	db, err := store.Open(t.Context(), path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := func() time.Time { return time.Date(2025, 4, 2, 9, 0, 0, 0, time.UTC) }
	var logs bytes.Buffer
	h := web.NewServer(webStore{db}, web.Options{Now: now, Report: reportFunc(db, now), Registry: prometheus.NewRegistry(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}).Handler()

	tests := []struct {
		name, target string
		code         int
		contains     []string
	}{
		{"entry", "/api/v1/entries/TW/inspurtaiwan", 200, []string{`"id":"TW/inspurtaiwan"`, `"on_list":true`, `"action":"add","effective_date":"2025-03-25","publication_date":"2025-03-28","document_number":"2025-05427"`, `"evidence":"/api/v1/documents/2025-05427/raw"`}},
		{"entry_removed", "/api/v1/entries/CN/ministryofpublicsecuritysinstituteofforensicscienceofchina", 200, []string{`"on_list":false`, `"action":"remove"`}},
		{"entry_unknown", "/api/v1/entries/TW/nosuchentity", 404, []string{`{"error":"entry TW/nosuchentity: not found"}`}},
		{"entry_prefix_of_another", "/api/v1/entries/TW/inspur", 404, []string{`not found`}},
		{"entry_no_name", "/api/v1/entries/TW/", 404, []string{`not found`}},
		{"entry_no_slash", "/api/v1/entries/inspurtaiwan", 404, []string{`not found`}},
		{"search", "/api/v1/entries?q=Suma+Technology&as_of=2025-03-25", 200, []string{`"id":"CN/sumatechologycoltd"`}},
		{"search_address", "/api/v1/entries?q=One+Capital+Place&as_of=2024-06-12", 200, []string{`"id":"CN/address01","name":"Address 01"`, `"matched":"Unit D, 16/F One Capital Place, 18 Luard Rd, Wan Chai, Hong Kong"`}},
		{"snapshot", "/api/v1/snapshot?as_of=2025-03-25", 200, []string{`"count":124`}},
		{"snapshot_published", "/api/v1/snapshot?as_of=2025-03-27&by=published", 200, []string{`"by":"published"`, `"count":38`}},
		{"changes", "/api/v1/changes?from=2025-03-24&to=2025-03-25", 200, []string{`"counts":{"added":82,"removed":0,"revised":4,"moved":0}`}},
		{"documents", "/api/v1/documents", 200, []string{`"count":7`, `"document_number":"2025-05427"`, `"counts":{"added":12,"removed":0,"revised":0,"moved":0}`, `"status":"quarantined"`}},
		{"document", "/api/v1/documents/2025-05427", 200, []string{`"rule":{`, `"applied_changes":[`, `"id":"TW/inspurtaiwan"`}},
		{"document_quarantined", "/api/v1/documents/2023-13196", 200, []string{`"status":"quarantined"`, `"reason":"`}},
		{"document_unknown", "/api/v1/documents/2099-00001", 404, []string{`{"error":"document 2099-00001: not found"}`}},
		{"raw_unknown", "/api/v1/documents/2099-00001/raw", 404, []string{`not found`}},
		{"healthz", "/healthz", 200, []string{`"status":"ok"`, `"runs":1`, `"applied":6`, `"quarantined":1`, `"last_success":"`}},
		{"report_json", "/api/v1/report?week=2025-W13&format=json", 200, []string{`Inspur Taiwan`}},
		{"report_html", "/api/v1/report?week=2025-W13&format=html", 200, []string{`<html`, `Inspur Taiwan`}},
		{"report_bad_week", "/api/v1/report?week=2025-W99", 400, []string{`has weeks 1 to 52`}},
		{"entry_page", "/entries/TW/inspurtaiwan", 200, []string{`<h1>Inspur Taiwan</h1>`, `Added to the Entity List`, `/api/v1/documents/2025-05427/raw`}},
		{"home_chart", "/", 200, []string{`<svg viewBox`, `<th scope="row">March 2025</th><td>82</td><td>4</td>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := getBody(t, h, tt.target)
			if code != tt.code {
				t.Errorf("status %d, want %d: %.500s", code, tt.code, body)
			}
			for _, s := range tt.contains {
				if !bytes.Contains(body, []byte(s)) {
					t.Errorf("body lacks %s: %.1500s", s, body)
				}
			}
		})
	}

	t.Run("raw", func(t *testing.T) {
		code, hdr, body := getBody(t, h, "/api/v1/documents/2025-05427/raw")
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		sum := sha256.Sum256(body)
		if got := hdr.Get("X-Content-SHA256"); got != hex.EncodeToString(sum[:]) {
			t.Errorf("X-Content-SHA256 %s, body hashes to %x", got, sum)
		}
		d, err := db.Document(t.Context(), "2025-05427")
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Get("X-Content-SHA256") != d.SHA256 {
			t.Errorf("X-Content-SHA256 %s, stored %s", hdr.Get("X-Content-SHA256"), d.SHA256)
		}
		if want, err := os.ReadFile("../../fixtures/federalregister/2025-05427.xml"); err != nil || !bytes.Equal(body, want) {
			t.Errorf("raw bytes are not the fixture's (%v)", err)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/xml" {
			t.Errorf("Content-Type %q", ct)
		}
	})

	t.Run("report_xlsx", func(t *testing.T) {
		code, hdr, body := getBody(t, h, "/api/v1/report?week=2025-W13&format=xlsx")
		if code != 200 || !bytes.HasPrefix(body, []byte("PK")) || hdr.Get("Content-Type") != reportContentTypes["xlsx"] {
			t.Errorf("status %d, Content-Type %q, %d bytes", code, hdr.Get("Content-Type"), len(body))
		}
	})

	t.Run("metrics", func(t *testing.T) {
		_, _, body := getBody(t, h, "/metrics")
		for _, want := range []string{
			"entitywatch_runs_total 1", `entitywatch_documents{status="applied"} 6`, `entitywatch_documents{status="quarantined"} 1`,
			`entitywatch_documents{status="superseded"} 0`, `entitywatch_alerts{state="queued"}`, `entitywatch_list_entries{destination="TW"} 1`,
			"entitywatch_last_success_timestamp_seconds 1.",
		} {
			if !bytes.Contains(body, []byte(want)) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer that a command and a test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServe_Lifecycle starts `entitywatch serve` in-process on a free
// port with a token, reads through it while another read-only command
// opens the same file, and stops it by cancelling its context.
func TestServe_Lifecycle(t *testing.T) {
	path := servedDB(t)
	const token = "lifecycle-token"
	t.Setenv("ENTITYWATCH_API_TOKEN", token)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--db", path}, &stdout, &stderr) }()

	addrRE := regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d early:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	get := func(target, auth string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+target, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz", ""); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, _ := get("/api/v1/entries/TW/inspurtaiwan", ""); code != 401 {
		t.Errorf("without the token: %d", code)
	}
	if code, body := get("/api/v1/entries/TW/inspurtaiwan", token); code != 200 || !strings.Contains(body, "2025-05427") {
		t.Errorf("with the token: %d %.300s", code, body)
	}
	// Read-only openers share the file with serve.
	if code, out, errOut := run(t, "", "snapshot", "--as-of", "2025-03-25", "--db", path, "--format", "text"); code != exitOK || !strings.Contains(out, "Inspur Taiwan") {
		t.Errorf("snapshot beside serve: exit %d\n%s", code, errOut)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no clean stop logged:\n%s", stderr.String())
	}
	if strings.Contains(stderr.String()+stdout.String(), token) {
		t.Error("the token was printed")
	}
}

// TestServe_Usage checks serve's usage errors and a missing database.
func TestServe_Usage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := runServe(t.Context(), []string{"--bogus"}, &out, &errb); code != exitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code := runServe(t.Context(), []string{"extra"}, &out, &errb); code != exitUsage {
		t.Errorf("positional argument: exit %d", code)
	}
	errb.Reset()
	if code := runServe(t.Context(), []string{"--db", filepath.Join(t.TempDir(), "none.db")}, &out, &errb); code != exitFailed || !strings.Contains(errb.String(), "no database") {
		t.Errorf("missing database: exit %d: %s", code, errb.String())
	}
}
