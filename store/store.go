package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout version this package writes. Open migrates
// older files forward and refuses newer ones.
const SchemaVersion = 1

// Bucket names. Keys that carry dates are RFC 3339 dates so cursors scan
// in date order; sequence keys are big-endian.
var (
	bucketMeta        = []byte("meta")        // "schema", "baseline"
	bucketDocs        = []byte("documents")   // number -> Document (JSON)
	bucketRaw         = []byte("raw")         // number -> bytes as downloaded
	bucketVersions    = []byte("versions")    // version key -> Version (JSON)
	bucketCheckpoints = []byte("checkpoints") // version key -> List (gob)
	bucketCurrent     = []byte("current")     // listing ID -> Listing (JSON)
	bucketHistory     = []byte("history")     // listing ID \x00 version key -> Event (JSON)
	bucketNames       = []byte("names")       // folded name or alias \x00 listing ID -> ""
	bucketOutbox      = []byte("outbox")      // sequence -> Alert (JSON)
	bucketRuns        = []byte("runs")        // sequence -> Run (JSON)
	bucketInspect     = []byte("inspection")  // document number -> first seen on public inspection
	bucketLinks       = []byte("links")       // corrected number \x00 correcting number -> ""
	bucketDeliveries  = []byte("deliveries")  // alert sequence (8 bytes) + route name -> delivery record (JSON, the notifier's)
	allBuckets        = [][]byte{bucketMeta, bucketDocs, bucketRaw, bucketVersions, bucketCheckpoints, bucketCurrent, bucketHistory, bucketNames, bucketOutbox, bucketRuns, bucketInspect, bucketLinks, bucketDeliveries}
	keySchema         = []byte("schema")
	keyBaseline       = []byte("baseline")
	keyWatermark      = []byte("watermark")
)

// ErrLocked reports a database file that another process holds open.
var ErrLocked = errors.New("database is locked by another process")

// ErrSchemaTooNew reports a database written by a newer entitywatch.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// ErrNotFound reports a document or entry the store does not hold.
var ErrNotFound = errors.New("not found")

// ErrCorrupt reports a database file that fails bbolt's consistency check
// or holds records this program cannot read.
var ErrCorrupt = errors.New("database is corrupt")

// Options tune Open.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the file; 0 means one second.
	LockTimeout time.Duration
	// ReadOnly opens the file for reading only (several readers may share
	// it).
	ReadOnly bool
	// CheckpointEvery is how many versions lie between two stored full
	// lists; 0 means 16.
	CheckpointEvery int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger receives the store's logs; nil means slog.Default().
	Logger *slog.Logger
}

// DB is an entitywatch database: one bbolt file holding documents, their
// raw bytes, every version of the list, entry history and the alert
// outbox.
type DB struct {
	bolt     *bolt.DB
	path     string
	every    int
	now      func() time.Time
	log      *slog.Logger
	readOnly bool
}

// Open opens or creates the database at path, creates its buckets once
// and migrates an older schema. It returns ErrLocked when another process
// holds the file.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	timeout := opt.LockTimeout
	if timeout == 0 {
		timeout = time.Second
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: opt.ReadOnly})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w (is entitywatch running elsewhere?)", path, ErrLocked)
		}
		if _, statErr := os.Stat(path); statErr == nil && !errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("open %s: %w: %v", path, ErrCorrupt, err)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{bolt: b, path: path, every: opt.CheckpointEvery, now: opt.Now, log: opt.Logger, readOnly: opt.ReadOnly}
	if db.every <= 0 {
		db.every = 16
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.log == nil {
		db.log = slog.Default()
	}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// migrations[v] upgrades a schema-v database to v+1, inside one
// transaction.
var migrations = map[int]func(tx *bolt.Tx) error{}

func (db *DB) migrate() error {
	if db.readOnly {
		return db.bolt.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				return fmt.Errorf("%w: no meta bucket (not an entitywatch database?)", ErrCorrupt)
			}
			v, err := schemaOf(meta)
			if err != nil {
				return err
			}
			if v != SchemaVersion {
				return fmt.Errorf("schema %d: %w (this program reads %d; open it read-write to migrate)", v, ErrSchemaTooNew, SchemaVersion)
			}
			return nil
		})
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v, err := schemaOf(meta)
		if err != nil {
			return err
		}
		if v == 0 {
			v = SchemaVersion // a new file
		}
		if v > SchemaVersion {
			return fmt.Errorf("schema %d: %w (this program writes %d)", v, ErrSchemaTooNew, SchemaVersion)
		}
		for ; v < SchemaVersion; v++ {
			m, ok := migrations[v]
			if !ok {
				return fmt.Errorf("no migration from schema %d", v)
			}
			if err := m(tx); err != nil {
				return fmt.Errorf("migrate schema %d: %w", v, err)
			}
		}
		return meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion)))
	})
}

func schemaOf(meta *bolt.Bucket) (int, error) {
	raw := meta.Get(keySchema)
	if raw == nil {
		return 0, nil
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("%w: schema version %q", ErrCorrupt, raw)
	}
	return v, nil
}

// Close closes the database file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Check runs bbolt's consistency check over the whole file.
func (db *DB) Check(ctx context.Context) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var first error
		for err := range tx.Check() {
			if first == nil {
				first = fmt.Errorf("%w: %v", ErrCorrupt, err)
			}
		}
		if first != nil {
			return first
		}
		return ctx.Err()
	})
}

func seqKey(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}
