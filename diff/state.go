package diff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/entitywatch/entitywatch"
)

// Record is one entry of a State with its identity and provenance: the
// root package's Listing, so a store keeps States as plain
// entitywatch.Lists without importing diff.
//
// A State keeps the record of an entry after its removal, marked Removed,
// so that its ID, its last document and the fact of its removal stay
// known; a later addition under the same name lists it again under the
// same ID. ListedSince and ListedBy are empty for entries taken from a
// baseline and for entries a partial State first met in a revision,
// removal or move (PriorUnknown); for such a removal the Entry holds only
// what the rule printed (destination and name). MovedFrom is the ID of
// the entry under its previous destination when a move brought it to
// this one.
type Record = entitywatch.Listing

// State is the Entity List as of some point: every entry by ID, with the
// records of removed entries. The zero State is an empty partial list.
//
// A State is a value that never changes once built: Apply returns a new
// State that shares the unchanged parts of the old one, so keeping every
// version of the list costs little, and any number of goroutines may use
// one State at once. Records read from a State share their slices with it
// and must not be modified.
type State struct {
	// AsOf is the effective date of the last rule applied, or the date
	// of the baseline the State started from.
	AsOf entitywatch.Date
	// Complete reports that the State started from a full baseline (the
	// consolidated list, such as the eCFR, dated before the rules applied
	// to it), so an entry it does not hold is not on the list.
	Complete bool

	ids     *table[*node]    // ID -> entry
	names   *table[string]   // ID(country code, current name) -> ID, for removed entries too
	aliases *table[[]string] // ID(country code, alias) -> IDs of listed entries, sorted
	listed  int
}

// node is a Record with the keys Apply looks entries up by.
type node struct {
	rec      Record
	nameID   string   // ID(country code, current name): the names key
	aliasIDs []string // ID(country code, alias) of each alias: the aliases keys
}

func newNode(rec Record) *node {
	n := &node{rec: rec, nameID: ID(rec.CountryCode, rec.Name)}
	code := ID(rec.CountryCode, "")
	for _, a := range rec.Aliases {
		if k := Key(a); k != "" && !slices.Contains(n.aliasIDs, code+k) {
			n.aliasIDs = append(n.aliasIDs, code+k)
		}
	}
	return n
}

// NewState returns a State of the given records, as of asOf. Records
// without an ID get one (see ID). It is how a store rebuilds a State it
// saved with All, and how a baseline starts (see Baseline).
//
// NewState refuses records without a destination code or name, two
// records with the same ID, and two entries on the list under the same
// destination and name.
func NewState(asOf entitywatch.Date, complete bool, records []Record) (State, error) {
	t := begin(State{})
	// Records with an ID first, so that an ID given to a record without
	// one cannot take the ID of a later record.
	order := make([]int, 0, len(records))
	for i, r := range records {
		if r.ID != "" {
			order = append(order, i)
		}
	}
	for i, r := range records {
		if r.ID == "" {
			order = append(order, i)
		}
	}
	for _, i := range order {
		r := records[i]
		if err := validEntry(r.Entry); err != nil {
			return State{}, fmt.Errorf("new state: record %d: %s: %w", i+1, describe(r.Entry), err)
		}
		r.Entry = cloneEntry(r.Entry)
		if r.ID == "" {
			r.ID = t.freeID(ID(r.CountryCode, r.Name))
		} else if _, dup := t.ids.t.get(r.ID); dup {
			return State{}, fmt.Errorf("new state: record %d: %s: ID %s: %w", i+1, describe(r.Entry), r.ID, ErrAlreadyListed)
		}
		n := newNode(r)
		if other, ok := t.lookup(n.nameID); ok {
			if !other.rec.Removed && !r.Removed {
				return State{}, fmt.Errorf("new state: record %d: %s: also listed as %s: %w", i+1, describe(r.Entry), other.rec.ID, ErrAlreadyListed)
			}
			if r.Removed {
				// The name belongs to the entry on the list, or to the
				// first removed one.
				t.ids.set(r.ID, n)
				continue
			}
		}
		t.put(n)
	}
	s := t.state()
	s.AsOf, s.Complete = asOf, complete
	return s, nil
}

// Baseline returns the complete State of a consolidated list, such as
// the eCFR's Supplement No. 4 to part 744 as of asOf. Its records have no
// listing date or document: the list says only that they were listed by
// asOf (their Citations say more).
func Baseline(asOf entitywatch.Date, entries []entitywatch.Entry) (State, error) {
	recs := make([]Record, len(entries))
	for i, e := range entries {
		recs[i] = Record{Entry: e}
	}
	s, err := NewState(asOf, true, recs)
	if err != nil {
		return State{}, fmt.Errorf("baseline %s: %w", asOf, err)
	}
	return s, nil
}

// Len returns the number of entries on the list, removed ones not
// counted.
func (s State) Len() int { return s.listed }

// Get returns the record with the given ID, removed or not.
func (s State) Get(id string) (Record, bool) {
	n, ok := s.ids.get(id)
	if !ok {
		return Record{}, false
	}
	return n.rec, true
}

// Lookup returns the record of the entry whose current name is name
// under the destination countryCode, compared by Key. The record may be
// Removed. After Apply, Lookup on a change's CountryCode and Name finds
// the record the change made.
func (s State) Lookup(countryCode, name string) (Record, bool) {
	id, ok := s.names.get(ID(countryCode, name))
	if !ok {
		return Record{}, false
	}
	return s.Get(id)
}

