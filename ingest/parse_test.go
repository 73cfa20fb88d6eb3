package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/entitywatch/entitywatch"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkGolden compares got, the output of what, with the golden file
// testdata/golden/name, or rewrites the file under -update.
func checkGolden(t *testing.T, name string, got []byte, what string) {
	t.Helper()
	golden := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from %s (-want +got):\n%s", what, golden, diff)
	}
}

// documents returns the rule documents the golden tests cover: the
// fixtures and the synthetic test documents.
func documents(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"../fixtures/federalregister/*.xml", "../fixtures/federalregister/*.html", "testdata/*.xml", "testdata/*.html"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no documents found")
	}
	return out
}

func parseFile(t testing.TB, path string) (*entitywatch.Rule, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return ParseRule(bytes.NewReader(data))
}

func TestParseRule_Golden(t *testing.T) {
	for _, path := range documents(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			rule, err := parseFile(t, path)
			if err != nil {
				t.Fatalf("ParseRule(%s): %v", path, err)
			}
			got, err := json.MarshalIndent(rule, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			checkGolden(t, name+".json", got, "ParseRule("+path+")")
		})
	}
}

// TestParseRule_FormatsAgree checks that the body HTML of a rule gives the
// same changes as its XML.
func TestParseRule_FormatsAgree(t *testing.T) {
	n := 0
	for _, path := range documents(t) {
		if filepath.Ext(path) != ".html" {
			continue
		}
		xmlPath := strings.TrimSuffix(path, ".html") + ".xml"
		if _, err := os.Stat(xmlPath); err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			fromHTML, err := parseFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			fromXML, err := parseFile(t, xmlPath)
			if err != nil {
				t.Fatal(err)
			}
			ignore := cmpopts.IgnoreFields(entitywatch.Rule{}, "Title", "RIN", "Docket", "Format", "Warnings")
			if diff := cmp.Diff(fromXML, fromHTML, ignore); diff != "" {
				t.Errorf("XML and HTML disagree (-xml +html):\n%s", diff)
			}
		})
	}
	if n < 2 {
		t.Fatalf("only %d documents have both formats", n)
	}
}

// TestParseRule_SummaryCounts checks that every document's changes agree
// with the counts its SUMMARY states.
func TestParseRule_SummaryCounts(t *testing.T) {
	for _, path := range documents(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rule, err := parseFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range rule.Warnings {
				if strings.Contains(w, "SUMMARY") {
					t.Errorf("warning: %s", w)
				}
			}
			adds := 0
			for _, c := range rule.Changes {
				if c.Action == entitywatch.Add {
					adds++
				}
			}
			// A SUMMARY that names destinations without counts (2024-13148:
			// "five entities and eight addresses ... under the destinations
			// of ... China ... and Russia") is checked by its totals.
			sc := rule.SummaryCounts
			if len(sc.ByDestination) == 0 && sc.Entities+sc.Entries+sc.Addresses == 0 && adds > 0 && !strings.Contains(strings.ToLower(rule.Action), "correct") {
				t.Errorf("SUMMARY counts nothing but the rule adds %d entries", adds)
			}
		})
	}
}

