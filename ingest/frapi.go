package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/entitywatch/entitywatch"
)

// DefaultFRURL is the Federal Register API's base URL.
const DefaultFRURL = "https://www.federalregister.gov/api/v1"

// frWebHost is the host of the FR's document URLs (full_text_xml_url,
// body_html_url), accepted besides the API's own host when BaseURL is the
// default.
const frWebHost = "www.federalregister.gov"

const (
	// maxResults is the most results the API pages through; its count
	// stops there too.
	maxResults = 10000
	// maxPage is the last page the API serves; past it, page 1 comes back.
	maxPage = 50
)

// Client reads the Federal Register API v1. The zero value works against
// the real API with polite defaults; tests point BaseURL at an httptest
// server and inject Sleep and Now. Set the fields before first use; a
// Client is safe for concurrent use.
type Client struct {
	// BaseURL is the API's address; empty means DefaultFRURL.
	BaseURL string
	// HTTP is the client used; nil means one with a 60 s timeout.
	// Redirects are followed only to hosts FetchText accepts.
	HTTP *http.Client
	// UserAgent names the caller in requests.
	UserAgent string
	// APIRate is the most API requests per second (search, document,
	// public inspection); 0 means 5, negative means no limit.
	APIRate float64
	// DocRate is the most full-text downloads per second; 0 means 1,
	// negative means no limit.
	DocRate float64
	// PerPage is the search page size, at most 1000; 0 means 1000.
	PerPage int
	// MaxBytes caps a response; 0 means 64 MiB.
	MaxBytes int64
	// Attempts is how many times a 429, a 5xx, a network error or a
	// body cut short is tried; 0 means 3.
	Attempts int
	// Sleep waits between attempts and for the rate limits; nil means a
	// context-aware sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock of the rate limits and Retry-After dates; nil
	// means time.Now.
	Now func() time.Time
	// Jitter spreads an exponential backoff wait (never a Retry-After);
	// nil adds up to a quarter at random.
	Jitter func(time.Duration) time.Duration
	// Logger receives retries, window slicing and fallbacks; nil
	// discards them.
	Logger *slog.Logger

	once     sync.Once
	base     *url.URL
	baseErr  error
	hosts    map[string]bool
	client   *http.Client
	api, doc *pacer
	cache    validatorCache
}

// init resolves the defaults once.
func (c *Client) init() {
	c.once.Do(func() {
		base := c.BaseURL
		if base == "" {
			base = DefaultFRURL
		}
		c.base, c.baseErr = url.Parse(strings.TrimRight(base, "/"))
		if c.baseErr == nil && (c.base.Scheme != "http" && c.base.Scheme != "https" || c.base.Host == "") {
			c.baseErr = fmt.Errorf("base URL %q is not an http(s) URL", base)
		}
		c.hosts = map[string]bool{}
		if c.baseErr == nil {
			c.hosts[strings.ToLower(c.base.Host)] = true
			if base == DefaultFRURL {
				c.hosts[frWebHost] = true
			}
		}
		hc := c.HTTP
		if hc == nil {
			hc = &http.Client{Timeout: 60 * time.Second}
		}
		cp := *hc
		cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if err := c.allowed(req.URL); err != nil {
				return err
			}
			if hc.CheckRedirect != nil {
				return hc.CheckRedirect(req, via)
			}
			return nil
		}
		c.client = &cp
		rate := func(r, def float64) float64 {
			if r == 0 {
				return def
			}
			return r
		}
		c.api = newPacer(rate(c.APIRate, 5))
		c.doc = newPacer(rate(c.DocRate, 1))
	})
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	return sleepContext(ctx, d)
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Client) getter() *getter {
	jitter := c.Jitter
	if jitter == nil {
		jitter = func(d time.Duration) time.Duration {
			if d < 4 {
				return d
			}
			return d + rand.N(d/4)
		}
	}
	return &getter{client: c.client, userAgent: c.UserAgent, maxBytes: c.MaxBytes, attempts: c.Attempts,
		sleep: c.sleep, now: c.now, jitter: jitter, log: c.logger()}
}

