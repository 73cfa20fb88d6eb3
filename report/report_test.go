package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// generated is the fixed generation time of the golden reports.
var generated = time.Date(2025, time.March, 31, 12, 0, 0, 0, time.UTC)

// frMeta is what the FR API says of a fixture document.
type frMeta struct {
	Citation        string           `json:"citation"`
	PublicationDate entitywatch.Date `json:"publication_date"`
}

// marchRules applies the two rules of 2025-W13 (2025-05426 and
// 2025-05427, both effective 2025-03-25) to a partial list the way the
// store does, and returns them as report input.
//
// The list starts with the four Dart Aviation entries 2025-05426 revises,
// as they stood before it: the rule's own entries without the citation it
// adds. (Their earlier text is not in the fixtures; the citation is the
// one difference certain.) So the report shows a revision old -> new.
func marchRules(t *testing.T) []report.Rule {
	t.Helper()
	var parsed []*entitywatch.Rule
	for _, number := range []string{"2025-05426", "2025-05427"} {
		raw, err := os.ReadFile(filepath.Join("..", "fixtures", "federalregister", number+".xml"))
		if err != nil {
			t.Fatal(err)
		}
		rule, err := ingest.ParseRule(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("parse %s: %v", number, err)
		}
		parsed = append(parsed, rule)
	}
	var prior []diff.Record
	for _, c := range parsed[0].Changes {
		if c.Action == entitywatch.Revise {
			e := c.Entry
			e.Citations = slices.Clone(e.Citations[:len(e.Citations)-1])
			e.Source = nil
			prior = append(prior, diff.Record{Entry: e})
		}
	}
	if len(prior) != 4 {
		t.Fatalf("2025-05426 revises %d entries, want 4", len(prior))
	}
	state, err := diff.NewState(entitywatch.NewDate(2025, time.March, 1), false, prior)
	if err != nil {
		t.Fatal(err)
	}
	var rules []report.Rule
	for _, rule := range parsed {
		next, changes, _, err := diff.Apply(state, rule)
		if err != nil {
			t.Fatalf("apply %s: %v", rule.DocumentNumber, err)
		}
		meta := readMeta(t, rule.DocumentNumber)
		r := report.Rule{
			Document: rule.DocumentNumber, Title: rule.Title, Citation: meta.Citation,
			URL:       "https://www.federalregister.gov/d/" + rule.DocumentNumber,
			Published: meta.PublicationDate, Effective: rule.EffectiveDate,
		}
		for _, c := range changes {
			rc := report.Change{Change: c}
			if c.Action == entitywatch.Revise {
				if old, ok := state.Get(c.ID); ok {
					for _, f := range diff.Fields(old.Entry, c.Entry) {
						rc.Fields = append(rc.Fields, report.FieldChange{Field: f.Field, Old: f.Old, New: f.New})
					}
				}
			}
			r.Changes = append(r.Changes, rc)
		}
		rules = append(rules, r)
		state = next
	}
	// Give Build the rules out of order: it sorts them.
	slices.Reverse(rules)
	return rules
}

func readMeta(t *testing.T, number string) frMeta {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "fixtures", "federalregister", "api", "v1", "documents", number+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m frMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s.json: %v", number, err)
	}
	return m
}

func marchReport(t *testing.T) report.Report {
	t.Helper()
	from, to, err := report.ISOWeek("2025-W13")
	if err != nil {
		t.Fatal(err)
	}
	return report.Build(from, to, "", marchRules(t), generated)
}

func render(t *testing.T, r report.Report, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "md":
		err = r.Markdown(&b)
	case "html":
		err = r.HTML(&b)
	case "csv":
		err = r.CSV(&b)
	case "json":
		err = r.JSON(&b)
	case "xlsx":
		err = r.XLSX(&b)
	default:
		t.Fatalf("no format %q", format)
	}
	if err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	return want
}

