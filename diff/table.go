package diff

import "maps"

// table is a string-keyed map split into shards, shared between States
// and copied shard by shard on write. Applying a rule that touches k
// entries copies the shard pointers and at most k shards (about 14
// entries each for a list of 3,500), not the whole list.
type table[V any] [nShards]*shard[V]

// shard is one part of a table. A shard reachable from a State is never
// written again.
type shard[V any] struct{ m map[string]V }

const nShards = 256

// shardOf returns the shard of key k (FNV-1a).
func shardOf(k string) int {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	return int(h % nShards)
}

func (t *table[V]) get(k string) (V, bool) {
	var v V
	if t == nil {
		return v, false
	}
	s := t[shardOf(k)]
	if s == nil {
		return v, false
	}
	v, ok := s.m[k]
	return v, ok
}

// writer writes a table copy-on-write: the first write to a shard copies
// it, later writes in the same transaction go to the copy.
type writer[V any] struct {
	t     *table[V]
	owned [nShards]bool
}

// newWriter returns a writer on a copy of t's shard pointers; t is not
// changed.
func newWriter[V any](t *table[V]) *writer[V] {
	w := &writer[V]{t: new(table[V])}
	if t != nil {
		*w.t = *t
	}
	return w
}

func (w *writer[V]) own(k string) *shard[V] {
	i := shardOf(k)
	if !w.owned[i] {
		n := &shard[V]{m: make(map[string]V, 1)}
		if old := w.t[i]; old != nil {
			n.m = maps.Clone(old.m)
		}
		w.t[i], w.owned[i] = n, true
	}
	return w.t[i]
}

func (w *writer[V]) set(k string, v V) { w.own(k).m[k] = v }

func (w *writer[V]) del(k string) {
	if _, ok := w.t.get(k); ok {
		delete(w.own(k).m, k)
	}
}
