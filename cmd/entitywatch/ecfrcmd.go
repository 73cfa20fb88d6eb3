package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/store"
)

// ecfrSource reads the eCFR's Supplement No. 4: from --file, or from the
// versioner API as of --ecfr-date.
type ecfrSource struct {
	date string
	url  string
	file string
}

func (s *ecfrSource) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&s.date, "ecfr-date", "", "date of the eCFR (YYYY-MM-DD)")
	def := os.Getenv("ENTITYWATCH_ECFR_URL")
	if def == "" {
		def = ingest.DefaultECFRURL
	}
	fs.StringVar(&s.url, "ecfr-url", def, "eCFR base URL (default $ENTITYWATCH_ECFR_URL or "+ingest.DefaultECFRURL+")")
	fs.StringVar(&s.file, "file", "", "read a saved eCFR XML file instead of fetching (give its date with --ecfr-date)")
}

// load returns the eCFR's raw bytes, its parsed list and its date.
func (s *ecfrSource) load(ctx context.Context) ([]byte, *ingest.ECFRList, entitywatch.Date, string, error) {
	d, err := entitywatch.ParseDate(s.date)
	if err != nil {
		return nil, nil, d, "", fmt.Errorf("--ecfr-date %q: want YYYY-MM-DD", s.date)
	}
	var raw []byte
	source := s.file
	if s.file != "" {
		raw, err = os.ReadFile(s.file)
	} else {
		c := &ingest.ECFRClient{BaseURL: s.url}
		raw, err = c.FetchPart744(ctx, d)
		source = strings.TrimRight(s.url, "/") + "/api/versioner/v1/full/" + d.String() + "/title-15.xml?part=744"
	}
	if err != nil {
		return nil, nil, d, source, err
	}
	l, err := ingest.ParseECFR(bytes.NewReader(raw))
	if err != nil {
		return raw, nil, d, source, fmt.Errorf("parse %s: %w", source, err)
	}
	return raw, l, d, source, nil
}

func runBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	var src ecfrSource
	fs := newFlagSet("baseline", "--ecfr-date YYYY-MM-DD [--ecfr-url URL | --file F.xml] [--db PATH]", stderr)
	c.register(fs, "")
	src.register(fs)
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	if src.date == "" {
		fmt.Fprintln(stderr, "entitywatch baseline: --ecfr-date is required (the date of the eCFR to start from)")
		return exitUsage
	}
	raw, l, d, source, err := src.load(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch baseline: %v\n", err)
		return exitFailed
	}
	for _, w := range l.Warnings {
		fmt.Fprintf(stderr, "entitywatch baseline: warning: %s\n", w)
	}
	st, err := diff.Baseline(d, l.Entries)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch baseline: %v\n", err)
		return exitFailed
	}
	db, ok := openDB(ctx, c.db, false, stderr, "baseline")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	if err := db.SetBaseline(ctx, fromState(st), source, raw); err != nil {
		fmt.Fprintf(stderr, "entitywatch baseline: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "baseline: %d entries of Supplement No. 4 to part 744 as of %s, from %s (%d warnings)\n", st.Len(), d, source, len(l.Warnings))
	return exitOK
}

// verifyReport is the JSON of `entitywatch verify`.
type verifyReport struct {
	AsOf         entitywatch.Date `json:"as_of"`
	Source       string           `json:"source"`
	Complete     bool             `json:"complete"`
	ECFREntries  int              `json:"ecfr_entries"`
	StoreEntries int              `json:"store_entries"`
	OnlyInECFR   []verifyEntry    `json:"only_in_ecfr"`
	OnlyInStore  []verifyEntry    `json:"only_in_store"`
	Different    []verifyEntry    `json:"different"`
	Warnings     []string         `json:"warnings"`
}

type verifyEntry struct {
	ID          string             `json:"id"`
	Country     string             `json:"country"`
	CountryCode string             `json:"country_code"`
	Name        string             `json:"name"`
	Fields      []diff.FieldChange `json:"fields,omitempty"` // old: the store's, new: the eCFR's
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	var src ecfrSource
	fs := newFlagSet("verify", "--ecfr-date YYYY-MM-DD [--ecfr-url URL | --file F.xml] [--format json|text] [--db PATH]", stderr)
	c.register(fs, "json or text")
	src.register(fs)
	if !parseFlagsOnly(fs, args) {
		return exitUsage
	}
	if !c.checkFormat(stderr, "verify", "json", "text") {
		return exitUsage
	}
	if src.date == "" {
		fmt.Fprintln(stderr, "entitywatch verify: --ecfr-date is required")
		return exitUsage
	}
	db, ok := openDB(ctx, c.db, true, stderr, "verify")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	_, l, d, source, err := src.load(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch verify: %v\n", err)
		return exitFailed
	}
	list, err := db.Snapshot(ctx, d, store.ByEffective, differ{})
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch verify: %v\n", err)
		return exitFailed
	}
	rep := compareWithECFR(d, source, list, l)
	status := exitOK
	if len(rep.OnlyInStore) > 0 || len(rep.Different) > 0 || (rep.Complete && len(rep.OnlyInECFR) > 0) {
		status = exitFailed
	}
	if c.format == "json" {
		if writeJSON(stdout, stderr, rep) != exitOK {
			return exitFailed
		}
		return status
	}
	fmt.Fprintf(stdout, "verify as of %s against %s\n", d, source)
	fmt.Fprintf(stdout, "  store: %d entries (%s); eCFR: %d entries\n", rep.StoreEntries, map[bool]string{true: "complete", false: "partial: no baseline, so entries only in the eCFR are expected"}[rep.Complete], rep.ECFREntries)
	fmt.Fprintf(stdout, "  %d only in the eCFR, %d only in the store, %d different\n", len(rep.OnlyInECFR), len(rep.OnlyInStore), len(rep.Different))
	for _, e := range rep.OnlyInStore {
		fmt.Fprintf(stdout, "  only in store: %s — %s\n", e.Name, e.Country)
	}
	if rep.Complete {
		for _, e := range rep.OnlyInECFR {
			fmt.Fprintf(stdout, "  only in eCFR:  %s — %s\n", e.Name, e.Country)
		}
	}
	for _, e := range rep.Different {
		fmt.Fprintf(stdout, "  different:     %s — %s\n", e.Name, e.Country)
		for _, f := range e.Fields {
			fmt.Fprintf(stdout, "      %s: store %q, eCFR %q\n", f.Field, strings.Join(f.Old, "; "), strings.Join(f.New, "; "))
		}
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stdout, "  warning: %s\n", w)
	}
	return status
}

