package main

import (
	"context"
	"encoding/json"

	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/notify"
	"github.com/entitywatch/entitywatch/store"
)

// fakeFR is a Federal Register API on loopback that serves the fixtures:
// documents.json searches over the documents "published" so far, the full
// text at the documents' own URL paths, and the public inspection desk.
type fakeFR struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	docs    map[string]map[string]any // number -> document JSON, URLs on srv
	visible map[string]bool           // published (searchable) so far
	fail    map[string]int            // path -> 500s still to serve
	fetches map[string]int            // path -> GET count
	desk    []map[string]any
}

func newFakeFR(t *testing.T) *fakeFR {
	f := &fakeFR{t: t, docs: map[string]map[string]any{}, visible: map[string]bool{}, fail: map[string]int{}, fetches: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	files, err := filepath.Glob("../../fixtures/federalregister/api/v1/documents/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture metadata: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"full_text_xml_url", "body_html_url", "html_url", "json_url", "pdf_url", "raw_text_url"} {
			if u, ok := m[k].(string); ok && u != "" {
				m[k] = f.srv.URL + strings.TrimPrefix(u, "https://www.federalregister.gov")
			}
		}
		f.docs[m["document_number"].(string)] = m
	}
	return f
}

func (f *fakeFR) publish(numbers ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range numbers {
		if f.docs[n] == nil {
			f.t.Fatalf("no fixture %s", n)
		}
		f.visible[n] = true
	}
}

