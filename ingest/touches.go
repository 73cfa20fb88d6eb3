package ingest

import (
	"regexp"
	"strings"
)

// BISAgencySlug is the FR API's slug for the Bureau of Industry and
// Security.
const BISAgencySlug = "industry-and-security-bureau"

// TouchesEntityList decides from metadata alone whether a document may
// change the Entity List, and so must be fetched and parsed. It is
// inclusive on purpose: a false positive costs one parse (which finds no
// Supplement No. 4 instruction), a false negative an export to a listed
// party. A document qualifies when any of these holds:
//
//   - its title, abstract or action names the Entity List, whatever the
//     agency (BIS titles vary: "Additions to the Entity List", "Entity
//     List Removals", "...; Correction");
//   - it is a BIS rule (agency slug industry-and-security-bureau, or an
//     unmatched agency named "Bureau of Industry and Security"; any type
//     but proposed rule, notice and presidential document) that cites
//     15 CFR part 744, where Supplement No. 4 lives: BIS rules that add
//     parties under other titles, such as "Implementation of Additional
//     Sanctions Against Russia and Belarus", still amend part 744;
//   - it is a BIS rule that cites no CFR part at all (GPO corrections,
//     public inspection, incomplete metadata);
//   - it is a BIS rule that corrects another document (correction_of, or
//     a number such as C1-2025-05427);
//   - it is a BIS rule whose title or abstract speaks of an amendment
//     that may be one: "Additions to", "Addition of", "Removal of",
//     "Revisions to", "Revision of", "Modifications", "Correction",
//     "entities".
//
// Left out are only BIS rules that cite CFR parts, none of them 744, and
// say none of these words, and other agencies' documents that never name
// the Entity List.
func TouchesEntityList(m DocumentMeta) bool {
	if namesEntityList(m.Title, m.Abstract, m.Action) {
		return true
	}
	if !byBIS(m.Agencies) || !mayAmend(m.Type) {
		return false
	}
	if len(m.CFRReferences) == 0 || m.CorrectionOf != "" || correctionNumber.MatchString(m.DocumentNumber) {
		return true
	}
	for _, r := range m.CFRReferences {
		if r.Title == 15 && r.Part == 744 {
			return true
		}
	}
	return amendmentWords.MatchString(m.Title) || amendmentWords.MatchString(m.Abstract)
}

// TouchesEntityListInspection is TouchesEntityList for a document on
// public inspection, which has no CFR references, abstract or action yet:
// any BIS rule qualifies (the early warning it triggers says the rule
// may change the list; TouchesEntityList decides again on publication),
// as does any document whose title names the Entity List.
func TouchesEntityListInspection(d PublicInspectionDoc) bool {
	return TouchesEntityList(DocumentMeta{
		DocumentNumber: d.DocumentNumber,
		Title:          d.Title,
		Type:           d.Type,
		Agencies:       d.Agencies,
	})
}

var (
	entityList       = regexp.MustCompile(`(?i)\bentity[\s-]+list\b`)
	amendmentWords   = regexp.MustCompile(`(?i)\b(additions?\s+(to|of)|removals?\s+(of|from)|revisions?\s+(to|of)|modifications?|corrections?|entities)\b`)
	correctionNumber = regexp.MustCompile(`^[Cc]\d+-`)
)

func namesEntityList(texts ...string) bool {
	for _, s := range texts {
		if entityList.MatchString(s) {
			return true
		}
	}
	return false
}

// byBIS reports whether BIS is among the agencies.
func byBIS(agencies []Agency) bool {
	for _, a := range agencies {
		if a.Slug == BISAgencySlug {
			return true
		}
		for _, n := range []string{a.Name, a.RawName} {
			n = strings.ToLower(n)
			if strings.Contains(n, "industry and security") {
				return true
			}
		}
	}
	return false
}

// mayAmend reports whether a document of this FR type can amend the CFR.
// Unknown and empty types (a correction's, say) may.
func mayAmend(typ string) bool {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "proposed rule", "prorule", "notice", "presidential document", "presdocu", "sunshine":
		return false
	}
	return true
}
