package diff

import (
	"slices"

	"github.com/entitywatch/entitywatch"
)

// The fields of an entry that revisions change, by their JSON names, as
// used in entitywatch.Change.ChangedFields and FieldChange.Field. The
// destination is not among them: an entry under another destination is
// another entry (see Apply on moves).
const (
	FieldName                = "name"
	FieldAliases             = "aliases"
	FieldAddresses           = "addresses"
	FieldSeeAlso             = "see_also"
	FieldLicenseRequirement  = "license_requirement"
	FieldLicenseReviewPolicy = "license_review_policy"
	FieldFootnotes           = "footnotes"
	FieldCitations           = "citations"
)

// FieldChange is one field of an entry that differs between two versions
// of it. Old and New hold the field's values: the list itself for list
// fields, one string for the others.
type FieldChange struct {
	Field string   `json:"field"`
	Old   []string `json:"old"`
	New   []string `json:"new"`
}

// fields lists the compared fields in the order Fields reports them.
var fields = []struct {
	name string
	get  func(*entitywatch.Entry) []string
}{
	{FieldName, func(e *entitywatch.Entry) []string { return []string{e.Name} }},
	{FieldAliases, func(e *entitywatch.Entry) []string { return e.Aliases }},
	{FieldAddresses, func(e *entitywatch.Entry) []string { return e.Addresses }},
	{FieldSeeAlso, func(e *entitywatch.Entry) []string { return e.SeeAlso }},
	{FieldLicenseRequirement, func(e *entitywatch.Entry) []string { return []string{e.LicenseRequirement} }},
	{FieldLicenseReviewPolicy, func(e *entitywatch.Entry) []string { return []string{e.LicenseReviewPolicy} }},
	{FieldFootnotes, func(e *entitywatch.Entry) []string { return e.Footnotes }},
	{FieldCitations, func(e *entitywatch.Entry) []string { return e.Citations }},
}

// Fields returns the fields in which new differs from old, in the order
// of the Field constants. Values are compared exactly, list order
// included; a nil list equals an empty one. The name counts as changed
// only when it is printed differently; the destination, Source and
// AddressOnly are not compared.
func Fields(old, new entitywatch.Entry) []FieldChange {
	var out []FieldChange
	for _, f := range fields {
		o, n := f.get(&old), f.get(&new)
		if !slices.Equal(o, n) {
			out = append(out, FieldChange{Field: f.name, Old: slices.Clone(o), New: slices.Clone(n)})
		}
	}
	return out
}

// changedFields returns the Field of each change Fields would return,
// never nil. It is Fields without copying the values.
func changedFields(old, new entitywatch.Entry) []string {
	out := []string{}
	add := func(changed bool, field string) {
		if changed {
			out = append(out, field)
		}
	}
	add(old.Name != new.Name, FieldName)
	add(!slices.Equal(old.Aliases, new.Aliases), FieldAliases)
	add(!slices.Equal(old.Addresses, new.Addresses), FieldAddresses)
	add(!slices.Equal(old.SeeAlso, new.SeeAlso), FieldSeeAlso)
	add(old.LicenseRequirement != new.LicenseRequirement, FieldLicenseRequirement)
	add(old.LicenseReviewPolicy != new.LicenseReviewPolicy, FieldLicenseReviewPolicy)
	add(!slices.Equal(old.Footnotes, new.Footnotes), FieldFootnotes)
	add(!slices.Equal(old.Citations, new.Citations), FieldCitations)
	return out
}
