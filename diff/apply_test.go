package diff_test

import (
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

const doc = "2025-05427"

func TestApply(t *testing.T) {
	var (
		vAlpha = view{ID: "CN/alphaelectronicscoltd", Code: "CN", Name: "Alpha Electronics Co., Ltd."}
		vBeta  = view{ID: "CN/betasystems", Code: "CN", Name: "Beta Systems"}
		vGamma = view{ID: "RU/gammajsc", Code: "RU", Name: "Gamma JSC"}
		vDelta = view{ID: "TW/deltacorporation", Code: "TW", Name: "Delta Corporation"}
	)
	changed := func(v view) view { v.ChangedBy = doc; return v }
	removed := func(v view) view { v.ChangedBy, v.Removed = doc, true; return v }

	feb := entitywatch.NewDate(2025, time.February, 1)
	eps := cited(entry("CN", "Epsilon Ltd."))
	vEps := view{ID: "CN/epsilonltd", Code: "CN", Name: "Epsilon Ltd.", ListedBy: doc, ChangedBy: doc}
	newBeta := cited(with(beta, func(e *entitywatch.Entry) { e.Aliases = append(e.Aliases, "Beta Systems Group") }))
	holdings := cited(with(alpha, func(e *entitywatch.Entry) {
		e.Name = "Alpha Holdings"
		e.Aliases = append(e.Aliases, "Alpha Electronics Co., Ltd.")
	}))
	betaSys := cited(with(beta, func(e *entitywatch.Entry) { e.Name, e.Aliases = "Beta Sys", []string{} }))
	gammaBY := cited(with(gamma, func(e *entitywatch.Entry) { e.Country, e.CountryCode = headings["BY"], "BY" }))
	partial := func(t *testing.T) diff.State { return newState(t, false, diff.Record{Entry: alpha}) }
	partialRemoved := func(t *testing.T) diff.State {
		return mustApply(t, partial(t), rule("2025-00001", feb, removal("CN", alpha.Name)))
	}
	unknownAction := change("redesignate", eps)
	noCode := with(eps, func(e *entitywatch.Entry) { e.CountryCode = "" })
	noDocument := rule("", ruleDate, change(entitywatch.Add, eps))

	tests := []struct {
		name  string
		start func(*testing.T) diff.State // baseline when nil
		rule  *entitywatch.Rule

		want         []view
		wantChanges  []entitywatch.Change
		wantWarnings []string
		wantErr      error  // and the State is returned untouched
		errMentions  string // something the error must name
	}{
		{
			name:        "add_new_entry",
			rule:        rule(doc, ruleDate, change(entitywatch.Add, eps)),
			want:        []view{vAlpha, vBeta, vEps, vGamma, vDelta},
			wantChanges: []entitywatch.Change{withID(change(entitywatch.Add, eps), "CN/epsilonltd")},
		},
		{
			name:        "add_already_listed_refused",
			rule:        rule(doc, ruleDate, change(entitywatch.Add, entry("CN", "ALPHA  ELECTRONICS CO LTD"))),
			wantErr:     diff.ErrAlreadyListed,
			errMentions: `change 1: add "ALPHA  ELECTRONICS CO LTD" under CN: listed as CN/alphaelectronicscoltd`,
		},
		{
			name:        "remove_listed_entry",
			rule:        rule(doc, ruleDate, removal("TW", "DELTA CORPORATION")),
			want:        []view{vAlpha, vBeta, vGamma, removed(vDelta)},
			wantChanges: []entitywatch.Change{{Action: entitywatch.Remove, ID: "TW/deltacorporation", Entry: delta, ChangedFields: []string{}}},
		},
		{
			name:        "remove_not_on_list_refused",
			rule:        rule(doc, ruleDate, removal("TW", "Omega Corp")),
			wantErr:     diff.ErrNotOnList,
			errMentions: `remove "Omega Corp" under TW`,
		},
		{
			name:        "revise_fills_changed_fields",
			rule:        rule(doc, ruleDate, change(entitywatch.Revise, newBeta, diff.FieldAliases)),
			want:        []view{vAlpha, changed(vBeta), vGamma, vDelta},
			wantChanges: []entitywatch.Change{withID(change(entitywatch.Revise, newBeta, diff.FieldAliases, diff.FieldCitations), "CN/betasystems")},
		},
		{
			name:         "revise_stated_field_unchanged_warns",
			rule:         rule(doc, ruleDate, change(entitywatch.Revise, cited(beta), diff.FieldAddresses)),
			want:         []view{vAlpha, changed(vBeta), vGamma, vDelta},
			wantChanges:  []entitywatch.Change{withID(change(entitywatch.Revise, cited(beta), diff.FieldCitations), "CN/betasystems")},
			wantWarnings: []string{doc + `: revise "Beta Systems" under CN: the instruction revises its addresses, which the printed entry leaves unchanged`},
		},
		{
			name:         "revise_unchanged_entry_warns",
			rule:         rule(doc, ruleDate, change(entitywatch.Revise, beta)),
			want:         []view{vAlpha, changed(vBeta), vGamma, vDelta},
			wantChanges:  []entitywatch.Change{withID(change(entitywatch.Revise, beta), "CN/betasystems")},
			wantWarnings: []string{doc + `: revise "Beta Systems" under CN: the printed entry is the same as the listed one`},
		},
		{
			name:        "revise_not_on_list_refused",
			rule:        rule(doc, ruleDate, change(entitywatch.Revise, entry("CN", "Omega Corp"))),
			wantErr:     diff.ErrNotOnList,
			errMentions: `revise "Omega Corp" under CN`,
		},
		{
			name: "rename_keeps_old_name_as_alias",
			rule: rule(doc, ruleDate, change(entitywatch.Revise, holdings)),
			want: []view{
				{ID: "CN/alphaelectronicscoltd", Code: "CN", Name: "Alpha Holdings", ChangedBy: doc},
				vBeta, vGamma, vDelta,
			},
			wantChanges:  []entitywatch.Change{withID(change(entitywatch.Revise, holdings, diff.FieldName, diff.FieldAliases, diff.FieldCitations), "CN/alphaelectronicscoltd")},
			wantWarnings: []string{doc + `: revise "Alpha Holdings" under CN: taken as a rename of "Alpha Electronics Co., Ltd." (CN/alphaelectronicscoltd), since one of the two lists the other's name as an alias`},
		},
		{
			name:         "rename_promotes_alias",
			rule:         rule(doc, ruleDate, change(entitywatch.Revise, betaSys)),
			want:         []view{vAlpha, {ID: "CN/betasystems", Code: "CN", Name: "Beta Sys", ChangedBy: doc}, vGamma, vDelta},
			wantChanges:  []entitywatch.Change{withID(change(entitywatch.Revise, betaSys, diff.FieldName, diff.FieldAliases, diff.FieldCitations), "CN/betasystems")},
			wantWarnings: []string{doc + `: revise "Beta Sys" under CN: taken as a rename of "Beta Systems" (CN/betasystems), since one of the two lists the other's name as an alias`},
		},
		{
			name:        "rename_of_two_entries_refused",
			rule:        rule(doc, ruleDate, change(entitywatch.Revise, entry("CN", "Alpha Beta", "Alpha Electronics Co., Ltd.", "Beta Systems"))),
			wantErr:     diff.ErrAmbiguous,
			errMentions: `revise "Alpha Beta" under CN: not on the list, and could rename any of CN/alphaelectronicscoltd, CN/betasystems`,
		},
		{
			name: "move_to_other_destination",
			rule: rule(doc, ruleDate, move("RU", gammaBY)),
			want: []view{
				{ID: "BY/gammajsc", Code: "BY", Name: "Gamma JSC", ListedBy: doc, ChangedBy: doc, MovedFr: "RU/gammajsc"},
				vAlpha, vBeta, removed(vGamma), vDelta,
			},
			wantChanges: []entitywatch.Change{withID(move("RU", gammaBY, diff.FieldCitations), "BY/gammajsc")},
		},
		{
			name:        "move_not_under_origin_refused",
			rule:        rule(doc, ruleDate, move("TW", gammaBY)),
			wantErr:     diff.ErrNotOnList,
			errMentions: `move "Gamma JSC" from TW to BY: not under TW`,
		},
		{
			name: "move_onto_listed_entry_refused",
			start: func(t *testing.T) diff.State {
				return newState(t, true, diff.Record{Entry: alpha}, diff.Record{Entry: entry("RU", alpha.Name)})
			},
			rule:        rule(doc, ruleDate, move("RU", cited(alpha))),
			wantErr:     diff.ErrAlreadyListed,
			errMentions: `move "Alpha Electronics Co., Ltd." from RU to CN: listed as CN/alphaelectronicscoltd`,
		},
		{
			name:        "half_rule_refused",
			rule:        rule(doc, ruleDate, change(entitywatch.Add, eps), removal("TW", "Omega Corp")),
			wantErr:     diff.ErrNotOnList,
			errMentions: `apply 2025-05427: change 2: remove "Omega Corp" under TW`,
		},
		{
			name:        "rule_before_state_refused",
			rule:        rule(doc, entitywatch.NewDate(2024, time.December, 31), change(entitywatch.Add, eps)),
			wantErr:     diff.ErrOutOfOrder,
			errMentions: "effective 2024-12-31, before the list as of 2025-01-01",
		},
		{
			name:        "undated_rule_refused",
			rule:        rule(doc, entitywatch.Date{}, change(entitywatch.Add, eps)),
			wantErr:     diff.ErrInvalid,
			errMentions: "apply 2025-05427: no effective date",
		},
		{
			name:        "rule_without_document_number_refused",
			rule:        noDocument,
			wantErr:     diff.ErrInvalid,
			errMentions: "no document number",
		},
		{
			name:        "unknown_action_refused",
			rule:        rule(doc, ruleDate, unknownAction),
			wantErr:     diff.ErrInvalid,
			errMentions: `unknown action "redesignate"`,
		},
		{
			name:        "entry_without_destination_refused",
			rule:        rule(doc, ruleDate, change(entitywatch.Add, noCode)),
			wantErr:     diff.ErrInvalid,
			errMentions: `add "Epsilon Ltd." under : no destination code`,
		},
		{
			name: "relisting_keeps_id",
			start: func(t *testing.T) diff.State {
				return mustApply(t, baseline(t), rule("2025-00001", feb, removal("TW", delta.Name)))
			},
			rule:        rule(doc, ruleDate, change(entitywatch.Add, cited(delta))),
			want:        []view{vAlpha, vBeta, vGamma, {ID: "TW/deltacorporation", Code: "TW", Name: "Delta Corporation", ListedBy: doc, ChangedBy: doc}},
			wantChanges: []entitywatch.Change{withID(change(entitywatch.Add, cited(delta)), "TW/deltacorporation")},
		},
		{
			name: "old_name_of_renamed_entry_gets_new_id",
			start: func(t *testing.T) diff.State {
				return mustApply(t, baseline(t), rule("2025-00001", feb, change(entitywatch.Revise, holdings)))
			},
			rule: rule(doc, ruleDate, change(entitywatch.Add, cited(alpha))),
			want: []view{
				{ID: "CN/alphaelectronicscoltd~2", Code: "CN", Name: "Alpha Electronics Co., Ltd.", ListedBy: doc, ChangedBy: doc},
				{ID: "CN/alphaelectronicscoltd", Code: "CN", Name: "Alpha Holdings", ChangedBy: "2025-00001"},
				vBeta, vGamma, vDelta,
			},
			wantChanges: []entitywatch.Change{withID(change(entitywatch.Add, cited(alpha)), "CN/alphaelectronicscoltd~2")},
		},
		{
			name:        "add_then_revise_in_one_rule",
			rule:        rule(doc, ruleDate, change(entitywatch.Add, eps), change(entitywatch.Revise, with(eps, func(e *entitywatch.Entry) { e.Aliases = []string{"Eps"} }))),
			want:        []view{vAlpha, vBeta, vEps, vGamma, vDelta},
			wantChanges: []entitywatch.Change{withID(change(entitywatch.Add, eps), "CN/epsilonltd"), withID(change(entitywatch.Revise, with(eps, func(e *entitywatch.Entry) { e.Aliases = []string{"Eps"} }), diff.FieldAliases), "CN/epsilonltd")},
		},
		{
			name:         "partial_revise_of_unknown_entry_recorded",
			start:        partial,
			rule:         rule(doc, ruleDate, change(entitywatch.Revise, newBeta, diff.FieldAliases)),
			want:         []view{vAlpha, {ID: "CN/betasystems", Code: "CN", Name: "Beta Systems", ChangedBy: doc, PriorUnknown: true}},
			wantChanges:  []entitywatch.Change{withID(change(entitywatch.Revise, newBeta, diff.FieldAliases), "CN/betasystems")},
			wantWarnings: []string{doc + `: revise "Beta Systems" under CN: not on this partial list; recorded as printed, its earlier history is unknown`},
		},
		{
			name:         "partial_removal_of_unknown_entry_recorded",
			start:        partial,
			rule:         rule(doc, ruleDate, removal("TW", delta.Name)),
			want:         []view{vAlpha, {ID: "TW/deltacorporation", Code: "TW", Name: "Delta Corporation", ChangedBy: doc, Removed: true, PriorUnknown: true}},
			wantChanges:  []entitywatch.Change{withID(removal("TW", delta.Name), "TW/deltacorporation")},
			wantWarnings: []string{doc + `: remove "Delta Corporation" under TW: not on this partial list; recorded as removed, its earlier history is unknown`},
		},
		{
			name:  "partial_move_of_unknown_entry_recorded",
			start: partial,
			rule:  rule(doc, ruleDate, move("RU", gammaBY)),
			want: []view{
				{ID: "BY/gammajsc", Code: "BY", Name: "Gamma JSC", ListedBy: doc, ChangedBy: doc, MovedFr: "RU/gammajsc"},
				vAlpha,
				{ID: "RU/gammajsc", Code: "RU", Name: "Gamma JSC", ChangedBy: doc, Removed: true, PriorUnknown: true},
			},
			wantChanges:  []entitywatch.Change{withID(move("RU", gammaBY), "BY/gammajsc")},
			wantWarnings: []string{doc + `: move "Gamma JSC" from RU to BY: not on this partial list under RU; recorded as removed there, its earlier history is unknown`},
		},
		{
			name:        "partial_revise_of_removed_entry_refused",
			start:       partialRemoved,
			rule:        rule(doc, ruleDate, change(entitywatch.Revise, cited(alpha))),
			wantErr:     diff.ErrNotOnList,
			errMentions: `revise "Alpha Electronics Co., Ltd." under CN: removed by 2025-00001 on 2025-02-01`,
		},
		{
			name:        "partial_add_of_listed_entry_refused",
			start:       partial,
			rule:        rule(doc, ruleDate, change(entitywatch.Add, cited(alpha))),
			wantErr:     diff.ErrAlreadyListed,
			errMentions: `add "Alpha Electronics Co., Ltd." under CN`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := baseline(t)
			if tt.start != nil {
				start = tt.start(t)
			}
			before := start.All()

			next, changes, warnings, err := diff.Apply(start, tt.rule)

			if d := cmp.Diff(before, start.All()); d != "" {
				t.Errorf("Apply modified its input State (-before +after):\n%s", d)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Apply() error = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errMentions) {
					t.Errorf("Apply() error = %q, want it to contain %q", err, tt.errMentions)
				}
				if d := cmp.Diff(before, next.All()); d != "" || !next.AsOf.Equal(start.AsOf.Time) || next.Complete != start.Complete || next.Len() != start.Len() {
					t.Errorf("refused Apply returned a changed State (-want +got):\n%s", d)
				}
				if changes != nil || warnings != nil {
					t.Errorf("refused Apply returned changes %v, warnings %q", changes, warnings)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply() error = %v", err)
			}
			if d := cmp.Diff(tt.want, views(next)); d != "" {
				t.Errorf("records after Apply (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantChanges, changes); d != "" {
				t.Errorf("Apply() changes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantWarnings, warnings, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Apply() warnings (-want +got):\n%s", d)
			}
			listed := 0
			for _, v := range tt.want {
				if !v.Removed {
					listed++
				}
			}
			if next.Len() != listed || !next.AsOf.Equal(ruleDate.Time) || next.Complete != start.Complete {
				t.Errorf("next: Len %d, AsOf %s, Complete %v; want %d, %s, %v", next.Len(), next.AsOf, next.Complete, listed, ruleDate, start.Complete)
			}
			for _, c := range changes {
				if _, ok := next.Lookup(c.CountryCode, c.Name); !ok {
					t.Errorf("Lookup(%s, %q) after Apply found nothing", c.CountryCode, c.Name)
				}
			}
		})
	}
}

// TestApply_Entries checks the entries and provenance Apply records, which
// TestApply leaves to views.
func TestApply_Entries(t *testing.T) {
	newBeta := cited(with(beta, func(e *entitywatch.Entry) { e.Footnotes = []string{"4"} }))
	printed := with(newBeta, func(*entitywatch.Entry) {})
	r := rule(doc, ruleDate, change(entitywatch.Revise, printed), removal("TW", delta.Name))
	next, _, _, err := diff.Apply(baseline(t), r)
	if err != nil {
		t.Fatal(err)
	}
	// The rule's slices are not shared with the State.
	r.Changes[0].Citations[0] = "changed after Apply"

	want := []diff.Record{
		{ID: "CN/betasystems", Entry: newBeta, ChangedOn: ruleDate, ChangedBy: doc},
		{ID: "TW/deltacorporation", Entry: delta, ChangedOn: ruleDate, ChangedBy: doc, Removed: true},
	}
	got := []diff.Record{mustGet(t, next, "CN/betasystems"), mustGet(t, next, "TW/deltacorporation")}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if d := cmp.Diff(baseline(t).All(), mustApply(t, baseline(t)).All()); d != "" {
		t.Errorf("baseline is not reproducible (-want +got):\n%s", d)
	}
}

func TestNewState(t *testing.T) {
	tests := []struct {
		name    string
		records []diff.Record
		wantErr error
		wantIDs []string
	}{
		{
			name:    "ids_assigned",
			records: []diff.Record{{Entry: beta}, {Entry: alpha}, {ID: "RU/gamma-old", Entry: gamma}},
			wantIDs: []string{"CN/alphaelectronicscoltd", "CN/betasystems", "RU/gamma-old"},
		},
		{
			name:    "removed_and_listed_under_one_name",
			records: []diff.Record{{ID: "CN/old", Entry: alpha, Removed: true}, {Entry: alpha}},
			wantIDs: []string{"CN/alphaelectronicscoltd", "CN/old"},
		},
		{
			name:    "given_id_kept_from_generated_one",
			records: []diff.Record{{Entry: alpha}, {ID: "CN/alphaelectronicscoltd", Entry: with(alpha, func(e *entitywatch.Entry) { e.Name = "Alpha Holdings" })}},
			wantIDs: []string{"CN/alphaelectronicscoltd~2", "CN/alphaelectronicscoltd"},
		},
		{
			name:    "same_name_listed_twice_refused",
			records: []diff.Record{{Entry: alpha}, {Entry: with(alpha, func(e *entitywatch.Entry) { e.Name = "alpha electronics co ltd" })}},
			wantErr: diff.ErrAlreadyListed,
		},
		{
			name:    "same_id_twice_refused",
			records: []diff.Record{{ID: "X", Entry: alpha}, {ID: "X", Entry: beta}},
			wantErr: diff.ErrAlreadyListed,
		},
		{
			name:    "name_without_letters_refused",
			records: []diff.Record{{Entry: entry("CN", " -- ")}},
			wantErr: diff.ErrInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := diff.NewState(baseDate, true, tt.records)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewState() error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var ids []string
			for _, r := range s.All() {
				ids = append(ids, r.ID)
			}
			if d := cmp.Diff(tt.wantIDs, ids); d != "" {
				t.Errorf("IDs (-want +got):\n%s", d)
			}
			back, err := diff.NewState(s.AsOf, s.Complete, s.All())
			if err != nil {
				t.Fatalf("NewState(All()) error = %v", err)
			}
			if d := cmp.Diff(s.All(), back.All()); d != "" || back.Len() != s.Len() {
				t.Errorf("NewState(All()) differs (-want +got):\n%s", d)
			}
			for _, r := range s.Listed() {
				if got, ok := back.Lookup(r.CountryCode, r.Name); !ok || got.ID != r.ID {
					t.Errorf("Lookup(%s, %q) = %s, %v; want %s", r.CountryCode, r.Name, got.ID, ok, r.ID)
				}
			}
		})
	}
}

