package report_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/report"
)

// hostile is text that breaks markup unless escaped.
const hostile = `Acme "Quote" & Sons' <b>Bold</b> <script>alert(1)</script>`

func hostileReport() report.Report {
	d := entitywatch.NewDate(2025, time.March, 25)
	rule := report.Rule{
		Document: "2025-00001", Title: `Additions & "Revisions" <to> the Entity List`, Citation: "90 FR 1 & 2",
		URL: "https://www.federalregister.gov/d/2025-00001?a=1&b=<2>", Published: d, Effective: d,
		Changes: []report.Change{{
			Change: entitywatch.Change{Action: entitywatch.Revise, ID: "XX/acme", Entry: entitywatch.Entry{
				Country: `R&D "LAND" <X>`, CountryCode: "XX", Name: hostile,
				Aliases: []string{`a.k.a. "Q&A" <Ltd>`, "Tom's & Jerry's"}, Addresses: []string{"1 <Main> St & Co"},
				LicenseRequirement: `For all items & "more" <x>`, LicenseReviewPolicy: "Presumption of denial.",
				Citations: []string{"90 FR 1"},
			}},
			Fields: []report.FieldChange{{Field: "name", Old: []string{`Old <i>&</i> "name"`}, New: []string{hostile}}},
		}},
	}
	return report.Build(d, d, `week <1> & "2"`, []report.Rule{rule}, generated)
}

// TestHTML_Escaping renders names with quotes, ampersands and tags and
// checks that a parser reads them back as the same text, in the page and
// in the SVG chart.
func TestHTML_Escaping(t *testing.T) {
	var b strings.Builder
	if err := hostileReport().HTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>", "<b>Bold", `<Ltd>`, `<Main>`, `<to>`, `<X>`, `<i>&</i>`} {
		if strings.Contains(page, bad) {
			t.Errorf("page holds unescaped %q", bad)
		}
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]bool{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" {
			t.Errorf("page has a script element")
		}
		if n.Type == html.TextNode {
			texts[strings.TrimSpace(n.Data)] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, want := range []string{hostile, `a.k.a. "Q&A" <Ltd>`, "Tom's & Jerry's", "1 <Main> St & Co", `Old <i>&</i> "name"`, `R&D "LAND" <X> (XX)`, `For all items & "more" <x>`} {
		if !texts[want] {
			t.Errorf("no text node reads %q", want)
		}
	}

	// The chart is well-formed XML whose labels read back as written.
	start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if start < 0 || end < 0 {
		t.Fatal("no SVG chart")
	}
	var svg struct {
		Title string `xml:"title"`
		G     []struct {
			Text []string `xml:"text"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal([]byte(page[start:end+len("</svg>")]), &svg); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if len(svg.G) != 1 || len(svg.G[0].Text) == 0 || svg.G[0].Text[0] != `R&D "LAND" <X> (XX)` {
		t.Errorf("chart labels %+v", svg.G)
	}
	if !strings.Contains(svg.Title, `R&D "LAND" <X> (XX) 1`) {
		t.Errorf("chart title %q", svg.Title)
	}
}

// TestHTML_SelfContained checks that the page loads nothing from
// elsewhere and prints well.
func TestHTML_SelfContained(t *testing.T) {
	var b strings.Builder
	if err := hostileReport().HTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url(", "<img", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("page is not self-contained: holds %q", bad)
		}
	}
	for _, want := range []string{"<style>", "@media print", "<svg", `<meta charset="utf-8">`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestMarkdown_Escaping checks that rule text cannot inject Markdown.
func TestMarkdown_Escaping(t *testing.T) {
	var b strings.Builder
	if err := hostileReport().Markdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		`##### Revised: Acme "Quote" & Sons' \<b\>Bold\</b\> \<script\>alert(1)\</script\>`,
		`| R&D "LAND" \<X\> (XX) | 0 | 0 | 1 | 0 | 1 |`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}
