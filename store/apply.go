package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// Applier computes the list a rule leaves from the list before it. The
// store does not know list algebra; cmd/entitywatch passes diff.Apply.
type Applier interface {
	Apply(ctx context.Context, before entitywatch.List, rule *entitywatch.Rule) (after entitywatch.List, changes []entitywatch.Change, warnings []string, err error)
}

// Version is one applied rule: its document, dates and changes, and the
// listings it left changed (their state after the rule), which is all a
// replay needs.
type Version struct {
	Key       string                `json:"key"`
	Number    string                `json:"document_number"`
	Effective entitywatch.Date      `json:"effective_date"`
	Published entitywatch.Date      `json:"publication_date"`
	Changes   []entitywatch.Change  `json:"changes"`
	Warnings  []string              `json:"warnings,omitempty"`
	Touched   []entitywatch.Listing `json:"touched"`
	// Before holds the touched listings as they were before the rule (only
	// those that existed), so reports can say what a revision changed.
	Before []entitywatch.Listing `json:"before,omitempty"`
}

// Event is one line of an entry's history.
type Event struct {
	ID            string             `json:"id"`
	Action        entitywatch.Action `json:"action"`
	Effective     entitywatch.Date   `json:"effective_date"`
	Published     entitywatch.Date   `json:"publication_date"`
	Number        string             `json:"document_number"`
	Citation      string             `json:"citation"`
	ChangedFields []string           `json:"changed_fields"`
	VersionKey    string             `json:"version_key"`
}

// Result says what Apply did.
type Result struct {
	Status  Status
	Reason  string // why a rule was quarantined
	Noop    bool   // the document was applied before: nothing changed
	Changes []entitywatch.Change
	// Warnings are the applier's (earlier history unknown, ...).
	Warnings []string
	// Recomputed counts later versions recomputed because the rule took
	// effect before them.
	Recomputed int
}

// versionKey orders versions by effective date, then publication date,
// then document number. An unknown publication date sorts as the
// effective date.
func versionKey(effective, published entitywatch.Date, number string) string {
	if published.IsZero() {
		published = effective
	}
	return effective.String() + "|" + published.String() + "|" + number
}

// ErrApplyConflict reports a rule that would make a later, already applied
// rule fail when inserted before it.
var ErrApplyConflict = errors.New("rule conflicts with a later applied rule")

// Apply applies a parsed rule: it writes the document, its raw bytes, the
// new version, history rows, the current list, checkpoints and an outbox
// row in one transaction, so the file holds all of the rule or none of it.
// A document already applied is a no-op. A rule that takes effect before
// rules already applied is inserted in order and the later versions are
// recomputed. A rule the applier refuses is quarantined with the reason
// and the list is left untouched; that is a Result, not an error.
func (db *DB) Apply(ctx context.Context, doc Document, raw []byte, rule *entitywatch.Rule, ap Applier) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if doc.Number == "" {
		doc.Number = rule.DocumentNumber
	}
	if doc.Effective.IsZero() {
		doc.Effective = rule.EffectiveDate
	}
	if doc.Title == "" {
		doc.Title = rule.Title
	}
	doc.Rule = rule
	var res Result
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		res, err = db.apply(ctx, tx, &doc, raw, ap)
		return err
	})
	if errors.Is(err, ErrApplyConflict) || errors.Is(err, errRefused) {
		reason := strings.TrimPrefix(err.Error(), errRefused.Error()+": ")
		if qerr := db.Quarantine(ctx, doc, raw, reason); qerr != nil {
			return Result{}, fmt.Errorf("apply %s: %v; quarantine: %w", doc.Number, err, qerr)
		}
		return Result{Status: Quarantined, Reason: reason}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("apply %s: %w", doc.Number, err)
	}
	return res, nil
}

// errRefused carries an applier's refusal out of the transaction, which it
// rolls back.
var errRefused = errors.New("refused")

