package diff_test

import (
	"slices"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

var headings = map[string]string{
	"BY": "BELARUS",
	"CN": "CHINA, PEOPLE'S REPUBLIC OF",
	"IR": "IRAN",
	"KZ": "KAZAKHSTAN",
	"PK": "PAKISTAN",
	"RU": "RUSSIA",
	"TW": "TAIWAN",
	"AE": "UNITED ARAB EMIRATES",
}

const (
	baseCitation = "80 FR 1000, 1/1/15"
	newCitation  = "90 FR [INSERT FR PAGE NUMBER], 3/28/2025"
)

var (
	baseDate = entitywatch.NewDate(2025, time.January, 1)
	ruleDate = entitywatch.NewDate(2025, time.March, 25)
)

// entry returns a listed entry with the usual license texts and one
// citation.
func entry(cc, name string, aliases ...string) entitywatch.Entry {
	return entitywatch.Entry{
		Country:             headings[cc],
		CountryCode:         cc,
		Name:                name,
		Aliases:             append([]string{}, aliases...),
		Addresses:           []string{"1 Example Road, " + headings[cc]},
		LicenseRequirement:  "For all items subject to the EAR.",
		LicenseReviewPolicy: "Presumption of denial.",
		Citations:           []string{baseCitation},
	}
}

// with returns a copy of e, its slices copied, changed by f.
func with(e entitywatch.Entry, f func(*entitywatch.Entry)) entitywatch.Entry {
	e.Aliases = slices.Clone(e.Aliases)
	e.Addresses = slices.Clone(e.Addresses)
	e.SeeAlso = slices.Clone(e.SeeAlso)
	e.Citations = slices.Clone(e.Citations)
	e.Footnotes = slices.Clone(e.Footnotes)
	f(&e)
	return e
}

// cited returns e as a rule reprints it: the rule's citation added.
func cited(e entitywatch.Entry) entitywatch.Entry {
	return with(e, func(e *entitywatch.Entry) { e.Citations = append(e.Citations, newCitation) })
}

// removal is the change a removal instruction makes: destination and
// name only.
func removal(cc, name string) entitywatch.Change {
	return entitywatch.Change{
		Action:        entitywatch.Remove,
		Entry:         entitywatch.Entry{Country: headings[cc], CountryCode: cc, Name: name, Aliases: []string{}, Addresses: []string{}, Citations: []string{}},
		ChangedFields: []string{},
	}
}

func change(action entitywatch.Action, e entitywatch.Entry, fields ...string) entitywatch.Change {
	return entitywatch.Change{Action: action, Entry: e, ChangedFields: append([]string{}, fields...)}
}

func move(from string, e entitywatch.Entry, fields ...string) entitywatch.Change {
	c := change(entitywatch.Move, e, fields...)
	c.FromCountry, c.FromCountryCode = headings[from], from
	return c
}

// withID returns c as Apply returns it: naming the entry's ID.
func withID(c entitywatch.Change, id string) entitywatch.Change {
	c.ID = id
	return c
}

func rule(doc string, date entitywatch.Date, changes ...entitywatch.Change) *entitywatch.Rule {
	return &entitywatch.Rule{DocumentNumber: doc, Title: "Additions to the Entity List", EffectiveDate: date, Changes: changes}
}

// The entries of the test baseline.
var (
	alpha = entry("CN", "Alpha Electronics Co., Ltd.", "Alpha EC")
	beta  = entry("CN", "Beta Systems", "Beta Sys")
	gamma = entry("RU", "Gamma JSC")
	delta = entry("TW", "Delta Corporation")
)

func baseline(t testing.TB) diff.State {
	t.Helper()
	s, err := diff.Baseline(baseDate, []entitywatch.Entry{alpha, beta, gamma, delta})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newState(t testing.TB, complete bool, recs ...diff.Record) diff.State {
	t.Helper()
	s, err := diff.NewState(baseDate, complete, recs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustApply applies rules in turn and fails the test on an error.
func mustApply(t testing.TB, s diff.State, rules ...*entitywatch.Rule) diff.State {
	t.Helper()
	for _, r := range rules {
		next, _, _, err := diff.Apply(s, r)
		if err != nil {
			t.Fatal(err)
		}
		s = next
	}
	return s
}

func mustGet(t testing.TB, s diff.State, id string) diff.Record {
	t.Helper()
	r, ok := s.Get(id)
	if !ok {
		t.Fatalf("no record %s", id)
	}
	return r
}

// view is what the Apply tests check of each record: identity,
// provenance and name.
type view struct {
	ID, Code, Name               string
	ListedBy, ChangedBy, MovedFr string
	Removed, PriorUnknown        bool
}

func views(s diff.State) []view {
	var out []view
	for _, r := range s.All() {
		out = append(out, view{
			ID: r.ID, Code: r.CountryCode, Name: r.Name,
			ListedBy: r.ListedBy, ChangedBy: r.ChangedBy, MovedFr: r.MovedFrom,
			Removed: r.Removed, PriorUnknown: r.PriorUnknown,
		})
	}
	return out
}
