package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/entitywatch/entitywatch"
)

// SnapshotEntry is an entry of the list as `entitywatch snapshot` and the
// API print it: the JSON contract of both, kept in one place.
type SnapshotEntry struct {
	ID                  string           `json:"id"`
	Country             string           `json:"country"`
	CountryCode         string           `json:"country_code"`
	Name                string           `json:"name"`
	Aliases             []string         `json:"aliases"`
	Addresses           []string         `json:"addresses"`
	LicenseRequirement  string           `json:"license_requirement"`
	LicenseReviewPolicy string           `json:"license_review_policy"`
	Citations           []string         `json:"citations"`
	ListedSince         entitywatch.Date `json:"listed_since"`
	DocumentNumber      string           `json:"document_number"`
	LastChangedBy       string           `json:"last_changed_by,omitempty"`
}

// NewSnapshotEntry is the SnapshotEntry of a listing.
func NewSnapshotEntry(l *entitywatch.Listing) SnapshotEntry {
	return SnapshotEntry{
		ID: l.ID, Country: l.Country, CountryCode: l.CountryCode, Name: l.Name,
		Aliases: nonNil(l.Aliases), Addresses: nonNil(l.Addresses),
		LicenseRequirement: l.LicenseRequirement, LicenseReviewPolicy: l.LicenseReviewPolicy,
		Citations: nonNil(l.Citations), ListedSince: l.ListedSince, DocumentNumber: l.ListedBy, LastChangedBy: l.ChangedBy,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// dateParam reads a YYYY-MM-DD query parameter; def when absent.
func dateParam(r *http.Request, name string, def entitywatch.Date) (entitywatch.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := entitywatch.ParseDate(v)
	if err != nil {
		return d, fmt.Errorf("%s %q: want a date as YYYY-MM-DD: %w", name, v, ErrInvalid)
	}
	return d, nil
}

// byParam reads the by parameter: effective (the default) or published.
func byParam(r *http.Request) (string, error) {
	switch v := r.URL.Query().Get("by"); v {
	case "", ByEffective:
		return ByEffective, nil
	case ByPublished:
		return ByPublished, nil
	default:
		return "", fmt.Errorf("by %q: want effective or published: %w", v, ErrInvalid)
	}
}

// oneOf reads a parameter that takes one of a few values, the first by
// default.
func oneOf(r *http.Request, name string, allowed ...string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return allowed[0], nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", fmt.Errorf("%s %q: want one of %s: %w", name, v, strings.Join(allowed, ", "), ErrInvalid)
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return fmt.Errorf("no API endpoint %s: %w", r.URL.Path, ErrNotFound)
}

// apiSnapshot answers GET /api/v1/snapshot?as_of=D&by=effective|published&format=json|csv.
func (s *Server) apiSnapshot(w http.ResponseWriter, r *http.Request) error {
	asOf, err := dateParam(r, "as_of", s.today())
	if err != nil {
		return err
	}
	by, err := byParam(r)
	if err != nil {
		return err
	}
	format, err := oneOf(r, "format", "json", "csv")
	if err != nil {
		return err
	}
	snap, err := s.snapshot(r.Context(), asOf, by)
	if err != nil {
		return fmt.Errorf("snapshot as of %s by %s: %w", asOf, by, err)
	}
	h := w.Header()
	if format == "csv" {
		body, err := snap.csvBody()
		if err != nil {
			return err
		}
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("entity-list-%s-%s.csv", asOf, by)}))
		_, err = w.Write(body)
		return err
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	_, err = w.Write(snap.jsonBody())
	return err
}

// jsonBody returns the snapshot's JSON answer, encoding it once.
func (snap *snapshot) jsonBody() []byte {
	snap.jsonOnce.Do(func() {
		snap.json = appendSnapshotJSON(make([]byte, 0, 600*len(snap.listed)+100), snap)
	})
	return snap.json
}

