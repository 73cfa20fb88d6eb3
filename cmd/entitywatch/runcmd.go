package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ=America/New_York on machines without tzdata

	"github.com/robfig/cron/v3"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/notify"
	"github.com/entitywatch/entitywatch/report"
	"github.com/entitywatch/entitywatch/store"
)

// defaultSchedule runs every 5 minutes Monday to Friday 05:00-20:00 New
// York time, and hourly otherwise.
var defaultSchedule = []string{
	"CRON_TZ=America/New_York */5 5-19 * * 1-5",
	"CRON_TZ=America/New_York 0 0-4,20-23 * * 1-5",
	"CRON_TZ=America/New_York 0 * * * 0,6",
}

// runFlags are the flags of run, daemon and backfill.
type runFlags struct {
	common
	notifyFlags
	source   string
	frURL    string
	since    string
	lookback int
}

func (f *runFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
	BoolVar(*bool, string, bool, string)
}) {
	f.notifyFlags.register(fs)
	def := os.Getenv("ENTITYWATCH_DB")
	if def == "" {
		def = "entitywatch.db"
	}
	fs.StringVar(&f.db, "db", def, "database file (default $ENTITYWATCH_DB or ./entitywatch.db)")
	fs.StringVar(&f.source, "source", "", "read a folder laid out like the FR API instead of the network (e.g. fixtures/federalregister)")
	frDef := os.Getenv("ENTITYWATCH_FR_URL")
	if frDef == "" {
		frDef = "https://www.federalregister.gov/api/v1"
	}
	fs.StringVar(&f.frURL, "fr-url", frDef, "Federal Register API base URL (default $ENTITYWATCH_FR_URL or the FR's)")
	fs.StringVar(&f.since, "since", "", "first run: search from this date (YYYY-MM-DD; default the baseline date, else 30 days back)")
	fs.IntVar(&f.lookback, "lookback", 7, "days re-read before the watermark on every run")
}

func (f *runFlags) pipeline(db *store.DB, stdout io.Writer, log *slog.Logger) (*pipeline, error) {
	p := &pipeline{db: db, now: time.Now, lookback: f.lookback, log: log}
	if f.since != "" {
		d, err := entitywatch.ParseDate(f.since)
		if err != nil {
			return nil, fmt.Errorf("--since %q: want YYYY-MM-DD", f.since)
		}
		p.since = d
	}
	if f.lookback < 0 {
		return nil, fmt.Errorf("--lookback must not be negative")
	}
	if f.source != "" {
		if fi, err := os.Stat(f.source); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--source %s: not a folder", f.source)
		}
		p.src = &ingest.DirSource{Dir: f.source}
	} else {
		p.src = &ingest.Client{BaseURL: f.frURL}
	}
	routes, err := f.routes(stdout)
	if err != nil {
		return nil, err
	}
	d := newDispatcher(db, routes, log)
	p.deliver = func(ctx context.Context) error {
		err := d.Deliver(ctx)
		var de *notify.DeliveryError
		if errors.As(err, &de) && de.Permanent {
			// Say so in the next health alert too, once per alert and route.
			_, qerr := db.QueueHealth(ctx, fmt.Sprintf("delivery:%d:%s", de.Seq, de.Route), fmt.Sprintf("alert %d for %s could not be delivered on %s and will not be retried: %v (entitywatch alerts retry %s)", de.Seq, de.Document, de.Route, de.Err, de.Document))
			err = errors.Join(err, qerr)
		}
		return err
	}
	return p, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f runFlags
	fs := newFlagSet("run", "--once [--source DIR | --fr-url URL] [--since DATE] [--lookback DAYS] [--db PATH]", stderr)
	f.register(fs)
	once := fs.Bool("once", false, "do one run and exit (0, or 1 when a rule was quarantined or the source failed)")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	if !*once {
		fmt.Fprintln(stderr, "entitywatch run: use --once (or `entitywatch daemon` to run on a schedule)")
		fs.Usage()
		return exitUsage
	}
	db, ok := openDB(ctx, f.db, false, stderr, "run")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	p, err := f.pipeline(db, stdout, newLogger(stderr))
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch run: %v\n", err)
		return exitUsage
	}
	rep, err := p.runOnce(ctx)
	printReport(stdout, rep)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch run: %v\n", err)
		return exitFailed
	}
	if len(rep.Quarantined) > 0 {
		return exitFailed
	}
	return exitOK
}