func TestID(t *testing.T) {
	tests := []struct {
		code, name, want string
	}{
		{"TW", "Inspur Taiwan Co., Ltd.", "TW/inspurtaiwancoltd"},
		{"tw", "  INSPUR  TAIWAN CO LTD ", "TW/inspurtaiwancoltd"},
		{"RU", "Scientific-Production Enterprise “Kant”", "RU/scientificproductionenterprisekant"},
		{"RU", "Scientific Production Enterprise 'Kant'", "RU/scientificproductionenterprisekant"},
		{"CN", "ＡＢＣ　Ｔｅｃｈ", "CN/abctech"},                 // fullwidth forms (NFKC)
		{"DE", "Straße GmbH", "DE/strassegmbh"},          // case folding
		{"FR", "Société Générale", "FR/sociétégénérale"}, // letters kept
		{"FR", "Socie\u0301te\u0301 Ge\u0301ne\u0301rale", "FR/sociétégénérale"},
		{"CN", "No. 2 Research Institute", "CN/no2researchinstitute"},
		{"HK", "Address: Room 1, 1/F, Example Building", "HK/addressroom11fexamplebuilding"},
	}
	for _, tt := range tests {
		if got := diff.ID(tt.code, tt.name); got != tt.want {
			t.Errorf("ID(%q, %q) = %q, want %q", tt.code, tt.name, got, tt.want)
		}
	}
}

// TestApply_Concurrent applies rules to one State from several goroutines
// at once; run with -race.
func TestApply_Concurrent(t *testing.T) {
	base, g := stateOf(t, 500, 3)
	listed := maps.Clone(g.model)
	rules := make([]*entitywatch.Rule, 8)
	for i := range rules {
		g.model, g.removed = maps.Clone(listed), nil // each rule against base
		rules[i], _ = g.rule(10)
	}
	errs := make(chan error, len(rules))
	var wg sync.WaitGroup
	for _, r := range rules {
		wg.Go(func() {
			next, _, _, err := diff.Apply(base, r)
			if err == nil {
				diff.Compare(base, next)
				base.Listed()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
