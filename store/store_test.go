package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/entitywatch/entitywatch"
)

// testApplier is a small list algebra for the store's tests (the real one
// is diff.Apply, wired in cmd/entitywatch and exercised there): add,
// revise, remove by destination and folded name, refusing what is not
// there or already there.
type testApplier struct{}

func (testApplier) Apply(_ context.Context, before entitywatch.List, rule *entitywatch.Rule) (entitywatch.List, []entitywatch.Change, []string, error) {
	m := map[string]entitywatch.Listing{}
	for _, l := range before.Listings {
		m[l.ID] = l
	}
	var changes []entitywatch.Change
	for _, c := range rule.Changes {
		id := c.CountryCode + "/" + foldName(c.Name)
		old, ok := m[id]
		on := ok && !old.Removed
		switch c.Action {
		case entitywatch.Add:
			if on {
				return before, nil, nil, fmt.Errorf("add %s: already listed", id)
			}
			m[id] = entitywatch.Listing{ID: id, Entry: c.Entry, ListedSince: rule.EffectiveDate, ListedBy: rule.DocumentNumber, ChangedOn: rule.EffectiveDate, ChangedBy: rule.DocumentNumber}
		case entitywatch.Revise:
			if !on {
				return before, nil, nil, fmt.Errorf("revise %s: not on the list", id)
			}
			old.Entry, old.ChangedOn, old.ChangedBy = c.Entry, rule.EffectiveDate, rule.DocumentNumber
			m[id] = old
			c.ChangedFields = []string{"addresses"}
		case entitywatch.Remove:
			if !on {
				return before, nil, nil, fmt.Errorf("remove %s: not on the list", id)
			}
			old.Removed, old.ChangedOn, old.ChangedBy = true, rule.EffectiveDate, rule.DocumentNumber
			m[id] = old
		}
		c.ID = id
		changes = append(changes, c)
	}
	after := entitywatch.List{AsOf: rule.EffectiveDate, Complete: before.Complete}
	for _, l := range m {
		after.Listings = append(after.Listings, l)
	}
	slices.SortFunc(after.Listings, func(a, b entitywatch.Listing) int { return strings.Compare(a.ID, b.ID) })
	return after, changes, nil, nil
}

