package ingest

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// TestParseRule_TextAmendments inserts, before 2024-13148's entry
// instructions, an instruction that amends the supplement's text rather
// than an entry. Such an instruction is kept and warned about; one that
// also names an entry must still be accounted for by the table.
func TestParseRule_TextAmendments(t *testing.T) {
	data, err := os.ReadFile("../fixtures/federalregister/2024-13148.xml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, amdpar string
		ok           bool
	}{
		{"introductory_text", "a. By revising the introductory text to read as follows:", true},
		{"footnote", "a. By revising footnote 1 to read as follows:", true},
		{"note", "a. By adding a note to the table to read as follows:", true},
		{"table_heading", "a. By revising the heading of the table;", true},
		{"text_and_entry", "a. By revising the introductory text and the entry for “Example Corp.” under CHINA, PEOPLE'S REPUBLIC OF;", false},
		{"not_text", "a. By revising the entries;", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := bytes.Replace(data, []byte("<AMDPAR>a. Under CHINA"), []byte("<AMDPAR>"+tt.amdpar+"</AMDPAR>\n<AMDPAR>b. Under CHINA"), 1)
			doc = bytes.Replace(doc, []byte("<AMDPAR>b. Under RUSSIA"), []byte("<AMDPAR>c. Under RUSSIA"), 1)
			rule, err := ParseRule(bytes.NewReader(doc))
			if !tt.ok {
				if !errors.Is(err, entitywatch.ErrUnaccounted) {
					t.Fatalf("err = %v, want ErrUnaccounted", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rule.Changes) != 13 || len(rule.Warnings) != 1 || !strings.Contains(rule.Warnings[0], "instruction 11.a amends the text of Supplement No. 4") {
				t.Errorf("%d changes, warnings %q", len(rule.Changes), rule.Warnings)
			}
		})
	}
}
