package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/notify"
	"github.com/entitywatch/entitywatch/report"
	"github.com/entitywatch/entitywatch/store"
	"github.com/entitywatch/entitywatch/web"
)

// shutdownTimeout bounds how long serve waits for requests in flight when
// it stops.
const shutdownTimeout = 10 * time.Second

// runServe runs `entitywatch serve`: the read-only HTTP API and web view
// over the database, until ctx is cancelled (SIGINT, SIGTERM).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8080] [--db PATH]", stderr)
	c.register(fs, "")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on, host:port (the API token is $ENTITYWATCH_API_TOKEN)")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	// Read-only: bbolt lets read-only openers share the file, but not
	// with a writer (run, daemon, apply, baseline).
	db, ok := openDB(ctx, c.db, true, stderr, "serve")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	log := newLogger(stderr)
	hs, served, err := startHTTP(ctx, db, *addr, log, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch serve: %v\n", err)
		return exitFailed
	}
	select {
	case err := <-served:
		fmt.Fprintf(stderr, "entitywatch serve: %v\n", err)
		return exitFailed
	case <-ctx.Done():
	}
	if err := stopHTTP(ctx, hs, served, log); err != nil {
		fmt.Fprintf(stderr, "entitywatch serve: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// startHTTP serves the API and web view over db on addr until stopped;
// served receives the server's error when it stops by itself.
func startHTTP(ctx context.Context, db *store.DB, addr string, log *slog.Logger, stdout io.Writer) (*http.Server, <-chan error, error) {
	token := os.Getenv("ENTITYWATCH_API_TOKEN")
	srv := web.NewServer(webStore{db}, web.Options{Token: token, Report: reportFunc(db, time.Now), Logger: log})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	if token == "" && !loopback(ln.Addr()) {
		log.Warn("serving without a token on a non-loopback address: anyone who can reach it can read the database; set ENTITYWATCH_API_TOKEN")
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "entitywatch: web view and API listening on http://%s (database %s)\n", ln.Addr(), db.Path())
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	return hs, served, nil
}

// stopHTTP shuts the server down, waiting for requests in flight.
func stopHTTP(ctx context.Context, hs *http.Server, served <-chan error, log *slog.Logger) error {
	log.Info("stopping the web server: waiting for requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("web server stopped")
	return nil
}

func loopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

// webStore adapts the database to web.Store. Snapshots by publication
// date replay rules through diff.Apply; changes compare two snapshots with
// diff.Compare.
type webStore struct{ db *store.DB }

// notFound maps the store's ErrNotFound to the server's.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, web.ErrNotFound)
	}
	return err
}

func (s webStore) Snapshot(ctx context.Context, asOf entitywatch.Date, by string) (entitywatch.List, error) {
	return s.db.Snapshot(ctx, asOf, store.By(by), differ{})
}

// Entry finds the entry by its ID through db.History, which also matches
// names that start like the ID; only the entry with that ID is kept.
func (s webStore) Entry(ctx context.Context, id string) (entitywatch.Listing, []web.Event, error) {
	code, key, ok := strings.Cut(id, "/")
	if !ok || code == "" || diff.Key(key) == "" {
		return entitywatch.Listing{}, nil, fmt.Errorf("entry %s: %w", id, web.ErrNotFound)
	}
	hist, err := s.db.History(ctx, id)
	if err != nil {
		return entitywatch.Listing{}, nil, err
	}
	for _, h := range hist {
		if h.Listing.ID != id || len(h.Events) == 0 && h.Listing.Name == "" {
			continue
		}
		events := make([]web.Event, len(h.Events))
		for i, e := range h.Events {
			events[i] = web.Event{Action: e.Action, EffectiveDate: e.Effective, PublicationDate: e.Published, DocumentNumber: e.Number, Citation: e.Citation, ChangedFields: e.ChangedFields}
			if e.Number == "baseline" {
				// The baseline's evidence is the eCFR copy it was read from.
				events[i].DocumentNumber = "ecfr-" + e.Effective.String()
			}
		}
		return h.Listing, events, nil
	}
	return entitywatch.Listing{}, nil, fmt.Errorf("entry %s: %w", id, web.ErrNotFound)
}

func (s webStore) Changes(ctx context.Context, from, to entitywatch.Date) (web.Changes, error) {
	var c web.Changes
	d, err := compareDates(ctx, s.db, from, to, store.ByEffective)
	if err != nil {
		return c, err
	}
	for _, r := range d.Added {
		c.Added = append(c.Added, entitywatch.Listing(r))
	}
	for _, r := range d.Removed {
		c.Removed = append(c.Removed, entitywatch.Listing(r))
	}
	for _, r := range d.Revised {
		c.Revised = append(c.Revised, webRevision(r))
	}
	for _, r := range d.Moved {
		c.Moved = append(c.Moved, webRevision(r))
	}
	return c, nil
}

func webRevision(r diff.Revision) web.Revision {
	out := web.Revision{ID: r.New.ID, Name: r.New.Name, Country: r.New.Country, CountryCode: r.New.CountryCode, DocumentNumber: r.New.ChangedBy, FromCountry: movedFrom(r)}
	for _, f := range r.Fields {
		out.Fields = append(out.Fields, web.FieldChange(f))
	}
	return out
}

func webDocument(d store.Document) web.Document {
	return web.Document{
		Number: d.Number, Title: d.Title, Citation: d.Citation, Published: d.Published, Effective: d.Effective,
		Status: string(d.Status), Reason: d.Reason, SHA256: d.SHA256, Size: d.Size, Format: d.Format, Source: d.Source, Rule: d.Rule,
	}
}

func countChanges(changes []entitywatch.Change) web.ChangeCounts {
	var n web.ChangeCounts
	for _, c := range changes {
		switch c.Action {
		case entitywatch.Add:
			n.Added++
		case entitywatch.Remove:
			n.Removed++
		case entitywatch.Revise:
			n.Revised++
		case entitywatch.Move:
			n.Moved++
		}
	}
	return n
}

func (s webStore) Documents(ctx context.Context) ([]web.Document, error) {
	docs, err := s.db.Documents(ctx)
	if err != nil {
		return nil, err
	}
	versions, err := s.db.Versions(ctx)
	if err != nil {
		return nil, err
	}
	counts := make(map[string]web.ChangeCounts, len(versions))
	for _, v := range versions {
		counts[v.Number] = countChanges(v.Changes)
	}
	out := make([]web.Document, len(docs))
	for i, d := range docs {
		out[i] = webDocument(d)
		if d.Status == store.Applied {
			out[i].Counts = counts[d.Number]
		}
	}
	return out, nil
}

func (s webStore) Document(ctx context.Context, number string) (web.Document, error) {
	d, err := s.db.Document(ctx, number)
	if err != nil {
		return web.Document{}, notFound(err, "document "+number)
	}
	out := webDocument(*d)
	if d.Status == store.Applied {
		v, err := s.db.AppliedVersion(ctx, number)
		if err != nil {
			return web.Document{}, err
		}
		out.Applied, out.Counts = v.Changes, countChanges(v.Changes)
	}
	return out, nil
}

func (s webStore) Raw(ctx context.Context, number string) ([]byte, string, error) {
	raw, sum, err := s.db.Evidence(ctx, number)
	if err != nil {
		return nil, "", notFound(err, "document "+number)
	}
	return raw, sum, nil
}

// Health reads the run log, the documents and the outbox with its
// per-route delivery log: an alert has failed when a route refused it for
// good, is delivered when settled with every route's record delivered,
// and is queued while not settled. (A settled alert no route wanted
// counts as none of these.)
func (s webStore) Health(ctx context.Context) (web.Health, error) {
	var h web.Health
	runs, err := s.db.LastRuns(ctx, 500)
	if err != nil {
		return h, err
	}
	if len(runs) > 0 {
		h.Runs, h.LastRun, h.LastRunError = int(runs[0].Seq), runs[0].Finished, runs[0].Error
		for _, r := range runs {
			if r.Error == "" {
				h.LastSuccess = r.Finished
				break
			}
		}
	}
	docs, err := s.db.Documents(ctx)
	if err != nil {
		return h, err
	}
	h.Documents = map[string]int{}
	for _, st := range []store.Status{store.Applied, store.Quarantined, store.BeforeBaseline, store.Superseded, store.BaselineDocument} {
		h.Documents[string(st)] = 0
	}
	for _, d := range docs {
		h.Documents[string(d.Status)]++
	}
	alerts, err := s.db.Outbox(ctx)
	if err != nil {
		return h, err
	}
	for _, a := range alerts {
		recs, err := s.db.DeliveryRecords(ctx, a.Seq)
		if err != nil {
			return h, err
		}
		failed, delivered := false, len(recs) > 0
		for _, b := range recs {
			var d notify.Delivery
			if err := json.Unmarshal(b, &d); err != nil {
				return h, fmt.Errorf("delivery record of alert %d: %w", a.Seq, err)
			}
			failed = failed || d.Status == notify.StatusFailed
			delivered = delivered && d.Status == notify.StatusDelivered
		}
		switch {
		case failed:
			h.Alerts.Failed++
		case !a.Settled:
			h.Alerts.Queued++
		case delivered:
			h.Alerts.Delivered++
		}
	}
	return h, nil
}

// reportContentTypes are the content types of the weekly report formats.
var reportContentTypes = map[string]string{
	"html": "text/html; charset=utf-8",
	"md":   "text/markdown; charset=utf-8",
	"csv":  "text/csv; charset=utf-8",
	"json": "application/json",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

// reportFunc renders the weekly report of the database for the server,
// as `entitywatch report --week` does.
func reportFunc(db *store.DB, now func() time.Time) web.ReportFunc {
	return func(ctx context.Context, week, format string) ([]byte, string, error) {
		ctype, ok := reportContentTypes[format]
		if !ok {
			return nil, "", fmt.Errorf("report format %q: %w", format, web.ErrInvalid)
		}
		from, to, err := report.ISOWeek(week)
		if err != nil {
			return nil, "", fmt.Errorf("%v: %w", err, web.ErrInvalid)
		}
		rules, err := reportRules(ctx, db, from, to)
		if err != nil {
			return nil, "", err
		}
		rep := report.Build(from, to, week, rules, now())
		render := map[string]func(io.Writer) error{"md": rep.Markdown, "html": rep.HTML, "csv": rep.CSV, "json": rep.JSON, "xlsx": rep.XLSX}[format]
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			return nil, "", fmt.Errorf("report %s as %s: %w", week, format, err)
		}
		return buf.Bytes(), ctype, nil
	}
}
