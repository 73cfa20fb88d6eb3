package diff

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Key returns the normalized form of an entry name that identity and
// lookups use: Unicode NFKC, case folded, with everything but letters,
// digits and combining marks dropped, so punctuation, quotation marks
// and spacing do not count. "Inspur Taiwan Co., Ltd." and
// "INSPUR  TAIWAN CO LTD" have the same key, "inspurtaiwancoltd".
func Key(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return slowKey(name)
		}
	}
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		}
	}
	return string(b)
}

// slowKey is Key for names outside ASCII. Case folding can undo NFKC
// (a folded letter may decompose), so the result is normalized again.
func slowKey(name string) string {
	s := norm.NFKC.String(cases.Fold().String(norm.NFKC.String(name)))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ID returns the identity an entry named name gets when it is first
// listed under the destination countryCode: the upper-case ISO code, a
// slash and the name's Key, as in "TW/inspurtaiwancoltd".
//
// A State assigns an entry its ID once and keeps it: a revision that
// renames the entry does not change it, so an entry's ID need not be the
// ID of its current name. When the ID of a new entry is already held by
// another entry (one listed under a name the new entry now carries), the
// State appends "~2", "~3", ... to keep IDs unique.
func ID(countryCode, name string) string {
	return strings.ToUpper(strings.TrimSpace(countryCode)) + "/" + Key(name)
}
