package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/entitywatch/entitywatch/fixtures"
)

// testNow is the clock of the handler tests: after every fixture rule.
var testNow = time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestServer returns a server over st with a fixed clock, a fresh
// registry, and its logs (debug level) in the returned buffer.
func newTestServer(t testing.TB, st Store, opts Options) (http.Handler, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	opts.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	return NewServer(st, opts).Handler(), logs
}

// do sends a request to h; header takes name, value pairs.
func do(t testing.TB, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

// TestServer_API checks every endpoint's status, content type and the
// parts of its body that matter, on the fixture rules.
func TestServer_API(t *testing.T) {
	h, _ := newTestServer(t, newFixtureStore(t), Options{})
	tests := []struct {
		name     string
		target   string
		code     int
		ctype    string
		contains []string
	}{
		{"snapshot", "/api/v1/snapshot?as_of=2025-03-25", 200, "application/json", []string{`"as_of":"2025-03-25"`, `"by":"effective"`, `"count":111`, `"id":"TW/inspurtaiwan"`}},
		{"snapshot_default_today", "/api/v1/snapshot", 200, "application/json", []string{`"as_of":"2025-04-01"`, `"count":111`}},
		{"snapshot_before_rules", "/api/v1/snapshot?as_of=2025-03-24", 200, "application/json", []string{`"count":25`}},
		{"snapshot_published_before_publication", "/api/v1/snapshot?as_of=2025-03-27&by=published", 200, "application/json", []string{`"by":"published"`, `"count":25`}},
		{"snapshot_published_on_publication", "/api/v1/snapshot?as_of=2025-03-28&by=published", 200, "application/json", []string{`"count":111`}},
		{"snapshot_bad_date", "/api/v1/snapshot?as_of=25/03/2025", 400, "application/json", []string{`{"error":"as_of \"25/03/2025\": want a date as YYYY-MM-DD: invalid request"}`}},
		{"snapshot_bad_by", "/api/v1/snapshot?by=signed", 400, "application/json", []string{`want effective or published`}},
		{"snapshot_bad_format", "/api/v1/snapshot?format=xlsx", 400, "application/json", []string{`want one of json, csv`}},
		{"search", "/api/v1/entries?q=Inspur+Taiwan", 200, "application/json", []string{`"query":"Inspur Taiwan"`, `"id":"TW/inspurtaiwan"`, `"score":1`, `"url":"/api/v1/entries/TW/inspurtaiwan"`}},
		{"search_no_query", "/api/v1/entries?as_of=2025-03-25", 400, "application/json", []string{`"error":"q: give a name or alias`}},
		{"search_bad_limit", "/api/v1/entries?q=inspur&limit=1000", 400, "application/json", []string{`limit \"1000\"`}},
		{"search_too_long", "/api/v1/entries?q=" + strings.Repeat("a", 201), 400, "application/json", []string{`longer than 200`}},
		{"entry", "/api/v1/entries/TW/inspurtaiwan", 200, "application/json", []string{`"id":"TW/inspurtaiwan"`, `"on_list":true`, `"history":[{"action":"add","effective_date":"2025-03-25","publication_date":"2025-03-28","document_number":"2025-05427"`, `"evidence":"/api/v1/documents/2025-05427/raw"`, `"federal_register":"https://www.federalregister.gov/d/2025-05427"`}},
		{"entry_removed", "/api/v1/entries/CN/ministryofpublicsecuritysinstituteofforensicscienceofchina", 200, "application/json", []string{`"on_list":false`, `"removed":true`, `"action":"remove","effective_date":"2023-11-16"`}},
		{"entry_unknown", "/api/v1/entries/CN/nosuchentity", 404, "application/json", []string{`{"error":"entry CN/nosuchentity: not found"}`}},
		{"changes", "/api/v1/changes?from=2025-03-24&to=2025-03-25", 200, "application/json", []string{`"from":"2025-03-24"`, `"counts":{"added":82,"removed":0,"revised":4,"moved":0}`, `"name":"Inspur Taiwan"`}},
		{"changes_removal", "/api/v1/changes?from=2023-11-01&to=2023-11-30", 200, "application/json", []string{`"counts":{"added":0,"removed":1,"revised":0,"moved":0}`}},
		{"changes_missing_to", "/api/v1/changes?from=2025-03-24", 400, "application/json", []string{`give both dates`}},
		{"changes_reversed", "/api/v1/changes?from=2025-03-25&to=2025-03-24", 400, "application/json", []string{`is after to`}},
		{"documents", "/api/v1/documents", 200, "application/json", []string{`"count":6`, `"document_number":"2023-13196"`, `"status":"quarantined"`, `"evidence":"/api/v1/documents/2025-05427/raw"`}},
		{"document", "/api/v1/documents/2025-05427", 200, "application/json", []string{`"document_number":"2025-05427"`, `"sha256":"`, `"rule":{`, `"counts":{"added":12,`}},
		{"document_unknown", "/api/v1/documents/2099-00001", 404, "application/json", []string{`not found`}},
		{"raw", "/api/v1/documents/2025-05427/raw", 200, "application/xml", []string{`<?xml`}},
		{"raw_unknown", "/api/v1/documents/2099-00001/raw", 404, "application/json", []string{`not found`}},
		{"report_not_configured", "/api/v1/report?week=2025-W13", 404, "application/json", []string{`renders no reports`}},
		{"report_bad_week", "/api/v1/report?week=2025-13", 400, "application/json", []string{`want an ISO week`}},
		{"healthz", "/healthz", 200, "application/json", []string{`"status":"ok"`, `"documents":{"applied":5,"quarantined":1,"superseded":0}`, `"alerts":{"queued":1,"delivered":5,"failed":0}`, `"last_success":"2025-03-28T12:00:00Z"`}},
		{"api_unknown", "/api/v1/nothing", 404, "application/json", []string{`"error":"no API endpoint /api/v1/nothing: not found"`}},
		{"page_unknown", "/nothing", 404, "text/html", []string{`there is no page at /nothing`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.target)
			if rec.Code != tt.code {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			for _, s := range tt.contains {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("body lacks %s:\n%.2000s", s, rec.Body)
				}
			}
		})
	}
}

