package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// benchDB builds a database of a 3,000-entry baseline and 500 rules (one
// addition and one revision each): 3,500 entries, 500 versions.
func benchDB(b *testing.B) (*DB, string) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	base := entitywatch.List{AsOf: entitywatch.NewDate(2020, 1, 1)}
	for i := range 3000 {
		name := fmt.Sprintf("Baseline Entity %04d Co., Ltd.", i)
		base.Listings = append(base.Listings, entitywatch.Listing{ID: "CN/" + foldName(name), Entry: entitywatch.Entry{
			Country: "CHINA, PEOPLE'S REPUBLIC OF", CountryCode: "CN", Name: name,
			Aliases:            []string{fmt.Sprintf("BE%04d", i), fmt.Sprintf("Baseline %04d Trading", i)},
			Addresses:          []string{fmt.Sprintf("No. %d Example Road, Haidian District, Beijing, China", i)},
			LicenseRequirement: "For all items subject to the EAR. (See § 744.11 of the EAR)", LicenseReviewPolicy: "Presumption of denial.",
			Citations: []string{"85 FR 1000, 1/1/20"},
		}})
	}
	if err := db.SetBaseline(ctx, base, "benchmark", []byte("<DIV5/>")); err != nil {
		b.Fatal(err)
	}
	for i := range 500 {
		day := entitywatch.Date{Time: base.AsOf.AddDate(0, 0, 1+i*3)}
		name := fmt.Sprintf("Added Entity %04d", i)
		rev := base.Listings[i].Entry
		rev.Addresses = append([]string{"Room 1, Example Tower, Shanghai, China"}, rev.Addresses...)
		r := &entitywatch.Rule{DocumentNumber: fmt.Sprintf("2021-%05d", i), EffectiveDate: day, Changes: []entitywatch.Change{
			{Action: entitywatch.Add, Entry: entitywatch.Entry{Country: "PAKISTAN", CountryCode: "PK", Name: name, Addresses: []string{"Karachi, Pakistan"}, Citations: []string{"86 FR [INSERT FR PAGE NUMBER]"}}},
			{Action: entitywatch.Revise, Entry: rev},
		}}
		if _, err := db.Apply(ctx, Document{Number: r.DocumentNumber}, []byte("<RULE/>"), r, testApplier{}); err != nil {
			b.Fatal(err)
		}
	}
	return db, path
}

// BenchmarkSnapshot rebuilds the list as of a date (target: under 20 ms
// for 3,500 entries and 500 versions) and reports the file size.
func BenchmarkSnapshot(b *testing.B) {
	db, path := benchDB(b)
	defer db.Close()
	mid := entitywatch.NewDate(2021, 1, 1)
	b.ResetTimer()
	for b.Loop() {
		l, err := db.Snapshot(context.Background(), mid, ByEffective, nil)
		if err != nil || len(l.Listings) < 3000 {
			b.Fatalf("%d listings, %v", len(l.Listings), err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-db")
	}
}

// BenchmarkHistory looks up one entry's history (target: under 1 ms).
func BenchmarkHistory(b *testing.B) {
	db, _ := benchDB(b)
	defer db.Close()
	b.ResetTimer()
	for b.Loop() {
		h, err := db.History(context.Background(), "Baseline Entity 0042")
		if err != nil || len(h) != 1 || len(h[0].Events) != 2 {
			b.Fatalf("%+v %v", h, err)
		}
	}
}
