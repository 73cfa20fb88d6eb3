package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain_BaselineVerify imports the eCFR fixture from a local server that
// speaks the versioner API, then verifies the store against the eCFR: the
// same list gives no difference, and a rule applied after the baseline
// shows up as entries only in the store.
func TestMain_BaselineVerify(t *testing.T) {
	ecfr, err := os.ReadFile("../../fixtures/ecfr/title-15-part-744-supp4-2023-03-01.xml")
	if err != nil {
		t.Fatal(err)
	}
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.URL.Path+"?"+r.URL.RawQuery)
		if r.URL.Path != "/api/versioner/v1/full/2023-03-01/title-15.xml" || r.URL.Query().Get("part") != "744" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(ecfr)
	}))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "entitywatch.db")

	code, stdout, stderr := run(t, "", "baseline", "--db", db, "--ecfr-date", "2023-03-01", "--ecfr-url", srv.URL)
	if code != exitOK || !strings.Contains(stdout, "24 entries") {
		t.Fatalf("baseline: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "", "baseline", "--db", db, "--ecfr-date", "2023-03-01", "--file", "../../fixtures/ecfr/title-15-part-744-supp4-2023-03-01.xml"); code != exitFailed || !strings.Contains(stderr, "already") {
		t.Errorf("second baseline: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = run(t, "", "verify", "--db", db, "--ecfr-date", "2023-03-01", "--ecfr-url", srv.URL)
	if code != exitOK {
		t.Fatalf("verify of the baseline itself: exit %d\n%s\n%s", code, stdout, stderr)
	}
	var rep struct {
		Complete    bool  `json:"complete"`
		ECFR        int   `json:"ecfr_entries"`
		Store       int   `json:"store_entries"`
		OnlyInECFR  []any `json:"only_in_ecfr"`
		OnlyInStore []struct {
			Name string `json:"name"`
		} `json:"only_in_store"`
		Different []any `json:"different"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Complete || rep.ECFR != 24 || rep.Store != 24 || len(rep.OnlyInECFR)+len(rep.OnlyInStore)+len(rep.Different) != 0 {
		t.Errorf("verify report: %+v", rep)
	}

	// 2025-05427 takes effect after the baseline: verifying against the
	// same (older) eCFR text as of a later date reports its 12 entries.
	if code, _, stderr := run(t, "", "apply", "--db", db, "../../fixtures/federalregister/2025-05427.xml"); code != exitOK {
		t.Fatalf("apply after baseline: %s", stderr)
	}
	code, stdout, _ = run(t, "", "verify", "--db", db, "--ecfr-date", "2025-04-01", "--file", "../../fixtures/ecfr/title-15-part-744-supp4-2023-03-01.xml")
	if code != exitFailed {
		t.Errorf("verify with differences: exit %d", code)
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.OnlyInStore) != 12 {
		t.Errorf("only in store: %d entries, want the 12 of 2025-05427", len(rep.OnlyInStore))
	}

	// A rule dated before the baseline is kept as evidence, not applied.
	code, stdout, _ = run(t, "", "apply", "--db", db, "../../fixtures/federalregister/2023-03929.xml")
	if code != exitOK || !strings.Contains(stdout, "before the baseline") {
		t.Errorf("rule before the baseline: exit %d: %s", code, stdout)
	}
	if code, _, stderr := run(t, "", "evidence", "--db", db, "ecfr-2023-03-01"); code != exitOK || !strings.Contains(stderr, "sha256") {
		t.Errorf("evidence of the baseline: exit %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "", "baseline", "--db", filepath.Join(t.TempDir(), "x.db"), "--ecfr-date", "2023-03-02", "--ecfr-url", srv.URL); code != exitFailed || !strings.Contains(stderr, "404") {
		t.Errorf("baseline of a date the server lacks: exit %d %s", code, stderr)
	}
}
