package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/entitywatch/entitywatch"
)

// Options configure a Server.
type Options struct {
	// Token, when set, is the bearer token every API request and page
	// must carry (Authorization: Bearer TOKEN, or the cookie the sign-in
	// page sets). /healthz and /metrics stay open. The token is never
	// logged.
	Token string
	// Report renders weekly reports; nil answers report requests with 404.
	Report ReportFunc
	// Now returns the current time (the default as-of date is its UTC
	// date); nil means time.Now.
	Now func() time.Time
	// Logger receives request logs and the errors behind 500 answers; nil
	// means slog.Default().
	Logger *slog.Logger
	// Registry receives the server's metrics and is what /metrics
	// exposes; nil means a new registry with the Go and process
	// collectors. Use one Server per Registry.
	Registry *prometheus.Registry
	// IndexTTL is how long a snapshot and its search index are reused
	// before the store is asked again; 0 means one minute, a negative
	// value turns the cache off.
	IndexTTL time.Duration
}

// Server answers the HTTP API and serves the web view over a Store.
type Server struct {
	store   Store
	report  ReportFunc
	now     func() time.Time
	log     *slog.Logger
	reg     *prometheus.Registry
	latency *prometheus.HistogramVec
	cache   *snapshotCache
	docs    docsMemo
	pages   map[string]*template.Template
	mux     *http.ServeMux
	// tokenSum and sessionSum are hashes of the token and of the session
	// cookie's value; empty when no token is set.
	tokenSum   []byte
	sessionSum []byte
	session    string
}

// The errors statusOf maps besides ErrInvalid and ErrNotFound.
var (
	errUnauthorized = errors.New("unauthorized: send the API token as Authorization: Bearer TOKEN")
	errUnavailable  = errors.New("unavailable")
)

// sessionCookie is the cookie the sign-in page sets.
const sessionCookie = "entitywatch_session"

// NewServer returns a Server reading s.
func NewServer(s Store, opts Options) *Server {
	srv := &Server{store: s, report: opts.Report, now: opts.Now, log: opts.Logger, reg: opts.Registry}
	if srv.now == nil {
		srv.now = time.Now
	}
	if srv.log == nil {
		srv.log = slog.Default()
	}
	if srv.reg == nil {
		srv.reg = prometheus.NewRegistry()
		srv.register(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	ttl := opts.IndexTTL
	if ttl == 0 {
		ttl = time.Minute
	}
	srv.cache = newSnapshotCache(ttl, 4, srv.now)
	if opts.Token != "" {
		sum := sha256.Sum256([]byte(opts.Token))
		srv.tokenSum = sum[:]
		// The cookie holds a hash of the token, not the token.
		cookie := sha256.Sum256([]byte("entitywatch session\x00" + opts.Token))
		srv.session = hex.EncodeToString(cookie[:])
		ssum := sha256.Sum256([]byte(srv.session))
		srv.sessionSum = ssum[:]
	}
	srv.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "entitywatch_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route, method and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method", "code"})
	srv.register(srv.latency, storeCollector{srv})
	srv.pages = parsePages()
	srv.routes()
	return srv
}