// csvBody returns the snapshot's CSV answer, with the columns of
// `entitywatch snapshot --format csv`, encoding it once.
func (snap *snapshot) csvBody() ([]byte, error) {
	snap.csvOnce.Do(func() {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		_ = cw.Write([]string{"id", "country", "country_code", "name", "aliases", "addresses", "license_requirement", "license_review_policy", "citations", "listed_since", "document_number"})
		for i := range snap.listed {
			l := &snap.listed[i]
			_ = cw.Write([]string{l.ID, l.Country, l.CountryCode, l.Name, strings.Join(l.Aliases, "; "), strings.Join(l.Addresses, "; "), l.LicenseRequirement, l.LicenseReviewPolicy, strings.Join(l.Citations, "; "), l.ListedSince.String(), l.ListedBy})
		}
		cw.Flush()
		snap.csv, snap.csvErr = buf.Bytes(), cw.Error()
	})
	if snap.csvErr != nil {
		return nil, fmt.Errorf("snapshot csv: %w", snap.csvErr)
	}
	return snap.csv, nil
}

// searchResult is one hit of GET /api/v1/entries.
type searchResult struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Country     string `json:"country"`
	CountryCode string `json:"country_code"`
	// Matched is the name or alias the query matched best.
	Matched      string           `json:"matched"`
	MatchedAlias bool             `json:"matched_alias"`
	Score        float64          `json:"score"`
	ListedSince  entitywatch.Date `json:"listed_since"`
	URL          string           `json:"url"`
}

// searchRequest is a validated search.
type searchRequest struct {
	q     string
	asOf  entitywatch.Date
	by    string
	limit int
}

func (s *Server) parseSearch(r *http.Request) (searchRequest, error) {
	var sr searchRequest
	sr.q = strings.TrimSpace(r.URL.Query().Get("q"))
	if sr.q == "" {
		return sr, fmt.Errorf("q: give a name or alias to search for: %w", ErrInvalid)
	}
	if utf8.RuneCountInString(sr.q) > maxQueryRunes {
		return sr, fmt.Errorf("q: longer than %d characters: %w", maxQueryRunes, ErrInvalid)
	}
	var err error
	if sr.asOf, err = dateParam(r, "as_of", s.today()); err != nil {
		return sr, err
	}
	if sr.by, err = byParam(r); err != nil {
		return sr, err
	}
	sr.limit = 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return sr, fmt.Errorf("limit %q: want a number from 1 to 100: %w", v, ErrInvalid)
		}
		sr.limit = n
	}
	return sr, nil
}

// search runs a validated search.
func (s *Server) search(r *http.Request, sr searchRequest) ([]searchResult, error) {
	snap, err := s.snapshot(r.Context(), sr.asOf, sr.by)
	if err != nil {
		return nil, fmt.Errorf("search as of %s: %w", sr.asOf, err)
	}
	ix := snap.index()
	hits := ix.search(sr.q, sr.limit)
	out := make([]searchResult, len(hits))
	for i, h := range hits {
		l, n := &ix.listings[h.entry], &ix.names[h.name]
		out[i] = searchResult{ID: l.ID, Name: l.Name, Country: l.Country, CountryCode: l.CountryCode, Matched: n.text, MatchedAlias: n.alias, Score: h.score, ListedSince: l.ListedSince, URL: "/api/v1/entries/" + escapeID(l.ID)}
	}
	return out, nil
}

// escapeID escapes an entry ID for a URL path, keeping its slash.
func escapeID(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// apiSearch answers GET /api/v1/entries?q=NAME&as_of=D&by=&limit=.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) error {
	sr, err := s.parseSearch(r)
	if err != nil {
		return err
	}
	res, err := s.search(r, sr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Query   string           `json:"query"`
		AsOf    entitywatch.Date `json:"as_of"`
		By      string           `json:"by"`
		Count   int              `json:"count"`
		Results []searchResult   `json:"results"`
	}{sr.q, sr.asOf, sr.by, len(res), res})
	return nil
}

// links are where to read a document: its metadata and stored copy here,
// and the Federal Register's page.
type links struct {
	Document        string `json:"document"`
	Evidence        string `json:"evidence"`
	FederalRegister string `json:"federal_register,omitempty"`
}

// frNumber matches Federal Register document numbers ("2025-05427").
var frNumber = regexp.MustCompile(`^[0-9]{4}-[0-9]{4,6}$`)

// federalRegisterURL returns the Federal Register's page of a document,
// or "" for documents that are not FR documents (a baseline).
func federalRegisterURL(number string) string {
	if !frNumber.MatchString(number) {
		return ""
	}
	return "https://www.federalregister.gov/d/" + number
}

