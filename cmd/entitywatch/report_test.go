package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/report"
	"github.com/entitywatch/entitywatch/store"
)

// reportCmd runs `entitywatch report args...` in-process.
func reportCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runReportCmd(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// marchDB applies the rules of 2025-W13 (and one of January, outside
// it) to a fresh database and returns its path.
func marchDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	code, stdout, stderr := run(t, "", "apply", "--db", db,
		"../../fixtures/federalregister/2025-05426.xml",
		"../../fixtures/federalregister/2025-05427.xml",
		"../../fixtures/federalregister/2025-00704.xml")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	return db
}

func TestMain_Report(t *testing.T) {
	db := marchDB(t)

	t.Run("json_from_to", func(t *testing.T) {
		code, stdout, stderr := reportCmd(t, "--db", db, "--from", "2025-03-24", "--to", "2025-03-30", "--format", "json")
		if code != exitOK {
			t.Fatalf("report: exit %d: %s", code, stderr)
		}
		var got struct {
			Label  string `json:"label"`
			From   string `json:"from"`
			To     string `json:"to"`
			Totals struct {
				Changes, Added, Removed, Revised, Moved int
			} `json:"totals"`
			Rules []struct {
				DocumentNumber  string `json:"document_number"`
				Title           string `json:"title"`
				Citation        string `json:"citation"`
				URL             string `json:"url"`
				PublicationDate string `json:"publication_date"`
				EffectiveDate   string `json:"effective_date"`
				Changes         []struct {
					Action string            `json:"action"`
					Name   string            `json:"name"`
					Fields []json.RawMessage `json:"fields"`
				} `json:"changes"`
			} `json:"rules"`
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("report JSON: %v\n%s", err, stdout)
		}
		if got.Totals.Added != 82 || got.Totals.Revised != 4 || got.Totals.Changes != 86 || got.Totals.Removed != 0 || got.Totals.Moved != 0 {
			t.Errorf("totals %+v, want 82 added and 4 revised", got.Totals)
		}
		if got.Label != "2025-W13" || got.From != "2025-03-24" || got.To != "2025-03-30" {
			t.Errorf("period %s %s..%s", got.Label, got.From, got.To)
		}
		if len(got.Rules) != 2 {
			t.Fatalf("%d rules, want 2025-05426 and 2025-05427 (not 2025-00704, effective in January)", len(got.Rules))
		}
		r := got.Rules[0]
		if r.DocumentNumber != "2025-05426" || got.Rules[1].DocumentNumber != "2025-05427" {
			t.Errorf("rules %s, %s", r.DocumentNumber, got.Rules[1].DocumentNumber)
		}
		if r.Title != "Additions and Modifications to the Entity List" || r.URL != "https://www.federalregister.gov/d/2025-05426" ||
			r.PublicationDate != "2025-03-28" || r.EffectiveDate != "2025-03-25" {
			t.Errorf("rule facts %+v", r)
		}
		// Applied from a file, with no FR API metadata: the citation the
		// rule's entries print.
		if r.Citation != "90 FR [INSERT FR PAGE NUMBER], 3/28/2025" {
			t.Errorf("citation %q", r.Citation)
		}
		// The database never saw Dart Aviation before 2025-05426, so
		// its revisions carry no field changes.
		for _, c := range r.Changes {
			if c.Action == "revise" && (c.Name != "Dart Aviation" || len(c.Fields) != 0) {
				t.Errorf("revision %s with fields %s", c.Name, c.Fields)
			}
		}
	})

	t.Run("html_week_out", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "week.html")
		code, stdout, stderr := reportCmd(t, "--week", "2025-W13", "--db", db, "--format", "html", "--out", out)
		if code != exitOK {
			t.Fatalf("report: exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "wrote "+out+": 2025-W13 (2025-03-24 to 2025-03-30), 86 changes in 2 rules") {
			t.Errorf("stdout %q", stdout)
		}
		page, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<!DOCTYPE html>", "<title>Entity List changes: 2025-W13</title>", "<svg", "Inspur Taiwan", "2025-05427", "Dart Aviation", "The earlier entry is not in the database"} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("HTML report lacks %q", want)
			}
		}
		if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
			t.Errorf("left behind %d files in the output directory", len(entries))
		}
	})

	t.Run("xlsx_out", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "week.xlsx")
		if code, _, stderr := reportCmd(t, "--week", "2025-W13", "--db", db, "--out", out); code != exitOK {
			t.Fatalf("report: exit %d: %s", code, stderr)
		}
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatalf("--out week.xlsx did not write a workbook: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows(report.ChangesSheet)
		if err != nil || len(rows) != 87 {
			t.Errorf("changes sheet: %d rows, %v", len(rows), err)
		}
	})

	t.Run("format_from_extension", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "week.csv")
		if code, _, stderr := reportCmd(t, "--week", "2025-W13", "--db", db, "--out", out); code != exitOK {
			t.Fatalf("report: exit %d: %s", code, stderr)
		}
		data, _ := os.ReadFile(out)
		if lines := strings.Count(string(data), "\n"); !strings.HasPrefix(string(data), "effective_date,") || lines != 87 {
			t.Errorf("CSV report: %d lines, starts %.40q", lines, data)
		}
	})

	t.Run("markdown_default", func(t *testing.T) {
		code, stdout, stderr := reportCmd(t, "--db", db, "--week", "2025-w13")
		if code != exitOK || !strings.HasPrefix(stdout, "# Entity List changes: 2025-W13\n") {
			t.Errorf("exit %d, stderr %s, stdout starts %.60q", code, stderr, stdout)
		}
	})

	t.Run("empty_week", func(t *testing.T) {
		code, stdout, stderr := reportCmd(t, "--db", db, "--week", "2025-W02", "--format", "json")
		if code != exitOK || !strings.Contains(stdout, `"rules": []`) || !strings.Contains(stdout, `"changes": 0`) {
			t.Errorf("exit %d, stderr %s:\n%s", code, stderr, stdout)
		}
	})

	t.Run("default_last_week", func(t *testing.T) {
		code, stdout, stderr := reportCmd(t, "--db", db, "--format", "json")
		if code != exitOK || !strings.Contains(stdout, `"label": "`) {
			t.Errorf("exit %d, stderr %s", code, stderr)
		}
	})
}

