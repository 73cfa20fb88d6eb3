package ingest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
)

// wanted is one name an add or revise clause expects a table row for.
type wanted struct {
	instr  *entitywatch.Instruction
	clause *entitywatch.Clause
	name   string
	key    string
	row    *tableRow
}

// match pairs every add and revise clause name with exactly one table row
// under its destination, and every table row with exactly one name.
// Removals name entries the table does not print.
func (p *parser) match(instrs []entitywatch.Instruction, rows []*tableRow) ([]entitywatch.Change, error) {
	var wants []*wanted
	for i := range instrs {
		in := &instrs[i]
		for j := range in.Clauses {
			c := &in.Clauses[j]
			if c.Action == entitywatch.Remove {
				continue
			}
			for _, n := range c.Names {
				wants = append(wants, &wanted{instr: in, clause: c, name: n, key: p.m.key(n)})
			}
		}
	}
	// Each row goes to the longest name under its destination that starts
	// it and ends where the printed name can end (before a comma, period,
	// "a.k.a.", ...): "Suma Technology Co., Ltd." before "Suma".
	type destKey struct{ code, key string }
	byKey := make(map[destKey][]*wanted, len(wants))
	for _, w := range wants {
		if w.key != "" {
			k := destKey{w.clause.CountryCode, w.key}
			byKey[k] = append(byKey[k], w)
		}
	}
	maxKey := 0
	for _, w := range wants {
		maxKey = max(maxKey, len(w.key))
	}
	byClause := make(map[*entitywatch.Clause][]*wanted)
	for _, w := range wants {
		byClause[w.clause] = append(byClause[w.clause], w)
	}
	for _, r := range rows {
		// Only the start of the cell can hold a name: key no more of it
		// than the longest name.
		r.key = p.m.keyPrefix(r.cells[0].text, maxKey)
		var best *wanted
		cands := p.m.boundaryKeyLens(r.cells[0].raw, maxKey)
		for i := len(cands) - 1; i >= 0 && best == nil; i-- {
			l := cands[i]
			if l > len(r.key) {
				continue
			}
			for _, w := range byKey[destKey{r.code, r.key[:l]}] {
				end := nameEnd(r.cells[0].raw, p.m.prefixEnd(r.cells[0].raw, w.key))
				if end < 0 || !atNameBoundary(r.cells[0].raw[end:]) {
					continue
				}
				if w.row == nil {
					best = w
					break
				}
				if best == nil {
					best = w
				}
			}
		}
		if best == nil {
			return nil, spotErr(r.spot.String(), entitywatch.ErrUnaccounted, "no instruction adds or revises the entry %q under %s", firstWords(r.cells[0].text, 12), r.country)
		}
		if best.row != nil {
			return nil, spotErr(r.spot.String(), entitywatch.ErrUnaccounted, "instruction %s names “%s” once but the table prints it twice under %s (also %s)", best.instr.Label, best.name, r.country, best.row.spot.String())
		}
		best.row = r
	}
	for _, w := range wants {
		if w.row == nil {
			return nil, spotErr("instruction "+w.instr.Label, entitywatch.ErrUnaccounted, "%s “%s” under %s: the table has no such entry", w.clause.Action, w.name, w.clause.Country)
		}
	}

	changes := make([]entitywatch.Change, 0, len(wants))
	for i := range instrs {
		in := &instrs[i]
		for j := range in.Clauses {
			c := &in.Clauses[j]
			for k, n := range c.Names {
				ch := entitywatch.Change{Action: c.Action, Instruction: in.Text, ChangedFields: []string{}}
				if c.Action == entitywatch.Remove {
					ch.Entry = entitywatch.Entry{Country: c.Country, CountryCode: c.CountryCode, Name: n, Aliases: []string{}, Addresses: []string{}, Citations: []string{}}
					if addressOnly.MatchString(n) {
						ch.AddressOnly = true
					}
					changes = append(changes, ch)
					continue
				}
				e, err := p.entry(byClause[c][k])
				if err != nil {
					return nil, err
				}
				ch.Entry = e
				if c.Action == entitywatch.Revise {
					ch.ChangedFields = append(ch.ChangedFields, c.ChangedFields...)
				}
				if c.Action == entitywatch.Move {
					ch.FromCountry, ch.FromCountryCode = c.FromCountry, c.FromCountryCode
				}
				changes = append(changes, ch)
			}
		}
	}
	return pairMoves(changes, p.m), nil
}

// nameEnd extends a matched name over the closing marks that balance an
// opening mark inside it: the ” of Enterprise “Kant”, the ) of "(Pvt)".
func nameEnd(raw string, end int) int {
	if end < 0 {
		return end
	}
	pairs := []struct{ open, close string }{{"“", "”"}, {"‘", "’"}, {"(", ")"}, {"[", "]"}}
	for {
		extended := false
		rest := raw[end:]
		for _, p := range pairs {
			if strings.HasPrefix(rest, p.close) && strings.Count(raw[:end], p.open) > strings.Count(raw[:end], p.close) {
				end += len(p.close)
				extended = true
				break
			}
		}
		if !extended && strings.HasPrefix(rest, `"`) && strings.Count(raw[:end], `"`)%2 == 1 {
			end++
			extended = true
		}
		if !extended {
			return end
		}
	}
}

// atNameBoundary reports whether the text after a matched name starts a
// new part of the cell rather than continuing the name.
func atNameBoundary(rest string) bool {
	rest = strings.TrimLeft(rest, " \t\n")
	if rest == "" {
		return true
	}
	switch rest[0] {
	case ',', '.', ';', '(', ':':
		return true
	}
	return strings.HasPrefix(rest, "—") || strings.HasPrefix(strings.ToLower(rest), "a.k.a")
}

