package ingest

import "testing"

var (
	agencyCommerce = Agency{RawName: "DEPARTMENT OF COMMERCE", Name: "Commerce Department", ID: 54, Slug: "commerce-department"}
	agencyBIS      = Agency{RawName: "Bureau of Industry and Security", Name: "Industry and Security Bureau", ID: 241, ParentID: 54, Slug: BISAgencySlug}
	agencyITA      = Agency{RawName: "International Trade Administration", Name: "International Trade Administration", ID: 261, ParentID: 54, Slug: "international-trade-administration"}
)

func cfr(parts ...int) []CFRReference {
	var out []CFRReference
	for _, p := range parts {
		out = append(out, CFRReference{Title: 15, Part: p})
	}
	return out
}

func TestTouchesEntityList(t *testing.T) {
	bis := []Agency{agencyCommerce, agencyBIS}
	tests := []struct {
		name string
		m    DocumentMeta
		want bool
	}{
		// Real BIS titles of rules that changed the list.
		{"additions", DocumentMeta{Title: "Additions to the Entity List", Type: "Rule", Agencies: bis, CFRReferences: cfr(744)}, true},
		{"additions_of_entities", DocumentMeta{Title: "Additions of Entities to the Entity List", Type: "Rule", Agencies: bis, CFRReferences: cfr(744)}, true},
		{"removals", DocumentMeta{Title: "Entity List Removals", Type: "Rule", Agencies: bis, CFRReferences: cfr(744)}, true},
		{"revision_of_entry", DocumentMeta{Title: "Addition of Entities to and Revision of Entry on the Entity List", Type: "Rule", Agencies: bis}, true},
		{"modifications", DocumentMeta{Title: "Additions and Modifications to the Entity List", Type: "Rule", Agencies: bis}, true},
		{"bis_correcting_amendment", DocumentMeta{DocumentNumber: "2023-13196", Title: "Additions of Entities to the Entity List and Removal of Entity From the Entity List; Correction", Type: "Rule", Agencies: bis}, true},
		{"title_without_entity_list_cites_744", DocumentMeta{
			Title: "Implementation of Additional Sanctions Against Russia and Belarus Under the Export Administration Regulations (EAR) and Refinements to Existing Controls",
			Type:  "Rule", Agencies: bis, CFRReferences: cfr(734, 740, 744, 746, 774)}, true},
		{"affiliates_rule_abstract", DocumentMeta{
			Title:    "Expansion of End-User Controls To Cover Affiliates of Certain Listed Entities",
			Abstract: "In this interim final rule (IFR), the Bureau of Industry and Security (BIS) amends the Export Administration Regulations (EAR) to address diversion concerns involving entities on the Entity List and certain other restricted end users.",
			Type:     "Rule", Agencies: bis, CFRReferences: cfr(732, 734, 736, 744, 748)}, true},
		{"gpo_correction_without_cfr", DocumentMeta{DocumentNumber: "C1-2025-05427", Title: "Additions to the Entity List", Type: "Rule", Agencies: bis}, true},
		{"correction_of_other_parts", DocumentMeta{Title: "Export Administration Regulations; Technical Amendments", Type: "Rule", Agencies: bis, CFRReferences: cfr(740),
			CorrectionOf: "https://www.federalregister.gov/api/v1/documents/2025-05427.json"}, true},
		{"bis_rule_no_cfr_metadata", DocumentMeta{Title: "Revisions to License Exception ENC", Type: "Rule", Agencies: bis}, true},
		{"bis_rule_other_part_with_change_words", DocumentMeta{Title: "Revisions to the Unverified List", Type: "Rule", Agencies: bis, CFRReferences: cfr(740)}, true},
		{"unmatched_bis_agency_name", DocumentMeta{Title: "Additions to the Entity List", Agencies: []Agency{{RawName: "Bureau of Industry and Security"}}}, true},

		// Documents that cannot change the list.
		{"ita_notice", DocumentMeta{Title: "2,4-Dichlorophenoxyacetic Acid From the People's Republic of China: Final Affirmative Countervailing Duty Determination", Type: "Notice", Agencies: []Agency{agencyCommerce, agencyITA}}, false},
		{"bis_meeting_notice", DocumentMeta{Title: "Materials Technical Advisory Committee; Notice of Partially Closed Meeting", Type: "Notice", Agencies: []Agency{agencyBIS}}, false},
		{"bis_proposed_rule", DocumentMeta{Title: "Establishment of Reporting Requirements for the Development of Advanced Artificial Intelligence Models and Computing Clusters", Type: "Proposed Rule", Agencies: bis, CFRReferences: cfr(702)}, false},
		{"bis_rule_other_part", DocumentMeta{Title: "Adoption and Procedures of the Section 232 Automobile Parts Inclusions Process", Type: "Rule", Agencies: bis, CFRReferences: cfr(705)}, false},
		{"other_agency_rule_no_cfr", DocumentMeta{Title: "Unaccompanied Children Program Foundational Rule; Update to Accord With Statutory Requirements", Type: "Rule", Agencies: []Agency{{Name: "Children and Families Administration", Slug: "children-and-families-administration"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TouchesEntityList(tt.m); got != tt.want {
				t.Errorf("TouchesEntityList(%q) = %v, want %v", tt.m.Title, got, tt.want)
			}
		})
	}
}

func TestTouchesEntityListInspection(t *testing.T) {
	tests := []struct {
		name string
		d    PublicInspectionDoc
		want bool
	}{
		{"bis_entity_list_rule", PublicInspectionDoc{Title: "Additions to the Entity List", Type: "Rule", Agencies: []Agency{agencyBIS}}, true},
		{"bis_rule_any_title", PublicInspectionDoc{Title: "Implementation of Additional Sanctions Against Russia and Belarus", Type: "Rule", Agencies: []Agency{agencyBIS}}, true},
		{"bis_notice", PublicInspectionDoc{Title: "Sensors and Instrumentation Technical Advisory Committee; Notice of Partially Closed Meeting", Type: "Notice", Agencies: []Agency{agencyBIS}}, false},
		{"ita_notice", PublicInspectionDoc{Title: "2,4-Dichlorophenoxyacetic Acid From the People's Republic of China: Final Affirmative Countervailing Duty Determination", Type: "Notice", Agencies: []Agency{agencyITA}}, false},
		{"other_agency_names_entity_list", PublicInspectionDoc{Title: "Notice Regarding the Uyghur Forced Labor Prevention Act Entity List", Type: "Notice", Agencies: []Agency{{Name: "Homeland Security Department"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TouchesEntityListInspection(tt.d); got != tt.want {
				t.Errorf("TouchesEntityListInspection(%q) = %v, want %v", tt.d.Title, got, tt.want)
			}
		})
	}
}
