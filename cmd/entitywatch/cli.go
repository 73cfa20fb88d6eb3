package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/fixtures"
	"github.com/entitywatch/entitywatch/ingest"
)

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1 // a rule not fully accounted for, or another failure
	exitUsage    = 2
	usageSummary = `usage: entitywatch <command> [flags] [args]

commands:
  parse [--format json|text] FILE...   parse Entity List rules (FR XML or body HTML)
  demo                                 parse the bundled fixture rules (no network)
  apply FILE...                        parse rules and apply them to the database, in effective-date order
  snapshot --as-of DATE [--by effective|published]   the whole list as of a date
  history NAME                         every event of the entries named so
  diff --from DATE --to DATE           entries added, removed, revised between two dates
  evidence DOCUMENT_NUMBER             the stored original bytes (SHA-256 on stderr)
  backup FILE                          a consistent copy of the database
  baseline --ecfr-date DATE [--file F] start a fresh database from the eCFR's Supplement No. 4 of that date
  verify --ecfr-date DATE [--file F]   compare the list as of DATE with the eCFR's, printing every difference
  run --once [--source DIR]            one ingestion run from the FR API (or a folder laid out like it)
  daemon [--schedule CRON]             ingestion runs on a schedule until SIGINT/SIGTERM
  backfill --from DATE [--to DATE]     replay history month by month
  alerts list|retry|preview [NUMBER]   the alert outbox; re-queue a failed alert; print one as Block Kit JSON
  report [--week YYYY-Www | --from D --to D] [--format md|html|csv|json|xlsx] [--out FILE]
                                       a period's changes for legal review (default: last complete ISO week)
  serve [--addr 127.0.0.1:8080]        read-only HTTP API and web view (token: $ENTITYWATCH_API_TOKEN)

Store commands take --db PATH (default $ENTITYWATCH_DB or ./entitywatch.db);
read commands take --format json|csv|text.
`
)

