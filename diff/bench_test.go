package diff_test

import (
	"testing"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

// listSize is about the size of the Entity List in 2025.
const listSize = 3500

// BenchmarkApply applies rules to a complete State of 3,500 entries: one
// rule of a typical size, one of an unusually large one, and 500 rules in
// turn, as a store replays its history.
func BenchmarkApply(b *testing.B) {
	for _, size := range []struct {
		name    string
		changes int
	}{
		{"rule_of_20_changes", 20},
		{"rule_of_300_changes", 300},
	} {
		b.Run(size.name, func(b *testing.B) {
			s, g := stateOf(b, listSize, 7)
			r, _ := g.rule(size.changes)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := diff.Apply(s, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("replay_500_rules", func(b *testing.B) {
		s, g := stateOf(b, listSize, 7)
		rules := make([]*entitywatch.Rule, 500)
		for i := range rules {
			rules[i], _ = g.rule(1 + g.r.IntN(40))
		}
		b.ReportAllocs()
		for b.Loop() {
			next := s
			for _, r := range rules {
				var err error
				if next, _, _, err = diff.Apply(next, r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkCompare compares States of 3,500 entries: one with the State a
// rule later, which shares most of it, and two built separately, which
// share nothing.
func BenchmarkCompare(b *testing.B) {
	s, g := stateOf(b, listSize, 7)
	r, _ := g.rule(20)
	next := mustApply(b, s, r)
	b.Run("after_one_rule", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			diff.Compare(s, next)
		}
	})
	rebuilt, err := diff.NewState(next.AsOf, next.Complete, next.All())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("unshared_states", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			diff.Compare(s, rebuilt)
		}
	})
}

// BenchmarkListed lists a State of 3,500 entries in order, as a snapshot
// does.
func BenchmarkListed(b *testing.B) {
	s, _ := stateOf(b, listSize, 7)
	b.ReportAllocs()
	for b.Loop() {
		s.Listed()
	}
}
