package entitywatch

// Listing is one entry of the Entity List as kept over time: the entry as
// last printed, its identity and where it came from.
//
// A list keeps the listing of an entry after its removal, marked Removed,
// so its identity, its last document and the fact of its removal stay
// known.
type Listing struct {
	// ID is the identity the entry was first listed under: destination
	// code and normalized name ("CN/inspurtaiwan"); it survives renames.
	ID string `json:"id"`
	Entry
	// ListedSince and ListedBy are the effective date and document number
	// of the rule that listed the entry; empty for entries taken from a
	// baseline or first met, in a partial list, in a revision or removal.
	ListedSince Date   `json:"listed_since"`
	ListedBy    string `json:"listed_by"`
	// ChangedOn and ChangedBy are the effective date and document number
	// of the last rule that changed the entry.
	ChangedOn Date   `json:"changed_on"`
	ChangedBy string `json:"changed_by"`
	// Removed marks an entry that is no longer on the list.
	Removed bool `json:"removed,omitempty"`
	// MovedFrom is the ID the entry had under its previous destination.
	MovedFrom string `json:"moved_from,omitempty"`
	// PriorUnknown marks an entry first met, in a partial list, in a
	// revision, removal or move: its earlier history is unknown.
	PriorUnknown bool `json:"prior_unknown,omitempty"`
}

// List is the whole Entity List as of a date.
type List struct {
	// AsOf is the effective date of the last rule applied, or the date of
	// the baseline.
	AsOf Date `json:"as_of"`
	// Complete reports that the list started from a full baseline dated
	// before the rules applied to it; otherwise it holds only what the
	// rules applied so far printed.
	Complete bool `json:"complete"`
	// Listings holds every entry, removed ones included, in no particular
	// order.
	Listings []Listing `json:"listings"`
}
