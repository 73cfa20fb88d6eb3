package report

import (
	"encoding/json"
	"io"

	"github.com/entitywatch/entitywatch"
)

// The JSON contract of a report. Field names are snake_case and stable:
// extend, never rename. Lists are never null.
type (
	jsonReport struct {
		Label     string           `json:"label"`
		From      entitywatch.Date `json:"from"`
		To        entitywatch.Date `json:"to"`
		Generated string           `json:"generated"`
		Totals    jsonTotals       `json:"totals"`
		Rules     []jsonRule       `json:"rules"`
	}
	jsonTotals struct {
		Changes       int               `json:"changes"`
		Added         int               `json:"added"`
		Removed       int               `json:"removed"`
		Revised       int               `json:"revised"`
		Moved         int               `json:"moved"`
		ByDestination []jsonDestination `json:"by_destination"`
	}
	jsonDestination struct {
		CountryCode string `json:"country_code"`
		Country     string `json:"country"`
		Added       int    `json:"added"`
		Removed     int    `json:"removed"`
		Revised     int    `json:"revised"`
		Moved       int    `json:"moved"`
		Total       int    `json:"total"`
	}
	jsonRule struct {
		DocumentNumber  string           `json:"document_number"`
		Title           string           `json:"title"`
		Citation        string           `json:"citation"`
		URL             string           `json:"url"`
		PublicationDate entitywatch.Date `json:"publication_date"`
		EffectiveDate   entitywatch.Date `json:"effective_date"`
		Changes         []jsonChange     `json:"changes"`
	}
	jsonChange struct {
		Action              entitywatch.Action `json:"action"`
		ID                  string             `json:"id"`
		Country             string             `json:"country"`
		CountryCode         string             `json:"country_code"`
		FromCountry         string             `json:"from_country,omitempty"`
		FromCountryCode     string             `json:"from_country_code,omitempty"`
		Name                string             `json:"name"`
		AddressOnly         bool               `json:"address_only,omitempty"`
		Aliases             []string           `json:"aliases"`
		Addresses           []string           `json:"addresses"`
		SeeAlso             []string           `json:"see_also"`
		LicenseRequirement  string             `json:"license_requirement"`
		LicenseReviewPolicy string             `json:"license_review_policy"`
		Citations           []string           `json:"citations"`
		Footnotes           []string           `json:"footnotes"`
		ChangedFields       []string           `json:"changed_fields"`
		Fields              []jsonField        `json:"fields"`
	}
	jsonField struct {
		Field string   `json:"field"`
		Old   []string `json:"old"`
		New   []string `json:"new"`
	}
)

// JSON writes the report as one indented JSON object:
//
//	{"label","from","to","generated",
//	 "totals":{"changes","added","removed","revised","moved",
//	   "by_destination":[{"country_code","country","added","removed","revised","moved","total"}]},
//	 "rules":[{"document_number","title","citation","url","publication_date","effective_date",
//	   "changes":[{"action","id","country","country_code","from_country","from_country_code","name",
//	     "aliases","addresses","see_also","license_requirement","license_review_policy","citations",
//	     "footnotes","changed_fields","fields":[{"field","old","new"}]}]}]}
//
// Dates are YYYY-MM-DD, generated is RFC 3339 in UTC.
func (r Report) JSON(w io.Writer) error {
	out := jsonReport{
		Label: r.Label, From: r.From, To: r.To, Generated: r.generated(),
		Totals: jsonTotals{Changes: r.Totals.Changes, Added: r.Totals.Added, Removed: r.Totals.Removed, Revised: r.Totals.Revised, Moved: r.Totals.Moved, ByDestination: []jsonDestination{}},
		Rules:  []jsonRule{},
	}
	for _, d := range r.Totals.ByDestination {
		out.Totals.ByDestination = append(out.Totals.ByDestination, jsonDestination(d))
	}
	for _, rule := range r.Rules {
		jr := jsonRule{DocumentNumber: rule.Document, Title: rule.Title, Citation: rule.Citation, URL: rule.URL, PublicationDate: rule.Published, EffectiveDate: rule.Effective, Changes: []jsonChange{}}
		for _, c := range rule.Changes {
			jc := jsonChange{
				Action: c.Action, ID: c.ID, Country: c.Country, CountryCode: c.CountryCode,
				FromCountry: c.FromCountry, FromCountryCode: c.FromCountryCode,
				Name: c.Name, AddressOnly: c.AddressOnly,
				Aliases: nonNil(c.Aliases), Addresses: nonNil(c.Addresses), SeeAlso: nonNil(c.SeeAlso),
				LicenseRequirement: c.LicenseRequirement, LicenseReviewPolicy: c.LicenseReviewPolicy,
				Citations: nonNil(c.Citations), Footnotes: nonNil(c.Footnotes), ChangedFields: nonNil(c.ChangedFields),
				Fields: []jsonField{},
			}
			for _, f := range c.Fields {
				jc.Fields = append(jc.Fields, jsonField{Field: f.Field, Old: nonNil(f.Old), New: nonNil(f.New)})
			}
			jr.Changes = append(jr.Changes, jc)
		}
		out.Rules = append(out.Rules, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
