package ingest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const fixtureDir = "../fixtures/federalregister"

var fixtureNumbers = []string{"2023-03929", "2023-13196", "2023-25557", "2024-13148", "2025-00704", "2025-05426", "2025-05427"}

func TestDirSource_Search(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"wide_window", "2023-01-01", "2025-12-31", fixtureNumbers},
		{"empty_window", "2024-01-01", "2024-06-17", nil},
		{"address_rule", "2024-06-18", "2024-12-31", []string{"2024-13148"}},
		{"one_day", "2025-03-28", "2025-03-28", []string{"2025-05426", "2025-05427"}},
		{"window_edges_inclusive", "2023-02-27", "2023-11-17", []string{"2023-03929", "2023-13196", "2023-25557"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DirSource{Dir: fixtureDir}.Search(context.Background(), day(tt.from), day(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			var nums []string
			for _, m := range got {
				nums = append(nums, m.DocumentNumber)
				if !TouchesEntityList(m) {
					t.Errorf("%s: TouchesEntityList is false for a fixture rule", m.DocumentNumber)
				}
			}
			if diff := cmp.Diff(tt.want, nums); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDirSource_fixtures checks every fixture's metadata against its own
// XML: the document JSON and the full text must tell the same story.
func TestDirSource_fixtures(t *testing.T) {
	src := DirSource{Dir: fixtureDir}
	ctx := context.Background()
	for _, num := range fixtureNumbers {
		t.Run(num, func(t *testing.T) {
			m, err := src.Document(ctx, num)
			if err != nil {
				t.Fatal(err)
			}
			raw, format, err := src.FetchText(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(fixtureDir, num+".xml"))
			if err != nil {
				t.Fatal(err)
			}
			if format != "xml" || !bytes.Equal(raw, want) {
				t.Errorf("FetchText: format %q, %d bytes; want the fixture's %d bytes of XML", format, len(raw), len(want))
			}
			rule, err := ParseRule(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("ParseRule: %v", err)
			}
			if rule.DocumentNumber != "" && rule.DocumentNumber != num {
				t.Errorf("rule says document %q", rule.DocumentNumber)
			}
			if rule.Title != m.Title || rule.Action != m.Action {
				t.Errorf("title %q / action %q in the XML, %q / %q in the JSON", rule.Title, rule.Action, m.Title, m.Action)
			}
			if !rule.EffectiveDate.Equal(m.EffectiveOn.Time) {
				t.Errorf("effective %s in the XML, %s in the JSON", rule.EffectiveDate, m.EffectiveOn)
			}
			if !rule.PublicationDate.IsZero() && !rule.PublicationDate.Equal(m.PublicationDate.Time) {
				t.Errorf("published %s per the XML, %s per the JSON", rule.PublicationDate, m.PublicationDate)
			}
			if rule.RIN != "" && !strings.Contains(strings.Join(m.RegulationIDNumbers, " "), rule.RIN) {
				t.Errorf("RIN %q in the XML, %v in the JSON", rule.RIN, m.RegulationIDNumbers)
			}
			if rule.Summary != "" && rule.Summary != m.Abstract {
				t.Errorf("SUMMARY differs from abstract:\n%s\n%s", rule.Summary, m.Abstract)
			}
			if m.StartPage == 0 || m.EndPage < m.StartPage || !strings.HasSuffix(m.Citation, " FR "+strconv.Itoa(m.StartPage)) {
				t.Errorf("citation %q, pages %d-%d", m.Citation, m.StartPage, m.EndPage)
			}
		})
	}
}

func TestDirSource_Document(t *testing.T) {
	src := DirSource{Dir: fixtureDir}
	m, err := src.Document(context.Background(), "2025-05427")
	if err != nil {
		t.Fatal(err)
	}
	if m.Citation != "90 FR 14046" || m.StartPage != 14046 || m.EndPage != 14052 || m.EffectiveOn != day("2025-03-25") ||
		m.PublicationDate != day("2025-03-28") || m.FullTextXMLURL != "https://www.federalregister.gov/documents/full_text/xml/2025/03/28/2025-05427.xml" {
		t.Errorf("got %+v", m)
	}
	if _, err := src.Document(context.Background(), "2025-99999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing document: error %v", err)
	}
	for _, bad := range []string{"../../go.mod", "api/v1/documents/2025-05427", ""} {
		if _, err := src.Document(context.Background(), bad); err == nil {
			t.Errorf("Document(%q) did not fail", bad)
		}
	}
}

func TestDirSource_FetchText(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("documents/full_text/xml/2025/03/28/2025-00001.xml", "<RULE>mapped</RULE>")
	write("2025-00001.xml", "<RULE>flat</RULE>")
	write("2025-00002.xml", "<RULE>flat 2</RULE>")
	write("documents/full_text/html/2025/03/28/2025-00003.html", "<p>mapped html</p>")
	write("2025-00004.html", "<p>flat html</p>")
	outside := filepath.Join(t.TempDir(), "secret.xml")
	if err := os.WriteFile(outside, []byte("<SECRET/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "2025-00006.xml")); err != nil {
		t.Fatal(err)
	}
	const fr = "https://www.federalregister.gov/documents/full_text/"
	tests := []struct {
		name       string
		m          DocumentMeta
		want       string
		wantFormat string
		wantErr    error
	}{
		{"url_path_first", DocumentMeta{DocumentNumber: "2025-00001", FullTextXMLURL: fr + "xml/2025/03/28/2025-00001.xml"}, "<RULE>mapped</RULE>", "xml", nil},
		{"flat_xml", DocumentMeta{DocumentNumber: "2025-00002", FullTextXMLURL: fr + "xml/2025/03/28/2025-00002.xml", BodyHTMLURL: fr + "html/2025/03/28/2025-00002.html"}, "<RULE>flat 2</RULE>", "xml", nil},
		{"mapped_html", DocumentMeta{DocumentNumber: "2025-00003", FullTextXMLURL: fr + "xml/2025/03/28/2025-00003.xml", BodyHTMLURL: fr + "html/2025/03/28/2025-00003.html"}, "<p>mapped html</p>", "html", nil},
		{"flat_html", DocumentMeta{DocumentNumber: "2025-00004"}, "<p>flat html</p>", "html", nil},
		{"none", DocumentMeta{DocumentNumber: "2025-00005"}, "", "", ErrNotFound},
		{"url_escaping_dir", DocumentMeta{DocumentNumber: "2025-00005", FullTextXMLURL: "https://www.federalregister.gov/../../../../etc/passwd"}, "", "", ErrNotFound},
		{"symlink_out_of_dir", DocumentMeta{DocumentNumber: "2025-00006"}, "", "", nil},
		{"bad_number", DocumentMeta{DocumentNumber: "../2025-00001"}, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, format, err := DirSource{Dir: dir}.FetchText(context.Background(), tt.m)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("read %q (%s), want an error", raw, format)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(raw) != tt.want || format != tt.wantFormat {
				t.Errorf("got %q %q %v, want %q %q", raw, format, err, tt.want, tt.wantFormat)
			}
		})
	}
}

func TestDirSource_PublicInspection(t *testing.T) {
	docs, err := DirSource{Dir: fixtureDir}.PublicInspection(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 {
		t.Fatalf("%d documents, want 2", len(docs))
	}
	d := docs[0]
	want := PublicInspectionDoc{
		DocumentNumber: "2025-05427", Title: "Additions to the Entity List", Type: "Rule", FiledAt: "2025-03-25T20:15:00Z",
		PDFURL: "https://public-inspection.federalregister.gov/2025-05427.pdf", RawTextURL: "https://www.federalregister.gov/public-inspection/raw_text/202/505/427.txt",
		HTMLURL: "https://www.federalregister.gov/public-inspection/2025-05427/additions-to-the-entity-list", PublicationDate: day("2025-03-28"),
		Agencies: []Agency{{RawName: "Bureau of Industry and Security", Name: "Industry and Security Bureau", ID: 241, ParentID: 54, Slug: BISAgencySlug,
			URL: "https://www.federalregister.gov/agencies/industry-and-security-bureau", JSONURL: "https://www.federalregister.gov/api/v1/agencies/241"}},
		SpecialFiling: true,
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("first document (-want +got):\n%s", diff)
	}
	if !TouchesEntityListInspection(docs[0]) || TouchesEntityListInspection(docs[1]) {
		t.Errorf("filter keeps %v / %v, want the BIS rule only", TouchesEntityListInspection(docs[0]), TouchesEntityListInspection(docs[1]))
	}

	none, err := DirSource{Dir: t.TempDir()}.PublicInspection(context.Background())
	if err != nil || len(none) != 0 {
		t.Errorf("no current.json: %v, %v", none, err)
	}
}
