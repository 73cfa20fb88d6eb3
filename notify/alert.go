package notify

import (
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch"
)

// Kind says what an alert reports. The values match the store's outbox
// kinds, so a stored kind converts with Kind(k).
type Kind string

// The kinds of alert notify renders.
const (
	// KindRuleApplied reports a rule applied to the list: what it adds,
	// removes, revises and moves.
	KindRuleApplied Kind = "rule_applied"
	// KindQuarantined reports a rule that could not be fully accounted
	// for and was not applied.
	KindQuarantined Kind = "rule_quarantined"
	// KindEarlyWarning reports an Entity List rule on public inspection,
	// before it is published.
	KindEarlyWarning Kind = "early_warning"
	// KindHealth reports a problem with entitywatch itself, such as no
	// successful run for a while or alerts that could not be delivered.
	KindHealth Kind = "health"
	// KindWeeklyReport posts the weekly report: a summary in Reason and the
	// report itself as Attachment.
	KindWeeklyReport Kind = "weekly_report"
)

// Alert is everything an alert says. notify reads nothing itself: the
// caller fills in what it knows and Render leaves out what is empty.
type Alert struct {
	// Seq is the alert's place in the outbox; alerts are delivered in Seq
	// order and the delivery log is keyed by it.
	Seq  uint64 `json:"seq"`
	Kind Kind   `json:"kind"`
	// Document is the FR document number ("2025-05427"); empty for
	// health alerts.
	Document string `json:"document_number,omitempty"`
	Title    string `json:"title,omitempty"`
	// Citation is the rule's FR citation ("90 FR 14046").
	Citation string `json:"citation,omitempty"`
	// URL links the document: its html_url when known, else
	// https://www.federalregister.gov/d/NUMBER (see DocumentURL). For an
	// early warning, the public inspection page.
	URL string `json:"url,omitempty"`
	// PDFURL links the PDF of a document on public inspection.
	PDFURL    string           `json:"pdf_url,omitempty"`
	Published entitywatch.Date `json:"publication_date,omitzero"`
	Effective entitywatch.Date `json:"effective_date,omitzero"`
	// Filed is when a document on public inspection was filed.
	Filed time.Time `json:"filed_at,omitzero"`
	// Changes are the changes the rule applied (KindRuleApplied), with
	// ChangedFields filled for revisions where known.
	Changes []entitywatch.Change `json:"changes,omitempty"`
	// Counts are the counts the rule's SUMMARY states, when known (early
	// warnings show them; the changes themselves are not known yet).
	Counts entitywatch.SummaryCounts `json:"summary_counts,omitzero"`
	// Warnings are facts worth a reader's attention: the parser's
	// warnings for a rule, failed deliveries for a health alert.
	Warnings []string `json:"warnings,omitempty"`
	// Reason is why a rule was quarantined, or what is wrong for a health
	// alert ("no successful run for 2 hours").
	Reason  string    `json:"reason,omitempty"`
	Created time.Time `json:"created_at,omitzero"`
	// Report is the file a weekly report alert carries.
	Report *File `json:"report,omitempty"`
}

// DocumentURL returns the Federal Register's short link to a document,
// for use as Alert.URL when its html_url is not known.
func DocumentURL(number string) string {
	return "https://www.federalregister.gov/d/" + number
}

// Countries returns the destination codes an alert concerns, sorted: the
// destinations of its changes, including those moved entries left. It
// returns nil for alerts that concern every destination: quarantine,
// early-warning and health alerts, and rules without changes.
func (a Alert) Countries() []string {
	if a.Kind != KindRuleApplied {
		return nil
	}
	var out []string
	for _, c := range a.Changes {
		for _, code := range []string{c.CountryCode, c.FromCountryCode} {
			if code = strings.ToUpper(code); code != "" && !slices.Contains(out, code) {
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Message is a rendered alert. The first message is posted on its own;
// Thread and Attachment, when set, carry a list too long for one Slack
// message and follow it (as replies in its thread, where the sender can).
type Message struct {
	// ID identifies the message among the parts of its alert: "SEQ" for
	// the first, "SEQ.N" for the Nth reply, "SEQ.csv" for the file.
	// Webhook sends it as an idempotency key.
	ID string `json:"id"`
	// Text is the plain-text fallback: it reads well on its own (in
	// notifications, on the console, in clients without Block Kit). It
	// is not escaped for Slack; the Slack senders escape it.
	Text   string        `json:"text,omitempty"`
	Blocks []slack.Block `json:"blocks,omitempty"`
	// Thread holds the replies that carry the full list when it does not
	// fit in one message; each is within Slack's limits.
	Thread []Message `json:"thread,omitempty"`
	// Attachment is the full list as CSV, for senders that upload files.
	Attachment *File `json:"attachment,omitempty"`
	// Alert is the alert rendered, on the first message only, for
	// receivers that want the data rather than the text (Webhook).
	Alert *Alert `json:"alert,omitempty"`
}

// File is a file to upload with a message.
type File struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Type    string `json:"type"` // "csv"
	Content string `json:"content"`
}

// Parts returns the messages a sender posts for m, in order: m itself
// without Thread and Attachment, each reply, then the file (a Message
// with only ID and Attachment set).
func (m Message) Parts() []Message {
	root := m
	root.Thread, root.Attachment = nil, nil
	parts := []Message{root}
	for _, r := range m.Thread {
		r.Thread, r.Attachment = nil, nil
		parts = append(parts, r)
	}
	if m.Attachment != nil {
		parts = append(parts, Message{ID: m.ID + ".csv", Attachment: m.Attachment})
	}
	return parts
}
