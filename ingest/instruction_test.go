package ingest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/entitywatch/entitywatch"
)

func TestClauses(t *testing.T) {
	h := newHeadingIndex()
	cl := func(a entitywatch.Action, country, code string, names ...string) entitywatch.Clause {
		return entitywatch.Clause{Action: a, Country: country, CountryCode: code, Names: names}
	}
	tests := []struct {
		name string
		text string
		want []entitywatch.Clause
	}{
		{"semicolons_inside_quotes", "Under CHINA, PEOPLE'S REPUBLIC OF, by adding in alphabetical order, entries for “A Co., Ltd.;” “B Inc.;” and “C”;",
			[]entitywatch.Clause{cl(entitywatch.Add, "CHINA, PEOPLE'S REPUBLIC OF", "CN", "A Co., Ltd.", "B Inc.", "C")}},
		{"semicolons_outside_quotes", "Under RUSSIA, by adding, in alphabetical order, entries for “Dexias”; “Innovation LLC”; and “ Promtekhkomplekt JSC”.",
			[]entitywatch.Clause{cl(entitywatch.Add, "RUSSIA", "RU", "Dexias", "Innovation LLC", "Promtekhkomplekt JSC")}},
		{"destination_after_verb", "Supplement No. 4 to part 744 is amended by adding under PAKISTAN, in alphabetical order, entries for “A” and “B”.",
			[]entitywatch.Clause{cl(entitywatch.Add, "PAKISTAN", "PK", "A", "B")}},
		{"destination_of_lower_case", "by removing, under the destination of China, the entries for “A” and “B”.",
			[]entitywatch.Clause{cl(entitywatch.Remove, "China", "CN", "A", "B")}},
		{"trailing_destination", "By adding an entry for “A” under the destination of UNITED ARAB EMIRATES.",
			[]entitywatch.Clause{cl(entitywatch.Add, "UNITED ARAB EMIRATES", "AE", "A")}},
		{"two_clauses_one_destination", "Under IRAN, by removing the entry for “A”; and by revising the entry for “B”;",
			[]entitywatch.Clause{cl(entitywatch.Remove, "IRAN", "IR", "A"), cl(entitywatch.Revise, "IRAN", "IR", "B")}},
		{"two_destinations", "Under CHINA, by adding an entry for “A”; and under TAIWAN, by adding an entry for “B”.",
			[]entitywatch.Clause{cl(entitywatch.Add, "CHINA", "CN", "A"), cl(entitywatch.Add, "TAIWAN", "TW", "B")}},
		{"move_with_pronoun", "Under CHINA, by removing the entry for “A Ltd.” and adding it under HONG KONG.",
			[]entitywatch.Clause{cl(entitywatch.Remove, "CHINA", "CN", "A Ltd."), cl(entitywatch.Add, "HONG KONG", "HK", "A Ltd.")}},
		{"move_from_to", "By moving the entry for “A Ltd.” from the destination of CHINA, PEOPLE'S REPUBLIC OF to HONG KONG.",
			[]entitywatch.Clause{{Action: entitywatch.Move, Country: "HONG KONG", CountryCode: "HK", Names: []string{"A Ltd."}, FromCountry: "CHINA, PEOPLE'S REPUBLIC OF", FromCountryCode: "CN"}}},
		{"several_destinations_one_clause", "By adding, in alphabetical order, entries for “Spacety Co., Ltd.” under the destinations of CHINA, PEOPLE'S REPUBLIC OF, and LUXEMBOURG.",
			[]entitywatch.Clause{cl(entitywatch.Add, "CHINA, PEOPLE'S REPUBLIC OF", "CN", "Spacety Co., Ltd."), cl(entitywatch.Add, "LUXEMBOURG", "LU", "Spacety Co., Ltd.")}},
		{"nested_single_quotes", "Under RUSSIA, by adding an entry for “Scientific-Production Enterprise ‘Kant’”;",
			[]entitywatch.Clause{cl(entitywatch.Add, "RUSSIA", "RU", "Scientific-Production Enterprise ‘Kant’")}},
		{"nested_double_quotes", "Under RUSSIA, by adding an entry for “Joint Stock Company “Kant””; and “B”.",
			[]entitywatch.Clause{cl(entitywatch.Add, "RUSSIA", "RU", "Joint Stock Company “Kant”", "B")}},
		{"straight_quotes", `Under INDIA, by revising the entry for "Bharat Dynamics Limited";`,
			[]entitywatch.Clause{cl(entitywatch.Revise, "INDIA", "IN", "Bharat Dynamics Limited")}},
		{"sentence_period_inside_quote", "Under TAIWAN, by adding in alphabetical order, an entry for “Inspur Taiwan.”",
			[]entitywatch.Clause{cl(entitywatch.Add, "TAIWAN", "TW", "Inspur Taiwan")}},
		{"revise_with_detail", "Under PAKISTAN, by revising the entry for “A” to add an alias and an address;",
			[]entitywatch.Clause{{Action: entitywatch.Revise, Country: "PAKISTAN", CountryCode: "PK", Names: []string{"A"}, ChangedFields: []string{"aliases", "addresses"}}}},
		{"amending_is_revising", "Under CHINA, by amending the entry for “A”.",
			[]entitywatch.Clause{cl(entitywatch.Revise, "CHINA", "CN", "A")}},
		{"curly_apostrophe_heading", "Under CHINA, PEOPLE’S REPUBLIC OF, by adding an entry for “A”.",
			[]entitywatch.Clause{cl(entitywatch.Add, "CHINA, PEOPLE’S REPUBLIC OF", "CN", "A")}},
		{"header_paragraph", "Supplement No. 4 to part 744 is amended:", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := h.tokenize(tt.text)
			if err != nil {
				t.Fatalf("tokenize: %v", err)
			}
			got, err := clauses(toks, nil)
			if err != nil {
				t.Fatalf("clauses: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("clauses(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestClauses_Errors(t *testing.T) {
	h := newHeadingIndex()
	tests := []struct{ name, text string }{
		{"no_destination", "By adding an entry for “A”."},
		{"name_before_action", "“A” is hereby listed under CHINA."},
		{"unknown_destination", "Under ATLANTIS, by adding an entry for “A”."},
		{"unclosed_quote", "Under CHINA, by adding an entry for “A."},
		{"stray_closing_quote", "Under CHINA, by adding an entry for A”."},
		{"verb_without_names", "Under CHINA, by removing the entry."},
		{"move_without_origin", "By moving the entry for “A” to HONG KONG."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := h.tokenize(tt.text)
			if err == nil {
				_, err = clauses(toks, nil)
			}
			if err == nil {
				t.Errorf("%q: no error", tt.text)
			}
		})
	}
}

func TestSummaryCounts(t *testing.T) {
	tests := []struct {
		name    string
		summary string
		want    entitywatch.SummaryCounts
	}{
		{"entities_by_destination", "In this rule, the Bureau of Industry and Security (BIS) amends the Export Administration Regulations (EAR) by adding 12 entities to the Entity List, under the destinations of China, People's Republic of (China) (11) and Taiwan (1). These entities have been determined by the U.S. Government to be acting contrary to the national security or foreign policy interests of the United States.",
			entitywatch.SummaryCounts{Entities: 12, ByDestination: map[string]int{"CN": 11, "TW": 1}}},
		{"entities_under_entries", "The Department of Commerce is amending the EAR by adding 10 entities under 13 entries to the Entity List. These entities have been determined by the U.S. Government to be acting contrary to U.S. interests. These entities are listed on the Entity List under the destinations of Canada (2), China (5), France (1), Luxembourg (1), Netherlands (1), and Russia (3).",
			entitywatch.SummaryCounts{Entities: 10, Entries: 13, ByDestination: map[string]int{"CA": 2, "CN": 5, "FR": 1, "LU": 1, "NL": 1, "RU": 3}}},
		{"words_and_revisions", "The Department of Commerce is amending the EAR by adding thirty-six entities to the Entity List under the destinations of the People's Republic of China (China) (35) and Japan (1). This rule also revises three entries on the Entity List under the destination of China.",
			entitywatch.SummaryCounts{Entities: 36, Revised: 3, ByDestination: map[string]int{"CN": 35, "JP": 1}}},
		{"revises_one", "BIS amends the EAR by adding 11 entities under 11 entries to the Entity List. These entries are listed on the Entity List under the destination of China, People's Republic of (China) (11). This rule also revises one existing entry on the Entity List under the destination of India.",
			entitywatch.SummaryCounts{Entities: 11, Entries: 11, Revised: 1, ByDestination: map[string]int{"CN": 11}}},
		{"removal", "In this final rule, BIS amends the EAR by removing one entity from the Entity List under the destination of China.",
			entitywatch.SummaryCounts{Removed: 1}},
		{"an_entity", "The Department of Commerce is amending the EAR by adding an inadvertently omitted entity to the Entity List.",
			entitywatch.SummaryCounts{Entities: 1}},
		{"other_lists_not_counted", "BIS amends the EAR by adding nine entities to the Unverified List (UVL) under the destinations of China (5) and Russia (4). This rule also adds two entities to the Entity List under the destination of Pakistan (2). These entities have been determined to be acting contrary to U.S. interests.",
			entitywatch.SummaryCounts{Entities: 2, ByDestination: map[string]int{"PK": 2}}},
		{"uae_abbreviation", "BIS is adding four entities under the destinations of the United Arab Emirates (UAE) (3) and Turkey (1).",
			entitywatch.SummaryCounts{Entities: 4, ByDestination: map[string]int{"AE": 3, "TR": 1}}},
		// 2024-13148, 89 FR 51644: addresses counted apart from entities.
		{"entities_and_addresses", "This final rule also amends the EAR by adding five entities and eight addresses to the Entity List and making changes to the Entity List structure. These entries are listed on the Entity List under the destinations of the People's Republic of China (China) and Russia and have been determined by the U.S. Government to be acting contrary to the national security or foreign policy interests of the United States.",
			entitywatch.SummaryCounts{Entities: 5, Addresses: 8}},
		{"addresses_only", "BIS amends the EAR by adding three addresses to the Entity List under the destination of China (3).",
			entitywatch.SummaryCounts{Addresses: 3, ByDestination: map[string]int{"CN": 3}}},
		{"entities_then_entries_and_addresses", "BIS is adding 20 entities under 21 entries, and four addresses, to the Entity List.",
			entitywatch.SummaryCounts{Entities: 20, Entries: 21, Addresses: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warnings []string
			got := summaryCounts(tt.summary, func(f string, a ...any) { warnings = append(warnings, f) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("summaryCounts (-want +got):\n%s", diff)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %q", warnings)
			}
		})
	}
}

func TestSplitEntity(t *testing.T) {
	li := string(liMark)
	tests := []struct {
		name, raw, entityName string
		want                  entityText
	}{
		{"name_and_address", "Gulf Gate Sea Cargo LLC, Gulzaad Market Building, Dubai, U.A.E.", "Gulf Gate Sea Cargo LLC",
			entityText{name: "Gulf Gate Sea Cargo LLC", addresses: []string{"Gulzaad Market Building, Dubai, U.A.E."}}},
		{"abbreviation_period_before_comma", "Nettrix Information Industry Co., Ltd., No. 5 Road, Tianjin, China.", "Nettrix Information Industry Co., Ltd",
			entityText{name: "Nettrix Information Industry Co., Ltd.", addresses: []string{"No. 5 Road, Tianjin, China"}}},
		{"aliases_with_li", "AOOK Technology Ltd., a.k.a., the following two aliases:" + li + "—AOOK; and" + li + li + "—AOOK Electronics." + li + li + "Rm 803 Chevalier Building, Hong Kong, China." + li, "AOOK Technology Ltd",
			entityText{name: "AOOK Technology Ltd.", aliases: []string{"AOOK", "AOOK Electronics"}, addresses: []string{"Rm 803 Chevalier Building, Hong Kong, China"}}},
		{"aliases_flattened", "Spacety Co., Ltd., a.k.a., the following three aliases:  —Changsha Tianyi Institute;  —Spacety; and  —Spacety Luxembourg S.A.  9 Dengzhuang South Rd Beijing, Beijing China; and Room 445, 9th Floor, Beijing China. (See alternate address under Luxembourg).", "Spacety Co., Ltd",
			entityText{name: "Spacety Co., Ltd.", aliases: []string{"Changsha Tianyi Institute", "Spacety", "Spacety Luxembourg S.A."}, addresses: []string{"9 Dengzhuang South Rd Beijing, Beijing China", "Room 445, 9th Floor, Beijing China"}, seeAlso: []string{"See alternate address under Luxembourg"}}},
		{"last_alias_abbreviation_then_address_no", "X Co., a.k.a., the following one alias:  —X Trading Co., Ltd.  No. 2 Road, Beijing, China.", "X Co",
			entityText{name: "X Co.", aliases: []string{"X Trading Co., Ltd."}, addresses: []string{"No. 2 Road, Beijing, China"}}},
		{"parenthetical_after_name", "Beijing Academy of Artificial Intelligence (BAAI), a.k.a., the following one alias:  —Zhiyuan.  No. 150 Chengfu Road, Beijing, China.", "Beijing Academy of Artificial Intelligence",
			entityText{name: "Beijing Academy of Artificial Intelligence (BAAI)", aliases: []string{"Zhiyuan"}, addresses: []string{"No. 150 Chengfu Road, Beijing, China"}}},
		{"hyphen_items_no_count", "Old Co., a.k.a., the following aliases:" + li + "-Old Trading; and" + li + li + "-Old Export." + li + li + "12 Main Street, Karachi, Pakistan." + li, "Old Co",
			entityText{name: "Old Co.", aliases: []string{"Old Trading", "Old Export"}, addresses: []string{"12 Main Street, Karachi, Pakistan"}}},
		{"address_only", "Address: Room 1, 1/F, Example Building, Kowloon, Hong Kong.", "Address: Room 1, 1/F, Example Building, Kowloon, Hong Kong",
			entityText{name: "Address: Room 1, 1/F, Example Building, Kowloon, Hong Kong"}},
		{"list_named_entry", "The following Department of Atomic Energy entities: —Nuclear reactors; and —Heavy water production facilities.", "The following Department of Atomic Energy entities",
			entityText{name: "The following Department of Atomic Energy entities: —Nuclear reactors; and —Heavy water production facilities"}},
	}
	m := newMatcher()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end := nameEnd(tt.raw, m.prefixEnd(tt.raw, m.key(tt.entityName)))
			if end < 0 {
				t.Fatalf("name %q not found in %q", tt.entityName, tt.raw)
			}
			got, err := splitEntity(tt.raw, end, -1)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(entityText{})); diff != "" {
				t.Errorf("splitEntity (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCitations(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].", []string{"88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]"}},
		{"90 FR [INSERT FR PAGE NUMBER], 3/28/2025.", []string{"90 FR [INSERT FR PAGE NUMBER], 3/28/2025"}},
		{"84 FR 22964, 5/21/19; 85 FR 29852, 5/19/20. 90 FR [INSERT FR PAGE NUMBER] 3/25/25.", []string{"84 FR 22964, 5/21/19", "85 FR 29852, 5/19/20", "90 FR [INSERT FR PAGE NUMBER] 3/25/25"}},
		{"87 FR 77508, 12/19/22.", []string{"87 FR 77508, 12/19/22"}},
		{"none here", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, citations(tt.in)); diff != "" {
			t.Errorf("citations(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
