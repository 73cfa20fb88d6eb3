package diff_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

// event is one change in a form both a rule and a Delta reduce to.
// Fields is nil where they are unknown (an entry a partial State did not
// hold).
type event struct {
	Action   entitywatch.Action
	Code     string
	From     string
	Name     string
	Fields   []string
	Unknown  bool // the State did not hold the entry before the change
	Warnings int  // warnings Apply should give for it
}

func sortEvents(evs []event) {
	slices.SortFunc(evs, func(a, b event) int {
		return strings.Compare(fmt.Sprint(a.Action, a.Code, a.Name), fmt.Sprint(b.Action, b.Code, b.Name))
	})
}

// gen makes random rules that are valid against its own model of the
// list, independent of the State under test.
type gen struct {
	r       *rand.Rand
	codes   []string
	model   map[string]entitywatch.Entry // by ID(country code, name): the true list
	hidden  map[string]bool              // entries of the model a partial State does not hold
	removed []entitywatch.Entry          // entries removed, to list again
	seq     int
	date    entitywatch.Date
	keys    []string // sorted keys of model, for pick; nil when stale
}

func newGen(seed uint64) *gen {
	return &gen{
		r:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		codes:  []string{"AE", "BY", "CN", "IR", "KZ", "PK", "RU", "TW"},
		model:  make(map[string]entitywatch.Entry),
		hidden: make(map[string]bool),
		date:   baseDate,
	}
}

func (g *gen) fresh(cc string) entitywatch.Entry {
	g.seq++
	e := entry(cc, fmt.Sprintf("Example %d Trading Co., Ltd.", g.seq))
	for i := range g.r.IntN(4) {
		e.Aliases = append(e.Aliases, fmt.Sprintf("Alias %d-%d", g.seq, i))
	}
	for i := range g.r.IntN(3) {
		e.Addresses = append(e.Addresses, fmt.Sprintf("Unit %d-%d, Example Park, %s", g.seq, i, headings[cc]))
	}
	return e
}

// initial fills the model with n entries and returns them.
func (g *gen) initial(n int) []entitywatch.Entry {
	out := make([]entitywatch.Entry, n)
	for i := range out {
		out[i] = g.fresh(g.codes[g.r.IntN(len(g.codes))])
		g.model[diff.ID(out[i].CountryCode, out[i].Name)] = out[i]
	}
	return out
}

// pick returns a random listed entry's ID no change of the rule touched.
func (g *gen) pick(touched map[string]bool) (string, bool) {
	if g.keys == nil {
		g.keys = slices.Sorted(maps.Keys(g.model))
	}
	keys := g.keys
	for range 10 {
		if k := keys[g.r.IntN(len(keys))]; !touched[k] {
			return k, true
		}
	}
	return "", false
}

