package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/store"
)

// frSource is what the pipeline needs of the Federal Register: the API
// client, or a folder laid out like the API (ingest.DirSource).
type frSource interface {
	Search(ctx context.Context, from, to entitywatch.Date) ([]ingest.DocumentMeta, error)
	FetchText(ctx context.Context, m ingest.DocumentMeta) (raw []byte, format string, err error)
	PublicInspection(ctx context.Context) ([]ingest.PublicInspectionDoc, error)
	FetchInspectionText(ctx context.Context, d ingest.PublicInspectionDoc) ([]byte, error)
}

// pipeline is one ingestion job: search from the watermark, fetch, parse,
// apply in effective-date order, queue alerts, advance the watermark.
type pipeline struct {
	src      frSource
	db       *store.DB
	now      func() time.Time
	since    entitywatch.Date // first run's start, when set
	lookback int              // days re-read before the watermark
	log      *slog.Logger
	deliver  func(ctx context.Context) error
	mu       sync.Mutex
}

// runReport says what one run did.
type runReport struct {
	From, To    entitywatch.Date
	Found       int // Entity List documents in the window
	Known       int // already stored, skipped
	Applied     []string
	Quarantined []string
	Failed      []string // fetch failures, retried next run
	Early       []string // early warnings queued
	Queued      time.Duration
}

// windowStart picks where a run searches from: the watermark less the
// lookback, else --since, else the baseline date, else 30 days back.
func (p *pipeline) windowStart(ctx context.Context) (entitywatch.Date, error) {
	wm, ok, err := p.db.Watermark(ctx)
	if err != nil {
		return wm, err
	}
	if ok {
		return entitywatch.Date{Time: wm.AddDate(0, 0, -p.lookback)}, nil
	}
	if !p.since.IsZero() {
		return p.since, nil
	}
	base, ok, err := p.db.Baseline(ctx)
	if err != nil {
		return base.Date, err
	}
	if ok {
		return base.Date, nil
	}
	t := p.now().UTC()
	return entitywatch.NewDate(t.Year(), t.Month(), t.Day()-30), nil
}

// runOnce does one run. It returns entitywatch.ErrAlreadyRunning when
// another run holds the pipeline.
func (p *pipeline) runOnce(ctx context.Context) (runReport, error) {
	if !p.mu.TryLock() {
		return runReport{}, entitywatch.ErrAlreadyRunning
	}
	defer p.mu.Unlock()
	from, err := p.windowStart(ctx)
	if err != nil {
		return runReport{}, err
	}
	t := p.now().UTC()
	to := entitywatch.NewDate(t.Year(), t.Month(), t.Day())
	return p.ingest(ctx, from, to)
}

