// Package store keeps entitywatch's system of record in one bbolt file:
// every Federal Register document with its raw bytes and SHA-256, every
// version of the Entity List, each entry's history, and the alert outbox.
//
// Apply writes everything one rule changes (document, raw bytes, version,
// history rows, current list, checkpoint, outbox row) in one bbolt
// transaction, so a crash leaves all of a rule or none of it. The store
// knows no list algebra: an Applier (diff.Apply, wired in cmd/entitywatch)
// computes the list a rule leaves; the store records, per version, the
// listings the rule left changed, which is all a replay needs.
//
// Versions are keyed "effective date|publication date|document number",
// so cursors scan them in effective-date order. A full list is stored as
// a checkpoint every Options.CheckpointEvery versions (and at the
// baseline); Snapshot rebuilds any date from the nearest checkpoint and
// the versions after it. A rule that takes effect before rules already
// applied is inserted in order and the later versions are recomputed
// through the Applier; if one of them then fails, nothing is written and
// the new rule is quarantined.
//
// Caveats:
//   - Snapshot by publication date replays every rule published by the
//     date through the Applier, from the baseline: correct but slower.
//   - A database without a baseline holds a partial list: only what the
//     rules applied so far printed.
//   - Open fails with ErrLocked while another process holds the file
//     (bbolt's file lock) and with ErrSchemaTooNew on a newer schema;
//     older schemas migrate forward in one transaction.
package store