// allowed reports whether u may be fetched: http(s), on the configured
// FR host (plus www.federalregister.gov when BaseURL is the default).
func (c *Client) allowed(u *url.URL) error {
	if u.Scheme != "https" && u.Scheme != "http" || !c.hosts[strings.ToLower(u.Host)] {
		return fmt.Errorf("%w: %s", ErrForeignHost, u.Redacted())
	}
	if u.Scheme == "http" && c.base.Scheme == "https" {
		return fmt.Errorf("%w: %s is not https", ErrForeignHost, u.Redacted())
	}
	return nil
}

// fetch GETs u with conditional request validators from an earlier
// response to the same URL, returning the cached body on 304.
func (c *Client) fetch(ctx context.Context, u string, p *pacer, accept string, check func(*http.Response, []byte) error) ([]byte, error) {
	header := http.Header{}
	cached, ok := c.cache.get(u)
	if ok {
		if cached.etag != "" {
			header.Set("If-None-Match", cached.etag)
		}
		if cached.lastModified != "" {
			header.Set("If-Modified-Since", cached.lastModified)
		}
	}
	r, err := c.getter().get(ctx, getSpec{
		url: u, accept: accept, header: header, check: check,
		wait: func(ctx context.Context) error { return p.wait(ctx, c.now, c.sleep) },
	})
	if err != nil {
		return nil, err
	}
	if r.status == http.StatusNotModified {
		if !ok {
			return nil, fmt.Errorf("fetch %s: %w: 304 Not Modified to a request without validators", u, ErrHTTP)
		}
		c.logger().Debug("not modified", "url", u)
		return cached.body, nil
	}
	c.cache.put(u, r.header.Get("ETag"), r.header.Get("Last-Modified"), r.body)
	return r.body, nil
}

// getJSON fetches an API URL and decodes its JSON into v.
func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	body, err := c.fetch(ctx, u, c.api, "application/json", checkJSON)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("fetch %s: %w: decode JSON: %w", u, ErrHTTP, err)
	}
	return nil
}

// checkJSON refuses an HTML page (a maintenance or bot-check page served
// with status 200) where JSON was asked for.
func checkJSON(resp *http.Response, body []byte) error {
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "html") || !strings.Contains(ct, "json") && !json.Valid(body) {
		return fmt.Errorf("%w: got %q, not JSON (an error page?): %s", ErrHTTP, ct, firstWords(string(body[:min(len(body), 200)]), 12))
	}
	return nil
}

// searchPage is one page of documents.json.
type searchPage struct {
	Count       *int           `json:"count"`
	Description string         `json:"description"`
	TotalPages  int            `json:"total_pages"`
	NextPageURL string         `json:"next_page_url"`
	Results     []DocumentMeta `json:"results"`
}

// errWindowTooLarge reports a search window the API cannot page through.
var errWindowTooLarge = errors.New("window holds more results than the API pages through")

