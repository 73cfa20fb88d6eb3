package notify

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// reasonBlock shows a reason (an error message, a health problem) as
// preformatted text. A reason too long for a section is cut and the cut
// is said, with the full length.
func reasonBlock(title, reason string, limit int) (slack.Block, string) {
	md := "*" + title + "*\n```" + esc(reason) + "```"
	if chars(md) <= limit {
		return section(md), reason
	}
	note := fmt.Sprintf("\n(cut here: the whole text is %d characters long)", chars(reason))
	room := limit - chars("*"+title+"*\n``````…") - chars(esc(note))
	r := []rune(reason)
	n := min(len(r), room)
	for n > 0 {
		excess := chars(esc(string(r[:n]))) - room
		if excess <= 0 {
			break
		}
		n -= excess // each rune dropped shortens the escaped text by at least 1
	}
	short := string(r[:max(n, 0)]) + "…"
	return section("*" + title + "*\n```" + esc(short) + "```" + esc(note)), short + note
}

// warningBody renders warnings as list sections for a layout's body.
func warningBody(title string, warnings []string, limit int) []piece {
	if len(warnings) == 0 {
		return nil
	}
	g := group{title: plainLine(title)}
	for _, w := range warnings {
		g.lines = append(g.lines, bullet(w))
	}
	return g.sections(limit)
}

// briefWarnings is the brief of a layout whose only body is warnings.
func briefWarnings(text string, threaded bool) func(int) ([]slack.Block, string) {
	return func(replies int) ([]slack.Block, string) {
		where := "follow in " + plural(replies, "message", "messages")
		if threaded {
			where = "are in the thread"
		}
		note := "The details " + where + ": they are too long for one Slack message."
		return []slack.Block{section(esc(note))}, text + "\n" + note
	}
}

func renderQuarantine(a Alert, opt RenderOptions) Message {
	h := "An Entity List rule could not be parsed"
	if a.Document != "" {
		h = "Entity List rule " + a.Document + " could not be parsed"
	}
	reason := cmp.Or(a.Reason, "no reason recorded")
	rb, rtext := reasonBlock("Reason", reason, opt.MaxSectionChars)
	what := "Nothing from this rule was applied: the list stays as it was."
	if a.Document != "" {
		what += " Its original bytes are kept as evidence (`entitywatch evidence " + esc(a.Document) + "`)."
	}
	l := layout{
		head:  []slack.Block{header(h), rb},
		label: cmp.Or(docLabel(a.Document), "Quarantined rule") + ", warnings",
	}
	if a.Title != "" || a.URL != "" || a.Document != "" {
		l.head = append(l.head, infoBlock(a, [2]string{"Effective", a.Effective.String()}, [2]string{"Published", a.Published.String()}))
	}
	l.tail = []slack.Block{contextBlock(what)}
	l.body = warningBody("Warnings", a.Warnings, opt.MaxSectionChars)
	text := h + ": " + rtext + "\nNothing from this rule was applied."
	if s := sourceText(a); s != "" {
		text += "\n" + s
	}
	l.text = text
	l.brief = briefWarnings(text, opt.Threaded)
	return l.fit(opt)
}

// countsText states SUMMARY counts: "12 entities (China 11, Taiwan 1);
// 4 revised".
func countsText(a Alert) string {
	c := a.Counts
	var parts []string
	added := ""
	switch {
	case c.Entities > 0 && c.Entries > 0 && c.Entries != c.Entities:
		added = plural(c.Entities, "entity", "entities") + " under " + plural(c.Entries, "entry", "entries")
	case c.Entities > 0:
		added = plural(c.Entities, "entity", "entities")
	case c.Entries > 0:
		added = plural(c.Entries, "entry", "entries")
	}
	if c.Addresses > 0 {
		if added != "" {
			added += " and "
		}
		added += plural(c.Addresses, "address", "addresses")
	}
	if len(c.ByDestination) > 0 {
		codes := make([]string, 0, len(c.ByDestination))
		for code := range c.ByDestination {
			codes = append(codes, code)
		}
		slices.SortFunc(codes, func(x, y string) int {
			return cmp.Or(cmp.Compare(c.ByDestination[y], c.ByDestination[x]), cmp.Compare(countryName(x, ""), countryName(y, "")))
		})
		var by []string
		for _, code := range codes {
			by = append(by, countryName(code, "")+" "+strconv.Itoa(c.ByDestination[code]))
		}
		if added == "" {
			added = "additions"
		}
		added += " (" + strings.Join(by, ", ") + ")"
	}
	if added != "" {
		parts = append(parts, added+" added")
	}
	if c.Revised > 0 {
		parts = append(parts, strconv.Itoa(c.Revised)+" revised")
	}
	if c.Removed > 0 {
		parts = append(parts, strconv.Itoa(c.Removed)+" removed")
	}
	return strings.Join(parts, "; ")
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04 MST")
}