// compareWithECFR matches the store's list and the eCFR's by destination
// and normalized current name. The eCFR is an editorial compilation:
// differences are reported, never "fixed".
func compareWithECFR(d entitywatch.Date, source string, list entitywatch.List, l *ingest.ECFRList) verifyReport {
	rep := verifyReport{AsOf: d, Source: source, Complete: list.Complete, OnlyInECFR: []verifyEntry{}, OnlyInStore: []verifyEntry{}, Different: []verifyEntry{}, Warnings: l.Warnings}
	if rep.Warnings == nil {
		rep.Warnings = []string{}
	}
	ecfr := map[string]entitywatch.Entry{}
	for _, e := range l.Entries {
		ecfr[diff.ID(e.CountryCode, e.Name)] = e
	}
	rep.ECFREntries = len(ecfr)
	seen := map[string]bool{}
	for _, li := range list.Listings {
		if li.Removed {
			continue
		}
		rep.StoreEntries++
		key := diff.ID(li.CountryCode, li.Name)
		ve := verifyEntry{ID: li.ID, Country: li.Country, CountryCode: li.CountryCode, Name: li.Name}
		e, ok := ecfr[key]
		if !ok {
			rep.OnlyInStore = append(rep.OnlyInStore, ve)
			continue
		}
		seen[key] = true
		var fields []diff.FieldChange
		for _, f := range diff.Fields(li.Entry, e) {
			if f.Field == diff.FieldCitations && citationsAgree(f.Old, f.New) {
				continue
			}
			fields = append(fields, f)
		}
		if len(fields) > 0 {
			ve.Fields = fields
			rep.Different = append(rep.Different, ve)
		}
	}
	for key, e := range ecfr {
		if !seen[key] {
			rep.OnlyInECFR = append(rep.OnlyInECFR, verifyEntry{ID: key, Country: e.Country, CountryCode: e.CountryCode, Name: e.Name})
		}
	}
	for _, s := range [][]verifyEntry{rep.OnlyInECFR, rep.OnlyInStore, rep.Different} {
		slices.SortFunc(s, func(a, b verifyEntry) int {
			return cmp.Or(strings.Compare(a.CountryCode, b.CountryCode), strings.Compare(a.ID, b.ID))
		})
	}
	return rep
}

// citationsAgree reports whether the store's citations (with the rule's
// "[INSERT FR PAGE NUMBER]" placeholders) match the eCFR's printed ones:
// same count, same volumes in order, and every real page the same.
func citationsAgree(store, ecfr []string) bool {
	if len(store) != len(ecfr) {
		return false
	}
	for i := range store {
		if store[i] == ecfr[i] {
			continue
		}
		sv, ev := strings.Fields(store[i]), strings.Fields(ecfr[i])
		if len(sv) < 2 || len(ev) < 2 || sv[0] != ev[0] || !strings.Contains(store[i], "[INSERT FR PAGE NUMBER") {
			return false
		}
	}
	return true
}
