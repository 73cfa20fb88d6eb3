package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestMain_ParseContract checks the JSON field names acceptance tests
// rely on, on every bundled fixture.
func TestMain_ParseContract(t *testing.T) {
	files, err := filepath.Glob("../../fixtures/federalregister/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	code, stdout, stderr := run(t, "", append([]string{"parse"}, files...)...)
	if code != exitOK {
		t.Fatalf("parse exit %d, stderr:\n%s", code, stderr)
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	n := 0
	for dec.More() {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("output object %d: %v", n, err)
		}
		n++
		for _, k := range []string{"document_number", "title", "effective_date", "summary_counts", "changes", "warnings"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("%v: no %q field", obj["file"], k)
			}
		}
		changes, _ := obj["changes"].([]any)
		if len(changes) == 0 {
			t.Errorf("%v: no changes", obj["file"])
		}
		for _, c := range changes {
			ch := c.(map[string]any)
			for _, k := range []string{"action", "country", "country_code", "name", "aliases", "addresses", "license_requirement", "license_review_policy", "citations", "changed_fields"} {
				if _, ok := ch[k]; !ok {
					t.Errorf("%v: change %v has no %q field", obj["file"], ch["name"], k)
				}
			}
		}
	}
	if n != len(files) {
		t.Errorf("got %d objects for %d files", n, len(files))
	}
}

func TestMain_ExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	if err := os.WriteFile(bad, []byte("<RULE><PREAMB>"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := "../../ingest/testdata/synthetic.xml"
	tests := []struct {
		name       string
		args       []string
		stdin      string
		want       int
		wantStderr string
		wantStdout string
	}{
		{"no_command", nil, "", exitUsage, "usage", ""},
		{"unknown_command", []string{"frobnicate"}, "", exitUsage, `unknown command "frobnicate"`, ""},
		{"parse_no_files", []string{"parse"}, "", exitUsage, "usage: entitywatch parse", ""},
		{"parse_bad_format", []string{"parse", "--format", "yaml", good}, "", exitUsage, "--format must be json or text", ""},
		{"parse_bad_flag", []string{"parse", "--nope", good}, "", exitUsage, "flag provided but not defined", ""},
		{"parse_ok", []string{"parse", good}, "", exitOK, "", `"document_number": "2030-00001"`},
		{"parse_text", []string{"parse", "--format", "text", good}, "", exitOK, "", "remove Example Delta Corporation"},
		{"parse_stdin", []string{"parse", "-"}, "<RULE><PREAMB><SUM><P>x</P></SUM></PREAMB></RULE>", exitOK, "", `"changes": []`},
		{"parse_truncated", []string{"parse", bad}, "", exitFailed, bad + ": malformed document", `"error"`},
		{"parse_missing_file", []string{"parse", filepath.Join(dir, "none.xml")}, "", exitFailed, "no such file", ""},
		{"parse_one_bad_of_two", []string{"parse", good, bad}, "", exitFailed, "bad.xml", `"document_number": "2030-00001"`},
		{"demo", []string{"demo"}, "", exitOK, "", "CPUNTO Inc."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tt.stdin, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.wantStderr)
			}
			if !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, stdout)
			}
		})
	}
}
