package web

import (
	"context"
	"strings"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// TestView_Pages checks the pages of the web view: status, the labels
// and links a person relies on, and the content security policy.
func TestView_Pages(t *testing.T) {
	report := func(ctx context.Context, week, format string) ([]byte, string, error) {
		return []byte("report"), "text/html", nil
	}
	h, _ := newTestServer(t, newFixtureStore(t), Options{Report: report})
	plain, _ := newTestServer(t, newFixtureStore(t), Options{})
	tests := []struct {
		name     string
		h        bool // false: the server without reports
		target   string
		code     int
		contains []string
	}{
		{"home", true, "/", 200, []string{
			`<label for="q">Name or alias</label>`, `<label for="as_of">On the list on this day</label>`,
			`id="as_of" name="as_of" type="date" value="2025-04-01"`, `value="effective" checked`,
			`<svg viewBox="0 0 960 320" role="img"`, `<summary>Show the numbers</summary>`,
			`<th scope="row">March 2025</th><td>82</td><td>4</td><td>0</td><td>0</td>`,
			`href="/api/v1/snapshot?as_of=2025-04-01&amp;by=effective&amp;format=csv"`, `aria-current="page">Search`}},
		{"search", true, "/?q=Inspur&as_of=2025-03-25", 200, []string{
			`id="results"`, `6 entries like “Inspur” on the list on March 25, 2025`,
			`<a href="/entries/TW/inspurtaiwan">Inspur Taiwan</a>`, `listed since March 25, 2025`, `% match`}},
		{"search_alias", true, "/?q=Zhipu+AI", 200, []string{`also known as “Zhipu AI”`}},
		{"search_nothing", true, "/?q=Qwxzv", 200, []string{`0 entries like “Qwxzv”`, `Check the spelling`}},
		{"search_before_listing", true, "/?q=Inspur+Taiwan&as_of=2025-03-24", 200, []string{`0 entries like`}},
		{"search_bad_date", true, "/?q=Inspur&as_of=yesterday", 400, []string{`Please check what you asked for`, `as_of &#34;yesterday&#34;: want a date as YYYY-MM-DD`}},
		{"entry", true, "/entries/TW/inspurtaiwan", 200, []string{
			`<h1>Inspur Taiwan</h1>`, `On the Entity List, under TAIWAN.`, `id="history"`,
			`<time datetime="2025-03-25">March 25, 2025</time>`, `<strong>Added to the Entity List</strong>`,
			`Federal Register document 2025-05427`, `published March 28, 2025`,
			`<a href="https://www.federalregister.gov/d/2025-05427">Read the rule on federalregister.gov</a>`,
			`<a href="/documents/2025-05427">Our record of it</a>`,
			`<a href="/api/v1/documents/2025-05427/raw">Our stored copy of the original</a>`,
			`Inspur Taiwan—R&amp;D Center`}},
		{"entry_removed", true, "/entries/CN/ministryofpublicsecuritysinstituteofforensicscienceofchina", 200, []string{
			`No longer on the Entity List`, `Removed from the Entity List`, `November 16, 2023`}},
		{"entry_unknown", true, "/entries/CN/nosuch", 404, []string{`<h1>Not found</h1>`, `entry CN/nosuch: not found`}},
		{"documents", true, "/documents", 200, []string{
			`<caption>6 documents</caption>`, `<a href="/documents/2023-13196">2023-13196</a>`,
			`Not applied: could not be read`, `no effective date`, `12 added`,
			`<a href="/api/v1/documents/2025-05427/raw">Our stored copy</a> (XML, `, `SHA-256 `}},
		{"document", true, "/documents/2025-05427", 200, []string{
			`<h1>Additions to the Entity List</h1>`, `<dt>SHA-256 fingerprint</dt>`, `What the rule changes`,
			`<a href="/entries/TW/inspurtaiwan">Inspur Taiwan</a>`}},
		{"document_unknown", true, "/documents/2099-00001", 404, []string{`document 2099-00001: not found`}},
		{"report", true, "/report?week=2025-W13", 200, []string{
			`id="week" name="week" type="week" value="2025-W13"`, `Week 13 of 2025: Monday, March 24 to Sunday, March 30, 2025`,
			`<iframe class="report" src="/api/v1/report?week=2025-W13&amp;format=html"`, `format=xlsx">Excel spreadsheet</a>`}},
		{"report_default_week", true, "/report", 200, []string{`value="2025-W13"`}},
		{"report_not_configured", false, "/report", 200, []string{`Reports are not set up on this server.`}},
		{"report_bad_week", true, "/report?week=13", 400, []string{`want an ISO week such as 2025-W13`}},
		{"login_without_token", true, "/login", 303, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := h
			if !tt.h {
				srv = plain
			}
			rec := do(t, srv, "GET", tt.target)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d\n%.3000s", rec.Code, tt.code, rec.Body)
			}
			body := rec.Body.String()
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %s\n%.6000s", s, body)
				}
			}
			if tt.code == 303 {
				return
			}
			if got := rec.Header().Get("Content-Security-Policy"); got != pageCSP {
				t.Errorf("CSP %q", got)
			}
			if !strings.HasPrefix(body, "<!doctype html>\n<html lang=\"en\">") {
				t.Errorf("page does not start as HTML5 in English: %.60q", body)
			}
			if strings.Contains(body, "<script") {
				t.Error("page holds a script")
			}
		})
	}
}

// TestView_Escapes checks that text from the store is escaped wherever a
// page shows it.
func TestView_Escapes(t *testing.T) {
	st := newSyntheticStore(10)
	evil := `<script>alert("x")</script>`
	st.lists = append(st.lists, entitywatch.Listing{ID: "CN/scriptalertxscript", Entry: entitywatch.Entry{
		CountryCode: "CN", Country: `CHINA <b>`, Name: "Scriptalert " + evil, Aliases: []string{`" onmouseover="alert(1)`}, Addresses: []string{evil}}})
	h, _ := newTestServer(t, st, Options{})
	for _, target := range []string{"/?q=Scriptalert", "/entries/CN/scriptalertxscript"} {
		rec := do(t, h, "GET", target)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		body := rec.Body.String()
		if strings.Contains(body, "<script") || strings.Contains(body, "<b>") || strings.Contains(body, `" onmouseover`) {
			t.Errorf("%s: unescaped store text:\n%s", target, body)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Errorf("%s: the name is not shown escaped", target)
		}
	}
}
