package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMain_StorePipeline runs apply, snapshot, history, diff, evidence and
// backup in-process over a real bbolt file, on the real fixtures.
func TestMain_StorePipeline(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "entitywatch.db")
	fixtures := []string{
		"../../fixtures/federalregister/2025-05427.xml",
		"../../fixtures/federalregister/2023-03929.xml",
		"../../fixtures/federalregister/2023-25557.xml",
		"../../fixtures/federalregister/2025-00704.xml",
		"../../fixtures/federalregister/2025-05426.xml",
	}
	code, stdout, stderr := run(t, "", append([]string{"apply", "--db", db}, fixtures...)...)
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Applied in effective-date order whatever the order of the files.
	if i, j := strings.Index(stdout, "2023-03929"), strings.Index(stdout, "2025-05427"); i < 0 || j < 0 || i > j {
		t.Errorf("apply order:\n%s", stdout)
	}
	code, stdout, _ = run(t, "", "apply", "--db", db, fixtures[0])
	if code != exitOK || !strings.Contains(stdout, "already applied") {
		t.Errorf("second apply: exit %d: %s", code, stdout)
	}

	snapshot := func(asOf string) map[string]map[string]any {
		t.Helper()
		code, stdout, stderr := run(t, "", "snapshot", "--db", db, "--as-of", asOf)
		if code != exitOK {
			t.Fatalf("snapshot: exit %d: %s", code, stderr)
		}
		var out struct {
			AsOf    string           `json:"as_of"`
			Entries []map[string]any `json:"entries"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if out.AsOf != asOf {
			t.Errorf("as_of %q", out.AsOf)
		}
		byID := map[string]map[string]any{}
		for _, e := range out.Entries {
			for _, k := range []string{"id", "country", "country_code", "name", "aliases", "addresses", "license_requirement", "license_review_policy", "citations", "listed_since", "document_number"} {
				if _, ok := e[k]; !ok {
					t.Errorf("snapshot entry %v has no %q", e["id"], k)
				}
			}
			byID[e["id"].(string)] = e
		}
		return byID
	}
	before := snapshot("2025-03-24")
	after := snapshot("2025-03-25")
	if len(before) != 25 || len(after) != 25+82+4 {
		t.Errorf("entries: %d before, %d after the March 25, 2025 rules", len(before), len(after))
	}
	inspur := after["TW/inspurtaiwan"]
	if inspur == nil || inspur["listed_since"] != "2025-03-25" || inspur["document_number"] != "2025-05427" {
		t.Errorf("Inspur Taiwan as of 2025-03-25: %v", inspur)
	}
	if _, ok := before["TW/inspurtaiwan"]; ok {
		t.Errorf("Inspur Taiwan listed before its rule took effect")
	}
	if _, ok := snapshot("2023-11-16")["CN/ministryofpublicsecuritysinstituteofforensicscienceofchina"]; ok {
		t.Errorf("a removed entry is in the snapshot")
	}

	code, stdout, stderr = run(t, "", "history", "--db", db, "China HEAD")
	if code != exitOK {
		t.Fatalf("history: exit %d: %s", code, stderr)
	}
	var hist struct {
		Entries []struct {
			ID      string `json:"id"`
			Country string `json:"country"`
			Events  []struct {
				Action         string `json:"action"`
				EffectiveDate  string `json:"effective_date"`
				DocumentNumber string `json:"document_number"`
			} `json:"events"`
		} `json:"entries"`
	}
	if err := json.Unmarshal([]byte(stdout), &hist); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist.Entries {
		for _, ev := range e.Events {
			got = append(got, e.ID+" "+ev.Action+" "+ev.EffectiveDate+" "+ev.DocumentNumber)
		}
	}
	want := []string{
		"CN/chinaheadaerospacetechnologyco add 2023-02-24 2023-03929",
		"FR/chinaheadaerospacetechnologyco add 2023-02-24 2023-03929",
		"NL/chinaheadaerospacetechnologyco add 2023-02-24 2023-03929",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history of China HEAD (-want +got):\n%s", diff)
	}
	if code, _, _ := run(t, "", "history", "--db", db, "Nobody Of That Name"); code != exitFailed {
		t.Errorf("history of an unknown name: exit %d", code)
	}

	code, stdout, _ = run(t, "", "diff", "--db", db, "--from", "2025-03-24", "--to", "2025-03-25")
	var delta struct {
		Added   []any `json:"added"`
		Removed []any `json:"removed"`
		Revised []struct {
			Name          string   `json:"name"`
			ChangedFields []string `json:"changed_fields"`
		} `json:"revised"`
	}
	if err := json.Unmarshal([]byte(stdout), &delta); err != nil || code != exitOK {
		t.Fatalf("diff: exit %d: %v", code, err)
	}
	if len(delta.Added) != 82 || len(delta.Removed) != 0 || len(delta.Revised) != 4 {
		t.Errorf("diff: %d added, %d removed, %d revised", len(delta.Added), len(delta.Removed), len(delta.Revised))
	}

	raw, err := os.ReadFile(fixtures[0])
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run(t, "", "evidence", "--db", db, "2025-05427")
	if code != exitOK || stdout != string(raw) || !strings.Contains(stderr, "sha256 ") {
		t.Errorf("evidence: exit %d, %d bytes (want %d), stderr %q", code, len(stdout), len(raw), stderr)
	}

	backup := filepath.Join(dir, "copy.db")
	if code, _, stderr := run(t, "", "backup", "--db", db, backup); code != exitOK {
		t.Fatalf("backup: %s", stderr)
	}
	code, stdout, _ = run(t, "", "snapshot", "--db", backup, "--as-of", "2025-03-25", "--format", "csv")
	if code != exitOK || strings.Count(stdout, "\n") != 1+25+82+4 {
		t.Errorf("snapshot of the backup as CSV: exit %d, %d lines", code, strings.Count(stdout, "\n"))
	}
}

// TestMain_ApplyEffective: a rule without an effective date is
// quarantined with a hint, and applies once the date is given.
func TestMain_ApplyEffective(t *testing.T) {
	db := filepath.Join(t.TempDir(), "entitywatch.db")
	file := "../../fixtures/federalregister/2023-13196.xml"
	code, _, stderr := run(t, "", "apply", "--db", db, file)
	if code != exitFailed || !strings.Contains(stderr, "--effective") {
		t.Fatalf("apply without a date: exit %d: %s", code, stderr)
	}
	db2 := filepath.Join(t.TempDir(), "entitywatch.db")
	code, stdout, stderr := run(t, "", "apply", "--db", db2, "--effective", "2023-06-21", file)
	if code != exitOK || !strings.Contains(stdout, "applied 2023-13196 (effective 2023-06-21)") {
		t.Errorf("apply with --effective: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := run(t, "", "apply", "--db", db2, "--effective", "June 21", file); code != exitUsage {
		t.Errorf("bad --effective: exit %d", code)
	}
}

func TestMain_StoreUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "none.db")
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"snapshot_no_date", []string{"snapshot", "--db", db}, exitUsage, "want YYYY-MM-DD"},
		{"snapshot_bad_by", []string{"snapshot", "--db", db, "--as-of", "2025-01-01", "--by", "filed"}, exitUsage, "--by must be"},
		{"diff_bad_by", []string{"diff", "--db", db, "--from", "2025-01-01", "--to", "2025-03-30", "--by", "filed"}, exitUsage, "--by must be"},
		{"snapshot_bad_format", []string{"snapshot", "--db", db, "--as-of", "2025-01-01", "--format", "xml"}, exitUsage, "--format must be"},
		{"snapshot_no_db", []string{"snapshot", "--db", db, "--as-of", "2025-01-01"}, exitFailed, "no database"},
		{"diff_bad_date", []string{"diff", "--db", db, "--from", "yesterday", "--to", "2025-01-01"}, exitUsage, "YYYY-MM-DD"},
		{"history_no_name", []string{"history", "--db", db}, exitUsage, "usage"},
		{"evidence_unknown", []string{"evidence", "--db", "../../fixtures/federalregister/2023-03929.xml", "X"}, exitFailed, "corrupt"},
		{"apply_no_files", []string{"apply", "--db", db}, exitUsage, "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, "", tt.args...)
			if code != tt.want || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.want, stderr, tt.msg)
			}
		})
	}
}
