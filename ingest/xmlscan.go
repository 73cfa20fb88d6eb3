package ingest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/entitywatch/entitywatch"
)

// scanXML reads a whole XML document into a tree. It is a small strict
// reader for the FR's documents, several times faster than encoding/xml:
// elements, attributes, character and entity references (XML's five and
// HTML's named ones), comments, processing instructions, CDATA and a
// DOCTYPE. It refuses what encoding/xml refuses for such documents:
// mismatched or unclosed tags, a document cut short, bad references,
// invalid UTF-8, text outside the root element.
func scanXML(data []byte) (*xnode, error) {
	s := &xscanner{data: data}
	root, err := s.document()
	if err != nil {
		line := 1 + bytes.Count(data[:min(s.pos, len(data))], []byte("\n"))
		return nil, fmt.Errorf("%w: XML line %d: %v", entitywatch.ErrMalformed, line, err)
	}
	return root, nil
}

// structural are the elements whose own text is never read, only their
// children: white space directly inside them is dropped.
var structural = map[string]bool{
	"RULE": true, "PREAMB": true, "SUPLINF": true, "REGTEXT": true, "GPOTABLE": true, "BOXHD": true, "ROW": true,
	"AGY": true, "ACT": true, "SUM": true, "EFFDATE": true, "DATES": true, "FURINF": true, "SIG": true, "LSTSUB": true,
	"PART": true, "AUTH": true, "TABLE": true, "THEAD": true, "TBODY": true, "TFOOT": true, "TR": true,
}

type xscanner struct {
	data []byte
	pos  int
	text strings.Builder
	// Nodes are carved from slabs and kids slices from arenas: a few
	// dozen allocations for a whole document.
	slab  []xnode
	arena []*xnode
	// pending holds the nodes read whose parent is still open; an open
	// element's kids are the tail of it from the element's mark.
	pending []*xnode
	// names interns element and attribute names: a document uses a few
	// dozen, thousands of times.
	names map[string]xname
	// attrs holds every node's attributes, one node's after another's.
	attrs []xml.Attr
}

// xname is an interned name and whether elements of that name are
// structural.
type xname struct {
	name       string
	structural bool
}

// openElement is an element whose end tag is still to come.
type openElement struct {
	n          *xnode
	mark       int  // len(pending) when it opened
	structural bool // its own text is never read
}

const slabSize = 512

// node returns a new node from the slab; a node with a parent waits in
// pending until the parent closes.
func (s *xscanner) node(hasParent bool) *xnode {
	if len(s.slab) == cap(s.slab) {
		s.slab = make([]xnode, 0, slabSize)
	}
	s.slab = s.slab[:len(s.slab)+1]
	n := &s.slab[len(s.slab)-1]
	if hasParent {
		s.pending = append(s.pending, n)
	}
	return n
}

// close ends the open element e: its kids are the nodes pending since it
// opened, copied into the arena.
func (s *xscanner) close(e openElement) {
	kids := s.pending[e.mark:]
	if len(kids) > 0 {
		if cap(s.arena)-len(s.arena) < len(kids) {
			s.arena = make([]*xnode, 0, max(4*slabSize, len(kids)))
		}
		start := len(s.arena)
		s.arena = append(s.arena, kids...)
		e.n.kids = s.arena[start:len(s.arena):len(s.arena)]
	}
	clear(kids)
	s.pending = s.pending[:e.mark]
}

var errTruncated = fmt.Errorf("document ends unexpectedly (truncated download?)")