// mutate returns the synthetic document with old replaced by new, failing
// the test when old is not there.
func mutate(t *testing.T, old, new string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/synthetic.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("synthetic.xml has no %q", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

func TestParseRule_BadInput(t *testing.T) {
	synthetic, err := os.ReadFile("testdata/synthetic.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		doc      []byte
		sentinel error
		contains string
	}{
		{"empty", nil, entitywatch.ErrMalformed, "empty document"},
		{"whitespace", []byte(" \n\t"), entitywatch.ErrMalformed, "empty document"},
		{"json", []byte(`{"errors":{"document_number":"not found"}}`), entitywatch.ErrNotARule, "JSON"},
		{"plain_text", []byte("Service Unavailable"), entitywatch.ErrNotARule, "does not start with markup"},
		{"html_error_page", []byte("<!DOCTYPE html><html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1><p>Slow down.</p></body></html>"), entitywatch.ErrNotARule, "error page"},
		{"malformed_xml", []byte("<RULE><PREAMB><SUM><P>text</SUM></PREAMB></RULE>"), entitywatch.ErrMalformed, "line 1"},
		{"truncated", synthetic[:len(synthetic)/2], entitywatch.ErrMalformed, "truncated"},
		{"gpo_correction", []byte("<CORRECT><PREAMB><SUBJECT>Additions to the Entity List</SUBJECT></PREAMB><P>On page 1, correct the entry.</P></CORRECT>"), entitywatch.ErrUnsupported, "CORRECT"},
		{"proposed_rule", []byte("<PRORULE><PREAMB><SUBJECT>x</SUBJECT></PREAMB></PRORULE>"), entitywatch.ErrNotARule, "PRORULE"},
		{"rule_without_preamble", []byte("<RULE><P>nothing</P></RULE>"), entitywatch.ErrMalformed, "no preamble"},
		{"unknown_heading", mutate(t, `<ENT I="01">PAKISTAN</ENT>`, `<ENT I="01">NARNIA</ENT>`), entitywatch.ErrUnknownDestination, `"NARNIA"`},
		{"unknown_instruction_destination", mutate(t, "d. Under TAIWAN,", "d. Under NARNIA,"), entitywatch.ErrUnknownDestination, "instruction 2.d"},
		{"instruction_names_missing_entry", mutate(t, "“Example Beta Engineering (Pvt) Ltd.”", "“Example Beta Engineering (Pvt) Ltd.;” “Example Omega Ltd.”"), entitywatch.ErrUnaccounted, "“Example Omega Ltd.” under PAKISTAN: the table has no such entry"},
		{"row_without_instruction", mutate(t, "by adding in alphabetical order, an entry for “Example Beta Engineering (Pvt) Ltd.” and by", "by"), entitywatch.ErrUnaccounted, "no instruction adds or revises the entry \"Example Beta Engineering"},
		{"entry_under_wrong_destination", mutate(t, "b. Under HONG KONG,", "b. Under MACAU,"), entitywatch.ErrUnaccounted, "entry \"Address: Room 1, 1/F, Example Building, 1 Example Road, Kowloon, Hong Kong.\" under HONG KONG"},
		{"unclosed_quote", mutate(t, "“Example Delta Corporation”", "“Example Delta Corporation"), entitywatch.ErrUnaccounted, "never closed"},
		{"quote_without_action", mutate(t, "d. Under TAIWAN, by removing the entry for", "d. Under TAIWAN, see the entry for"), entitywatch.ErrUnaccounted, "instruction 2.d"},
		{"redesignation", mutate(t, "d. Under TAIWAN, by removing", "d. Under TAIWAN, by redesignating"), entitywatch.ErrUnaccounted, "redesignation"},
		{"alias_count", mutate(t, "the following three aliases:", "the following four aliases:"), entitywatch.ErrUnaccounted, "announces 4 aliases but lists 3"},
		{"bad_citation", mutate(t, "<ENT>80 FR 1000, 1/1/15; 95 FR [INSERT FR PAGE NUMBER], 1/2/2030.</ENT>", "<ENT>see the earlier rule</ENT>"), entitywatch.ErrUnaccounted, "cannot read a Federal Register citation"},
		{"summary_counts_but_no_instructions", mutate(t, "2. Supplement No. 4 to part 744 is amended:", "2. Section 744.11 is amended:"), entitywatch.ErrUnaccounted, "follows an instruction that does not amend Supplement No. 4"},
		{"summary_only", []byte(`<RULE><PREAMB><SUM><HD SOURCE="HED">SUMMARY:</HD><P>BIS amends the EAR by adding 3 entities to the Entity List.</P></SUM></PREAMB></RULE>`), entitywatch.ErrUnaccounted, "SUMMARY states Entity List changes"},
		{"wrong_columns", mutate(t, `<CHED H="1">License review policy</CHED>`, `<CHED H="1">Reason</CHED>`), entitywatch.ErrUnaccounted, "are not the Entity List's"},
		{"duplicate_row", mutate(t, "<ROW>\n<ENT I=\"01\">HONG KONG</ENT>", "<ROW>\n<ENT I=\"22\"> </ENT>\n<ENT>Example Zeta Trading Co., Ltd., Room 6, Tianjin, China.</ENT>\n<ENT>For all items subject to the EAR.</ENT>\n<ENT>Presumption of denial.</ENT>\n<ENT>95 FR [INSERT FR PAGE NUMBER], 1/2/2030.</ENT>\n</ROW>\n<ROW>\n<ENT I=\"01\">HONG KONG</ENT>"), entitywatch.ErrUnaccounted, "prints it twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, err := ParseRule(bytes.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ParseRule succeeded with %d changes, want an error", len(rule.Changes))
			}
			checkParseError(t, rule != nil, err, tt.sentinel, tt.contains)
		})
	}
}

// TestParseRule_NestedInstructions checks the "Under X, by: i. Adding ...;
// ii. Revising ..." form, where sub-paragraphs inherit the destination.
func TestParseRule_NestedInstructions(t *testing.T) {
	doc := mutate(t, "<AMDPAR>c. Under PAKISTAN, by adding in alphabetical order, an entry for “Example Beta Engineering (Pvt) Ltd.” and by revising the entry for “Example Gamma Industries” to add an alias and an address;</AMDPAR>",
		"<AMDPAR>c. Under PAKISTAN, by:</AMDPAR>\n<AMDPAR>i. Adding in alphabetical order, an entry for “Example Beta Engineering (Pvt) Ltd.”; and</AMDPAR>\n<AMDPAR>ii. Revising the entry for “Example Gamma Industries”;</AMDPAR>")
	rule, err := ParseRule(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]entitywatch.Action{}
	for _, c := range rule.Changes {
		if c.CountryCode == "PK" {
			got[c.Name] = c.Action
		}
	}
	want := map[string]entitywatch.Action{"Example Beta Engineering (Pvt) Ltd.": entitywatch.Add, "Example Gamma Industries": entitywatch.Revise}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes under PK (-want +got):\n%s", diff)
	}
}

