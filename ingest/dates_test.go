package ingest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
)

func TestDateExceptions(t *testing.T) {
	instrs := []entitywatch.Instruction{
		{Label: "11", Text: "11. Supplement No. 4 to part 744 is amended:"},
		{Label: "11.a", Clauses: []entitywatch.Clause{{Action: entitywatch.Add}}},
		{Label: "11.b", Clauses: []entitywatch.Clause{{Action: entitywatch.Add}}},
	}
	split := []entitywatch.Instruction{
		{Label: "3.a", Clauses: []entitywatch.Clause{{Action: entitywatch.Add}}},
		{Label: "4.a", Clauses: []entitywatch.Clause{{Action: entitywatch.Remove}}},
	}
	general := entitywatch.Date{Time: time.Date(2024, 6, 12, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name     string
		dates    string
		instrs   []entitywatch.Instruction
		want     string // effective date after; "" means an error
		warnings int
	}{
		{"no_exception", "This rule is effective June 12, 2024.", instrs, "2024-06-12", 0},
		// 2024-13148: instruction 14 is not the Entity List's.
		{"other_instruction", "This rule is effective June 12, 2024, except for amendatory instruction 14, which is effective September 16, 2024.", instrs, "2024-06-12", 0},
		{"entity_list_instruction", "This rule is effective June 12, 2024, except for amendatory instructions 9 and 11, which are effective July 1, 2024.", instrs, "2024-07-01", 1},
		{"split_entity_list", "This rule is effective June 12, 2024, except for instruction 4, which is effective July 1, 2024.", split, "", 0},
		{"untied_entity_list", "This rule is effective June 12, 2024, except for the amendments to supplement no. 4 to part 744, which are effective July 1, 2024.", instrs, "", 0},
		{"untied_other", "This rule is effective June 12, 2024, except for the amendment to § 746.8, which is effective July 1, 2024.", instrs, "2024-06-12", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := &entitywatch.Rule{EffectiveDate: general}
			var warnings []string
			err := dateExceptions(tt.dates, tt.instrs, rule, func(f string, a ...any) { warnings = append(warnings, f) })
			if tt.want == "" {
				if !errors.Is(err, entitywatch.ErrUnaccounted) {
					t.Fatalf("err = %v, want ErrUnaccounted", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rule.EffectiveDate.String(); got != tt.want || len(warnings) != tt.warnings {
				t.Errorf("effective %s with %d warnings %q, want %s with %d", got, len(warnings), warnings, tt.want, tt.warnings)
			}
		})
	}
}

// TestCrossCheck_Order: warnings come in destination-code order, never in
// map order, so the same rule always reads the same.
func TestCrossCheck_Order(t *testing.T) {
	add := func(code string) entitywatch.Change {
		return entitywatch.Change{Action: entitywatch.Add, Entry: entitywatch.Entry{CountryCode: code}}
	}
	rule := &entitywatch.Rule{
		SummaryCounts: entitywatch.SummaryCounts{ByDestination: map[string]int{"PK": 2, "CN": 1, "AE": 3, "TW": 1}},
		Changes:       []entitywatch.Change{add("TW"), add("ZA"), add("IR"), add("HK")},
	}
	want := []string{
		"SUMMARY states 3 additions under AE; the rule adds 0",
		"SUMMARY states 1 additions under CN; the rule adds 0",
		"SUMMARY states 2 additions under PK; the rule adds 0",
		"the rule adds 1 entries under HK, which the SUMMARY does not count",
		"the rule adds 1 entries under IR, which the SUMMARY does not count",
		"the rule adds 1 entries under ZA, which the SUMMARY does not count",
	}
	for range 20 {
		var got []string
		crossCheck(rule, func(f string, a ...any) { got = append(got, fmt.Sprintf(f, a...)) })
		if !slices.Equal(got, want) {
			t.Fatalf("warnings\n%q\nwant\n%q", got, want)
		}
	}
}