func (db *DB) apply(ctx context.Context, tx *bolt.Tx, doc *Document, raw []byte, ap Applier) (Result, error) {
	if doc.Effective.IsZero() {
		return Result{}, fmt.Errorf("%w: rule has no effective date (its DATES section names none and no API metadata gave one), so it cannot be placed on the list's timeline; once you have checked the date, run entitywatch apply --effective YYYY-MM-DD FILE", errRefused)
	}
	if old, err := getDocument(tx, doc.Number); err == nil && old.Status == Applied {
		if old.SHA256 != Sum(raw) {
			db.log.Warn("document already applied; the new copy differs from the stored evidence", "document", doc.Number, "stored_sha256", old.SHA256, "new_sha256", Sum(raw))
		}
		return Result{Status: Applied, Noop: true}, nil
	}
	if base, ok, err := getBaseline(tx); err != nil {
		return Result{}, err
	} else if ok && doc.Effective.Before(base.Date.Time) {
		doc.Status, doc.Reason = BeforeBaseline, fmt.Sprintf("took effect %s, before the baseline of %s", doc.Effective, base.Date)
		return Result{Status: BeforeBaseline, Reason: doc.Reason}, db.putDocument(tx, doc, raw)
	}
	key := versionKey(doc.Effective, doc.Published, doc.Number)
	before, ordinal, err := db.listBefore(tx, key)
	if err != nil {
		return Result{}, err
	}
	after, changes, warnings, err := ap.Apply(ctx, before, doc.Rule)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %v", errRefused, err)
	}
	v := newVersion(key, doc, before, after, changes, warnings)
	if err := db.writeVersion(tx, v, doc); err != nil {
		return Result{}, err
	}
	if err := db.checkpointIf(tx, ordinal, key, after); err != nil {
		return Result{}, err
	}
	doc.Status, doc.Reason, doc.VersionKey = Applied, "", key
	if err := db.putDocument(tx, doc, raw); err != nil {
		return Result{}, err
	}
	res := Result{Status: Applied, Changes: changes, Warnings: warnings}

	// Recompute the versions after this one, in order.
	later, err := versionsAfter(tx, key)
	if err != nil {
		return Result{}, err
	}
	state := after
	for i, lv := range later {
		ldoc, err := getDocument(tx, lv.Number)
		if err != nil {
			return Result{}, err
		}
		next, lchanges, lwarnings, err := ap.Apply(ctx, state, ldoc.Rule)
		if err != nil {
			return Result{}, fmt.Errorf("%w: inserting %s (effective %s) before %s makes it fail: %v", ErrApplyConflict, doc.Number, doc.Effective, lv.Number, err)
		}
		if err := db.deleteVersion(tx, lv); err != nil {
			return Result{}, err
		}
		nv := newVersion(lv.Key, ldoc, state, next, lchanges, lwarnings)
		if err := db.writeVersion(tx, nv, ldoc); err != nil {
			return Result{}, err
		}
		if err := db.checkpointIf(tx, ordinal+1+i, lv.Key, next); err != nil {
			return Result{}, err
		}
		state = next
	}
	res.Recomputed = len(later)
	if len(later) == 0 {
		// Appending: only the listings this rule touched change.
		if err := putListings(tx, v.Touched); err != nil {
			return Result{}, err
		}
	} else if err := putCurrent(tx, state); err != nil {
		return Result{}, err
	}
	if err := db.queueAlert(tx, Alert{Kind: AlertApplied, Document: doc.Number, Title: doc.Title}); err != nil {
		return Result{}, err
	}
	return res, nil
}

// newVersion records the listings a rule changed, by comparing the lists
// before and after it.
func newVersion(key string, doc *Document, before, after entitywatch.List, changes []entitywatch.Change, warnings []string) *Version {
	old := make(map[string]*entitywatch.Listing, len(before.Listings))
	for i := range before.Listings {
		old[before.Listings[i].ID] = &before.Listings[i]
	}
	v := &Version{Key: key, Number: doc.Number, Effective: doc.Effective, Published: doc.Published, Changes: changes, Warnings: warnings}
	for _, l := range after.Listings {
		if o, ok := old[l.ID]; !ok || !reflect.DeepEqual(*o, l) {
			v.Touched = append(v.Touched, l)
			if ok {
				v.Before = append(v.Before, *o)
			}
		}
	}
	return v
}

