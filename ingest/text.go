package ingest

import (
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// liMark sets off the LI items of an XML cell in raw text, so the entity
// parser can use the list boundaries where the source has them. fold turns
// it into a space.
const liMark = '\uE000'

// fold folds runs of white space (including the non-ASCII spaces the FR
// prints in blank cells) into single spaces and trims the ends.
func fold(s string) string {
	// Most text is already folded: find the first place that needs a
	// change, and return s itself when there is none.
	i := 0
	if startsWithSpace(s) {
		i = -1
	}
	for i >= 0 {
		i = plainRun(s, i)
		if i == len(s) {
			return s
		}
		if n := keep(s, i); n > 0 {
			i += n
			continue
		}
		break
	}
	i = max(i, 0)
	// Copy what is folded so far, then each word run (text between white
	// space, single spaces included) with one space between runs.
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for i < len(s) {
		for i < len(s) {
			r, size := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if !isSpace(r) {
				break
			}
			i += size
		}
		if i == len(s) {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		j := i
		for j < len(s) {
			j = plainRun(s, j)
			if j == len(s) {
				break
			}
			n := keep(s, j)
			if n == 0 {
				break
			}
			j += n
		}
		b = append(b, s[i:j]...)
		i = j
	}
	return bytesString(b)
}

// keep is how many bytes at s[i], where plainRun stopped, fold keeps as
// they are (0 at white space that needs folding): a rune that is not
// white space, or one space before one.
func keep(s string, i int) int {
	c := s[i]
	switch {
	case c >= utf8.RuneSelf:
		r, size := utf8.DecodeRuneInString(s[i:])
		if isSpace(r) {
			return 0
		}
		return size
	case c == ' ':
		if i+1 < len(s) && !startsWithSpace(s[i+1:]) {
			return 1
		}
		return 0
	case asciiSpace[c]:
		return 0
	}
	return 1
}

func startsWithSpace(s string) bool {
	if s == "" {
		return false
	}
	if s[0] < utf8.RuneSelf {
		return asciiSpace[s[0]]
	}
	r, _ := utf8.DecodeRuneInString(s)
	return isSpace(r)
}

// plainRun returns the first index from i at which fold has to look at
// s more closely: a byte that is not printable ASCII, or a space that is
// last or followed by anything but printable ASCII. It reads eight bytes
// at a time while the text is plain ASCII.
func plainRun(s string, i int) int {
	const hi = 0x8080808080808080
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&hi != 0 {
			break // a non-ASCII byte
		}
		// With every byte below 0x80, adding 0x5f (0x60) sets a byte's
		// high bit exactly when it is at least 0x21 (0x20), no carries.
		visible := (x + 0x5f5f5f5f5f5f5f5f) & hi
		if visible == hi {
			i += 8
			continue
		}
		if ^(x+0x6060606060606060)&hi != 0 {
			break // a control byte
		}
		spaces := ^visible & hi
		if spaces&(spaces>>8) != 0 {
			break // two spaces in a row
		}
		if spaces>>56 != 0 {
			i += 7 // a last space is read again with what follows it
			continue
		}
		i += 8
	}
	for i < len(b) {
		c := b[i]
		if c > ' ' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c == ' ' && i+1 < len(b) && b[i+1] > ' ' && b[i+1] < utf8.RuneSelf {
			i += 2
			continue
		}
		break
	}
	return i
}

// asciiSpace marks the ASCII white space bytes, plainByte the other
// ASCII bytes.
var (
	asciiSpace = [utf8.RuneSelf]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}
	plainByte  = func() (t [256]bool) {
		for c := range utf8.RuneSelf {
			t[c] = !asciiSpace[c]
		}
		return t
	}()
)

// isSpace reports whether r is white space to the parser: Unicode's
// White_Space (unicode.IsSpace), the zero width space and liMark. The
// cases are spelled out because the table search of unicode.IsSpace was a
// tenth of folding text (TestIsSpace checks the two agree on every rune).
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && asciiSpace[r]
	}
	switch {
	case r == 0x85, r == 0xa0, r == 0x1680:
		return true
	case r < 0x2000:
		return false
	case r <= 0x200b, r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000, r == liMark:
		return true
	}
	return false
}

// matcher compares names the way a reader would: Unicode NFKC, case folded,
// with punctuation, quotation marks and spacing ignored. Printed names and
// the names quoted in instructions differ in exactly those ways.
type matcher struct{ caser cases.Caser }

func newMatcher() *matcher { return &matcher{caser: cases.Fold()} }