func date(s string) entitywatch.Date {
	d, err := entitywatch.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func change(a entitywatch.Action, code, name, addr string) entitywatch.Change {
	return entitywatch.Change{Action: a, Entry: entitywatch.Entry{Country: code, CountryCode: code, Name: name, Addresses: []string{addr}}}
}

// rule returns a rule document with its raw bytes.
func rule(number, effective, published string, changes ...entitywatch.Change) (Document, []byte, *entitywatch.Rule) {
	r := &entitywatch.Rule{DocumentNumber: number, Title: "Rule " + number, EffectiveDate: date(effective), Changes: changes}
	raw := []byte("<RULE>" + number + "</RULE>")
	return Document{Number: number, Published: date(published), Citation: "90 FR " + number[5:]}, raw, r
}

func open(t *testing.T, opt Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "entitywatch.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustApply(t *testing.T, db *DB, doc Document, raw []byte, r *entitywatch.Rule) Result {
	t.Helper()
	res, err := db.Apply(context.Background(), doc, raw, r, testApplier{})
	if err != nil {
		t.Fatalf("apply %s: %v", doc.Number, err)
	}
	return res
}

// names lists "ID (removed)" for a snapshot's listings.
func names(l entitywatch.List) []string {
	var out []string
	for _, li := range l.Listings {
		s := li.ID
		if li.Removed {
			s += " (removed)"
		}
		out = append(out, s)
	}
	return out
}

func snapshot(t *testing.T, db *DB, d string) []string {
	t.Helper()
	l, err := db.Snapshot(context.Background(), date(d), ByEffective, nil)
	if err != nil {
		t.Fatal(err)
	}
	return names(l)
}

func TestStore_ApplyDocument(t *testing.T) {
	ctx := context.Background()
	db := open(t, Options{CheckpointEvery: 2})
	d1, raw1, r1 := rule("2025-00001", "2025-01-10", "2025-01-12", change(entitywatch.Add, "CN", "Alpha Co.", "Beijing"), change(entitywatch.Add, "PK", "Beta Ltd.", "Karachi"))
	d2, raw2, r2 := rule("2025-00002", "2025-02-10", "2025-02-11", change(entitywatch.Revise, "CN", "Alpha Co.", "Shanghai"), change(entitywatch.Remove, "PK", "Beta Ltd.", ""))
	d3, raw3, r3 := rule("2025-00003", "2025-03-10", "2025-03-10", change(entitywatch.Add, "TW", "Gamma Corp.", "Taipei"))
	for _, x := range []struct {
		d   Document
		raw []byte
		r   *entitywatch.Rule
	}{{d1, raw1, r1}, {d2, raw2, r2}, {d3, raw3, r3}} {
		if res := mustApply(t, db, x.d, x.raw, x.r); res.Status != Applied || res.Noop {
			t.Fatalf("apply %s: %+v", x.d.Number, res)
		}
	}
	tests := []struct {
		asOf string
		want []string
	}{
		{"2025-01-09", nil},
		{"2025-01-10", []string{"CN/alphaco", "PK/betaltd"}},
		{"2025-02-10", []string{"CN/alphaco", "PK/betaltd (removed)"}},
		{"2026-01-01", []string{"CN/alphaco", "PK/betaltd (removed)", "TW/gammacorp"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, snapshot(t, db, tt.asOf)); diff != "" {
			t.Errorf("snapshot as of %s (-want +got):\n%s", tt.asOf, diff)
		}
	}

	if res := mustApply(t, db, d1, raw1, r1); !res.Noop {
		t.Errorf("second apply of %s: %+v, want a no-op", d1.Number, res)
	}

	h, err := db.History(ctx, "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || len(h[0].Events) != 2 || h[0].Events[0].Action != entitywatch.Add || h[0].Events[1].Action != entitywatch.Revise || h[0].Events[1].Number != "2025-00002" {
		t.Errorf("history of alpha: %+v", h)
	}
	if got := h[0].Listing.Addresses; !slices.Equal(got, []string{"Shanghai"}) {
		t.Errorf("current addresses %q", got)
	}

	raw, sum, err := db.Evidence(ctx, "2025-00002")
	if err != nil || !bytes.Equal(raw, raw2) || sum != Sum(raw2) {
		t.Errorf("evidence: %q %s %v", raw, sum, err)
	}
	if _, _, err := db.Evidence(ctx, "2099-99999"); !errors.Is(err, ErrNotFound) {
		t.Errorf("evidence of an unknown document: %v", err)
	}
	alerts, err := db.Outbox(ctx)
	if err != nil || len(alerts) != 3 {
		t.Fatalf("outbox: %+v %v", alerts, err)
	}
	if err := db.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestStore_ApplyOutOfOrder(t *testing.T) {
	a := []entitywatch.Change{change(entitywatch.Add, "CN", "Alpha Co.", "Beijing")}
	b := []entitywatch.Change{change(entitywatch.Revise, "CN", "Alpha Co.", "Shanghai")}
	c := []entitywatch.Change{change(entitywatch.Add, "RU", "Delta JSC", "Moscow")}
	inOrder := open(t, Options{CheckpointEvery: 1})
	reversed := open(t, Options{CheckpointEvery: 1})
	docs := [][]entitywatch.Change{a, b, c}
	for i, ch := range docs {
		d, raw, r := rule(fmt.Sprintf("2025-0000%d", i+1), fmt.Sprintf("2025-0%d-01", i+1), fmt.Sprintf("2025-0%d-02", i+1), ch...)
		mustApply(t, inOrder, d, raw, r)
	}
	// c first, then a (recomputes c), then b (recomputes c again).
	for _, i := range []int{2, 0, 1} {
		d, raw, r := rule(fmt.Sprintf("2025-0000%d", i+1), fmt.Sprintf("2025-0%d-01", i+1), fmt.Sprintf("2025-0%d-02", i+1), docs[i]...)
		res := mustApply(t, reversed, d, raw, r)
		if res.Status != Applied {
			t.Fatalf("apply %s: %+v", d.Number, res)
		}
	}
	for _, d := range []string{"2025-01-15", "2025-02-15", "2025-03-15"} {
		want, _ := inOrder.Snapshot(context.Background(), date(d), ByEffective, nil)
		got, _ := reversed.Snapshot(context.Background(), date(d), ByEffective, nil)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("as of %s, out-of-order application differs (-in order +reversed):\n%s", d, diff)
		}
	}
	// A rule inserted before a later one that then fails is quarantined
	// and changes nothing.
	d, raw, r := rule("2025-00009", "2025-01-20", "2025-01-21", change(entitywatch.Remove, "CN", "Alpha Co.", ""))
	before, _ := reversed.Snapshot(context.Background(), date("2030-01-01"), ByEffective, nil)
	res, err := reversed.Apply(context.Background(), d, raw, r, testApplier{})
	if err != nil || res.Status != Quarantined || !strings.Contains(res.Reason, "2025-00002") {
		t.Fatalf("conflicting insert: %+v %v", res, err)
	}
	after, _ := reversed.Snapshot(context.Background(), date("2030-01-01"), ByEffective, nil)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a quarantined rule changed the list (-before +after):\n%s", diff)
	}
}

func TestStore_Quarantine(t *testing.T) {
	ctx := context.Background()
	db := open(t, Options{})
	d, raw, r := rule("2025-00001", "2025-01-10", "2025-01-12", change(entitywatch.Remove, "CN", "Nobody Ltd.", ""))
	res, err := db.Apply(ctx, d, raw, r, testApplier{})
	if err != nil || res.Status != Quarantined || !strings.Contains(res.Reason, "not on the list") {
		t.Fatalf("apply: %+v %v", res, err)
	}
	doc, err := db.Document(ctx, "2025-00001")
	if err != nil || doc.Status != Quarantined || doc.SHA256 != Sum(raw) {
		t.Fatalf("document: %+v %v", doc, err)
	}
	if got := snapshot(t, db, "2030-01-01"); len(got) != 0 {
		t.Errorf("list after a quarantined rule: %q", got)
	}
	alerts, _ := db.Outbox(ctx)
	if len(alerts) != 1 || alerts[0].Kind != AlertQuarantined {
		t.Errorf("outbox: %+v", alerts)
	}
}

func TestStore_Baseline(t *testing.T) {
	ctx := context.Background()
	db := open(t, Options{})
	base := entitywatch.List{AsOf: date("2025-01-01"), Listings: []entitywatch.Listing{{ID: "CN/alphaco", Entry: entitywatch.Entry{CountryCode: "CN", Name: "Alpha Co."}}}}
	if err := db.SetBaseline(ctx, base, "ecfr 2025-01-01", []byte("<DIV5/>")); err != nil {
		t.Fatal(err)
	}
	old, raw, r := rule("2024-00001", "2024-12-01", "2024-12-02", change(entitywatch.Add, "CN", "Alpha Co.", "Beijing"))
	if res := mustApply(t, db, old, raw, r); res.Status != BeforeBaseline {
		t.Errorf("rule before the baseline: %+v", res)
	}
	d, raw, r := rule("2025-00002", "2025-02-01", "2025-02-02", change(entitywatch.Add, "CN", "Alpha Co.", "Beijing"))
	if res := mustApply(t, db, d, raw, r); res.Status != Quarantined {
		t.Errorf("adding an entry the baseline holds: %+v", res)
	}
	l, err := db.Snapshot(ctx, date("2025-03-01"), ByEffective, nil)
	if err != nil || !l.Complete || len(l.Listings) != 1 {
		t.Errorf("snapshot: %+v %v", l, err)
	}
	if err := db.SetBaseline(ctx, base, "again", nil); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("second baseline: %v", err)
	}
}

