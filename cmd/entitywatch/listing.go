package main

import (
	"context"
	"fmt"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

// differ adapts diff.Apply to the store's Applier: the store keeps lists
// as plain listings and never imports diff.
type differ struct{}

func (differ) Apply(_ context.Context, before entitywatch.List, rule *entitywatch.Rule) (entitywatch.List, []entitywatch.Change, []string, error) {
	st, err := toState(before)
	if err != nil {
		return before, nil, nil, err
	}
	next, changes, warnings, err := diff.Apply(st, rule)
	if err != nil {
		return before, nil, nil, err
	}
	// Name each change's entry by its identity on the new list.
	for i := range changes {
		if changes[i].ID != "" {
			continue
		}
		if rec, ok := next.Lookup(changes[i].CountryCode, changes[i].Name); ok {
			changes[i].ID = rec.ID
		}
	}
	return fromState(next), changes, warnings, nil
}

func toState(l entitywatch.List) (diff.State, error) {
	recs := make([]diff.Record, len(l.Listings))
	for i, li := range l.Listings {
		recs[i] = diff.Record(li)
	}
	st, err := diff.NewState(l.AsOf, l.Complete, recs)
	if err != nil {
		return diff.State{}, fmt.Errorf("rebuild list as of %s: %w", l.AsOf, err)
	}
	return st, nil
}

func fromState(s diff.State) entitywatch.List {
	recs := s.All()
	out := entitywatch.List{AsOf: s.AsOf, Complete: s.Complete, Listings: make([]entitywatch.Listing, len(recs))}
	for i, r := range recs {
		out.Listings[i] = entitywatch.Listing(r)
	}
	return out
}
