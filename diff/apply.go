package diff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
)

// Apply applies the changes of rule, in order, to state and returns the
// list after the rule, the changes as applied, and warnings.
//
// The returned changes are rule.Changes completed from what the State
// knew: each change's ID is the ID of the entry it applied to (for a
// move, the entry under its new destination); a revision's or move's
// ChangedFields are the fields (see Fields) in which the printed entry
// differs from the listed one, replacing the fields the instruction
// named; a removal carries the entry as it was listed, not just the name
// the instruction quotes.
//
// Identity. An add, revise or remove finds its entry by destination code
// and Key of the name. A revision whose name is not on the list is a
// rename when exactly one entry listed under that destination is named
// among the revision's aliases, or lists the revision's name among its
// own aliases (the old name kept as an alias, or an alias promoted to
// the name); the entry keeps its ID and a warning reports the inference.
// More than one such entry is ErrAmbiguous. A move ends the entry under
// FromCountryCode (its record is kept, Removed) and lists it under
// CountryCode with a new ID, a new listing date and MovedFrom naming the
// old ID. Adding a name that a rule removed earlier lists it again under
// its old ID.
//
// Completeness. In a complete State, a revision, removal or move of an
// entry the State does not hold is ErrNotOnList. In a partial State (no
// baseline) the entry may have been listed before the State began, so a
// revision records the entry as printed, a removal records the entry as
// removed, and a move records its origin as removed and lists it under
// its new destination, each with a warning that the earlier history is
// unknown (Record.PriorUnknown). What the State does know it enforces in
// both kinds: adding an entry on the list is ErrAlreadyListed, and
// revising, removing or moving one that a rule removed is ErrNotOnList.
//
// Apply never applies part of a rule: on any error it returns state
// itself, unchanged, with an error that names the rule, the change's
// position (from 1) and the entry. It refuses a rule without a document
// number or effective date, or dated before state.AsOf (ErrOutOfOrder);
// rules with the same effective date are taken in the order given. Apply
// does not modify state or rule, and a State may be read and applied to
// from several goroutines at once.
func Apply(state State, rule *entitywatch.Rule) (next State, changes []entitywatch.Change, warnings []string, err error) {
	switch {
	case rule == nil:
		return state, nil, nil, fmt.Errorf("apply: no rule: %w", ErrInvalid)
	case strings.TrimSpace(rule.DocumentNumber) == "":
		return state, nil, nil, fmt.Errorf("apply: rule %q has no document number: %w", rule.Title, ErrInvalid)
	case rule.EffectiveDate.IsZero():
		return state, nil, nil, fmt.Errorf("apply %s: no effective date: %w", rule.DocumentNumber, ErrInvalid)
	case rule.EffectiveDate.Before(state.AsOf.Time):
		return state, nil, nil, fmt.Errorf("apply %s: effective %s, before the list as of %s: %w", rule.DocumentNumber, rule.EffectiveDate, state.AsOf, ErrOutOfOrder)
	}
	a := &applier{txn: begin(state), complete: state.Complete, doc: rule.DocumentNumber, date: rule.EffectiveDate}
	changes = make([]entitywatch.Change, 0, len(rule.Changes))
	for i, c := range rule.Changes {
		out, err := a.apply(c)
		if err != nil {
			return state, nil, nil, fmt.Errorf("apply %s: change %d: %w", rule.DocumentNumber, i+1, err)
		}
		changes = append(changes, out)
	}
	next = a.state()
	next.AsOf, next.Complete = rule.EffectiveDate, state.Complete
	return next, changes, a.warnings, nil
}

// applier applies the changes of one rule to a transaction.
type applier struct {
	*txn
	complete bool
	doc      string
	date     entitywatch.Date
	warnings []string
}

func (a *applier) warn(format string, args ...any) {
	a.warnings = append(a.warnings, a.doc+": "+fmt.Sprintf(format, args...))
}

