package entitywatch

// Entry is one entry of the Entity List: a party listed under one
// destination. An entity listed under several destinations is several
// entries.
type Entry struct {
	// Country is the destination heading exactly as printed in the table,
	// for example "CHINA, PEOPLE'S REPUBLIC OF".
	Country string `json:"country"`
	// CountryCode is the ISO 3166-1 alpha-2 code of the destination.
	CountryCode string `json:"country_code"`
	// Name is the entity's name as printed. For an address-only entry it
	// is the whole printed text, "Address: ...".
	Name string `json:"name"`
	// AddressOnly marks the bare-address entries BIS lists since 2024.
	AddressOnly bool `json:"address_only,omitempty"`
	// Aliases are the names after "a.k.a., the following N aliases:",
	// without their leading em dash and list punctuation.
	Aliases []string `json:"aliases"`
	// Addresses are the entry's addresses in printed order.
	Addresses []string `json:"addresses"`
	// SeeAlso holds cross references such as
	// "See alternate address under HONG KONG".
	SeeAlso []string `json:"see_also,omitempty"`
	// LicenseRequirement is the license requirement column, footnote
	// markers removed.
	LicenseRequirement string `json:"license_requirement"`
	// LicenseReviewPolicy is the license review policy column.
	LicenseReviewPolicy string `json:"license_review_policy"`
	// Citations are the Federal Register citations of the entry, one per
	// rule, as printed ("84 FR 22964, 5/21/19",
	// "90 FR [INSERT FR PAGE NUMBER], 3/28/2025").
	Citations []string `json:"citations"`
	// Footnotes are the footnote markers printed as superscripts in the
	// license requirement or policy columns ("1", "3").
	Footnotes []string `json:"footnotes,omitempty"`
	// Source is the entry as printed, one string per column, kept beside
	// the normalized fields so an auditor can compare the two.
	Source []string `json:"source,omitempty"`
}
