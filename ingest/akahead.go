package ingest

import (
	"unicode"
	"unicode/utf8"
)

// matchAKA matches an alias header at the very start of s: "a.k.a.",
// "aka" or "also known as", then optionally "the following N aliases:".
// It returns what akaPattern.FindStringSubmatchIndex would (the whole
// match, then the count's span or -1, -1), or nil; only the first 96
// bytes are read, as the header is never longer. It is written out by
// hand because every entity cell is tried and the regular expression was
// a tenth of the parse; FuzzMatchAKA checks the two agree.
func matchAKA(s string) []int {
	s = s[:min(len(s), 96)]
	i, ok := -1, false
	for _, w := range [...]string{"a.k.a", "aka", "also known as"} {
		if i, ok = prefixFold(s, 0, w); ok {
			if w == "a.k.a" && i < len(s) && s[i] == '.' {
				i++
			}
			break
		}
	}
	if !ok {
		return nil
	}
	i = skipRegexpSpace(s, i)
	if i < len(s) && s[i] == ',' {
		i++
	}
	i = skipRegexpSpace(s, i)
	m := []int{0, i, -1, -1}
	j, ok := prefixFold(s, i, "the")
	if !ok || skipRegexpSpace(s, j) == j {
		return m
	}
	j, ok = prefixFold(s, skipRegexpSpace(s, j), "following")
	if !ok || skipRegexpSpace(s, j) == j {
		return m
	}
	j = skipRegexpSpace(s, j)
	// A count first, in the order the pattern's alternatives are tried;
	// then no count.
	var buf [8]int
	for _, end := range countCandidates(buf[:0], s, j) {
		k := skipRegexpSpace(s, end)
		if k == end {
			continue
		}
		if e, ok := aliasWord(s, k); ok {
			return []int{0, e, j, end}
		}
	}
	if e, ok := aliasWord(s, j); ok {
		m[1] = e
	}
	return m
}

// aliasWord matches `alias(?:es)?\s*[:.,]?` at i.
func aliasWord(s string, i int) (int, bool) {
	i, ok := prefixFold(s, i, "alias")
	if !ok {
		return 0, false
	}
	if e, ok := prefixFold(s, i, "es"); ok {
		i = e
	}
	i = skipRegexpSpace(s, i)
	if i < len(s) && (s[i] == ':' || s[i] == '.' || s[i] == ',') {
		i++
	}
	return i, true
}

var (
	tensWords  = [...]string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
	unitWords  = [...]string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	otherWords = [...]string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "an", "a"}
)

// countCandidates appends to out the ends of every way numberPattern
// matches at i, in the order the pattern tries them.
func countCandidates(out []int, s string, i int) []int {
	if i < len(s) && s[i] >= '0' && s[i] <= '9' {
		e := i
		for e < len(s) && s[e] >= '0' && s[e] <= '9' {
			e++
		}
		// A shorter run of digits is followed by a digit, never by the
		// space the pattern needs next: only the whole run can match.
		out = append(out, e)
	}
	for _, t := range tensWords {
		e, ok := prefixFold(s, i, t)
		if !ok {
			continue
		}
		if e < len(s) && (s[e] == '-' || s[e] == ' ') {
			for _, u := range unitWords {
				if e2, ok := prefixFold(s, e+1, u); ok {
					out = append(out, e2)
				}
			}
		}
		out = append(out, e)
	}
	for _, w := range unitWords {
		if e, ok := prefixFold(s, i, w); ok {
			out = append(out, e)
		}
	}
	for _, w := range otherWords {
		if e, ok := prefixFold(s, i, w); ok {
			out = append(out, e)
		}
	}
	return out
}

// skipRegexpSpace skips what `\s*` matches: ASCII space, tab, newline,
// form feed and carriage return (not vertical tab, not Unicode spaces).
func skipRegexpSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\f', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// prefixFold reports whether s has the lower-case ASCII word w at i,
// compared the way (?i) compares (Unicode simple folding, so the Kelvin
// sign matches k), and returns the end of the match in s.
func prefixFold(s string, i int, w string) (int, bool) {
	for j := 0; j < len(w); j++ {
		if i >= len(s) {
			return 0, false
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c != w[j] && !(c >= 'A' && c <= 'Z' && c+'a'-'A' == w[j]) {
				return 0, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !foldsTo(r, rune(w[j])) {
			return 0, false
		}
		i += size
	}
	return i, true
}

// foldsTo reports whether r is in w's case-folding orbit.
func foldsTo(r, w rune) bool {
	for f := unicode.SimpleFold(w); f != w; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}
