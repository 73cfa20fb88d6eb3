package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/entitywatch/entitywatch"
)

// An amendment paragraph is read as a sequence of tokens outside quotation
// marks (action verbs, destinations, pronouns) and quoted names. The
// grammar is loose on purpose, because BIS wording varies, but every
// quoted name must end up in a clause with an action and a destination,
// or the paragraph is refused.

type tokenKind int

const (
	tokAction tokenKind = iota
	tokDest
	tokName
	tokPronoun
	tokDetail // "to add an alias": what a clause changes, not a new clause
	tokFrom   // "from the destination of CHINA": where a move takes its entries from
)

type token struct {
	kind   tokenKind
	action entitywatch.Action
	dests  []dest // for tokDest: one or more destinations ("CHINA and UNITED ARAB EMIRATES")
	text   string
	pos    int
}

type dest struct{ country, code string }

var (
	labelPattern    = regexp.MustCompile(`^\s*(\d+|[a-z]{1,2}|[ivx]+)\s*[.)]\s+`)
	supp4Pattern    = regexp.MustCompile(`(?i)supplement\s+(?:no\.?|number)\s*4\s+to\s+(?:(?:15\s+CFR\s+)?part\s+744|this\s+part)`)
	otherSection    = regexp.MustCompile(`(?i)(supplement\s+no\.?\s*\d+\s+to\s+(?:part\s+)?\d+|§+\s*\d+\.\d+|authority citation|part\s+7\d\d\b)`)
	actionPattern   = regexp.MustCompile(`(?i)\b(adding|add|adds|removing|remove|removes|revising|revise|revises|amending|amend|moving|move|redesignating)\b`)
	underPattern    = regexp.MustCompile(`(?i)\b(?:under|to)\s+(?:the\s+)?(?:destinations?\s+(?:of\s+)?|headings?\s+(?:for\s+|of\s+)?)?`)
	pronounPattern  = regexp.MustCompile(`(?i)\b(it|them|this entry|these entries|the entry|the entries)\b`)
	labelIsNumber   = regexp.MustCompile(`^\d+$`)
	capsWordPattern = regexp.MustCompile(`^[A-Z][A-Z'’.\-]+`)
	fromPattern     = regexp.MustCompile(`(?i)\bfrom\s+(?:the\s+)?(?:destinations?\s+(?:of\s+)?|headings?\s+(?:for\s+|of\s+)?)?`)
	listSep         = regexp.MustCompile(`^\s*(?:,\s*and|,|and)\s+(?:the\s+)?`)
)

// splitLabel returns an AMDPAR's leading label ("2", "a") and the rest.
func splitLabel(s string) (label, rest string) {
	if m := labelPattern.FindStringSubmatchIndex(s); m != nil {
		return s[m[2]:m[3]], s[m[1]:]
	}
	return "", s
}

// quoteSpan is a quoted stretch of an instruction.
type quoteSpan struct {
	start, end int // byte offsets of the marks
	text       string
}

// quotes finds the quoted names of an instruction. Curly double quotes
// pair up with nesting of single quotes allowed inside; straight double
// quotes pair in order.
func quotes(s string) ([]quoteSpan, error) {
	var out []quoteSpan
	open := -1 // byte offset of the outer opening mark
	depth := 0 // nesting of curly double quotes (“Enterprise “Kant””)
	straight := false
	for i, r := range s {
		switch {
		case straight:
			if r == '"' {
				out = append(out, quoteSpan{start: open, end: i, text: s[open+1 : i]})
				open, straight = -1, false
			}
		case r == '"' && depth == 0:
			open, straight = i, true
		case r == '“':
			if depth == 0 {
				open = i
			}
			depth++
		case r == '”':
			if depth == 0 {
				return nil, fmt.Errorf("closing quotation mark at byte %d has no opening mark", i)
			}
			depth--
			if depth == 0 {
				out = append(out, quoteSpan{start: open, end: i, text: s[open+len("“") : i]})
				open = -1
			}
		}
	}
	if depth > 0 || straight {
		return nil, fmt.Errorf("quotation mark opened at byte %d is never closed", open)
	}
	return out, nil
}

