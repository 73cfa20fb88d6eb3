package store

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// By chooses which date a point-in-time query goes by.
type By string

// The dates a snapshot can go by.
const (
	// ByEffective: the list in legal effect on the date (rules whose
	// effective date is on or before it).
	ByEffective By = "effective"
	// ByPublished: what could have been known on the date (rules published
	// on or before it), whatever their effective date. A rule whose
	// publication date is unknown counts from its effective date.
	ByPublished By = "published"
)

// Baseline describes the consolidated list a database starts from.
type Baseline struct {
	Date   entitywatch.Date `json:"date"`
	Source string           `json:"source"`
	Count  int              `json:"count"`
}

// baselineKey sorts before every version of the baseline's date.
func baselineKey(d entitywatch.Date) string { return d.String() + "|0000-00-00|" }

func getBaseline(tx *bolt.Tx) (Baseline, bool, error) {
	b := tx.Bucket(bucketMeta).Get(keyBaseline)
	if b == nil {
		return Baseline{}, false, nil
	}
	var base Baseline
	if err := json.Unmarshal(b, &base); err != nil {
		return Baseline{}, false, fmt.Errorf("baseline: %w: %v", ErrCorrupt, err)
	}
	return base, true, nil
}

// ErrNotEmpty reports a baseline import into a database that already
// holds versions.
var ErrNotEmpty = fmt.Errorf("database already holds applied rules")

// SetBaseline starts a fresh database from a consolidated list (the eCFR
// as of list.AsOf): the list becomes complete, so later rules are checked
// against it. raw, the consolidated list as downloaded, is kept as the
// evidence of document "ecfr-DATE".
func (db *DB) SetBaseline(ctx context.Context, list entitywatch.List, source string, raw []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	list.Complete = true
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketVersions).Cursor().First(); k != nil {
			return fmt.Errorf("baseline: %w", ErrNotEmpty)
		}
		if _, ok, err := getBaseline(tx); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("baseline: %w (a baseline is already set)", ErrNotEmpty)
		}
		base := Baseline{Date: list.AsOf, Source: source, Count: len(list.Listings)}
		b, err := json.Marshal(base)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyBaseline, b); err != nil {
			return err
		}
		doc := &Document{Number: "ecfr-" + list.AsOf.String(), Title: "Supplement No. 4 to part 744 as of " + list.AsOf.String(), Effective: list.AsOf, Source: source, Status: BaselineDocument, Format: "xml"}
		if err := db.putDocument(tx, doc, raw); err != nil {
			return err
		}
		key := baselineKey(list.AsOf)
		if err := putCheckpoint(tx, key, list); err != nil {
			return err
		}
		v := &Version{Key: key, Number: "baseline", Effective: list.AsOf, Published: list.AsOf, Touched: list.Listings}
		for _, l := range list.Listings {
			v.Changes = append(v.Changes, entitywatch.Change{Action: "baseline", ID: l.ID, Entry: l.Entry})
		}
		if err := db.writeVersionRows(tx, v, &Document{Citation: "baseline: " + source}); err != nil {
			return err
		}
		return putCurrent(tx, list)
	})
}

// Baseline returns the baseline the database starts from, if any.
func (db *DB) Baseline(ctx context.Context) (Baseline, bool, error) {
	var base Baseline
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		base, ok, err = getBaseline(tx)
		return err
	})
	return base, ok, err
}

func putCheckpoint(tx *bolt.Tx, key string, l entitywatch.List) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(l); err != nil {
		return fmt.Errorf("checkpoint %s: %w", key, err)
	}
	return tx.Bucket(bucketCheckpoints).Put([]byte(key), buf.Bytes())
}

func (db *DB) checkpointIf(tx *bolt.Tx, ordinal int, key string, l entitywatch.List) error {
	if (ordinal+1)%db.every != 0 {
		return nil
	}
	return putCheckpoint(tx, key, l)
}

// listBefore rebuilds the list just before the version key (exclusive) and
// counts the versions before it.
func (db *DB) listBefore(tx *bolt.Tx, key string) (entitywatch.List, int, error) {
	l, err := listUpTo(tx, key, false)
	if err != nil {
		return l, 0, err
	}
	n := 0
	c := tx.Bucket(bucketVersions).Cursor()
	for k, _ := c.First(); k != nil && string(k) < key; k, _ = c.Next() {
		if !strings.HasSuffix(string(k), "|") { // not the baseline
			n++
		}
	}
	return l, n, nil
}

