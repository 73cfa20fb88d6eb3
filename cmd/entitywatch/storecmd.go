package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/store"
	"github.com/entitywatch/entitywatch/web"
)

func openDB(ctx context.Context, path string, readOnly bool, stderr io.Writer, cmd string) (*store.DB, bool) {
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(stderr, "entitywatch %s: %s: no database (apply rules or import a baseline first): %v\n", cmd, path, err)
			return nil, false
		}
	}
	db, err := store.Open(ctx, path, store.Options{ReadOnly: readOnly})
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch %s: %v\n", cmd, err)
		return nil, false
	}
	return db, true
}

// loaded is a rule file read for apply.
type loaded struct {
	file string
	raw  []byte
	rule *entitywatch.Rule
	err  error
}

func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("apply", "[--db PATH] [--effective YYYY-MM-DD] FILE...", stderr)
	c.register(fs, "")
	effective := fs.String("effective", "", "effective date for rules whose DATES section names none (after checking it)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(files) == 0 {
		fs.Usage()
		return exitUsage
	}
	var override entitywatch.Date
	if *effective != "" {
		if override, err = entitywatch.ParseDate(*effective); err != nil {
			fmt.Fprintf(stderr, "entitywatch apply: --effective %q: want YYYY-MM-DD\n", *effective)
			return exitUsage
		}
	}
	var rules []loaded
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "entitywatch apply: %v\n", err)
			return exitFailed
		}
		r, perr := ingest.ParseRule(bytes.NewReader(raw))
		if perr == nil && r.EffectiveDate.IsZero() && !override.IsZero() {
			r.EffectiveDate = override
			r.Warnings = append(r.Warnings, "effective date "+override.String()+" given with --effective")
		}
		rules = append(rules, loaded{file: f, raw: raw, rule: r, err: perr})
	}
	// Effective-date order, then publication date, then number; files
	// that did not parse go last.
	slices.SortStableFunc(rules, func(a, b loaded) int {
		if (a.err == nil) != (b.err == nil) {
			if a.err == nil {
				return -1
			}
			return 1
		}
		if a.err != nil {
			return 0
		}
		return cmp.Or(a.rule.EffectiveDate.Compare(b.rule.EffectiveDate.Time), a.rule.PublicationDate.Compare(b.rule.PublicationDate.Time), strings.Compare(a.rule.DocumentNumber, b.rule.DocumentNumber))
	})
	db, ok := openDB(ctx, c.db, false, stderr, "apply")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	status := exitOK
	for _, l := range rules {
		number := documentNumber(l)
		doc := store.Document{Number: number, Source: l.file}
		if l.err != nil {
			status = exitFailed
			if err := db.Quarantine(ctx, doc, l.raw, l.err.Error()); err != nil {
				fmt.Fprintf(stderr, "entitywatch apply: %s: %v\n", l.file, err)
				continue
			}
			fmt.Fprintf(stderr, "entitywatch apply: %s: QUARANTINED %s: %v\n", l.file, number, l.err)
			continue
		}
		doc.Published, doc.Format = l.rule.PublicationDate, l.rule.Format
		res, err := db.Apply(ctx, doc, l.raw, l.rule, differ{})
		if err != nil {
			status = exitFailed
			fmt.Fprintf(stderr, "entitywatch apply: %s: %v\n", l.file, err)
			continue
		}
		switch {
		case res.Noop:
			fmt.Fprintf(stdout, "%s: %s already applied, nothing to do\n", l.file, number)
		case res.Status == store.Applied:
			fmt.Fprintf(stdout, "%s: applied %s (effective %s): %d changes", l.file, number, l.rule.EffectiveDate, len(res.Changes))
			if res.Recomputed > 0 {
				fmt.Fprintf(stdout, ", %d later rules recomputed", res.Recomputed)
			}
			fmt.Fprintln(stdout)
			for _, w := range res.Warnings {
				fmt.Fprintf(stderr, "entitywatch apply: %s: warning: %s\n", number, w)
			}
		case res.Status == store.BeforeBaseline:
			fmt.Fprintf(stdout, "%s: %s %s; stored as evidence, not applied\n", l.file, number, res.Reason)
		default:
			status = exitFailed
			fmt.Fprintf(stderr, "entitywatch apply: %s: QUARANTINED %s: %s\n", l.file, number, res.Reason)
		}
	}
	return status
}

