package ingest

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/entitywatch/entitywatch"
)

// ECFRList is the Entity List (Supplement No. 4 to part 744) as one eCFR
// point-in-time XML document prints it: the baseline a store can start
// from and the reference a self-audit compares with.
type ECFRList struct {
	// Heading is the supplement's heading as printed,
	// "Supplement No. 4 to Part 744—Entity List".
	Heading string `json:"heading"`
	// Entries are every entry of the table, in printed order.
	Entries []entitywatch.Entry `json:"entries"`
	// Footnotes maps the footnote markers the document explains ("1",
	// "3") to their text as printed.
	Footnotes map[string]string `json:"footnotes,omitempty"`
	// Warnings name the entries whose cell the parser could not split
	// with confidence, and other oddities of the document. Such an entry
	// is still in Entries, its printed columns unchanged in Source.
	Warnings []string `json:"warnings"`
}

// ParseECFR reads the eCFR's XML of title 15 part 744, as the versioner
// API serves it (/api/versioner/v1/full/{date}/title-15.xml?part=744, the
// whole part or only &appendix=Supplement No. 4 to Part 744), and returns
// every entry of Supplement No. 4. It returns an error wrapping
// entitywatch.ErrMalformed for a document that is not well-formed XML or
// has no Entity List table, ErrNotARule for another kind of document (an
// HTML error page, a part without Supplement No. 4), ErrUnknownDestination
// for a destination heading it does not know and ErrUnaccounted for a
// table row it cannot place; it never returns a partial list with a nil
// error. Entries whose name, aliases and addresses it cannot tell apart
// with confidence are kept whole and named in Warnings.
func ParseECFR(r io.Reader) (*ECFRList, error) {
	data, err := readDocument(r)
	if err != nil {
		return nil, err
	}
	return newParser().ecfr(data)
}

// readDocument reads a whole document of at most MaxDocumentSize bytes.
func readDocument(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok {
		buf.Grow(min(l.Len(), MaxDocumentSize) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, MaxDocumentSize+1)); err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	if buf.Len() > MaxDocumentSize {
		return nil, fmt.Errorf("%w: document larger than %d bytes", entitywatch.ErrMalformed, MaxDocumentSize)
	}
	return buf.Bytes(), nil
}

func (p *parser) ecfr(data []byte) (*ECFRList, error) {
	format, err := sniff(data)
	if err != nil {
		return nil, err
	}
	if format != "xml" {
		return nil, fmt.Errorf("%w: got an HTML page, not the eCFR's XML (an error page?)", entitywatch.ErrNotARule)
	}
	root, err := scanXML(data)
	if err != nil {
		return nil, err
	}
	supps := findSupplement4(root, nil)
	if len(supps) == 0 {
		if strings.EqualFold(root.name, "html") {
			return nil, fmt.Errorf("%w: got an HTML page, not the eCFR's XML (an error page?)", entitywatch.ErrNotARule)
		}
		return nil, fmt.Errorf("%w: <%s> holds no Supplement No. 4 to Part 744 (want the eCFR XML of title 15 part 744)", entitywatch.ErrNotARule, root.name)
	}
	list := &ECFRList{Entries: []entitywatch.Entry{}, Warnings: []string{}}
	warn := func(format string, args ...any) { list.Warnings = append(list.Warnings, fmt.Sprintf(format, args...)) }
	if len(supps) > 1 {
		warn("the document holds Supplement No. 4 to Part 744 %d times; only the first is read", len(supps))
	}
	supp := supps[0]
	normalizeECFR(supp)
	xr := &xmlReader{src: &source{}}
	for _, k := range supp.kids {
		if k.name == "HEAD" {
			s, _ := xr.text(k)
			list.Heading = fold(s)
			break
		}
	}
	var notes []*xnode
	tables := xr.ecfrTables(supp, &notes)
	if len(tables) == 0 {
		return nil, fmt.Errorf("%w: Supplement No. 4 to Part 744 holds no table", entitywatch.ErrMalformed)
	}
	realign(tables, warn)
	rows, err := p.tableEntries(tables)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%w: the Entity List table holds no entries", entitywatch.ErrMalformed)
	}
	list.Footnotes = ecfrFootnotes(notes, warn)

	seen := make(map[string]rowSpot, len(rows))
	used := map[string]int{}
	for _, r := range rows {
		e, problems := ecfrEntry(r)
		for _, c := range r.continuation {
			if !looksLikeAddress(c) {
				problems = append(problems, fmt.Sprintf("a row with no license, policy or citation is read as one more address of this entry, but it does not read as an address: %q", firstWords(c, 12)))
			}
		}
		for _, pr := range problems {
			warn("%s: %s %q: %s", r.spot, r.country, firstWords(r.cells[0].text, 12), pr)
		}
		if nk := p.m.key(e.Name); nk != "" {
			k := e.CountryCode + "|" + nk
			if prev, ok := seen[k]; ok {
				warn("%s: %s %q is listed twice (also %s)", r.spot, r.country, e.Name, prev)
			} else {
				seen[k] = r.spot
			}
		}
		for _, f := range e.Footnotes {
			used[f]++
		}
		list.Entries = append(list.Entries, e)
	}
	for _, f := range footnoteOrder(used) {
		if _, ok := list.Footnotes[f]; !ok {
			warn("footnote %s is marked on %d entries but the document does not print its text", f, used[f])
		}
	}
	return list, nil
}