// Main runs the entitywatch command line with args (without the program
// name) and returns the process exit status.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageSummary)
		return exitUsage
	}
	switch args[0] {
	case "parse":
		return runParse(ctx, args[1:], stdin, stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "apply":
		return runApply(ctx, args[1:], stdout, stderr)
	case "snapshot":
		return runSnapshot(ctx, args[1:], stdout, stderr)
	case "history":
		return runHistory(ctx, args[1:], stdout, stderr)
	case "diff":
		return runDiff(ctx, args[1:], stdout, stderr)
	case "evidence":
		return runEvidence(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "baseline":
		return runBaseline(ctx, args[1:], stdout, stderr)
	case "verify":
		return runVerify(ctx, args[1:], stdout, stderr)
	case "run":
		return runRun(ctx, args[1:], stdout, stderr)
	case "daemon":
		return runDaemon(ctx, args[1:], stdout, stderr)
	case "backfill":
		return runBackfill(ctx, args[1:], stdout, stderr)
	case "alerts":
		return runAlerts(ctx, args[1:], stdout, stderr)
	case "report":
		return runReportCmd(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageSummary)
		return exitOK
	default:
		fmt.Fprintf(stderr, "entitywatch: unknown command %q\n%s", args[0], usageSummary)
		return exitUsage
	}
}

// parseResult is the JSON contract of `entitywatch parse`: one object per
// file. Field names are checked by acceptance tests; extend, never rename.
type parseResult struct {
	File           string           `json:"file"`
	DocumentNumber string           `json:"document_number"`
	Title          string           `json:"title"`
	EffectiveDate  entitywatch.Date `json:"effective_date"`
	// PublicationDate is what the rule's own citation placeholders say.
	PublicationDate entitywatch.Date          `json:"publication_date"`
	Action          string                    `json:"action,omitempty"`
	RIN             string                    `json:"rin,omitempty"`
	Docket          string                    `json:"docket,omitempty"`
	Format          string                    `json:"format"`
	Corrects        []string                  `json:"corrects,omitempty"`
	SummaryCounts   entitywatch.SummaryCounts `json:"summary_counts"`
	Changes         []entitywatch.Change      `json:"changes"`
	Warnings        []string                  `json:"warnings"`
	Error           string                    `json:"error,omitempty"`
}

func newParseResult(file string, r *entitywatch.Rule) parseResult {
	out := parseResult{
		File: file, DocumentNumber: r.DocumentNumber, Title: r.Title, EffectiveDate: r.EffectiveDate, PublicationDate: r.PublicationDate,
		Action: r.Action, RIN: r.RIN, Docket: r.Docket,
		Format: r.Format, Corrects: r.Corrects, SummaryCounts: r.SummaryCounts, Changes: r.Changes, Warnings: r.Warnings,
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	if out.Changes == nil {
		out.Changes = []entitywatch.Change{}
	}
	for i := range out.Changes {
		// The instruction text is long; the Source columns are the evidence.
		out.Changes[i].Instruction = ""
	}
	return out
}

func runParse(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("parse", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "json", "output format: json or text")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: entitywatch parse [--format json|text] FILE... (- reads standard input)")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return exitUsage
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(stderr, "entitywatch parse: --format must be json or text, not %q\n", *format)
		return exitUsage
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return exitUsage
	}
	status := exitOK
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	for _, name := range fl.Args() {
		rule, err := parseFile(name, stdin)
		if err != nil {
			status = exitFailed
			fmt.Fprintf(stderr, "entitywatch parse: %s: %v\n", name, err)
			if *format == "json" {
				_ = enc.Encode(parseResult{File: name, Changes: []entitywatch.Change{}, Warnings: []string{}, Error: err.Error()})
			}
			continue
		}
		res := newParseResult(name, rule)
		if *format == "json" {
			if err := enc.Encode(res); err != nil {
				fmt.Fprintf(stderr, "entitywatch parse: write: %v\n", err)
				return exitFailed
			}
			continue
		}
		writeText(stdout, res)
	}
	return status
}

func parseFile(name string, stdin io.Reader) (*entitywatch.Rule, error) {
	if name == "-" {
		return ingest.ParseRule(stdin)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ingest.ParseRule(f)
}

// writeText prints a parse result for people: changes grouped by
// destination.
func writeText(w io.Writer, r parseResult) {
	fmt.Fprintf(w, "%s  %s\n", r.DocumentNumber, r.Title)
	fmt.Fprintf(w, "  effective %s, %d changes\n", r.EffectiveDate, len(r.Changes))
	byCountry := map[string][]entitywatch.Change{}
	var countries []string
	for _, c := range r.Changes {
		if _, ok := byCountry[c.Country]; !ok {
			countries = append(countries, c.Country)
		}
		byCountry[c.Country] = append(byCountry[c.Country], c)
	}
	sort.Strings(countries)
	for _, country := range countries {
		fmt.Fprintf(w, "  %s (%s)\n", country, byCountry[country][0].CountryCode)
		for _, c := range byCountry[country] {
			fmt.Fprintf(w, "    %-6s %s\n", c.Action, c.Name)
			if len(c.Aliases) > 0 {
				fmt.Fprintf(w, "           a.k.a. %s\n", strings.Join(c.Aliases, "; "))
			}
			for _, a := range c.Addresses {
				fmt.Fprintf(w, "           %s\n", a)
			}
			if c.FromCountry != "" {
				fmt.Fprintf(w, "           moved from %s\n", c.FromCountry)
			}
		}
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
}

// runDemo parses the rules bundled in the binary: the README's first
// command, which needs no network and no database.
func runDemo(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: entitywatch demo")
		return exitUsage
	}
	names, err := fs.Glob(fixtures.FS, "federalregister/*.xml")
	if err != nil || len(names) == 0 {
		fmt.Fprintf(stderr, "entitywatch demo: no bundled fixtures: %v\n", err)
		return exitFailed
	}
	status := exitOK
	for _, name := range names {
		f, err := fixtures.FS.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "entitywatch demo: %s: %v\n", name, err)
			status = exitFailed
			continue
		}
		rule, err := ingest.ParseRule(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "entitywatch demo: %s: %v\n", path.Base(name), err)
			status = exitFailed
			var pe *ingest.Error
			_ = errors.As(err, &pe)
			continue
		}
		writeText(stdout, newParseResult(name, rule))
		fmt.Fprintln(stdout)
	}
	return status
}