func (s *xscanner) document() (*xnode, error) {
	if !utf8.Valid(s.data) {
		return nil, fmt.Errorf("document is not valid UTF-8")
	}
	s.pos = 0
	s.attrs = make([]xml.Attr, 0, bytes.Count(s.data, []byte("=\""))+bytes.Count(s.data, []byte("='")))
	s.names = make(map[string]xname, 64)
	if bytes.HasPrefix(s.data, []byte("\xef\xbb\xbf")) {
		s.pos = 3
	}
	var root *xnode
	var stack []openElement
	for s.pos < len(s.data) {
		if s.data[s.pos] != '<' {
			end := bytes.IndexByte(s.data[s.pos:], '<')
			if end < 0 {
				end = len(s.data) - s.pos
			}
			chunk := s.data[s.pos : s.pos+end]
			if len(stack) == 0 {
				if len(bytes.TrimSpace(chunk)) != 0 {
					return nil, fmt.Errorf("text outside the root element")
				}
				s.pos += end
				continue
			}
			txt, err := s.unescape(chunk)
			if err != nil {
				return nil, err
			}
			s.pos += end
			if stack[len(stack)-1].structural && isBlank(txt) {
				// Indentation between the rows and sections of a document
				// is never read: keep no node for it.
				continue
			}
			n := s.node(true)
			n.text = txt
			continue
		}
		rest := s.data[s.pos:]
		// The byte after '<' tells the kinds apart: most are start tags.
		var next byte
		if len(rest) > 1 {
			next = rest[1]
		}
		switch {
		case next != '!' && next != '?' && next != '/':
			s.pos++
			if len(stack) == 0 && root != nil {
				return nil, fmt.Errorf("more than one root element")
			}
			n, structural, selfClosing, err := s.startTag(len(stack) > 0)
			if err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				root = n
			}
			if !selfClosing {
				stack = append(stack, openElement{n: n, mark: len(s.pending), structural: structural})
			}
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return nil, errTruncated
			}
			s.pos += 4 + end + 3
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest[2:], []byte("?>"))
			if end < 0 {
				return nil, errTruncated
			}
			s.pos += 2 + end + 2
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			end := bytes.Index(rest[9:], []byte("]]>"))
			if end < 0 {
				return nil, errTruncated
			}
			if len(stack) == 0 {
				return nil, fmt.Errorf("CDATA outside the root element")
			}
			n := s.node(true)
			n.text = string(rest[9 : 9+end])
			s.pos += 9 + end + 3
		case bytes.HasPrefix(rest, []byte("<!")):
			if err := s.skipDecl(); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(rest, []byte("</")):
			s.pos += 2
			name, err := s.nameBytes()
			if err != nil {
				return nil, err
			}
			s.skipSpace()
			if s.pos >= len(s.data) {
				return nil, errTruncated
			}
			if s.data[s.pos] != '>' {
				return nil, fmt.Errorf("unexpected %q in </%s>", s.data[s.pos], name)
			}
			s.pos++
			if len(stack) == 0 || stack[len(stack)-1].n.name != string(name) {
				want := "nothing"
				if len(stack) > 0 {
					want = "</" + stack[len(stack)-1].n.name + ">"
				}
				return nil, fmt.Errorf("</%s> where %s was expected", name, want)
			}
			s.close(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		return nil, fmt.Errorf("ends inside <%s> (truncated download?)", stack[len(stack)-1].n.name)
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// isBlank reports whether s is XML white space only.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// skipDecl skips a DOCTYPE (with an internal subset) or another
// declaration.
func (s *xscanner) skipDecl() error {
	depth := 0
	var quote byte
	for i := s.pos + 2; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			s.pos = i + 1
			return nil
		}
	}
	return errTruncated
}

func (s *xscanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

func isNameByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':', c >= 0x80:
		return true
	case !first && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		return true
	}
	return false
}

// nameBytes reads a name, without its namespace prefix, as a slice of
// the document.
func (s *xscanner) nameBytes() ([]byte, error) {
	start := s.pos
	for s.pos < len(s.data) && isNameByte(s.data[s.pos], s.pos == start) {
		s.pos++
	}
	if s.pos == start {
		if s.pos >= len(s.data) {
			return nil, errTruncated
		}
		return nil, fmt.Errorf("invalid character %q where a name was expected", s.data[s.pos])
	}
	name := s.data[start:s.pos]
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name, nil
}

// name reads a name, interned.
func (s *xscanner) name() (xname, error) {
	b, err := s.nameBytes()
	if err != nil {
		return xname{}, err
	}
	if v, ok := s.names[string(b)]; ok {
		return v, nil
	}
	v := xname{name: string(b), structural: structural[string(b)]}
	s.names[v.name] = v
	return v, nil
}

