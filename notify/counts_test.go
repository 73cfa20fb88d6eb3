package notify

import (
	"testing"

	"github.com/entitywatch/entitywatch"
)

func TestCountsText(t *testing.T) {
	tests := []struct {
		c    entitywatch.SummaryCounts
		want string
	}{
		{entitywatch.SummaryCounts{Entities: 12, ByDestination: map[string]int{"CN": 11, "TW": 1}}, "12 entities (China 11, Taiwan 1) added"},
		{entitywatch.SummaryCounts{Entities: 10, Entries: 13}, "10 entities under 13 entries added"},
		// 2024-13148: addresses are counted apart.
		{entitywatch.SummaryCounts{Entities: 5, Addresses: 8}, "5 entities and 8 addresses added"},
		{entitywatch.SummaryCounts{Addresses: 1, Revised: 2}, "1 address added; 2 revised"},
	}
	for _, tt := range tests {
		if got := countsText(Alert{Counts: tt.c}); got != tt.want {
			t.Errorf("countsText(%+v) = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	add := func(name string, address bool) entitywatch.Change {
		return entitywatch.Change{Action: entitywatch.Add, Entry: entitywatch.Entry{Name: name, AddressOnly: address}}
	}
	tests := []struct {
		cs   []entitywatch.Change
		want string
	}{
		{[]entitywatch.Change{add("A", false), add("B", false)}, "2 entities"},
		{[]entitywatch.Change{add("A", false), add("A", false)}, "1 entity under 2 entries"},
		{[]entitywatch.Change{add("Address 01", true), add("Address 02", true), add("A", false)}, "1 entity and 2 addresses"},
		{[]entitywatch.Change{add("Address 01", true)}, "1 address"},
	}
	for _, tt := range tests {
		if got := count(tt.cs); got != tt.want {
			t.Errorf("count = %q, want %q", got, tt.want)
		}
	}
}
