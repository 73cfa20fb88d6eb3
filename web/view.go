package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/entitywatch/entitywatch"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// pageCSP is the content security policy of the web view: no script at
// all, styles and images from this server, reports framed from it.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"

// templateFuncs are the helpers the page templates use.
var templateFuncs = template.FuncMap{
	"date":        plainDate,
	"percent":     func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"actionText":  actionText,
	"fieldList":   fieldList,
	"statusText":  statusText,
	"changesText": changesText,
	"frURL":       federalRegisterURL,
	"isFR":        func(n string) bool { return federalRegisterURL(n) != "" },
	"fileText":    fileText,
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}

// parsePages parses each page template with the layout and the chart.
func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "entry", "documents", "document", "report", "login", "error"} {
		pages[name] = template.Must(template.New(name).Funcs(templateFuncs).ParseFS(assets,
			"templates/layout.html", "templates/chart.html", "templates/"+name+".html"))
	}
	return pages
}

// page is what every page template gets: the layout's fields and the
// page's own data in D.
type page struct {
	Title    string
	Nav      string
	SignedIn bool
	D        any
}

// render writes a page; nothing is written if the template fails.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) error {
	p.SignedIn = s.tokenSum != nil && s.authorized(r)
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	_, err := w.Write(buf.Bytes())
	return err
}

// renderError writes the error page of code with msg, or the sign-in
// page for 401.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	var err error
	if code == http.StatusUnauthorized {
		next := r.URL.RequestURI()
		if r.Method == http.MethodPost {
			next = r.PostFormValue("next")
		}
		err = s.render(w, r, code, "login", page{Title: "Sign in", D: loginData{Next: safeNext(next), Failed: r.Method == http.MethodPost}})
	} else {
		heading := map[int]string{
			http.StatusBadRequest: "Please check what you asked for",
			http.StatusNotFound:   "Not found",
		}[code]
		if heading == "" {
			heading, msg = "Something went wrong", "The server could not answer. Please try again later; if it keeps happening, tell the people who run this service."
		}
		err = s.render(w, r, code, "error", page{Title: heading, D: struct{ Heading, Message string }{heading, msg}})
	}
	if err != nil {
		s.log.Error("render error page", "err", err)
		http.Error(w, msg, code)
	}
}

// plainDate writes a date as people read it: "March 25, 2025".
func plainDate(d entitywatch.Date) string {
	if d.IsZero() {
		return "date not known"
	}
	return d.Format("January 2, 2006")
}

func actionText(a entitywatch.Action) string {
	switch a {
	case entitywatch.Add:
		return "Added to the Entity List"
	case entitywatch.Remove:
		return "Removed from the Entity List"
	case entitywatch.Revise:
		return "Entry revised"
	case entitywatch.Move:
		return "Moved to another destination"
	case "baseline":
		return "On the list when our records begin (from the eCFR)"
	}
	return string(a)
}

var fieldNames = map[string]string{
	"name": "name", "aliases": "aliases", "addresses": "addresses", "see_also": "cross references",
	"license_requirement": "license requirement", "license_review_policy": "license review policy",
	"footnotes": "footnotes", "citations": "citations",
}

func fieldList(fields []string) string {
	out := make([]string, len(fields))
	for i, f := range fields {
		if n, ok := fieldNames[f]; ok {
			out[i] = n
		} else {
			out[i] = strings.ReplaceAll(f, "_", " ")
		}
	}
	return strings.Join(out, ", ")
}

func statusText(status string) string {
	switch status {
	case "applied":
		return "Applied"
	case "quarantined":
		return "Not applied: could not be read"
	case "before_baseline":
		return "Kept as evidence (before our records begin)"
	case "superseded":
		return "Replaced by a correction"
	case "baseline":
		return "Starting list (eCFR)"
	}
	return status
}

func changesText(c ChangeCounts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{c.Added, "added"}, {c.Revised, "revised"}, {c.Moved, "moved"}, {c.Removed, "removed"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.verb))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func fileText(format string, size int) string {
	var sz string
	switch {
	case size >= 1<<20:
		sz = fmt.Sprintf("%.1f MB", float64(size)/(1<<20))
	case size >= 1<<10:
		sz = fmt.Sprintf("%d KB", (size+512)>>10)
	default:
		sz = fmt.Sprintf("%d bytes", size)
	}
	if format == "" {
		return sz
	}
	return strings.ToUpper(format) + ", " + sz
}

// safeNext returns next when it is a path on this server, else "/".
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// homeData is the search page's data.
type homeData struct {
	Query    string
	AsOf     string
	AsOfDate entitywatch.Date
	By       string
	Results  []searchResult
	Chart    chart
}

