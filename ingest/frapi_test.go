package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/google/go-cmp/cmp"
)

// frSource is what the pipeline needs from a Federal Register source; both
// sources must provide it.
type frSource interface {
	Search(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error)
	Document(ctx context.Context, number string) (DocumentMeta, error)
	FetchText(ctx context.Context, m DocumentMeta) ([]byte, string, error)
	PublicInspection(ctx context.Context) ([]PublicInspectionDoc, error)
}

var (
	_ frSource = (*Client)(nil)
	_ frSource = DirSource{}
)

// fakeClock is a clock whose Sleep advances it at once and records the
// wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 28, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// testClient is a Client for srv on clock, without rate limits (so that
// the only sleeps are retry waits) and without jitter.
func testClient(srv *httptest.Server, clock *fakeClock) *Client {
	return &Client{
		BaseURL: srv.URL + "/api/v1", UserAgent: "entitywatch-test",
		APIRate: -1, DocRate: -1,
		Sleep: clock.Sleep, Now: clock.Now, Jitter: func(d time.Duration) time.Duration { return d },
	}
}

func day(s string) entitywatch.Date {
	d, err := entitywatch.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fakeDoc is a search result as the API prints it.
func fakeDoc(number string, published entitywatch.Date) map[string]any {
	p := published.Format("2006/01/02")
	return map[string]any{
		"document_number":  number,
		"citation":         "90 FR 1",
		"start_page":       1,
		"end_page":         2,
		"publication_date": published.String(),
		"effective_on":     nil,
		"type":             "Rule",
		"action":           "Final rule.",
		"title":            "Additions to the Entity List",
		"abstract":         nil,
		"agencies": []map[string]any{
			{"raw_name": "DEPARTMENT OF COMMERCE", "name": "Commerce Department", "id": 54, "parent_id": nil, "slug": "commerce-department"},
			{"raw_name": "Bureau of Industry and Security", "name": "Industry and Security Bureau", "id": 241, "parent_id": 54, "slug": BISAgencySlug},
		},
		"cfr_references":    []map[string]any{{"title": 15, "part": 744, "chapter": nil, "citation_url": nil}},
		"docket_ids":        []string{},
		"full_text_xml_url": "https://www.federalregister.gov/documents/full_text/xml/" + p + "/" + number + ".xml",
		"body_html_url":     "https://www.federalregister.gov/documents/full_text/html/" + p + "/" + number + ".html",
		"correction_of":     nil,
		"corrections":       []string{},
	}
}

// spread makes n documents, perDay a day from first on.
func spread(first entitywatch.Date, n, perDay int) []map[string]any {
	docs := make([]map[string]any, n)
	for i := range docs {
		d := entitywatch.Date{Time: first.AddDate(0, 0, i/perDay)}
		docs[i] = fakeDoc(fmt.Sprintf("%d-%05d", d.Year(), i+1), d)
	}
	return docs
}

// fakeFR speaks the documents.json wire format with the API's paging
// traps: a per_page out of 1..1000 becomes 20, a page past 50 or past
// 10,000 results (or past resetAfter, when set) is silently page 1, and
// count stops at 10,000.
type fakeFR struct {
	t    *testing.T
	srv  *httptest.Server
	docs []map[string]any // in publication order

	resetAfter   int
	forcePerPage int
	ignoreDates  bool
	mangleNext   func(next string) string

	mu       sync.Mutex
	requests []url.Values
	resets   int
}

func newFakeFR(t *testing.T, docs []map[string]any) *fakeFR {
	f := &fakeFR{t: t, docs: docs}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeFR) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v1/documents.json" && r.URL.Path != "/api/v1/documents" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	f.requests = append(f.requests, q)
	f.mu.Unlock()
	for k, want := range map[string]string{
		"conditions[agencies][]": BISAgencySlug, "conditions[type][]": "RULE",
		"conditions[cfr][title]": "15", "conditions[cfr][part]": "744", "order": "oldest",
	} {
		if q.Get(k) != want {
			f.t.Errorf("request %s: %s = %q, want %q", r.URL.RawQuery, k, q.Get(k), want)
		}
	}
	if got := q["fields[]"]; !slices.Equal(got, metaFields) {
		f.t.Errorf("fields[] = %v, want %v", got, metaFields)
	}
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 || per > 1000 {
		per = 20
	}
	if f.forcePerPage > 0 {
		per = f.forcePerPage
	}
	page := 1
	if p := q.Get("page"); p != "" {
		page, _ = strconv.Atoi(p)
	}
	gte, lte := day(q.Get("conditions[publication_date][gte]")), day(q.Get("conditions[publication_date][lte]"))
	var match []map[string]any
	for _, d := range f.docs {
		pd := day(d["publication_date"].(string))
		if f.ignoreDates || !pd.Before(gte.Time) && !pd.After(lte.Time) {
			match = append(match, d)
		}
	}
	count := min(len(match), 10000)
	pages := min((count+per-1)/per, 50)
	if page < 1 || page > 50 || page*per > 10000 || f.resetAfter > 0 && page > f.resetAfter {
		f.mu.Lock()
		f.resets++
		f.mu.Unlock()
		page = 1 // silently
	}
	out := map[string]any{"count": count, "description": "Documents matching the conditions"}
	if count > 0 {
		start := min((page-1)*per, len(match))
		out["total_pages"] = pages
		out["results"] = match[start:min(start+per, len(match))]
		if page < pages {
			nq := url.Values{}
			for k, v := range q {
				nq[k] = v
			}
			nq.Set("page", strconv.Itoa(page+1))
			next := f.srv.URL + "/api/v1/documents?" + nq.Encode()
			if f.mangleNext != nil {
				next = f.mangleNext(next)
			}
			out["next_page_url"] = next
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

func numbers(docs []DocumentMeta) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.DocumentNumber
	}
	return out
}

func fakeNumbers(docs []map[string]any) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d["document_number"].(string)
	}
	return out
}