// cleanQuotedName strips the list punctuation BIS prints inside the
// closing quotation mark (“A;” “B,” and “C.”), keeping a period that
// belongs to an abbreviation such as "Ltd.".
func cleanQuotedName(s string) string {
	s = fold(s)
	s = strings.TrimRight(s, ";, ")
	if strings.HasSuffix(s, ".") && !endsWithAbbreviation(s) {
		s = strings.TrimSuffix(s, ".")
	}
	return strings.TrimSpace(s)
}

// endsWithAbbreviation reports whether the period ending s more likely
// belongs to an abbreviation ("Co., Ltd.", "U.A.E.", "S.A.") than ends a
// sentence or a list.
func endsWithAbbreviation(s string) bool {
	s = strings.TrimSuffix(s, ".")
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '(' })
	word := s[i+1:]
	if strings.Contains(word, ".") || len([]rune(word)) == 1 {
		return true
	}
	return nameAbbreviations[strings.ToLower(word)]
}

// nameAbbreviations are the abbreviations company names end with.
var nameAbbreviations = map[string]bool{
	"ltd": true, "co": true, "inc": true, "corp": true, "bhd": true, "pty": true, "pvt": true,
	"mfg": true, "jr": true, "sr": true, "st": true, "est": true, "cia": true, "ltda": true,
}

func isAllDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// headingIndex finds destination headings at the start of a text.
type headingIndex struct{ headings []string }

func newHeadingIndex() *headingIndex {
	h := &headingIndex{headings: entitywatch.Headings()}
	sort.Slice(h.headings, func(i, j int) bool { return len(h.headings[i]) > len(h.headings[j]) })
	return h
}

// maxHeadingLen bounds the text match looks at: no heading is longer.
const maxHeadingLen = 96

// match returns the longest destination heading that starts s, ending at
// a word boundary, and its length in s.
func (h *headingIndex) match(s string) (heading string, n int) {
	if len(s) > maxHeadingLen {
		s = s[:maxHeadingLen]
	}
	up := strings.ToUpper(strings.NewReplacer("’", "'", "‘", "'").Replace(s))
	for _, cand := range h.headings {
		if strings.HasPrefix(up, cand) {
			rest := up[len(cand):]
			if rest == "" || !(unicode.IsLetter(rune(rest[0])) || unicode.IsDigit(rune(rest[0]))) {
				// Map the match back to s, whose apostrophes may be
				// wider than the folded ones.
				runes := utf8.RuneCountInString(cand)
				n := 0
				for i := range s {
					if runes == 0 {
						n = i
						break
					}
					runes--
					n = len(s)
				}
				return cand, n
			}
		}
	}
	return "", 0
}

// onlyDestination reports whether an instruction names a destination and
// nothing else ("b. Under CHINA, PEOPLE'S REPUBLIC OF, by:"), returning it.
func onlyDestination(toks []token) *token {
	var d *token
	for i := range toks {
		if toks[i].kind != tokDest {
			return nil
		}
		d = &toks[i]
	}
	return d
}

