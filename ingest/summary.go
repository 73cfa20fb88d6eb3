package ingest

import (
	"regexp"
	"strings"

	"github.com/entitywatch/entitywatch"
)

var (
	sentenceEnd  = regexp.MustCompile(`\.\s+(?:[A-Z])`)
	addedPattern = regexp.MustCompile(`(?i)\badd(?:s|ing|ed)?\s+` + numberPattern + `\s+(?:[a-z-]+\s+){0,3}?(entit(?:y|ies)|entr(?:y|ies)|persons?|addresses|address|parties|party|organizations?|individuals?|companies)\b`)
	// andAdded continues an addition after addedPattern: "adding five
	// entities and eight addresses".
	andAdded       = regexp.MustCompile(`(?i)^\s*(?:,\s*)?(?:and\s+)?` + numberPattern + `\s+(?:[a-z-]+\s+){0,3}?(entit(?:y|ies)|entr(?:y|ies)|address(?:es)?)\b`)
	underPrefix    = regexp.MustCompile(`(?i)^\s+under\s+` + numberPattern + `\s+(?:new\s+)?entr(?:y|ies)\b`)
	underEntries   = regexp.MustCompile(`(?i)\bunder\s+` + numberPattern + `\s+(?:new\s+)?entr(?:y|ies)`)
	revisedPattern = regexp.MustCompile(`(?i)\b(?:revis|modif|amend|correct)\w*\s+` + numberPattern + `\s+(?:[a-z-]+\s+){0,3}?(?:entr(?:y|ies)|entit(?:y|ies))\b`)
	removedPattern = regexp.MustCompile(`(?i)\bremov\w*\s+` + numberPattern + `\s+(?:[a-z-]+\s+){0,3}?(?:entr(?:y|ies)|entit(?:y|ies)|address(?:es)?|persons?)\b`)
	destOf         = regexp.MustCompile(`(?i)destinations?\s+of\s+`)
	countPattern   = regexp.MustCompile(`\((\d+)\)`)
	verbPattern    = regexp.MustCompile(`(?i)\b(add|remov|revis|modif)\w*`)
)

// addCount records a stated number of additions by what is counted.
func addCount(sc *entitywatch.SummaryCounts, number, noun string) {
	n, _ := parseNumber(number)
	switch noun = strings.ToLower(noun); {
	case strings.HasPrefix(noun, "entr"):
		sc.Entries = n
	case strings.HasPrefix(noun, "address"):
		sc.Addresses = n
	default:
		sc.Entities = n
	}
}

// summaryCounts reads the counts a SUMMARY states: "adding 37 entities
// under 38 entries to the Entity List ... under the destinations of Belarus
// (1), ... and Taiwan (1)", "also revises one existing entry".
func summaryCounts(summary string, warn func(string, ...any)) entitywatch.SummaryCounts {
	sc := entitywatch.SummaryCounts{ByDestination: map[string]int{}}
	s := entityListSentences(fold(summary))
	if loc := addedPattern.FindStringSubmatchIndex(s); loc != nil {
		addCount(&sc, s[loc[2]:loc[3]], s[loc[4]:loc[5]])
		rest := s[loc[1]:]
		if m := underPrefix.FindStringIndex(rest); m != nil {
			rest = rest[m[1]:] // counted by underEntries below
		}
		for {
			m := andAdded.FindStringSubmatchIndex(rest)
			if m == nil {
				break
			}
			addCount(&sc, rest[m[2]:m[3]], rest[m[4]:m[5]])
			rest = rest[m[1]:]
		}
	}
	if m := underEntries.FindStringSubmatch(s); m != nil {
		sc.Entries, _ = parseNumber(m[1])
	}
	for _, m := range revisedPattern.FindAllStringSubmatch(s, -1) {
		n, _ := parseNumber(m[1])
		sc.Revised += n
	}
	if m := removedPattern.FindStringSubmatch(s); m != nil {
		sc.Removed, _ = parseNumber(m[1])
	}
	// Per-destination counts of additions: the "(N)" after each name in a
	// sentence about additions ("These entities are listed under ...").
	lastVerb := ""
	for _, sent := range sentences(s) {
		if v := verbPattern.FindStringSubmatch(sent); v != nil && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(sent)), "these") {
			lastVerb = strings.ToLower(v[1])
		}
		loc := destOf.FindStringIndex(sent)
		if loc == nil || lastVerb != "add" {
			continue
		}
		list := sent[loc[1]:]
		prev := 0
		for _, m := range countPattern.FindAllStringSubmatchIndex(list, -1) {
			label := list[prev:m[0]]
			prev = m[1]
			n, _ := parseNumber(list[m[2]:m[3]])
			code, ok := summaryDestination(label)
			if !ok {
				warn("SUMMARY counts %d under %q, which is no destination entitywatch knows", n, cleanLabel(label))
				continue
			}
			sc.ByDestination[code] += n
		}
	}
	if len(sc.ByDestination) == 0 {
		sc.ByDestination = nil
	}
	return sc
}

