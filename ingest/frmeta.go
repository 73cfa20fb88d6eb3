package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/entitywatch/entitywatch"
)

// ErrNotFound reports a document or full text the source does not have:
// an HTTP 404 from the Federal Register, or a file missing from a
// DirSource.
var ErrNotFound = errors.New("not found")

// ErrPageReset reports a search page that is not the page asked for: the
// FR API silently serves page 1 past page 50 or past 10,000 results.
var ErrPageReset = errors.New("search page reset to an earlier page")

// ErrInconsistent reports search results that do not add up: a page of
// the wrong size, a result outside the date window or out of order, a
// count that changes between pages, a result list that ends early, or a
// next_page_url that drops the search's conditions.
var ErrInconsistent = errors.New("inconsistent search results")

// ErrForeignHost reports a URL that is not on the configured Federal
// Register host; documents are downloaded only from there.
var ErrForeignHost = errors.New("URL not on the Federal Register host")

// DocumentMeta is a document as the FR API describes it (documents/{number}.json and search results).
type DocumentMeta struct {
	DocumentNumber string `json:"document_number"`
	// Citation is the volume and first page, "90 FR 14046".
	Citation  string `json:"citation"`
	StartPage int    `json:"start_page"`
	EndPage   int    `json:"end_page"`
	// PublicationDate is the day the document appeared in the Federal
	// Register.
	PublicationDate entitywatch.Date `json:"publication_date"`
	// EffectiveOn is the effective date the FR read from the DATES
	// section; zero when the API has none (JSON null).
	EffectiveOn entitywatch.Date `json:"effective_on"`
	// Type is "Rule", "Proposed Rule", "Notice" or "Presidential Document".
	Type string `json:"type"`
	// Action is the ACTION line ("Final rule.").
	Action   string `json:"action"`
	Title    string `json:"title"`
	Abstract string `json:"abstract"`
	// Dates is the DATES section as printed.
	Dates               string         `json:"dates"`
	Agencies            []Agency       `json:"agencies"`
	CFRReferences       []CFRReference `json:"cfr_references"`
	DocketIDs           []string       `json:"docket_ids"`
	RegulationIDNumbers []string       `json:"regulation_id_numbers"`
	// HTMLURL is the document's page on federalregister.gov.
	HTMLURL string `json:"html_url"`
	// JSONURL is the document's API address.
	JSONURL string `json:"json_url"`
	// PDFURL is the printed issue's PDF of the document on govinfo.gov.
	PDFURL string `json:"pdf_url"`
	// FullTextXMLURL is the full text in the FR's XML; empty for a
	// document the FR has no XML for.
	FullTextXMLURL string `json:"full_text_xml_url"`
	// BodyHTMLURL is the full text as body HTML.
	BodyHTMLURL string `json:"body_html_url"`
	RawTextURL  string `json:"raw_text_url"`
	// CorrectionOf is the API URL of the document this one corrects.
	CorrectionOf string `json:"correction_of"`
	// Corrections are the API URLs of documents correcting this one.
	Corrections []string `json:"corrections"`
}

// metaFields are the fields[] a search asks for: every DocumentMeta field.
var metaFields = []string{
	"document_number", "citation", "start_page", "end_page", "publication_date", "effective_on",
	"type", "action", "title", "abstract", "dates", "agencies", "cfr_references", "docket_ids",
	"regulation_id_numbers", "html_url", "json_url", "pdf_url", "full_text_xml_url",
	"body_html_url", "raw_text_url", "correction_of", "corrections",
}

// UnmarshalJSON implements json.Unmarshaler. It reads the API's JSON,
// where effective_on (and for an unpublished document publication_date)
// may be null, which entitywatch.Date itself refuses.
func (m *DocumentMeta) UnmarshalJSON(b []byte) error {
	type plain DocumentMeta
	aux := struct {
		*plain
		PublicationDate json.RawMessage `json:"publication_date"`
		EffectiveOn     json.RawMessage `json:"effective_on"`
	}{plain: (*plain)(m)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if m.PublicationDate, err = nullableDate(aux.PublicationDate); err != nil {
		return fmt.Errorf("publication_date: %w", err)
	}
	if m.EffectiveOn, err = nullableDate(aux.EffectiveOn); err != nil {
		return fmt.Errorf("effective_on: %w", err)
	}
	return nil
}

// nullableDate reads a JSON date that may be null, "" or absent.
func nullableDate(raw json.RawMessage) (entitywatch.Date, error) {
	var d entitywatch.Date
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return d, nil
	}
	err := d.UnmarshalJSON(raw)
	return d, err
}

