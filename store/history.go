package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// EntryHistory is the life of one entry on the list.
type EntryHistory struct {
	Listing entitywatch.Listing `json:"listing"`
	Events  []Event             `json:"events"`
}

// History returns every event of the entries whose name or one of whose
// aliases matches query: first by prefix of the folded name ("inspur"
// finds "Inspur Taiwan"), and when nothing starts so, anywhere in it. An
// entry ID ("CN/inspurtaiwan") matches that entry.
func (db *DB) History(ctx context.Context, query string) ([]EntryHistory, error) {
	q := foldName(query)
	if q == "" {
		return nil, fmt.Errorf("history: empty name")
	}
	var out []EntryHistory
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ids := map[string]bool{}
		if tx.Bucket(bucketCurrent).Get([]byte(query)) != nil {
			ids[query] = true
		}
		names := tx.Bucket(bucketNames).Cursor()
		prefix := []byte(q)
		for k, _ := names.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = names.Next() {
			ids[idOfNameKey(k)] = true
		}
		if len(ids) == 0 {
			for k, _ := names.First(); k != nil; k, _ = names.Next() {
				if i := bytes.IndexByte(k, 0); i >= 0 && bytes.Contains(k[:i], prefix) {
					ids[idOfNameKey(k)] = true
				}
			}
		}
		for id := range ids {
			h, err := entryHistory(tx, id)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return ctx.Err()
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Listing.ID < out[j].Listing.ID })
	return out, err
}

func idOfNameKey(k []byte) string {
	i := bytes.IndexByte(k, 0)
	return string(k[i+1:])
}

func entryHistory(tx *bolt.Tx, id string) (EntryHistory, error) {
	var h EntryHistory
	if b := tx.Bucket(bucketCurrent).Get([]byte(id)); b != nil {
		if err := json.Unmarshal(b, &h.Listing); err != nil {
			return h, fmt.Errorf("entry %s: %w: %v", id, ErrCorrupt, err)
		}
	} else {
		h.Listing.ID = id
	}
	c := tx.Bucket(bucketHistory).Cursor()
	prefix := []byte(id + "\x00")
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var ev Event
		if err := json.Unmarshal(v, &ev); err != nil {
			return h, fmt.Errorf("history %s: %w: %v", k, ErrCorrupt, err)
		}
		h.Events = append(h.Events, ev)
	}
	return h, nil
}

// VersionsBetween returns the applied versions whose effective date lies
// in [from, to], in effective-date order.
func (db *DB) VersionsBetween(ctx context.Context, from, to entitywatch.Date) ([]Version, error) {
	var out []Version
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketVersions).Cursor()
		for k, v := c.Seek([]byte(from.String())); k != nil && string(k) <= to.String()+"|~"; k, v = c.Next() {
			var ver Version
			if err := json.Unmarshal(v, &ver); err != nil {
				return fmt.Errorf("version %s: %w: %v", k, ErrCorrupt, err)
			}
			out = append(out, ver)
		}
		return ctx.Err()
	})
	return out, err
}

// Versions returns every applied version in effective-date order.
func (db *DB) Versions(ctx context.Context) ([]Version, error) {
	var out []Version
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketVersions).ForEach(func(k, v []byte) error {
			var ver Version
			if err := json.Unmarshal(v, &ver); err != nil {
				return fmt.Errorf("version %s: %w: %v", k, ErrCorrupt, err)
			}
			out = append(out, ver)
			return ctx.Err()
		})
	})
	return out, err
}

// Backup writes a consistent copy of the whole database to w, while
// other readers and a writer keep working.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, ctx.Err()
}