// TestParseRule_FootnoteInstruction: an instruction that revises the
// table's footnotes changes no entry and does not make the rule
// unaccounted.
func TestParseRule_FootnoteInstruction(t *testing.T) {
	doc := mutate(t, "<AMDPAR>d. Under TAIWAN,", "<AMDPAR>c1. By revising footnote 1 to supplement no. 4 to part 744 to read as follows:</AMDPAR>\n<AMDPAR>d. Under TAIWAN,")
	rule, err := ParseRule(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(rule.Changes) != 9 {
		t.Errorf("%d changes, want the synthetic rule's 9", len(rule.Changes))
	}
}

// TestParseRule_Warnings checks that SUMMARY disagreements are reported.
func TestParseRule_Warnings(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"destination_count", "Pakistan (1)", "Pakistan (2)", "SUMMARY states 2 additions under PK; the rule adds 1"},
		{"total", "five entities under six entries", "five entities under seven entries", "SUMMARY states 7 added entries; the rule adds 6"},
		{"revised", "revises two existing entries", "revises three existing entries", "SUMMARY states 3 revised entries; the rule revises 2"},
		{"unknown_summary_destination", "Hong Kong (1)", "Atlantis (1)", `SUMMARY counts 1 under "Atlantis"`},
		{"no_effective_date", "This rule is effective January 2, 2030.", "This rule is effective on publication.", "DATES gives no effective date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule, err := ParseRule(bytes.NewReader(mutate(t, tt.old, tt.new)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(rule.Warnings, "\n"), tt.want) {
				t.Errorf("warnings %q lack %q", rule.Warnings, tt.want)
			}
		})
	}
}

// TestParseRule_PrettyPrinted checks that indenting the XML, as some
// tools and archives do, changes no change: the parser must read
// pretty-printed and compact XML alike.
func TestParseRule_PrettyPrinted(t *testing.T) {
	for _, path := range documents(t) {
		if filepath.Ext(path) != ".xml" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			pretty := bytes.ReplaceAll(data, []byte("><"), []byte(">\n    <"))
			pretty = bytes.ReplaceAll(pretty, []byte("<SU>"), []byte("\n      <SU>"))
			want, err := ParseRule(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseRule(bytes.NewReader(pretty))
			if err != nil {
				t.Fatalf("pretty-printed: %v", err)
			}
			if diff := cmp.Diff(want.Changes, got.Changes, cmpopts.IgnoreFields(entitywatch.Change{}, "Instruction", "Source")); diff != "" {
				t.Errorf("pretty-printed XML gives other changes (-compact +pretty):\n%s", diff)
			}
		})
	}
}

// TestParseRule_HTMLWithoutClasses reads body HTML whose amendment
// paragraphs carry no class (a page saved by another tool): they are
// recognised by their wording, and give the same changes.
func TestParseRule_HTMLWithoutClasses(t *testing.T) {
	data, err := os.ReadFile("testdata/synthetic.html")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseRule(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	bare := bytes.ReplaceAll(data, []byte(` class="amendment_part"`), nil)
	if bytes.Equal(bare, data) {
		t.Fatal("synthetic.html has no amendment_part class to strip")
	}
	got, err := ParseRule(bytes.NewReader(bare))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Changes, got.Changes); diff != "" {
		t.Errorf("changes differ without classes (-with +without):\n%s", diff)
	}
}

// TestParseRule_HTMLWithoutHeadings reads the SUMMARY and DATES of a page
// whose labels are not heading elements.
func TestParseRule_HTMLWithoutHeadings(t *testing.T) {
	data, err := os.ReadFile("testdata/synthetic.html")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseRule(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	flat := data
	for _, h := range []string{"h1", "h2"} {
		flat = bytes.ReplaceAll(flat, []byte("<"+h+" "), []byte("<div "))
		flat = bytes.ReplaceAll(flat, []byte("</"+h+">"), []byte("</div>"))
	}
	got, err := ParseRule(bytes.NewReader(flat))
	if err != nil {
		t.Fatal(err)
	}
	if !got.EffectiveDate.Equal(want.EffectiveDate.Time) || diffCounts(want.SummaryCounts, got.SummaryCounts) != "" {
		t.Errorf("without headings: effective %s (want %s), counts %s", got.EffectiveDate, want.EffectiveDate, diffCounts(want.SummaryCounts, got.SummaryCounts))
	}
}

func diffCounts(a, b entitywatch.SummaryCounts) string { return cmp.Diff(a, b) }

// checkParseError checks a parser's failure: no result beside the error,
// the sentinel wrapped, the place or reason named.
func checkParseError(t *testing.T, gotResult bool, err, sentinel error, contains string) {
	t.Helper()
	if gotResult {
		t.Errorf("a result came back with the error")
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("error %q does not wrap %v", err, sentinel)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("error %q does not mention %q", err, contains)
	}
}