func linksOf(number string) links {
	n := url.PathEscape(number)
	return links{Document: "/api/v1/documents/" + n, Evidence: "/api/v1/documents/" + n + "/raw", FederalRegister: federalRegisterURL(number)}
}

type eventJSON struct {
	Event
	Links links `json:"links"`
}

// apiEntry answers GET /api/v1/entries/{id...}: the entry and its
// history.
func (s *Server) apiEntry(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	l, events, err := s.store.Entry(r.Context(), id)
	if err != nil {
		return err // the Store says which entry
	}
	hist := make([]eventJSON, len(events))
	for i, e := range events {
		e.ChangedFields = nonNil(e.ChangedFields)
		hist[i] = eventJSON{Event: e, Links: linksOf(e.DocumentNumber)}
	}
	l.Aliases, l.Addresses, l.Citations = nonNil(l.Aliases), nonNil(l.Addresses), nonNil(l.Citations)
	writeJSON(w, http.StatusOK, struct {
		entitywatch.Listing
		OnList  bool        `json:"on_list"`
		History []eventJSON `json:"history"`
	}{l, !l.Removed, hist})
	return nil
}

type revisionJSON struct {
	Revision
	ChangedFields []string `json:"changed_fields"`
}

func toRevisionsJSON(rs []Revision) []revisionJSON {
	out := make([]revisionJSON, len(rs))
	for i, r := range rs {
		r.Fields = nonNil(r.Fields)
		out[i] = revisionJSON{Revision: r, ChangedFields: []string{}}
		for _, f := range r.Fields {
			out[i].ChangedFields = append(out[i].ChangedFields, f.Field)
		}
	}
	return out
}

// apiChanges answers GET /api/v1/changes?from=D1&to=D2.
func (s *Server) apiChanges(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("from") == "" || q.Get("to") == "" {
		return fmt.Errorf("from and to: give both dates as YYYY-MM-DD: %w", ErrInvalid)
	}
	from, err := dateParam(r, "from", entitywatch.Date{})
	if err != nil {
		return err
	}
	to, err := dateParam(r, "to", entitywatch.Date{})
	if err != nil {
		return err
	}
	if to.Before(from.Time) {
		return fmt.Errorf("from %s is after to %s: %w", from, to, ErrInvalid)
	}
	c, err := s.store.Changes(r.Context(), from, to)
	if err != nil {
		return fmt.Errorf("changes from %s to %s: %w", from, to, err)
	}
	toEntries := func(ls []entitywatch.Listing) []SnapshotEntry {
		out := make([]SnapshotEntry, len(ls))
		for i := range ls {
			out[i] = NewSnapshotEntry(&ls[i])
		}
		return out
	}
	writeJSON(w, http.StatusOK, struct {
		From    entitywatch.Date `json:"from"`
		To      entitywatch.Date `json:"to"`
		Counts  ChangeCounts     `json:"counts"`
		Added   []SnapshotEntry  `json:"added"`
		Removed []SnapshotEntry  `json:"removed"`
		Revised []revisionJSON   `json:"revised"`
		Moved   []revisionJSON   `json:"moved"`
	}{from, to, ChangeCounts{len(c.Added), len(c.Removed), len(c.Revised), len(c.Moved)},
		toEntries(c.Added), toEntries(c.Removed), toRevisionsJSON(c.Revised), toRevisionsJSON(c.Moved)})
	return nil
}

type documentJSON struct {
	Document
	Links links `json:"links"`
}

// apiDocuments answers GET /api/v1/documents: every stored document,
// latest effective first.
func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) error {
	docs, err := s.documents(r)
	if err != nil {
		return err
	}
	out := make([]documentJSON, len(docs))
	for i, d := range docs {
		d.Rule, d.Applied = nil, nil
		out[i] = documentJSON{Document: d, Links: linksOf(d.Number)}
	}
	writeJSON(w, http.StatusOK, struct {
		Count     int            `json:"count"`
		Documents []documentJSON `json:"documents"`
	}{len(out), out})
	return nil
}