// tokenize reads an instruction into tokens.
func (h *headingIndex) tokenize(s string) ([]token, error) {
	qs, err := quotes(s)
	if err != nil {
		return nil, err
	}
	var toks []token
	prev := 0
	scan := func(seg string, base int) error {
		// Most stretches between two quoted names are "; " or ", and ":
		// nothing to read there.
		if trivialSegment(seg) {
			return nil
		}
		for _, m := range actionPattern.FindAllStringIndex(seg, -1) {
			kind := tokAction
			text := seg[m[0]:m[1]]
			if before := strings.ToLower(strings.TrimSpace(seg[max(0, m[0]-8):m[0]])); before == "to" || strings.HasSuffix(before, " to") {
				kind, text = tokDetail, firstWords(seg[m[0]:], 6)
			}
			toks = append(toks, token{kind: kind, action: actionOf(seg[m[0]:m[1]]), text: text, pos: base + m[0]})
		}
		for _, m := range pronounPattern.FindAllStringIndex(seg, -1) {
			after := strings.TrimSpace(seg[m[1]:])
			// "the entry for “X”" names X; only a bare pronoun stands for
			// names given earlier.
			w := strings.ToLower(seg[m[0]:m[1]])
			if (strings.HasPrefix(w, "the ") || strings.HasPrefix(w, "this") || strings.HasPrefix(w, "these")) && (strings.HasPrefix(strings.ToLower(after), "for") || after == "") {
				continue
			}
			toks = append(toks, token{kind: tokPronoun, text: seg[m[0]:m[1]], pos: base + m[0]})
		}
		for _, m := range fromPattern.FindAllStringIndex(seg, -1) {
			if heading, n := h.match(seg[m[1]:]); n > 0 {
				code, _ := entitywatch.CountryCode(heading)
				toks = append(toks, token{kind: tokFrom, dests: []dest{{country: fold(seg[m[1] : m[1]+n]), code: code}}, pos: base + m[0]})
			}
		}
		for _, m := range underPattern.FindAllStringIndex(seg, -1) {
			rest := seg[m[1]:]
			heading, n := h.match(rest)
			if n == 0 {
				// "under" followed by capitals that are no destination we
				// know is an unknown destination, not prose.
				if w := capsWordPattern.FindString(rest); len(w) >= 3 && strings.HasPrefix(strings.ToLower(seg[m[0]:]), "under") {
					return fmt.Errorf("%w %q", entitywatch.ErrUnknownDestination, firstWords(rest, 4))
				}
				continue
			}
			code, _ := entitywatch.CountryCode(heading)
			ds := []dest{{country: fold(rest[:n]), code: code}}
			// "under the destinations of CHINA, PEOPLE'S REPUBLIC OF, and
			// UNITED ARAB EMIRATES" names several.
			for {
				rest = rest[n:]
				sep := listSep.FindString(rest)
				if sep == "" {
					break
				}
				heading, n = h.match(rest[len(sep):])
				if n == 0 {
					break
				}
				rest = rest[len(sep):]
				code, _ := entitywatch.CountryCode(heading)
				ds = append(ds, dest{country: fold(rest[:n]), code: code})
			}
			toks = append(toks, token{kind: tokDest, dests: ds, pos: base + m[0]})
		}
		return nil
	}
	for _, q := range qs {
		if err := scan(s[prev:q.start], prev); err != nil {
			return nil, err
		}
		toks = append(toks, token{kind: tokName, text: q.text, pos: q.start})
		prev = q.end
	}
	if err := scan(s[prev:], prev); err != nil {
		return nil, err
	}
	sort.SliceStable(toks, func(i, j int) bool { return toks[i].pos < toks[j].pos })
	return toks, nil
}

// trivialSegment reports whether seg holds nothing but punctuation,
// spaces and "and"/"or".
func trivialSegment(seg string) bool {
	for _, w := range strings.FieldsFunc(seg, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if w != "and" && w != "or" {
			return false
		}
	}
	return true
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.TrimRight(strings.Join(f, " "), ",;:")
}

func actionOf(w string) entitywatch.Action {
	w = strings.ToLower(w)
	switch {
	case strings.HasPrefix(w, "add"):
		return entitywatch.Add
	case strings.HasPrefix(w, "remov"):
		return entitywatch.Remove
	case strings.HasPrefix(w, "mov"):
		return entitywatch.Move
	case strings.HasPrefix(w, "redesignat"):
		return "redesignate"
	default:
		return entitywatch.Revise
	}
}

