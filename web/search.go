package web

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
)

// Search tuning. A name is a candidate when it shares at least
// minGramShare of the query's trigrams; at most maxCandidates candidates
// (those sharing the most) are scored exactly, and a hit needs minScore.
const (
	minGramShare  = 0.25
	maxCandidates = 2000
	minScore      = 0.6
	maxQueryRunes = 200
	maxQueryToks  = 16
)

// stopTokens are the legal forms and joining words that say little about
// which entity a name means; they weigh little in scores and do not find
// candidates (unless a query holds nothing else).
var stopTokens = map[string]bool{
	"co": true, "ltd": true, "limited": true, "company": true, "inc": true, "corp": true,
	"corporation": true, "llc": true, "plc": true, "gmbh": true, "sa": true, "sas": true,
	"ooo": true, "oao": true, "zao": true, "ao": true, "pao": true, "jsc": true, "pjsc": true,
	"cjsc": true, "of": true, "the": true, "and": true, "pte": true, "pvt": true, "private": true,
	"bhd": true, "sdn": true, "srl": true, "bv": true, "ag": true, "kg": true, "spa": true,
	"llp": true, "lp": true, "sarl": true, "fze": true, "fzco": true, "fzc": true, "fzllc": true,
	"aka": true, "a": true, "an": true,
}

// index is a fuzzy search over the names and aliases of the entries of
// one snapshot: trigrams of folded words find candidates, which are then
// scored word by word with edit distances. Each distinct word is kept
// once, so a search compares the query with each word once.
type index struct {
	listings []entitywatch.Listing
	names    []indexName
	vocab    []word
	grams    map[uint32][]int32 // trigram -> names holding it, ascending
}

// word is a folded word: of the index, or of a query.
type word struct {
	text, skel         string
	textHist, skelHist letterHist
	w                  float64
}

func newWord(t string) word {
	w := word{text: t, skel: skeleton(t), w: tokenWeight(t)}
	w.textHist, w.skelHist = histOf(w.text), histOf(w.skel)
	return w
}

// indexName is one name or alias of an entry, folded.
type indexName struct {
	entry  int32
	alias  bool
	text   string
	toks   []int32 // indexes into vocab
	total  float64 // the words' weights, summed
	joined string  // the significant words, joined
	nsig   int     // how many significant words
	hist   letterHist
}

// letterHist counts the bytes of a string in 32 buckets (saturating). Half
// the L1 distance of two histograms is a lower bound of the edit distance
// of their strings, cheap enough to skip most exact computations.
type letterHist [32]uint8

func histOf(s string) letterHist {
	var h letterHist
	for i := 0; i < len(s); i++ {
		if c := &h[s[i]&31]; *c < 255 {
			*c++
		}
	}
	return h
}

// minDistance returns a lower bound of the edit distance of the strings
// of h and o.
func (h *letterHist) minDistance(o *letterHist) int {
	d := 0
	for i := range h {
		if h[i] > o[i] {
			d += int(h[i] - o[i])
		} else {
			d += int(o[i] - h[i])
		}
	}
	return (d + 1) / 2
}

// hit is one entry found by a search, through its best-scoring name.
type hit struct {
	entry int
	name  int32
	score float64
}

func tokenWeight(t string) float64 {
	if stopTokens[t] {
		return 0.5
	}
	return float64(min(max(len(t), 2), 12))
}

