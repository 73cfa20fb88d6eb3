package web

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFoldTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Inspur Taiwan Co., Ltd.", []string{"inspur", "taiwan", "co", "ltd"}},
		{"Suma-USI Electronics", []string{"suma", "usi", "electronics"}},
		{"People's Republic", []string{"peoples", "republic"}},
		{"People’s", []string{"peoples"}},
		{"Zhìpǔ Huàzhāng", []string{"zhipu", "huazhang"}},
		{"ZHÍPǓ", []string{"zhipu"}},
		{"Straße Æther Øresund Łódź", []string{"strasse", "aether", "oresund", "lodz"}},
		{"Công ty Điện tử", []string{"cong", "ty", "dien", "tu"}},
		{"Технологии Промтехкомплект", []string{"tekhnologii", "promtekhkomplekt"}},
		{"ＩＮＳＰＵＲ", []string{"inspur"}},
		{"Zhi\u0301pu", []string{"zhipu"}},
		{"浪潮 集团", []string{"浪潮", "集团"}},
		{"Inspur Taiwan\u2014R&D Center", []string{"inspur", "taiwan", "r", "d", "center"}},
		{"  ---  ", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, foldTokens(tt.in)); diff != "" {
			t.Errorf("foldTokens(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestSkeleton(t *testing.T) {
	for _, pair := range [][2]string{
		{"tekhnologiya", "technologia"},
		{"promtekhkomplekt", "promtechkomplekt"},
		{"philipp", "filip"},
	} {
		if a, b := skeleton(pair[0]), skeleton(pair[1]); a != b {
			t.Errorf("skeleton(%q) = %q, skeleton(%q) = %q", pair[0], a, pair[1], b)
		}
	}
}

// osa is the unbounded distance.
func osa(a, b string) int { return osaWithin(a, b, max(len(a), len(b))) }

func TestOSA(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"techology", "technology", 1}, {"inpsur", "inspur", 1},
		{"kitten", "sitting", 3}, {strings.Repeat("a", 100), strings.Repeat("a", 99) + "b", 1},
	}
	for _, tt := range tests {
		if got := osa(tt.a, tt.b); got != tt.want {
			t.Errorf("osa(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := osa(tt.b, tt.a); got != tt.want {
			t.Errorf("osa(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

type searchAnswer struct {
	Results []searchResult `json:"results"`
}

// TestServer_SearchRanking checks that searches find what a person means
// despite misspellings, accents and other romanizations, best first.
func TestServer_SearchRanking(t *testing.T) {
	fixtureH, _ := newTestServer(t, newFixtureStore(t), Options{})
	synthH, _ := newTestServer(t, newSyntheticStore(3500), Options{})
	tests := []struct {
		name   string
		h      string // "fixtures" or "synthetic"
		q      string
		first  string   // the ID ranked first
		all    []string // IDs that must all be found
		absent []string // IDs that must not be found
		none   bool     // no result at all
	}{
		// The list itself misspells "Suma Techology"; people type it right.
		{name: "misspelt_on_the_list", h: "fixtures", q: "Suma Technology", first: "CN/sumatechologycoltd"},
		{name: "misspelt_query", h: "synthetic", q: "Suma Techology", first: "CN/sumatechnologycoltd"},
		{name: "exact", h: "fixtures", q: "Inspur Taiwan", first: "TW/inspurtaiwan"},
		{name: "every_inspur", h: "fixtures", q: "Inspur", all: []string{
			"TW/inspurtaiwan", "CN/inspurbeijingelectronicinformationindustrycoltd", "CN/inspursoftwarecoltd",
			"CN/inspurelectronicinformationindustrycoltd", "CN/inspurhkelectronicscoltd", "CN/inspurelectronicinformationhongkongcoltd"}},
		{name: "inspur_in_many", h: "synthetic", q: "Inspur", first: "TW/inspurtaiwan"},
		{name: "transposed_letters", h: "fixtures", q: "Inpsur Taiwan", first: "TW/inspurtaiwan"},
		{name: "prefix", h: "fixtures", q: "Nettr", first: "CN/nettrixinformationindustrycoltd"},
		{name: "alias", h: "fixtures", q: "Zhipu AI", first: "CN/beijingzhipuhuazhangtechnologycoltd"},
		{name: "pinyin_tones_and_case", h: "fixtures", q: "ZHÍPǓ AI", first: "CN/beijingzhipuhuazhangtechnologycoltd"},
		{name: "romanization", h: "fixtures", q: "Promtechkomplekt", first: "RU/promtekhkomplektjsc"},
		{name: "cyrillic", h: "fixtures", q: "Промтехкомплект", first: "RU/promtekhkomplektjsc"},
		{name: "legal_form_ignored", h: "fixtures", q: "Spacety Limited", all: []string{"CN/spacetycoltd", "LU/spacetycoltd"}},
		{name: "removed_not_found", h: "fixtures", q: "Ministry of Public Security's Institute of Forensic Science of China", absent: []string{"CN/ministryofpublicsecuritysinstituteofforensicscienceofchina"}},
		{name: "nothing_alike", h: "fixtures", q: "Qwxzv", none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fixtureH
			if tt.h == "synthetic" {
				h = synthH
			}
			rec := do(t, h, "GET", "/api/v1/entries?limit=20&q="+url.QueryEscape(tt.q))
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			res := decode[searchAnswer](t, rec).Results
			if tt.none {
				if len(res) > 0 {
					t.Errorf("found %v", res)
				}
				return
			}
			if tt.first != "" && (len(res) == 0 || res[0].ID != tt.first) {
				t.Errorf("first result is not %s: %+v", tt.first, res)
			}
			ids := map[string]bool{}
			for i, r := range res {
				ids[r.ID] = true
				if r.Score <= 0 || r.Score > 1 || i > 0 && r.Score > res[i-1].Score {
					t.Errorf("result %d: score %v out of range or order", i, r.Score)
				}
			}
			for _, id := range tt.all {
				if !ids[id] {
					t.Errorf("%s not found: %+v", id, res)
				}
			}
			for _, id := range tt.absent {
				if ids[id] {
					t.Errorf("%s found", id)
				}
			}
		})
	}
}

// naiveOSA is the textbook optimal string alignment distance.
func naiveOSA(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// TestOSAWithin checks the banded distance against the textbook one on
// random strings over a small alphabet, for every bound.
func TestOSAWithin(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	str := func() string {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = "abcd"[r.IntN(4)]
		}
		return string(b)
	}
	for range 3000 {
		a, b := str(), str()
		want := naiveOSA(a, b)
		for _, k := range []int{0, 1, 2, 3, 5, 8, 20, 80} {
			if got := osaWithin(a, b, k); got != min(want, k+1) {
				t.Fatalf("osaWithin(%q, %q, %d) = %d, want %d", a, b, k, got, min(want, k+1))
			}
		}
	}
}
