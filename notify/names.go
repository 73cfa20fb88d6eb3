package notify

import (
	"strings"
	"unicode"
)

// shortNames are the names alerts use for destinations whose Entity List
// heading reads awkwardly in a sentence ("CHINA, PEOPLE'S REPUBLIC OF").
var shortNames = map[string]string{
	"AE": "United Arab Emirates",
	"BA": "Bosnia and Herzegovina",
	"BO": "Bolivia",
	"CD": "Democratic Republic of the Congo",
	"CG": "Republic of the Congo",
	"CI": "Côte d'Ivoire",
	"CN": "China",
	"CZ": "Czechia",
	"GB": "United Kingdom",
	"GM": "The Gambia",
	"HK": "Hong Kong",
	"IR": "Iran",
	"KP": "North Korea",
	"KR": "South Korea",
	"LA": "Laos",
	"MD": "Moldova",
	"MM": "Burma",
	"MO": "Macau",
	"RU": "Russia",
	"SY": "Syria",
	"TW": "Taiwan",
	"US": "United States",
	"VE": "Venezuela",
	"VN": "Vietnam",
}

// countryName returns the name an alert uses for a destination: a short
// name for the code, else the heading in title case, else the code.
func countryName(code, heading string) string {
	if n, ok := shortNames[strings.ToUpper(code)]; ok {
		return n
	}
	if heading == "" {
		return code
	}
	return titleCase(heading)
}

// titleCase turns an upper-case heading into title case, keeping short
// joining words in lower case: "BOSNIA-HERZEGOVINA" is
// "Bosnia-Herzegovina", "ISLE OF MAN" is "Isle of Man".
func titleCase(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		if i > 0 && (w == "of" || w == "and" || w == "the") {
			continue
		}
		rs := []rune(w)
		start := true
		for j, r := range rs {
			if start && unicode.IsLetter(r) {
				rs[j] = unicode.ToUpper(r)
			}
			start = r == '-' || r == '('
		}
		words[i] = string(rs)
	}
	return strings.Join(words, " ")
}