// rule returns a rule of up to n changes, each on a different entry, and
// the events it should produce.
func (g *gen) rule(n int) (*entitywatch.Rule, []event) {
	g.date = entitywatch.Date{Time: g.date.AddDate(0, 0, g.r.IntN(3))}
	doc := fmt.Sprintf("2030-%05d", g.seq)
	var changes []entitywatch.Change
	var events []event
	touched := make(map[string]bool)
	defer func() { g.keys = nil }()
	cite := fmt.Sprintf("95 FR %d, %s", 1000+g.seq, g.date)
	for attempt := 0; len(changes) < n && attempt < 5*n; attempt++ {
		kind := g.r.IntN(100)
		if len(g.model) < 10 {
			kind = 0
		}
		switch {
		case kind < 25: // add a new entry
			e := cited(g.fresh(g.codes[g.r.IntN(len(g.codes))]))
			id := diff.ID(e.CountryCode, e.Name)
			g.model[id], touched[id] = e, true
			changes = append(changes, change(entitywatch.Add, e))
			events = append(events, event{Action: entitywatch.Add, Code: e.CountryCode, Name: e.Name})

		case kind < 33: // list a removed entry again
			if len(g.removed) == 0 {
				continue
			}
			i := g.r.IntN(len(g.removed))
			e := g.removed[i]
			id := diff.ID(e.CountryCode, e.Name)
			if _, listed := g.model[id]; listed || touched[id] {
				continue
			}
			g.removed = slices.Delete(g.removed, i, i+1)
			e = with(e, func(e *entitywatch.Entry) { e.Citations = append(e.Citations, cite) })
			g.model[id], touched[id] = e, true
			changes = append(changes, change(entitywatch.Add, e))
			events = append(events, event{Action: entitywatch.Add, Code: e.CountryCode, Name: e.Name})

		case kind < 53: // remove
			id, ok := g.pick(touched)
			if !ok {
				continue
			}
			e := g.model[id]
			unknown := g.hidden[id]
			delete(g.model, id)
			delete(g.hidden, id)
			touched[id] = true
			g.removed = append(g.removed, e)
			changes = append(changes, removal(e.CountryCode, e.Name))
			events = append(events, event{Action: entitywatch.Remove, Code: e.CountryCode, Name: e.Name, Unknown: unknown, Warnings: b2i(unknown)})

		case kind < 78: // revise some fields
			id, ok := g.pick(touched)
			if !ok {
				continue
			}
			old := g.model[id]
			var fields []string
			e := with(old, func(e *entitywatch.Entry) {
				if g.r.IntN(2) == 0 {
					e.Aliases = append(e.Aliases, fmt.Sprintf("Alias %d-r%d", g.seq, len(changes)))
					fields = append(fields, diff.FieldAliases)
				}
				if g.r.IntN(3) == 0 {
					if len(e.Addresses) > 1 {
						e.Addresses = e.Addresses[1:]
					} else {
						e.Addresses = append(e.Addresses, "New address "+cite)
					}
					fields = append(fields, diff.FieldAddresses)
				}
				if g.r.IntN(5) == 0 {
					e.SeeAlso = append(e.SeeAlso, "See alternate address under HONG KONG")
					fields = append(fields, diff.FieldSeeAlso)
				}
				if g.r.IntN(4) == 0 {
					e.LicenseRequirement += " (revised " + cite + ")"
					fields = append(fields, diff.FieldLicenseRequirement)
				}
				if g.r.IntN(6) == 0 {
					e.LicenseReviewPolicy = "Case-by-case review (" + cite + ")."
					fields = append(fields, diff.FieldLicenseReviewPolicy)
				}
				if g.r.IntN(6) == 0 {
					e.Footnotes = append(e.Footnotes, fmt.Sprint(len(e.Footnotes)+1))
					fields = append(fields, diff.FieldFootnotes)
				}
				e.Citations = append(e.Citations, cite)
				fields = append(fields, diff.FieldCitations)
			})
			unknown := g.hidden[id]
			delete(g.hidden, id)
			g.model[id], touched[id] = e, true
			changes = append(changes, change(entitywatch.Revise, e))
			events = append(events, event{Action: entitywatch.Revise, Code: e.CountryCode, Name: e.Name, Fields: fields, Unknown: unknown, Warnings: b2i(unknown)})

		case kind < 88: // rename, keeping the old name as an alias
			id, ok := g.pick(touched)
			if !ok {
				continue
			}
			old := g.model[id]
			g.seq++
			e := with(old, func(e *entitywatch.Entry) {
				e.Name = fmt.Sprintf("Example %d Holdings", g.seq)
				e.Aliases = append(e.Aliases, old.Name)
				e.Citations = append(e.Citations, cite)
			})
			// A rename is recognised only when exactly one listed entry
			// is named among the new aliases.
			clash := false
			for _, a := range e.Aliases {
				if other := diff.ID(e.CountryCode, a); other != id && (g.model[other].Name != "" || touched[other]) {
					clash = true
				}
			}
			if clash {
				continue
			}
			unknown := g.hidden[id]
			delete(g.hidden, id)
			delete(g.model, id)
			newID := diff.ID(e.CountryCode, e.Name)
			g.model[newID], touched[id], touched[newID] = e, true, true
			changes = append(changes, change(entitywatch.Revise, e))
			ev := event{Action: entitywatch.Revise, Code: e.CountryCode, Name: e.Name, Fields: []string{diff.FieldName, diff.FieldAliases, diff.FieldCitations}, Unknown: unknown, Warnings: 1}
			events = append(events, ev)

		default: // move to another destination
			id, ok := g.pick(touched)
			if !ok {
				continue
			}
			old := g.model[id]
			cc := g.codes[g.r.IntN(len(g.codes))]
			newID := diff.ID(cc, old.Name)
			if _, listed := g.model[newID]; cc == old.CountryCode || listed || touched[newID] {
				continue
			}
			fields := []string{diff.FieldCitations}
			e := with(old, func(e *entitywatch.Entry) {
				e.Country, e.CountryCode = headings[cc], cc
				if g.r.IntN(2) == 0 {
					e.Addresses = []string{"1 Example Road, " + headings[cc]}
					if !slices.Equal(e.Addresses, old.Addresses) {
						fields = []string{diff.FieldAddresses, diff.FieldCitations}
					}
				}
				e.Citations = append(e.Citations, cite)
			})
			unknown := g.hidden[id]
			delete(g.hidden, id)
			delete(g.model, id)
			g.model[newID], touched[id], touched[newID] = e, true, true
			changes = append(changes, move(old.CountryCode, e))
			events = append(events, event{Action: entitywatch.Move, Code: cc, From: old.CountryCode, Name: e.Name, Fields: fields, Unknown: unknown, Warnings: b2i(unknown)})
		}
	}
	return rule(doc, g.date, changes...), events
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// deltaEvents reduces a Delta to events.
func deltaEvents(d diff.Delta) []event {
	var out []event
	names := func(fcs []diff.FieldChange) []string {
		var fs []string
		for _, fc := range fcs {
			fs = append(fs, fc.Field)
		}
		return fs
	}
	for _, r := range d.Added {
		out = append(out, event{Action: entitywatch.Add, Code: r.CountryCode, Name: r.Name})
	}
	for _, r := range d.Removed {
		// A removal the later State recorded without knowing the entry
		// is its record there, already Removed.
		out = append(out, event{Action: entitywatch.Remove, Code: r.CountryCode, Name: r.Name, Unknown: r.Removed})
	}
	for _, r := range d.Revised {
		out = append(out, event{Action: entitywatch.Revise, Code: r.New.CountryCode, Name: r.New.Name, Fields: names(r.Fields), Unknown: r.Old.ID == ""})
	}
	for _, r := range d.Moved {
		out = append(out, event{Action: entitywatch.Move, Code: r.New.CountryCode, From: r.Old.CountryCode, Name: r.New.Name, Fields: names(r.Fields), Unknown: r.Old.Removed})
	}
	return out
}

// TestApply_Property applies random rules in turn and checks that
// Compare(before, after) gives back exactly each rule's own changes, that
// Apply reports the changed fields the generator made, and that the State
// holds what the generator's model of the list holds.
func TestApply_Property(t *testing.T) {
	for _, tc := range []struct {
		name     string
		complete bool
	}{
		{"complete_state", true},
		{"partial_state", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGen(1)
			entries := g.initial(400)
			var known []entitywatch.Entry
			for i, e := range entries {
				if !tc.complete && i%3 == 0 {
					g.hidden[diff.ID(e.CountryCode, e.Name)] = true
					continue
				}
				known = append(known, e)
			}
			s, err := diff.Baseline(baseDate, known)
			if err != nil {
				t.Fatal(err)
			}
			s.Complete = tc.complete

			for i := range 200 {
				r, want := g.rule(1 + g.r.IntN(12))
				before := s.All()
				next, changes, warnings, err := diff.Apply(s, r)
				if err != nil {
					t.Fatalf("rule %d: %v", i, err)
				}

				// Compare gives back the rule's changes; for entries the
				// State did not hold, which fields changed is unknown.
				wantDelta := slices.Clone(want)
				for j := range wantDelta {
					wantDelta[j].Warnings = 0
					if wantDelta[j].Unknown && wantDelta[j].Action != entitywatch.Remove {
						wantDelta[j].Fields = nil
					}
				}
				got := deltaEvents(diff.Compare(s, next))
				sortEvents(wantDelta)
				sortEvents(got)
				if d := cmp.Diff(wantDelta, got, cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("rule %d: Compare(before, after) is not the rule's changes (-want +got):\n%s", i, d)
				}

				// Apply reports the fields the generator changed, and a
				// warning for every entry it had to take on trust.
				wantWarnings := 0
				for j, c := range changes {
					fields := want[j].Fields
					if want[j].Unknown || c.Action == entitywatch.Add || c.Action == entitywatch.Remove {
						fields = []string{}
					}
					if d := cmp.Diff(fields, c.ChangedFields, cmpopts.EquateEmpty()); d != "" {
						t.Fatalf("rule %d: change %d (%s %q): ChangedFields (-want +got):\n%s", i, j+1, c.Action, c.Name, d)
					}
					wantWarnings += want[j].Warnings
					// The change names the record it made.
					r, ok := next.Get(c.ID)
					if !ok || r.Removed != (c.Action == entitywatch.Remove) || diff.ID(r.CountryCode, r.Name) != diff.ID(c.CountryCode, c.Name) {
						t.Fatalf("rule %d: change %d (%s %q): ID %q names %+v, %v", i, j+1, c.Action, c.Name, c.ID, r.Entry, ok)
					}
				}
				if len(warnings) != wantWarnings {
					t.Fatalf("rule %d: %d warnings, want %d: %q", i, len(warnings), wantWarnings, warnings)
				}

				if after := s.All(); !reflect.DeepEqual(before, after) {
					t.Fatalf("rule %d: Apply modified its input (-before +after):\n%s", i, cmp.Diff(before, after))
				}
				checkModel(t, g, next)
				s = next
			}
		})
	}
}

// checkModel checks that s lists exactly the generator's entries, less
// the ones a partial State was never told about.
func checkModel(t *testing.T, g *gen, s diff.State) {
	t.Helper()
	listed := s.Listed()
	if want := len(g.model) - len(g.hidden); len(listed) != want || s.Len() != want {
		t.Fatalf("State lists %d entries (Len %d), want %d", len(listed), s.Len(), want)
	}
	for _, r := range listed {
		want, ok := g.model[diff.ID(r.CountryCode, r.Name)]
		if !ok {
			t.Fatalf("State lists %s %q, which the model does not", r.ID, r.Name)
		}
		if !reflect.DeepEqual(want, r.Entry) { // cmp.Diff is too slow for every entry
			t.Fatalf("entry %s (-model +state):\n%s", r.ID, cmp.Diff(want, r.Entry))
		}
	}
}

// stateOf returns a complete State of n generated entries, and the
// generator that made them.
func stateOf(tb testing.TB, n int, seed uint64) (diff.State, *gen) {
	tb.Helper()
	g := newGen(seed)
	s, err := diff.Baseline(baseDate, g.initial(n))
	if err != nil {
		tb.Fatal(err)
	}
	return s, g
}