// documentNumber names a document: by its FR Doc. line, or by its file.
func documentNumber(l loaded) string {
	if l.rule != nil && l.rule.DocumentNumber != "" {
		return l.rule.DocumentNumber
	}
	base := filepath.Base(l.file)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// parseBy reads a --by flag: the date a point-in-time query goes by.
func parseBy(stderr io.Writer, cmd, s string) (store.By, bool) {
	switch by := store.By(s); by {
	case store.ByEffective, store.ByPublished:
		return by, true
	}
	fmt.Fprintf(stderr, "entitywatch %s: --by must be effective or published, not %q\n", cmd, s)
	return "", false
}

func runSnapshot(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("snapshot", "--as-of YYYY-MM-DD [--by effective|published] [--format json|csv|text] [--db PATH]", stderr)
	c.register(fs, "json, csv or text")
	asOf := fs.String("as-of", "", "date of the list (YYYY-MM-DD)")
	by := fs.String("by", "effective", "date the rules count by: effective or published")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	if !c.checkFormat(stderr, "snapshot", "json", "csv", "text") {
		return exitUsage
	}
	d, err := entitywatch.ParseDate(*asOf)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch snapshot: --as-of %q: want YYYY-MM-DD\n", *asOf)
		return exitUsage
	}
	byDate, ok := parseBy(stderr, "snapshot", *by)
	if !ok {
		return exitUsage
	}
	db, ok := openDB(ctx, c.db, true, stderr, "snapshot")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	list, err := db.Snapshot(ctx, d, byDate, differ{})
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch snapshot: %v\n", err)
		return exitFailed
	}
	entries := []web.SnapshotEntry{}
	for _, l := range list.Listings {
		if !l.Removed {
			entries = append(entries, web.NewSnapshotEntry(&l))
		}
	}
	slices.SortFunc(entries, func(a, b web.SnapshotEntry) int {
		return cmp.Or(strings.Compare(a.CountryCode, b.CountryCode), strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	switch c.format {
	case "json":
		return writeJSON(stdout, stderr, struct {
			AsOf     entitywatch.Date    `json:"as_of"`
			By       string              `json:"by"`
			Complete bool                `json:"complete"`
			Entries  []web.SnapshotEntry `json:"entries"`
		}{d, *by, list.Complete, entries})
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"id", "country", "country_code", "name", "aliases", "addresses", "license_requirement", "license_review_policy", "citations", "listed_since", "document_number"})
		for _, e := range entries {
			_ = w.Write([]string{e.ID, e.Country, e.CountryCode, e.Name, strings.Join(e.Aliases, "; "), strings.Join(e.Addresses, "; "), e.LicenseRequirement, e.LicenseReviewPolicy, strings.Join(e.Citations, "; "), e.ListedSince.String(), e.DocumentNumber})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fmt.Fprintf(stderr, "entitywatch snapshot: %v\n", err)
			return exitFailed
		}
	default:
		completeness := "partial: holds only what the applied rules printed"
		if list.Complete {
			completeness = "complete: from a baseline"
		}
		fmt.Fprintf(stdout, "Entity List as of %s (by %s date; %s): %d entries\n", d, *by, completeness, len(entries))
		country := ""
		for _, e := range entries {
			if e.Country != country {
				country = e.Country
				fmt.Fprintf(stdout, "\n%s (%s)\n", e.Country, e.CountryCode)
			}
			since := ""
			if !e.ListedSince.IsZero() {
				since = fmt.Sprintf(" (listed %s by %s)", e.ListedSince, e.DocumentNumber)
			}
			fmt.Fprintf(stdout, "  %s%s\n", e.Name, since)
		}
	}
	return exitOK
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "entitywatch: write: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// historyEntry is the JSON contract of `entitywatch history`.
type historyEntry struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Country     string         `json:"country"`
	CountryCode string         `json:"country_code"`
	Aliases     []string       `json:"aliases"`
	OnList      bool           `json:"on_list"`
	Events      []historyEvent `json:"events"`
}

