package notify_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/ingest"
	"github.com/entitywatch/entitywatch/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var created = time.Date(2025, 3, 28, 14, 0, 0, 0, time.UTC)

// fixtureAlert parses a bundled Federal Register rule into the alert the
// store would queue for it.
func fixtureAlert(t *testing.T, number string, seq uint64) notify.Alert {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "fixtures", "federalregister", number+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ingest.ParseRule(f)
	if err != nil {
		t.Fatalf("parse %s: %v", number, err)
	}
	citation := map[string]string{"2025-05427": "90 FR 14046"}[number]
	return notify.Alert{
		Seq: seq, Kind: notify.KindRuleApplied, Document: r.DocumentNumber, Title: r.Title,
		Citation: citation, URL: notify.DocumentURL(r.DocumentNumber),
		Published: r.PublicationDate, Effective: r.EffectiveDate,
		Changes: r.Changes, Warnings: r.Warnings, Created: created,
	}
}

func quarantineAlert(seq uint64) notify.Alert {
	return notify.Alert{
		Seq: seq, Kind: notify.KindQuarantined, Document: "2025-05427", Title: "Additions to the Entity List",
		URL: notify.DocumentURL("2025-05427"), Published: entitywatch.NewDate(2025, 3, 28),
		Reason:  `parse 2025-05427: instruction 2.a: "Inspur Taiwan" under TAIWAN: no table row: rule not fully accounted for`,
		Created: created,
	}
}

func earlyWarningAlert(seq uint64) notify.Alert {
	return notify.Alert{
		Seq: seq, Kind: notify.KindEarlyWarning, Document: "2025-05427", Title: "Additions to the Entity List",
		URL:       "https://www.federalregister.gov/public-inspection/2025-05427/additions-to-the-entity-list",
		PDFURL:    "https://public-inspection.federalregister.gov/2025-05427.pdf",
		Filed:     time.Date(2025, 3, 25, 8, 45, 0, 0, time.FixedZone("EDT", -4*3600)),
		Published: entitywatch.NewDate(2025, 3, 28),
		Counts:    entitywatch.SummaryCounts{Entities: 12, ByDestination: map[string]int{"CN": 11, "TW": 1}},
		Created:   created,
	}
}

func healthAlert(seq uint64) notify.Alert {
	return notify.Alert{
		Seq: seq, Kind: notify.KindHealth, Reason: "no successful run for 2 hours",
		Warnings: []string{"last run failed: fetch 2025-05427: federalregister.gov answered 503 Service Unavailable",
			"alert 7 (2025-05426) not delivered on slack: invalid_auth"},
		Created: created,
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./notify -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is deliberate, run go test ./notify -update and read the diff:\n%s", name, diff)
	}
}

