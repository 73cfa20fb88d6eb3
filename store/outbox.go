package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AlertKind says what an alert reports.
type AlertKind string

// Alert kinds queued by the store.
const (
	AlertApplied      AlertKind = "rule_applied"
	AlertQuarantined  AlertKind = "rule_quarantined"
	AlertEarlyWarning AlertKind = "early_warning"
)

// Alert is one row of the outbox: an alert to deliver, written in the same
// transaction as the change it reports, so none is lost or invented.
type Alert struct {
	Seq       uint64    `json:"seq"`
	Kind      AlertKind `json:"kind"`
	Document  string    `json:"document_number"`
	Title     string    `json:"title,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Created   time.Time `json:"created_at"`
	Delivered bool      `json:"delivered"`
	// Receipt is what the channel answered (Slack's message ts).
	Receipt     string    `json:"receipt,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitempty"`
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
