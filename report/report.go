package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entitywatch/entitywatch"
)

// Rule is one Federal Register rule that took effect in the period, with
// the changes it made to the Entity List.
type Rule struct {
	// Document is the FR document number ("2025-05427").
	Document string
	Title    string
	// Citation is the rule's Federal Register citation ("90 FR 14046"),
	// or the placeholder its entries print until the FR supplies one.
	Citation string
	// URL links to the rule on federalregister.gov.
	URL       string
	Published entitywatch.Date
	Effective entitywatch.Date
	Changes   []Change
}

// Change is one change a rule made to the Entity List, as applied: the
// entry as the rule printed it and, for revisions and moves whose earlier
// entry is known, what changed.
type Change struct {
	entitywatch.Change
	// Fields holds, for revisions and moves, each field of the entry
	// that changed, old -> new. It is empty when the earlier entry is not
	// known (a database without a baseline has not seen it).
	Fields []FieldChange
}

// FieldChange is one field of an entry that a revision changed. Field is
// the field's JSON name ("aliases", "license_requirement"); Old and New
// hold its values, one string for single-valued fields.
type FieldChange struct {
	Field string
	Old   []string
	New   []string
}

// Report is the Entity List changes of a period, ready to render: every
// rule that took effect in it with its changes, and their totals. Build
// makes one; Markdown, HTML, CSV, JSON and XLSX render it.
type Report struct {
	// From and To bound the period, both included, by effective date.
	From, To entitywatch.Date
	// Label names the period: an ISO week ("2025-W13") or
	// "2025-03-24 to 2025-03-30".
	Label string
	// Generated is when the report was made.
	Generated time.Time
	// Rules are in effective-date order, then publication date, then
	// document number; each rule's changes by destination, then name.
	Rules  []Rule
	Totals Totals
}

// Totals counts a report's changes by action and by destination.
type Totals struct {
	// Changes counts every change, of whatever action.
	Changes int
	Added   int
	Removed int
	Revised int
	Moved   int
	// ByDestination has one row per destination with a change, most
	// changes first, then by country code.
	ByDestination []DestinationTotal
}

// DestinationTotal counts the changes under one destination. A move
// counts under the destination the entry moved to.
type DestinationTotal struct {
	CountryCode string
	// Country is the destination heading as printed.
	Country string
	Added   int
	Removed int
	Revised int
	Moved   int
	// Total counts every change under the destination.
	Total int
}

// Build returns the report of rules for the period from..to, sorted and
// totalled. An empty label names the period by its ISO week when it is
// exactly one ("2025-W13"), else by its dates. now is the report's
// generation time; pass a fixed time for reproducible output. Build does
// not filter rules by date and does not modify rules.
func Build(from, to entitywatch.Date, label string, rules []Rule, now time.Time) Report {
	if label == "" {
		label = periodLabel(from, to)
	}
	r := Report{From: from, To: to, Label: label, Generated: now, Rules: make([]Rule, 0, len(rules))}
	for _, rule := range rules {
		rule.Changes = slices.Clone(rule.Changes)
		slices.SortStableFunc(rule.Changes, compareChanges)
		r.Rules = append(r.Rules, rule)
	}
	slices.SortStableFunc(r.Rules, func(a, b Rule) int {
		return cmp.Or(a.Effective.Compare(b.Effective.Time), a.Published.Compare(b.Published.Time), strings.Compare(a.Document, b.Document))
	})
	r.Totals = total(r.Rules)
	return r
}

// compareChanges orders changes by destination heading (the Entity
// List's own order), then name, then action and ID, so output is stable.
func compareChanges(a, b Change) int {
	return cmp.Or(
		strings.Compare(strings.ToUpper(a.Country), strings.ToUpper(b.Country)),
		strings.Compare(a.CountryCode, b.CountryCode),
		strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)),
		strings.Compare(a.Name, b.Name),
		strings.Compare(string(a.Action), string(b.Action)),
		strings.Compare(a.ID, b.ID),
	)
}

