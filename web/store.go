package web

import (
	"context"
	"errors"
	"time"

	"github.com/entitywatch/entitywatch"
)

// The dates a snapshot can go by, as the by parameter of the API and
// Store.Snapshot take them.
const (
	// ByEffective: the list in legal effect on the date.
	ByEffective = "effective"
	// ByPublished: what could have been known on the date (rules published
	// on or before it).
	ByPublished = "published"
)

// ErrNotFound reports an entry, document or report the store does not
// hold. The server answers it with 404; a Store wraps it with what was
// not found ("document 2025-05427: not found").
var ErrNotFound = errors.New("not found")

// ErrInvalid reports a request the server cannot answer as asked: a date
// that is not YYYY-MM-DD, an unknown format, an ISO week that does not
// exist. The server answers it with 400 and the error's text, so a Store
// or ReportFunc that wraps it must say only what the client sent.
var ErrInvalid = errors.New("invalid request")

// Store is the part of entitywatch's database the server reads. It is
// read only; cmd/entitywatch adapts *store.DB to it.
type Store interface {
	// Snapshot returns the whole list as of a date, by ByEffective or
	// ByPublished, removed listings included (marked Removed).
	Snapshot(ctx context.Context, asOf entitywatch.Date, by string) (entitywatch.List, error)
	// Entry returns an entry as last printed and its history, oldest
	// event first, or an error wrapping ErrNotFound.
	Entry(ctx context.Context, id string) (entitywatch.Listing, []Event, error)
	// Changes returns how the list in legal effect changed from one date
	// to another.
	Changes(ctx context.Context, from, to entitywatch.Date) (Changes, error)
	// Documents returns every stored document without its parse result
	// (Rule is nil).
	Documents(ctx context.Context) ([]Document, error)
	// Document returns one stored document with its parse result, or an
	// error wrapping ErrNotFound.
	Document(ctx context.Context, number string) (Document, error)
	// Raw returns a document's original bytes and their hex SHA-256, or
	// an error wrapping ErrNotFound.
	Raw(ctx context.Context, number string) (raw []byte, sha256 string, err error)
	// Health returns the state of ingestion and alerting.
	Health(ctx context.Context) (Health, error)
}

// ReportFunc renders the weekly report of an ISO week ("2025-W13") in a
// format ("html", "md", "csv", "json" or "xlsx") and returns its body and
// content type. An error wrapping ErrInvalid answers 400, one wrapping
// ErrNotFound 404.
type ReportFunc func(ctx context.Context, week, format string) (body []byte, contentType string, err error)

// Event is one line of an entry's history: what one rule did to it.
type Event struct {
	// Action is add, remove, revise or move; "baseline" marks the entry
	// as the list the database starts from held it.
	Action          entitywatch.Action `json:"action"`
	EffectiveDate   entitywatch.Date   `json:"effective_date"`
	PublicationDate entitywatch.Date   `json:"publication_date"`
	// DocumentNumber is the stored document that made the change; it
	// names the evidence.
	DocumentNumber string   `json:"document_number"`
	Citation       string   `json:"citation"`
	ChangedFields  []string `json:"changed_fields"`
}

// Changes is how the list changed between two dates.
type Changes struct {
	Added   []entitywatch.Listing `json:"added"`
	Removed []entitywatch.Listing `json:"removed"`
	Revised []Revision            `json:"revised"`
	Moved   []Revision            `json:"moved"`
}

// Revision is an entry that changed between two dates, and how.
type Revision struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Country     string `json:"country"`
	CountryCode string `json:"country_code"`
	// FromCountry is the destination a moved entry left.
	FromCountry string `json:"from_country,omitempty"`
	// DocumentNumber is the last rule that changed the entry.
	DocumentNumber string        `json:"document_number"`
	Fields         []FieldChange `json:"fields"`
}

// FieldChange is one field of an entry that differs between two versions
// of it; Old and New hold the list itself for list fields, one string for
// the others.
type FieldChange struct {
	Field string   `json:"field"`
	Old   []string `json:"old"`
	New   []string `json:"new"`
}

// Document is a stored Federal Register document (or the consolidated
// list a database starts from) and where it stands.
type Document struct {
	Number    string           `json:"document_number"`
	Title     string           `json:"title"`
	Citation  string           `json:"citation,omitempty"`
	Published entitywatch.Date `json:"publication_date"`
	Effective entitywatch.Date `json:"effective_date"`
	// Status is applied, quarantined, before_baseline, superseded or
	// baseline; Reason says why a document was not applied.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// SHA256 and Size describe the original bytes (see Store.Raw).
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
	// Format is "xml" or "html"; Source is the file or URL it came from.
	Format string `json:"format,omitempty"`
	Source string `json:"source,omitempty"`
	// Counts are the changes the document made to the list when applied.
	Counts ChangeCounts `json:"counts"`
	// Rule is the parse result; nil in Store.Documents.
	Rule *entitywatch.Rule `json:"rule,omitempty"`
	// Applied are the changes as applied to the list, each naming the
	// entry it changed (Change.ID) and, for revisions, the fields that
	// changed; nil in Store.Documents and for documents not applied.
	Applied []entitywatch.Change `json:"applied_changes,omitempty"`
}

// ChangeCounts counts changes by action.
type ChangeCounts struct {
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Revised int `json:"revised"`
	Moved   int `json:"moved"`
}

// Total returns the number of changes of every action.
func (c ChangeCounts) Total() int { return c.Added + c.Removed + c.Revised + c.Moved }

// Health is the state of ingestion and alerting.
type Health struct {
	// Runs is the number of ingestion runs recorded.
	Runs int `json:"runs"`
	// LastRun is when the latest run finished, and LastRunError its
	// error ("" when it succeeded).
	LastRun      time.Time `json:"last_run,omitzero"`
	LastRunError string    `json:"last_run_error,omitempty"`
	// LastSuccess is when the latest successful run finished.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// Documents counts stored documents by status.
	Documents map[string]int `json:"documents"`
	Alerts    AlertCounts    `json:"alerts"`
}

// AlertCounts counts the alerts of the outbox by where they stand.
type AlertCounts struct {
	// Queued alerts are waiting for delivery (or a retry).
	Queued int `json:"queued"`
	// Delivered alerts reached every route that wanted them.
	Delivered int `json:"delivered"`
	// Failed alerts were refused for good on at least one route.
	Failed int `json:"failed"`
}
