package ingest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// realDocument is documents/2025-05887.json as the API served it (a
// Commerce notice: action and effective_on null, no CFR references),
// shortened to the fields DocumentMeta reads plus a few it ignores.
const realDocument = `{
  "abstract": "The U.S. Department of Commerce (Commerce) determines that countervailable subsidies are being provided to producers and exporters of 2,4-dichlorophenoxyacetic acid (2,4-D) from the People's Republic of China (China).",
  "action": null,
  "agencies": [
    {"raw_name": "DEPARTMENT OF COMMERCE", "name": "Commerce Department", "id": 54, "url": "https://www.federalregister.gov/agencies/commerce-department", "json_url": "https://www.federalregister.gov/api/v1/agencies/54", "parent_id": null, "slug": "commerce-department"},
    {"raw_name": "International Trade Administration", "name": "International Trade Administration", "id": 261, "url": "https://www.federalregister.gov/agencies/international-trade-administration", "json_url": "https://www.federalregister.gov/api/v1/agencies/261", "parent_id": 54, "slug": "international-trade-administration"}
  ],
  "body_html_url": "https://www.federalregister.gov/documents/full_text/html/2025/04/07/2025-05887.html",
  "cfr_references": [],
  "citation": "90 FR 14957",
  "comment_url": null,
  "correction_of": null,
  "corrections": [],
  "dates": "Applicable April 7, 2025.",
  "docket_ids": ["C-570-161"],
  "document_number": "2025-05887",
  "effective_on": null,
  "end_page": 14959,
  "full_text_xml_url": "https://www.federalregister.gov/documents/full_text/xml/2025/04/07/2025-05887.xml",
  "html_url": "https://www.federalregister.gov/documents/2025/04/07/2025-05887/24-dichlorophenoxyacetic-acid-from-the-peoples-republic-of-china-final-affirmative-countervailing",
  "images": {},
  "json_url": "https://www.federalregister.gov/api/v1/documents/2025-05887?publication_date=2025-04-07",
  "page_views": {"count": 15, "last_updated": "2025-04-06 20:15:04 -0400"},
  "pdf_url": "https://www.govinfo.gov/content/pkg/FR-2025-04-07/pdf/2025-05887.pdf",
  "public_inspection_pdf_url": "https://public-inspection.federalregister.gov/2025-05887.pdf?1743770708",
  "publication_date": "2025-04-07",
  "raw_text_url": "https://www.federalregister.gov/documents/full_text/text/2025/04/07/2025-05887.txt",
  "regulation_id_numbers": [],
  "start_page": 14957,
  "title": "2,4-Dichlorophenoxyacetic Acid From the People's Republic of China: Final Affirmative Countervailing Duty Determination",
  "type": "Notice",
  "volume": 90
}`

func TestDocumentMeta_UnmarshalJSON(t *testing.T) {
	var m DocumentMeta
	if err := json.Unmarshal([]byte(realDocument), &m); err != nil {
		t.Fatal(err)
	}
	if m.DocumentNumber != "2025-05887" || m.PublicationDate != day("2025-04-07") || !m.EffectiveOn.IsZero() || m.Action != "" ||
		m.StartPage != 14957 || m.EndPage != 14959 || len(m.Agencies) != 2 || m.Agencies[1].ParentID != 54 || m.Agencies[0].ParentID != 0 ||
		m.DocketIDs[0] != "C-570-161" || m.CorrectionOf != "" || TouchesEntityList(m) {
		t.Errorf("decoded %+v", m)
	}

	// What DocumentMeta writes, it reads back (a zero date is written "").
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back DocumentMeta
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	if err := json.Unmarshal([]byte(`{"publication_date":"28/03/2025"}`), &m); err == nil {
		t.Error("a malformed date was accepted")
	}
}

func TestCFRReference_UnmarshalJSON(t *testing.T) {
	tests := []struct {
		in   string
		want CFRReference
	}{
		{`{"title": 15, "part": 744, "chapter": null, "citation_url": null}`, CFRReference{Title: 15, Part: 744}},
		{`{"chapter": null, "part": "1010", "title": 31}`, CFRReference{Title: 31, Part: 1010}},
		{`{"title": 15, "part": 744, "chapter": "VII", "citation_url": "https://www.federalregister.gov/select-citation/2025/03/28/15-CFR-744"}`,
			CFRReference{Title: 15, Part: 744, Chapter: "VII", CitationURL: "https://www.federalregister.gov/select-citation/2025/03/28/15-CFR-744"}},
		{`{"title": "15", "part": null, "chapter": 7}`, CFRReference{Title: 15, Chapter: "7"}},
	}
	for _, tt := range tests {
		var got CFRReference
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestPublicInspectionDoc_UnmarshalJSON(t *testing.T) {
	var d PublicInspectionDoc
	in := `{"document_number":"2025-05427","title":"Additions to the Entity List  ","filing_type":"special","publication_date":null}`
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	if d.Title != "Additions to the Entity List" || !d.SpecialFiling || !d.PublicationDate.IsZero() {
		t.Errorf("decoded %+v", d)
	}
}