// clauses turns an instruction's tokens into clauses. A destination
// before an action belongs to it; a destination after an action's names
// belongs to that action when it has none yet, otherwise to the next
// action; a clause without a destination of its own inherits the last one.
// inherited is the destination of an enclosing paragraph ("b. Under
// CHINA, by:" followed by "i. Adding ..."), or nil.
func clauses(toks []token, inherited *token) ([]entitywatch.Clause, error) {
	var out []entitywatch.Clause
	var pending *token            // destination waiting for the next action
	carry := inherited            // last destination used
	cur := -1                     // index into out of the open clause
	explicit := false             // whether the open clause named its destination
	named := false                // whether the open clause has names yet
	dests := make([][]dest, 0, 4) // destinations of out[i]
	setDest := func(i int, t *token) { dests[i] = t.dests }
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tokAction:
			if t.action == "redesignate" {
				return nil, fmt.Errorf("redesignation instructions are not supported")
			}
			out = append(out, entitywatch.Clause{Action: t.action})
			dests = append(dests, nil)
			cur = len(out) - 1
			explicit, named = false, false
			if pending != nil {
				setDest(cur, pending)
				carry, pending, explicit = pending, nil, true
			} else if carry != nil {
				setDest(cur, carry)
			}
		case tokDest:
			nextIsAction := i+1 < len(toks) && toks[i+1].kind == tokAction
			switch {
			case cur < 0 || nextIsAction:
				pending = t
			case !named || !explicit:
				setDest(cur, t)
				carry, explicit = t, true
			default:
				pending = t
			}
		case tokName:
			if cur < 0 {
				return nil, fmt.Errorf("name “%s” comes before any action (adding, removing, revising)", t.text)
			}
			out[cur].Names = append(out[cur].Names, cleanQuotedName(t.text))
			named = true
		case tokFrom:
			if cur >= 0 {
				out[cur].FromCountry, out[cur].FromCountryCode = t.dests[0].country, t.dests[0].code
			}
		case tokDetail:
			if cur >= 0 {
				out[cur].ChangedFields = appendUnique(out[cur].ChangedFields, fieldsNamed(t.text)...)
			}
		case tokPronoun:
			if cur > 0 && !named {
				out[cur].Names = append(out[cur].Names, out[cur-1].Names...)
				named = true
			}
		}
	}
	if pending != nil {
		return nil, fmt.Errorf("destination %s is not attached to any action", pending.dests[0].country)
	}
	// Verbs without names are prose ("is amended by adding, in
	// alphabetical order, ..." before the names come); drop a clause only
	// when the next clause repeats its action.
	var kept []entitywatch.Clause
	for i, c := range out {
		if len(c.Names) == 0 {
			if i+1 < len(out) && out[i+1].Action == c.Action {
				continue
			}
			return nil, fmt.Errorf("%s clause names no entry", c.Action)
		}
		if len(dests[i]) == 0 {
			return nil, fmt.Errorf("%s clause for “%s” names no destination", c.Action, c.Names[0])
		}
		if c.Action == entitywatch.Move && c.FromCountryCode == "" {
			return nil, fmt.Errorf("move clause for “%s” does not say which destination it leaves", c.Names[0])
		}
		for _, d := range dests[i] {
			c.Country, c.CountryCode = d.country, d.code
			c.Names = slices.Clone(c.Names)
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// fieldsNamed returns the entry fields a phrase such as "add an alias and
// an address" names.
func fieldsNamed(s string) []string {
	s = strings.ToLower(s)
	var out []string
	for _, f := range []struct{ word, field string }{
		{"alias", "aliases"}, {"a.k.a", "aliases"}, {"address", "addresses"}, {"name", "name"},
		{"license requirement", "license_requirement"}, {"review policy", "license_review_policy"},
		{"citation", "citations"},
	} {
		if strings.Contains(s, f.word) {
			out = appendUnique(out, f.field)
		}
	}
	return out
}

func appendUnique(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, l := range list {
			if l == it {
				found = true
				break
			}
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}
