package diff

// Delta is how the list changed between two States.
type Delta struct {
	// Added are entries on the later list and not on the earlier one.
	Added []Record `json:"added"`
	// Removed are entries on the earlier list and not on the later one,
	// as the earlier list held them. It also holds the removals the
	// later State recorded without knowing the entry (PriorUnknown).
	Removed []Record `json:"removed"`
	// Revised are entries on both lists whose fields differ, and entries
	// the later State first met in a revision (Old is then the zero
	// Record and Fields nil: what changed is unknown).
	Revised []Revision `json:"revised"`
	// Moved are entries that left one destination for another, Old
	// under the first and New under the second.
	Moved []Revision `json:"moved"`
}

// Revision is an entry in two versions and the fields in which they
// differ.
type Revision struct {
	Old    Record        `json:"old"`
	New    Record        `json:"new"`
	Fields []FieldChange `json:"fields"`
}

// Compare returns how the list changed from a to b; a is the earlier
// State. Entries are matched by ID, so a renamed entry is revised, not
// removed and added, and a moved entry is found by following the MovedFrom
// links in b. Each list is ordered by destination code, then name (by
// Key), then ID, of the later version. An entry listed, removed and
// listed again between a and b counts only by how its fields differ.
//
// Parts of the list that b shares with a (those no rule between them
// touched) are skipped, so comparing a State with one a few rules later
// costs little more than those rules.
func Compare(a, b State) Delta {
	var d Delta
	removed := make(map[string]Record)
	var added []Record
	visit := func(id string, na, nb *node) {
		if na == nb {
			return // shared, so unchanged
		}
		aListed := na != nil && !na.rec.Removed
		bListed := nb != nil && !nb.rec.Removed
		switch {
		case aListed && bListed:
			if f := Fields(na.rec.Entry, nb.rec.Entry); len(f) > 0 {
				d.Revised = append(d.Revised, Revision{Old: na.rec, New: nb.rec, Fields: f})
			}
		case aListed:
			removed[id] = na.rec
		case bListed && na == nil && nb.rec.PriorUnknown:
			d.Revised = append(d.Revised, Revision{New: nb.rec})
		case bListed:
			added = append(added, nb.rec)
		case na == nil && nb != nil && nb.rec.PriorUnknown:
			removed[id] = nb.rec
		}
	}
	for i := range nShards {
		sa, sb := shardAt(a.ids, i), shardAt(b.ids, i)
		if sa == sb {
			continue
		}
		for id, nb := range mapOf(sb) {
			visit(id, mapOf(sa)[id], nb)
		}
		for id, na := range mapOf(sa) {
			if _, ok := mapOf(sb)[id]; !ok {
				visit(id, na, nil)
			}
		}
	}

	for _, r := range added {
		if old, ok := movedFrom(removed, b, r); ok {
			delete(removed, old.ID)
			mv := Revision{Old: old, New: r}
			if !old.Removed { // else a removal b recorded without knowing the entry
				mv.Fields = Fields(old.Entry, r.Entry)
			}
			d.Moved = append(d.Moved, mv)
			continue
		}
		d.Added = append(d.Added, r)
	}
	for _, r := range removed {
		d.Removed = append(d.Removed, r)
	}
	sortRecords(d.Added)
	sortRecords(d.Removed)
	sortRevisions(d.Revised)
	sortRevisions(d.Moved)
	return d
}

// movedFrom follows r's MovedFrom links through b to an entry in removed.
func movedFrom(removed map[string]Record, b State, r Record) (Record, bool) {
	seen := make(map[string]bool)
	for id := r.MovedFrom; id != "" && !seen[id]; {
		if old, ok := removed[id]; ok {
			return old, true
		}
		seen[id] = true
		prev, ok := b.Get(id)
		if !ok {
			break
		}
		id = prev.MovedFrom
	}
	return Record{}, false
}

func shardAt(t *table[*node], i int) *shard[*node] {
	if t == nil {
		return nil
	}
	return t[i]
}

func mapOf(s *shard[*node]) map[string]*node {
	if s == nil {
		return nil
	}
	return s.m
}

// sortRevisions orders revisions like sortRecords orders their New
// records.
func sortRevisions(revs []Revision) {
	keys := make([]sortKey, len(revs))
	for i, r := range revs {
		keys[i] = sortKey{name: ID(r.New.CountryCode, r.New.Name), id: r.New.ID, i: i}
	}
	sortKeys(keys)
	sorted := make([]Revision, len(revs))
	for j, k := range keys {
		sorted[j] = revs[k.i]
	}
	copy(revs, sorted)
}