// sentences splits prose at sentence ends, leaving "(China)" and "Co."
// alone as far as a cheap rule can.
func sentences(s string) []string {
	var out []string
	prev := 0
	for _, m := range sentenceEnd.FindAllStringIndex(s, -1) {
		out = append(out, s[prev:m[0]+1])
		prev = m[1] - 1
	}
	return append(out, s[prev:])
}

// summaryDestination resolves a destination as a SUMMARY names it:
// "China, People's Republic of (China)", "the People's Republic of China
// (China)", "United Arab Emirates (UAE)", "and Taiwan".
func summaryDestination(label string) (string, bool) {
	l := cleanLabel(label)
	if code, ok := entitywatch.CountryCode(l); ok {
		return code, true
	}
	if i := strings.LastIndex(l, "("); i > 0 && strings.HasSuffix(l, ")") {
		if code, ok := entitywatch.CountryCode(strings.TrimPrefix(strings.TrimSpace(l[:i]), "the ")); ok {
			return code, true
		}
		if code, ok := entitywatch.CountryCode(l[i+1 : len(l)-1]); ok {
			return code, true
		}
	}
	return "", false
}

// cleanLabel strips the list punctuation around a destination named in a
// SUMMARY list.
func cleanLabel(label string) string {
	l := strings.TrimLeft(fold(label), ",; ")
	for _, p := range []string{"and ", "the "} {
		l = strings.TrimPrefix(l, p)
	}
	return strings.TrimSpace(l)
}

// entityListSentences keeps the sentences of a SUMMARY that speak of the
// Entity List, and those that go on about the same entities ("These
// entities are listed under ..."), so counts of other lists in the same
// rule (the Unverified List, the Military End-User List) are not taken
// for the Entity List's.
func entityListSentences(s string) string {
	all := sentences(s)
	if !strings.Contains(strings.ToLower(s), "entity list") {
		// A SUMMARY that never names the Entity List ("removing one
		// entity under the destination of China") speaks of it
		// throughout, unless a sentence names another list.
		var kept []string
		for _, sent := range all {
			if !mentionsOtherList(sent) {
				kept = append(kept, sent)
			}
		}
		return strings.Join(kept, " ")
	}
	var kept []string
	following := false
	for _, sent := range all {
		lower := strings.TrimSpace(strings.ToLower(sent))
		switch {
		case strings.Contains(lower, "entity list"):
			kept, following = append(kept, sent), true
		case mentionsOtherList(lower):
			following = false
		case following && (strings.HasPrefix(lower, "these ") || strings.HasPrefix(lower, "this rule also") || strings.HasPrefix(lower, "some entities")):
			kept = append(kept, sent)
		}
	}
	return strings.Join(kept, " ")
}

// mentionsOtherList reports whether a sentence is about a list other than
// the Entity List.
func mentionsOtherList(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "unverified list") || strings.Contains(s, "military end-user list") || strings.Contains(s, "military end user list") || strings.Contains(s, "denied persons list")
}