// Agency is one entry of a document's agencies list. An agency the FR
// could not match has only RawName.
type Agency struct {
	RawName string `json:"raw_name,omitempty"`
	Name    string `json:"name,omitempty"`
	ID      int    `json:"id,omitempty"`
	URL     string `json:"url,omitempty"`
	JSONURL string `json:"json_url,omitempty"`
	// ParentID is the parent agency's ID (54, the Commerce Department,
	// for BIS); 0 when the API gives null.
	ParentID int    `json:"parent_id,omitempty"`
	Slug     string `json:"slug,omitempty"`
}

// CFRReference is one CFR part a document amends or cites.
type CFRReference struct {
	Title int `json:"title"`
	Part  int `json:"part"`
	// Chapter is the CFR chapter when the FR knows it ("VII"), else "".
	Chapter string `json:"chapter,omitempty"`
	// CitationURL links the part on federalregister.gov, when the FR
	// gives one.
	CitationURL string `json:"citation_url,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler. The API has been seen to send
// a part as a string ("1010") and a chapter as null, a number or a
// roman numeral; all are read.
func (r *CFRReference) UnmarshalJSON(b []byte) error {
	var aux struct {
		Title       json.RawMessage `json:"title"`
		Part        json.RawMessage `json:"part"`
		Chapter     json.RawMessage `json:"chapter"`
		CitationURL *string         `json:"citation_url"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = CFRReference{Title: looseInt(aux.Title), Part: looseInt(aux.Part), Chapter: looseString(aux.Chapter)}
	if aux.CitationURL != nil {
		r.CitationURL = *aux.CitationURL
	}
	return nil
}

// looseInt reads a JSON number or numeric string; anything else is 0.
func looseInt(raw json.RawMessage) int {
	s := looseString(raw)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// looseString reads a JSON string or number as text; null is "".
func looseString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	return string(raw)
}

// PublicInspectionDoc is a document on the FR's public inspection desk
// (public-inspection-documents/current.json): filed, not yet published.
// There is no XML before publication; PDFURL and RawTextURL are the
// typed text.
type PublicInspectionDoc struct {
	DocumentNumber string `json:"document_number"`
	// Title is the FR's title (its subjects joined), trimmed.
	Title string `json:"title"`
	// Type is "Rule", "Proposed Rule", "Notice" or "Presidential Document".
	Type string `json:"type"`
	// FiledAt is the filing time as the API prints it (RFC 3339).
	FiledAt    string `json:"filed_at"`
	PDFURL     string `json:"pdf_url"`
	RawTextURL string `json:"raw_text_url"`
	HTMLURL    string `json:"html_url"`
	// PublicationDate is the day the document is scheduled to appear.
	PublicationDate entitywatch.Date `json:"publication_date"`
	// Agencies lists the filing agencies; on public inspection the FR
	// often lists only the sub-agency (BIS without Commerce).
	Agencies []Agency `json:"agencies"`
	// SpecialFiling marks a special filing (posted at 4:15 pm, often a
	// rule effective at once) as opposed to a regular one.
	SpecialFiling bool `json:"special_filing"`
}

// UnmarshalJSON implements json.Unmarshaler: publication_date may be
// null, the title is trimmed (the FR pads it with spaces), and the older
// filing_type "special" counts as a special filing too.
func (d *PublicInspectionDoc) UnmarshalJSON(b []byte) error {
	type plain PublicInspectionDoc
	aux := struct {
		*plain
		PublicationDate json.RawMessage `json:"publication_date"`
		FilingType      string          `json:"filing_type"`
	}{plain: (*plain)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	var err error
	if d.PublicationDate, err = nullableDate(aux.PublicationDate); err != nil {
		return fmt.Errorf("publication_date: %w", err)
	}
	d.Title = strings.TrimSpace(d.Title)
	d.SpecialFiling = d.SpecialFiling || strings.EqualFold(aux.FilingType, "special")
	return nil
}
