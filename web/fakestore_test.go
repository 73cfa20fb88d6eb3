package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/fixtures"
	"github.com/entitywatch/entitywatch/ingest"
)

// fakeStore is a Store held in memory: the fixture rules parsed with
// ingest.ParseRule and applied with diff.Apply, or synthetic entries.
type fakeStore struct {
	states []diff.State          // after each applied rule, in order
	rules  []*entitywatch.Rule   // the applied rules, in order
	docs   map[string]Document   // by number
	raw    map[string][]byte     // by number
	events map[string][]Event    // by entry ID
	health Health                //
	fail   error                 // when set, every method returns it
	calls  atomic.Int32          // Snapshot calls
	delay  time.Duration         // Snapshot sleeps this long
	lists  []entitywatch.Listing // synthetic: the whole list, always
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fixtureFiles are the fixture rules the fake store holds, XML first.
var fixtureFiles = []string{"2023-03929.xml", "2023-25557.xml", "2025-00704.xml", "2025-05426.xml", "2025-05427.xml", "2023-13196.xml", "2025-05427.html"}

// newFixtureStore parses the fixture rules and applies them in
// effective-date order; 2023-13196 (no effective date) is quarantined,
// and the HTML copy of 2025-05427 is not stored again.
func newFixtureStore(t testing.TB) *fakeStore {
	t.Helper()
	f := &fakeStore{docs: map[string]Document{}, raw: map[string][]byte{}, events: map[string][]Event{}}
	type parsed struct {
		raw  []byte
		rule *entitywatch.Rule
	}
	var rules []parsed
	for _, name := range fixtureFiles {
		raw, err := fs.ReadFile(fixtures.FS, "federalregister/"+name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ingest.ParseRule(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, dup := f.raw[r.DocumentNumber]; dup {
			continue
		}
		f.raw[r.DocumentNumber] = raw
		rules = append(rules, parsed{raw, r})
	}
	slices.SortStableFunc(rules, func(a, b parsed) int {
		return cmp.Or(a.rule.EffectiveDate.Compare(b.rule.EffectiveDate.Time), strings.Compare(a.rule.DocumentNumber, b.rule.DocumentNumber))
	})
	var st diff.State
	for _, p := range rules {
		r := p.rule
		d := Document{Number: r.DocumentNumber, Title: r.Title, Published: r.PublicationDate, Effective: r.EffectiveDate, SHA256: sum(p.raw), Size: len(p.raw), Format: r.Format, Source: r.DocumentNumber + "." + r.Format, Rule: r}
		next, changes, _, err := diff.Apply(st, r)
		if err != nil {
			d.Status, d.Reason = "quarantined", err.Error()
			f.docs[d.Number] = d
			continue
		}
		d.Status = "applied"
		for i, c := range changes {
			switch c.Action {
			case entitywatch.Add:
				d.Counts.Added++
			case entitywatch.Remove:
				d.Counts.Removed++
			case entitywatch.Revise:
				d.Counts.Revised++
			case entitywatch.Move:
				d.Counts.Moved++
			}
			id := c.ID
			if id == "" {
				if rec, ok := next.Lookup(c.CountryCode, c.Name); ok {
					id = rec.ID
				}
				changes[i].ID = id
			}
			citation := ""
			if len(c.Citations) > 0 {
				citation = c.Citations[len(c.Citations)-1]
			}
			f.events[id] = append(f.events[id], Event{Action: c.Action, EffectiveDate: r.EffectiveDate, PublicationDate: r.PublicationDate, DocumentNumber: r.DocumentNumber, Citation: citation, ChangedFields: c.ChangedFields})
		}
		d.Applied = changes
		f.docs[d.Number] = d
		f.states = append(f.states, next)
		f.rules = append(f.rules, r)
		st = next
	}
	f.health = Health{Runs: 3, LastRun: time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC), LastSuccess: time.Date(2025, 3, 28, 12, 0, 0, 0, time.UTC),
		Documents: map[string]int{"applied": 5, "quarantined": 1, "superseded": 0}, Alerts: AlertCounts{Queued: 1, Delivered: 5, Failed: 0}}
	return f
}

func toList(s diff.State) entitywatch.List {
	recs := s.All()
	l := entitywatch.List{AsOf: s.AsOf, Complete: s.Complete, Listings: make([]entitywatch.Listing, len(recs))}
	for i, r := range recs {
		l.Listings[i] = entitywatch.Listing(r)
	}
	return l
}

// stateAt returns the list in legal effect on d.
func (f *fakeStore) stateAt(d entitywatch.Date) diff.State {
	var st diff.State
	for _, s := range f.states {
		if s.AsOf.After(d.Time) {
			break
		}
		st = s
	}
	return st
}

func (f *fakeStore) Snapshot(ctx context.Context, asOf entitywatch.Date, by string) (entitywatch.List, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if f.fail != nil {
		return entitywatch.List{}, f.fail
	}
	if f.lists != nil {
		return entitywatch.List{AsOf: asOf, Complete: true, Listings: f.lists}, nil
	}
	switch by {
	case ByEffective:
		return toList(f.stateAt(asOf)), nil
	case ByPublished:
		var st diff.State
		for _, r := range f.rules {
			known := r.PublicationDate
			if known.IsZero() {
				known = r.EffectiveDate
			}
			if known.After(asOf.Time) {
				continue
			}
			next, _, _, err := diff.Apply(st, r)
			if err != nil {
				return entitywatch.List{}, err
			}
			st = next
		}
		return toList(st), nil
	}
	return entitywatch.List{}, fmt.Errorf("by %q: %w", by, ErrInvalid)
}

func (f *fakeStore) Entry(ctx context.Context, id string) (entitywatch.Listing, []Event, error) {
	if f.fail != nil {
		return entitywatch.Listing{}, nil, f.fail
	}
	for _, l := range f.lists {
		if l.ID == id {
			return l, nil, nil
		}
	}
	if len(f.states) > 0 {
		if rec, ok := f.states[len(f.states)-1].Get(id); ok {
			return entitywatch.Listing(rec), f.events[id], nil
		}
	}
	return entitywatch.Listing{}, nil, fmt.Errorf("entry %s: %w", id, ErrNotFound)
}

func (f *fakeStore) Changes(ctx context.Context, from, to entitywatch.Date) (Changes, error) {
	if f.fail != nil {
		return Changes{}, f.fail
	}
	d := diff.Compare(f.stateAt(from), f.stateAt(to))
	var c Changes
	for _, r := range d.Added {
		c.Added = append(c.Added, entitywatch.Listing(r))
	}
	for _, r := range d.Removed {
		c.Removed = append(c.Removed, entitywatch.Listing(r))
	}
	rev := func(r diff.Revision) Revision {
		out := Revision{ID: r.New.ID, Name: r.New.Name, Country: r.New.Country, CountryCode: r.New.CountryCode, DocumentNumber: r.New.ChangedBy}
		for _, fc := range r.Fields {
			out.Fields = append(out.Fields, FieldChange(fc))
		}
		return out
	}
	for _, r := range d.Revised {
		c.Revised = append(c.Revised, rev(r))
	}
	for _, r := range d.Moved {
		c.Moved = append(c.Moved, rev(r))
	}
	return c, nil
}

func (f *fakeStore) Documents(ctx context.Context) ([]Document, error) {
	if f.fail != nil {
		return nil, f.fail
	}
	var out []Document
	for _, d := range f.docs {
		d.Rule, d.Applied = nil, nil
		out = append(out, d)
	}
	return out, nil
}

func (f *fakeStore) Document(ctx context.Context, number string) (Document, error) {
	if f.fail != nil {
		return Document{}, f.fail
	}
	d, ok := f.docs[number]
	if !ok {
		return Document{}, fmt.Errorf("document %s: %w", number, ErrNotFound)
	}
	return d, nil
}

func (f *fakeStore) Raw(ctx context.Context, number string) ([]byte, string, error) {
	if f.fail != nil {
		return nil, "", f.fail
	}
	b, ok := f.raw[number]
	if !ok {
		return nil, "", fmt.Errorf("document %s: %w", number, ErrNotFound)
	}
	return b, sum(b), nil
}

func (f *fakeStore) Health(ctx context.Context) (Health, error) {
	if f.fail != nil {
		return Health{}, f.fail
	}
	return f.health, nil
}

// Synthetic names for the benchmarks: made-up words in the shapes of
// Entity List names, with aliases.
var (
	synthPlaces   = []string{"Beijing", "Shanghai", "Shenzhen", "Wuhan", "Hangzhou", "Moscow", "Saint Petersburg", "Tehran", "Karachi", "Dubai", "Minsk", "Hong Kong", "Novosibirsk", "Chengdu", "Xian", "Tianjin", "Nanjing", "Kazan", "Isfahan", "Lahore"}
	synthWords    = []string{"Technology", "Electronics", "Information", "Industry", "Aviation", "Precision", "Instruments", "Optoelectronics", "Microsystems", "Semiconductor", "Research", "Institute", "Trading", "Logistics", "Engineering", "Machinery", "Materials", "Software", "Intelligent", "Photonics", "Power", "Energy", "Defense", "Systems", "Components", "Science", "Development", "Supply", "Import", "Export"}
	synthForms    = []string{"Co., Ltd.", "Limited", "LLC", "JSC", "Corporation", "Group", "Inc.", "FZE", "OOO", "Company"}
	synthSyllable = []string{"zhi", "pu", "hua", "xin", "long", "tek", "ros", "volk", "nav", "kor", "sin", "tai", "ming", "jun", "bao", "dar", "kam", "sev", "mir", "tsen", "yun", "feng", "lan", "qi", "rad", "ist", "ara", "sha", "ton", "vel"}
	synthCountry  = [][2]string{{"CN", "CHINA, PEOPLE'S REPUBLIC OF"}, {"RU", "RUSSIA"}, {"IR", "IRAN"}, {"PK", "PAKISTAN"}, {"AE", "UNITED ARAB EMIRATES"}, {"BY", "BELARUS"}, {"HK", "HONG KONG"}, {"TR", "TURKEY"}}
	synthWeighted = []int{0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7}
)

func synthBrand(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(synthSyllable[r.IntN(len(synthSyllable))])
	}
	s := b.String()
	return strings.ToUpper(s[:1]) + s[1:]
}

func synthName(r *rand.Rand, brand string) string {
	parts := []string{}
	if r.IntN(2) == 0 {
		parts = append(parts, synthPlaces[r.IntN(len(synthPlaces))])
	}
	parts = append(parts, brand)
	for range 1 + r.IntN(3) {
		parts = append(parts, synthWords[r.IntN(len(synthWords))])
	}
	parts = append(parts, synthForms[r.IntN(len(synthForms))])
	return strings.Join(parts, " ")
}

// newSyntheticStore holds n made-up entries with 0 to 6 aliases each, plus
// the real "Suma Technology Co., Ltd." and "Inspur Taiwan".
func newSyntheticStore(n int) *fakeStore {
	r := rand.New(rand.NewPCG(1, 2))
	f := &fakeStore{docs: map[string]Document{}, raw: map[string][]byte{}, events: map[string][]Event{}}
	seen := map[string]bool{}
	add := func(l entitywatch.Listing) {
		if seen[l.ID] {
			return
		}
		seen[l.ID] = true
		f.lists = append(f.lists, l)
	}
	add(entitywatch.Listing{ID: "CN/sumatechnologycoltd", Entry: entitywatch.Entry{CountryCode: "CN", Country: "CHINA, PEOPLE'S REPUBLIC OF", Name: "Suma Technology Co., Ltd.", Aliases: []string{"Suma", "CANCON"}}})
	add(entitywatch.Listing{ID: "TW/inspurtaiwan", Entry: entitywatch.Entry{CountryCode: "TW", Country: "TAIWAN", Name: "Inspur Taiwan"}})
	for len(f.lists) < n {
		c := synthCountry[synthWeighted[r.IntN(len(synthWeighted))]]
		brand := synthBrand(r)
		name := synthName(r, brand)
		l := entitywatch.Listing{ID: diff.ID(c[0], name), Entry: entitywatch.Entry{CountryCode: c[0], Country: c[1], Name: name,
			Addresses:          []string{fmt.Sprintf("No. %d, %s Road, %s", 1+r.IntN(999), synthBrand(r), synthPlaces[r.IntN(len(synthPlaces))])},
			LicenseRequirement: "For all items subject to the EAR.", LicenseReviewPolicy: "Presumption of denial.",
			Citations: []string{fmt.Sprintf("%d FR %d, %d/%d/%d", 80+r.IntN(10), 1000+r.IntN(80000), 1+r.IntN(12), 1+r.IntN(28), 2015+r.IntN(10))}},
			ListedSince: entitywatch.NewDate(2015+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28)), ListedBy: "2025-05427"}
		for range synthWeighted[r.IntN(len(synthWeighted))] {
			if r.IntN(3) == 0 {
				l.Aliases = append(l.Aliases, synthName(r, synthBrand(r)))
			} else {
				l.Aliases = append(l.Aliases, synthName(r, brand))
			}
		}
		add(l)
	}
	return f
}