// footnoteOrder returns the footnote markers of m in numeric order.
func footnoteOrder(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b)) })
	return keys
}

// supp4Name is the N attribute of Supplement No. 4's DIV9, folded.
const supp4Name = "supplement no. 4 to part 744"

// findSupplement4 returns the elements that hold Supplement No. 4 to part
// 744: a DIV9 (or another DIVn) whose N attribute or HEAD names it.
func findSupplement4(n *xnode, out []*xnode) []*xnode {
	if n.name == "" {
		return out
	}
	if strings.HasPrefix(n.name, "DIV") && isSupplement4(n) {
		return append(out, n)
	}
	for _, k := range n.kids {
		out = findSupplement4(k, out)
	}
	return out
}

func isSupplement4(n *xnode) bool {
	if n.attr("N") != "" {
		return strings.ToLower(fold(n.attr("N"))) == supp4Name
	}
	for _, k := range n.kids {
		if k.name == "HEAD" {
			rest, ok := strings.CutPrefix(strings.ToLower(fold(innerText(k))), supp4Name)
			return ok && !unicode.IsDigit(firstRune(rest))
		}
	}
	return false
}

// normalizeECFR rewrites the eCFR's HTML-style inline markup into the FR
// markup the text walker knows: a superscript <sup> is an <SU>, and a line
// break <br/> (what an LI item of the source becomes) is an LI boundary.
func normalizeECFR(n *xnode) {
	for i, k := range n.kids {
		switch strings.ToLower(k.name) {
		case "":
		case "sup":
			k.name = "SU"
		case "br":
			n.kids[i] = &xnode{text: string(liMark)}
			continue
		}
		normalizeECFR(k)
	}
}

// ecfrTables returns the tables of the supplement in document order,
// reading the eCFR's HTML-style TABLE (THEAD, TBODY, TFOOT, TR, TH, TD;
// older markup has bare TRs) and the FR's GPOTABLE alike. Footnote
// holders (TFOOT, a DIV of class table_foot, FTNT) are added to notes.
func (r *xmlReader) ecfrTables(n *xnode, notes *[]*xnode) []*table {
	var out []*table
	for _, k := range n.kids {
		switch {
		case k.name == "":
		case k.name == "TABLE" || k.name == "table":
			out = append(out, r.htmlTable(k, notes))
		case k.name == "GPOTABLE":
			t := r.table(k)
			for _, tn := range k.kids {
				if tn.name == "TNOTE" {
					*notes = append(*notes, tn)
				}
			}
			out = append(out, t)
		case k.name == "FTNT" || k.name == "TFOOT" || (strings.EqualFold(k.name, "DIV") && k.attr("class") == "table_foot"):
			*notes = append(*notes, k)
		default:
			out = append(out, r.ecfrTables(k, notes)...)
		}
	}
	return out
}

