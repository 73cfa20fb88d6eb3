// Package diff is the list algebra of entitywatch: it applies the changes
// of a parsed rule to a version of the Entity List and compares two
// versions. It does no I/O; the store keeps the versions it computes.
//
// A State is the list as of some date: every entry by ID, with the date
// and document it was listed by and the last document that changed it.
// Start from a consolidated list with Baseline (a complete State), or
// from the zero State (a partial one), then apply rules in effective-date
// order:
//
//	s, err := diff.Baseline(ecfrDate, entries)
//	...
//	next, changes, warnings, err := diff.Apply(s, rule)
//	delta := diff.Compare(s, next) // added, removed, revised, moved
//
// Apply returns a new State and leaves the old one as it was; the two
// share every part of the list the rule did not touch, so keeping a State
// per rule is cheap. A rule is applied whole or not at all. The changes it
// returns name the ID of the entry each applied to and, for revisions and
// moves, the fields that changed. A State's records are
// entitywatch.Listings: NewState(l.AsOf, l.Complete, l.Listings) and
// State.All convert between a State and an entitywatch.List.
//
// # Identity
//
// An entry is identified by its destination and its name as Key
// normalizes it (NFKC, case folded, only letters, digits and marks kept):
// ID("TW", "Inspur Taiwan Co., Ltd.") is "TW/inspurtaiwancoltd". The ID
// is fixed when the entry is first listed and kept through revisions,
// including renames; a move to another destination ends the entry and
// lists a new one whose Record.MovedFrom names the old ID. Rules name the
// entries they revise by their new printed names, so a revision whose
// name is not on the list is taken as a rename when exactly one listed
// entry under that destination is named among its aliases or lists its
// name as an alias (see Apply).
//
// # Caveats
//
//   - A partial State (one without a baseline) cannot tell an entry
//     listed before it began from one never listed. It records
//     revisions, removals and moves of unknown entries with a warning and
//     marks them PriorUnknown; only a complete State refuses them. Both
//     refuse what they know to be wrong: adding a listed entry, or
//     changing one a rule removed.
//   - A baseline dated D already holds the rules effective on D; Apply
//     cannot tell, and accepts rules dated D. The caller picks which
//     rules follow a baseline.
//   - Apply refuses a rule without an effective date (a correcting
//     amendment may print no DATES section); the caller decides which
//     date stands in for it, such as the publication date.
//   - Renames are recognised only through aliases. A rename that keeps
//     neither name among the other's aliases looks like a revision of an
//     entry not on the list, which a complete State refuses.
//   - Fields compares printed values exactly, list order included: an
//     alias list printed in another order counts as changed. The
//     destination heading, Source and AddressOnly are not compared.
//   - Compare matches entries by ID and reports net differences: an entry
//     revised twice shows once, with its first and last versions; an
//     entry added and removed between the two States does not show.
package diff