func (a *applier) apply(c entitywatch.Change) (entitywatch.Change, error) {
	if err := validEntry(c.Entry); err != nil {
		return c, fmt.Errorf("%s: %w", label(c), err)
	}
	c.ChangedFields = nonNil(slices.Clone(c.ChangedFields))
	switch c.Action {
	case entitywatch.Add:
		var err error
		c.ID, err = a.add(c, "")
		return c, err
	case entitywatch.Remove:
		return a.remove(c)
	case entitywatch.Revise:
		return a.revise(c)
	case entitywatch.Move:
		return a.move(c)
	}
	return c, fmt.Errorf("%s: unknown action %q: %w", label(c), c.Action, ErrInvalid)
}

// label names a change in errors: its action and entry.
func label(c entitywatch.Change) string {
	if c.Action == entitywatch.Move {
		return fmt.Sprintf("move %q from %s to %s", short(c.Name), c.FromCountryCode, c.CountryCode)
	}
	return string(c.Action) + " " + describe(c.Entry)
}

// add lists c's entry, under the ID of a removed entry of that name if
// there is one, and returns its ID.
func (a *applier) add(c entitywatch.Change, movedFrom string) (string, error) {
	nameID := ID(c.CountryCode, c.Name)
	var id string
	if n, ok := a.lookup(nameID); ok {
		if !n.rec.Removed {
			return "", fmt.Errorf("%s: listed as %s%s: %w", label(c), n.rec.ID, since(n.rec), ErrAlreadyListed)
		}
		id = n.rec.ID
	} else {
		id = a.freeID(nameID)
	}
	a.put(newNode(Record{
		ID:          id,
		Entry:       cloneEntry(c.Entry),
		ListedSince: a.date,
		ListedBy:    a.doc,
		ChangedOn:   a.date,
		ChangedBy:   a.doc,
		MovedFrom:   movedFrom,
	}))
	return id, nil
}

func (a *applier) remove(c entitywatch.Change) (entitywatch.Change, error) {
	n, ok := a.lookup(ID(c.CountryCode, c.Name))
	switch {
	case ok && !n.rec.Removed:
		a.end(n)
		c.ID, c.Entry = n.rec.ID, cloneEntry(n.rec.Entry)
		return c, nil
	case ok:
		return c, fmt.Errorf("%s: removed by %s on %s: %w", label(c), n.rec.ChangedBy, n.rec.ChangedOn, ErrNotOnList)
	case a.complete:
		return c, fmt.Errorf("%s: %w", label(c), ErrNotOnList)
	}
	c.ID = a.unknownRemoved(c.Entry)
	a.warn("remove %s: not on this partial list; recorded as removed, its earlier history is unknown", describe(c.Entry))
	return c, nil
}

func (a *applier) revise(c entitywatch.Change) (entitywatch.Change, error) {
	n, ok := a.lookup(ID(c.CountryCode, c.Name))
	if ok && !n.rec.Removed {
		return a.revised(c, n), nil
	}
	switch cands := a.renamed(c.Entry); {
	case len(cands) == 1:
		old := cands[0]
		a.warn("revise %s: taken as a rename of %q (%s), since one of the two lists the other's name as an alias", describe(c.Entry), short(old.rec.Name), old.rec.ID)
		return a.revised(c, old), nil
	case len(cands) > 1:
		ids := make([]string, len(cands))
		for i, n := range cands {
			ids[i] = n.rec.ID
		}
		return c, fmt.Errorf("%s: not on the list, and could rename any of %s: %w", label(c), strings.Join(ids, ", "), ErrAmbiguous)
	case ok:
		return c, fmt.Errorf("%s: removed by %s on %s: %w", label(c), n.rec.ChangedBy, n.rec.ChangedOn, ErrNotOnList)
	case a.complete:
		return c, fmt.Errorf("%s: %w", label(c), ErrNotOnList)
	}
	c.ID = a.freeID(ID(c.CountryCode, c.Name))
	a.put(newNode(Record{
		ID:           c.ID,
		Entry:        cloneEntry(c.Entry),
		ChangedOn:    a.date,
		ChangedBy:    a.doc,
		PriorUnknown: true,
	}))
	a.warn("revise %s: not on this partial list; recorded as printed, its earlier history is unknown", describe(c.Entry))
	return c, nil
}

