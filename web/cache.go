package web

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/entitywatch/entitywatch"
)

// snapshot is the list as of a date, as the server serves it: the entries
// on the list, ordered by destination code, name and ID, and, built on
// first use, the search index over them and the API's JSON and CSV
// answers.
type snapshot struct {
	asOf     entitywatch.Date
	by       string
	complete bool
	listed   []entitywatch.Listing

	once sync.Once
	idx  *index

	jsonOnce, csvOnce sync.Once
	json, csv         []byte
	csvErr            error
}

func newSnapshot(l entitywatch.List, asOf entitywatch.Date, by string) *snapshot {
	type key struct {
		code, name, id string
		i              int
	}
	keys := make([]key, 0, len(l.Listings))
	for i := range l.Listings {
		if li := &l.Listings[i]; !li.Removed {
			keys = append(keys, key{li.CountryCode, strings.ToLower(li.Name), li.ID, i})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(strings.Compare(a.code, b.code), strings.Compare(a.name, b.name), strings.Compare(a.id, b.id))
	})
	s := &snapshot{asOf: asOf, by: by, complete: l.Complete, listed: make([]entitywatch.Listing, len(keys))}
	for j, k := range keys {
		s.listed[j] = l.Listings[k.i]
	}
	return s
}

func (s *snapshot) index() *index {
	s.once.Do(func() { s.idx = newIndex(s.listed) })
	return s.idx
}

// snapshotCache keeps the few snapshots (and their indexes) asked for
// last, each for at most ttl, and builds each once however many requests
// ask for it at the same time.
type snapshotCache struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	items map[string]*cacheItem
}

type cacheItem struct {
	built time.Time
	used  time.Time
	ready chan struct{}
	snap  *snapshot
	err   error
}

func newSnapshotCache(ttl time.Duration, maxItems int, now func() time.Time) *snapshotCache {
	return &snapshotCache{ttl: ttl, max: maxItems, now: now, items: make(map[string]*cacheItem)}
}

// get returns the snapshot of asOf by by, from the cache or from load.
func (c *snapshotCache) get(ctx context.Context, asOf entitywatch.Date, by string, load func(context.Context) (entitywatch.List, error)) (*snapshot, error) {
	if c.ttl < 0 {
		l, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return newSnapshot(l, asOf, by), nil
	}
	key := asOf.String() + "|" + by
	now := c.now()
	c.mu.Lock()
	it, ok := c.items[key]
	if ok && it.snap != nil && now.Sub(it.built) > c.ttl {
		delete(c.items, key)
		ok = false
	}
	if ok {
		it.used = now
		c.mu.Unlock()
		select {
		case <-it.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if it.err != nil {
			return nil, it.err
		}
		return it.snap, nil
	}
	it = &cacheItem{used: now, ready: make(chan struct{})}
	c.items[key] = it
	c.evictLocked()
	c.mu.Unlock()

	// Others may wait for this load: a client that goes away does not
	// cancel it.
	l, err := load(context.WithoutCancel(ctx))
	c.mu.Lock()
	if err != nil {
		it.err = err
		if c.items[key] == it {
			delete(c.items, key)
		}
	} else {
		it.snap, it.built = newSnapshot(l, asOf, by), c.now()
	}
	c.mu.Unlock()
	close(it.ready)
	return it.snap, it.err
}

// evictLocked drops the least recently used snapshots beyond max.
func (c *snapshotCache) evictLocked() {
	for len(c.items) > c.max {
		var oldest string
		var t time.Time
		for k, it := range c.items {
			if it.snap != nil && (oldest == "" || it.used.Before(t)) {
				oldest, t = k, it.used
			}
		}
		if oldest == "" {
			return
		}
		delete(c.items, oldest)
	}
}
