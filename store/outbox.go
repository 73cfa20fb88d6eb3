package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// AlertKind says what an alert reports.
type AlertKind string

// Alert kinds queued by the store.
const (
	AlertApplied      AlertKind = "rule_applied"
	AlertQuarantined  AlertKind = "rule_quarantined"
	AlertEarlyWarning AlertKind = "early_warning"
	AlertHealth       AlertKind = "health"
	AlertWeeklyReport AlertKind = "weekly_report"
)

// Alert is one row of the outbox: an alert to deliver, written in the same
// transaction as the change it reports, so none is lost or invented. Each
// route's delivery record (the notifier's, with Slack's ts) is kept beside
// it; see DeliveryRecord.
type Alert struct {
	Seq      uint64    `json:"seq"`
	Kind     AlertKind `json:"kind"`
	Document string    `json:"document_number"`
	Title    string    `json:"title,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Created  time.Time `json:"created_at"`
	// For early warnings: when the document was filed for public
	// inspection, when it is to be published, its PDF, and the counts its
	// SUMMARY states (nil when unknown).
	Filed     string                     `json:"filed_at,omitempty"`
	Published entitywatch.Date           `json:"publication_date,omitzero"`
	PDFURL    string                     `json:"pdf_url,omitempty"`
	Counts    *entitywatch.SummaryCounts `json:"summary_counts,omitempty"`
	// For weekly reports: the report file.
	FileName    string `json:"file_name,omitempty"`
	FileType    string `json:"file_type,omitempty"`
	FileContent []byte `json:"file_content,omitempty"`
	// Settled marks an alert the notifier is done with: delivered, failed
	// for good, or wanted by no route. Requeue unsettles it.
	Settled bool `json:"settled,omitempty"`
}

func (db *DB) queueAlert(tx *bolt.Tx, a Alert) error {
	b := tx.Bucket(bucketOutbox)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("queue alert: %w", err)
	}
	a.Seq, a.Created = seq, db.now().UTC()
	v, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("queue alert: %w", err)
	}
	return b.Put(seqKey(seq), v)
}

// Outbox returns the queued alerts in order.
func (db *DB) Outbox(ctx context.Context) ([]Alert, error) {
	var out []Alert
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var a Alert
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("alert %d: %w: %v", binary.BigEndian.Uint64(k), ErrCorrupt, err)
			}
			out = append(out, a)
			return ctx.Err()
		})
	})
	return out, err
}

// Pending returns the alerts not yet settled, in order.
func (db *DB) Pending(ctx context.Context) ([]Alert, error) {
	all, err := db.Outbox(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if !a.Settled {
			out = append(out, a)
		}
	}
	return out, nil
}

func deliveryKey(seq uint64, route string) []byte { return append(seqKey(seq), route...) }

// DeliveryRecord returns the notifier's record of alert seq on route
// (opaque JSON), or nil when there is none.
func (db *DB) DeliveryRecord(ctx context.Context, seq uint64, route string) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDeliveries).Get(deliveryKey(seq, route)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// DeliveryRecords returns every route's record of alert seq.
func (db *DB) DeliveryRecords(ctx context.Context, seq uint64) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDeliveries).Cursor()
		prefix := seqKey(seq)
		for k, v := c.Seek(prefix); k != nil && len(k) >= 8 && string(k[:8]) == string(prefix); k, v = c.Next() {
			out[string(k[8:])] = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// PutDeliveryRecord stores the notifier's record of alert seq on route.
func (db *DB) PutDeliveryRecord(ctx context.Context, seq uint64, route string, record []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketOutbox).Get(seqKey(seq)) == nil {
			return fmt.Errorf("alert %d: %w", seq, ErrNotFound)
		}
		return tx.Bucket(bucketDeliveries).Put(deliveryKey(seq, route), record)
	})
}

// Settle marks alert seq settled; Pending no longer returns it.
func (db *DB) Settle(ctx context.Context, seq uint64) error {
	return db.updateAlert(ctx, seq, func(a *Alert) { a.Settled = true })
}

// Requeue unsettles alert seq and clears the records of routes on which
// it failed for good (those whose record satisfies failed), so the next
// delivery tries them again.
func (db *DB) Requeue(ctx context.Context, seq uint64, failed func(record []byte) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := modifyAlert(tx, seq, func(a *Alert) { a.Settled = false }); err != nil {
			return err
		}
		c := tx.Bucket(bucketDeliveries).Cursor()
		prefix := seqKey(seq)
		var stale [][]byte
		for k, v := c.Seek(prefix); k != nil && len(k) >= 8 && string(k[:8]) == string(prefix); k, v = c.Next() {
			if failed(v) {
				stale = append(stale, append([]byte(nil), k...))
			}
		}
		for _, k := range stale {
			if err := tx.Bucket(bucketDeliveries).Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) updateAlert(ctx context.Context, seq uint64, f func(*Alert)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error { return modifyAlert(tx, seq, f) })
}

// modifyAlert rewrites outbox row seq through f.
func modifyAlert(tx *bolt.Tx, seq uint64, f func(*Alert)) error {
	b := tx.Bucket(bucketOutbox)
	v := b.Get(seqKey(seq))
	if v == nil {
		return fmt.Errorf("alert %d: %w", seq, ErrNotFound)
	}
	var a Alert
	if err := json.Unmarshal(v, &a); err != nil {
		return fmt.Errorf("alert %d: %w: %v", seq, ErrCorrupt, err)
	}
	f(&a)
	nv, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return b.Put(seqKey(seq), nv)
}

// AppliedVersion returns the version a document's rule made: the changes
// as applied (with identities and changed fields) and the applier's
// warnings.
func (db *DB) AppliedVersion(ctx context.Context, number string) (*Version, error) {
	var v *Version
	err := db.bolt.View(func(tx *bolt.Tx) error {
		d, err := getDocument(tx, number)
		if err != nil {
			return err
		}
		if d.VersionKey == "" {
			return fmt.Errorf("version of %s: %w (status %s)", number, ErrNotFound, d.Status)
		}
		b := tx.Bucket(bucketVersions).Get([]byte(d.VersionKey))
		if b == nil {
			return fmt.Errorf("version %s of %s: %w", d.VersionKey, number, ErrNotFound)
		}
		v = new(Version)
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("version %s: %w: %v", d.VersionKey, ErrCorrupt, err)
		}
		return nil
	})
	return v, err
}

// QueueHealth queues a health alert ("no successful run for 2 hours")
// once per key: a second call with the same key queues nothing. It reports
// whether it queued one.
func (db *DB) QueueHealth(ctx context.Context, key, text string) (bool, error) {
	return db.queueOnce(ctx, "health:"+key, Alert{Kind: AlertHealth, Reason: text})
}

// QueueReport queues a weekly report alert once per key (the ISO week):
// a second call with the same key queues nothing.
func (db *DB) QueueReport(ctx context.Context, key string, a Alert) (bool, error) {
	a.Kind = AlertWeeklyReport
	return db.queueOnce(ctx, "report:"+key, a)
}

// queueOnce queues a unless an alert was queued under key before; it
// reports whether it queued it. The key and the row are written together.
func (db *DB) queueOnce(ctx context.Context, key string, a Alert) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	queued := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		k := []byte(key)
		if meta.Get(k) != nil {
			return nil
		}
		if err := meta.Put(k, []byte(db.now().UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		queued = true
		return db.queueAlert(tx, a)
	})
	return queued, err
}
