package ingest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	seeAlsoPattern  = regexp.MustCompile(`(?i)\(\s*see\s+((?:also\s+|alternate\s+)*address(?:es)?\s+under\s+[^)]*?)\s*\)\.?`)
	citationPattern = regexp.MustCompile(`\d+\s+FR\s+(?:\d[\d,]*|\[[^\]]*\])(?:\s*(?:,|and)?\s*\d{1,2}/\d{1,2}/\d{2,4})?`)
	// addressOnly matches the bare-address entries BIS lists since 2024,
	// printed "Address: ..." or numbered "Address 01 ...".
	addressOnly       = regexp.MustCompile(`(?i)^address(?:es)?(?:\s*:|\s+(?:no\.?\s*)?\d+\b)`)
	addressOnlyPrefix = regexp.MustCompile(`(?i)^address(?:es)?\s*(?:(?:no\.?\s*)?\d+)?\s*[:,.]?\s*`)
)

// dashes that open an alias item.
func isAliasDash(r rune) bool { return r == '—' || r == '–' }

// isItemDash also accepts the hyphen older rules print before an alias;
// it is only asked where an item starts, never inside a name.
func isItemDash(r rune) bool { return isAliasDash(r) || r == '-' }

// entityText is an entity cell split into its parts.
type entityText struct {
	name      string
	aliases   []string
	addresses []string
	seeAlso   []string
}

// splitEntity splits an entity cell into name, aliases and addresses,
// given where the name ends in raw (the instruction's quoted name tells
// that). raw keeps LI boundaries as newlines when the source had them.
func splitEntity(raw string, nameEnd int, wantAliases int) (entityText, error) {
	var e entityText
	e.name = fold(raw[:nameEnd])
	rest := raw[nameEnd:]
	// A period right after the name belongs to it when a comma follows
	// ("Co., Ltd., a.k.a.").
	if t := strings.TrimLeft(rest, " \t"); strings.HasPrefix(t, ".,") || (strings.HasPrefix(t, ".") && strings.TrimSpace(t[1:]) == "" && endsWithAbbreviation(e.name+".")) {
		e.name += "."
		rest = t[1:]
	}
	rest = strings.TrimLeftFunc(rest, func(r rune) bool { return isSpace(r) || r == ',' })
	// A parenthetical right after the quoted name ("... Intelligence
	// (BAAI), a.k.a. ...") is part of the printed name.
	if strings.HasPrefix(rest, "(") {
		if j := strings.IndexByte(rest, ')'); j > 0 && !strings.Contains(strings.ToLower(rest[:j]), "see ") {
			after := strings.TrimLeftFunc(rest[j+1:], isSpace)
			if after == "" || after[0] == ',' || after[0] == '.' || after[0] == ';' {
				e.name = fold(e.name + " " + rest[:j+1])
				rest = strings.TrimLeftFunc(after, func(r rune) bool { return isSpace(r) || r == ',' })
			}
		}
	}
	if strings.HasPrefix(rest, ":") {
		// A list-named entry ("The following Department of Atomic Energy
		// entities: —...; and —..."): the whole cell is its name.
		e.name = strings.TrimSuffix(fold(raw), ".")
		return e, nil
	}

	e.seeAlso = seeAlso(rest)

	if m := matchAKA(rest); m != nil {
		n := -1
		if m[2] >= 0 {
			v, _ := parseNumber(rest[m[2]:m[3]])
			n = v
		}
		aliases, after, err := splitAliases(rest[m[1]:], n)
		if err != nil {
			return e, err
		}
		e.aliases = aliases
		rest = after
	} else if strings.HasPrefix(strings.ToLower(strings.TrimSpace(rest)), "a.k.a") {
		return e, fmt.Errorf("cannot read the alias list after %q", e.name)
	}
	e.addresses = splitAddresses(rest)
	for _, a := range e.addresses {
		if r := firstRune(a); isAliasDash(r) || r == ':' || r == '(' {
			return e, fmt.Errorf("cannot tell aliases from addresses after %q: %q", e.name, firstWords(a, 8))
		}
	}
	return e, nil
}

// seeAlso returns the cross references of an entity cell.
func seeAlso(s string) []string {
	var out []string
	if !mentionsSee(s) {
		return nil
	}
	for _, m := range seeAlsoPattern.FindAllStringSubmatch(s, -1) {
		out = append(out, "See "+fold(m[1]))
	}
	return out
}