// ingest searches [from, to] and processes what it finds.
func (p *pipeline) ingest(ctx context.Context, from, to entitywatch.Date) (runReport, error) {
	started := p.now()
	rep := runReport{From: from, To: to}
	run := store.Run{Started: started.UTC(), From: from.String(), To: to.String()}
	finish := func(err error) (runReport, error) {
		run.Finished = p.now().UTC()
		run.Found, run.New, run.Applied, run.Quarantined = rep.Found, rep.Found-rep.Known, len(rep.Applied), len(rep.Quarantined)
		if err != nil {
			run.Error = err.Error()
		}
		if rerr := p.db.RecordRun(context.WithoutCancel(ctx), run); rerr != nil && err == nil {
			err = rerr
		}
		return rep, err
	}

	metas, err := p.src.Search(ctx, from, to)
	if err != nil {
		return finish(fmt.Errorf("search %s..%s: %w", from, to, err))
	}
	var latest entitywatch.Date
	var firstFailed entitywatch.Date
	type parsed struct {
		meta ingest.DocumentMeta
		raw  []byte
		rule *entitywatch.Rule
	}
	var todo []parsed
	for _, m := range metas {
		if m.PublicationDate.After(latest.Time) {
			latest = m.PublicationDate
		}
		if !ingest.TouchesEntityList(m) {
			continue
		}
		rep.Found++
		if known, err := p.db.Known(ctx, m.DocumentNumber); err != nil {
			return finish(err)
		} else if known {
			rep.Known++
			continue
		}
		if m.CorrectionOf != "" {
			if err := p.db.LinkCorrection(ctx, lastPathSegment(m.CorrectionOf), m.DocumentNumber); err != nil {
				return finish(err)
			}
		}
		raw, format, err := p.src.FetchText(ctx, m)
		if err != nil {
			// Not stored: the next run's lookback window fetches it again.
			p.log.Error("fetch failed; will retry next run", "document", m.DocumentNumber, "err", err)
			rep.Failed = append(rep.Failed, m.DocumentNumber)
			if firstFailed.IsZero() || m.PublicationDate.Before(firstFailed.Time) {
				firstFailed = m.PublicationDate
			}
			continue
		}
		doc := documentOf(m, format)
		rule, err := ingest.ParseRule(bytes.NewReader(raw))
		if err == nil && rule.DocumentNumber != "" && rule.DocumentNumber != m.DocumentNumber {
			err = fmt.Errorf("the text is FR Doc. %s, not %s", rule.DocumentNumber, m.DocumentNumber)
		}
		if err != nil {
			reason := fmt.Sprintf("Entity List rule %s could not be parsed: %v", m.DocumentNumber, err)
			if qerr := p.db.Quarantine(ctx, doc, raw, reason); qerr != nil {
				return finish(qerr)
			}
			p.log.Error("rule quarantined", "document", m.DocumentNumber, "reason", reason)
			rep.Quarantined = append(rep.Quarantined, m.DocumentNumber)
			continue
		}
		fillFromMeta(rule, m, p.log)
		todo = append(todo, parsed{m, raw, rule})
	}
	slices.SortStableFunc(todo, func(a, b parsed) int {
		return cmp.Or(a.rule.EffectiveDate.Compare(b.rule.EffectiveDate.Time), a.meta.PublicationDate.Compare(b.meta.PublicationDate.Time), strings.Compare(a.meta.DocumentNumber, b.meta.DocumentNumber))
	})
	for _, d := range todo {
		doc := documentOf(d.meta, d.rule.Format)
		res, err := p.db.Apply(ctx, doc, d.raw, d.rule, differ{})
		if err != nil {
			return finish(err)
		}
		switch res.Status {
		case store.Applied:
			rep.Applied = append(rep.Applied, d.meta.DocumentNumber)
			for _, w := range res.Warnings {
				p.log.Warn("applied with a warning", "document", d.meta.DocumentNumber, "warning", w)
			}
		case store.Quarantined:
			rep.Quarantined = append(rep.Quarantined, d.meta.DocumentNumber)
			p.log.Error("rule quarantined", "document", d.meta.DocumentNumber, "reason", res.Reason)
		default:
			p.log.Info("rule stored, not applied", "document", d.meta.DocumentNumber, "reason", res.Reason)
		}
	}
	rep.Queued = p.now().Sub(started)

	if pis, err := p.src.PublicInspection(ctx); err != nil {
		p.log.Warn("public inspection unavailable", "err", err)
	} else {
		for _, pi := range pis {
			if !ingest.TouchesEntityListInspection(pi) {
				continue
			}
			ew := store.Alert{Document: pi.DocumentNumber, Title: pi.Title, Filed: pi.FiledAt, Published: pi.PublicationDate, PDFURL: pi.PDFURL}
			known, err := p.db.Known(ctx, pi.DocumentNumber)
			if err != nil {
				return finish(err)
			}
			if !known {
				if text, err := p.src.FetchInspectionText(ctx, pi); err != nil {
					p.log.Warn("public inspection text unavailable; early warning without counts", "document", pi.DocumentNumber, "err", err)
				} else if counts, ok := ingest.InspectionCounts(text); ok {
					ew.Counts = &counts
				}
			}
			queued, err := p.db.EarlyWarning(ctx, ew)
			if err != nil {
				return finish(err)
			}
			if queued {
				rep.Early = append(rep.Early, pi.DocumentNumber)
			}
		}
	}

	// The watermark is the latest publication date seen in the API, held
	// back before any document that failed to download.
	wm := latest
	if !firstFailed.IsZero() {
		wm = entitywatch.Date{Time: firstFailed.AddDate(0, 0, -1)}
	}
	if !wm.IsZero() {
		if err := p.db.AdvanceWatermark(ctx, wm); err != nil {
			return finish(err)
		}
	}
	if p.deliver != nil {
		if err := p.deliver(ctx); err != nil {
			p.log.Error("alert delivery failed; alerts stay queued", "err", err)
		}
	}
	if len(rep.Failed) > 0 {
		return finish(fmt.Errorf("%d documents could not be fetched (%s); the next run retries them", len(rep.Failed), strings.Join(rep.Failed, ", ")))
	}
	return finish(nil)
}

// documentOf is the store's record of an API document.
func documentOf(m ingest.DocumentMeta, format string) store.Document {
	src := m.FullTextXMLURL
	if format == "html" {
		src = m.BodyHTMLURL
	}
	return store.Document{Number: m.DocumentNumber, Title: m.Title, Citation: m.Citation, Published: m.PublicationDate, Effective: m.EffectiveOn, Format: format, Source: src}
}

// fillFromMeta completes a parsed rule from the API metadata: the title
// the body HTML omits, an effective date the DATES section lacks.
func fillFromMeta(r *entitywatch.Rule, m ingest.DocumentMeta, log *slog.Logger) {
	if r.DocumentNumber == "" {
		r.DocumentNumber = m.DocumentNumber
	}
	if r.Title == "" {
		r.Title = m.Title
	}
	if r.EffectiveDate.IsZero() {
		r.EffectiveDate = m.EffectiveOn
	} else if !m.EffectiveOn.IsZero() && !m.EffectiveOn.Equal(r.EffectiveDate.Time) {
		log.Warn("DATES and the API disagree on the effective date; the rule's own DATES prevails", "document", m.DocumentNumber, "dates", r.EffectiveDate, "api", m.EffectiveOn)
	}
	if r.PublicationDate.IsZero() {
		r.PublicationDate = m.PublicationDate
	}
}

func lastPathSegment(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Path != "" {
		u = pu.Path
	}
	return strings.TrimSuffix(path.Base(u), ".json")
}
