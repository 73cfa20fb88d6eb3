package ingest

import (
	"regexp"
	"slices"
	"testing"
)

// akaPattern is the alias header matchAKA reads, as a regular expression:
// the definition the hand-written matcher is checked against.
var akaPattern = regexp.MustCompile(`(?i)^(?:a\.k\.a\.?|aka|also known as)\s*,?\s*(?:the\s+following\s+(?:` + numberPattern + `\s+)?alias(?:es)?\s*[:.,]?)?`)

func akaByRegexp(s string) []int {
	return akaPattern.FindStringSubmatchIndex(s[:min(len(s), 96)])
}

var akaSamples = []string{
	"a.k.a., the following three aliases:\uE000—Bulk;",
	"a.k.a. the following alias: X",
	"A.K.A., THE FOLLOWING TWENTY-ONE ALIASES: —X",
	"a.k.a., the following twenty one aliases —X",
	"a.k.a., the following seventeen aliases:",
	"a.k.a., the following 12 aliases:",
	"a.k.a., the following an alias:",
	"a.k.a., the following aliases:",
	"a.k.a., the following alias X",
	"a.k.a., Alexander Ivjenko, 7150 Rue",
	"aka Example",
	"also known as: the following two aliases",
	"also known as, the following",
	"a.k.a the  following\tseven   aliases.",
	"a.\u212a.a. the following ſeven aliaſes",
	" a.k.a. leading space",
	"akai",
	"the following two aliases",
	"a.k.a., the following two",
	"a.k.a., the following twenty-",
	"",
}

func TestMatchAKA(t *testing.T) {
	for _, s := range akaSamples {
		if got, want := matchAKA(s), akaByRegexp(s); !slices.Equal(got, want) {
			t.Errorf("matchAKA(%q) = %v, the pattern gives %v", s, got, want)
		}
	}
	// Spot checks of what the header means, so the two cannot agree on
	// something wrong.
	if m := matchAKA(akaSamples[2]); m == nil || akaSamples[2][m[2]:m[3]] != "TWENTY-ONE" {
		t.Errorf("count of %q: %v", akaSamples[2], m)
	}
	if m := matchAKA(akaSamples[0]); m == nil || akaSamples[0][m[1]:] != "\uE000—Bulk;" {
		t.Errorf("end of %q: %v", akaSamples[0], m)
	}
}

func FuzzMatchAKA(f *testing.F) {
	for _, s := range akaSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := matchAKA(s), akaByRegexp(s); !slices.Equal(got, want) {
			t.Fatalf("matchAKA(%q) = %v, the pattern gives %v", s, got, want)
		}
	})
}
