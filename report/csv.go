package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// column is one column of the change tables of CSV and XLSX.
type column struct {
	key   string  // CSV header, snake_case
	title string  // XLSX header
	width float64 // XLSX column width, in characters
	date  bool    // XLSX writes it as a date
	get   func(Rule, Change) string
}

// changeColumns are the columns of a change row, one row per change.
var changeColumns = []column{
	{"effective_date", "Effective date", 13, true, func(r Rule, _ Change) string { return r.Effective.String() }},
	{"publication_date", "Published", 13, true, func(r Rule, _ Change) string { return r.Published.String() }},
	{"document_number", "Document", 12, false, func(r Rule, _ Change) string { return r.Document }},
	{"citation", "Citation", 18, false, func(r Rule, _ Change) string { return r.Citation }},
	{"action", "Action", 10, false, func(_ Rule, c Change) string { return string(c.Action) }},
	{"country", "Destination", 24, false, func(_ Rule, c Change) string { return c.Country }},
	{"country_code", "Code", 7, false, func(_ Rule, c Change) string { return c.CountryCode }},
	{"from_country", "Moved from", 16, false, func(_ Rule, c Change) string { return c.FromCountry }},
	{"name", "Name", 40, false, func(_ Rule, c Change) string { return c.Name }},
	{"aliases", "Aliases", 40, false, func(_ Rule, c Change) string { return join(c.Aliases) }},
	{"addresses", "Addresses", 50, false, func(_ Rule, c Change) string { return join(c.Addresses) }},
	{"see_also", "See also", 24, false, func(_ Rule, c Change) string { return join(c.SeeAlso) }},
	{"license_requirement", "License requirement", 30, false, func(_ Rule, c Change) string { return c.LicenseRequirement }},
	{"license_review_policy", "License review policy", 24, false, func(_ Rule, c Change) string { return c.LicenseReviewPolicy }},
	{"citations", "Federal Register citations", 30, false, func(_ Rule, c Change) string { return join(c.Citations) }},
	{"changed_fields", "Changed fields", 18, false, func(_ Rule, c Change) string { return strings.Join(c.ChangedFields, "; ") }},
	{"changes", "What changed (old -> new)", 50, false, func(_ Rule, c Change) string { return fieldsText(c) }},
	{"id", "ID", 24, false, func(_ Rule, c Change) string { return c.ID }},
	{"title", "Rule title", 30, false, func(r Rule, _ Change) string { return r.Title }},
	{"url", "Link", 36, false, func(r Rule, _ Change) string { return r.URL }},
}

// fieldsText writes what a change changed on one line:
// "citations: A -> A; B | aliases: ...", or the note when it is not known.
func fieldsText(c Change) string {
	if len(c.Fields) == 0 {
		return changeNote(c)
	}
	parts := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		parts[i] = f.Field + ": " + orNone(join(f.Old)) + " -> " + orNone(join(f.New))
	}
	return strings.Join(parts, " | ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// CSV writes one row per change, after a header row of snake_case column
// names: effective_date, publication_date, document_number, citation,
// action, country, country_code, from_country, name, aliases, addresses,
// see_also, license_requirement, license_review_policy, citations,
// changed_fields, changes, id, title, url. List values are joined with
// "; "; changes holds "field: old -> new" parts joined with " | ". The
// period and totals are not repeated: they follow from the rows.
func (r Report) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	row := make([]string, len(changeColumns))
	for i, col := range changeColumns {
		row[i] = col.key
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for _, rule := range r.Rules {
		for _, c := range rule.Changes {
			for i, col := range changeColumns {
				row[i] = col.get(rule, c)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