func total(rules []Rule) Totals {
	var t Totals
	byDest := map[string]*DestinationTotal{}
	for _, rule := range rules {
		for _, c := range rule.Changes {
			key := cmp.Or(c.CountryCode, c.Country)
			d := byDest[key]
			if d == nil {
				d = &DestinationTotal{CountryCode: c.CountryCode, Country: c.Country}
				byDest[key] = d
			}
			t.Changes++
			d.Total++
			switch c.Action {
			case entitywatch.Add:
				t.Added++
				d.Added++
			case entitywatch.Remove:
				t.Removed++
				d.Removed++
			case entitywatch.Revise:
				t.Revised++
				d.Revised++
			case entitywatch.Move:
				t.Moved++
				d.Moved++
			}
		}
	}
	t.ByDestination = make([]DestinationTotal, 0, len(byDest))
	for _, d := range byDest {
		t.ByDestination = append(t.ByDestination, *d)
	}
	slices.SortFunc(t.ByDestination, func(a, b DestinationTotal) int {
		return cmp.Or(b.Total-a.Total, strings.Compare(a.CountryCode, b.CountryCode), strings.Compare(a.Country, b.Country))
	})
	return t
}

// counts returns the number of r's changes by action.
func (r Rule) counts() (added, removed, revised, moved int) {
	for _, c := range r.Changes {
		switch c.Action {
		case entitywatch.Add:
			added++
		case entitywatch.Remove:
			removed++
		case entitywatch.Revise:
			revised++
		case entitywatch.Move:
			moved++
		}
	}
	return
}

// summary says what a rule did in words: "70 added, 4 revised".
func (r Rule) summary() string {
	a, rm, rv, mv := r.counts()
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{a, "added"}, {rm, "removed"}, {rv, "revised"}, {mv, "moved"}} {
		if p.n > 0 {
			parts = append(parts, strconv.Itoa(p.n)+" "+p.verb)
		}
	}
	if len(parts) == 0 {
		return "no changes to the Entity List"
	}
	return strings.Join(parts, ", ")
}

// periodLabel names a period: its ISO week when it is exactly one.
func periodLabel(from, to entitywatch.Date) string {
	if y, w := from.ISOWeek(); from.Weekday() == time.Monday && to.Equal(from.AddDate(0, 0, 6)) {
		return weekLabel(y, w)
	}
	if from.Equal(to.Time) {
		return from.String()
	}
	return from.String() + " to " + to.String()
}

// period describes a report's dates: "2025-03-24 to 2025-03-30".
func (r Report) period() string {
	if r.From.Equal(r.To.Time) {
		return r.From.String()
	}
	return r.From.String() + " to " + r.To.String()
}

// generated prints the generation time in UTC, to the second.
func (r Report) generated() string {
	if r.Generated.IsZero() {
		return ""
	}
	return r.Generated.UTC().Format(time.RFC3339)
}

// actionTitle names an action for people: "Added", "Revised".
func actionTitle(a entitywatch.Action) string {
	switch a {
	case entitywatch.Add:
		return "Added"
	case entitywatch.Remove:
		return "Removed"
	case entitywatch.Revise:
		return "Revised"
	case entitywatch.Move:
		return "Moved"
	}
	if a == "" {
		return "Changed"
	}
	return strings.ToUpper(string(a[:1])) + string(a[1:])
}

// fieldTitle names an entry field for people.
func fieldTitle(field string) string {
	switch field {
	case "name":
		return "Name"
	case "aliases":
		return "Aliases"
	case "addresses":
		return "Addresses"
	case "see_also":
		return "See also"
	case "license_requirement":
		return "License requirement"
	case "license_review_policy":
		return "License review policy"
	case "footnotes":
		return "Footnotes"
	case "citations":
		return "Federal Register citations"
	}
	return field
}

// destination names a change's destination: "TAIWAN (TW)".
func destination(country, code string) string {
	switch {
	case country == "":
		return code
	case code == "":
		return country
	}
	return country + " (" + code + ")"
}

// changeNote explains a revision or move whose field changes are not
// known; it is "" when there is nothing to explain.
func changeNote(c Change) string {
	if len(c.Fields) > 0 || (c.Action != entitywatch.Revise && c.Action != entitywatch.Move) {
		return ""
	}
	if len(c.ChangedFields) > 0 {
		return "Changed fields: " + strings.Join(titles(c.ChangedFields), ", ") + " (the earlier text is not in the database)."
	}
	if c.Action == entitywatch.Move {
		return ""
	}
	return "The earlier entry is not in the database (no baseline before this rule), so what changed is not shown."
}

func titles(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = fieldTitle(f)
	}
	return out
}

// join joins list values for one-line formats.
func join(v []string) string { return strings.Join(v, "; ") }
