package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTokens splits a name into the tokens search compares: lower case,
// Latin letters without their diacritics ("Zhìpǔ" is "zhipu", "Straße"
// "strasse"), Cyrillic transliterated ("Технологии" is "tekhnologii"),
// full-width forms as ASCII, apostrophes dropped ("People's" is
// "peoples") and every other mark of punctuation a break between tokens.
// Letters of other scripts are kept, lower-cased. The standard library
// has no Unicode normalization, so the tables below stand in for NFKD
// over the scripts the Entity List prints.
func foldTokens(s string) []string {
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII
			r -= 0xFEE0
		}
		switch {
		case r < utf8.RuneSelf:
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteByte(byte(r))
			case r >= 'A' && r <= 'Z':
				b.WriteByte(byte(r) + 'a' - 'A')
			case r == '\'' || r == '`':
				// People's -> peoples
			default:
				flush()
			}
		case r == '\u2019' || r == '\u2018' || r == '\u02bc' || r == '\u00b4':
			// curly apostrophes and the modifier letter apostrophe
		case r >= 0xC0 && r <= 0x17F:
			if t, ok := latinSpecial[r]; ok {
				b.WriteString(t)
			} else if c := latinBase[r-0xC0]; c == ' ' {
				flush()
			} else {
				b.WriteByte(c)
			}
		case r >= 0x1EA0 && r <= 0x1EF9: // Vietnamese
			b.WriteByte(vietBase(r))
		case r >= 0x400 && r <= 0x45F || r == 0x490 || r == 0x491:
			b.WriteString(cyrillic(r))
		case unicode.Is(unicode.Mn, r):
			// a combining mark: drop it, keep the letter it marks
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if t, ok := latinSpecial[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
		default:
			flush()
		}
	}
	flush()
	return toks
}

// latinBase maps U+00C0 to U+017F (Latin-1 Supplement and Latin
// Extended-A) to the base letter, ' ' for symbols (× and ÷) and '*' for
// the letters in latinSpecial.
const latinBase = "" +
	"aaaaaa*ceeeeiiii" + // C0-CF
	"dnooooo ouuuuy**" + // D0-DF
	"aaaaaa*ceeeeiiii" + // E0-EF
	"dnooooo ouuuuy*y" + // F0-FF
	"aaaaaaccccccccdd" + // 100-10F
	"ddeeeeeeeeeegggg" + // 110-11F
	"gggghhhhiiiiiiii" + // 120-12F
	"ii**jjkkklllllll" + // 130-13F
	"lllnnnnnnnnnoooo" + // 140-14F
	"oo**rrrrrrssssss" + // 150-15F
	"ssttttttuuuuuuuu" + // 160-16F
	"uuuuwwyyyzzzzzzs" //   170-17F

// latinSpecial holds the letters of U+00C0 to U+017F that fold to two,
// and the letters beyond that range that fold to Latin.
var latinSpecial = map[rune]string{
	'Æ': "ae", 'æ': "ae", 'Þ': "th", 'þ': "th", 'ß': "ss",
	'Ĳ': "ij", 'ĳ': "ij", 'Œ': "oe", 'œ': "oe",
	'Ð': "d", 'Đ': "d", 'đ': "d",
	// Latin Extended-B: Vietnamese horns, pinyin tone marks, Romanian
	// commas below.
	'Ơ': "o", 'ơ': "o", 'Ư': "u", 'ư': "u",
	'Ǎ': "a", 'ǎ': "a", 'Ǐ': "i", 'ǐ': "i", 'Ǒ': "o", 'ǒ': "o", 'Ǔ': "u", 'ǔ': "u",
	'Ǖ': "u", 'ǖ': "u", 'Ǘ': "u", 'ǘ': "u", 'Ǚ': "u", 'ǚ': "u", 'Ǜ': "u", 'ǜ': "u",
	'Ș': "s", 'ș': "s", 'Ț': "t", 'ț': "t", 'Ə': "e", 'ə': "e",
}

// vietBase folds the precomposed Vietnamese letters of U+1EA0 to U+1EF9.
func vietBase(r rune) byte {
	switch {
	case r <= 0x1EB7:
		return 'a'
	case r <= 0x1EC7:
		return 'e'
	case r <= 0x1ECB:
		return 'i'
	case r <= 0x1EE3:
		return 'o'
	case r <= 0x1EF1:
		return 'u'
	default:
		return 'y'
	}
}

// cyrillicLatin transliterates а to я (U+0430 to U+044F) as the BGN/PCGN
// romanization does, without its diacritics.
var cyrillicLatin = [32]string{
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
	"r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
}

func cyrillic(r rune) string {
	switch {
	case r >= 0x410 && r <= 0x42F: // А-Я
		return cyrillicLatin[r-0x410]
	case r >= 0x430 && r <= 0x44F:
		return cyrillicLatin[r-0x430]
	}
	switch unicode.ToLower(r) {
	case 'ё':
		return "e"
	case 'є':
		return "ye"
	case 'і':
		return "i"
	case 'ї':
		return "yi"
	case 'ґ':
		return "g"
	case 'ў':
		return "u"
	case 'ј':
		return "j"
	}
	return string(unicode.ToLower(r))
}

// skeleton reduces a folded token to a rough sound-alike form, so that
// romanizations of one name meet: "tekhnologiya" and "technologia" are
// both "tehnologia".
func skeleton(t string) string {
	var b strings.Builder
	b.Grow(len(t))
	var last byte
	for i := 0; i < len(t); i++ {
		c := t[i]
		if i+1 < len(t) {
			switch n := t[i+1]; {
			case (c == 'k' || c == 'c') && n == 'h':
				c, i = 'h', i+1
			case c == 'p' && n == 'h':
				c, i = 'f', i+1
			case c == 'c' && n == 'k':
				c, i = 'k', i+1
			}
		}
		switch c {
		case 'y':
			c = 'i'
		case 'w':
			c = 'v'
		case 'q':
			c = 'k'
		}
		if c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}
