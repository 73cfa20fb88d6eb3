package web

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// TestAppendSnapshot checks that the hand-written snapshot JSON is what
// encoding/json writes, on the fixtures and on awkward strings.
func TestAppendSnapshot(t *testing.T) {
	st := newFixtureStore(t)
	l, err := st.Snapshot(t.Context(), entitywatch.NewDate(2025, 3, 25), ByEffective)
	if err != nil {
		t.Fatal(err)
	}
	awkward := []string{"", `"quoted" \back\slash`, "<b>&amp;</b>", "tab\tnew\nline\rcr\b\f\x00\x1f\x7f", "bad \xff utf8 \xe2\x82", "line\u2028para\u2029", "Zhìpǔ 浪潮 🚀", "\u00a0nbsp"}
	for i, s := range awkward {
		l.Listings = append(l.Listings, entitywatch.Listing{ID: "XX/awkward" + string(rune('a'+i)), ListedBy: s, ChangedBy: s, Entry: entitywatch.Entry{
			CountryCode: "XX", Country: s, Name: "Awkward " + s, Aliases: []string{s, s + "x"}, Citations: []string{s}, LicenseRequirement: s}})
	}
	snap := newSnapshot(l, entitywatch.NewDate(2025, 3, 25), ByEffective)
	entries := make([]SnapshotEntry, len(snap.listed))
	for i := range snap.listed {
		entries[i] = NewSnapshotEntry(&snap.listed[i])
	}
	want, err := json.Marshal(struct {
		AsOf     entitywatch.Date `json:"as_of"`
		By       string           `json:"by"`
		Complete bool             `json:"complete"`
		Count    int              `json:"count"`
		Entries  []SnapshotEntry  `json:"entries"`
	}{snap.asOf, snap.by, snap.complete, len(entries), entries})
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if got := snap.jsonBody(); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("differs at byte %d:\n got %q\nwant %q", i, got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
	}
}