// TestServer_SnapshotCSV checks the CSV snapshot: the header of
// `entitywatch snapshot --format csv`, one row per entry, a file name.
func TestServer_SnapshotCSV(t *testing.T) {
	h, _ := newTestServer(t, newFixtureStore(t), Options{})
	rec := do(t, h, "GET", "/api/v1/snapshot?as_of=2025-03-25&format=csv")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename=entity-list-2025-03-25-effective.csv` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "country", "country_code", "name", "aliases", "addresses", "license_requirement", "license_review_policy", "citations", "listed_since", "document_number"}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if len(rows) != 1+111 {
		t.Errorf("%d rows, want 111 entries and a header", len(rows))
	}
	found := false
	for _, r := range rows[1:] {
		if r[0] == "TW/inspurtaiwan" {
			found = true
			if r[3] != "Inspur Taiwan" || r[9] != "2025-03-25" || r[10] != "2025-05427" {
				t.Errorf("Inspur Taiwan row %q", r)
			}
		}
	}
	if !found {
		t.Error("no Inspur Taiwan row")
	}
}

// TestServer_Raw checks that the evidence endpoint returns the original
// bytes, their SHA-256, and a content type, sandboxed.
func TestServer_Raw(t *testing.T) {
	h, _ := newTestServer(t, newFixtureStore(t), Options{})
	want, err := fs.ReadFile(fixtures.FS, "federalregister/2025-05427.xml")
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "GET", "/api/v1/documents/2025-05427/raw")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if !bytes.Equal(rec.Body.Bytes(), want) {
		t.Errorf("raw bytes differ from the fixture: %d bytes, want %d", rec.Body.Len(), len(want))
	}
	hdr := rec.Header()
	for k, v := range map[string]string{
		"X-Content-SHA256":        sum(want),
		"Content-Type":            "application/xml",
		"Content-Disposition":     "inline; filename=2025-05427.xml",
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
	} {
		if got := hdr.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	// The ETag is the SHA-256: a client holding the bytes gets 304.
	rec = do(t, h, "GET", "/api/v1/documents/2025-05427/raw", "If-None-Match", hdr.Get("ETag"))
	if rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}
}

// TestServer_Auth checks the bearer token: 401 with WWW-Authenticate
// without it or with a wrong one, the sign-in cookie for the web view,
// /healthz and /metrics open, and the token never in the logs.
func TestServer_Auth(t *testing.T) {
	const token = "s3cret-token-value"
	h, logs := newTestServer(t, newFixtureStore(t), Options{Token: token})
	tests := []struct {
		name   string
		target string
		header []string
		code   int
	}{
		{"api_no_token", "/api/v1/snapshot", nil, 401},
		{"api_wrong_token", "/api/v1/snapshot", []string{"Authorization", "Bearer nope"}, 401},
		{"api_basic_auth", "/api/v1/snapshot", []string{"Authorization", "Basic " + token}, 401},
		{"api_token", "/api/v1/snapshot", []string{"Authorization", "Bearer " + token}, 200},
		{"api_token_scheme_case", "/api/v1/entries/TW/inspurtaiwan", []string{"Authorization", "bearer " + token}, 200},
		{"raw_no_token", "/api/v1/documents/2025-05427/raw", nil, 401},
		{"unknown_api_no_token", "/api/v1/nothing", nil, 401},
		{"page_no_token", "/entries/TW/inspurtaiwan", nil, 401},
		{"page_token", "/documents", []string{"Authorization", "Bearer " + token}, 200},
		{"healthz_open", "/healthz", nil, 200},
		{"metrics_open", "/metrics", nil, 200},
		{"style_open", "/static/style.css", nil, 200},
		{"login_open", "/login", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "GET", tt.target, tt.header...)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tt.code, rec.Body)
			}
			if tt.code != 401 {
				return
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != `Bearer realm="entitywatch"` {
				t.Errorf("WWW-Authenticate %q", got)
			}
			if strings.HasPrefix(tt.target, "/api/") {
				if got := decode[map[string]string](t, rec)["error"]; !strings.HasPrefix(got, "unauthorized") {
					t.Errorf("error %q", got)
				}
			} else if !strings.Contains(rec.Body.String(), `<form method="post" action="/login"`) {
				t.Errorf("401 page has no sign-in form:\n%s", rec.Body)
			}
		})
	}

	t.Run("sign_in", func(t *testing.T) {
		post := func(form string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("POST", "/login", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		rec := post("token=wrong&next=%2Fdocuments")
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), "That token is not correct") {
			t.Fatalf("wrong token: status %d\n%s", rec.Code, rec.Body)
		}
		rec = post("token=" + token + "&next=%2F%2Fevil.example%2F")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Errorf("an off-site next: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
		}
		rec = post("token=" + token + "&next=%2Fdocuments")
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/documents" {
			t.Fatalf("sign in: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
		}
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
			t.Fatalf("cookies %v", cookies)
		}
		if strings.Contains(cookies[0].Value, token) {
			t.Error("the cookie holds the token")
		}
		rec = do(t, h, "GET", "/documents", "Cookie", cookies[0].Name+"="+cookies[0].Value)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Sign out") {
			t.Errorf("page with the cookie: status %d", rec.Code)
		}
		rec = do(t, h, "GET", "/api/v1/documents", "Cookie", cookies[0].Name+"=forged")
		if rec.Code != 401 {
			t.Errorf("forged cookie: status %d", rec.Code)
		}
	})

	if strings.Contains(logs.String(), token) {
		t.Errorf("the token is in the logs:\n%s", logs)
	}
	if !strings.Contains(logs.String(), "path=/api/v1/snapshot") {
		t.Errorf("requests not logged:\n%s", logs)
	}
}

// TestServer_Errors checks the mapping of store errors: not found 404, a
// failing store 500 with a generic body and the error logged, /healthz
// 503.
func TestServer_Errors(t *testing.T) {
	st := newFixtureStore(t)
	st.fail = errors.New("bolt: read /var/lib/entitywatch/secret.db: input/output error")
	h, logs := newTestServer(t, st, Options{})
	for _, target := range []string{"/api/v1/snapshot", "/api/v1/entries?q=inspur", "/api/v1/entries/TW/inspurtaiwan", "/api/v1/changes?from=2025-01-01&to=2025-02-01", "/api/v1/documents", "/api/v1/documents/2025-05427", "/api/v1/documents/2025-05427/raw"} {
		rec := do(t, h, "GET", target)
		if rec.Code != 500 || rec.Body.String() != `{"error":"internal server error"}`+"\n" {
			t.Errorf("%s: status %d, body %s", target, rec.Code, rec.Body)
		}
	}
	rec := do(t, h, "GET", "/entries/TW/inspurtaiwan")
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret.db") || !strings.Contains(rec.Body.String(), "Something went wrong") {
		t.Errorf("page: status %d\n%s", rec.Code, rec.Body)
	}
	rec = do(t, h, "GET", "/healthz")
	if rec.Code != 503 || rec.Body.String() != `{"error":"service unavailable"}`+"\n" {
		t.Errorf("healthz: status %d, body %s", rec.Code, rec.Body)
	}
	if n := strings.Count(logs.String(), "input/output error"); n < 9 {
		t.Errorf("%d errors logged, want every one:\n%s", n, logs)
	}
}

// TestServer_Report checks the report endpoint over a ReportFunc.
func TestServer_Report(t *testing.T) {
	var gotWeek, gotFormat string
	report := func(ctx context.Context, week, format string) ([]byte, string, error) {
		gotWeek, gotFormat = week, format
		if week == "2020-W01" {
			return nil, "", fmt.Errorf("no rules that week: %w", ErrNotFound)
		}
		return []byte("<h1>Week " + week + "</h1>"), "text/html; charset=utf-8", nil
	}
	h, _ := newTestServer(t, newFixtureStore(t), Options{Report: report})
	tests := []struct {
		name, target    string
		code            int
		week, format    string
		body, ctype, cd string
	}{
		{"html", "/api/v1/report?week=2025-W13&format=html", 200, "2025-W13", "html", "<h1>Week 2025-W13</h1>", "text/html; charset=utf-8", "inline; filename=entity-list-report-2025-W13.html"},
		{"default_last_week_json", "/api/v1/report", 200, "2025-W13", "json", "", "", ""},
		{"xlsx_attachment", "/api/v1/report?week=2025-W01&format=xlsx", 200, "2025-W01", "xlsx", "", "", "attachment; filename=entity-list-report-2025-W01.xlsx"},
		{"week_53_exists", "/api/v1/report?week=2020-W53", 200, "2020-W53", "json", "", "", ""},
		{"week_53_missing", "/api/v1/report?week=2025-W53", 400, "", "", `2025 has weeks 1 to 52`, "", ""},
		{"bad_format", "/api/v1/report?week=2025-W13&format=pdf", 400, "", "", "want one of json, html, md, csv, xlsx", "", ""},
		{"not_found", "/api/v1/report?week=2020-W01", 404, "2020-W01", "json", "no rules that week", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotWeek, gotFormat = "", ""
			rec := do(t, h, "GET", tt.target)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
			if gotWeek != tt.week || gotFormat != tt.format {
				t.Errorf("ReportFunc got %q %q, want %q %q", gotWeek, gotFormat, tt.week, tt.format)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body %s lacks %s", rec.Body, tt.body)
			}
			if tt.ctype != "" && rec.Header().Get("Content-Type") != tt.ctype {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
			if tt.cd != "" && rec.Header().Get("Content-Disposition") != tt.cd {
				t.Errorf("Content-Disposition %q", rec.Header().Get("Content-Disposition"))
			}
		})
	}
}

// TestServer_Metrics checks that /metrics exposes the store's series,
// the list size by destination and the request latency histogram.
func TestServer_Metrics(t *testing.T) {
	h, _ := newTestServer(t, newFixtureStore(t), Options{})
	do(t, h, "GET", "/api/v1/entries/TW/inspurtaiwan")
	do(t, h, "GET", "/api/v1/entries/CN/nosuchentity")
	rec := do(t, h, "GET", "/metrics")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	for _, want := range []string{
		"entitywatch_runs_total 3",
		"entitywatch_last_success_timestamp_seconds 1.7431632e+09",
		"entitywatch_last_run_failed 0",
		`entitywatch_documents{status="applied"} 5`,
		`entitywatch_documents{status="quarantined"} 1`,
		`entitywatch_alerts{state="queued"} 1`,
		`entitywatch_alerts{state="delivered"} 5`,
		`entitywatch_alerts{state="failed"} 0`,
		`entitywatch_list_entries{destination="TW"} 1`,
		`entitywatch_list_entries{destination="CN"} `,
		`entitywatch_http_request_duration_seconds_bucket{code="200",method="GET",route="/api/v1/entries/{id...}",le="0.1"} 1`,
		`entitywatch_http_request_duration_seconds_count{code="404",method="GET",route="/api/v1/entries/{id...}"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// Without a registry of its own, the server adds the Go and process
	// collectors.
	own := NewServer(newFixtureStore(t), Options{Now: func() time.Time { return testNow }, Logger: slog.New(slog.DiscardHandler)}).Handler()
	if rec := do(t, own, "GET", "/metrics"); !strings.Contains(rec.Body.String(), "go_goroutines ") {
		t.Errorf("own registry: no go_goroutines")
	}
}

// TestServer_Cache checks that a snapshot and its index are built once
// for many requests, and again after the time to live.
func TestServer_Cache(t *testing.T) {
	st := newFixtureStore(t)
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h, _ := newTestServer(t, st, Options{Now: clock, IndexTTL: time.Minute})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if rec := do(t, h, "GET", "/api/v1/entries?q=inspur&as_of=2025-03-25"); rec.Code != 200 {
				t.Errorf("status %d", rec.Code)
			}
		})
	}
	wg.Wait()
	do(t, h, "GET", "/api/v1/snapshot?as_of=2025-03-25")
	if n := st.calls.Load(); n != 1 {
		t.Errorf("%d store snapshots for one date, want 1", n)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	do(t, h, "GET", "/api/v1/snapshot?as_of=2025-03-25")
	if n := st.calls.Load(); n != 2 {
		t.Errorf("%d store snapshots after the time to live, want 2", n)
	}
}