// htmlTable reads an HTML-style table: the first row of TH cells is the
// header, every other row a row.
func (r *xmlReader) htmlTable(n *xnode, notes *[]*xnode) *table {
	t := &table{}
	var walk func(n *xnode)
	walk = func(n *xnode) {
		for _, k := range n.kids {
			switch strings.ToUpper(k.name) {
			case "THEAD", "TBODY":
				walk(k)
			case "TFOOT":
				*notes = append(*notes, k)
			case "TR":
				rw, allTH := r.htmlRow(k)
				if allTH && t.header == nil && len(t.rows) == 0 {
					t.header = cellTexts(rw)
					continue
				}
				t.rows = append(t.rows, rw)
			}
		}
	}
	walk(n)
	return t
}

func (r *xmlReader) htmlRow(n *xnode) (rw row, allTH bool) {
	allTH = true
	for _, k := range n.kids {
		name := strings.ToUpper(k.name)
		if name != "TD" && name != "TH" {
			continue
		}
		allTH = allTH && name == "TH"
		raw, fn := r.text(k)
		span := 1
		if v, err := strconv.Atoi(strings.TrimSpace(k.attr("colspan"))); err == nil && v > 1 {
			span = min(v, 64)
		}
		rw.cells = append(rw.cells, cell{text: fold(raw), raw: raw, footnotes: fn, span: span})
	}
	return rw, allTH && len(rw.cells) > 0
}

// realign repairs the rows that older eCFR markup prints one cell short:
// an entry row whose empty destination cell is missing, so that the entity
// sits in the destination column. Such a row has four cells, the first not
// a destination heading (it has lower-case letters), the last a Federal
// Register citation. Each repair is a warning.
func realign(tables []*table, warn func(string, ...any)) {
	for ti, t := range tables {
		for ri := range t.rows {
			rw := &t.rows[ri]
			if len(rw.cells) != 4 || rw.cells[0].span > 1 {
				continue
			}
			first := rw.cells[0].text
			if _, ok := entitywatch.CountryCode(first); ok || !strings.ContainsFunc(first, unicode.IsLower) || !citationPattern.MatchString(rw.cells[3].text) || headerMatches(cellTexts(*rw)) {
				continue
			}
			rw.cells = append([]cell{{span: 1}}, rw.cells...)
			warn("table %d row %d: the row has four cells and no destination cell; read as an entry under the destination above: %q", ti+1, ri+1, firstWords(first, 12))
		}
	}
}

