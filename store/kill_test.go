package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
)

// TestKilledWriter kills a process that applies rules at random moments
// and checks, after each kill, that the file passes bbolt's consistency
// check and holds every rule either whole or not at all.
func TestKilledWriter(t *testing.T) {
	if os.Getenv("ENTITYWATCH_KILL_WRITER") != "" {
		writer(os.Getenv("ENTITYWATCH_KILL_WRITER"))
		return
	}
	path := filepath.Join(t.TempDir(), "killed.db")
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKilledWriter$")
		cmd.Env = append(os.Environ(), "ENTITYWATCH_KILL_WRITER="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		db, err := Open(context.Background(), path, Options{LockTimeout: 5 * time.Second})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if err := db.Check(context.Background()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		docs, err := db.Documents(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		versions, err := db.Versions(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]bool{}
		for _, d := range docs {
			if d.Status == Applied {
				applied[d.Number] = true
			}
		}
		if len(versions) != len(applied) {
			t.Fatalf("round %d: %d versions for %d applied documents", round, len(versions), len(applied))
		}
		for _, v := range versions {
			if !applied[v.Number] {
				t.Fatalf("round %d: version %s without its applied document", round, v.Number)
			}
			raw, _, err := db.Evidence(context.Background(), v.Number)
			if err != nil || len(raw) == 0 {
				t.Fatalf("round %d: evidence of %s: %v", round, v.Number, err)
			}
		}
		// Every applied entry is on the current list.
		l, err := db.Snapshot(context.Background(), entitywatch.NewDate(2100, 1, 1), ByEffective, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Listings) != len(applied) {
			t.Fatalf("round %d: %d listings for %d applied one-entry rules", round, len(l.Listings), len(applied))
		}
		t.Logf("round %d: %d rules applied before the kill", round, len(applied))
		db.Close()
	}
}

// writer applies one-entry rules to path until it is killed.
func writer(path string) {
	db, err := Open(context.Background(), path, Options{LockTimeout: 5 * time.Second, CheckpointEvery: 3})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	docs, _ := db.Documents(context.Background())
	for i := len(docs); ; i++ {
		num := "2025-" + strconv.Itoa(10000+i)
		day := entitywatch.NewDate(2025, 1, 1).AddDate(0, 0, i%300)
		r := &entitywatch.Rule{DocumentNumber: num, EffectiveDate: entitywatch.Date{Time: day}, Changes: []entitywatch.Change{
			{Action: entitywatch.Add, Entry: entitywatch.Entry{CountryCode: "CN", Name: "Entity " + num, Addresses: []string{"Beijing"}}},
		}}
		raw := make([]byte, 4096+i%4096) // evidence of some size
		if _, err := db.Apply(context.Background(), Document{Number: num}, raw, r, testApplier{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
	}
}
