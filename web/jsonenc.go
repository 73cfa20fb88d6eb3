package web

import (
	"strconv"
	"unicode/utf8"

	"github.com/entitywatch/entitywatch"
)

// The snapshot answer is the largest the API gives (thousands of
// entries); it is written by hand, byte for byte what encoding/json
// writes for the same values (TestAppendSnapshot checks), at a fraction
// of the cost.

// appendSnapshotJSON appends the JSON of a snapshot answer to b.
func appendSnapshotJSON(b []byte, snap *snapshot) []byte {
	b = append(b, `{"as_of":`...)
	b = appendString(b, snap.asOf.String())
	b = append(b, `,"by":`...)
	b = appendString(b, snap.by)
	b = append(b, `,"complete":`...)
	b = strconv.AppendBool(b, snap.complete)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(snap.listed)), 10)
	b = append(b, `,"entries":[`...)
	for i := range snap.listed {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEntryJSON(b, &snap.listed[i])
	}
	return append(b, "]}\n"...)
}

// appendEntryJSON appends the JSON of NewSnapshotEntry(l).
func appendEntryJSON(b []byte, l *entitywatch.Listing) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, l.ID)
	b = append(b, `,"country":`...)
	b = appendString(b, l.Country)
	b = append(b, `,"country_code":`...)
	b = appendString(b, l.CountryCode)
	b = append(b, `,"name":`...)
	b = appendString(b, l.Name)
	b = append(b, `,"aliases":`...)
	b = appendStrings(b, l.Aliases)
	b = append(b, `,"addresses":`...)
	b = appendStrings(b, l.Addresses)
	b = append(b, `,"license_requirement":`...)
	b = appendString(b, l.LicenseRequirement)
	b = append(b, `,"license_review_policy":`...)
	b = appendString(b, l.LicenseReviewPolicy)
	b = append(b, `,"citations":`...)
	b = appendStrings(b, l.Citations)
	b = append(b, `,"listed_since":`...)
	b = appendString(b, l.ListedSince.String())
	b = append(b, `,"document_number":`...)
	b = appendString(b, l.ListedBy)
	if l.ChangedBy != "" {
		b = append(b, `,"last_changed_by":`...)
		b = appendString(b, l.ChangedBy)
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes appendString copies as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string the way encoding/json does:
// invalid UTF-8 as U+FFFD, <, > and & escaped for HTML, and U+2028 and
// U+2029 escaped for JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