func printReport(w io.Writer, rep runReport) {
	fmt.Fprintf(w, "run: searched %s..%s: %d Entity List documents", rep.From, rep.To, rep.Found)
	if rep.Found > 0 && rep.Found == rep.Known && len(rep.Early) == 0 {
		fmt.Fprintf(w, ", all already stored: nothing to do\n")
		return
	}
	fmt.Fprintf(w, ", %d already stored, %d applied, %d quarantined, %d failed to download, %d early warnings\n", rep.Known, len(rep.Applied), len(rep.Quarantined), len(rep.Failed), len(rep.Early))
}

func runBackfill(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f runFlags
	fs := newFlagSet("backfill", "--from YYYY-MM-DD [--to YYYY-MM-DD] [--source DIR | --fr-url URL] [--db PATH]", stderr)
	f.register(fs)
	fromS := fs.String("from", "", "first publication date to replay")
	toS := fs.String("to", "", "last publication date (default today)")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	from, err := entitywatch.ParseDate(*fromS)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch backfill: --from %q: want YYYY-MM-DD\n", *fromS)
		return exitUsage
	}
	to := entitywatch.Date{Time: time.Now().UTC().Truncate(24 * time.Hour)}
	if *toS != "" {
		if to, err = entitywatch.ParseDate(*toS); err != nil {
			fmt.Fprintf(stderr, "entitywatch backfill: --to %q: want YYYY-MM-DD\n", *toS)
			return exitUsage
		}
	}
	db, ok := openDB(ctx, f.db, false, stderr, "backfill")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	p, err := f.pipeline(db, stdout, newLogger(stderr))
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch backfill: %v\n", err)
		return exitUsage
	}
	status := exitOK
	// One month at a time: politely, and so a failure loses little.
	for start := from; !start.After(to.Time); {
		end := entitywatch.Date{Time: start.AddDate(0, 1, -1)}
		if end.After(to.Time) {
			end = to
		}
		rep, err := p.ingest(ctx, start, end)
		printReport(stdout, rep)
		if err != nil {
			fmt.Fprintf(stderr, "entitywatch backfill: %v\n", err)
			status = exitFailed
			if ctx.Err() != nil {
				return status
			}
		}
		if len(rep.Quarantined) > 0 {
			status = exitFailed
		}
		start = entitywatch.Date{Time: end.AddDate(0, 0, 1)}
	}
	return status
}

func runDaemon(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f runFlags
	fs := newFlagSet("daemon", "[--schedule CRON] [--source DIR | --fr-url URL] [--db PATH]", stderr)
	f.register(fs)
	schedule := fs.String("schedule", "", "cron schedule (robfig/cron, CRON_TZ= allowed; default every 5 minutes Mon-Fri 05:00-20:00 New York, hourly otherwise)")
	addr := fs.String("addr", "127.0.0.1:8080", "also serve the web view and API here (empty: do not serve)")
	reportSchedule := fs.String("report-schedule", "CRON_TZ=America/New_York 0 8 * * 1", "when to post last week's report to the alert routes (empty: never)")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	specs := defaultSchedule
	if *schedule != "" {
		specs = []string{*schedule}
	}
	db, ok := openDB(ctx, f.db, false, stderr, "daemon")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	log := newLogger(stderr)
	p, err := f.pipeline(db, stdout, log)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch daemon: %v\n", err)
		return exitUsage
	}
	c, err := newScheduler(ctx, specs, p, log)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch daemon: %v\n", err)
		return exitUsage
	}
	if *reportSchedule != "" {
		if _, err := c.AddFunc(*reportSchedule, func() {
			if err := postWeeklyReport(ctx, p, time.Now()); err != nil {
				log.Error("weekly report not posted", "err", err)
			}
		}); err != nil {
			fmt.Fprintf(stderr, "entitywatch daemon: --report-schedule %q: %v\n", *reportSchedule, err)
			return exitUsage
		}
	}
	// The daemon holds the database read-write, so it serves the API
	// itself: a separate serve could not open the file beside it.
	var hs *http.Server
	var served <-chan error
	if *addr != "" {
		if hs, served, err = startHTTP(ctx, db, *addr, log, stdout); err != nil {
			fmt.Fprintf(stderr, "entitywatch daemon: serve: %v\n", err)
			return exitFailed
		}
	}
	c.Start()
	log.Info("daemon started", "schedule", strings.Join(specs, "; "), "db", f.db)
	status := exitOK
	select {
	case <-ctx.Done():
	case err := <-served:
		log.Error("web server stopped", "err", err)
		status = exitFailed
	}
	log.Info("stopping: waiting for the run in flight")
	<-c.Stop().Done()
	if hs != nil && status == exitOK {
		if err := stopHTTP(ctx, hs, served, log); err != nil {
			log.Error("web server shutdown", "err", err)
			status = exitFailed
		}
	}
	log.Info("stopped")
	return status
}

