package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// Status is where a document stands.
type Status string

// Document statuses.
const (
	// Applied: the rule's changes are part of the list.
	Applied Status = "applied"
	// Quarantined: the rule could not be parsed or applied; Reason says
	// why. The list is untouched.
	Quarantined Status = "quarantined"
	// BeforeBaseline: the rule took effect before the baseline the list
	// starts from, which already reflects it.
	BeforeBaseline Status = "before_baseline"
	// Superseded: a later correction replaced the rule's changes.
	Superseded Status = "superseded"
	// BaselineDocument: the consolidated list the database starts from.
	BaselineDocument Status = "baseline"
)

// Document is a Federal Register document as the store keeps it: its
// metadata, the SHA-256 of its raw bytes (kept in full beside it), its
// parse result and its status.
type Document struct {
	Number       string            `json:"document_number"`
	Title        string            `json:"title"`
	Citation     string            `json:"citation,omitempty"`
	Published    entitywatch.Date  `json:"publication_date"`
	Effective    entitywatch.Date  `json:"effective_date"`
	Format       string            `json:"format,omitempty"`
	Source       string            `json:"source,omitempty"` // file name or URL it came from
	SHA256       string            `json:"sha256"`
	Size         int               `json:"size"`
	Status       Status            `json:"status"`
	Reason       string            `json:"reason,omitempty"`
	Rule         *entitywatch.Rule `json:"rule,omitempty"`
	StoredAt     time.Time         `json:"stored_at"`
	VersionKey   string            `json:"version_key,omitempty"`
	SupersededBy string            `json:"superseded_by,omitempty"`
}

// Sum returns the hex SHA-256 of raw.
func Sum(raw []byte) string {
	h := sha256.Sum256(raw)
	return hex.EncodeToString(h[:])
}

// Quarantine stores a document that could not be parsed or applied, with
// its raw bytes and the reason, leaving the list untouched. A document
// already applied is not demoted.
func (db *DB) Quarantine(ctx context.Context, doc Document, raw []byte, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		old, err := getDocument(tx, doc.Number)
		if err == nil && old.Status == Applied {
			return nil
		}
		doc.Status, doc.Reason = Quarantined, reason
		if err := db.putDocument(tx, &doc, raw); err != nil {
			return err
		}
		return db.queueAlert(tx, Alert{Kind: AlertQuarantined, Document: doc.Number, Title: doc.Title, Reason: reason})
	})
}

func (db *DB) putDocument(tx *bolt.Tx, doc *Document, raw []byte) error {
	if doc.Number == "" {
		return fmt.Errorf("store document: no document number")
	}
	doc.SHA256, doc.Size = Sum(raw), len(raw)
	if doc.StoredAt.IsZero() {
		doc.StoredAt = db.now().UTC()
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("store document %s: %w", doc.Number, err)
	}
	if err := tx.Bucket(bucketDocs).Put([]byte(doc.Number), b); err != nil {
		return fmt.Errorf("store document %s: %w", doc.Number, err)
	}
	if err := tx.Bucket(bucketRaw).Put([]byte(doc.Number), raw); err != nil {
		return fmt.Errorf("store raw %s: %w", doc.Number, err)
	}
	return nil
}

func getDocument(tx *bolt.Tx, number string) (*Document, error) {
	b := tx.Bucket(bucketDocs).Get([]byte(number))
	if b == nil {
		return nil, fmt.Errorf("document %s: %w", number, ErrNotFound)
	}
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("document %s: %w: %v", number, ErrCorrupt, err)
	}
	return &d, nil
}

// Document returns the stored document.
func (db *DB) Document(ctx context.Context, number string) (*Document, error) {
	var d *Document
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		d, err = getDocument(tx, number)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, ctx.Err()
}

// Documents returns every stored document, by document number.
func (db *DB) Documents(ctx context.Context) ([]Document, error) {
	var out []Document
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDocs).ForEach(func(k, v []byte) error {
			var d Document
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("document %s: %w: %v", k, ErrCorrupt, err)
			}
			d.Rule = nil
			out = append(out, d)
			return ctx.Err()
		})
	})
	return out, err
}

// Evidence returns the raw bytes of a document exactly as stored and their
// SHA-256, after checking that they still hash to the recorded sum.
func (db *DB) Evidence(ctx context.Context, number string) ([]byte, string, error) {
	var raw []byte
	var sum string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		d, err := getDocument(tx, number)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketRaw).Get([]byte(number))
		if b == nil {
			return fmt.Errorf("raw bytes of %s: %w", number, ErrNotFound)
		}
		raw = append([]byte(nil), b...)
		sum = d.SHA256
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if got := Sum(raw); got != sum {
		return raw, sum, fmt.Errorf("evidence %s: %w: stored bytes hash to %s, recorded %s", number, ErrCorrupt, got, sum)
	}
	return raw, sum, ctx.Err()
}