// listUpTo rebuilds the list from the nearest checkpoint before bound and
// the versions after it, up to bound (inclusive when incl).
func listUpTo(tx *bolt.Tx, bound string, incl bool) (entitywatch.List, error) {
	below := func(k []byte) bool {
		if incl {
			return string(k) <= bound
		}
		return string(k) < bound
	}
	var list entitywatch.List
	from := ""
	cc := tx.Bucket(bucketCheckpoints).Cursor()
	k, v := cc.Seek([]byte(bound))
	switch {
	case k == nil:
		k, v = cc.Last()
	case !below(k):
		k, v = cc.Prev()
	}
	if k != nil && below(k) {
		if err := gob.NewDecoder(bytes.NewReader(v)).Decode(&list); err != nil {
			return list, fmt.Errorf("checkpoint %s: %w: %v", k, ErrCorrupt, err)
		}
		from = string(k)
	}
	byID := make(map[string]int, len(list.Listings))
	for i, l := range list.Listings {
		byID[l.ID] = i
	}
	vc := tx.Bucket(bucketVersions).Cursor()
	var vk, vv []byte
	if from == "" {
		vk, vv = vc.First()
	} else {
		vk, vv = vc.Seek([]byte(from))
		if string(vk) == from {
			vk, vv = vc.Next()
		}
	}
	for ; vk != nil && below(vk); vk, vv = vc.Next() {
		var ver Version
		if err := json.Unmarshal(vv, &ver); err != nil {
			return list, fmt.Errorf("version %s: %w: %v", vk, ErrCorrupt, err)
		}
		for _, l := range ver.Touched {
			if i, ok := byID[l.ID]; ok {
				list.Listings[i] = l
			} else {
				byID[l.ID] = len(list.Listings)
				list.Listings = append(list.Listings, l)
			}
		}
		list.AsOf = ver.Effective
	}
	if base, ok, err := getBaseline(tx); err != nil {
		return list, err
	} else if ok {
		list.Complete = true
		if list.AsOf.IsZero() {
			list.AsOf = base.Date
		}
	}
	return list, nil
}

// Snapshot returns the list as of a date, by effective date (the list in
// legal effect) or by publication date (what could have been known then;
// this replays the stored rules through ap and may be slower). Listings
// removed by then are included, marked Removed.
func (db *DB) Snapshot(ctx context.Context, asOf entitywatch.Date, by By, ap Applier) (entitywatch.List, error) {
	var list entitywatch.List
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		switch by {
		case ByEffective, "":
			list, err = listUpTo(tx, asOf.String()+"|~", true)
		case ByPublished:
			list, err = db.publishedList(ctx, tx, asOf, ap)
		default:
			err = fmt.Errorf("snapshot by %q: want effective or published", by)
		}
		return err
	})
	if err != nil {
		return list, err
	}
	slices.SortFunc(list.Listings, func(a, b entitywatch.Listing) int { return strings.Compare(a.ID, b.ID) })
	list.AsOf = asOf
	return list, ctx.Err()
}

// publishedList replays, from the baseline, every rule published on or
// before asOf, in effective-date order.
func (db *DB) publishedList(ctx context.Context, tx *bolt.Tx, asOf entitywatch.Date, ap Applier) (entitywatch.List, error) {
	if ap == nil {
		return entitywatch.List{}, fmt.Errorf("snapshot by publication date needs an applier")
	}
	var list entitywatch.List
	if base, ok, err := getBaseline(tx); err != nil {
		return list, err
	} else if ok {
		if list, err = listUpTo(tx, baselineKey(base.Date), true); err != nil {
			return list, err
		}
	}
	c := tx.Bucket(bucketVersions).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var ver Version
		if err := json.Unmarshal(v, &ver); err != nil {
			return list, fmt.Errorf("version %s: %w: %v", k, ErrCorrupt, err)
		}
		known := ver.Published
		if known.IsZero() {
			// Publication date unknown: the effective date is the best
			// bound there is.
			known = ver.Effective
		}
		if ver.Number == "baseline" || known.After(asOf.Time) {
			continue
		}
		doc, err := getDocument(tx, ver.Number)
		if err != nil {
			return list, err
		}
		next, _, _, err := ap.Apply(ctx, list, doc.Rule)
		if err != nil {
			return list, fmt.Errorf("replay %s as published by %s: %w", ver.Number, asOf, err)
		}
		list = next
	}
	return list, nil
}

// foldName is the key names are indexed and searched by: lower case,
// letters and digits only.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
