package ingest

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xnode is an element or a text node of an XML document.
type xnode struct {
	name  string // "" for text
	attrs []xml.Attr
	kids  []*xnode
	text  string
}

func (n *xnode) attr(name string) string {
	for _, a := range n.attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// xmlText flattens an element's text: LI items set off by liMark,
// numeric superscripts removed into footnotes, page breaks dropped.
type xmlText struct {
	b         []byte
	footnotes []string
	pages     []int
}

func (t *xmlText) walk(n *xnode) {
	if n.name == "" {
		t.b = append(t.b, n.text...)
		return
	}
	switch n.name {
	case "PRTPAGE":
		if p, err := strconv.Atoi(n.attr("P")); err == nil {
			t.pages = append(t.pages, p)
		}
		t.b = append(t.b, ' ')
		return
	case "SU", "FTREF":
		s := strings.TrimSpace(innerText(n))
		if isFootnoteMarker(s) {
			t.footnotes = append(t.footnotes, s)
			return
		}
		// An ordinal suffix joins its number even when the XML is
		// pretty-printed ("3\n<SU>rd</SU>").
		if trimmed := bytes.TrimRight(t.b, " \t\r\n"); len(trimmed) < len(t.b) && endsWithDigit(string(trimmed)) {
			t.b = trimmed
		}
		t.b = append(t.b, s...)
		return
	case "LI":
		t.b = utf8.AppendRune(t.b, liMark)
		for _, k := range n.kids {
			t.walk(k)
		}
		t.b = utf8.AppendRune(t.b, liMark)
		return
	case "E":
		if n.attr("T") == "51" {
			s := strings.TrimSpace(innerText(n))
			if isFootnoteMarker(s) {
				t.footnotes = append(t.footnotes, s)
				return
			}
		}
	case "HD":
		// A heading inside a paragraph is a label, not text.
	}
	for _, k := range n.kids {
		t.walk(k)
	}
}

func endsWithDigit(s string) bool {
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

func innerText(n *xnode) string {
	if n.name == "" {
		return n.text
	}
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(innerText(k))
	}
	return b.String()
}

// isFootnoteMarker reports whether a superscript is a footnote number
// rather than an ordinal suffix ("rd" in 3rd).
func isFootnoteMarker(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '*' && r != '†' {
			return false
		}
	}
	return true
}

// readXML reduces an FR full-text XML document to a source.
func readXML(data []byte) (*source, error) {
	root, err := scanXML(data)
	if err != nil {
		return nil, err
	}
	src := &source{format: "xml", root: root.name}
	r := xmlReader{src: src}
	r.walk(root, false)
	return src, nil
}

type xmlReader struct {
	src  *source
	page int
	buf  []byte // reused by text
}

func (r *xmlReader) text(n *xnode) (string, []string) {
	t := xmlText{b: r.buf[:0]}
	for _, k := range n.kids {
		t.walk(k)
	}
	for _, p := range t.pages {
		r.notePage(p)
	}
	r.buf = t.b
	return string(t.b), t.footnotes
}

func (r *xmlReader) notePage(p int) {
	r.page = p
	r.src.pages = append(r.src.pages, p)
}

// paras returns the text of the P children of n, one paragraph a line.
func (r *xmlReader) paras(n *xnode) string {
	var out []string
	for _, k := range n.kids {
		switch k.name {
		case "P", "FP":
			s, _ := r.text(k)
			out = append(out, fold(s))
		case "PRTPAGE":
			if p, err := strconv.Atoi(k.attr("P")); err == nil {
				r.notePage(p)
			}
		}
	}
	return strings.Join(out, "\n")
}

func (r *xmlReader) walk(n *xnode, inRegtext bool) {
	src := r.src
	switch n.name {
	case "":
		return
	case "PRTPAGE":
		if p, err := strconv.Atoi(n.attr("P")); err == nil {
			r.notePage(p)
		}
		return
	case "SUBJECT":
		if src.subject == "" {
			s, _ := r.text(n)
			src.subject = fold(s)
		}
		return
	case "RIN":
		s, _ := r.text(n)
		src.rin = strings.TrimSpace(strings.TrimPrefix(fold(s), "RIN"))
		return
	case "DEPDOC":
		s, _ := r.text(n)
		src.docket = strings.Trim(fold(s), "[] ")
		return
	case "AGY":
		src.headings++
		return
	case "ACT":
		src.headings++
		src.action = r.paras(n)
		return
	case "SUM":
		src.headings++
		src.summary = r.paras(n)
		return
	case "EFFDATE", "DATES":
		src.headings++
		src.dates = r.paras(n)
		return
	case "FRDOC":
		s, _ := r.text(n)
		src.frdoc = fold(s)
		return
	case "REGTEXT":
		inRegtext = true
	case "AMDPAR":
		s, _ := r.text(n)
		src.items = append(src.items, item{amdpar: &para{text: fold(s), page: r.page}})
		return
	case "GPOTABLE":
		src.items = append(src.items, item{table: r.table(n)})
		return
	}
	for _, k := range n.kids {
		r.walk(k, inRegtext)
	}
}

func (r *xmlReader) table(n *xnode) *table {
	t := &table{page: r.page}
	for _, k := range n.kids {
		switch k.name {
		case "BOXHD":
			for _, h := range k.kids {
				if h.name == "CHED" {
					s, _ := r.text(h)
					t.header = append(t.header, fold(s))
				}
			}
		case "PRTPAGE":
			if p, err := strconv.Atoi(k.attr("P")); err == nil {
				r.notePage(p)
			}
		case "ROW":
			t.rows = append(t.rows, r.row(k))
		}
	}
	return t
}

func (r *xmlReader) row(n *xnode) row {
	rw := row{cells: make([]cell, 0, len(n.kids))}
	for _, k := range n.kids {
		switch k.name {
		case "PRTPAGE":
			if p, err := strconv.Atoi(k.attr("P")); err == nil {
				r.notePage(p)
			}
		case "ENT":
			raw, fn := r.text(k)
			span := 1
			if a := k.attr("A"); a != "" {
				if v, err := strconv.Atoi(strings.TrimLeft(a, "LRJ")); err == nil && v > 0 {
					span += v
				}
			}
			c := cell{text: fold(raw), raw: raw, footnotes: fn, span: span}
			if k.attr("I") == "28" || isStars(c.text) {
				c.span = 5
			}
			rw.cells = append(rw.cells, c)
		}
	}
	rw.page = r.page
	return rw
}