// revised replaces the entry of n with c's and fills c.ChangedFields.
func (a *applier) revised(c entitywatch.Change, n *node) entitywatch.Change {
	rec := n.rec
	rec.Entry = cloneEntry(c.Entry)
	rec.ChangedOn, rec.ChangedBy = a.date, a.doc
	a.put(newNode(rec))
	changed := changedFields(n.rec.Entry, c.Entry)
	for _, f := range c.ChangedFields {
		if !slices.Contains(changed, f) {
			a.warn("revise %s: the instruction revises its %s, which the printed entry leaves unchanged", describe(c.Entry), f)
		}
	}
	if len(changed) == 0 {
		a.warn("revise %s: the printed entry is the same as the listed one", describe(c.Entry))
	}
	c.ID, c.ChangedFields = n.rec.ID, changed
	return c
}

// renamed returns the entries listed under e's destination that e
// renames: those named among e's aliases, and those with e's name among
// their aliases, ordered by ID.
func (a *applier) renamed(e entitywatch.Entry) []*node {
	var out []*node
	seen := func(id string) bool {
		return slices.ContainsFunc(out, func(n *node) bool { return n.rec.ID == id })
	}
	for _, alias := range newNode(Record{Entry: e}).aliasIDs {
		if n, ok := a.lookup(alias); ok && !n.rec.Removed && !seen(n.rec.ID) {
			out = append(out, n)
		}
	}
	ids, _ := a.aliases.t.get(ID(e.CountryCode, e.Name))
	for _, id := range ids {
		if n, ok := a.ids.t.get(id); ok && !seen(id) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(x, y *node) int { return strings.Compare(x.rec.ID, y.rec.ID) })
	return out
}

func (a *applier) move(c entitywatch.Change) (entitywatch.Change, error) {
	switch {
	case strings.TrimSpace(c.FromCountryCode) == "":
		return c, fmt.Errorf("%s: no origin destination code: %w", label(c), ErrInvalid)
	case ID(c.FromCountryCode, "") == ID(c.CountryCode, ""):
		return c, fmt.Errorf("%s: moved to its own destination: %w", label(c), ErrInvalid)
	}
	from := c.Entry
	from.Country, from.CountryCode = c.FromCountry, c.FromCountryCode
	n, ok := a.lookup(ID(c.FromCountryCode, c.Name))
	var fromID string
	switch {
	case ok && !n.rec.Removed:
		fromID = n.rec.ID
		a.end(n)
		c.ChangedFields = changedFields(n.rec.Entry, c.Entry)
	case ok:
		return c, fmt.Errorf("%s: removed by %s on %s: %w", label(c), n.rec.ChangedBy, n.rec.ChangedOn, ErrNotOnList)
	case a.complete:
		return c, fmt.Errorf("%s: not under %s: %w", label(c), c.FromCountryCode, ErrNotOnList)
	default:
		fromID = a.unknownRemoved(from)
		a.warn("move %q from %s to %s: not on this partial list under %s; recorded as removed there, its earlier history is unknown", short(c.Name), c.FromCountryCode, c.CountryCode, c.FromCountryCode)
	}
	var err error
	c.ID, err = a.add(c, fromID)
	return c, err
}

// end marks the listed entry n removed by the rule.
func (a *applier) end(n *node) {
	m := *n
	m.rec.Removed = true
	m.rec.ChangedOn, m.rec.ChangedBy = a.date, a.doc
	a.put(&m)
}

// unknownRemoved records the removal of an entry a partial State does not
// hold, with what the rule prints of it (destination and name), and
// returns the record's ID.
func (a *applier) unknownRemoved(e entitywatch.Entry) string {
	rec := Record{
		ID: a.freeID(ID(e.CountryCode, e.Name)),
		Entry: entitywatch.Entry{
			Country:     e.Country,
			CountryCode: e.CountryCode,
			Name:        e.Name,
			AddressOnly: e.AddressOnly,
			Aliases:     []string{},
			Addresses:   []string{},
			Citations:   []string{},
		},
		ChangedOn:    a.date,
		ChangedBy:    a.doc,
		Removed:      true,
		PriorUnknown: true,
	}
	a.put(newNode(rec))
	return rec.ID
}

// since says since when and by which document a record is listed, when
// known.
func since(r Record) string {
	if r.ListedBy == "" {
		return ""
	}
	return fmt.Sprintf(" since %s by %s", r.ListedSince, r.ListedBy)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