// Search returns every BIS rule that cites 15 CFR part 744 published in
// [from, to], oldest first: documents.json with
// conditions[agencies][]=industry-and-security-bureau,
// conditions[type][]=RULE, conditions[cfr][title]=15,
// conditions[cfr][part]=744, the publication-date window, order=oldest,
// per_page and fields[] for every DocumentMeta field, following
// next_page_url.
//
// The API serves page 1 in silence past page 50 or past 10,000 results,
// and its count stops at 10,000, so a window whose count reaches what can
// be paged through is halved by date, recursively, instead of paged past
// the cap. Every page is checked against what was asked for: a page
// holding documents of an earlier page is ErrPageReset (and the window is
// halved and read again), and a page of the wrong size, a result outside
// the window or out of date order, a changed count, or a next_page_url
// that drops the conditions is ErrInconsistent (a changed count is
// re-read from page 1 twice first). Filter the results with
// TouchesEntityList.
func (c *Client) Search(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error) {
	c.init()
	if c.baseErr != nil {
		return nil, fmt.Errorf("search: %w", c.baseErr)
	}
	if from.IsZero() || to.IsZero() || to.Before(from.Time) {
		return nil, fmt.Errorf("search: bad window %s..%s", from, to)
	}
	docs, err := c.searchWindow(ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("search %s..%s: %w", from, to, err)
	}
	seen := make(map[string]bool, len(docs))
	out := docs[:0]
	for _, d := range docs {
		if !seen[d.DocumentNumber] {
			seen[d.DocumentNumber] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// searchWindow reads one window, halving it when the API cannot page
// through it.
func (c *Client) searchWindow(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error) {
	docs, err := c.searchPages(ctx, from, to)
	if err == nil || !(errors.Is(err, errWindowTooLarge) || errors.Is(err, ErrPageReset)) {
		return docs, err
	}
	days := int(to.Sub(from.Time).Hours() / 24)
	if days < 1 {
		return nil, fmt.Errorf("%s: one day that cannot be sliced further: %w", from, err)
	}
	mid := entitywatch.Date{Time: from.AddDate(0, 0, (days-1)/2)}
	next := entitywatch.Date{Time: mid.AddDate(0, 0, 1)}
	c.logger().Info("slicing search window", "from", from.String(), "to", to.String(), "at", mid.String(), "reason", err.Error())
	left, err := c.searchWindow(ctx, from, mid)
	if err != nil {
		return nil, err
	}
	right, err := c.searchWindow(ctx, next, to)
	if err != nil {
		return nil, err
	}
	return append(left, right...), nil
}

func (c *Client) perPage() int {
	if c.PerPage <= 0 || c.PerPage > 1000 {
		return 1000
	}
	return c.PerPage
}

// searchQuery is the first page's query of a window.
func (c *Client) searchQuery(from, to entitywatch.Date) url.Values {
	q := url.Values{
		"conditions[agencies][]":            {BISAgencySlug},
		"conditions[type][]":                {"RULE"},
		"conditions[cfr][title]":            {"15"},
		"conditions[cfr][part]":             {"744"},
		"conditions[publication_date][gte]": {from.String()},
		"conditions[publication_date][lte]": {to.String()},
		"order":                             {"oldest"},
		"per_page":                          {strconv.Itoa(c.perPage())},
		"fields[]":                          metaFields,
	}
	return q
}

// searchPages pages through one window, re-reading it from page 1 when
// its count changes mid-way (a document published meanwhile).
func (c *Client) searchPages(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error) {
	var err error
	for try := 0; try < 3; try++ {
		var docs []DocumentMeta
		docs, err = c.searchOnce(ctx, from, to)
		if !errors.Is(err, errCountChanged) {
			return docs, err
		}
		c.logger().Info("search count changed while paging; reading the window again", "from", from.String(), "to", to.String())
	}
	return nil, err
}

var errCountChanged = fmt.Errorf("%w: count changed between pages", ErrInconsistent)

func (c *Client) searchOnce(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error) {
	query := c.searchQuery(from, to)
	u := *c.base
	u.Path += "/documents.json"
	u.RawQuery = query.Encode()
	next := u.String()
	per := c.perPage()
	var docs []DocumentMeta
	seen := map[string]int{}
	count := -1
	last := from
	for page := 1; ; page++ {
		var p searchPage
		if err := c.getJSON(ctx, next, &p); err != nil {
			return nil, err
		}
		n := 0
		if p.Count != nil {
			n = *p.Count
		} else if len(p.Results) > 0 {
			return nil, fmt.Errorf("%w: page %d has results but no count", ErrInconsistent, page)
		}
		if page == 1 {
			count = n
			if count >= maxResults || count > maxPage*per {
				return nil, fmt.Errorf("%w: count %d, at most %d readable", errWindowTooLarge, count, min(maxResults-1, maxPage*per))
			}
			if want := (count + per - 1) / per; count > 0 && p.TotalPages != want {
				return nil, fmt.Errorf("%w: %d results in %d pages, want %d pages of %d (per_page not honoured?)", ErrInconsistent, count, p.TotalPages, want, per)
			}
		}
		for _, d := range p.Results {
			if at, ok := seen[d.DocumentNumber]; ok {
				return nil, fmt.Errorf("%w: page %d repeats %s of page %d", ErrPageReset, page, d.DocumentNumber, at)
			}
			seen[d.DocumentNumber] = page
		}
		if n != count {
			return nil, fmt.Errorf("%w: %d then %d", errCountChanged, count, n)
		}
		if want := min(per, count-(page-1)*per); len(p.Results) != want {
			return nil, fmt.Errorf("%w: page %d has %d results, want %d of %d", ErrInconsistent, page, len(p.Results), want, count)
		}
		for _, d := range p.Results {
			pd := d.PublicationDate
			if pd.Before(from.Time) || pd.After(to.Time) {
				return nil, fmt.Errorf("%w: %s published %s, outside the window", ErrInconsistent, d.DocumentNumber, pd)
			}
			if pd.Before(last.Time) {
				return nil, fmt.Errorf("%w: %s published %s after one of %s (order=oldest)", ErrInconsistent, d.DocumentNumber, pd, last)
			}
			last = pd
		}
		docs = append(docs, p.Results...)
		if len(docs) >= count {
			return docs, nil
		}
		if p.NextPageURL == "" {
			return nil, fmt.Errorf("%w: no next_page_url after page %d with %d of %d results", ErrInconsistent, page, len(docs), count)
		}
		nu, err := c.checkNextPage(p.NextPageURL, query, page+1)
		if err != nil {
			return nil, err
		}
		next = nu
	}
}

// checkNextPage resolves a next_page_url and checks that it asks for the
// next page with the same conditions on the same host.
func (c *Client) checkNextPage(raw string, query url.Values, page int) (string, error) {
	u, err := c.base.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: next_page_url %q: %w", ErrInconsistent, raw, err)
	}
	if err := c.allowed(u); err != nil {
		return "", fmt.Errorf("next_page_url: %w", err)
	}
	q := u.Query()
	if got := q.Get("page"); got != strconv.Itoa(page) {
		return "", fmt.Errorf("%w: next_page_url asks for page %q, want %d", ErrInconsistent, got, page)
	}
	for k, want := range query {
		if strings.Join(q[k], "\x00") != strings.Join(want, "\x00") {
			return "", fmt.Errorf("%w: next_page_url changes %s from %q to %q", ErrInconsistent, k, want, q[k])
		}
	}
	return u.String(), nil
}

// documentNumber is what a document number may look like: 2025-05427,
// E9-17295, C1-2025-05427.
var documentNumber = regexp.MustCompile(`^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$`)

// Document returns one document's metadata: documents/{number}.json.
func (c *Client) Document(ctx context.Context, number string) (DocumentMeta, error) {
	c.init()
	if c.baseErr != nil {
		return DocumentMeta{}, fmt.Errorf("fetch %s: %w", number, c.baseErr)
	}
	if !documentNumber.MatchString(number) {
		return DocumentMeta{}, fmt.Errorf("fetch %q: not a document number", number)
	}
	u := *c.base
	u.Path += "/documents/" + number + ".json"
	var m DocumentMeta
	if err := c.getJSON(ctx, u.String(), &m); err != nil {
		return DocumentMeta{}, fmt.Errorf("fetch %s: %w", number, err)
	}
	if !strings.EqualFold(m.DocumentNumber, number) {
		return DocumentMeta{}, fmt.Errorf("fetch %s: %w: the API answered with document %q", number, ErrInconsistent, m.DocumentNumber)
	}
	return m, nil
}

// FetchText downloads a document's full text: full_text_xml_url, or
// body_html_url when there is no XML or the XML URL answers 404. It
// returns the bytes exactly as downloaded and their format, "xml" or
// "html". Both URLs are checked before anything is fetched: a URL off
// the FR host is ErrForeignHost. An HTML page served with status 200 for
// the XML URL is refused at once (wrapping entitywatch.ErrNotARule); XML
// cut short (shorter than its Content-Length, or with unclosed elements),
// a 429 (after its Retry-After), a 5xx or a network error is retried,
// and then reported (a cut body wraps entitywatch.ErrMalformed).
func (c *Client) FetchText(ctx context.Context, m DocumentMeta) (raw []byte, format string, err error) {
	c.init()
	num := m.DocumentNumber
	if c.baseErr != nil {
		return nil, "", fmt.Errorf("fetch %s: %w", num, c.baseErr)
	}
	var urls [2]string
	for i, s := range []string{m.FullTextXMLURL, m.BodyHTMLURL} {
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil {
			return nil, "", fmt.Errorf("fetch %s: %w: %q: %w", num, ErrForeignHost, s, err)
		}
		if err := c.allowed(u); err != nil {
			return nil, "", fmt.Errorf("fetch %s: %w", num, err)
		}
		urls[i] = u.String()
	}
	if urls[0] != "" {
		body, err := c.fetch(ctx, urls[0], c.doc, "application/xml, text/xml", checkXML)
		if err == nil {
			return body, "xml", nil
		}
		if !errors.Is(err, ErrNotFound) || urls[1] == "" {
			return nil, "", fmt.Errorf("fetch %s: %w", num, err)
		}
		c.logger().Warn("no full-text XML; falling back to body HTML", "document", num, "err", err)
	}
	if urls[1] == "" {
		return nil, "", fmt.Errorf("fetch %s: %w: no full_text_xml_url or body_html_url", num, ErrNotFound)
	}
	body, err := c.fetch(ctx, urls[1], c.doc, "text/html", checkHTML)
	if err != nil {
		return nil, "", fmt.Errorf("fetch %s: %w", num, err)
	}
	return body, "html", nil
}

// checkXML judges a full-text XML body: an HTML page in its place is
// refused, XML cut short is retried.
func checkXML(resp *http.Response, body []byte) error {
	kind, err := sniff(body)
	if err != nil {
		return err
	}
	if kind != "xml" {
		return fmt.Errorf("%w: %w: got %s (%q), not XML: an error page? %s", ErrHTTP, entitywatch.ErrNotARule,
			kind, resp.Header.Get("Content-Type"), firstWords(string(body[:min(len(body), 200)]), 12))
	}
	if err := xmlComplete(body); err != nil {
		return retryable(fmt.Errorf("%w: %w (%d bytes)", entitywatch.ErrMalformed, err, len(body)))
	}
	return nil
}

// xmlComplete reports XML that ends before its root element closes. Other
// syntax errors are the parser's to report.
func xmlComplete(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			// An error at the very end (an unclosed tag, half a UTF-8
			// sequence) is a cut; one before it is the parser's to report.
			if d.InputOffset() >= int64(len(body))-4 || strings.Contains(err.Error(), "unexpected EOF") {
				return fmt.Errorf("XML cut short: %w", err)
			}
			return nil
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if depth != 0 || roots == 0 {
		return errors.New("XML cut short: the root element never closes")
	}
	return nil
}

// checkHTML refuses an empty body HTML.
func checkHTML(_ *http.Response, body []byte) error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return retryable(fmt.Errorf("%w: empty body HTML", entitywatch.ErrMalformed))
	}
	return nil
}