// entry builds the entry a matched table row prints.
func (p *parser) entry(w *wanted) (entitywatch.Entry, error) {
	r := w.row
	raw := r.cells[0].raw
	end := nameEnd(raw, p.m.prefixEnd(raw, w.key))
	et, err := splitEntity(raw, end, -1)
	if err != nil {
		return entitywatch.Entry{}, spotErr(r.spot.String(), entitywatch.ErrUnaccounted, "%v", err)
	}
	e := rowEntry(r, et, p.cites)
	if r.cells[3].text != "" && len(e.Citations) == 0 {
		return e, spotErr(r.spot.String(), entitywatch.ErrUnaccounted, "cannot read a Federal Register citation in %q", r.cells[3].text)
	}
	if e.LicenseRequirement == "" || e.LicenseReviewPolicy == "" {
		return e, spotErr(r.spot.String(), entitywatch.ErrUnaccounted, "entry %q has no license requirement or review policy", e.Name)
	}
	return e, nil
}

// rowEntry builds the entry a table row prints, its entity cell split
// into et: the other columns, continuation rows, footnote markers and
// the address-only form.
func rowEntry(r *tableRow, et entityText, cites citationCache) entitywatch.Entry {
	e := entitywatch.Entry{
		Country:             r.country,
		CountryCode:         r.code,
		Name:                et.name,
		Aliases:             nonNil(et.aliases),
		Addresses:           nonNil(et.addresses),
		SeeAlso:             et.seeAlso,
		LicenseRequirement:  r.cells[1].text,
		LicenseReviewPolicy: r.cells[2].text,
		Citations:           nonNil(cites.get(r.cells[3].text)),
		Source:              []string{r.country, r.cells[0].text, r.cells[1].text, r.cells[2].text, r.cells[3].text},
	}
	for _, c := range r.continuation {
		e.Addresses = append(e.Addresses, splitAddresses(c)...)
		e.SeeAlso = append(e.SeeAlso, seeAlso(c)...)
		e.Source[1] += "\n" + c
	}
	for _, c := range r.cells {
		e.Footnotes = appendUnique(e.Footnotes, c.footnotes...)
	}
	if addressOnly.MatchString(e.Name) {
		e.AddressOnly = true
		e.Name = strings.TrimRight(e.Name, ". ")
		if len(e.Addresses) == 0 {
			if a := strings.TrimSpace(addressOnlyPrefix.ReplaceAllString(e.Name, "")); a != "" {
				e.Addresses = []string{a}
			}
		}
	}
	return e
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pairMoves turns a removal under one destination and an addition of the
// same name under another, in one rule, into a move.
func pairMoves(changes []entitywatch.Change, m *matcher) []entitywatch.Change {
	if !slices.ContainsFunc(changes, func(c entitywatch.Change) bool { return c.Action == entitywatch.Remove }) {
		return changes
	}
	var out []entitywatch.Change
	used := make(map[int]bool)
	for i, c := range changes {
		if c.Action != entitywatch.Remove {
			continue
		}
		for j, a := range changes {
			if a.Action == entitywatch.Add && !used[j] && a.CountryCode != c.CountryCode && m.key(a.Name) == m.key(c.Name) {
				used[i], used[j] = true, true
				mv := a
				mv.Action = entitywatch.Move
				mv.FromCountry, mv.FromCountryCode = c.Country, c.CountryCode
				changes[j] = mv
				break
			}
		}
	}
	for i, c := range changes {
		if used[i] && c.Action == entitywatch.Remove {
			continue
		}
		out = append(out, c)
	}
	return out
}

// crossCheck compares the changes with the counts the SUMMARY states.
func crossCheck(rule *entitywatch.Rule, warn func(string, ...any)) {
	sc := rule.SummaryCounts
	adds := map[string]int{}
	total, addresses, revised, removed := 0, 0, 0, 0
	for _, c := range rule.Changes {
		switch c.Action {
		case entitywatch.Add:
			adds[c.CountryCode]++
			total++
			if c.AddressOnly {
				addresses++
			}
		case entitywatch.Revise:
			revised++
		case entitywatch.Remove:
			removed++
		}
	}
	if len(sc.ByDestination) > 0 {
		// In code order, so the same rule always gets the same warnings.
		for _, code := range slices.Sorted(maps.Keys(sc.ByDestination)) {
			if n := sc.ByDestination[code]; adds[code] != n {
				warn("SUMMARY states %d additions under %s; the rule adds %d", n, code, adds[code])
			}
		}
		for _, code := range slices.Sorted(maps.Keys(adds)) {
			if _, ok := sc.ByDestination[code]; !ok {
				n := adds[code]
				warn("the rule adds %d entries under %s, which the SUMMARY does not count", n, code)
			}
		}
	}
	want := sc.Entries
	if want == 0 && len(sc.ByDestination) == 0 {
		want = sc.Entities
	}
	if sc.Addresses > 0 {
		// Addresses are counted apart from entities: "five entities and
		// eight addresses" is thirteen entries.
		if sc.Addresses != addresses {
			warn("SUMMARY states %d added addresses; the rule adds %d address entries", sc.Addresses, addresses)
		}
		if want > 0 && want != total-addresses {
			warn("SUMMARY states %d added entries besides addresses; the rule adds %d", want, total-addresses)
		}
	} else if want > 0 && want != total {
		warn("SUMMARY states %d added entries; the rule adds %d", want, total)
	}
	if sc.Revised > 0 && sc.Revised != revised {
		warn("SUMMARY states %d revised entries; the rule revises %d", sc.Revised, revised)
	}
	if sc.Removed > 0 && sc.Removed != removed {
		warn("SUMMARY states %d removed entries; the rule removes %d", sc.Removed, removed)
	}
	_ = fmt.Sprint
}
