package entitywatch

import (
	"fmt"
	"strconv"
	"time"
)

// Action is what an amendment instruction does to an entry.
type Action string

// The actions a rule can take on the Entity List.
const (
	// Add lists a new entry.
	Add Action = "add"
	// Remove takes an entry off the list.
	Remove Action = "remove"
	// Revise rewrites an existing entry in place.
	Revise Action = "revise"
	// Move removes an entry from one destination and lists it under
	// another in the same rule.
	Move Action = "move"
)

// Change is one change a rule makes to the Entity List: an amendment
// instruction matched to the table row that carries its details.
type Change struct {
	Action Action `json:"action"`
	// ID is the identity of the entry the change applies to (see
	// Listing.ID); set once the change is applied to a list.
	ID string `json:"id,omitempty"`
	Entry
	// FromCountry and FromCountryCode name the destination a moved entry
	// left.
	FromCountry     string `json:"from_country,omitempty"`
	FromCountryCode string `json:"from_country_code,omitempty"`
	// ChangedFields names the fields a revision changed, where the rule
	// says so or where the previous entry is known (see diff.Apply).
	ChangedFields []string `json:"changed_fields"`
	// Instruction is the amendment paragraph (AMDPAR) that ordered the
	// change, as printed.
	Instruction string `json:"instruction,omitempty"`
}

// Instruction is one amendment paragraph of a rule that amends
// Supplement No. 4 to part 744, broken into the clauses it orders.
type Instruction struct {
	// Label is the paragraph's number or letter ("2", "a").
	Label string `json:"label"`
	// Text is the paragraph as printed, whitespace folded.
	Text string `json:"text"`
	// Clauses are the actions the paragraph orders, in order.
	Clauses []Clause `json:"clauses,omitempty"`
}

// Clause is one action of an instruction: an action on named entries under
// one destination.
type Clause struct {
	Action      Action   `json:"action"`
	Country     string   `json:"country"`
	CountryCode string   `json:"country_code"`
	Names       []string `json:"names"`
	// FromCountry and FromCountryCode name the destination a move clause
	// takes its entries from.
	FromCountry     string `json:"from_country,omitempty"`
	FromCountryCode string `json:"from_country_code,omitempty"`
	// ChangedFields are the fields a revision clause says it changes
	// ("to add an alias"), when it says so.
	ChangedFields []string `json:"changed_fields,omitempty"`
}

// SummaryCounts are the counts a rule's SUMMARY states. Zero means the
// SUMMARY does not say.
type SummaryCounts struct {
	// Entities and Entries are the stated totals of added entities and
	// entries ("adding 37 entities under 38 entries").
	Entities int `json:"entities"`
	Entries  int `json:"entries"`
	// Addresses is the stated number of added addresses, the bare-address
	// entries BIS lists since 2024 ("adding five entities and eight
	// addresses").
	Addresses int `json:"addresses"`
	// ByDestination counts additions per destination, keyed by ISO code.
	ByDestination map[string]int `json:"by_destination"`
	// Revised and Removed are the stated numbers of revised and removed
	// entries.
	Revised int `json:"revised"`
	Removed int `json:"removed"`
}

// Rule is what one Federal Register document does to the Entity List.
type Rule struct {
	DocumentNumber string `json:"document_number"`
	Title          string `json:"title"`
	// Action is the document's ACTION line ("Final rule.",
	// "Final rule; correction.").
	Action string `json:"action,omitempty"`
	// EffectiveDate is the date the DATES section gives the rule legal
	// effect; zero when it names none.
	EffectiveDate Date `json:"effective_date"`
	// PublicationDate is the date the rule was published in the Federal
	// Register, as the rule itself prints it in the placeholders of its
	// new citations ("90 FR [INSERT FR PAGE NUMBER], 3/28/2025"); zero
	// when it prints none (take it from the API metadata then).
	PublicationDate Date `json:"publication_date,omitempty"`
	// Dates is the DATES section as printed.
	Dates  string `json:"dates,omitempty"`
	RIN    string `json:"rin,omitempty"`
	Docket string `json:"docket,omitempty"`
	// Summary is the SUMMARY as printed and SummaryCounts what it states.
	Summary       string        `json:"summary,omitempty"`
	SummaryCounts SummaryCounts `json:"summary_counts"`
	// Corrects lists the Federal Register citations a correcting
	// amendment names as the rules it corrects.
	Corrects     []string      `json:"corrects,omitempty"`
	Format       string        `json:"format"`
	Instructions []Instruction `json:"instructions,omitempty"`
	Changes      []Change      `json:"changes"`
	// Warnings are facts the parser could not reconcile but that do not
	// make the changes uncertain, such as SUMMARY counts that disagree
	// with the table.
	Warnings []string `json:"warnings"`
}

// Date is a calendar date without time of day, printed as YYYY-MM-DD.
type Date struct{ time.Time }

// NewDate returns the Date of year, month and day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, err
	}
	return Date{t}, nil
}

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalJSON implements json.Marshaler: "YYYY-MM-DD", or "" for the
// zero Date. (Without it the embedded time.Time's would be used.)
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("date %s: %w", b, err)
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