func TestStore_Checkpoints(t *testing.T) {
	// The same rules with a checkpoint after every version and with none
	// give the same snapshots.
	every := open(t, Options{CheckpointEvery: 1})
	none := open(t, Options{CheckpointEvery: 1000})
	for i := range 12 {
		ch := change(entitywatch.Add, "CN", fmt.Sprintf("Entity %02d", i), "Beijing")
		if i%3 == 2 {
			ch = change(entitywatch.Revise, "CN", fmt.Sprintf("Entity %02d", i-1), fmt.Sprintf("Street %d", i))
		}
		d, raw, r := rule(fmt.Sprintf("2025-%05d", i), fmt.Sprintf("2025-01-%02d", i+1), fmt.Sprintf("2025-01-%02d", i+2), ch)
		mustApply(t, every, d, raw, r)
		mustApply(t, none, d, raw, r)
	}
	for day := 1; day <= 14; day++ {
		d := fmt.Sprintf("2025-01-%02d", day)
		a, _ := every.Snapshot(context.Background(), date(d), ByEffective, nil)
		b, _ := none.Snapshot(context.Background(), date(d), ByEffective, nil)
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("as of %s (-replayed +checkpointed):\n%s", d, diff)
		}
	}
}

func TestStore_Published(t *testing.T) {
	db := open(t, Options{})
	// Effective before its publication: on Jan 11 it was in effect but
	// could not yet be known.
	d, raw, r := rule("2025-00001", "2025-01-10", "2025-01-14", change(entitywatch.Add, "CN", "Alpha Co.", "Beijing"))
	mustApply(t, db, d, raw, r)
	eff, _ := db.Snapshot(context.Background(), date("2025-01-11"), ByEffective, nil)
	pub, err := db.Snapshot(context.Background(), date("2025-01-11"), ByPublished, testApplier{})
	if err != nil {
		t.Fatal(err)
	}
	if len(eff.Listings) != 1 || len(pub.Listings) != 0 {
		t.Errorf("effective %q, published %q", names(eff), names(pub))
	}
	pub, _ = db.Snapshot(context.Background(), date("2025-01-14"), ByPublished, testApplier{})
	if len(pub.Listings) != 1 {
		t.Errorf("published on the 14th: %q", names(pub))
	}
}

