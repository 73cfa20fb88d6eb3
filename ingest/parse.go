package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/entitywatch/entitywatch"
)

// MaxDocumentSize is the largest document ParseRule reads. The largest
// Entity List rules run to a few megabytes of XML.
const MaxDocumentSize = 64 << 20

// Error is a parse failure with the place in the document it concerns.
type Error struct {
	// Spot names the place: "instruction 2.a", "table 1 row 7 (page 14050)".
	Spot string
	Err  error
}

func (e *Error) Error() string {
	if e.Spot == "" {
		return e.Err.Error()
	}
	return e.Spot + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func spotErr(spot string, sentinel error, format string, args ...any) error {
	return &Error{Spot: spot, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
}

// ParseRule reads one BIS rule, in the Federal Register's full-text XML or
// its body HTML, and returns every Entity List change it makes. It
// returns an error wrapping one of entitywatch's sentinel errors
// (ErrMalformed, ErrNotARule, ErrUnaccounted, ErrUnknownDestination,
// ErrUnsupported) when the document cannot be read or the rule cannot be
// accounted for in full; it never returns a partial result with a nil
// error.
func ParseRule(r io.Reader) (*entitywatch.Rule, error) {
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok {
		buf.Grow(min(l.Len(), MaxDocumentSize) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, MaxDocumentSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: document larger than %d bytes", entitywatch.ErrMalformed, MaxDocumentSize)
	}
	return newParser().parse(data)
}

type parser struct {
	m        *matcher
	headings *headingIndex
	cites    citationCache
}

func newParser() *parser {
	return &parser{m: newMatcher(), headings: newHeadingIndex(), cites: citationCache{}}
}

// sniff tells XML from HTML by the first markup in the document.
func sniff(data []byte) (string, error) {
	b := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(b) == 0:
		return "", fmt.Errorf("%w: empty document", entitywatch.ErrMalformed)
	case b[0] == '{' || b[0] == '[':
		return "", fmt.Errorf("%w: got JSON, not a document", entitywatch.ErrNotARule)
	case b[0] != '<':
		return "", fmt.Errorf("%w: document does not start with markup (%q)", entitywatch.ErrNotARule, firstWords(string(b[:min(len(b), 60)]), 6))
	}
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	switch {
	case strings.HasPrefix(head, "<?xml"):
		// FR XML; an XHTML page also starts so, so look further.
		if strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html") {
			return "html", nil
		}
		return "xml", nil
	case strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html"):
		return "html", nil
	}
	// A root element in capitals is FR XML (<RULE>, <CORRECT>, <NOTICE>).
	if len(b) > 1 && b[1] >= 'A' && b[1] <= 'Z' {
		return "xml", nil
	}
	return "html", nil
}

func (p *parser) parse(data []byte) (*entitywatch.Rule, error) {
	format, err := sniff(data)
	if err != nil {
		return nil, err
	}
	var src *source
	if format == "xml" {
		src, err = readXML(data)
	} else {
		src, err = readHTML(data)
	}
	if err != nil {
		return nil, err
	}
	switch src.root {
	case "", "RULE":
	case "CORRECT":
		return nil, fmt.Errorf("%w: a GPO correction notice (<CORRECT>) prints its corrections as prose; review it by hand", entitywatch.ErrUnsupported)
	default:
		return nil, fmt.Errorf("%w: root element <%s>, want <RULE>", entitywatch.ErrNotARule, src.root)
	}
	if format == "html" && src.headings == 0 && len(src.items) == 0 {
		return nil, fmt.Errorf("%w: HTML has no SUMMARY, DATES or amendment instructions (an error page?)", entitywatch.ErrNotARule)
	}
	if format == "xml" && src.headings == 0 {
		return nil, fmt.Errorf("%w: <RULE> has no preamble (AGENCY, SUMMARY, DATES)", entitywatch.ErrMalformed)
	}
	return p.build(src)
}

var (
	frdocPattern     = regexp.MustCompile(`FR\s+Doc\.?\s*(?:No\.?\s*)?([A-Z]?\d*-?[0-9]{2,4}-[0-9]+|[A-Z]\d-\d+)`)
	datePattern      = regexp.MustCompile(`(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(\d{4})`)
	effectivePattern = regexp.MustCompile(`(?i)effective\s+(?:on\s+|as\s+of\s+)?(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(\d{4})`)
	frCitePattern    = regexp.MustCompile(`\d+\s+FR\s+\d+`)
)

func parseLongDate(month, day, year string) (entitywatch.Date, error) {
	t, err := time.Parse("January 2 2006", month+" "+day+" "+year)
	if err != nil {
		return entitywatch.Date{}, err
	}
	return entitywatch.Date{Time: t}, nil
}

func (p *parser) build(src *source) (*entitywatch.Rule, error) {
	rule := &entitywatch.Rule{
		Title:   src.subject,
		Action:  src.action,
		RIN:     src.rin,
		Docket:  src.docket,
		Summary: src.summary,
		Dates:   src.dates,
		Format:  src.format,
		Changes: []entitywatch.Change{},
	}
	warn := func(format string, args ...any) { rule.Warnings = append(rule.Warnings, fmt.Sprintf(format, args...)) }
	if m := frdocPattern.FindStringSubmatch(src.frdoc); m != nil {
		rule.DocumentNumber = m[1]
	} else {
		warn("no FR Doc. line: document number unknown")
	}
	if rule.Title == "" {
		warn("no SUBJECT (body HTML omits it): take the title from the API metadata")
	}
	if m := effectivePattern.FindStringSubmatch(src.dates); m != nil {
		if d, err := parseLongDate(m[1], m[2], m[3]); err == nil {
			rule.EffectiveDate = d
		}
	} else if m := datePattern.FindStringSubmatch(src.dates); m != nil {
		if d, err := parseLongDate(m[1], m[2], m[3]); err == nil {
			rule.EffectiveDate = d
		}
	}
	if rule.EffectiveDate.IsZero() {
		warn("DATES gives no effective date")
	}
	if strings.Contains(strings.ToLower(src.action), "correct") {
		for _, c := range frCitePattern.FindAllString(src.summary, -1) {
			rule.Corrects = appendUnique(rule.Corrects, fold(c))
		}
	}
	rule.SummaryCounts = summaryCounts(src.summary, warn)

	instrs, tables, err := p.sections(src)
	if err != nil {
		return nil, err
	}
	rule.Instructions = instrs
	for _, in := range instrs {
		if len(in.Clauses) == 0 && supplementText.MatchString(in.Text) {
			warn("instruction %s amends the text of Supplement No. 4 (footnotes, introductory text, notes or headings), not an entry; read it: %q", in.Label, in.Text)
		}
	}
	if err := dateExceptions(src.dates, instrs, rule, warn); err != nil {
		return nil, err
	}
	rows, err := p.tableEntries(tables)
	if err != nil {
		return nil, err
	}
	changes, err := p.match(instrs, rows)
	if err != nil {
		return nil, err
	}
	rule.Changes = changes
	rule.PublicationDate = publicationDate(changes, warn)
	if len(changes) == 0 {
		sc := rule.SummaryCounts
		if (sc.Entities+sc.Entries+sc.Revised+sc.Removed > 0 || len(sc.ByDestination) > 0) && (strings.Contains(strings.ToLower(src.summary), "entity list") || !mentionsOtherList(src.summary)) {
			return nil, spotErr("SUMMARY", entitywatch.ErrUnaccounted, "the SUMMARY states Entity List changes but no instruction amending Supplement No. 4 to part 744 was found")
		}
		warn("no amendment of Supplement No. 4 to part 744 found: the rule does not change the Entity List")
	}
	crossCheck(rule, warn)
	return rule, nil
}

var (
	// exceptInstructions is a DATES exception by instruction number:
	// "except for amendatory instruction 14, which is effective September
	// 16, 2024".
	exceptInstructions = regexp.MustCompile(`(?i)except\s+(?:for\s+)?(?:the\s+)?(?:amendatory\s+)?instructions?\s+((?:\d+(?:\s*,\s*|\s*,?\s*and\s+)?)+?)\s*,?\s*which\s+(?:is|are|will\s+be|become|becomes)\s+effective\s+(?:on\s+)?(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(\d{4})`)
	exceptAny          = regexp.MustCompile(`(?i)\bexcept\b`)
	digitsPattern      = regexp.MustCompile(`\d+`)
	entityListRef      = regexp.MustCompile(`(?i)entity\s+list|supplement\s+no\.?\s*4\s+to\s+part\s+744|part\s+744`)
)

// dateExceptions applies a DATES paragraph's exceptions ("effective June
// 12, 2024, except for amendatory instruction 14, which is effective
// September 16, 2024"). An exception that names the instructions amending
// the Entity List gives the rule its effective date; one that names only
// some of them, or that cannot be tied to instructions but mentions the
// Entity List, is an error: the rule's changes would take effect on
// different or unknown dates. Other exceptions are noted as warnings.
func dateExceptions(dates string, instrs []entitywatch.Instruction, rule *entitywatch.Rule, warn func(string, ...any)) error {
	if !exceptAny.MatchString(dates) {
		return nil
	}
	ours := map[string]bool{}
	for _, in := range instrs {
		if len(in.Clauses) > 0 {
			n, _, _ := strings.Cut(in.Label, ".")
			ours[n] = true
		}
	}
	found := exceptInstructions.FindAllStringSubmatch(dates, -1)
	for _, m := range found {
		d, err := parseLongDate(m[2], m[3], m[4])
		if err != nil {
			continue
		}
		var named, mine []string
		for _, n := range digitsPattern.FindAllString(m[1], -1) {
			named = append(named, n)
			if ours[n] {
				mine = append(mine, n)
			}
		}
		switch {
		case len(mine) == 0:
			// Another part of the rule takes effect later; the Entity
			// List changes do not.
		case len(mine) == len(ours):
			warn("DATES: amendatory instruction %s, which amends the Entity List, takes effect %s, not on the rule's general date %s", strings.Join(mine, ", "), d, rule.EffectiveDate)
			rule.EffectiveDate = d
		default:
			return spotErr("DATES", entitywatch.ErrUnaccounted, "Entity List instructions take effect on different dates: %s on %s, the others on %s (%q)", strings.Join(mine, ", "), d, rule.EffectiveDate, dates)
		}
	}
	if len(found) == 0 {
		if entityListRef.MatchString(dates) {
			return spotErr("DATES", entitywatch.ErrUnaccounted, "an exception to the effective date concerns the Entity List but names no instruction: %q", dates)
		}
		warn("DATES makes an exception to the effective date that entitywatch cannot tie to instructions: %q", dates)
	}
	return nil
}

var placeholderDate = regexp.MustCompile(`(?i)\[INSERT FR PAGE NUMBER[^\]]*?(\d{1,2})/(\d{1,2})/(\d{2,4})\]|\[INSERT FR PAGE NUMBER\]\.?,?\s*(\d{1,2})/(\d{1,2})/(\d{2,4})`)

// publicationDate reads the publication date the rule prints in the
// placeholders of its new citations. Placeholders that disagree are
// reported, and then no date is taken.
func publicationDate(changes []entitywatch.Change, warn func(string, ...any)) entitywatch.Date {
	var found entitywatch.Date
	seen := map[string]bool{}
	for _, c := range changes {
		for _, cit := range c.Citations {
			if !strings.Contains(cit, "INSERT") || seen[cit] {
				continue
			}
			seen[cit] = true
			m := placeholderDate.FindStringSubmatch(cit)
			if m == nil {
				continue
			}
			mo, d, y := m[1], m[2], m[3]
			if mo == "" {
				mo, d, y = m[4], m[5], m[6]
			}
			if len(y) == 2 {
				y = "20" + y
			}
			t, err := time.Parse("1/2/2006", mo+"/"+d+"/"+y)
			if err != nil {
				continue
			}
			date := entitywatch.Date{Time: t}
			if !found.IsZero() && !found.Equal(date.Time) {
				warn("citation placeholders give two publication dates, %s and %s", found, date)
				return entitywatch.Date{}
			}
			found = date
		}
	}
	return found
}

// sections walks the amendment paragraphs and tables in order and keeps
// those that amend Supplement No. 4 to part 744. A numbered paragraph
// opens a section; lettered paragraphs continue it.
func (p *parser) sections(src *source) ([]entitywatch.Instruction, []*table, error) {
	var instrs []entitywatch.Instruction
	var tables []*table
	inSupp4 := false
	seenAmdpar := false
	number := ""
	var inherited *token // destination of an enclosing "Under X, by:" paragraph
	for _, it := range src.items {
		if it.table != nil {
			switch {
			case inSupp4:
				tables = append(tables, it.table)
			case seenAmdpar && (headerMatches(it.table.header) || slices.ContainsFunc(it.table.rows, func(r row) bool { return headerMatches(cellTexts(r)) })):
				// Tables before the first instruction are background;
				// an Entity List table after one must belong to one.
				return nil, nil, spotErr(fmt.Sprintf("table on page %d", it.table.page), entitywatch.ErrUnaccounted, "an Entity List table follows an instruction that does not amend Supplement No. 4 to part 744")
			}
			continue
		}
		seenAmdpar = true
		text := it.amdpar.text
		label, rest := splitLabel(text)
		mentionsSupp4 := supp4Pattern.MatchString(text)
		switch {
		case mentionsSupp4:
			inSupp4 = true
		case labelIsNumber.MatchString(label) || (label == "" && otherSection.MatchString(text) && !mentionsSupp4):
			inSupp4 = false
		}
		if labelIsNumber.MatchString(label) {
			number = label
			inherited = nil
		}
		if !inSupp4 {
			continue
		}
		ref := label
		if number != "" && label != number {
			ref = number + "." + label
		}
		if ref == "" {
			ref = fmt.Sprintf("%d", len(instrs)+1)
		}
		spot := fmt.Sprintf("instruction %s (page %d)", ref, it.amdpar.page)
		toks, err := p.headings.tokenize(rest)
		if err != nil {
			if errors.Is(err, entitywatch.ErrUnknownDestination) {
				return nil, nil, &Error{Spot: spot, Err: err}
			}
			return nil, nil, spotErr(spot, entitywatch.ErrUnaccounted, "%v: %q", err, text)
		}
		if d := onlyDestination(toks); d != nil {
			inherited = d
			instrs = append(instrs, entitywatch.Instruction{Label: ref, Text: text})
			continue
		}
		cls, err := clauses(toks, inherited)
		if err != nil && textOnly(toks, text) {
			// "By revising footnote 1 ..." or "by revising the
			// introductory text" changes the supplement's text, not an
			// entry; it is kept as an instruction without clauses (and
			// warned about by build).
			instrs = append(instrs, entitywatch.Instruction{Label: ref, Text: text})
			continue
		}
		if err != nil {
			return nil, nil, spotErr(spot, entitywatch.ErrUnaccounted, "%v: %q", err, text)
		}
		if slices.ContainsFunc(toks, func(t token) bool { return t.kind == tokDest }) {
			// A paragraph that names its own destination closes the
			// enclosing "Under X, by:" paragraph.
			inherited = nil
		}
		hasQuote := slices.ContainsFunc(toks, func(t token) bool { return t.kind == tokName })
		if hasQuote && len(cls) == 0 {
			return nil, nil, spotErr(spot, entitywatch.ErrUnaccounted, "names entries but no action: %q", text)
		}
		instrs = append(instrs, entitywatch.Instruction{Label: ref, Text: text, Clauses: cls})
	}
	return instrs, tables, nil
}

// tableRow is one entity row of the amendment table, with its destination.
type tableRow struct {
	country, code string
	cells         []cell // entity, license requirement, policy, citation
	spot          rowSpot
	key           string // matcher key of the start of the entity text (set by match)
	// continuation holds addresses printed in continuation rows.
	continuation []string
}

var wantHeader = []string{"country", "entity", "license requirement", "license review policy", "federal register citation"}

func headerMatches(h []string) bool {
	if len(h) != len(wantHeader) || !strings.EqualFold(strings.TrimSpace(h[0]), "country") {
		return false
	}
	for i, c := range h {
		if !strings.HasPrefix(strings.ToLower(fold(c)), wantHeader[i]) {
			return false
		}
	}
	return true
}

// supplementText names the parts of Supplement No. 4 that are not
// entries: its footnotes, introductory text, notes and table headings.
var supplementText = regexp.MustCompile(`(?i)\b(?:footnotes?|introductory\s+text|notes?\s+(?:to|at|following)\b|(?:table|column)\s+headings?|headings?\s+of\s+the\s+(?:table|supplement|columns?))`)

// textOnly reports whether an instruction amends only the supplement's
// text around the entries: it names such a part and quotes no entry and
// no destination.
func textOnly(toks []token, text string) bool {
	return supplementText.MatchString(text) && !slices.ContainsFunc(toks, func(t token) bool { return t.kind == tokName || t.kind == tokDest })
}

func cellTexts(r row) []string {
	texts := make([]string, 0, len(r.cells))
	for _, c := range r.cells {
		texts = append(texts, c.text)
	}
	return texts
}

// rowSpot is where a table row is, named only when an error or warning
// needs it: "table 1 row 12 (page 14049)".
type rowSpot struct{ table, row, page int }

func (s rowSpot) String() string {
	return fmt.Sprintf("table %d row %d%s", s.table, s.row, pageSuffix(s.page))
}

// pageSuffix names a printed page in a spot, " (page 12172)", or is empty
// where the source prints no pages (the eCFR).
func pageSuffix(page int) string {
	if page == 0 {
		return ""
	}
	return fmt.Sprintf(" (page %d)", page)
}

// tableEntries reads the entity rows of the amendment tables (or of the
// eCFR's table, see ParseECFR).
func (p *parser) tableEntries(tables []*table) ([]*tableRow, error) {
	var out []*tableRow
	var country, code string
	headed := false
	for ti, t := range tables {
		rows := t.rows
		nonEmptyHeader := slices.ContainsFunc(t.header, func(s string) bool { return s != "" })
		headed = headed || headerMatches(t.header)
		if nonEmptyHeader && !headerMatches(t.header) {
			return nil, spotErr(fmt.Sprintf("table %d%s", ti+1, pageSuffix(t.page)), entitywatch.ErrUnaccounted, "columns %q are not the Entity List's (Country, Entity, License requirement, License review policy, Federal Register citation)", t.header)
		}
		for ri, rw := range rows {
			at := rowSpot{table: ti + 1, row: ri + 1, page: rw.page}
			texts := cellTexts(rw)
			if headerMatches(texts) {
				headed = true
				continue
			}
			// Lay cells out in columns.
			var cols [5]cell
			col := 0
			stars := false
			for _, c := range rw.cells {
				if isStars(c.text) {
					stars = true
					break
				}
				if col < 5 {
					cols[col] = c
				} else if c.text != "" {
					return nil, spotErr(at.String(), entitywatch.ErrUnaccounted, "row has more than five columns")
				}
				col += max(c.span, 1)
			}
			if h := cols[0].text; h != "" {
				c, ok := entitywatch.CountryCode(h)
				if !ok {
					return nil, &Error{Spot: at.String(), Err: fmt.Errorf("%w heading %q", entitywatch.ErrUnknownDestination, h)}
				}
				country, code = h, c
			}
			if stars || cols[1].text == "" {
				if cols[2].text != "" || cols[3].text != "" || cols[4].text != "" {
					return nil, spotErr(at.String(), entitywatch.ErrUnaccounted, "row has license or citation text but no entity")
				}
				continue
			}
			if country == "" {
				return nil, spotErr(at.String(), entitywatch.ErrUnaccounted, "entity row before any destination heading")
			}
			if cols[2].text == "" && cols[3].text == "" && cols[4].text == "" && len(out) > 0 && out[len(out)-1].code == code {
				// A continuation row: one more address of the entry above.
				prev := out[len(out)-1]
				prev.continuation = append(prev.continuation, cols[1].text)
				continue
			}
			out = append(out, &tableRow{country: country, code: code, cells: []cell{cols[1], cols[2], cols[3], cols[4]}, spot: at})
		}
	}
	if len(tables) > 0 && !headed {
		return nil, spotErr("table 1"+pageSuffix(tables[0].page), entitywatch.ErrUnaccounted, "no table carries the Entity List's column headings (Country, Entity, License requirement, License review policy, Federal Register citation)")
	}
	return out, nil
}