func (f *fakeFR) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches[r.URL.Path]++
	if f.fail[r.URL.Path] > 0 {
		f.fail[r.URL.Path]--
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	switch {
	case r.URL.Path == "/api/v1/documents.json":
		q := r.URL.Query()
		gte, lte := q.Get("conditions[publication_date][gte]"), q.Get("conditions[publication_date][lte]")
		var results []map[string]any
		for n, m := range f.docs {
			d := m["publication_date"].(string)
			if f.visible[n] && d >= gte && d <= lte {
				results = append(results, m)
			}
		}
		slices.SortFunc(results, func(a, b map[string]any) int {
			return strings.Compare(a["publication_date"].(string)+a["document_number"].(string), b["publication_date"].(string)+b["document_number"].(string))
		})
		body := map[string]any{"count": len(results), "total_pages": 1, "description": "fake"}
		if len(results) > 0 {
			body["results"] = results
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(body)
	case r.URL.Path == "/api/v1/public-inspection-documents/current.json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(map[string]any{"count": len(f.desk), "results": f.desk})
	case r.URL.Path == "/public-inspection/raw_text/202/599/999.txt":
		w.Header().Set("Content-Type", "text/plain")
		b, _ := os.ReadFile("../../fixtures/federalregister/public-inspection/raw_text/202/505/427.txt")
		w.Write(b)
	case strings.HasPrefix(r.URL.Path, "/documents/full_text/xml/"):
		num := strings.TrimSuffix(filepath.Base(r.URL.Path), ".xml")
		b, err := os.ReadFile("../../fixtures/federalregister/" + num + ".xml")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write(b)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeFR) pipeline(t *testing.T, db *store.DB, now time.Time, out io.Writer) *pipeline {
	return &pipeline{
		src:      &ingest.Client{BaseURL: f.srv.URL + "/api/v1", APIRate: -1, DocRate: -1, Sleep: func(context.Context, time.Duration) error { return nil }},
		db:       db,
		now:      func() time.Time { return now },
		since:    entitywatch.NewDate(2023, 1, 1),
		lookback: 7,
		log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		deliver: func(ctx context.Context) error {
			return newDispatcher(db, []notify.Route{{Name: "console", Sender: &notify.Console{W: out}}}, slog.New(slog.NewTextHandler(io.Discard, nil))).Deliver(ctx)
		},
	}
}

func TestPipeline_RunOnce(t *testing.T) {
	ctx := context.Background()
	fr := newFakeFR(t)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "entitywatch.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var alerts strings.Builder
	p := fr.pipeline(t, db, time.Date(2025, 3, 31, 12, 0, 0, 0, time.UTC), &alerts)

	// Run 1: three rules published; the full text of one fails with a
	// 500 on every try, so the run fails for it and keeps the others.
	fr.publish("2023-03929", "2025-00704", "2025-05427")
	xml0704 := "/documents/full_text/xml/2025/01/16/2025-00704.xml"
	if _, ok := fr.docs["2025-00704"]; !ok || !strings.HasSuffix(fr.docs["2025-00704"]["full_text_xml_url"].(string), xml0704) {
		t.Fatalf("fixture URL of 2025-00704: %v", fr.docs["2025-00704"]["full_text_xml_url"])
	}
	fr.fail[xml0704] = 3
	rep, err := p.runOnce(ctx)
	if err == nil || !strings.Contains(err.Error(), "2025-00704") {
		t.Fatalf("run 1: %v, want a failure naming 2025-00704", err)
	}
	if got := strings.Join(rep.Applied, " "); got != "2023-03929 2025-05427" {
		t.Errorf("run 1 applied %q", got)
	}
	if known, _ := db.Known(ctx, "2025-00704"); known {
		t.Errorf("a document that failed to download was stored")
	}

	// Run 2: the API recovered and 2025-05426 appeared between the runs,
	// with a publication date the watermark passed: the lookback finds it.
	fr.publish("2025-05426")
	alerts.Reset()
	wall := time.Now()
	rep, err = p.runOnce(ctx)
	elapsed := time.Since(wall)
	if err != nil {
		t.Fatalf("run 2: %v", err)
	}
	if got := strings.Join(rep.Applied, " "); got != "2025-00704 2025-05426" {
		t.Errorf("run 2 applied %q", got)
	}
	if !strings.Contains(alerts.String(), "2025-05426") || strings.Contains(alerts.String(), "2025-05427") {
		t.Errorf("run 2 alerts (want 2025-05426 once, 2025-05427 not again):\n%s", alerts.String())
	}
	t.Logf("document visible in the API to alert printed: %v of work in the run (plus at most one schedule interval)", elapsed.Round(time.Millisecond))

	// Run 3: nothing new; nothing fetched twice.
	alerts.Reset()
	rep, err = p.runOnce(ctx)
	if err != nil || len(rep.Applied) != 0 || rep.Known != rep.Found || alerts.Len() != 0 {
		t.Errorf("run 3: %+v %v\n%s", rep, err, alerts.String())
	}
	for path, n := range fr.fetches {
		if strings.HasPrefix(path, "/documents/") && !strings.Contains(path, "2025-00704") && n != 1 {
			t.Errorf("%s fetched %d times", path, n)
		}
	}

	// The public inspection desk: an Entity List rule not yet published
	// gives one early warning; a second run does not repeat it.
	fr.mu.Lock()
	fr.desk = []map[string]any{{
		"document_number": "2025-99999", "title": "Additions to the Entity List", "type": "Rule",
		"filed_at": "2025-03-31T08:45:00.000-04:00", "publication_date": "2025-04-01",
		"pdf_url": fr.srv.URL + "/public-inspection/2025-99999.pdf", "raw_text_url": fr.srv.URL + "/public-inspection/raw_text/202/599/999.txt",
		"agencies": []map[string]any{{"slug": "industry-and-security-bureau", "name": "Industry and Security Bureau"}},
	}}
	fr.mu.Unlock()
	alerts.Reset()
	if rep, err = p.runOnce(ctx); err != nil || len(rep.Early) != 1 || !strings.Contains(alerts.String(), "Entity List rule on public inspection") || !strings.Contains(alerts.String(), "The SUMMARY states") || !strings.Contains(alerts.String(), "to be published 2025-04-01") {
		t.Errorf("early warning: %+v %v\n%s", rep, err, alerts.String())
	}
	if rep, _ = p.runOnce(ctx); len(rep.Early) != 0 {
		t.Errorf("early warning repeated: %+v", rep)
	}

	runs, err := db.LastRuns(ctx, 10)
	if err != nil || len(runs) != 5 || runs[len(runs)-1].Error == "" {
		t.Errorf("run log: %+v %v", runs, err)
	}
}

func TestPipeline_AlreadyRunning(t *testing.T) {
	p := &pipeline{}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.runOnce(context.Background()); err != entitywatch.ErrAlreadyRunning {
		t.Errorf("runOnce while running: %v", err)
	}
}

// TestMain_RunOnceSource is the README's first command: the whole
// pipeline over the fixtures folder, no network; a second run does
// nothing and says so.
func TestMain_RunOnceSource(t *testing.T) {
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	code, stdout, stderr := run(t, "", "run", "--once", "--source", "../../fixtures/federalregister", "--db", db, "--since", "2023-01-01")
	// 2023-13196 has no DATES section in our copy: it is quarantined and
	// the run says so with exit status 1.
	if code != exitFailed || !strings.Contains(stdout, "6 applied, 1 quarantined") || !strings.Contains(stdout, "Entity List rule 2023-13196 could not be parsed") {
		t.Fatalf("first run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "BIS added 12 entities, effective 2025-03-25: China 11") ||
		!strings.Contains(stdout, "BIS added 5 entities and 8 addresses, effective 2024-06-12: China 12 (Address 01: Unit D, 16/F One Capital Place, 18 Luard Rd, Wan Chai, Hong Kong;") {
		t.Errorf("first run alerts:\n%s", stdout)
	}
	code, stdout, _ = run(t, "", "run", "--once", "--source", "../../fixtures/federalregister", "--db", db)
	if code != exitOK || !strings.Contains(stdout, "nothing to do") {
		t.Errorf("second run: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := run(t, "", "run", "--source", "../../fixtures/federalregister", "--db", db); code != exitUsage || !strings.Contains(stderr, "--once") {
		t.Errorf("run without --once: exit %d %s", code, stderr)
	}
}

func TestScheduler_Default(t *testing.T) {
	c, err := newScheduler(context.Background(), defaultSchedule, &pipeline{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	// From Monday 2025-03-24 19:50 New York, the next runs are 19:55,
	// then hourly from 20:00; Saturday is hourly.
	var next []string
	entries := c.Entries()
	at := time.Date(2025, 3, 24, 19, 50, 0, 0, ny)
	for range 4 {
		var soonest time.Time
		for _, e := range entries {
			if n := e.Schedule.Next(at); soonest.IsZero() || n.Before(soonest) {
				soonest = n
			}
		}
		next = append(next, soonest.In(ny).Format("Mon 15:04"))
		at = soonest
	}
	want := "Mon 19:55 Mon 20:00 Mon 21:00 Mon 22:00"
	if got := strings.Join(next, " "); got != want {
		t.Errorf("next runs %q, want %q", got, want)
	}
	sat := time.Date(2025, 3, 29, 10, 7, 0, 0, ny)
	var soonest time.Time
	for _, e := range entries {
		if n := e.Schedule.Next(sat); soonest.IsZero() || n.Before(soonest) {
			soonest = n
		}
	}
	if got := soonest.In(ny).Format("Mon 15:04"); got != "Sat 11:00" {
		t.Errorf("Saturday next run %s", got)
	}
	if _, err := newScheduler(context.Background(), []string{"every tuesday"}, &pipeline{}, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		t.Errorf("a bad schedule was accepted")
	}
}

// TestMain_Daemon starts the daemon and stops it as SIGINT would (by
// cancelling its context) once it has started: it shuts down cleanly with
// exit status 0.
func TestMain_Daemon(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	logs := &signalWriter{want: "daemon started", seen: make(chan struct{})}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"daemon", "--source", "../../fixtures/federalregister", "--db", db, "--schedule", "@every 1h", "--addr", "127.0.0.1:0"}, strings.NewReader(""), io.Discard, logs)
	}()
	select {
	case <-logs.seen:
		cancel()
	case code := <-done:
		t.Fatalf("daemon exited early with %d: %s", code, logs.String())
	}
	if code := <-done; code != exitOK {
		t.Fatalf("daemon exit %d: %s", code, logs.String())
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Errorf("daemon log: %s", logs.String())
	}
	if code, _, stderr := run(t, "", "daemon", "--db", db, "--schedule", "every tuesday"); code != exitUsage || !strings.Contains(stderr, "schedule") {
		t.Errorf("bad schedule: exit %d %s", code, stderr)
	}
}

// signalWriter collects output and closes seen when want first appears.
type signalWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
