package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/entitywatch/entitywatch"
)

const inspectionText = `DEPARTMENT OF COMMERCE
Bureau of Industry and Security
15 CFR Part 744
[Docket No. 250324-0047]
RIN 0694-AK08
Additions to the Entity List
AGENCY: Bureau of Industry and Security, Department of Commerce.
ACTION: Final rule.
SUMMARY: In this rule, the Bureau of Industry and Security (BIS) amends the
Export Administration Regulations (EAR) by adding 12 entities to the Entity
List, under the destinations of China, People's Republic of (China) (11) and
Taiwan (1).
DATES: This rule is effective March 25, 2025.
`

func TestInspectionCounts(t *testing.T) {
	got, ok := InspectionCounts([]byte(inspectionText))
	want := entitywatch.SummaryCounts{Entities: 12, ByDestination: map[string]int{"CN": 11, "TW": 1}}
	if !ok {
		t.Fatal("no SUMMARY found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if _, ok := InspectionCounts([]byte("no summary here")); ok {
		t.Errorf("counts found in a text without SUMMARY")
	}
}

func TestClient_FetchInspectionText(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/public-inspection/raw_text/202/505/427.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(inspectionText))
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/api/v1", APIRate: -1, DocRate: -1}
	got, err := c.FetchInspectionText(context.Background(), PublicInspectionDoc{DocumentNumber: "2025-05427", RawTextURL: srv.URL + "/public-inspection/raw_text/202/505/427.txt"})
	if err != nil || string(got) != inspectionText {
		t.Fatalf("text %q, err %v", got, err)
	}
	if _, err := c.FetchInspectionText(context.Background(), PublicInspectionDoc{DocumentNumber: "2025-05427", RawTextURL: "https://elsewhere.example/x.txt"}); err == nil {
		t.Errorf("a foreign host was fetched")
	}
	d := DirSource{Dir: "../fixtures/federalregister"}
	text, err := d.FetchInspectionText(context.Background(), PublicInspectionDoc{DocumentNumber: "2025-05427", RawTextURL: "https://www.federalregister.gov/public-inspection/raw_text/202/505/427.txt"})
	if err != nil {
		t.Fatalf("fixture inspection text: %v", err)
	}
	if counts, ok := InspectionCounts(text); !ok || counts.ByDestination["CN"] != 11 {
		t.Errorf("fixture counts %+v", counts)
	}
	if _, err := d.FetchInspectionText(context.Background(), PublicInspectionDoc{DocumentNumber: "2025-99999"}); err == nil {
		t.Errorf("text of a document the folder lacks")
	}
}