func TestReport_Golden(t *testing.T) {
	r := marchReport(t)
	for _, format := range []string{"md", "html", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			got := render(t, r, format)
			want := golden(t, "march-2025."+format, got)
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s report differs from testdata/march-2025.%s (-want +got):\n%s", format, format, d)
			}
			// Rendering twice gives the same bytes.
			if again := render(t, r, format); !bytes.Equal(again, got) {
				t.Errorf("%s report is not deterministic", format)
			}
		})
	}
	t.Run("xlsx", func(t *testing.T) {
		got := render(t, r, "xlsx")
		want := golden(t, "march-2025.xlsx", got)
		if d := cmp.Diff(xlsxCells(t, want), xlsxCells(t, got)); d != "" {
			t.Errorf("xlsx cells differ from testdata/march-2025.xlsx (-want +got):\n%s", d)
		}
	})
}

// xlsxCells reads a workbook back: every sheet's cell values by row.
func xlsxCells(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open xlsx: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("sheet %s: %v", sheet, err)
		}
		out[sheet] = rows
	}
	return out
}

func TestReport_Totals(t *testing.T) {
	r := marchReport(t)
	if r.Label != "2025-W13" {
		t.Errorf("label %q, want 2025-W13", r.Label)
	}
	got := r.Totals
	if got.Changes != 86 || got.Added != 82 || got.Revised != 4 || got.Removed != 0 || got.Moved != 0 {
		t.Errorf("totals %+v, want 86 changes: 82 added, 4 revised", got)
	}
	// 2025-05426: CN 42, IR 2, PK 19, ZA 3, AE 4, and Dart Aviation
	// revised under FR, IR, SN, GB; 2025-05427: CN 11, TW 1.
	want := map[string][2]int{"CN": {53, 0}, "PK": {19, 0}, "AE": {4, 0}, "IR": {2, 1}, "ZA": {3, 0}, "FR": {0, 1}, "GB": {0, 1}, "SN": {0, 1}, "TW": {1, 0}}
	gotBy := map[string][2]int{}
	for _, d := range got.ByDestination {
		gotBy[d.CountryCode] = [2]int{d.Added, d.Revised}
		if d.Total != d.Added+d.Revised {
			t.Errorf("%s: total %d", d.CountryCode, d.Total)
		}
	}
	if d := cmp.Diff(want, gotBy); d != "" {
		t.Errorf("by destination (-want +got):\n%s", d)
	}
	var order []string
	for _, d := range got.ByDestination {
		order = append(order, d.CountryCode)
	}
	if d := cmp.Diff([]string{"CN", "PK", "AE", "IR", "ZA", "FR", "GB", "SN", "TW"}, order); d != "" {
		t.Errorf("destinations not by count, then code (-want +got):\n%s", d)
	}
	if r.Rules[0].Document != "2025-05426" || r.Rules[1].Document != "2025-05427" {
		t.Errorf("rules in order %s, %s", r.Rules[0].Document, r.Rules[1].Document)
	}
}

// TestReport_Revision checks that a revision shows what changed, old ->
// new, in every format.
func TestReport_Revision(t *testing.T) {
	r := marchReport(t)
	var dart *report.Change
	for i, c := range r.Rules[0].Changes {
		if c.Action == entitywatch.Revise && c.CountryCode == "FR" {
			dart = &r.Rules[0].Changes[i]
		}
	}
	if dart == nil {
		t.Fatal("no revision under FRANCE in 2025-05426")
	}
	want := []report.FieldChange{{
		Field: "citations",
		Old:   []string{"84 FR 61541, 11/13/19"},
		New:   []string{"84 FR 61541, 11/13/19", "90 FR [INSERT FR PAGE NUMBER], 3/28/2025"},
	}}
	if d := cmp.Diff(want, dart.Fields); d != "" {
		t.Fatalf("Dart Aviation (FR) fields (-want +got):\n%s", d)
	}
	for format, wantText := range map[string]string{
		"md":   "  - Federal Register citations: 84 FR 61541, 11/13/19 → 84 FR 61541, 11/13/19; 90 FR [INSERT FR PAGE NUMBER], 3/28/2025\n",
		"html": "<td><ul><li>84 FR 61541, 11/13/19</li><li><ins>90 FR [INSERT FR PAGE NUMBER], 3/28/2025</ins></li></ul></td>",
		"csv":  "citations: 84 FR 61541, 11/13/19 -> 84 FR 61541, 11/13/19; 90 FR [INSERT FR PAGE NUMBER], 3/28/2025",
		"json": `"field": "citations"`,
	} {
		if got := render(t, r, format); !bytes.Contains(got, []byte(wantText)) {
			t.Errorf("%s report lacks %q", format, wantText)
		}
	}
}