// significant returns the tokens that are not stop tokens, or all of
// them when every one is.
func significant(toks []string) []string {
	var out []string
	for _, t := range toks {
		if !stopTokens[t] {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return toks
	}
	return out
}

func (ix *index) addName(vocab map[string]int32, entry int32, alias bool, text string) {
	toks := foldTokens(text)
	if len(toks) == 0 {
		return
	}
	n := indexName{entry: entry, alias: alias, text: text, toks: make([]int32, len(toks)), joined: strings.Join(significant(toks), "")}
	n.hist, n.nsig = histOf(n.joined), len(significant(toks))
	for i, t := range toks {
		id, ok := vocab[t]
		if !ok {
			id = int32(len(ix.vocab))
			vocab[t] = id
			ix.vocab = append(ix.vocab, newWord(t))
		}
		n.toks[i] = id
		n.total += ix.vocab[id].w
	}
	ix.names = append(ix.names, n)
	gramsOf(significant(toks), func(g uint32) {
		p := ix.grams[g]
		if id := int32(len(ix.names) - 1); len(p) == 0 || p[len(p)-1] != id {
			ix.grams[g] = append(p, id)
		}
	})
}

// gramsOf calls f with the trigrams of each token, padded with ^ and $
// ("^in", "ins", ..., "ur$"); a trigram may repeat.
func gramsOf(toks []string, f func(uint32)) {
	for _, t := range toks {
		p := "^" + t + "$"
		for i := 0; i+3 <= len(p); i++ {
			f(uint32(p[i])<<16 | uint32(p[i+1])<<8 | uint32(p[i+2]))
		}
	}
}

// newIndex indexes the names and aliases of listings, and the addresses
// of address-only listings.
func newIndex(listings []entitywatch.Listing) *index {
	ix := &index{listings: listings, grams: make(map[uint32][]int32)}
	vocab := make(map[string]int32)
	for i, l := range listings {
		ix.addName(vocab, int32(i), false, l.Name)
		for _, a := range l.Aliases {
			ix.addName(vocab, int32(i), true, a)
		}
		if l.AddressOnly {
			// A bare address entry ("Address 01") is known by its address:
			// that is what a shipment's paperwork shows.
			for _, a := range l.Addresses {
				ix.addName(vocab, int32(i), true, a)
			}
		}
	}
	return ix
}

// query is a folded search query.
type query struct {
	words  []word
	joined string
	nsig   int
	hist   letterHist
	grams  []uint32
}

func newQuery(s string) (query, bool) {
	toks := foldTokens(s)
	if len(toks) == 0 {
		return query{}, false
	}
	if len(toks) > maxQueryToks {
		toks = toks[:maxQueryToks]
	}
	q := query{words: make([]word, len(toks))}
	for i, t := range toks {
		q.words[i] = newWord(t)
	}
	sig := significant(toks)
	q.joined = strings.Join(sig, "")
	q.hist, q.nsig = histOf(q.joined), len(sig)
	seen := map[uint32]bool{}
	gramsOf(sig, func(g uint32) {
		if !seen[g] {
			seen[g] = true
			q.grams = append(q.grams, g)
		}
	})
	return q, true
}

// search returns up to limit entries whose name or an alias resembles q,
// best first, each with a score in (0, 1]; 1 is an exact match of the
// name's significant words.
func (ix *index) search(s string, limit int) []hit {
	q, ok := newQuery(s)
	if !ok || len(ix.names) == 0 {
		return nil
	}
	counts := make([]uint16, len(ix.names))
	var touched []int32
	for _, g := range q.grams {
		for _, id := range ix.grams[g] {
			if counts[id] == 0 {
				touched = append(touched, id)
			}
			if counts[id] < math.MaxUint16 {
				counts[id]++
			}
		}
	}
	need := uint16(max(1, int(math.Ceil(minGramShare*float64(len(q.grams))))))
	cands := touched[:0]
	for _, id := range touched {
		if counts[id] >= need {
			cands = append(cands, id)
		}
	}
	if len(cands) > maxCandidates {
		slices.SortFunc(cands, func(a, b int32) int { return cmp.Compare(counts[b], counts[a]) })
		cands = cands[:maxCandidates]
	}
	sc := scorer{q: &q, ix: ix, memo: make([][]float32, len(q.words))}
	best := make(map[int32]hit)
	for _, id := range cands {
		n := &ix.names[id]
		sc := sc.score(n, int(counts[id]))
		if sc < minScore {
			continue
		}
		h, ok := best[n.entry]
		if !ok || sc > h.score || sc == h.score && !n.alias && ix.names[h.name].alias {
			best[n.entry] = hit{entry: int(n.entry), name: id, score: sc}
		}
	}
	hits := make([]hit, 0, len(best))
	for _, h := range best {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		la, lb := &ix.listings[a.entry], &ix.listings[b.entry]
		return cmp.Or(
			cmp.Compare(b.score, a.score),
			cmp.Compare(len(la.Name), len(lb.Name)),
			strings.Compare(la.Name, lb.Name),
			strings.Compare(la.ID, lb.ID),
		)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// scorer scores the names of an index against one query, computing the
// similarity of a query word and an index word once.
type scorer struct {
	q    *query
	ix   *index
	memo [][]float32 // [query word][vocab word]: similarity + 1; 0 not yet known
}

func (sc *scorer) sim(qi int, tok int32) float64 {
	m := sc.memo[qi]
	if m == nil {
		m = make([]float32, len(sc.ix.vocab))
		sc.memo[qi] = m
	}
	if v := m[tok]; v != 0 {
		return float64(v - 1)
	}
	s := tokenSim(&sc.q.words[qi], &sc.ix.vocab[tok])
	m[tok] = float32(s) + 1
	return s
}

// score rates how well name n, which holds shared of the query's
// trigrams, answers the query: mostly how well each
// query word is matched by a word of the name (weighted by length),
// partly how much of the name the query covers, or the similarity of the
// two as single strings when that is higher (for words run together or
// split).
func (sc *scorer) score(n *indexName, shared int) float64 {
	q := sc.q
	if q.joined == n.joined {
		return 1
	}
	var sum, wsum, covered float64
	var used uint64
	for i := range q.words {
		best, bj := 0.0, -1
		for j, t := range n.toks {
			if s := sc.sim(i, t); s > best {
				best, bj = s, j
			}
		}
		sum += q.words[i].w * best
		wsum += q.words[i].w
		if bj >= 0 && bj < 64 && best >= 0.75 && used&(1<<bj) == 0 {
			used |= 1 << bj
			covered += sc.ix.vocab[n.toks[bj]].w
		}
	}
	s := 0.85*sum/wsum + 0.15*covered/n.total
	// Words run together or split apart change how many words there are
	// but keep most trigrams (shared counts the query's trigrams the name
	// holds); only then can the strings as a whole match better than
	// their words.
	floor := max(s, minScore)
	if k := int((1 - floor) * float64(max(len(q.joined), len(n.joined)))); q.nsig != n.nsig && 2*shared >= len(q.grams) && q.hist.minDistance(&n.hist) <= k {
		if j := stringSim(q.joined, n.joined, floor); j > s {
			s = j
		}
	}
	return math.Round(s*1000) / 1000
}

// tokenSim rates how alike a query word and a name word are, in [0, 1]:
// 1 when equal, high for a prefix ("insp", "inspur") and for a word a
// typo or two away ("techology", "technology") or spelt alike
// ("tekhnologii", "technologii"); 0 below 0.6.
func tokenSim(q, t *word) float64 {
	if q.text == t.text {
		return 1
	}
	lq, lt := len(q.text), len(t.text)
	s := 0.0
	if lq >= 2 && lt > lq && strings.HasPrefix(t.text, q.text) {
		s = 0.75 + 0.2*float64(lq)/float64(lt)
	}
	if lq >= 4 {
		if k := int((1 - max(s, 0.6)) * float64(max(lq, lt))); q.textHist.minDistance(&t.textHist) <= k {
			s = max(s, stringSim(q.text, t.text, max(s, 0.6)))
		}
		switch {
		case s >= 0.95:
		case q.skel == t.skel:
			s = 0.95
		default:
			floor := max(s, 0.6) / 0.95
			if k := int((1 - floor) * float64(max(len(q.skel), len(t.skel)))); q.skelHist.minDistance(&t.skelHist) <= k {
				s = max(s, 0.95*stringSim(q.skel, t.skel, floor))
			}
		}
	}
	if s < 0.6 {
		return 0
	}
	return s
}

// stringSim is 1 less the edit distance of a and b over the longer
// length, when that reaches floor; otherwise it is 0 (or less than
// floor), so that distances too large to matter are not computed.
func stringSim(a, b string, floor float64) float64 {
	m := max(len(a), len(b))
	if m == 0 {
		return 1
	}
	k := int((1 - floor) * float64(m))
	if k < 0 {
		return 0
	}
	d := osaWithin(a, b, k)
	if d > k {
		return 0
	}
	return 1 - float64(d)/float64(m)
}

// osaWithin returns the optimal string alignment distance of a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// bytes) when it is at most k, and k+1 otherwise; it computes only the diagonal band
// of width 2k+1 and stops once a row exceeds k.
func osaWithin(a, b string, k int) int {
	if len(b) > len(a) {
		a, b = b, a
	}
	la, lb := len(a), len(b)
	inf := k + 1
	if la-lb > k {
		return inf
	}
	if lb == 0 {
		return la
	}
	var arr [3][48]int
	var p2, p1, cur []int
	if lb < 48 {
		p2, p1, cur = arr[0][:lb+1], arr[1][:lb+1], arr[2][:lb+1]
	} else {
		buf := make([]int, 3*(lb+1))
		p2, p1, cur = buf[:lb+1], buf[lb+1:2*(lb+1)], buf[2*(lb+1):]
	}
	for j := range p1 {
		p1[j] = min(j, inf)
	}
	for i := 1; i <= la; i++ {
		lo, hi := max(1, i-k), min(lb, i+k)
		cur[0] = min(i, inf)
		if lo > 1 {
			cur[lo-1] = inf
		}
		rowMin := inf
		if lo == 1 {
			rowMin = cur[0]
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(p1[j]+1, cur[j-1]+1, p1[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, p2[j-2]+1)
			}
			v = min(v, inf)
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if hi < lb {
			cur[hi+1] = inf
		}
		if rowMin > k {
			return inf
		}
		p2, p1, cur = p1, cur, p2
	}
	return min(p1[lb], inf)
}