// messageJSON is the golden form of a message: what Slack receives,
// without the alert the first part carries for webhooks.
func messageJSON(t *testing.T, m notify.Message) []byte {
	t.Helper()
	m.Alert = nil
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkLimits fails the test if any message of m breaks Slack's limits.
func checkLimits(t *testing.T, m notify.Message) {
	t.Helper()
	for i, p := range m.Parts() {
		if p.Attachment != nil {
			continue
		}
		if strings.TrimSpace(p.Text) == "" {
			t.Errorf("part %d (%s): no fallback text", i, p.ID)
		}
		if len(p.Blocks) > notify.DefaultMaxBlocks {
			t.Errorf("part %d (%s): %d blocks", i, p.ID, len(p.Blocks))
		}
		total := 0
		count := func(what string, tx *slack.TextBlockObject, limit int) {
			if tx == nil {
				return
			}
			n := utf8.RuneCountInString(tx.Text)
			total += n
			if n > limit {
				t.Errorf("part %d (%s): %s of %d characters (limit %d)", i, p.ID, what, n, limit)
			}
		}
		for _, b := range p.Blocks {
			switch b := b.(type) {
			case *slack.HeaderBlock:
				count("header", b.Text, 150)
			case *slack.SectionBlock:
				count("section", b.Text, notify.DefaultMaxSectionChars)
				if len(b.Fields) > 10 {
					t.Errorf("part %d: %d fields", i, len(b.Fields))
				}
				for _, f := range b.Fields {
					count("field", f, 2000)
				}
			case *slack.ContextBlock:
				for _, e := range b.ContextElements.Elements {
					if tx, ok := e.(*slack.TextBlockObject); ok {
						count("context", tx, 2000)
					}
				}
			}
		}
		if total > notify.DefaultMaxMessageChars {
			t.Errorf("part %d (%s): %d characters of text in blocks", i, p.ID, total)
		}
	}
}

// blockText returns the text of blocks (mrkdwn as sent), one block a
// line.
func blockText(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.HeaderBlock:
			b.WriteString(bl.Text.Text)
		case *slack.SectionBlock:
			if bl.Text != nil {
				b.WriteString(bl.Text.Text)
			}
			for _, f := range bl.Fields {
				b.WriteString("\n" + f.Text)
			}
		case *slack.ContextBlock:
			for _, e := range bl.ContextElements.Elements {
				if tx, ok := e.(*slack.TextBlockObject); ok {
					b.WriteString(tx.Text)
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRender_Golden(t *testing.T) {
	tests := []struct {
		name  string
		alert func(t *testing.T) notify.Alert
		opt   notify.RenderOptions
	}{
		{"rule-2025-05427", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05427", 1) }, notify.RenderOptions{}},
		{"rule-2025-05427-aliases", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05427", 1) }, notify.RenderOptions{ShowAliases: true}},
		{"rule-2025-05426", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05426", 2) }, notify.RenderOptions{}},
		{"rule-2025-05426-aliases", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05426", 2) }, notify.RenderOptions{ShowAliases: true, Threaded: true, CSV: true}},
		{"rule-2025-05426-china-hong-kong", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05426", 2) }, notify.RenderOptions{Countries: []string{"CN", "hk"}}},
		{"quarantine", func(*testing.T) notify.Alert { return quarantineAlert(3) }, notify.RenderOptions{}},
		{"early-warning", func(*testing.T) notify.Alert { return earlyWarningAlert(4) }, notify.RenderOptions{}},
		{"health", func(*testing.T) notify.Alert { return healthAlert(5) }, notify.RenderOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notify.Render(tt.alert(t), tt.opt)
			checkLimits(t, m)
			golden(t, tt.name+".json", messageJSON(t, m))
		})
	}
}

func TestRender_Text(t *testing.T) {
	tests := []struct {
		name  string
		alert func(t *testing.T) notify.Alert
		opt   notify.RenderOptions
		want  []string
	}{
		{"rule_2025_05427", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05427", 1) }, notify.RenderOptions{}, []string{
			"BIS added 12 entities, effective 2025-03-25: China 11 (Beijing Academy of Artificial Intelligence; ",
			"and 8 more), Taiwan 1 (Inspur Taiwan).",
			"Additions to the Entity List, FR Doc. 2025-05427, 90 FR 14046, published 2025-03-28: https://www.federalregister.gov/d/2025-05427",
		}},
		{"rule_2025_05426", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05426", 2) }, notify.RenderOptions{}, []string{
			"BIS added 68 entities under 70 entries and revised 1 entity under 4 entries, effective 2025-03-25: China 42 (",
			"Pakistan 19 (", "Revised 4 (Dart Aviation (France); Dart Aviation (Iran); Dart Aviation (Senegal) and 1 more)",
		}},
		{"focus", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05426", 2) }, notify.RenderOptions{Countries: []string{"PK"}}, []string{
			"Pakistan 19 (", "Also in this rule, under other destinations: China 42 added, United Arab Emirates 4 added, South Africa 3 added, Iran 2 added",
		}},
		{"quarantine", func(*testing.T) notify.Alert { return quarantineAlert(3) }, notify.RenderOptions{}, []string{
			"Entity List rule 2025-05427 could not be parsed: parse 2025-05427: instruction 2.a:", "Nothing from this rule was applied.",
		}},
		{"early_warning", func(*testing.T) notify.Alert { return earlyWarningAlert(4) }, notify.RenderOptions{}, []string{
			"Entity List rule on public inspection: 2025-05427, Additions to the Entity List, filed 2025-03-25 08:45 EDT, to be published 2025-03-28.",
			"The SUMMARY states: 12 entities (China 11, Taiwan 1) added.", "PDF: https://public-inspection.federalregister.gov/2025-05427.pdf",
		}},
		{"health", func(*testing.T) notify.Alert { return healthAlert(5) }, notify.RenderOptions{}, []string{
			"entitywatch needs attention: no successful run for 2 hours", "invalid_auth",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notify.Render(tt.alert(t), tt.opt)
			for _, w := range tt.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, m.Text)
				}
			}
			if strings.Contains(m.Text, "&amp;") {
				t.Errorf("fallback text is escaped for Slack:\n%s", m.Text)
			}
		})
	}
}

// bigRule is a rule of n changes under several destinations, with long
// alias lists, as a large BIS rule might be.
func bigRule(n int) notify.Alert {
	dests := []struct{ code, heading string }{
		{"CN", "CHINA, PEOPLE'S REPUBLIC OF"}, {"RU", "RUSSIA"}, {"IR", "IRAN"}, {"AE", "UNITED ARAB EMIRATES"}, {"HK", "HONG KONG"},
	}
	a := notify.Alert{Seq: 9, Kind: notify.KindRuleApplied, Document: "2099-00001", Title: "Additions to the Entity List",
		URL: notify.DocumentURL("2099-00001"), Effective: entitywatch.NewDate(2099, 1, 2), Published: entitywatch.NewDate(2099, 1, 3)}
	for i := range n {
		d := dests[min(i*i%7, len(dests)-1)]
		c := entitywatch.Change{Action: entitywatch.Add, Entry: entitywatch.Entry{
			Country: d.heading, CountryCode: d.code, Name: fmt.Sprintf("Example Trading Company No. %03d Co., Ltd. & Partners", i),
			Aliases: []string{fmt.Sprintf("ETC %03d", i), fmt.Sprintf("Example Trading <%03d>", i), "Example Holdings Limited"},
		}}
		switch i % 30 {
		case 7:
			c.Action = entitywatch.Remove
		case 11:
			c.Action, c.ChangedFields = entitywatch.Revise, []string{"aliases", "license_review_policy"}
		case 13:
			c.Action, c.FromCountryCode, c.FromCountry = entitywatch.Move, "HK", "HONG KONG"
		}
		a.Changes = append(a.Changes, c)
	}
	return a
}

func TestRender_LongRule(t *testing.T) {
	tests := []struct {
		name    string
		opt     notify.RenderOptions
		summary string
	}{
		{"threaded_csv", notify.RenderOptions{ShowAliases: true, Threaded: true, CSV: true}, "The full list of 300 entries is in the thread ("},
		{"threaded", notify.RenderOptions{Threaded: true}, "The full list of 300 entries is in the thread ("},
		{"follow_up_messages", notify.RenderOptions{ShowAliases: true}, "The full list of 300 entries follows in "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := bigRule(300)
			m := notify.Render(a, tt.opt)
			checkLimits(t, m)
			if len(m.Thread) < 2 {
				t.Fatalf("%d replies; want the list spread over several", len(m.Thread))
			}
			if !strings.Contains(m.Text, tt.summary) {
				t.Errorf("summary text lacks %q:\n%s", tt.summary, m.Text)
			}
			root := blockText(m.Blocks)
			if !strings.Contains(root, tt.summary) {
				t.Errorf("summary blocks lack %q", tt.summary)
			}
			if strings.Contains(root, "Company No. 001") {
				t.Errorf("summary lists entries; they belong in the thread")
			}
			// Every entry appears in the replies exactly once: nothing is
			// dropped to fit.
			var replies strings.Builder
			for i, r := range m.Thread {
				if want := fmt.Sprintf("FR Doc. 2099-00001, full list, part %d of %d", i+1, len(m.Thread)); !strings.Contains(r.Text, want) {
					t.Errorf("reply %d lacks %q", i+1, want)
				}
				replies.WriteString(blockText(r.Blocks))
			}
			for _, c := range a.Changes {
				name := strings.ReplaceAll(c.Name, "&", "&amp;")
				if n := strings.Count(replies.String(), name); n != 1 {
					t.Errorf("%q appears %d times in the replies", name, n)
				}
			}
			if (m.Attachment != nil) != tt.opt.CSV {
				t.Fatalf("attachment %v; want one only with CSV", m.Attachment != nil)
			}
			if m.Attachment != nil {
				rows, err := csv.NewReader(strings.NewReader(m.Attachment.Content)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 301 || rows[0][0] != "document_number" {
					t.Errorf("CSV has %d rows (header %v); want a header and 300 rows", len(rows), rows[0])
				}
			}
		})
	}
}

func TestRender_LongEntry(t *testing.T) {
	a := bigRule(1)
	var aliases []string
	for i := range 400 {
		aliases = append(aliases, fmt.Sprintf("Alias number %d of a very long list", i))
	}
	a.Changes[0].Aliases = aliases
	m := notify.Render(a, notify.RenderOptions{ShowAliases: true})
	checkLimits(t, m)
	var all strings.Builder
	for _, p := range m.Parts() {
		all.WriteString(blockText(p.Blocks))
	}
	for _, s := range []string{"Alias number 0 of", "Alias number 399 of a very long list"} {
		if !strings.Contains(all.String(), s) {
			t.Errorf("rendered alert lacks %q", s)
		}
	}
}

func TestRender_Quarantine_LongReason(t *testing.T) {
	a := quarantineAlert(1)
	a.Reason = strings.Repeat("table row <42> & instruction 2.a do not match; ", 200)
	m := notify.Render(a, notify.RenderOptions{})
	checkLimits(t, m)
	if b := blockText(m.Blocks); !strings.Contains(b, "(cut here: the whole text is 9400 characters long)") {
		t.Errorf("a cut reason does not say so:\n%s", b)
	}
}

func TestAlert_Countries(t *testing.T) {
	a := fixtureAlert(t, "2025-05426", 1)
	if diff := cmp.Diff([]string{"AE", "CN", "FR", "GB", "IR", "PK", "SN", "ZA"}, a.Countries()); diff != "" {
		t.Errorf("Countries (-want +got):\n%s", diff)
	}
	moved := notify.Alert{Kind: notify.KindRuleApplied, Changes: []entitywatch.Change{{Action: entitywatch.Move, Entry: entitywatch.Entry{CountryCode: "CN"}, FromCountryCode: "HK"}}}
	if diff := cmp.Diff([]string{"CN", "HK"}, moved.Countries()); diff != "" {
		t.Errorf("Countries of a move (-want +got):\n%s", diff)
	}
	if got := quarantineAlert(1).Countries(); got != nil {
		t.Errorf("quarantine Countries = %v; want nil (every route)", got)
	}
}

func TestRender_Headline(t *testing.T) {
	long := bigRule(0)
	for i, a := range []entitywatch.Action{entitywatch.Add, entitywatch.Add, entitywatch.Remove, entitywatch.Remove, entitywatch.Revise, entitywatch.Revise, entitywatch.Move, entitywatch.Move} {
		// Each party under two destinations: "N entities under M entries".
		long.Changes = append(long.Changes, entitywatch.Change{Action: a, Entry: entitywatch.Entry{CountryCode: []string{"CN", "HK"}[i%2], Name: "Party " + string(a)}})
	}
	tests := []struct {
		name  string
		alert func(t *testing.T) notify.Alert
		want  string
	}{
		{"additions", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2025-05427", 1) }, "BIS added 12 entities, effective 2025-03-25"},
		{"entities_under_entries", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2023-03929", 1) }, "BIS added 10 entities under 13 entries, effective 2023-02-24"},
		{"removal", func(t *testing.T) notify.Alert { return fixtureAlert(t, "2023-25557", 1) }, "BIS removed 1 entity, effective 2023-11-16"},
		{"no_changes", func(t *testing.T) notify.Alert {
			return notify.Alert{Kind: notify.KindRuleApplied, Document: "2025-00001", Effective: entitywatch.NewDate(2025, 1, 2)}
		}, "BIS rule 2025-00001 made no Entity List changes, effective 2025-01-02"},
		{"too_long_for_a_header", func(*testing.T) notify.Alert { return long }, "BIS added 2, removed 2, revised 2 and moved 2 entries, effective 2099-01-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := notify.Render(tt.alert(t), notify.RenderOptions{})
			checkLimits(t, m)
			if got := m.Blocks[0].(*slack.HeaderBlock).Text.Text; got != tt.want {
				t.Errorf("header = %q; want %q", got, tt.want)
			}
		})
	}
}
