package ingest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/entitywatch/entitywatch"
)

var (
	printedPage     = regexp.MustCompile(`(?i)Start Printed Page\s+(\d+)`)
	looksLikeAmdpar = regexp.MustCompile(`(?i)^(?:\d+|[a-z]{1,2}|[ivx]+)\.\s+(?:.*\bis amended\b|under\s+\S|by\s+(?:adding|removing|revising|amending)|adding|removing|revising)`)
)

// readHTML reduces an FR body HTML document (body_html_url) to a source.
// The body HTML is what the FR renders from its XML: AMDPARs become
// p.amendment_part, GPOTABLEs become tables, LI items inside a cell are
// flattened into the cell's text, SU becomes sup.
func readHTML(data []byte) (*source, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: HTML: %v", entitywatch.ErrMalformed, err)
	}
	src := &source{format: "html"}
	r := htmlReader{src: src}

	doc.Find("h1, h2, h3, h4").Each(func(_ int, h *goquery.Selection) {
		label := strings.ToUpper(fold(h.Text()))
		var target *string
		switch {
		case strings.HasPrefix(label, "AGENCY:"):
			src.headings++
		case strings.HasPrefix(label, "ACTION:"):
			target = &src.action
		case strings.HasPrefix(label, "SUMMARY:"):
			target = &src.summary
		case strings.HasPrefix(label, "DATES:") || strings.HasPrefix(label, "EFFECTIVE DATE"):
			target = &src.dates
		default:
			return
		}
		if target == nil {
			return
		}
		src.headings++
		var out []string
		h.NextUntil("h1, h2, h3, h4").Filter("p").Each(func(_ int, p *goquery.Selection) {
			out = append(out, fold(p.Text()))
		})
		*target = strings.Join(out, "\n")
	})
	// Pages laid out otherwise (headings inside wrappers, no heading
	// elements at all) still print the labels: read the text between them.
	if src.summary == "" || src.dates == "" || src.action == "" {
		text := fold(doc.Text())
		if src.summary == "" {
			src.summary = between(text, "SUMMARY:", "DATES:", "EFFECTIVE DATE", "ADDRESSES:", "FOR FURTHER INFORMATION")
		}
		if src.dates == "" {
			src.dates = between(text, "DATES:", "ADDRESSES:", "FOR FURTHER INFORMATION", "SUPPLEMENTARY INFORMATION")
		}
		if src.action == "" {
			src.action = between(text, "ACTION:", "SUMMARY:")
		}
		if src.summary != "" {
			src.headings++
		}
	}
	// A subject is only present when the HTML is a whole page.
	if t := doc.Find("h1.title, meta[name='citation_title']").First(); t.Length() > 0 {
		if v, ok := t.Attr("content"); ok {
			src.subject = fold(v)
		} else {
			src.subject = fold(t.Text())
		}
	}
	if fr := doc.Find(".fr_doc, .fr-doc").First(); fr.Length() > 0 {
		src.frdoc = fold(fr.Text())
	} else if m := regexp.MustCompile(`\[FR Doc\.[^\]]*\]`).FindString(doc.Text()); m != "" {
		src.frdoc = fold(m)
	}

	// Amendment paragraphs are p.amendment_part in the FR's rendering; a
	// page saved from elsewhere may class them otherwise, or not at all,
	// so fall back to paragraphs that read as numbered or lettered
	// amendment instructions.
	amdpar := "p.amendment_part, p[class*='amend'], p[class*='amdpar']"
	if doc.Find(amdpar).Length() == 0 {
		doc.Find("p").Each(func(_ int, p *goquery.Selection) {
			if looksLikeAmdpar.MatchString(fold(p.Text())) {
				p.AddClass("amendment_part")
			}
		})
	}
	doc.Find(amdpar + ", table, .printed-page, .printed_page").Each(func(_ int, s *goquery.Selection) {
		switch {
		case s.HasClass("printed-page") || s.HasClass("printed_page"):
			if p, ok := pageOf(s); ok {
				r.notePage(p)
			}
		case goquery.NodeName(s) == "table":
			src.items = append(src.items, item{table: r.table(s)})
		case goquery.NodeName(s) != "p":
			// A printed-page marker or other element matched by class.
		default:
			t := r.cellText(s)
			src.items = append(src.items, item{amdpar: &para{text: t.text, page: r.page}})
		}
	})
	return src, nil
}

func pageOf(s *goquery.Selection) (int, bool) {
	if v, ok := s.Attr("data-page"); ok {
		if p, err := strconv.Atoi(v); err == nil {
			return p, true
		}
	}
	if m := printedPage.FindStringSubmatch(s.Text()); m != nil {
		p, err := strconv.Atoi(m[1])
		return p, err == nil
	}
	return 0, false
}

type htmlReader struct {
	src  *source
	page int
}

func (r *htmlReader) notePage(p int) {
	if len(r.src.pages) > 0 && r.src.pages[len(r.src.pages)-1] == p {
		return
	}
	r.page = p
	r.src.pages = append(r.src.pages, p)
}

func (r *htmlReader) table(s *goquery.Selection) *table {
	t := &table{page: r.page}
	s.Find("thead tr").First().Find("th, td").Each(func(_ int, c *goquery.Selection) {
		t.header = append(t.header, fold(c.Text()))
	})
	s.Find("tr").Each(func(_ int, tr *goquery.Selection) {
		if tr.ParentsFiltered("thead").Length() > 0 {
			return
		}
		var rw row
		tr.Children().Each(func(_ int, c *goquery.Selection) {
			name := goquery.NodeName(c)
			if name != "td" && name != "th" {
				return
			}
			cl := r.cellText(c)
			cl.span = 1
			if v, ok := c.Attr("colspan"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 1 {
					cl.span = n
				}
			}
			if isStars(cl.text) {
				cl.span = 5
			}
			rw.cells = append(rw.cells, cl)
		})
		rw.page = r.page
		t.rows = append(t.rows, rw)
	})
	return t
}

// cellText flattens an element the way xmlText does for XML, minus the
// LI boundaries the HTML no longer has.
func (r *htmlReader) cellText(s *goquery.Selection) cell {
	var b strings.Builder
	var footnotes []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
			return
		case html.ElementNode:
			switch n.Data {
			case "sup":
				t := strings.TrimSpace(nodeText(n))
				if isFootnoteMarker(t) {
					footnotes = append(footnotes, t)
					return
				}
				b.WriteString(t)
				return
			case "br":
				b.WriteByte(' ')
				return
			case "span":
				if cls := attrOf(n, "class"); strings.Contains(cls, "printed-page") || strings.Contains(cls, "printed_page") {
					if v := attrOf(n, "data-page"); v != "" {
						if p, err := strconv.Atoi(v); err == nil {
							r.notePage(p)
						}
					}
					b.WriteByte(' ')
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range s.Nodes {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	raw := b.String()
	return cell{text: fold(raw), raw: raw, footnotes: footnotes}
}

func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return b.String()
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// between returns the text after the first start label up to the first of
// the end labels after it, or "".
func between(text, start string, ends ...string) string {
	i := strings.Index(text, start)
	if i < 0 {
		return ""
	}
	rest := text[i+len(start):]
	end := len(rest)
	for _, e := range ends {
		if j := strings.Index(rest, e); j >= 0 && j < end {
			end = j
		}
	}
	return strings.TrimSpace(rest[:end])
}