// apiDocument answers GET /api/v1/documents/{number}: metadata, parse
// result and SHA-256.
func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	d, err := s.store.Document(r.Context(), number)
	if err != nil {
		return err // the Store says which document
	}
	writeJSON(w, http.StatusOK, documentJSON{Document: d, Links: linksOf(d.Number)})
	return nil
}

// contentTypeOf returns the content type of a document's original bytes.
func contentTypeOf(format string, raw []byte) string {
	switch format {
	case "xml":
		return "application/xml"
	case "html":
		return "text/html; charset=utf-8"
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("<?xml")) {
		return "application/xml"
	}
	return http.DetectContentType(raw)
}

// apiRaw answers GET /api/v1/documents/{number}/raw: the original bytes
// as stored, with their SHA-256 in X-Content-SHA256. HTML evidence is
// served sandboxed, so no script in it runs on this origin.
func (s *Server) apiRaw(w http.ResponseWriter, r *http.Request) error {
	number := r.PathValue("number")
	d, err := s.store.Document(r.Context(), number)
	if err != nil {
		return err // the Store says which document
	}
	raw, sum, err := s.store.Raw(r.Context(), number)
	if err != nil {
		return err
	}
	ct := contentTypeOf(d.Format, raw)
	ext := ".bin"
	switch {
	case strings.Contains(ct, "xml"):
		ext = ".xml"
	case strings.Contains(ct, "html"):
		ext = ".html"
	case strings.HasPrefix(ct, "text/plain"):
		ext = ".txt"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-SHA256", sum)
	h.Set("ETag", `"sha256-`+sum+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": number + ext}))
	http.ServeContent(w, r, "", d.Published.Time, bytes.NewReader(raw))
	return nil
}

// isoWeek matches an ISO week, "2025-W13".
var isoWeek = regexp.MustCompile(`^([0-9]{4})-W([0-9]{2})$`)

// parseWeek checks an ISO week ("2025-W13"); "" is the last complete
// week before now.
func parseWeek(v string, now time.Time) (string, error) {
	if v == "" {
		y, w := now.UTC().AddDate(0, 0, -7).ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w), nil
	}
	m := isoWeek.FindStringSubmatch(v)
	if m == nil {
		return "", fmt.Errorf("week %q: want an ISO week such as 2025-W13: %w", v, ErrInvalid)
	}
	year, _ := strconv.Atoi(m[1])
	week, _ := strconv.Atoi(m[2])
	// December 28 always falls in the last ISO week of its year.
	_, weeks := time.Date(year, time.December, 28, 0, 0, 0, 0, time.UTC).ISOWeek()
	if week < 1 || week > weeks {
		return "", fmt.Errorf("week %q: %d has weeks 1 to %d: %w", v, year, weeks, ErrInvalid)
	}
	return v, nil
}

// reportFormats are the formats of a weekly report, the API's default
// first.
var reportFormats = []string{"json", "html", "md", "csv", "xlsx"}

// apiReport answers GET /api/v1/report?week=2025-W13&format=json|html|md|csv|xlsx.
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) error {
	week, err := parseWeek(r.URL.Query().Get("week"), s.now())
	if err != nil {
		return err
	}
	format, err := oneOf(r, "format", reportFormats...)
	if err != nil {
		return err
	}
	if s.report == nil {
		return fmt.Errorf("reports: %w (this server renders no reports)", ErrNotFound)
	}
	body, ct, err := s.report(r.Context(), week, format)
	if err != nil {
		return fmt.Errorf("report %s: %w", week, err)
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	// A report is self-contained: styles and images inline, no script.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	disp := "inline"
	if format == "xlsx" || format == "csv" {
		disp = "attachment"
	}
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": "entity-list-report-" + week + "." + format}))
	_, err = w.Write(body)
	return err
}

// healthz answers GET /healthz: 200 with the state of ingestion and
// alerting while the store answers, 503 when it does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	h, err := s.store.Health(r.Context())
	if err != nil {
		return fmt.Errorf("%w: health: %w", errUnavailable, err)
	}
	if h.Documents == nil {
		h.Documents = map[string]int{}
	}
	writeJSON(w, http.StatusOK, struct {
		Status string    `json:"status"`
		Time   time.Time `json:"time"`
		Health
	}{"ok", s.now().UTC(), h})
	return nil
}
