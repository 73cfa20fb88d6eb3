package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// parseXMLTree is the reference reader scanXML is checked against:
// encoding/xml, strict, with HTML entities. It refuses
// documents that are not well formed, including ones cut short.
func parseXMLTree(data []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	var stack []*xnode
	var root *xnode
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, col := d.InputPos()
			if strings.Contains(err.Error(), "unexpected EOF") {
				return nil, fmt.Errorf("%w: XML ends unexpectedly at line %d column %d (truncated download?)", entitywatch.ErrMalformed, line, col)
			}
			return nil, fmt.Errorf("%w: XML line %d column %d: %v", entitywatch.ErrMalformed, line, col, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local, attrs: slices.Clone(t.Attr)}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("%w: more than one root element", entitywatch.ErrMalformed)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			// RawToken does not pair tags; do it here.
			if len(stack) == 0 || stack[len(stack)-1].name != t.Name.Local {
				line, col := d.InputPos()
				want := "nothing"
				if len(stack) > 0 {
					want = "</" + stack[len(stack)-1].name + ">"
				}
				return nil, fmt.Errorf("%w: XML line %d column %d: </%s> closes %s", entitywatch.ErrMalformed, line, col, t.Name.Local, want)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, &xnode{text: string(t)})
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%w: no XML root element", entitywatch.ErrMalformed)
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("%w: XML ends inside <%s> (truncated download?)", entitywatch.ErrMalformed, stack[len(stack)-1].name)
	}
	return root, nil
}

func TestScanXML_MatchesEncodingXML(t *testing.T) {
	for _, path := range documents(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix([]byte(path), []byte(".xml")) {
			continue
		}
		compareTrees(t, path, data, true)
	}
}

func TestScanXML_Errors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"empty", "", "no root element"},
		{"truncated_tag", "<RULE><P", "truncated"},
		{"truncated_text", "<RULE><P>text", "ends inside <P>"},
		{"mismatched", "<RULE><P></E></RULE>", "</E> where </P> was expected"},
		{"two_roots", "<A/><B/>", "more than one root"},
		{"text_outside", "<A/>junk", "text outside"},
		{"bad_entity", "<A>&bogus;</A>", "invalid character entity"},
		{"bare_ampersand", "<A>AT&T</A>", "invalid character entity"},
		{"unquoted_attr", "<A B=1/>", "not quoted"},
		{"lt_in_attr", `<A B="<"/>`, "'<' in attribute"},
		{"bad_utf8", "<A>\xff</A>", "UTF-8"},
		{"unclosed_comment", "<A><!-- x</A>", "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scanXML([]byte(tt.doc))
			if err == nil || !errors.Is(err, entitywatch.ErrMalformed) || !bytes.Contains([]byte(err.Error()), []byte(tt.want)) {
				t.Errorf("scanXML(%q) = %v, want an ErrMalformed mentioning %q", tt.doc, err, tt.want)
			}
		})
	}
}

// compareTrees checks scanXML against encoding/xml on one document.
func compareTrees(t *testing.T, name string, data []byte, mustParse bool) {
	t.Helper()
	got, errGot := scanXML(data)
	want, errWant := parseXMLTree(data)
	if mustParse && (errGot != nil || errWant != nil) {
		t.Fatalf("%s: scanXML: %v; encoding/xml: %v", name, errGot, errWant)
	}
	if errGot == nil && errWant == nil && !reflect.DeepEqual(normalizeTree(got), normalizeTree(want)) {
		t.Errorf("%s: scanXML and encoding/xml build different trees", name)
	}
}

// normalizeTree merges adjacent text nodes, which the two readers may
// split differently.
func normalizeTree(n *xnode) *xnode {
	out := &xnode{name: n.name, attrs: slices.Clone(n.attrs), text: n.text}
	for _, k := range n.kids {
		if k.name == "" && structural[n.name] && strings.TrimSpace(k.text) == "" {
			continue // scanXML keeps no node for it
		}
		if k.name == "" && len(out.kids) > 0 && out.kids[len(out.kids)-1].name == "" {
			out.kids[len(out.kids)-1].text += k.text
			continue
		}
		if k.name == "" {
			out.kids = append(out.kids, &xnode{text: k.text})
			continue
		}
		out.kids = append(out.kids, normalizeTree(k))
	}
	if len(out.attrs) == 0 {
		out.attrs = nil
	}
	return out
}

// FuzzScanXML checks that whenever both readers accept a document they
// build the same tree.
func FuzzScanXML(f *testing.F) {
	seeds(f, ".xml")
	f.Fuzz(func(t *testing.T, data []byte) {
		compareTrees(t, "input", data, false)
	})
}
