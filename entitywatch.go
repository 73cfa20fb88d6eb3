// Package entitywatch holds the domain types of entitywatch, a service that
// watches the US Federal Register for Bureau of Industry and Security rules
// that change the Entity List (15 CFR part 744, Supplement No. 4).
//
// The types here are plain values with no I/O: a Rule is what one Federal
// Register document says it does, a Change is one amendment instruction
// matched to its table row, and an Entry is one row of the Entity List.
// The ingest, diff, store and notify packages build on these types and
// never on each other; cmd/entitywatch wires them together.
package entitywatch