// pageHome serves the search page, with results when q is given, and
// the chart of changes.
func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	d := homeData{By: ByEffective}
	q := r.URL.Query()
	var err error
	if d.AsOfDate, err = dateParam(r, "as_of", s.today()); err != nil {
		return err
	}
	if d.By, err = byParam(r); err != nil {
		return err
	}
	d.AsOf = d.AsOfDate.String()
	if d.Query = strings.TrimSpace(q.Get("q")); d.Query != "" {
		sr, err := s.parseSearch(r)
		if err != nil {
			return err
		}
		if d.Results, err = s.search(r, sr); err != nil {
			return err
		}
	}
	docs, err := s.documents(r)
	if err != nil {
		return err
	}
	d.Chart = newChart(docs)
	title := "Search the Entity List"
	if d.Query != "" {
		title = "“" + d.Query + "” on the Entity List"
	}
	return s.render(w, r, http.StatusOK, "home", page{Title: title, Nav: "search", D: d})
}

// pageEntry serves an entry and its timeline.
func (s *Server) pageEntry(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	l, events, err := s.store.Entry(r.Context(), id)
	if err != nil {
		return err // the Store says which entry
	}
	return s.render(w, r, http.StatusOK, "entry", page{Title: l.Name, Nav: "search", D: struct {
		L      entitywatch.Listing
		Events []Event
	}{l, events}})
}

// pageDocuments serves the list of documents.
func (s *Server) pageDocuments(w http.ResponseWriter, r *http.Request) error {
	docs, err := s.documents(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "documents", page{Title: "Federal Register documents", Nav: "documents", D: struct{ Docs []Document }{docs}})
}

// pageDocument serves one document's record.
func (s *Server) pageDocument(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	d, err := s.store.Document(r.Context(), number)
	if err != nil {
		return err // the Store says which document
	}
	return s.render(w, r, http.StatusOK, "document", page{Title: "Document " + d.Number, Nav: "documents", D: struct{ Doc Document }{d}})
}

// pageReport serves the weekly report page: a week picker and the report
// of the week, framed.
func (s *Server) pageReport(w http.ResponseWriter, r *http.Request) error {
	week, err := parseWeek(r.URL.Query().Get("week"), s.now())
	if err != nil {
		return err
	}
	var y, n int
	fmt.Sscanf(week, "%d-W%d", &y, &n)
	// ISO week 1 holds January 4.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(n-1)*7)
	span := fmt.Sprintf("Week %d of %d: Monday, %s to Sunday, %s", n, y, monday.Format("January 2"), monday.AddDate(0, 0, 6).Format("January 2, 2006"))
	return s.render(w, r, http.StatusOK, "report", page{Title: "Weekly report " + week, Nav: "report", D: struct {
		Week, Span string
		Enabled    bool
	}{week, span, s.report != nil}})
}

type loginData struct {
	Next   string
	Failed bool
}

// pageLogin serves the sign-in form (only when a token is set).
func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if s.tokenSum == nil || s.authorized(r) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", page{Title: "Sign in", D: loginData{Next: next}})
}

// pageLoginPost checks the token from the sign-in form and sets the
// session cookie, which holds a hash of the token, never the token.
func (s *Server) pageLoginPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("sign-in form: %w", ErrInvalid)
	}
	next := safeNext(r.PostFormValue("next"))
	if s.tokenSum == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	if !s.tokenOK(r.PostFormValue("token")) {
		return errUnauthorized
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.session, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// pageLogout clears the session cookie.
func (s *Server) pageLogout(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	to := "/"
	if s.tokenSum != nil {
		to = "/login"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) error {
	return fmt.Errorf("there is no page at %s: %w", r.URL.Path, ErrNotFound)
}

// static serves the style sheet.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/static/style.css" {
		return fmt.Errorf("%s: %w", r.URL.Path, ErrNotFound)
	}
	b, err := fs.ReadFile(assets, "static/style.css")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	return nil
}

// docsMemo keeps the document list for the cache's time to live: the
// home page's chart reads it on every view.
type docsMemo struct {
	mu    sync.Mutex
	at    time.Time
	docs  []Document
	valid bool
}

// documents returns every stored document, newest effective date first,
// through a short-lived memo.
func (s *Server) documents(r *http.Request) ([]Document, error) {
	return s.docs.get(r.Context(), s)
}

func (m *docsMemo) get(ctx context.Context, s *Server) ([]Document, error) {
	ttl := s.cache.ttl
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.valid && ttl >= 0 && s.now().Sub(m.at) <= ttl {
		return m.docs, nil
	}
	docs, err := s.store.Documents(ctx)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	slices.SortFunc(docs, func(a, b Document) int {
		return cmp.Or(b.Effective.Compare(a.Effective.Time), b.Published.Compare(a.Published.Time), strings.Compare(b.Number, a.Number))
	})
	m.docs, m.at, m.valid = docs, s.now(), true
	return docs, nil
}