func (db *DB) writeVersion(tx *bolt.Tx, v *Version, doc *Document) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("version %s: %w", v.Key, err)
	}
	if err := tx.Bucket(bucketVersions).Put([]byte(v.Key), b); err != nil {
		return fmt.Errorf("version %s: %w", v.Key, err)
	}
	return db.writeVersionRows(tx, v, doc)
}

// writeVersionRows writes the history and name-index rows of a version.
func (db *DB) writeVersionRows(tx *bolt.Tx, v *Version, doc *Document) error {
	citation := doc.Citation
	byID := map[string]*entitywatch.Change{}
	for i := range v.Changes {
		byID[v.Changes[i].ID] = &v.Changes[i]
	}
	hist, names := tx.Bucket(bucketHistory), tx.Bucket(bucketNames)
	for _, l := range v.Touched {
		ev := Event{ID: l.ID, Action: entitywatch.Revise, Effective: v.Effective, Published: v.Published, Number: v.Number, Citation: citation, ChangedFields: []string{}, VersionKey: v.Key}
		if c, ok := byID[l.ID]; ok {
			ev.Action = c.Action
			if c.ChangedFields != nil {
				ev.ChangedFields = c.ChangedFields
			}
			if citation == "" && len(c.Citations) > 0 {
				ev.Citation = c.Citations[len(c.Citations)-1]
			}
		} else if l.Removed {
			ev.Action = entitywatch.Remove
		}
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		if err := hist.Put(historyKey(l.ID, v.Key), b); err != nil {
			return fmt.Errorf("history %s: %w", l.ID, err)
		}
		for _, n := range append([]string{l.Name}, l.Aliases...) {
			if k := foldName(n); k != "" {
				if err := names.Put([]byte(k+"\x00"+l.ID), nil); err != nil {
					return fmt.Errorf("name index %s: %w", l.ID, err)
				}
			}
		}
	}
	return nil
}

// deleteVersion removes a version and its history rows before it is
// recomputed.
func (db *DB) deleteVersion(tx *bolt.Tx, v *Version) error {
	for _, l := range v.Touched {
		if err := tx.Bucket(bucketHistory).Delete(historyKey(l.ID, v.Key)); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bucketCheckpoints).Delete([]byte(v.Key)); err != nil {
		return err
	}
	return tx.Bucket(bucketVersions).Delete([]byte(v.Key))
}

func historyKey(id, versionKey string) []byte { return []byte(id + "\x00" + versionKey) }

func versionsAfter(tx *bolt.Tx, key string) ([]*Version, error) {
	var out []*Version
	c := tx.Bucket(bucketVersions).Cursor()
	for k, v := c.Seek([]byte(key)); k != nil; k, v = c.Next() {
		if bytes.Equal(k, []byte(key)) {
			continue
		}
		var ver Version
		if err := json.Unmarshal(v, &ver); err != nil {
			return nil, fmt.Errorf("version %s: %w: %v", k, ErrCorrupt, err)
		}
		out = append(out, &ver)
	}
	return out, nil
}

func putListings(tx *bolt.Tx, ls []entitywatch.Listing) error {
	cur := tx.Bucket(bucketCurrent)
	for _, l := range ls {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		if err := cur.Put([]byte(l.ID), b); err != nil {
			return err
		}
	}
	return nil
}

// putCurrent makes the current bucket hold exactly the listings of l.
func putCurrent(tx *bolt.Tx, l entitywatch.List) error {
	cur := tx.Bucket(bucketCurrent)
	want := make(map[string][]byte, len(l.Listings))
	for _, li := range l.Listings {
		b, err := json.Marshal(li)
		if err != nil {
			return err
		}
		want[li.ID] = b
	}
	var stale [][]byte
	err := cur.ForEach(func(k, v []byte) error {
		if b, ok := want[string(k)]; !ok {
			stale = append(stale, append([]byte(nil), k...))
		} else if bytes.Equal(b, v) {
			delete(want, string(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range stale {
		if err := cur.Delete(k); err != nil {
			return err
		}
	}
	for id, b := range want {
		if err := cur.Put([]byte(id), b); err != nil {
			return err
		}
	}
	return nil
}
