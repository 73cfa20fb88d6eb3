package diff_test

import (
	"fmt"
	"time"

	"github.com/entitywatch/entitywatch"
	"github.com/entitywatch/entitywatch/diff"
)

// A rule renames an entry, keeping the old name as an alias: the entry
// keeps its ID, and Compare reports a revision, not a removal and an
// addition.
func ExampleApply() {
	listed := entitywatch.Entry{
		Country: "TAIWAN", CountryCode: "TW", Name: "Inspur Taiwan Co., Ltd.",
		LicenseRequirement: "For all items subject to the EAR.", LicenseReviewPolicy: "Presumption of denial.",
		Citations: []string{"90 FR 14046, 3/28/2025"},
	}
	base, err := diff.Baseline(entitywatch.NewDate(2025, time.April, 1), []entitywatch.Entry{listed})
	if err != nil {
		fmt.Println(err)
		return
	}

	renamed := listed
	renamed.Name = "Inspur Taiwan Holdings"
	renamed.Aliases = []string{"Inspur Taiwan Co., Ltd."}
	renamed.Citations = []string{"90 FR 14046, 3/28/2025", "90 FR 30000, 7/1/2025"}
	rule := &entitywatch.Rule{
		DocumentNumber: "2025-12345",
		EffectiveDate:  entitywatch.NewDate(2025, time.July, 1),
		Changes:        []entitywatch.Change{{Action: entitywatch.Revise, Entry: renamed}},
	}
	next, changes, warnings, err := diff.Apply(base, rule)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(changes[0].Action, changes[0].ChangedFields)
	fmt.Println(warnings)
	for _, r := range diff.Compare(base, next).Revised {
		fmt.Println(r.New.ID, "is now", r.New.Name)
	}
	// Output:
	// revise [name aliases citations]
	// [2025-12345: revise "Inspur Taiwan Holdings" under TW: taken as a rename of "Inspur Taiwan Co., Ltd." (TW/inspurtaiwancoltd), since one of the two lists the other's name as an alias]
	// TW/inspurtaiwancoltd is now Inspur Taiwan Holdings
}

func ExampleID() {
	fmt.Println(diff.ID("CN", "Beijing Academy of Artificial Intelligence (BAAI)"))
	fmt.Println(diff.ID("ru", "Scientific-Production Enterprise “Kant”"))
	// Output:
	// CN/beijingacademyofartificialintelligencebaai
	// RU/scientificproductionenterprisekant
}
