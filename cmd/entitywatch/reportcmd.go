package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/report"
	"github.com/entitywatch/entitywatch/store"
)

// reportFormats are the formats of `entitywatch report`, by the file name
// extensions --out infers them from.
var reportFormats = map[string]string{".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".csv": "csv", ".json": "json", ".xlsx": "xlsx"}

// frDocumentURL links to a document on federalregister.gov by number.
const frDocumentURL = "https://www.federalregister.gov/d/"

// runReportCmd runs `entitywatch report`: the Entity List changes of a
// period (an ISO week, by default the last complete one) as Markdown,
// HTML, CSV, JSON or XLSX. (runReport names an ingestion run's summary.)
func runReportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("report", "[--week YYYY-Www | --from YYYY-MM-DD --to YYYY-MM-DD] [--format md|html|csv|json|xlsx] [--out FILE] [--db PATH]", stderr)
	c.register(fs, "")
	week := fs.String("week", "", "ISO week of the report, such as 2025-W13 (default: the last complete week)")
	from := fs.String("from", "", "first effective date of the report (YYYY-MM-DD), with --to")
	to := fs.String("to", "", "last effective date of the report (YYYY-MM-DD), with --from")
	fs.StringVar(&c.format, "format", "", "output format: md, html, csv, json or xlsx (default: from --out's extension, else md)")
	out := fs.String("out", "", "write the report to FILE instead of standard output (required for xlsx)")
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.format == "" {
		c.format = reportFormats[strings.ToLower(filepath.Ext(*out))]
		if c.format == "" {
			c.format = "md"
		}
	}
	if !c.checkFormat(stderr, "report", "md", "html", "csv", "json", "xlsx") {
		return exitUsage
	}
	if c.format == "xlsx" && *out == "" {
		fmt.Fprintln(stderr, "entitywatch report: --format xlsx writes a binary workbook: give --out FILE")
		return exitUsage
	}

	var (
		d1, d2 entitywatch.Date
		label  string
	)
	switch {
	case set["week"] && (set["from"] || set["to"]):
		fmt.Fprintln(stderr, "entitywatch report: give --week or --from and --to, not both")
		return exitUsage
	case set["week"]:
		var err error
		if d1, d2, err = report.ISOWeek(*week); err != nil {
			fmt.Fprintf(stderr, "entitywatch report: --week: %v\n", err)
			return exitUsage
		}
	case set["from"] || set["to"]:
		var err1, err2 error
		d1, err1 = entitywatch.ParseDate(*from)
		d2, err2 = entitywatch.ParseDate(*to)
		if err := errors.Join(err1, err2); err != nil {
			fmt.Fprintf(stderr, "entitywatch report: --from and --to take YYYY-MM-DD dates: %v\n", err)
			return exitUsage
		}
		if d2.Before(d1.Time) {
			fmt.Fprintf(stderr, "entitywatch report: --from %s is after --to %s\n", d1, d2)
			return exitUsage
		}
	default:
		d1, d2, label = report.LastCompleteWeek(time.Now())
	}

	db, ok := openDB(ctx, c.db, true, stderr, "report")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	rules, err := reportRules(ctx, db, d1, d2)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch report: %v\n", err)
		return exitFailed
	}
	rep := report.Build(d1, d2, label, rules, time.Now())
	render := map[string]func(io.Writer) error{"md": rep.Markdown, "html": rep.HTML, "csv": rep.CSV, "json": rep.JSON, "xlsx": rep.XLSX}[c.format]
	if *out == "" {
		if err := render(stdout); err != nil {
			fmt.Fprintf(stderr, "entitywatch report: write: %v\n", err)
			return exitFailed
		}
		return exitOK
	}
	if err := writeFileAtomic(*out, render); err != nil {
		fmt.Fprintf(stderr, "entitywatch report: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "wrote %s: %s (%s), %d changes in %d rules\n", *out, rep.Label, periodText(d1, d2), rep.Totals.Changes, len(rep.Rules))
	return exitOK
}

func periodText(from, to entitywatch.Date) string {
	if from.Equal(to.Time) {
		return from.String()
	}
	return from.String() + " to " + to.String()
}

// reportRules returns the rules applied with an effective date in
// [from, to] as report input: each with its document's title, citation
// and dates, and, for each revision or move whose earlier entry the
// database held, what changed.
func reportRules(ctx context.Context, db *store.DB, from, to entitywatch.Date) ([]report.Rule, error) {
	versions, err := db.VersionsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var rules []report.Rule
	for _, v := range versions {
		if v.Number == "baseline" {
			continue // the list a baseline started from, not a rule
		}
		doc, err := db.Document(ctx, v.Number)
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", v.Number, err)
		}
		r := report.Rule{
			Document: v.Number, Title: doc.Title, Citation: ruleCitation(doc, v),
			URL:       frDocumentURL + v.Number,
			Published: v.Published, Effective: v.Effective,
		}
		if r.Published.IsZero() {
			r.Published = doc.Published
		}
		r.Changes = reportChanges(v)
		rules = append(rules, r)
	}
	return rules, nil
}

// reportChanges returns a version's changes, with what each revision or
// move changed where the version kept the entry as it was before.
func reportChanges(v store.Version) []report.Change {
	before := make(map[string]entitywatch.Listing, len(v.Before))
	for _, l := range v.Before {
		before[l.ID] = l
	}
	movedFrom := map[string]string{}
	for _, l := range v.Touched {
		if l.MovedFrom != "" {
			movedFrom[l.ID] = l.MovedFrom
		}
	}
	out := make([]report.Change, 0, len(v.Changes))
	for _, c := range v.Changes {
		rc := report.Change{Change: c}
		id := c.ID
		if c.Action == entitywatch.Move {
			id = movedFrom[c.ID]
		}
		if old, ok := before[id]; ok && id != "" && (c.Action == entitywatch.Revise || c.Action == entitywatch.Move) {
			for _, f := range diff.Fields(old.Entry, c.Entry) {
				rc.Fields = append(rc.Fields, report.FieldChange{Field: f.Field, Old: f.Old, New: f.New})
			}
		}
		out = append(out, rc)
	}
	return out
}

// ruleCitation is the document's FR citation ("90 FR 14046") as the FR
// API gave it; for a rule read from a file, the citation its own entries
// print ("90 FR [INSERT FR PAGE NUMBER], 3/28/2025").
func ruleCitation(doc *store.Document, v store.Version) string {
	if doc.Citation != "" {
		return doc.Citation
	}
	for _, c := range v.Changes {
		if n := len(c.Citations); n > 0 && (c.Action == entitywatch.Add || c.Action == entitywatch.Revise || c.Action == entitywatch.Move) {
			return c.Citations[n-1]
		}
	}
	return ""
}

// writeFileAtomic writes a file through render: to a temporary file in
// the same directory, renamed into place only when complete, so a failed
// run never leaves half a report.
func writeFileAtomic(path string, render func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = render(f)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
