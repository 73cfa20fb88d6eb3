package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// Watermark returns the latest publication date the ingester has seen in
// the API, and whether one was recorded.
func (db *DB) Watermark(ctx context.Context) (entitywatch.Date, bool, error) {
	var d entitywatch.Date
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta).Get(keyWatermark)
		if b == nil {
			return nil
		}
		ok = true
		return d.UnmarshalText(b)
	})
	return d, ok, err
}

// AdvanceWatermark records d as the latest publication date seen, unless
// a later one is already recorded.
func (db *DB) AdvanceWatermark(ctx context.Context, d entitywatch.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if b := meta.Get(keyWatermark); b != nil {
			var old entitywatch.Date
			if err := old.UnmarshalText(b); err == nil && !d.After(old.Time) {
				return nil
			}
		}
		return meta.Put(keyWatermark, []byte(d.String()))
	})
}

// Run is the record of one ingestion run.
type Run struct {
	Seq         uint64    `json:"seq"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	Found       int       `json:"found"`
	New         int       `json:"new"`
	Applied     int       `json:"applied"`
	Quarantined int       `json:"quarantined"`
	Error       string    `json:"error,omitempty"`
}

// RecordRun appends a run to the run log.
func (db *DB) RecordRun(ctx context.Context, r Run) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		r.Seq = seq
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put(seqKey(seq), v)
	})
}

// LastRuns returns up to n of the latest runs, newest first.
func (db *DB) LastRuns(ctx context.Context, n int) ([]Run, error) {
	var out []Run
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Last(); k != nil && len(out) < n; k, v = c.Prev() {
			var r Run
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("run %x: %w: %v", k, ErrCorrupt, err)
			}
			out = append(out, r)
		}
		return ctx.Err()
	})
	return out, err
}

// Known reports whether a document is stored, whatever its status.
func (db *DB) Known(ctx context.Context, number string) (bool, error) {
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketDocs).Get([]byte(number)) != nil
		return nil
	})
	return ok, err
}

// EarlyWarning queues an early-warning alert for a document on public
// inspection (a, with its Document, Title, Filed, Published, PDFURL and
// Counts), once per document number; it reports whether it queued one.
func (db *DB) EarlyWarning(ctx context.Context, a Alert) (bool, error) {
	number := a.Document
	if err := ctx.Err(); err != nil {
		return false, err
	}
	queued := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInspect)
		if b.Get([]byte(number)) != nil || tx.Bucket(bucketDocs).Get([]byte(number)) != nil {
			return nil // seen on inspection before, or already published
		}
		if err := b.Put([]byte(number), []byte(db.now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		queued = true
		a.Kind = AlertEarlyWarning
		return db.queueAlert(tx, a)
	})
	return queued, err
}

// LinkCorrection records that document correcting corrects document
// corrected.
func (db *DB) LinkCorrection(ctx context.Context, corrected, correcting string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketLinks).Put([]byte(corrected+"\x00"+correcting), nil)
	})
}

// Corrections returns the documents recorded as correcting number.
func (db *DB) Corrections(ctx context.Context, number string) ([]string, error) {
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLinks).Cursor()
		prefix := []byte(number + "\x00")
		for k, _ := c.Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}