func TestClient_Search(t *testing.T) {
	d1 := day("2025-03-24")
	tests := []struct {
		name    string
		docs    []map[string]any
		perPage int
		setup   func(f *fakeFR)
		from    string
		to      string
		want    []map[string]any // nil: all docs
		wantErr error
		// check inspects the requests made.
		check func(t *testing.T, f *fakeFR)
	}{
		{name: "follows_next_page_url", docs: spread(d1, 7, 3), perPage: 3, from: "2025-03-24", to: "2025-03-26",
			check: func(t *testing.T, f *fakeFR) {
				var pages []string
				for _, q := range f.requests {
					pages = append(pages, q.Get("page"))
				}
				if diff := cmp.Diff([]string{"", "2", "3"}, pages); diff != "" {
					t.Errorf("pages requested (-want +got):\n%s", diff)
				}
			}},
		{name: "empty_window_has_no_results_key", docs: spread(d1, 3, 3), from: "2025-04-01", to: "2025-04-30", want: []map[string]any{}},
		{name: "narrow_window", docs: spread(d1, 9, 3), from: "2025-03-25", to: "2025-03-25", want: spread(d1, 9, 3)[3:6]},
		{name: "silent_reset_detected_and_sliced", docs: spread(d1, 9, 3), perPage: 2, from: "2025-03-24", to: "2025-03-26",
			setup: func(f *fakeFR) { f.resetAfter = 2 },
			check: func(t *testing.T, f *fakeFR) {
				if f.resets == 0 {
					t.Error("the fake never reset a page: the test tests nothing")
				}
			}},
		{name: "silent_reset_in_one_day_is_an_error", docs: spread(d1, 5, 5), perPage: 2, from: "2025-03-24", to: "2025-03-24",
			setup: func(f *fakeFR) { f.resetAfter = 2 }, wantErr: ErrPageReset},
		{name: "count_cap_slices_by_date", docs: spread(d1, 12500, 1250), from: "2025-03-24", to: "2025-04-02",
			check: func(t *testing.T, f *fakeFR) {
				windows := map[string]bool{}
				for _, q := range f.requests {
					page, _ := strconv.Atoi(q.Get("page"))
					per, _ := strconv.Atoi(q.Get("per_page"))
					if page > 50 || page*per > 10000 {
						t.Errorf("asked for page %d of %d: past the API's limits", page, per)
					}
					windows[q.Get("conditions[publication_date][gte]")+".."+q.Get("conditions[publication_date][lte]")] = true
				}
				for _, w := range []string{"2025-03-24..2025-04-02", "2025-03-24..2025-03-28", "2025-03-29..2025-04-02"} {
					if !windows[w] {
						t.Errorf("no request for window %s; windows %v", w, windows)
					}
				}
				if f.resets != 0 {
					t.Errorf("%d pages were silently reset", f.resets)
				}
			}},
		{name: "per_page_not_honoured", docs: spread(d1, 60, 20), perPage: 50, from: "2025-03-24", to: "2025-03-26",
			setup: func(f *fakeFR) { f.forcePerPage = 20 }, wantErr: ErrInconsistent},
		{name: "results_outside_window", docs: spread(d1, 6, 3), from: "2025-03-24", to: "2025-03-24",
			setup: func(f *fakeFR) { f.ignoreDates = true }, wantErr: ErrInconsistent},
		{name: "next_page_on_foreign_host", docs: spread(d1, 6, 3), perPage: 3, from: "2025-03-24", to: "2025-03-25",
			setup: func(f *fakeFR) {
				f.mangleNext = func(s string) string { return "https://evil.example/api/v1/documents?" + strings.SplitN(s, "?", 2)[1] }
			}, wantErr: ErrForeignHost},
		{name: "next_page_drops_conditions", docs: spread(d1, 6, 3), perPage: 3, from: "2025-03-24", to: "2025-03-25",
			setup: func(f *fakeFR) {
				f.mangleNext = func(s string) string { return strings.Replace(s, "conditions%5Bcfr%5D%5Bpart%5D=744", "", 1) }
			}, wantErr: ErrInconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFR(t, tt.docs)
			if tt.setup != nil {
				tt.setup(f)
			}
			c := testClient(f.srv, newFakeClock())
			c.PerPage = tt.perPage
			got, err := c.Search(context.Background(), day(tt.from), day(tt.to))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = tt.docs
			}
			if diff := cmp.Diff(fakeNumbers(want), numbers(got)); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

func TestClient_Search_decodesResults(t *testing.T) {
	f := newFakeFR(t, spread(day("2025-03-28"), 1, 1))
	got, err := testClient(f.srv, newFakeClock()).Search(context.Background(), day("2025-03-28"), day("2025-03-28"))
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	m := got[0]
	if m.PublicationDate != day("2025-03-28") || !m.EffectiveOn.IsZero() || m.CFRReferences[0] != (CFRReference{Title: 15, Part: 744}) ||
		m.Agencies[1].Slug != BISAgencySlug || m.Agencies[1].ParentID != 54 || !TouchesEntityList(m) {
		t.Errorf("decoded %+v", m)
	}
}

// step is one scripted response.
type step func(w http.ResponseWriter, r *http.Request)

func statusStep(code int, retryAfter string) step {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"status":%d,"message":"%s"}`, code, http.StatusText(code))
	}
}

func bodyStep(contentType, body string) step {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write([]byte(body))
	}
}

// scripted serves each path's steps in turn and counts the requests.
type scripted struct {
	srv   *httptest.Server
	mu    sync.Mutex
	steps map[string][]step
	hits  map[string]int
}

func newScripted(t *testing.T, steps map[string][]step) *scripted {
	s := &scripted{steps: steps, hits: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		i := s.hits[r.URL.Path]
		s.hits[r.URL.Path]++
		list := s.steps[r.URL.Path]
		s.mu.Unlock()
		if i >= len(list) {
			t.Errorf("%s: request %d, only %d scripted", r.URL.Path, i+1, len(list))
			w.WriteHeader(http.StatusTeapot)
			return
		}
		list[i](w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, h := range s.hits {
		n += h
	}
	return n
}

const docJSON = `{"document_number":"2025-05427","citation":"90 FR 14046","publication_date":"2025-03-28","effective_on":"2025-03-25","type":"Rule"}`

func TestClient_Document_retries(t *testing.T) {
	const path = "/api/v1/documents/2025-05427.json"
	ok := bodyStep("application/json; charset=utf-8", docJSON)
	tests := []struct {
		name    string
		steps   []step
		wantErr []error
		waits   []time.Duration
	}{
		{"ok", []step{ok}, nil, nil},
		{"429_retry_after_seconds", []step{statusStep(429, "7"), ok}, nil, []time.Duration{7 * time.Second}},
		{"429_retry_after_date", []step{statusStep(429, "Fri, 28 Mar 2025 09:00:30 GMT"), ok}, nil, []time.Duration{30 * time.Second}},
		{"429_without_retry_after", []step{statusStep(429, ""), ok}, nil, []time.Duration{time.Second}},
		{"429_retry_after_too_long", []step{statusStep(429, "3600")}, []error{ErrHTTP}, nil},
		{"500s_then_ok", []step{statusStep(500, ""), statusStep(503, ""), ok}, nil, []time.Duration{time.Second, 2 * time.Second}},
		{"500_always", []step{statusStep(500, ""), statusStep(502, ""), statusStep(500, "")}, []error{ErrHTTP}, []time.Duration{time.Second, 2 * time.Second}},
		{"404", []step{statusStep(404, "")}, []error{ErrHTTP, ErrNotFound}, nil},
		{"html_page_with_200", []step{bodyStep("text/html", "<html><body>Request Access</body></html>")}, []error{ErrHTTP}, nil},
		{"another_document", []step{bodyStep("application/json", `{"document_number":"2025-05426"}`)}, []error{ErrInconsistent}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, map[string][]step{path: tt.steps})
			clock := newFakeClock()
			m, err := testClient(s.srv, clock).Document(context.Background(), "2025-05427")
			if tt.wantErr == nil {
				if err != nil || m.Citation != "90 FR 14046" || m.EffectiveOn != day("2025-03-25") {
					t.Fatalf("got %+v, %v", m, err)
				}
			} else {
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("error %v, want %v", err, want)
					}
				}
				if err != nil && !strings.Contains(err.Error(), "2025-05427") {
					t.Errorf("error %q does not name the document", err)
				}
			}
			if diff := cmp.Diff(tt.waits, clock.Sleeps()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if s.total() != len(tt.steps) {
				t.Errorf("%d requests, want %d", s.total(), len(tt.steps))
			}
		})
	}
}

func TestClient_Document_refusesBadNumbers(t *testing.T) {
	s := newScripted(t, nil)
	for _, n := range []string{"", "../2025-05427", "2025-05427/x", "2025 05427", "2025-05427.json?x=1"} {
		if _, err := testClient(s.srv, newFakeClock()).Document(context.Background(), n); err == nil {
			t.Errorf("Document(%q) did not fail", n)
		}
	}
	if s.total() != 0 {
		t.Errorf("%d requests made", s.total())
	}
}

const (
	xmlPath  = "/documents/full_text/xml/2025/03/28/2025-05427.xml"
	htmlPath = "/documents/full_text/html/2025/03/28/2025-05427.html"
)

func TestClient_FetchText(t *testing.T) {
	full, err := os.ReadFile("../fixtures/federalregister/2025-05427.xml")
	if err != nil {
		t.Fatal(err)
	}
	bodyHTML, err := os.ReadFile("../fixtures/federalregister/2025-05427.html")
	if err != nil {
		t.Fatal(err)
	}
	xmlOK := bodyStep("application/xml", string(full))
	htmlOK := bodyStep("text/html; charset=utf-8", string(bodyHTML))
	cut := bodyStep("application/xml", string(full[:len(full)/2]))
	// shortBody declares the whole length and sends half, then hangs up.
	shortBody := func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n", len(full))
		buf.Write(full[:len(full)/2])
		buf.Flush()
	}
	tests := []struct {
		name       string
		noXML      bool
		xmlURL     string // overrides the XML URL when set
		htmlURL    string
		xml, html  []step
		want       []byte
		wantFormat string
		wantErr    []error
		waits      []time.Duration
	}{
		{name: "xml", xml: []step{xmlOK}, want: full, wantFormat: "xml"},
		{name: "xml_404_falls_back_to_html", xml: []step{statusStep(404, "")}, html: []step{htmlOK}, want: bodyHTML, wantFormat: "html"},
		{name: "no_xml_url", noXML: true, html: []step{htmlOK}, want: bodyHTML, wantFormat: "html"},
		{name: "html_error_page_for_xml", xml: []step{bodyStep("text/html", "<!DOCTYPE html><html><head><title>Request Access</title></head><body>captcha</body></html>")},
			wantErr: []error{ErrHTTP, entitywatch.ErrNotARule}},
		{name: "html_error_page_labelled_xml", xml: []step{bodyStep("application/xml", "<html><body>Service unavailable</body></html>")},
			wantErr: []error{entitywatch.ErrNotARule}},
		{name: "cut_xml_retried", xml: []step{cut, xmlOK}, want: full, wantFormat: "xml", waits: []time.Duration{time.Second}},
		{name: "cut_xml_always", xml: []step{cut, cut, cut}, wantErr: []error{entitywatch.ErrMalformed}, waits: []time.Duration{time.Second, 2 * time.Second}},
		{name: "short_of_content_length_retried", xml: []step{shortBody, xmlOK}, want: full, wantFormat: "xml", waits: []time.Duration{time.Second}},
		{name: "429_then_ok", xml: []step{statusStep(429, "5"), xmlOK}, want: full, wantFormat: "xml", waits: []time.Duration{5 * time.Second}},
		{name: "503_then_ok", xml: []step{statusStep(503, ""), xmlOK}, want: full, wantFormat: "xml", waits: []time.Duration{time.Second}},
		{name: "500_is_not_a_404", xml: []step{statusStep(500, ""), statusStep(500, ""), statusStep(500, "")}, html: nil,
			wantErr: []error{ErrHTTP}, waits: []time.Duration{time.Second, 2 * time.Second}},
		{name: "foreign_xml_host", xmlURL: "https://evil.example" + xmlPath, wantErr: []error{ErrForeignHost}},
		{name: "foreign_html_host_refused_up_front", htmlURL: "https://www.govinfo.gov/content/pkg/FR-2025-03-28/html/2025-05427.htm", wantErr: []error{ErrForeignHost}},
		{name: "not_http", xmlURL: "file:///etc/passwd", wantErr: []error{ErrForeignHost}},
		{name: "neither_url", noXML: true, htmlURL: "-", wantErr: []error{ErrNotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, map[string][]step{xmlPath: tt.xml, htmlPath: tt.html})
			clock := newFakeClock()
			m := DocumentMeta{DocumentNumber: "2025-05427", FullTextXMLURL: s.srv.URL + xmlPath, BodyHTMLURL: s.srv.URL + htmlPath}
			if tt.noXML {
				m.FullTextXMLURL = ""
			}
			if tt.xmlURL != "" {
				m.FullTextXMLURL = tt.xmlURL
			}
			switch tt.htmlURL {
			case "":
			case "-":
				m.BodyHTMLURL = ""
			default:
				m.BodyHTMLURL = tt.htmlURL
			}
			raw, format, err := testClient(s.srv, clock).FetchText(context.Background(), m)
			if tt.wantErr != nil {
				for _, want := range tt.wantErr {
					if !errors.Is(err, want) {
						t.Errorf("error %v, want %v", err, want)
					}
				}
				if err != nil && !strings.Contains(err.Error(), "fetch 2025-05427") {
					t.Errorf("error %q does not name the document", err)
				}
			} else if err != nil || format != tt.wantFormat || string(raw) != string(tt.want) {
				t.Fatalf("format %q, %d bytes, err %v; want %q, %d bytes", format, len(raw), err, tt.wantFormat, len(tt.want))
			}
			if diff := cmp.Diff(tt.waits, clock.Sleeps()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if want := len(tt.xml) + len(tt.html); s.total() != want {
				t.Errorf("%d requests, want %d", s.total(), want)
			}
		})
	}
}

func TestClient_FetchText_refusesRedirectOffHost(t *testing.T) {
	var evilHits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { evilHits.Add(1) }))
	defer evil.Close()
	s := newScripted(t, map[string][]step{xmlPath: {func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+xmlPath, http.StatusFound)
	}}})
	_, _, err := testClient(s.srv, newFakeClock()).FetchText(context.Background(),
		DocumentMeta{DocumentNumber: "2025-05427", FullTextXMLURL: s.srv.URL + xmlPath})
	if !errors.Is(err, ErrForeignHost) || evilHits.Load() != 0 {
		t.Errorf("error %v, %d requests to the other host", err, evilHits.Load())
	}
}

func TestClient_allowedHosts(t *testing.T) {
	tests := []struct {
		base string
		url  string
		ok   bool
	}{
		{"", "https://www.federalregister.gov/documents/full_text/xml/2025/03/28/2025-05427.xml", true},
		{"", "http://www.federalregister.gov/documents/full_text/xml/2025/03/28/2025-05427.xml", false},
		{"", "https://www.govinfo.gov/content/pkg/FR-2025-03-28/xml/2025-05427.xml", false},
		{"", "https://federalregister.gov.evil.example/x.xml", false},
		{"https://fr.mirror.example/api/v1", "https://fr.mirror.example/documents/full_text/xml/x.xml", true},
		{"https://fr.mirror.example/api/v1", "https://www.federalregister.gov/documents/full_text/xml/x.xml", false},
	}
	for _, tt := range tests {
		c := &Client{BaseURL: tt.base}
		c.init()
		u, _ := url.Parse(tt.url)
		if err := c.allowed(u); (err == nil) != tt.ok {
			t.Errorf("base %q: allowed(%s) = %v, want ok %v", tt.base, tt.url, err, tt.ok)
		}
	}
}

func TestClient_conditionalRequests(t *testing.T) {
	fixture, err := os.ReadFile("../fixtures/federalregister/api/v1/public-inspection-documents/current.json")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/public-inspection-documents/current.json"
	const etag = `"pi-2025-03-25-1615"`
	const modified = "Tue, 25 Mar 2025 20:15:00 GMT"
	var conditional []string
	first := func(w http.ResponseWriter, r *http.Request) {
		conditional = append(conditional, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", modified)
		w.Header().Set("Content-Type", "application/json")
		w.Write(fixture)
	}
	notModified := func(w http.ResponseWriter, r *http.Request) {
		conditional = append(conditional, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		if r.Header.Get("If-None-Match") != etag {
			first(w, r)
			return
		}
		w.WriteHeader(http.StatusNotModified)
	}
	s := newScripted(t, map[string][]step{path: {first, notModified, notModified}})
	c := testClient(s.srv, newFakeClock())
	var results [][]PublicInspectionDoc
	for range 3 {
		docs, err := c.PublicInspection(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, docs)
	}
	if diff := cmp.Diff([]string{"|", etag + "|" + modified, etag + "|" + modified}, conditional); diff != "" {
		t.Errorf("validators sent (-want +got):\n%s", diff)
	}
	for i := 1; i < len(results); i++ {
		if diff := cmp.Diff(results[0], results[i]); diff != "" {
			t.Errorf("after 304 #%d (-first +then):\n%s", i, diff)
		}
	}

	// A 304 the client did not ask for is an error, not an empty body.
	s2 := newScripted(t, map[string][]step{path: {statusStep(http.StatusNotModified, "")}})
	if _, err := testClient(s2.srv, newFakeClock()).PublicInspection(context.Background()); !errors.Is(err, ErrHTTP) {
		t.Errorf("unasked 304: error %v", err)
	}
}

func TestClient_PublicInspection(t *testing.T) {
	fixture, err := os.ReadFile("../fixtures/federalregister/api/v1/public-inspection-documents/current.json")
	if err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/public-inspection-documents/current.json"
	tests := []struct {
		name    string
		body    string
		want    []string // document numbers
		keep    []string // TouchesEntityListInspection
		wantErr error
	}{
		{"fixture", string(fixture), []string{"2025-05427", "2025-05887"}, []string{"2025-05427"}, nil},
		{"empty_desk", `{"count":0,"results":[]}`, nil, nil, nil},
		{"count_mismatch", `{"count":3,"results":[{"document_number":"2025-05427"}]}`, nil, nil, ErrInconsistent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, map[string][]step{path: {bodyStep("application/json; charset=utf-8", tt.body)}})
			docs, err := testClient(s.srv, newFakeClock()).PublicInspection(context.Background())
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got, keep []string
			for _, d := range docs {
				got = append(got, d.DocumentNumber)
				if TouchesEntityListInspection(d) {
					keep = append(keep, d.DocumentNumber)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.keep, keep); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClient_rateLimits(t *testing.T) {
	full, err := os.ReadFile("../fixtures/federalregister/2025-05427.xml")
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	var mu sync.Mutex
	var apiAt, docAt []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/api/") {
			apiAt = append(apiAt, clock.Now())
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(docJSON))
			return
		}
		docAt = append(docAt, clock.Now())
		w.Header().Set("Content-Type", "application/xml")
		w.Write(full)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/api/v1", Sleep: clock.Sleep, Now: clock.Now} // default rates
	ctx := context.Background()
	m := DocumentMeta{DocumentNumber: "2025-05427", FullTextXMLURL: srv.URL + xmlPath}
	document := func() {
		if _, err := c.Document(ctx, "2025-05427"); err != nil {
			t.Fatal(err)
		}
	}
	download := func() {
		if _, _, err := c.FetchText(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	// A burst of each, then the two interleaved.
	for range 12 {
		document()
	}
	for range 4 {
		download()
	}
	for i := range 24 {
		document()
		if i%3 == 0 {
			download()
		}
	}
	mostInASecond := func(times []time.Time) int {
		most := 0
		for i, start := range times {
			n := 0
			for _, t := range times[i:] {
				if t.Sub(start) < time.Second {
					n++
				}
			}
			most = max(most, n)
		}
		return most
	}
	if len(apiAt) != 36 || len(docAt) != 12 {
		t.Fatalf("%d API requests, %d downloads", len(apiAt), len(docAt))
	}
	// The bursts reach the limits, and nothing exceeds them.
	if n := mostInASecond(apiAt[:12]); n != 5 {
		t.Errorf("a burst made %d API requests in one second, want 5", n)
	}
	if n := mostInASecond(apiAt); n > 5 {
		t.Errorf("%d API requests in one second, want at most 5", n)
	}
	if n := mostInASecond(docAt); n != 1 {
		t.Errorf("%d downloads in one second, want 1", n)
	}
}

// TestClient_userAgent checks the User-Agent names the tool.
func TestClient_userAgent(t *testing.T) {
	var ua string
	s := newScripted(t, map[string][]step{"/api/v1/documents/2025-05427.json": {func(w http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		bodyStep("application/json", docJSON)(w, r)
	}}})
	c := testClient(s.srv, newFakeClock())
	c.UserAgent = ""
	if _, err := c.Document(context.Background(), "2025-05427"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ua, "entitywatch") {
		t.Errorf("User-Agent %q", ua)
	}
}