// key returns the comparison key of s.
func (m *matcher) key(s string) string {
	b := make([]byte, 0, len(s))
	// ASCII, the most of nearly every name, a byte at a time.
	i := 0
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ {
		if c := asciiKeys[s[i]]; c != 0 {
			b = append(b, c)
		}
	}
	if i == len(s) {
		return bytesString(b)
	}
	for _, r := range s[i:] {
		switch {
		case r < utf8.RuneSelf:
			if c := asciiKey(byte(r)); c != 0 {
				b = append(b, c)
			}
		case unicode.Is(unicode.Mn, r):
			// Combining marks compose differently rune by rune: take the
			// slow path for the whole string.
			return m.slowKey(s)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.No, r):
			b = append(b, m.slowKey(string(r))...)
		}
	}
	return bytesString(b)
}

// keyPrefix is key(s) cut to at most n bytes. It keys only a bounded
// prefix of s when that already yields n bytes.
func (m *matcher) keyPrefix(s string, n int) string {
	if cut := 4*n + 64; cut < len(s) {
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if k := m.key(s[:cut]); len(k) >= n {
			return k[:n]
		}
	}
	k := m.key(s)
	if len(k) > n {
		k = k[:n]
	}
	return k
}

func (m *matcher) slowKey(s string) string {
	s = m.caser.String(norm.NFKC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// prefixEnd reports where in raw a prefix whose key is k ends: the byte
// offset just after the last rune of raw that contributes to k. It returns
// -1 when raw's key does not start with k.
func (m *matcher) prefixEnd(raw, k string) int {
	if k == "" {
		return -1
	}
	got := 0
	for i, r := range raw {
		var rk string
		if r < utf8.RuneSelf {
			c := asciiKey(byte(r))
			if c == 0 {
				continue
			}
			if got >= len(k) || k[got] != c {
				return -1
			}
			got++
			if got == len(k) {
				return i + 1
			}
			continue
		}
		rk = m.key(string(r))
		if rk == "" {
			continue
		}
		if !strings.HasPrefix(k[got:], rk) {
			return -1
		}
		got += len(rk)
		if got == len(k) {
			return i + utf8.RuneLen(r)
		}
	}
	return -1
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// bytesString returns b as a string without copying; b must not be
// written afterwards.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// asciiKeys is asciiKey as a table.
var asciiKeys = func() (t [utf8.RuneSelf]byte) {
	for c := range byte(utf8.RuneSelf) {
		t[c] = asciiKey(c)
	}
	return t
}()

// asciiKey is key for one ASCII byte: lower-cased letters and digits,
// 0 for everything else.
func asciiKey(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return c
	case c >= 'A' && c <= 'Z':
		return c + ('a' - 'A')
	}
	return 0
}

// boundaryKeyLens returns, in increasing order, the key lengths up to
// maxLen at which a name printed at the start of raw can end: before a
// comma, period, semicolon, colon, parenthesis, dash or "a.k.a.", and at
// the end.
func (m *matcher) boundaryKeyLens(raw string, maxLen int) []int {
	var out []int
	n := 0
	add := func() {
		if n > 0 && (len(out) == 0 || out[len(out)-1] != n) {
			out = append(out, n)
		}
	}
	for i, r := range raw {
		switch r {
		case ',', '.', ';', ':', '(', '—', '–':
			add()
			continue
		case ' ', '\t', '\n', liMark:
			if rest := strings.TrimLeftFunc(raw[i:min(len(raw), i+24)], isSpace); len(rest) >= 5 && strings.EqualFold(rest[:5], "a.k.a") {
				add()
			}
			continue
		}
		if n > maxLen {
			// No name is that long: the rest cannot end one.
			return out
		}
		if r < utf8.RuneSelf {
			if asciiKey(byte(r)) != 0 {
				n++
			}
			continue
		}
		n += len(m.key(string(r)))
	}
	add()
	return out
}

// isStars reports whether s is only the asterisks (and spaces) the FR
// prints for "entries not shown".
func isStars(s string) bool {
	seen := false
	for _, r := range s {
		switch {
		case r == '*':
			seen = true
		case isSpace(r):
		default:
			return false
		}
	}
	return seen
}

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

// parseNumber reads "12", "twelve" or "thirty-six"; ok is false otherwise.
func parseNumber(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	n := 0
	digits := true
	for _, r := range s {
		if r < '0' || r > '9' {
			digits = false
			break
		}
		n = n*10 + int(r-'0')
		if n > 1_000_000 {
			return 0, false
		}
	}
	if digits {
		return n, true
	}
	total := 0
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == ' ' }) {
		v, ok := numberWords[part]
		if !ok {
			return 0, false
		}
		total += v
	}
	return total, true
}

// numberPattern matches what parseNumber reads, for use inside regexps.
const numberPattern = `(\d+|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|an|a)`