type historyEvent struct {
	Action          entitywatch.Action `json:"action"`
	EffectiveDate   entitywatch.Date   `json:"effective_date"`
	PublicationDate entitywatch.Date   `json:"publication_date"`
	DocumentNumber  string             `json:"document_number"`
	Citation        string             `json:"citation"`
	ChangedFields   []string           `json:"changed_fields"`
}

func runHistory(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("history", "NAME [--format json|csv|text] [--db PATH]", stderr)
	c.register(fs, "json, csv or text")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) == 0 {
		fs.Usage()
		return exitUsage
	}
	if !c.checkFormat(stderr, "history", "json", "csv", "text") {
		return exitUsage
	}
	db, ok := openDB(ctx, c.db, true, stderr, "history")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	hist, err := db.History(ctx, strings.Join(pos, " "))
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch history: %v\n", err)
		return exitFailed
	}
	out := []historyEntry{}
	for _, h := range hist {
		he := historyEntry{ID: h.Listing.ID, Name: h.Listing.Name, Country: h.Listing.Country, CountryCode: h.Listing.CountryCode, Aliases: nonNil(h.Listing.Aliases), OnList: !h.Listing.Removed, Events: []historyEvent{}}
		for _, e := range h.Events {
			he.Events = append(he.Events, historyEvent{Action: e.Action, EffectiveDate: e.Effective, PublicationDate: e.Published, DocumentNumber: e.Number, Citation: e.Citation, ChangedFields: nonNil(e.ChangedFields)})
		}
		out = append(out, he)
	}
	status := exitOK
	if len(out) == 0 {
		// Like grep: no match is exit status 1, with the empty answer.
		status = exitFailed
	}
	switch c.format {
	case "json":
		if writeJSON(stdout, stderr, struct {
			Entries []historyEntry `json:"entries"`
		}{out}) != exitOK {
			return exitFailed
		}
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"id", "name", "country", "action", "effective_date", "publication_date", "document_number", "citation", "changed_fields"})
		for _, h := range out {
			for _, e := range h.Events {
				_ = w.Write([]string{h.ID, h.Name, h.Country, string(e.Action), e.EffectiveDate.String(), e.PublicationDate.String(), e.DocumentNumber, e.Citation, strings.Join(e.ChangedFields, "; ")})
			}
		}
		w.Flush()
	default:
		if len(out) == 0 {
			fmt.Fprintf(stdout, "no entry named like %q\n", strings.Join(pos, " "))
		}
		for _, h := range out {
			state := "on the list"
			if !h.OnList {
				state = "removed"
			}
			fmt.Fprintf(stdout, "%s — %s (%s) [%s]\n", h.Name, h.Country, h.ID, state)
			for _, e := range h.Events {
				fields := ""
				if len(e.ChangedFields) > 0 {
					fields = " (" + strings.Join(e.ChangedFields, ", ") + ")"
				}
				fmt.Fprintf(stdout, "  %s  %-8s %s  %s%s\n", e.EffectiveDate, e.Action, e.DocumentNumber, e.Citation, fields)
			}
		}
	}
	return status
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("diff", "--from YYYY-MM-DD --to YYYY-MM-DD [--by effective|published] [--format json|csv|text] [--db PATH]", stderr)
	c.register(fs, "json, csv or text")
	from := fs.String("from", "", "earlier date (YYYY-MM-DD)")
	to := fs.String("to", "", "later date (YYYY-MM-DD)")
	by := fs.String("by", "effective", "date the rules count by: effective or published")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	if !c.checkFormat(stderr, "diff", "json", "csv", "text") {
		return exitUsage
	}
	d1, err1 := entitywatch.ParseDate(*from)
	d2, err2 := entitywatch.ParseDate(*to)
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintf(stderr, "entitywatch diff: --from and --to take YYYY-MM-DD dates: %v\n", err)
		return exitUsage
	}
	byDate, ok := parseBy(stderr, "diff", *by)
	if !ok {
		return exitUsage
	}
	db, ok := openDB(ctx, c.db, true, stderr, "diff")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	delta, err := compareDates(ctx, db, d1, d2, byDate)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch diff: %v\n", err)
		return exitFailed
	}
	return writeDelta(stdout, stderr, c.format, d1, d2, delta)
}