// startTag reads an element's name and attributes after its '<'. It
// reports whether the element is structural and whether it closes itself.
func (s *xscanner) startTag(hasParent bool) (n *xnode, structural, selfClosing bool, err error) {
	xn, err := s.name()
	if err != nil {
		return nil, false, false, err
	}
	n = s.node(hasParent)
	n.name = xn.name
	name := xn.name
	for {
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, false, false, errTruncated
		}
		switch s.data[s.pos] {
		case '>':
			s.pos++
			return n, xn.structural, false, nil
		case '/':
			if s.pos+1 >= len(s.data) {
				return nil, false, false, errTruncated
			}
			if s.data[s.pos+1] != '>' {
				return nil, false, false, fmt.Errorf("unexpected '/' in <%s>", name)
			}
			s.pos += 2
			return n, xn.structural, true, nil
		}
		attr, err := s.name()
		if err != nil {
			return nil, false, false, fmt.Errorf("in <%s>: %w", name, err)
		}
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, false, false, errTruncated
		}
		if s.data[s.pos] != '=' {
			return nil, false, false, fmt.Errorf("attribute %s of <%s> has no value", attr.name, name)
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, false, false, errTruncated
		}
		q := s.data[s.pos]
		if q != '"' && q != '\'' {
			return nil, false, false, fmt.Errorf("attribute %s of <%s> is not quoted", attr.name, name)
		}
		end := bytes.IndexByte(s.data[s.pos+1:], q)
		if end < 0 {
			return nil, false, false, errTruncated
		}
		raw := s.data[s.pos+1 : s.pos+1+end]
		if bytes.IndexByte(raw, '<') >= 0 {
			return nil, false, false, fmt.Errorf("'<' in attribute %s of <%s>", attr.name, name)
		}
		val, err := s.unescape(raw)
		if err != nil {
			return nil, false, false, err
		}
		start := len(s.attrs)
		if len(n.attrs) > 0 {
			start = len(s.attrs) - len(n.attrs)
		}
		s.attrs = append(s.attrs, xml.Attr{Name: xml.Name{Local: attr.name}, Value: val})
		n.attrs = s.attrs[start:len(s.attrs):len(s.attrs)]
		s.pos += 1 + end + 1
	}
}

// unescape resolves character and entity references.
func (s *xscanner) unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '\r') >= 0 {
		// XML normalizes line ends: CR LF and a lone CR read as LF.
		b = bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	if bytes.IndexByte(b, '&') < 0 {
		// The document's bytes are never written after parsing starts,
		// so text can alias them instead of copying.
		if len(b) == 0 {
			return "", nil
		}
		return unsafe.String(&b[0], len(b)), nil
	}
	s.text.Reset()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			s.text.Write(b)
			break
		}
		s.text.Write(b[:i])
		b = b[i+1:]
		j := bytes.IndexByte(b, ';')
		if j <= 0 || j > 32 {
			return "", fmt.Errorf("invalid character entity &%s", firstWords(string(b[:min(len(b), 12)]), 1))
		}
		ref := string(b[:j])
		b = b[j+1:]
		if ref[0] == '#' {
			var v uint64
			var err error
			if len(ref) > 1 && (ref[1] == 'x' || ref[1] == 'X') {
				v, err = strconv.ParseUint(ref[2:], 16, 32)
			} else {
				v, err = strconv.ParseUint(ref[1:], 10, 32)
			}
			if err != nil || !utf8.ValidRune(rune(v)) || v == 0 {
				return "", fmt.Errorf("invalid character entity &%s;", ref)
			}
			s.text.WriteRune(rune(v))
			continue
		}
		switch ref {
		case "amp":
			s.text.WriteByte('&')
		case "lt":
			s.text.WriteByte('<')
		case "gt":
			s.text.WriteByte('>')
		case "quot":
			s.text.WriteByte('"')
		case "apos":
			s.text.WriteByte('\'')
		default:
			v, ok := xml.HTMLEntity[ref]
			if !ok {
				return "", fmt.Errorf("invalid character entity &%s;", ref)
			}
			s.text.WriteString(v)
		}
	}
	return s.text.String(), nil
}