func (s *Server) register(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := s.reg.Register(c); err != nil {
			s.log.Error("metrics: register collector", "err", err)
		}
	}
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		s.mux.ServeHTTP(w, r)
	})
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	routes := map[string]handlerFunc{
		"GET /api/v1/snapshot":               s.apiSnapshot,
		"GET /api/v1/entries":                s.apiSearch,
		"GET /api/v1/entries/{id...}":        s.apiEntry,
		"GET /api/v1/changes":                s.apiChanges,
		"GET /api/v1/documents":              s.apiDocuments,
		"GET /api/v1/documents/{number}":     s.apiDocument,
		"GET /api/v1/documents/{number}/raw": s.apiRaw,
		"GET /api/v1/report":                 s.apiReport,
		"GET /api/":                          s.apiNotFound,
		"GET /healthz":                       s.healthz,
		"GET /{$}":                           s.pageHome,
		"GET /entries/{id...}":               s.pageEntry,
		"GET /documents":                     s.pageDocuments,
		"GET /documents/{number}":            s.pageDocument,
		"GET /report":                        s.pageReport,
		"GET /login":                         s.pageLogin,
		"POST /login":                        s.pageLoginPost,
		"POST /logout":                       s.pageLogout,
		"GET /static/":                       s.static,
		"GET /":                              s.pageNotFound,
	}
	for pattern, h := range routes {
		route := pattern[strings.IndexByte(pattern, ' ')+1:]
		var hh http.Handler
		switch {
		case route == "/healthz":
			hh = s.open(h, false)
		case strings.HasPrefix(route, "/api/"):
			hh = s.protect(h, false)
		case route == "/login" || strings.HasPrefix(route, "/static/") || route == "/logout":
			hh = s.open(h, true)
		default:
			hh = s.protect(h, true)
		}
		s.mux.Handle(pattern, s.instrument(route, hh))
	}
	metrics := promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
	s.mux.Handle("GET /metrics", s.instrument("/metrics", metrics))
}

// handlerFunc is an HTTP handler that returns its error for statusOf to
// map.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// open serves h to anyone; html says whether errors are pages or JSON.
func (s *Server) open(h handlerFunc, html bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err, html)
		}
	})
}

// protect serves h to requests that carry the token, when one is set.
func (s *Server) protect(h handlerFunc, html bool) http.Handler {
	return s.open(func(w http.ResponseWriter, r *http.Request) error {
		if !s.authorized(r) {
			return errUnauthorized
		}
		return h(w, r)
	}, html)
}

// authorized reports whether r carries the token (as a bearer token or
// the session cookie), comparing hashes in constant time.
func (s *Server) authorized(r *http.Request) bool {
	if s.tokenSum == nil {
		return true
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && s.tokenOK(strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		sum := sha256.Sum256([]byte(c.Value))
		return subtle.ConstantTimeCompare(sum[:], s.sessionSum) == 1
	}
	return false
}

// tokenOK reports whether tok is the token, comparing hashes in
// constant time.
func (s *Server) tokenOK(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	return s.tokenSum != nil && subtle.ConstantTimeCompare(sum[:], s.tokenSum) == 1
}

// statusOf maps an error to an HTTP status and the message a client may
// see. It is the one place errors become statuses: bad input 400, not
// found 404, a missing or wrong token 401, a store that cannot answer a
// health check 503, anything else 500 with a generic message (the error
// itself is logged by fail).
func statusOf(err error) (int, string) {
	switch {
	case errors.Is(err, errUnauthorized):
		return http.StatusUnauthorized, errUnauthorized.Error()
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest, err.Error()
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, errUnavailable):
		return http.StatusServiceUnavailable, "service unavailable"
	default:
		return http.StatusInternalServerError, "internal server error"
	}
}

// fail answers a request whose handler returned err: JSON
// {"error": "..."} for the API, an error page for the web view.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, html bool) {
	code, msg := statusOf(err)
	if code >= 500 {
		if r.Context().Err() != nil {
			s.log.Debug("request abandoned by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", err)
		}
	}
	if code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="entitywatch"`)
	}
	if html {
		s.renderError(w, r, code, msg)
		return
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

// statusWriter records the status a handler answers with.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument times h into the latency histogram under route and logs the
// request: method, path, status and duration, never headers or cookies.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		took := time.Since(start)
		s.latency.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Observe(took.Seconds())
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.code, "took", took)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"internal server error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// today returns the current date (UTC).
func (s *Server) today() entitywatch.Date {
	t := s.now().UTC()
	return entitywatch.NewDate(t.Year(), t.Month(), t.Day())
}

// snapshot returns the list as of asOf by by, through the cache.
func (s *Server) snapshot(ctx context.Context, asOf entitywatch.Date, by string) (*snapshot, error) {
	return s.cache.get(ctx, asOf, by, func(ctx context.Context) (entitywatch.List, error) {
		return s.store.Snapshot(ctx, asOf, by)
	})
}