// ecfrFootnotes reads the footnote texts of the supplement: each starts
// with its marker (<sup>1</sup> For this entity, ...).
func ecfrFootnotes(notes []*xnode, warn func(string, ...any)) map[string]string {
	out := map[string]string{}
	for _, n := range notes {
		var b strings.Builder
		marker := ""
		flush := func() {
			if text := fold(b.String()); marker != "" && text != "" {
				if prev, ok := out[marker]; ok && prev != text {
					warn("footnote %s is printed twice with different texts", marker)
				} else {
					out[marker] = text
				}
			}
			b.Reset()
		}
		var walk func(n *xnode)
		walk = func(n *xnode) {
			switch {
			case n.name == "":
				b.WriteString(n.text)
				return
			case n.name == "SU" || n.name == "FTREF" || (n.name == "E" && n.attr("T") == "51"):
				if s := strings.TrimSpace(innerText(n)); isFootnoteMarker(s) {
					flush()
					marker = s
					return
				}
			case n.name == "P" || n.name == "TR" || n.name == "PSPACE":
				b.WriteByte(' ')
			}
			for _, k := range n.kids {
				walk(k)
			}
		}
		walk(n)
		flush()
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ecfrEntry builds the entry one row of the eCFR table prints, with the
// problems that make parts of it uncertain.
func ecfrEntry(r *tableRow) (entitywatch.Entry, []string) {
	et, problems := splitECFREntity(r.cells[0].raw)
	e := rowEntry(r, et, citationCache{})
	switch {
	case r.cells[3].text == "":
		problems = append(problems, "no Federal Register citation")
	case len(e.Citations) == 0:
		problems = append(problems, fmt.Sprintf("cannot read a Federal Register citation in %q", r.cells[3].text))
	}
	if e.LicenseRequirement == "" {
		problems = append(problems, "no license requirement")
	}
	if e.LicenseReviewPolicy == "" {
		problems = append(problems, "no license review policy")
	}
	return e, problems
}

// splitECFREntity splits an eCFR entity cell into name, aliases and
// addresses. Without an instruction quoting the name, the name ends at
// ", a.k.a." when the entry has aliases, else where the address begins
// (see nameEndECFR). When that is uncertain the whole text is the name
// and the problem is returned, never a guess.
func splitECFREntity(raw string) (entityText, []string) {
	text := fold(raw)
	whole := entityText{name: trimFinalPeriod(text), seeAlso: seeAlso(text)}
	switch {
	case addressOnly.MatchString(text):
		// "Address: ..." or "Address 01 ...": see rowEntry.
		return entityText{name: text}, nil
	case strings.HasPrefix(strings.ToLower(text), "the following"):
		// A list-named entry ("The following Department of Atomic Energy
		// entities: ..."): the whole cell is its name.
		return whole, nil
	}
	if end, akaEnd := akaAt(raw); end > 0 && hasAlnum(raw[:end]) {
		return splitAKA(raw, end, akaEnd)
	}
	end, problem := nameEndECFR(raw)
	switch {
	case problem != "":
		return whole, []string{problem}
	case end < 0:
		return whole, nil
	}
	et, err := splitEntity(raw, end, -1)
	if err != nil {
		return whole, []string{fmt.Sprintf("%v; the whole text is kept as the name", err)}
	}
	et.name = trimFinalPeriod(et.name)
	return et, nil
}

// looksLikeAddress reports whether the text of a continuation row reads
// as an address (or a cross reference) rather than as a new entry.
func looksLikeAddress(s string) bool {
	if strings.HasPrefix(s, "(") && seeAlsoPattern.MatchString(s) {
		return true
	}
	if end, _ := akaAt(s); end > 0 {
		return false
	}
	first := s
	if seps := separators(s); len(seps) > 0 {
		first = s[:seps[0].pos]
	}
	switch classifySegment(fold(first)) {
	case segAddr, segDest:
		return true
	case segPlace:
		return endsWithDestination(s)
	}
	return false
}

// akaAt returns where the name before the first top-level "a.k.a." (after
// a comma or a space: ", a.k.a.", " a.k.a.") ends and where the marker
// ends, or -1.
func akaAt(raw string) (end, akaEnd int) {
	depth := 0
	for i, r := range raw {
		switch r {
		case '(', '[', '“':
			depth++
			continue
		case ')', ']', '”':
			depth = max(depth-1, 0)
			continue
		case 'a', 'A':
		default:
			continue
		}
		if depth > 0 || i+5 > len(raw) || !strings.EqualFold(raw[i:i+5], "a.k.a") {
			continue
		}
		if i+5 < len(raw) && (unicode.IsLetter(rune(raw[i+5])) || unicode.IsDigit(rune(raw[i+5]))) {
			continue
		}
		before := strings.TrimRightFunc(raw[:i], isSpace)
		if comma, ok := strings.CutSuffix(before, ","); ok {
			before = strings.TrimRightFunc(comma, isSpace)
		} else if len(before) == i {
			continue // "a.k.a" inside a word
		}
		akaEnd = i + 5
		if akaEnd < len(raw) && raw[akaEnd] == '.' {
			akaEnd++
		}
		return len(before), akaEnd
	}
	return -1, -1
}

// splitAKA splits a cell whose name ends at "a.k.a.": the standard form
// "Name, a.k.a., the following N aliases: —A; and —B. Address" goes to
// splitEntity; the older "Name, a.k.a., Alias, Address" finds where the
// alias ends as nameEndECFR finds where a name ends.
func splitAKA(raw string, end, akaEnd int) (entityText, []string) {
	var problems []string
	if e, problem := nameEndECFR(raw[:end]); e >= 0 && problem == "" {
		problems = append(problems, fmt.Sprintf("the name before “a.k.a.” seems to hold an address (%q); it is kept as the name", firstWords(fold(raw[e:end]), 8)))
	}
	rest := strings.TrimLeftFunc(raw[akaEnd:], func(r rune) bool { return isSpace(r) || r == ',' || r == '.' })
	lower := strings.ToLower(rest)
	if strings.HasPrefix(lower, "the following") || isAliasDash(firstRune(rest)) {
		et, err := splitEntity(raw, end, -1)
		if err != nil {
			et = entityText{name: fold(raw[:end]), seeAlso: seeAlso(raw)}
			return et, append(problems, fmt.Sprintf("%v; its aliases and addresses are left unsplit", err))
		}
		if n := len(et.aliases); n > 0 && len(et.addresses) == 0 {
			// Without list items the last alias ends at a period; an
			// address that starts in lower case ("d. 20 ...") runs on.
			if e, problem := nameEndECFR(et.aliases[n-1]); e >= 0 && problem == "" {
				problems = append(problems, fmt.Sprintf("the last alias seems to run into the address (%q)", firstWords(et.aliases[n-1][e:], 8)))
			}
		}
		return et, problems
	}
	// The older form: one alias printed like a name, then the address.
	et := entityText{name: fold(raw[:end]), seeAlso: seeAlso(rest)}
	aEnd, problem := nameEndECFR(rest)
	if problem != "" || aEnd < 0 {
		et.aliases = []string{trimFinalPeriod(fold(seeAlsoPattern.ReplaceAllString(rest, " ")))}
		if problem != "" {
			problems = append(problems, "cannot tell where the alias ends and the address begins; the alias keeps the rest of the text")
		}
		return et, problems
	}
	et.aliases = []string{trimFinalPeriod(strings.TrimRight(fold(rest[:aEnd]), ","))}
	et.addresses = splitAddresses(strings.TrimLeft(rest[aEnd:], ",;. "))
	return et, problems
}

func hasAlnum(s string) bool { return strings.ContainsFunc(s, isAlnum) }

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// trimFinalPeriod drops a sentence-ending period but keeps one that ends
// an abbreviation ("Co., Ltd.").
func trimFinalPeriod(s string) string {
	if strings.HasSuffix(s, ".") && !endsWithAbbreviation(s) {
		return strings.TrimSuffix(s, ".")
	}
	return s
}

// A cellSep is a top-level comma, semicolon or sentence-ending period of
// an entity cell: where a name may end and an address begin.
type cellSep struct {
	pos  int
	kind byte
}

// A cellSegment is the text between a cellSep and the next one.
type cellSegment struct {
	text  string
	class segClass
}

type segClass int

const (
	segOther  segClass = iota // anything else: a place name or a part of a name
	segPlace                  // a short name without digits ("Kabul", "Buenos Aires")
	segSuffix                 // a company suffix ("Ltd.", "Inc.", "LLC", "JSC")
	segOrg                    // part of an organization's name ("Institute of ...", "Far East Branch")
	segAddr                   // surely an address: a number, "Room", "Building", a street ...
	segDest                   // a destination alone ("Afghanistan", "Republic of Belarus")
)

// nameEndECFR finds where the name of an entity cell without aliases
// ends: at the first separator whose segment surely starts an address (a
// number, "No.", "Room", "Building", "Floor", "P.O. Box", a street word,
// ...), is the destination alone, or starts a list of short place names
// that ends with a destination ("Kabul, Afghanistan"). Every segment
// before it must belong to the name: a company suffix ("Co., Ltd.") or a
// part of an organization ("Academy of ..., Field Blood Transfusion
// Institution"). It returns the split's byte offset in raw (a separator's
// position, or just after a sentence-ending period), -1 when the cell has
// no address at all, or a problem when it cannot tell.
func nameEndECFR(raw string) (int, string) {
	seps := separators(raw)
	if len(seps) == 0 {
		return -1, ""
	}
	segs := make([]cellSegment, len(seps))
	for j, s := range seps {
		stop := len(raw)
		if j+1 < len(seps) {
			stop = seps[j+1].pos
		}
		text := fold(raw[s.pos+1 : stop])
		segs[j] = cellSegment{text: text, class: classifySegment(text)}
	}
	nameStart := strings.IndexFunc(raw, isAlnum)
	unexplained := ""
	for j, s := range seps {
		if nameStart < 0 || s.pos < nameStart {
			continue // no name before it
		}
		c := segs[j].class
		if (c == segSuffix || c == segOrg) && s.kind != '.' {
			continue
		}
		if c != segAddr && c != segDest && !placeList(seps, segs, j) {
			if unexplained == "" {
				unexplained = segs[j].text
			}
			continue
		}
		if unexplained != "" {
			return -1, fmt.Sprintf("cannot tell where the name ends: %q may begin the address or belong to the name; the whole text is kept as the name", firstWords(unexplained, 8))
		}
		if s.kind == '.' {
			return s.pos + 1, ""
		}
		return s.pos, ""
	}
	if unexplained != "" {
		return -1, "cannot tell where the name ends and the address begins (no part of the text reads as an address); the whole text is kept as the name"
	}
	return -1, ""
}

// separators returns the top-level commas, semicolons and sentence-ending
// periods of raw, outside brackets and quotation marks.
func separators(raw string) []cellSep {
	var out []cellSep
	depth := 0
	for i, r := range raw {
		switch r {
		case '(', '[', '“':
			depth++
		case ')', ']', '”':
			depth = max(depth-1, 0)
		case ',', ';':
			if depth == 0 {
				out = append(out, cellSep{i, byte(r)})
			}
		case '.':
			if depth == 0 && periodEndsSentence(raw, i) {
				out = append(out, cellSep{i, '.'})
			}
		}
	}
	return out
}

// periodEndsSentence reports whether the period at raw[i] ends a sentence: a
// space and a capital or a digit follow, and it ends no abbreviation.
func periodEndsSentence(raw string, i int) bool {
	rest := raw[i+1:]
	next := strings.TrimLeftFunc(rest, isSpace)
	if len(next) == len(rest) || next == "" {
		return false
	}
	if r := firstRune(next); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return false
	}
	before := raw[:i]
	word := strings.ToLower(lastWord(before))
	return len([]rune(word)) > 1 && !neverEndsName[word] && !endsWithAbbreviation(before+".")
}

// placeList reports whether the address that starts at segment j is a
// list of short place names (or surely-address parts) ending with a
// destination: "Kabul, Afghanistan", "Markham, ON, Canada".
func placeList(seps []cellSep, segs []cellSegment, j int) bool {
	last := ""
	for i := j; i < len(segs); i++ {
		if i > j && (seps[i].kind != ',' || strings.HasPrefix(segs[i].text, "and ")) {
			break // the first address ends here
		}
		switch segs[i].class {
		case segPlace, segAddr, segDest:
		default:
			return false
		}
		if i-j >= 6 {
			return false
		}
		last = segs[i].text
	}
	return endsWithDestination(last)
}

// classifySegment tells what a segment of an entity cell is.
func classifySegment(text string) segClass {
	core := strings.TrimRight(stripBrackets(text), ".,;: ")
	words := strings.Fields(core)
	if len(words) == 0 {
		return segOther
	}
	if companySuffixes[suffixKey(core)] {
		return segSuffix
	}
	lw := make([]string, len(words))
	org, addrWord, digits := false, false, false
	for i, w := range words {
		lw[i] = strings.ToLower(strings.Trim(w, ".,;:"))
		org = org || orgWords[lw[i]]
		addrWord = addrWord || addressWords[lw[i]]
		digits = digits || strings.ContainsFunc(w, unicode.IsDigit)
	}
	first := firstRune(core)
	switch {
	case unicode.IsDigit(first) || first == '#' || ((lw[0] == "no" || lw[0] == "nos" || lw[0] == "number") && digits):
		// A house number, unless it numbers an organization ("121 Aviation
		// Repair Plant").
		if org && !addrWord {
			return segOrg
		}
		return segAddr
	case addressStarts[lw[0]] || (len(lw) > 1 && addressStarts[lw[0]+" "+lw[1]]):
		return segAddr
	case org:
		return segOrg
	case digits || addrWord:
		return segAddr
	case isDestination(core):
		return segDest
	case len(words) <= 4:
		return segPlace
	}
	return segOther
}

// stripBrackets removes bracketed asides: "(See alternate address under
// Pakistan)", "(f.k.a., ...)".
func stripBrackets(s string) string {
	if !strings.ContainsAny(s, "([") {
		return s
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
			continue
		case ')', ']':
			depth = max(depth-1, 0)
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return fold(b.String())
}

// suffixKey folds a segment for companySuffixes: lower case, letters only.
func suffixKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isDestination reports whether s names a destination alone, a postal
// code aside ("Canada H3H2P2", "Republic of Belarus").
func isDestination(s string) bool {
	words := withoutNumbers(strings.Fields(strings.TrimRight(stripBrackets(s), ".,;: ")))
	return len(words) > 0 && destinationName(strings.Join(words, " "))
}

// endsWithDestination reports whether an address part ends with a
// destination: "Afghanistan.", "St. Petersburg 197374 Russia", "Hong Kong".
func endsWithDestination(s string) bool {
	words := withoutNumbers(strings.Fields(strings.TrimRight(stripBrackets(s), ".,;: ")))
	for n := 1; n <= min(4, len(words)); n++ {
		if destinationName(strings.Join(words[len(words)-n:], " ")) {
			return true
		}
	}
	return false
}

func withoutNumbers(words []string) []string {
	out := words[:0:0]
	for _, w := range words {
		if !strings.ContainsFunc(w, unicode.IsDigit) {
			out = append(out, w)
		}
	}
	return out
}

func destinationName(s string) bool {
	s = strings.TrimRight(s, ".,;: ")
	if _, ok := entitywatch.CountryCode(s); ok {
		return true
	}
	u := strings.ToUpper(s)
	if rest, ok := strings.CutPrefix(u, "REPUBLIC OF "); ok {
		if _, ok := entitywatch.CountryCode(rest); ok {
			return true
		}
	}
	return otherDestinationNames[u]
}

// otherDestinationNames are spellings of destinations that addresses use
// but headings do not.
var otherDestinationNames = map[string]bool{
	"P.R. CHINA": true, "P.R.CHINA": true, "PR CHINA": true, "P.R.C": true, "PRC": true, "MAINLAND CHINA": true,
	"UAE": true, "U.A.E": true, "UK": true, "U.K": true, "USA": true, "U.S.A": true, "ENGLAND": true,
	"HONG KONG SAR": true, "HONG KONG, CHINA": true, "RUSSIAN FEDERATION": true, "KOREA": true,
}

// companySuffixes are the company-form suffixes a name may carry after a
// comma ("EKT 2, Inc.", "Forward Electronics, LLC"), folded by suffixKey.
var companySuffixes = wordSet(
	"ltd", "limited", "inc", "incorporated", "llc", "llp", "lp", "plc", "co", "coltd", "colimited", "corp",
	"corporation", "company", "companylimited", "sa", "sas", "sarl", "srl", "sl", "spa", "sro", "sac", "sae",
	"gmbh", "ag", "kg", "gmbhcokg", "bv", "nv", "as", "ab", "oy", "oyj", "jsc", "ojsc", "cjsc", "pjsc", "zao",
	"ooo", "oao", "pao", "ao", "fzco", "fze", "fzllc", "fzc", "dmcc", "pte", "pteltd", "pvt", "pvtltd",
	"privatelimited", "sdnbhd", "bhd", "kk", "ltda", "sadecv", "doo", "spzoo", "kft", "zrt", "tbk", "wll",
	"eood", "ood", "ead", "jsco", "cie",
)

// orgWords are words that make a segment part of an organization's name
// rather than of an address.
var orgWords = wordSet(
	"institute", "institution", "academy", "university", "college", "school", "laboratory", "laboratories",
	"bureau", "department", "ministry", "agency", "administration", "directorate", "committee", "council",
	"commission", "corporation", "company", "co", "ltd", "limited", "inc", "llc", "jsc", "group", "factory",
	"plant", "enterprise", "enterprises", "holding", "holdings", "branch", "division", "association",
	"society", "foundation", "authority", "army", "navy", "forces", "troops", "police", "regiment",
	"brigade", "concern", "services", "trading", "technologies", "electronics", "industries", "bank",
	"hospital", "works", "organization", "organisation", "sciences",
)

// addressWords are words that make a segment part of an address wherever
// they stand in it.
var addressWords = wordSet(
	"road", "rd", "street", "st", "str", "avenue", "ave", "av", "boulevard", "blvd", "lane", "ln", "drive",
	"highway", "hwy", "building", "bldg", "floor", "fl", "flr", "tower", "plaza", "square", "sq", "park",
	"district", "province", "prefecture", "oblast", "krai", "region", "county", "township", "village", "zone",
	"estate", "compound", "industrial", "ulitsa", "ul", "prospekt", "prospect", "pereulok", "shosse",
	"naberezhnaya", "embankment", "strasse", "straße", "rue", "calle", "jalan", "nagar", "marg", "alley",
	"alleya", "passage", "proezd", "ward", "sector", "block", "blk", "room", "rm", "suite", "ste", "unit",
	"flat", "apt", "apartment", "office", "km", "box", "city", "microdistrict", "mkr",
)

// addressStarts are words (and word pairs) that begin an address.
var addressStarts = wordSet(
	"no", "nos", "number", "room", "rm", "rms", "building", "bldg", "bld", "blk", "block", "floor", "fl", "flr",
	"flat", "unit", "units", "suite", "ste", "office", "ofc", "ofis", "apt", "apartment", "house", "plot", "lot",
	"level", "lvl", "shop", "villa", "warehouse", "km", "kilometer", "p.o", "po", "pob", "p.o.box", "post",
	"postfach", "c/o", "d", "dom", "ul", "ulitsa", "pr", "prospekt", "prospect", "str", "street", "rue", "calle",
	"via", "avenida", "av", "jalan", "jl", "soi", "moo", "mkr", "microdistrict", "korp", "korpus", "pom", "kom",
	"industrial", "zone", "sector", "district", "province", "region", "oblast", "krai", "county", "village",
	"township", "intersection", "corner", "opposite", "behind", "near", "in front", "next to", "p.o. box",
)

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