func TestOpen_Errors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	path := filepath.Join(dir, "locked.db")
	first, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := Open(ctx, path, Options{LockTimeout: 50 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("second open: %v, want ErrLocked", err)
	}

	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, garbage, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage file: %v, want ErrCorrupt", err)
	}

	newer := filepath.Join(dir, "newer.db")
	b, err := bolt.Open(newer, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return m.Put(keySchema, []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := Open(ctx, newer, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestStore_Backup(t *testing.T) {
	ctx := context.Background()
	db := open(t, Options{})
	d, raw, r := rule("2025-00001", "2025-01-10", "2025-01-12", change(entitywatch.Add, "CN", "Alpha Co.", "Beijing"))
	mustApply(t, db, d, raw, r)
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(ctx, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cp, err := Open(ctx, copyPath, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if err := cp.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _, err := cp.Evidence(ctx, "2025-00001"); err != nil || !bytes.Equal(got, raw) {
		t.Errorf("evidence in the backup: %q %v", got, err)
	}
}

func TestStore_DeliveryLog(t *testing.T) {
	ctx := context.Background()
	db := open(t, Options{})
	for i := range 2 {
		d, raw, r := rule(fmt.Sprintf("2025-0000%d", i+1), fmt.Sprintf("2025-01-1%d", i), "2025-01-20", change(entitywatch.Add, "CN", fmt.Sprintf("Alpha %d", i), "Beijing"))
		mustApply(t, db, d, raw, r)
	}
	pending, err := db.Pending(ctx)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending: %+v %v", pending, err)
	}
	if err := db.PutDeliveryRecord(ctx, pending[0].Seq, "slack", []byte(`{"status":"failed"}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDeliveryRecord(ctx, pending[0].Seq, "webhook", []byte(`{"status":"delivered"}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDeliveryRecord(ctx, 99, "slack", nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("record for an unknown alert: %v", err)
	}
	if err := db.Settle(ctx, pending[0].Seq); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Pending(ctx); len(p) != 1 || p[0].Seq != pending[1].Seq {
		t.Errorf("pending after settle: %+v", p)
	}
	if err := db.Requeue(ctx, pending[0].Seq, func(rec []byte) bool { return bytes.Contains(rec, []byte("failed")) }); err != nil {
		t.Fatal(err)
	}
	recs, _ := db.DeliveryRecords(ctx, pending[0].Seq)
	if _, ok := recs["slack"]; ok || len(recs) != 1 {
		t.Errorf("records after requeue: %q", recs)
	}
	if p, _ := db.Pending(ctx); len(p) != 2 {
		t.Errorf("pending after requeue: %+v", p)
	}
	v, err := db.AppliedVersion(ctx, "2025-00002")
	if err != nil || len(v.Changes) != 1 || v.Changes[0].ID != "CN/alpha1" {
		t.Errorf("applied version: %+v %v", v, err)
	}
}