// splitAliases reads "—A; —B; and —C." followed by the address. With LI
// boundaries (newlines) the last alias ends at its line; without them it
// ends at the first period that ends a word which is no abbreviation.
func splitAliases(s string, want int) (aliases []string, rest string, err error) {
	s = strings.TrimLeftFunc(s, isSpace)
	for {
		s = strings.TrimLeftFunc(s, isSpace)
		r := firstRune(s)
		if !isItemDash(r) {
			break
		}
		s = s[len(string(r)):]
		// The item ends at the next dash that opens an item, or at the
		// end of the list.
		next := nextAliasDash(s)
		if next >= 0 {
			item := fold(s[:next])
			item = strings.TrimSuffix(item, " and")
			aliases = append(aliases, strings.TrimRight(item, "; "))
			s = s[next:]
			continue
		}
		// Last alias.
		end := lastAliasEnd(s)
		if end < 0 {
			return nil, "", fmt.Errorf("cannot tell where the last alias ends in %q", firstWords(s, 8))
		}
		item := fold(s[:end])
		if strings.HasSuffix(item, ".") && !endsWithAbbreviation(item) {
			item = strings.TrimSuffix(item, ".")
		}
		aliases = append(aliases, item)
		s = s[end:]
		break
	}
	if want >= 0 && len(aliases) != want {
		return nil, "", fmt.Errorf("alias list announces %d aliases but lists %d", want, len(aliases))
	}
	if len(aliases) == 0 {
		return nil, "", fmt.Errorf("alias list has no items")
	}
	return aliases, s, nil
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

// nextAliasDash finds the next dash that opens an alias item: one that
// starts a list item, or follows a semicolon (and an optional "and").
func nextAliasDash(s string) int {
	for i, r := range s {
		if !isItemDash(r) {
			continue
		}
		before := s[:i]
		if strings.HasSuffix(strings.TrimRight(before, " \t\r\n"), string(liMark)) {
			return i
		}
		b := fold(before[max(0, len(before)-40):])
		if strings.HasSuffix(b, ";") || strings.HasSuffix(b, "; and") || strings.HasSuffix(b, ";and") {
			return i
		}
	}
	return -1
}

// lastAliasEnd returns where the last alias ends in s: at a line break
// when the source kept LI boundaries, else just after the first period
// that ends a word that is not an abbreviation, followed by a space.
func lastAliasEnd(s string) int {
	if i := strings.IndexRune(s, liMark); i >= 0 {
		return i
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' {
			continue
		}
		if i+1 < len(s) && !unicode.IsSpace(rune(s[i+1])) {
			continue
		}
		word := lastWord(s[max(0, i-64):i])
		if neverEndsName[strings.ToLower(word)] || len([]rune(word)) == 1 {
			continue
		}
		// An address starts with a capital or a number; "Co., Ltd. of
		// China ..." goes on naming.
		if next := firstRune(strings.TrimLeftFunc(s[i+1:], isSpace)); unicode.IsLower(next) {
			continue
		}
		return i + 1
	}
	if strings.TrimSpace(s) != "" {
		return len(s)
	}
	return -1
}

// neverEndsName are abbreviations that a name does not end with but an
// address often holds ("No. 2", "St. Petersburg").
var neverEndsName = map[string]bool{
	"no": true, "nos": true, "st": true, "mr": true, "mrs": true, "dr": true, "rd": true, "ave": true,
	"bldg": true, "blvd": true, "fl": true, "rm": true, "apt": true, "p.o": true, "jr": true, "sr": true,
	"co": true, "e.g": true, "i.e": true, "mt": true, "ft": true, "km": true, "bl": true, "str": true,
}

func lastWord(s string) string {
	i := strings.LastIndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '(' || r == '—' })
	return s[i+1:]
}

// splitAddresses splits the address part of an entity cell: several
// addresses are joined by "; and" (or stand in separate LI items).
// Cross references ("(See alternate address under ...)") are removed
// first; see seeAlso.
func splitAddresses(s string) []string {
	if mentionsSee(s) {
		s = seeAlsoPattern.ReplaceAllString(s, " ")
	}
	var out []string
	for _, line := range strings.Split(s, string(liMark)) {
		for _, a := range splitSemicolons(line) {
			a = strings.TrimSpace(fold(a))
			a = strings.TrimPrefix(a, "and ")
			a = strings.TrimRight(a, ",; ")
			if strings.HasSuffix(a, ".") && !endsWithInitialism(a) {
				a = strings.TrimSuffix(a, ".")
			}
			if a != "" && a != "." {
				out = append(out, a)
			}
		}
	}
	return out
}

// endsWithInitialism reports whether s ends in an initialism such as
// "U.A.E." whose last period belongs to it.
func endsWithInitialism(s string) bool {
	w := lastWord(strings.TrimSuffix(s, "."))
	return strings.Contains(w, ".") || len([]rune(w)) == 1
}

// citationCache remembers the citations of cell texts already read: a
// rule prints the same placeholder in every new entry's cell.
type citationCache map[string][]string

func (c citationCache) get(s string) []string {
	if v, ok := c[s]; ok {
		return slices.Clone(v)
	}
	v := citations(s)
	c[s] = v
	return slices.Clone(v)
}

// citations extracts the Federal Register citations of a citation cell.
func citations(s string) []string {
	if !strings.Contains(s, "FR") {
		return nil
	}
	var out []string
	for _, m := range citationPattern.FindAllString(s, -1) {
		out = append(out, strings.TrimRight(fold(m), ".,; "))
	}
	return out
}

// splitSemicolons splits s at semicolons; a following "and" belongs to the
// separator ("A; and B").
func splitSemicolons(s string) []string {
	out := make([]string, 0, strings.Count(s, ";")+1)
	for {
		i := strings.IndexByte(s, ';')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = strings.TrimLeftFunc(s[i+1:], isSpace)
		if strings.HasPrefix(s, "and") && (len(s) == 3 || isSpace(rune(s[3]))) {
			s = s[3:]
		}
	}
}

// mentionsSee is a cheap test before the cross-reference pattern runs: a
// cross reference opens with a parenthesis followed by "see".
func mentionsSee(s string) bool {
	for i := strings.IndexByte(s, '('); i >= 0; {
		rest := strings.TrimLeft(s[i+1:], " ")
		if len(rest) >= 3 && strings.EqualFold(rest[:3], "see") {
			return true
		}
		j := strings.IndexByte(s[i+1:], '(')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