// TestReport_RevisionFields renders a revision that changes several
// fields, and one whose earlier entry is unknown.
func TestReport_RevisionFields(t *testing.T) {
	d := entitywatch.NewDate(2025, time.June, 2)
	rule := report.Rule{
		Document: "2025-99999", Title: "Revisions to the Entity List", Citation: "90 FR 99999",
		URL: "https://www.federalregister.gov/d/2025-99999", Published: d, Effective: d,
		Changes: []report.Change{
			{
				Change: entitywatch.Change{Action: entitywatch.Revise, ID: "RU/examplelab", Entry: entitywatch.Entry{
					Country: "RUSSIA", CountryCode: "RU", Name: "Example Lab JSC", Aliases: []string{"Example Laboratory"},
					LicenseRequirement: "For all items subject to the EAR.", LicenseReviewPolicy: "Policy of denial.",
				}, ChangedFields: []string{"name", "aliases", "license_review_policy"}},
				Fields: []report.FieldChange{
					{Field: "name", Old: []string{"Example Lab"}, New: []string{"Example Lab JSC"}},
					{Field: "aliases", Old: nil, New: []string{"Example Laboratory"}},
					{Field: "license_review_policy", Old: []string{"Case-by-case review."}, New: []string{"Policy of denial."}},
				},
			},
			{Change: entitywatch.Change{Action: entitywatch.Revise, ID: "RU/unknown", Entry: entitywatch.Entry{Country: "RUSSIA", CountryCode: "RU", Name: "Unknown Prior LLC"}}},
		},
	}
	r := report.Build(d, d, "", []report.Rule{rule}, generated)
	if r.Label != "2025-06-02" {
		t.Errorf("label %q, want 2025-06-02", r.Label)
	}
	md := string(render(t, r, "md"))
	for _, want := range []string{
		"- What changed (old → new):\n  - Name: Example Lab → Example Lab JSC\n  - Aliases: (none) → Example Laboratory\n  - License review policy: Case-by-case review. → Policy of denial.\n",
		"##### Revised: Unknown Prior LLC\n",
		"- What changed: The earlier entry is not in the database",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	html := string(render(t, r, "html"))
	for _, want := range []string{
		`<tr><th scope="row">Name</th><td><ul><li><del>Example Lab</del></li></ul></td><td><ul><li><ins>Example Lab JSC</ins></li></ul></td></tr>`,
		`<tr><th scope="row">Aliases</th><td><span class="none">none</span></td><td><ul><li><ins>Example Laboratory</ins></li></ul></td></tr>`,
		`<p class="note">The earlier entry is not in the database`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	csv := string(render(t, r, "csv"))
	if want := "name: Example Lab -> Example Lab JSC | aliases: (none) -> Example Laboratory | license_review_policy: Case-by-case review. -> Policy of denial."; !strings.Contains(csv, want) {
		t.Errorf("csv lacks %q:\n%s", want, csv)
	}
}

func TestBuild_Order(t *testing.T) {
	d1, d2 := entitywatch.NewDate(2025, time.March, 24), entitywatch.NewDate(2025, time.March, 26)
	ch := func(a entitywatch.Action, country, code, name string) report.Change {
		return report.Change{Change: entitywatch.Change{Action: a, Entry: entitywatch.Entry{Country: country, CountryCode: code, Name: name}}}
	}
	in := []report.Rule{
		{Document: "2025-00003", Effective: d2, Published: d2, Changes: []report.Change{ch(entitywatch.Add, "TAIWAN", "TW", "b")}},
		{Document: "2025-00002", Effective: d1, Published: d2, Changes: []report.Change{
			ch(entitywatch.Remove, "RUSSIA", "RU", "zeta"), ch(entitywatch.Add, "CHINA, PEOPLE'S REPUBLIC OF", "CN", "beta"),
			ch(entitywatch.Add, "CHINA, PEOPLE'S REPUBLIC OF", "CN", "Alpha"), ch(entitywatch.Move, "RUSSIA", "RU", "alpha"),
		}},
		{Document: "2025-00001", Effective: d1, Published: d2},
	}
	orig := slices.Clone(in[1].Changes)
	r := report.Build(d1, d2, "my week", in, generated)
	if d := cmp.Diff(orig, in[1].Changes); d != "" {
		t.Errorf("Build modified its input (-before +after):\n%s", d)
	}
	var got []string
	for _, rule := range r.Rules {
		got = append(got, rule.Document)
		for _, c := range rule.Changes {
			got = append(got, "  "+c.CountryCode+" "+c.Name)
		}
	}
	want := []string{"2025-00001", "2025-00002", "  CN Alpha", "  CN beta", "  RU alpha", "  RU zeta", "2025-00003", "  TW b"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
	if r.Label != "my week" {
		t.Errorf("label %q", r.Label)
	}
	wantTotals := report.Totals{Changes: 5, Added: 3, Removed: 1, Moved: 1, ByDestination: []report.DestinationTotal{
		{CountryCode: "CN", Country: "CHINA, PEOPLE'S REPUBLIC OF", Added: 2, Total: 2},
		{CountryCode: "RU", Country: "RUSSIA", Removed: 1, Moved: 1, Total: 2},
		{CountryCode: "TW", Country: "TAIWAN", Added: 1, Total: 1},
	}}
	if d := cmp.Diff(wantTotals, r.Totals); d != "" {
		t.Errorf("totals (-want +got):\n%s", d)
	}
}

func TestReport_Empty(t *testing.T) {
	from, to, _ := report.ISOWeek("2025-W02")
	r := report.Build(from, to, "", nil, generated)
	for _, format := range []string{"md", "html", "csv", "json", "xlsx"} {
		out := render(t, r, format)
		if len(out) == 0 {
			t.Errorf("%s: empty output", format)
		}
	}
	if got := string(render(t, r, "json")); !strings.Contains(got, `"rules": []`) || !strings.Contains(got, `"by_destination": []`) {
		t.Errorf("empty JSON report has null lists:\n%s", got)
	}
	if got := string(render(t, r, "html")); !strings.Contains(got, "No Entity List rule took effect in this period.") || strings.Contains(got, "<svg") {
		t.Errorf("empty HTML report:\n%s", got)
	}
}

func TestXLSX_Layout(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(render(t, marchReport(t), "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if d := cmp.Diff([]string{report.SummarySheet, report.ChangesSheet}, f.GetSheetList()); d != "" {
		t.Errorf("sheets (-want +got):\n%s", d)
	}
	panes, err := f.GetPanes(report.ChangesSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("changes sheet panes %+v, want the header row frozen", panes)
	}
	if w, _ := f.GetColWidth(report.ChangesSheet, "I"); w < 30 {
		t.Errorf("name column width %v", w)
	}
	rows, err := f.GetRows(report.ChangesSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+86 {
		t.Errorf("changes sheet has %d rows, want a header and 86 changes", len(rows))
	}
	if rows[0][0] != "Effective date" || rows[1][0] != "2025-03-25" || rows[1][4] != "Added" {
		t.Errorf("first rows %q, %q", rows[0][:5], rows[1][:5])
	}
	summary, err := f.GetRows(report.SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	for i, row := range summary {
		if len(row) > 0 && row[0] == "2025-05427" {
			_, link, _ = f.GetCellHyperLink(report.SummarySheet, "G"+strconv.Itoa(i+1))
		}
	}
	if link != "https://www.federalregister.gov/d/2025-05427" {
		t.Errorf("summary link to 2025-05427 = %q", link)
	}
}