func renderEarlyWarning(a Alert, opt RenderOptions) Message {
	h := "Entity List rule on public inspection"
	if a.Document != "" {
		h += ": " + a.Document
	}
	pdf := ""
	if a.PDFURL != "" {
		pdf = link(a.PDFURL, "Download")
	}
	info := infoBlock(a,
		[2]string{"Filed", formatTime(a.Filed)},
		[2]string{"To be published", a.Published.String()},
		[2]string{"Effective", a.Effective.String()},
		[2]string{"PDF", pdf})
	l := layout{head: []slack.Block{header(h), info}, label: cmp.Or(docLabel(a.Document), "Public inspection") + ", warnings"}
	counts := countsText(a)
	if counts != "" {
		l.head = append(l.head, section(cut("*The SUMMARY states*\n"+esc(counts), opt.MaxSectionChars)))
	}
	l.tail = []slack.Block{contextBlock("Not yet published or in effect. entitywatch reports the changes entry by entry once the rule is published.")}
	l.body = warningBody("Warnings", a.Warnings, opt.MaxSectionChars)

	parts := []string{h}
	if a.Title != "" {
		parts = append(parts, a.Title)
	}
	if !a.Filed.IsZero() {
		parts = append(parts, "filed "+formatTime(a.Filed))
	}
	if !a.Published.IsZero() {
		parts = append(parts, "to be published "+a.Published.String())
	}
	text := strings.Join(parts, ", ") + "."
	if counts != "" {
		text += " The SUMMARY states: " + counts + "."
	}
	if a.PDFURL != "" {
		text += "\nPDF: " + a.PDFURL
	}
	if a.URL != "" {
		text += "\n" + a.URL
	}
	l.text = text
	l.brief = briefWarnings(text, opt.Threaded)
	return l.fit(opt)
}

func renderHealth(a Alert, opt RenderOptions) Message {
	h := "entitywatch needs attention"
	reason := cmp.Or(a.Reason, "no reason recorded")
	rb, rtext := reasonBlock("Problem", reason, opt.MaxSectionChars)
	l := layout{head: []slack.Block{header(h), rb}, label: "entitywatch health, details"}
	if !a.Created.IsZero() {
		l.tail = []slack.Block{contextBlock("As of " + esc(formatTime(a.Created)))}
	}
	l.body = warningBody("Details", a.Warnings, opt.MaxSectionChars)
	text := h + ": " + rtext
	if len(a.Warnings) > 0 && len(a.Warnings) <= 3 {
		text += "\n" + strings.Join(a.Warnings, "\n")
	} else if len(a.Warnings) > 3 {
		text += "\n" + strings.Join(a.Warnings[:3], "\n") + fmt.Sprintf("\nand %d more", len(a.Warnings)-3)
	}
	l.text = text
	l.brief = briefWarnings(text, opt.Threaded)
	return l.fit(opt)
}

// renderOther renders an alert of a kind this version does not know, so
// that it is delivered rather than lost.
func renderOther(a Alert, opt RenderOptions) Message {
	h := "entitywatch alert: " + cmp.Or(string(a.Kind), "unknown kind")
	l := layout{head: []slack.Block{header(h)}, label: "entitywatch alert, details"}
	text := h
	if a.Reason != "" {
		rb, rtext := reasonBlock("Details", a.Reason, opt.MaxSectionChars)
		l.head = append(l.head, rb)
		text += ": " + rtext
	}
	if a.Document != "" || a.Title != "" {
		l.head = append(l.head, infoBlock(a))
		text += "\n" + sourceText(a)
	}
	l.body = warningBody("Warnings", a.Warnings, opt.MaxSectionChars)
	l.text = text
	l.brief = briefWarnings(text, opt.Threaded)
	return l.fit(opt)
}

// renderWeeklyReport posts a week's summary (Reason) with the report file
// attached; senders that cannot upload files get the summary and the
// file's name.
func renderWeeklyReport(a Alert, opt RenderOptions) Message {
	h := cmp.Or(a.Title, "Entity List weekly report")
	summary := cmp.Or(a.Reason, "no changes")
	rb, rtext := reasonBlock("Summary", summary, opt.MaxSectionChars)
	l := layout{head: []slack.Block{header(h), rb}, label: "weekly report, details"}
	text := h + ": " + rtext
	if a.Report != nil {
		l.tail = []slack.Block{contextBlock("Full report: " + esc(a.Report.Name))}
		text += "\nFull report: " + a.Report.Name
	}
	l.text = text
	l.brief = briefWarnings(text, opt.Threaded)
	m := l.fit(opt)
	m.Attachment = a.Report
	return m
}