// newScheduler schedules the pipeline with cron.Recover and
// SkipIfStillRunning; a run that overlaps another is skipped.
func newScheduler(ctx context.Context, specs []string, p *pipeline, log *slog.Logger) (*cron.Cron, error) {
	logger := cron.PrintfLogger(slog.NewLogLogger(log.Handler(), slog.LevelInfo))
	c := cron.New(cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	job := cron.FuncJob(func() {
		rep, err := p.runOnce(ctx)
		checkHealth(ctx, p, log)
		switch {
		case errors.Is(err, entitywatch.ErrAlreadyRunning):
			log.Info("run skipped: another is in progress")
		case err != nil:
			log.Error("run failed", "err", err, "applied", len(rep.Applied), "quarantined", len(rep.Quarantined))
		default:
			log.Info("run done", "found", rep.Found, "applied", len(rep.Applied), "quarantined", len(rep.Quarantined), "early_warnings", len(rep.Early), "took", rep.Queued)
		}
	})
	for _, s := range specs {
		if _, err := c.AddJob(s, job); err != nil {
			return nil, fmt.Errorf("schedule %q: %w", s, err)
		}
	}
	return c, nil
}

// postWeeklyReport queues last complete week's report, as HTML with a
// one-line summary, once per week, and delivers it.
func postWeeklyReport(ctx context.Context, p *pipeline, now time.Time) error {
	from, to, label := report.LastCompleteWeek(now)
	rules, err := reportRules(ctx, p.db, from, to)
	if err != nil {
		return err
	}
	rep := report.Build(from, to, label, rules, now)
	var buf bytes.Buffer
	if err := rep.HTML(&buf); err != nil {
		return fmt.Errorf("report %s: %w", label, err)
	}
	t := rep.Totals
	summary := fmt.Sprintf("%s (%s to %s): %d changes in %d rules: %d added, %d removed, %d revised, %d moved", label, from, to, t.Changes, len(rep.Rules), t.Added, t.Removed, t.Revised, t.Moved)
	queued, err := p.db.QueueReport(ctx, label, store.Alert{Title: "Entity List weekly report " + label, Reason: summary, FileName: "entitywatch-" + label + ".html", FileType: "html", FileContent: buf.Bytes()})
	if err != nil || !queued {
		return err
	}
	if p.deliver != nil {
		return p.deliver(ctx)
	}
	return nil
}

// checkHealth queues a health alert when no run has succeeded for two
// hours, once per hour of silence.
func checkHealth(ctx context.Context, p *pipeline, log *slog.Logger) {
	runs, err := p.db.LastRuns(ctx, 200)
	if err != nil {
		log.Error("health check: cannot read the run log", "err", err)
		return
	}
	if len(runs) == 0 {
		return
	}
	now := p.now()
	var last time.Time
	for _, r := range runs {
		if r.Error == "" {
			last = r.Finished
			break
		}
	}
	if !last.IsZero() && now.Sub(last) < 2*time.Hour {
		return
	}
	since := "ever"
	if !last.IsZero() {
		since = "since " + last.Format(time.RFC3339)
	}
	text := fmt.Sprintf("no successful ingestion run %s; last error: %s", since, runs[0].Error)
	if queued, err := p.db.QueueHealth(ctx, "no-success:"+now.UTC().Format("2006-01-02T15"), text); err != nil {
		log.Error("health alert not queued", "err", err)
	} else if queued {
		log.Error("health: " + text)
		if p.deliver != nil {
			if err := p.deliver(ctx); err != nil {
				log.Error("alert delivery failed; alerts stay queued", "err", err)
			}
		}
	}
}