func TestMain_ReportUsage(t *testing.T) {
	db := marchDB(t)
	tests := []struct {
		name       string
		args       []string
		want       int
		wantStderr string
	}{
		{"week_and_from", []string{"--week", "2025-W13", "--from", "2025-03-24", "--to", "2025-03-30"}, exitUsage, "not both"},
		{"bad_week", []string{"--week", "2025-W54"}, exitUsage, "2025 has weeks 01 to 52"},
		{"week_not_iso", []string{"--week", "2025-03-24"}, exitUsage, "want YYYY-Www"},
		{"from_without_to", []string{"--from", "2025-03-24"}, exitUsage, "--from and --to take YYYY-MM-DD dates"},
		{"from_after_to", []string{"--from", "2025-03-30", "--to", "2025-03-24"}, exitUsage, "is after --to"},
		{"bad_format", []string{"--format", "pdf"}, exitUsage, "--format must be one of"},
		{"xlsx_to_stdout", []string{"--format", "xlsx"}, exitUsage, "give --out FILE"},
		{"positional", []string{"2025-W13"}, exitUsage, "usage: entitywatch report"},
		{"unknown_flag", []string{"--weak", "2025-W13"}, exitUsage, "flag provided but not defined"},
		{"no_database", []string{"--db", filepath.Join(t.TempDir(), "none.db"), "--week", "2025-W13"}, exitFailed, "no database"},
		{"unwritable_out", []string{"--week", "2025-W13", "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "r.md")}, exitFailed, "entitywatch report:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--db", db}, tt.args...)
			code, stdout, stderr := reportCmd(t, args...)
			if code != tt.want || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("report %v: exit %d, stderr %q; want exit %d, stderr containing %q", tt.args, code, stderr, tt.want, tt.wantStderr)
			}
			if tt.want == exitUsage && stdout != "" {
				t.Errorf("usage error wrote to stdout: %q", stdout)
			}
		})
	}
}

// TestReportChanges checks what a report says a revision and a move
// changed, from the entries a version kept as they were before it.
func TestReportChanges(t *testing.T) {
	old := entitywatch.Entry{Country: "RUSSIA", CountryCode: "RU", Name: "Example Lab", Aliases: []string{"EL"}, Citations: []string{"85 FR 1"}}
	revised := old
	revised.Aliases, revised.Citations = []string{"EL", "Example Laboratory"}, []string{"85 FR 1", "90 FR 2"}
	moved := entitywatch.Entry{Country: "CHINA, PEOPLE'S REPUBLIC OF", CountryCode: "CN", Name: "Mover Ltd", Addresses: []string{"Shenzhen"}}
	movedOld := entitywatch.Entry{Country: "HONG KONG", CountryCode: "HK", Name: "Mover Ltd", Addresses: []string{"Kowloon"}}
	v := store.Version{
		Number: "2025-99999",
		Changes: []entitywatch.Change{
			{Action: entitywatch.Revise, ID: "RU/examplelab", Entry: revised},
			{Action: entitywatch.Move, ID: "CN/moverltd", Entry: moved, FromCountry: "HONG KONG", FromCountryCode: "HK"},
			{Action: entitywatch.Add, ID: "RU/new", Entry: entitywatch.Entry{Country: "RUSSIA", CountryCode: "RU", Name: "New"}},
			{Action: entitywatch.Revise, ID: "RU/unknown", Entry: entitywatch.Entry{Country: "RUSSIA", CountryCode: "RU", Name: "Unknown"}},
		},
		Touched: []entitywatch.Listing{{ID: "CN/moverltd", Entry: moved, MovedFrom: "HK/moverltd"}},
		Before: []entitywatch.Listing{
			{ID: "RU/examplelab", Entry: old},
			{ID: "HK/moverltd", Entry: movedOld},
		},
	}
	got := reportChanges(v)
	want := [][]report.FieldChange{
		{{Field: "aliases", Old: []string{"EL"}, New: []string{"EL", "Example Laboratory"}}, {Field: "citations", Old: []string{"85 FR 1"}, New: []string{"85 FR 1", "90 FR 2"}}},
		{{Field: "addresses", Old: []string{"Kowloon"}, New: []string{"Shenzhen"}}},
		nil,
		nil,
	}
	for i := range want {
		if d := cmp.Diff(want[i], got[i].Fields); d != "" {
			t.Errorf("change %d (%s %s) fields (-want +got):\n%s", i, got[i].Action, got[i].Name, d)
		}
	}
}