// compareDates is how the list changed from one date to another: the
// two snapshots compared by diff.Compare. The CLI and the web API share it.
func compareDates(ctx context.Context, db *store.DB, from, to entitywatch.Date, by store.By) (diff.Delta, error) {
	var states [2]diff.State
	for i, d := range []entitywatch.Date{from, to} {
		l, err := db.Snapshot(ctx, d, by, differ{})
		if err != nil {
			return diff.Delta{}, err
		}
		if states[i], err = toState(l); err != nil {
			return diff.Delta{}, err
		}
	}
	return diff.Compare(states[0], states[1]), nil
}

// movedFrom is the destination a revision's entry left, when it moved.
func movedFrom(r diff.Revision) string {
	if r.Old.CountryCode != "" && r.Old.CountryCode != r.New.CountryCode {
		return r.Old.Country
	}
	return ""
}

// deltaJSON is the JSON of `entitywatch diff`.
type deltaJSON struct {
	From    entitywatch.Date    `json:"from"`
	To      entitywatch.Date    `json:"to"`
	Added   []web.SnapshotEntry `json:"added"`
	Removed []web.SnapshotEntry `json:"removed"`
	Revised []revisionJSON      `json:"revised"`
	Moved   []revisionJSON      `json:"moved"`
}

type revisionJSON struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	Country        string             `json:"country"`
	CountryCode    string             `json:"country_code"`
	FromCountry    string             `json:"from_country,omitempty"`
	DocumentNumber string             `json:"document_number"`
	ChangedFields  []string           `json:"changed_fields"`
	Changes        []diff.FieldChange `json:"changes"`
}

func toRevision(r diff.Revision) revisionJSON {
	out := revisionJSON{ID: r.New.ID, Name: r.New.Name, Country: r.New.Country, CountryCode: r.New.CountryCode, DocumentNumber: r.New.ChangedBy, ChangedFields: []string{}, Changes: r.Fields}
	if out.Changes == nil {
		out.Changes = []diff.FieldChange{}
	}
	out.FromCountry = movedFrom(r)
	for _, f := range r.Fields {
		out.ChangedFields = append(out.ChangedFields, f.Field)
	}
	return out
}