// Listed returns the entries on the list, ordered by destination code,
// then name (by Key), then ID.
func (s State) Listed() []Record {
	return s.records(func(n *node) bool { return !n.rec.Removed })
}

// All returns every record, removed ones included, in the order of
// Listed. NewState(s.AsOf, s.Complete, s.All()) rebuilds s.
func (s State) All() []Record {
	return s.records(func(*node) bool { return true })
}

// records returns the records of the nodes that keep accepts, in order.
func (s State) records(keep func(*node) bool) []Record {
	var keys []sortKey
	var nodes []*node
	if s.ids != nil {
		for _, sh := range s.ids {
			if sh == nil {
				continue
			}
			for _, n := range sh.m {
				if keep(n) {
					keys = append(keys, sortKey{name: n.nameID, id: n.rec.ID, i: len(nodes)})
					nodes = append(nodes, n)
				}
			}
		}
	}
	sortKeys(keys)
	out := make([]Record, len(keys))
	for j, k := range keys {
		out[j] = nodes[k.i].rec
	}
	return out
}

// sortKey is what records are ordered by: ID(country code, name), which
// orders by destination code and then name Key because "/" sorts before
// the letters and digits of both, and then the record's ID; i is the
// record's index before sorting.
type sortKey struct {
	name, id string
	i        int
}

func sortKeys(keys []sortKey) {
	slices.SortFunc(keys, func(a, b sortKey) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}

// sortRecords orders records like Listed.
func sortRecords(recs []Record) {
	keys := make([]sortKey, len(recs))
	for i, r := range recs {
		keys[i] = sortKey{name: ID(r.CountryCode, r.Name), id: r.ID, i: i}
	}
	sortKeys(keys)
	sorted := make([]Record, len(recs))
	for j, k := range keys {
		sorted[j] = recs[k.i]
	}
	copy(recs, sorted)
}

// txn is a State being changed: copy-on-write tables and the count of
// listed entries.
type txn struct {
	ids     *writer[*node]
	names   *writer[string]
	aliases *writer[[]string]
	listed  int
}

func begin(s State) *txn {
	return &txn{ids: newWriter(s.ids), names: newWriter(s.names), aliases: newWriter(s.aliases), listed: s.listed}
}

func (t *txn) state() State {
	return State{ids: t.ids.t, names: t.names.t, aliases: t.aliases.t, listed: t.listed}
}

// lookup returns the entry whose current name has the given ID form.
func (t *txn) lookup(nameID string) (*node, bool) {
	id, ok := t.names.t.get(nameID)
	if !ok {
		return nil, false
	}
	return t.ids.t.get(id)
}

// put stores n under its ID and its current name, replacing any record
// with that ID, and keeps the count of listed entries.
func (t *txn) put(n *node) {
	id := n.rec.ID
	var oldAliases []string
	if old, ok := t.ids.t.get(id); ok {
		if !old.rec.Removed {
			t.listed--
			oldAliases = old.aliasIDs
		}
		if old.nameID != n.nameID {
			if named, _ := t.names.t.get(old.nameID); named == id {
				t.names.del(old.nameID)
			}
		}
	}
	var newAliases []string
	if !n.rec.Removed {
		t.listed++
		newAliases = n.aliasIDs
	}
	if !slices.Equal(oldAliases, newAliases) {
		for _, a := range oldAliases {
			ids, _ := t.aliases.t.get(a)
			if ids = slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == id }); len(ids) == 0 {
				t.aliases.del(a)
			} else {
				t.aliases.set(a, ids)
			}
		}
		for _, a := range newAliases {
			ids, _ := t.aliases.t.get(a)
			if i, found := slices.BinarySearch(ids, id); !found {
				t.aliases.set(a, slices.Insert(slices.Clone(ids), i, id))
			}
		}
	}
	t.ids.set(id, n)
	t.names.set(n.nameID, id)
}

// freeID returns base, or base with the first free suffix "~2", "~3",
// ... when another record holds base.
func (t *txn) freeID(base string) string {
	id := base
	for i := 2; ; i++ {
		if _, taken := t.ids.t.get(id); !taken {
			return id
		}
		id = base + "~" + strconv.Itoa(i)
	}
}

// validEntry reports an entry a State cannot identify.
func validEntry(e entitywatch.Entry) error {
	switch {
	case strings.TrimSpace(e.CountryCode) == "":
		return fmt.Errorf("no destination code: %w", ErrInvalid)
	case Key(e.Name) == "":
		return fmt.Errorf("name has no letters or digits: %w", ErrInvalid)
	}
	return nil
}

// describe names an entry in errors and warnings.
func describe(e entitywatch.Entry) string {
	return fmt.Sprintf("%q under %s", short(e.Name), e.CountryCode)
}

// short cuts a very long name (a list-named entry, an address) after its
// first 100 characters, for messages.
func short(name string) string {
	if utf8.RuneCountInString(name) > 100 {
		return string([]rune(name)[:100]) + "…"
	}
	return name
}

func cloneEntry(e entitywatch.Entry) entitywatch.Entry {
	e.Aliases = slices.Clone(e.Aliases)
	e.Addresses = slices.Clone(e.Addresses)
	e.SeeAlso = slices.Clone(e.SeeAlso)
	e.Citations = slices.Clone(e.Citations)
	e.Footnotes = slices.Clone(e.Footnotes)
	e.Source = slices.Clone(e.Source)
	return e
}
