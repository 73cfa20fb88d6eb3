package diff_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

func TestCompare(t *testing.T) {
	feb := entitywatch.NewDate(2025, time.February, 1)
	eps := cited(entry("CN", "Epsilon Ltd."))
	newBeta := cited(with(beta, func(e *entitywatch.Entry) { e.Aliases = append(e.Aliases, "Beta Systems Group") }))
	holdings := cited(with(alpha, func(e *entitywatch.Entry) {
		e.Name = "Alpha Holdings"
		e.Aliases = append(e.Aliases, "Alpha Electronics Co., Ltd.")
	}))
	to := func(cc string, e entitywatch.Entry, citation string) entitywatch.Entry {
		return with(e, func(e *entitywatch.Entry) {
			e.Country, e.CountryCode = headings[cc], cc
			e.Citations = append(e.Citations, citation)
		})
	}
	gammaBY := to("BY", gamma, newCitation)
	gammaKZ := to("KZ", gammaBY, "90 FR 20000, 5/1/2025")
	a := baseline(t)
	partial := newState(t, false, diff.Record{Entry: alpha})

	type states struct{ a, b diff.State }
	tests := []struct {
		name  string
		setup func(t *testing.T) states
		want  func(s states) diff.Delta
	}{
		{
			name:  "same_state",
			setup: func(t *testing.T) states { return states{a, a} },
			want:  func(states) diff.Delta { return diff.Delta{} },
		},
		{
			name: "added_removed_revised",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a, rule(doc, ruleDate,
					change(entitywatch.Add, eps), removal("TW", delta.Name), change(entitywatch.Revise, newBeta)))}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{
					Added:   []diff.Record{mustGet(t, s.b, "CN/epsilonltd")},
					Removed: []diff.Record{mustGet(t, s.a, "TW/deltacorporation")},
					Revised: []diff.Revision{{
						Old: mustGet(t, s.a, "CN/betasystems"),
						New: mustGet(t, s.b, "CN/betasystems"),
						Fields: []diff.FieldChange{
							{Field: diff.FieldAliases, Old: []string{"Beta Sys"}, New: []string{"Beta Sys", "Beta Systems Group"}},
							{Field: diff.FieldCitations, Old: []string{baseCitation}, New: []string{baseCitation, newCitation}},
						},
					}},
				}
			},
		},
		{
			name: "later_to_earlier",
			setup: func(t *testing.T) states {
				return states{mustApply(t, a, rule(doc, ruleDate, change(entitywatch.Add, eps))), a}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{Removed: []diff.Record{mustGet(t, s.a, "CN/epsilonltd")}}
			},
		},
		{
			name: "rename_is_a_revision",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a, rule(doc, ruleDate, change(entitywatch.Revise, holdings)))}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{Revised: []diff.Revision{{
					Old: mustGet(t, s.a, "CN/alphaelectronicscoltd"),
					New: mustGet(t, s.b, "CN/alphaelectronicscoltd"),
					Fields: []diff.FieldChange{
						{Field: diff.FieldName, Old: []string{"Alpha Electronics Co., Ltd."}, New: []string{"Alpha Holdings"}},
						{Field: diff.FieldAliases, Old: []string{"Alpha EC"}, New: []string{"Alpha EC", "Alpha Electronics Co., Ltd."}},
						{Field: diff.FieldCitations, Old: []string{baseCitation}, New: []string{baseCitation, newCitation}},
					},
				}}}
			},
		},
		{
			name: "moves_followed_across_rules",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a,
					rule("2025-00001", feb, move("RU", gammaBY)),
					rule(doc, ruleDate, move("BY", gammaKZ)))}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{Moved: []diff.Revision{{
					Old: mustGet(t, s.a, "RU/gammajsc"),
					New: mustGet(t, s.b, "KZ/gammajsc"),
					Fields: []diff.FieldChange{
						{Field: diff.FieldCitations, Old: []string{baseCitation}, New: gammaKZ.Citations},
					},
				}}}
			},
		},
		{
			name: "added_and_removed_between_not_shown",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a,
					rule("2025-00001", feb, change(entitywatch.Add, eps)),
					rule(doc, ruleDate, removal("CN", eps.Name)))}
			},
			want: func(states) diff.Delta { return diff.Delta{} },
		},
		{
			name: "relisted_between_shows_fields",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a,
					rule("2025-00001", feb, removal("TW", delta.Name)),
					rule(doc, ruleDate, change(entitywatch.Add, cited(delta))))}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{Revised: []diff.Revision{{
					Old:    mustGet(t, s.a, "TW/deltacorporation"),
					New:    mustGet(t, s.b, "TW/deltacorporation"),
					Fields: []diff.FieldChange{{Field: diff.FieldCitations, Old: []string{baseCitation}, New: []string{baseCitation, newCitation}}},
				}}}
			},
		},
		{
			name: "partial_unknown_entries",
			setup: func(t *testing.T) states {
				return states{partial, mustApply(t, partial, rule(doc, ruleDate,
					change(entitywatch.Revise, newBeta), removal("TW", delta.Name), move("RU", gammaBY)))}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{
					Removed: []diff.Record{mustGet(t, s.b, "TW/deltacorporation")},
					Revised: []diff.Revision{{New: mustGet(t, s.b, "CN/betasystems")}},
					Moved:   []diff.Revision{{Old: mustGet(t, s.b, "RU/gammajsc"), New: mustGet(t, s.b, "BY/gammajsc")}},
				}
			},
		},
		{
			name: "unrelated_states",
			setup: func(t *testing.T) states {
				return states{a, newState(t, true,
					diff.Record{Entry: alpha}, diff.Record{Entry: beta}, diff.Record{Entry: cited(delta)}, diff.Record{Entry: eps})}
			},
			want: func(s states) diff.Delta {
				return diff.Delta{
					Added:   []diff.Record{mustGet(t, s.b, "CN/epsilonltd")},
					Removed: []diff.Record{mustGet(t, s.a, "RU/gammajsc")},
					Revised: []diff.Revision{{
						Old:    mustGet(t, s.a, "TW/deltacorporation"),
						New:    mustGet(t, s.b, "TW/deltacorporation"),
						Fields: []diff.FieldChange{{Field: diff.FieldCitations, Old: []string{baseCitation}, New: []string{baseCitation, newCitation}}},
					}},
				}
			},
		},
		{
			name: "ordered_by_destination_then_name",
			setup: func(t *testing.T) states {
				return states{a, mustApply(t, a, rule(doc, ruleDate,
					change(entitywatch.Add, entry("TW", "Zeta Ltd.")),
					change(entitywatch.Add, entry("CN", "zebra works")),
					change(entitywatch.Add, entry("CN", "Aardvark Co.")),
					change(entitywatch.Add, entry("BY", "Yotta LLC")),
					change(entitywatch.Add, entry("CN", "Beta Systems 2")),
				))}
			},
			want: func(s states) diff.Delta {
				var added []diff.Record
				for _, id := range []string{"BY/yottallc", "CN/aardvarkco", "CN/betasystems2", "CN/zebraworks", "TW/zetaltd"} {
					added = append(added, mustGet(t, s.b, id))
				}
				return diff.Delta{Added: added}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.setup(t)
			got := diff.Compare(s.a, s.b)
			if d := cmp.Diff(tt.want(s), got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Compare() (-want +got):\n%s", d)
			}
		})
	}
}