func writeDelta(stdout, stderr io.Writer, format string, from, to entitywatch.Date, d diff.Delta) int {
	out := deltaJSON{From: from, To: to, Added: []web.SnapshotEntry{}, Removed: []web.SnapshotEntry{}, Revised: []revisionJSON{}, Moved: []revisionJSON{}}
	for _, r := range d.Added {
		out.Added = append(out.Added, web.NewSnapshotEntry(&r))
	}
	for _, r := range d.Removed {
		e := web.NewSnapshotEntry(&r)
		out.Removed = append(out.Removed, e)
	}
	for _, r := range d.Revised {
		out.Revised = append(out.Revised, toRevision(r))
	}
	for _, r := range d.Moved {
		out.Moved = append(out.Moved, toRevision(r))
	}
	switch format {
	case "json":
		return writeJSON(stdout, stderr, out)
	case "csv":
		w := csv.NewWriter(stdout)
		_ = w.Write([]string{"change", "id", "country", "name", "fields", "document_number"})
		for _, e := range out.Added {
			_ = w.Write([]string{"added", e.ID, e.Country, e.Name, "", e.DocumentNumber})
		}
		for _, e := range out.Removed {
			_ = w.Write([]string{"removed", e.ID, e.Country, e.Name, "", e.LastChangedBy})
		}
		for _, r := range out.Revised {
			_ = w.Write([]string{"revised", r.ID, r.Country, r.Name, strings.Join(r.ChangedFields, "; "), r.DocumentNumber})
		}
		for _, r := range out.Moved {
			_ = w.Write([]string{"moved", r.ID, r.Country, r.Name, "from " + r.FromCountry, r.DocumentNumber})
		}
		w.Flush()
	default:
		fmt.Fprintf(stdout, "Entity List changes from %s to %s: %d added, %d removed, %d revised, %d moved\n", from, to, len(out.Added), len(out.Removed), len(out.Revised), len(out.Moved))
		for _, e := range out.Added {
			fmt.Fprintf(stdout, "  + %s — %s (%s)\n", e.Name, e.Country, e.DocumentNumber)
		}
		for _, e := range out.Removed {
			fmt.Fprintf(stdout, "  - %s — %s\n", e.Name, e.Country)
		}
		for _, r := range out.Revised {
			fmt.Fprintf(stdout, "  ~ %s — %s: %s (%s)\n", r.Name, r.Country, strings.Join(r.ChangedFields, ", "), r.DocumentNumber)
			for _, f := range r.Changes {
				fmt.Fprintf(stdout, "      %s: %s -> %s\n", f.Field, strings.Join(f.Old, "; "), strings.Join(f.New, "; "))
			}
		}
		for _, r := range out.Moved {
			fmt.Fprintf(stdout, "  > %s — from %s to %s (%s)\n", r.Name, r.FromCountry, r.Country, r.DocumentNumber)
		}
	}
	return exitOK
}

func runEvidence(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	db, arg, code := openWithArg(ctx, "evidence", "DOCUMENT_NUMBER [--db PATH]", args, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	pos := []string{arg}
	raw, sum, err := db.Evidence(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch evidence: %v\n", err)
		return exitFailed
	}
	if _, err := stdout.Write(raw); err != nil {
		fmt.Fprintf(stderr, "entitywatch evidence: write: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stderr, "sha256 %s  %s (%d bytes)\n", sum, pos[0], len(raw))
	return exitOK
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	db, arg, code := openWithArg(ctx, "backup", "FILE [--db PATH]", args, stderr)
	if db == nil {
		return code
	}
	defer db.Close()
	c := common{db: db.Path()}
	pos := []string{arg}
	tmp := pos[0] + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch backup: %v\n", err)
		return exitFailed
	}
	n, err := db.Backup(ctx, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, pos[0])
	}
	if err != nil {
		os.Remove(tmp)
		fmt.Fprintf(stderr, "entitywatch backup: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes), a consistent copy of %s\n", pos[0], n, c.db)
	return exitOK
}

// openWithArg parses a read command that takes one argument and --db,
// and opens the database read-only. On failure db is nil and code is the
// exit status.
func openWithArg(ctx context.Context, name, usage string, args []string, stderr io.Writer) (db *store.DB, arg string, code int) {
	var c common
	fs := newFlagSet(name, usage, stderr)
	c.register(fs, "")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, "", exitUsage
	}
	if len(pos) != 1 {
		fs.Usage()
		return nil, "", exitUsage
	}
	db, ok := openDB(ctx, c.db, true, stderr, name)
	if !ok {
		return nil, "", exitFailed
	}
	return db, pos[0], exitOK
}