// inspectionPage is public-inspection-documents/current.json.
type inspectionPage struct {
	Count   *int                  `json:"count"`
	Results []PublicInspectionDoc `json:"results"`
}

// PublicInspection returns every document on the public inspection desk
// today (public-inspection-documents/current.json), unfiltered: the
// caller keeps those TouchesEntityListInspection accepts. A count that
// differs from the number of results is ErrInconsistent.
func (c *Client) PublicInspection(ctx context.Context) ([]PublicInspectionDoc, error) {
	c.init()
	if c.baseErr != nil {
		return nil, fmt.Errorf("public inspection: %w", c.baseErr)
	}
	u := *c.base
	u.Path += "/public-inspection-documents/current.json"
	var p inspectionPage
	if err := c.getJSON(ctx, u.String(), &p); err != nil {
		return nil, fmt.Errorf("public inspection: %w", err)
	}
	if p.Count != nil && *p.Count != len(p.Results) {
		return nil, fmt.Errorf("public inspection: %w: count %d, %d results", ErrInconsistent, *p.Count, len(p.Results))
	}
	return p.Results, nil
}

// validatorCache keeps, per URL, the last response's validators and body
// for conditional requests. It holds at most cacheBytes of bodies,
// dropping the oldest first.
type validatorCache struct {
	mu      sync.Mutex
	entries map[string]cachedResponse
	order   []string
	size    int
}

type cachedResponse struct {
	etag, lastModified string
	body               []byte
}

const cacheBytes = 32 << 20

func (vc *validatorCache) get(u string) (cachedResponse, bool) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	e, ok := vc.entries[u]
	return e, ok
}

func (vc *validatorCache) put(u, etag, lastModified string, body []byte) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if old, ok := vc.entries[u]; ok {
		vc.size -= len(old.body)
		delete(vc.entries, u)
		for i, k := range vc.order {
			if k == u {
				vc.order = append(vc.order[:i], vc.order[i+1:]...)
				break
			}
		}
	}
	if etag == "" && lastModified == "" || len(body) > cacheBytes/4 {
		return
	}
	if vc.entries == nil {
		vc.entries = map[string]cachedResponse{}
	}
	vc.entries[u] = cachedResponse{etag, lastModified, body}
	vc.order = append(vc.order, u)
	vc.size += len(body)
	for vc.size > cacheBytes && len(vc.order) > 0 {
		k := vc.order[0]
		vc.order = vc.order[1:]
		vc.size -= len(vc.entries[k].body)
		delete(vc.entries, k)
	}
}