// chart is an inline SVG bar chart of changes per month.
type chart struct {
	Empty         bool
	Width, Height int
	Summary       string
	Ticks         []chartTick
	Bars          []chartBar
	Labels        []chartLabel
	Legend        []chartLegend
	Rows          []chartRow
}

type chartTick struct {
	X1, X2, Y, LX, LY int
	Label             int
}

type chartBar struct {
	Title string
	Segs  []chartSeg
}

type chartSeg struct {
	X, Y, W, H int
	Fill       string
}

type chartLabel struct {
	X, Y int
	Text string
}

type chartLegend struct{ Label, Fill string }

type chartRow struct {
	Month                          string
	Added, Revised, Moved, Removed int
}

// The chart's series, bottom to top, with colours that stay apart for
// colour-blind readers.
var chartSeries = []struct {
	label, fill string
	get         func(ChangeCounts) int
}{
	{"Added", "#1f5fa8", func(c ChangeCounts) int { return c.Added }},
	{"Revised", "#e69f00", func(c ChangeCounts) int { return c.Revised }},
	{"Moved", "#7b3294", func(c ChangeCounts) int { return c.Moved }},
	{"Removed", "#555555", func(c ChangeCounts) int { return c.Removed }},
}

// newChart charts the changes of the applied documents per month of
// their effective dates, every month from the first to the last.
func newChart(docs []Document) chart {
	months := map[time.Time]ChangeCounts{}
	var first, last time.Time
	for _, d := range docs {
		if d.Status != "applied" || d.Effective.IsZero() || d.Counts.Total() == 0 {
			continue
		}
		m := time.Date(d.Effective.Year(), d.Effective.Month(), 1, 0, 0, 0, 0, time.UTC)
		c := months[m]
		c.Added += d.Counts.Added
		c.Revised += d.Counts.Revised
		c.Moved += d.Counts.Moved
		c.Removed += d.Counts.Removed
		months[m] = c
		if first.IsZero() || m.Before(first) {
			first = m
		}
		if m.After(last) {
			last = m
		}
	}
	if len(months) == 0 {
		return chart{Empty: true}
	}
	var span []time.Time
	for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
		span = append(span, m)
	}
	const width, height, left, right, top, bottom = 960, 320, 48, 12, 12, 40
	plotW, plotH := width-left-right, height-top-bottom
	peak, total := 0, ChangeCounts{}
	for _, m := range span {
		c := months[m]
		peak = max(peak, c.Total())
		total.Added, total.Revised, total.Moved, total.Removed = total.Added+c.Added, total.Revised+c.Revised, total.Moved+c.Moved, total.Removed+c.Removed
	}
	step := niceStep(peak)
	top0 := (peak + step - 1) / step * step
	ch := chart{Width: width, Height: height}
	ch.Summary = fmt.Sprintf("From %s to %s: %s.", first.Format("January 2006"), last.Format("January 2006"), changesText(total))
	y := func(v int) int { return top + plotH - v*plotH/top0 }
	for v := 0; v <= top0; v += step {
		ch.Ticks = append(ch.Ticks, chartTick{X1: left, X2: width - right, Y: y(v), LX: left - 6, LY: y(v) + 4, Label: v})
	}
	slot := plotW / len(span)
	barW := max(1, slot*7/10)
	every := max(1, (len(span)+11)/12)
	for i, m := range span {
		c := months[m]
		x := left + i*slot + (slot-barW)/2
		bar := chartBar{Title: m.Format("January 2006") + ": " + changesText(c)}
		base := 0
		for _, sr := range chartSeries {
			n := sr.get(c)
			if n == 0 {
				continue
			}
			bar.Segs = append(bar.Segs, chartSeg{X: x, Y: y(base + n), W: barW, H: y(base) - y(base+n), Fill: sr.fill})
			base += n
		}
		ch.Bars = append(ch.Bars, bar)
		if i%every == 0 {
			ch.Labels = append(ch.Labels, chartLabel{X: x + barW/2, Y: height - bottom + 18, Text: m.Format("Jan 2006")})
		}
		if c.Total() > 0 {
			ch.Rows = append(ch.Rows, chartRow{Month: m.Format("January 2006"), Added: c.Added, Revised: c.Revised, Moved: c.Moved, Removed: c.Removed})
		}
	}
	for _, sr := range chartSeries {
		ch.Legend = append(ch.Legend, chartLegend{Label: sr.label, Fill: sr.fill})
	}
	return ch
}

// niceStep returns a step of 1, 2 or 5 times a power of ten that divides
// 0..peak into at most five intervals.
func niceStep(peak int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if peak <= 5*m*p {
				return m * p
			}
		}
	}
}
