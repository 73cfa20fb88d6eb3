package notify

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch"
)

// ruleChanges sorts a rule's changes for an alert.
type ruleChanges struct {
	adds                    map[string][]entitywatch.Change // by destination code
	removes, revises, moves []entitywatch.Change
}

func sortChanges(cs []entitywatch.Change) ruleChanges {
	r := ruleChanges{adds: map[string][]entitywatch.Change{}}
	for _, c := range cs {
		switch c.Action {
		case entitywatch.Add:
			code := strings.ToUpper(c.CountryCode)
			r.adds[code] = append(r.adds[code], c)
		case entitywatch.Remove:
			r.removes = append(r.removes, c)
		case entitywatch.Revise:
			r.revises = append(r.revises, c)
		case entitywatch.Move:
			r.moves = append(r.moves, c)
		}
	}
	return r
}

// destinations returns the destination codes with additions, largest
// first, then by name.
func (r ruleChanges) destinations() []string {
	codes := make([]string, 0, len(r.adds))
	for code := range r.adds {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int {
		return cmp.Or(
			cmp.Compare(len(r.adds[b]), len(r.adds[a])),
			cmp.Compare(countryName(a, r.adds[a][0].Country), countryName(b, r.adds[b][0].Country)),
			cmp.Compare(a, b))
	})
	return codes
}

// count states how many entities and entries changes hold, the way BIS
// does: "12 entities", "10 entities under 13 entries" when an entity is
// listed under several destinations.
func count(cs []entitywatch.Change) string {
	names := map[string]bool{}
	addresses, entries := 0, 0
	for _, c := range cs {
		if c.AddressOnly {
			addresses++
			continue
		}
		entries++
		names[strings.Join(strings.Fields(strings.ToLower(c.Name)), " ")] = true
	}
	var s string
	switch {
	case entries == 0:
	case len(names) == entries:
		s = plural(entries, "entity", "entities")
	default:
		s = plural(len(names), "entity", "entities") + " under " + plural(entries, "entry", "entries")
	}
	if addresses > 0 {
		if s != "" {
			s += " and "
		}
		s += plural(addresses, "address", "addresses")
	}
	return s
}

// headline is the header of a rule alert:
// "BIS added 12 entities, effective 2025-03-25". When that is too long
// for a header, it counts entries only.
func headline(a Alert, r ruleChanges) string {
	var adds []entitywatch.Change
	for _, code := range r.destinations() {
		adds = append(adds, r.adds[code]...)
	}
	actions := []struct {
		verb string
		cs   []entitywatch.Change
	}{{"added", adds}, {"removed", r.removes}, {"revised", r.revises}, {"moved", r.moves}}
	var verbs, short []string
	for _, v := range actions {
		if len(v.cs) > 0 {
			verbs = append(verbs, v.verb+" "+count(v.cs))
			short = append(short, v.verb+" "+strconv.Itoa(len(v.cs)))
		}
	}
	when := ""
	if !a.Effective.IsZero() {
		when = ", effective " + a.Effective.String()
	}
	switch h := "BIS " + joinAnd(verbs) + when; {
	case len(verbs) == 0:
		return "BIS rule " + a.Document + " made no Entity List changes" + when
	case chars(h) <= maxHeaderChars:
		return h
	}
	return "BIS " + joinAnd(short) + " entries" + when
}

// infoBlock is the section naming the document: title linked, dates,
// number, citation.
func infoBlock(a Alert, dateFields ...[2]string) slack.Block {
	title := a.Title
	if title == "" {
		title = "FR Doc. " + a.Document
	}
	var fields []*slack.TextBlockObject
	add := func(name, value string) {
		if value != "" {
			fields = append(fields, mrkdwn(cut("*"+name+"*\n"+value, maxFieldChars)))
		}
	}
	for _, f := range dateFields {
		add(f[0], f[1])
	}
	add("FR document", esc(a.Document))
	add("Citation", esc(a.Citation))
	return slack.NewSectionBlock(mrkdwn("*"+link(a.URL, cut(title, maxTitleChars))+"*"), fields, nil)
}

// sourceText is the fallback's sentence naming the document:
// "Additions to the Entity List, FR Doc. 2025-05427, 90 FR 14046,
// published 2025-03-28: https://...".
func sourceText(a Alert) string {
	parts := []string{}
	for _, s := range []string{a.Title, docLabel(a.Document), a.Citation} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if !a.Published.IsZero() {
		parts = append(parts, "published "+a.Published.String())
	}
	s := strings.Join(parts, ", ")
	if a.URL != "" {
		s += ": " + a.URL
	}
	return s
}

func docLabel(number string) string {
	if number == "" {
		return ""
	}
	return "FR Doc. " + number
}

func inFocus(focus []string, c entitywatch.Change) bool {
	return len(focus) == 0 ||
		slices.Contains(focus, strings.ToUpper(c.CountryCode)) ||
		(c.FromCountryCode != "" && slices.Contains(focus, strings.ToUpper(c.FromCountryCode)))
}

// entryLine is an entry as a list item: its name, then suffix, then its
// aliases when asked.
func entryLine(c entitywatch.Change, aliases bool, suffix string) line {
	s := displayName(c) + suffix
	if aliases && len(c.Aliases) > 0 {
		if suffix == "" {
			s += " (a.k.a. " + strings.Join(c.Aliases, "; ") + ")"
		} else {
			s += " · a.k.a. " + strings.Join(c.Aliases, "; ")
		}
	}
	return bullet(s)
}

// displayName is how an alert names an entry: its name, and for a bare
// address entry listed by number ("Address 01") the address too, which is
// what a reader has to match shipments against.
func displayName(c entitywatch.Change) string {
	if !c.AddressOnly || len(c.Addresses) == 0 || strings.Contains(c.Name, strings.TrimRight(c.Addresses[0], ". ")) {
		return c.Name
	}
	return c.Name + ": " + c.Addresses[0]
}

func where(c entitywatch.Change) string { return countryName(c.CountryCode, c.Country) }

// changedText says what a revision changed: "aliases and addresses".
func changedText(c entitywatch.Change) string {
	if len(c.ChangedFields) == 0 {
		return "the rule does not say what changed"
	}
	fs := make([]string, len(c.ChangedFields))
	for i, f := range c.ChangedFields {
		fs[i] = strings.ReplaceAll(f, "_", " ")
	}
	return "changed " + joinAnd(fs)
}

// detail is one group of a rule alert with the plain summary the
// fallback text uses ("China 11 (A; B; C and 8 more)").
type detail struct {
	group
	short string   // "China 11", "Revised 4"
	names []string // plain names for the fallback
	n     int
}

func ruleDetails(r ruleChanges, focus []string, aliases bool) (details []detail, other []string, shown []entitywatch.Change) {
	type outside struct {
		name string
		n    int
		verb string
	}
	var rest []outside
	for _, code := range r.destinations() {
		cs := r.adds[code]
		name := countryName(code, cs[0].Country)
		if !inFocus(focus, cs[0]) {
			rest = append(rest, outside{name, len(cs), "added"})
			continue
		}
		d := detail{group: group{title: plainLine(fmt.Sprintf("%s — %d added", name, len(cs)))},
			short: fmt.Sprintf("%s %d", name, len(cs)), n: len(cs)}
		for _, c := range cs {
			d.lines = append(d.lines, entryLine(c, aliases, ""))
			d.names = append(d.names, displayName(c))
		}
		details = append(details, d)
		shown = append(shown, cs...)
	}
	for _, k := range []struct {
		title string
		cs    []entitywatch.Change
		line  func(c entitywatch.Change) (line, string)
	}{
		{"Removed", r.removes, func(c entitywatch.Change) (line, string) {
			return entryLine(c, aliases, " ("+where(c)+")"), displayName(c) + " (" + where(c) + ")"
		}},
		{"Revised", r.revises, func(c entitywatch.Change) (line, string) {
			return entryLine(c, aliases, " ("+where(c)+") — "+changedText(c)), displayName(c) + " (" + where(c) + ")"
		}},
		{"Moved", r.moves, func(c entitywatch.Change) (line, string) {
			s := " (" + countryName(c.FromCountryCode, c.FromCountry) + " → " + where(c) + ")"
			return entryLine(c, aliases, s), displayName(c) + s
		}},
	} {
		d := detail{}
		for _, c := range k.cs {
			if !inFocus(focus, c) {
				rest = append(rest, outside{where(c), 1, strings.ToLower(k.title)})
				continue
			}
			l, name := k.line(c)
			d.lines = append(d.lines, l)
			d.names = append(d.names, name)
			shown = append(shown, c)
		}
		if d.n = len(d.lines); d.n > 0 {
			d.title = plainLine(fmt.Sprintf("%s — %d", k.title, d.n))
			d.short = fmt.Sprintf("%s %d", k.title, d.n)
			details = append(details, d)
		}
	}
	// Count what lies outside the focus by destination and action.
	type key struct{ name, verb string }
	counts := map[key]int{}
	var keys []key
	for _, r := range rest {
		k := key{r.name, r.verb}
		if _, ok := counts[k]; !ok {
			keys = append(keys, k)
		}
		counts[k] += r.n
	}
	slices.SortStableFunc(keys, func(a, b key) int { return cmp.Compare(counts[b], counts[a]) })
	for _, k := range keys {
		other = append(other, fmt.Sprintf("%s %d %s", k.name, counts[k], k.verb))
	}
	return details, other, shown
}

// fallbackList is the fallback's list of groups, naming a few entries
// of each: "China 11 (A; B; C and 8 more), Taiwan 1 (Inspur Taiwan)".
func fallbackList(ds []detail, names int) string {
	var out []string
	for _, d := range ds {
		s := d.short
		if names > 0 {
			shown := d.names[:min(names, len(d.names))]
			s += " (" + strings.Join(shown, "; ")
			if more := len(d.names) - len(shown); more > 0 {
				s += " and " + strconv.Itoa(more) + " more"
			}
			s += ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func renderRule(a Alert, opt RenderOptions) Message {
	var focus []string
	for _, c := range opt.Countries {
		focus = append(focus, strings.ToUpper(c))
	}
	r := sortChanges(a.Changes)
	h := headline(a, r)
	details, other, shown := ruleDetails(r, focus, opt.ShowAliases)

	l := layout{
		head: []slack.Block{
			header(h),
			infoBlock(a, [2]string{"Effective", a.Effective.String()}, [2]string{"Published", a.Published.String()}),
		},
		label: cmp.Or(docLabel(a.Document), "Entity List rule") + ", full list",
	}
	if len(details) > 0 {
		l.head = append(l.head, slack.NewDividerBlock())
	}
	for _, d := range details {
		for _, p := range d.sections(opt.MaxSectionChars) {
			l.body = append(l.body, p)
		}
	}
	otherText := ""
	if len(other) > 0 {
		what := "Also in this rule"
		if len(focus) > 0 {
			what = "Also in this rule, under other destinations"
		}
		otherText = what + ": " + strings.Join(other, ", ") + "."
		l.tail = append(l.tail, contextBlock(cut(esc(otherText), maxFieldChars)))
	}
	if len(a.Warnings) > 0 {
		w := group{title: plainLine("Warnings")}
		for _, s := range a.Warnings {
			w.lines = append(w.lines, bullet(s))
		}
		// The first warnings stay in the first message, whatever its
		// length: they qualify everything. The rest go with the list.
		ws := w.sections(min(opt.MaxSectionChars, maxWarningChars))
		l.tail = append(l.tail, ws[0].block)
		if len(ws) > 1 {
			l.tail = append(l.tail, contextBlock("More warnings follow the list."))
			l.body = append(l.body, ws[1:]...)
		}
	}

	source := sourceText(a)
	text := func(list string) string {
		s := h
		if list != "" {
			s += ": " + list
		}
		s += "."
		if otherText != "" {
			s += " " + otherText
		}
		return s + "\n" + source
	}
	l.text = text(fallbackList(details, 3))

	total := len(shown)
	l.brief = func(replies int) ([]slack.Block, string) {
		sum := group{title: plainLine("Summary")}
		for _, d := range details {
			sum.lines = append(sum.lines, bullet(d.title.text))
		}
		blocks := []slack.Block{}
		if len(details) > 0 {
			ss := sum.sections(opt.MaxSectionChars)
			blocks = append(blocks, ss[0].block)
			if len(ss) > 1 {
				// Only with hundreds of destinations; the full list has them.
				blocks = append(blocks, contextBlock("The summary continues in the full list."))
			}
		}
		where := "follows in " + plural(replies, "message", "messages")
		if opt.Threaded {
			where = "is in the thread (" + plural(replies, "reply", "replies") + ")"
		}
		if opt.CSV {
			where += " and in the attached CSV file"
		}
		note := fmt.Sprintf("The full list of %s %s: it is too long for one Slack message.",
			plural(total, "entry", "entries"), where)
		blocks = append(blocks, section(esc(note)))
		return blocks, text(fallbackList(details, 0)) + "\n" + note
	}
	m := l.fit(opt)
	if m.Thread != nil && opt.CSV {
		m.Attachment = changesCSV(a, shown)
	}
	return m
}

// changesCSV writes changes as CSV, one row per entry, lists joined by
// "; ".
func changesCSV(a Alert, cs []entitywatch.Change) *File {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"document_number", "action", "country_code", "country", "name", "aliases", "addresses",
		"from_country_code", "changed_fields", "license_requirement", "license_review_policy", "citations"})
	for _, c := range cs {
		_ = w.Write([]string{a.Document, string(c.Action), c.CountryCode, c.Country, c.Name,
			strings.Join(c.Aliases, "; "), strings.Join(c.Addresses, "; "), c.FromCountryCode,
			strings.Join(c.ChangedFields, "; "), c.LicenseRequirement, c.LicenseReviewPolicy,
			strings.Join(c.Citations, "; ")})
	}
	w.Flush()
	name := cmp.Or(a.Document, "entity-list") + "-changes.csv"
	return &File{
		Name:    name,
		Title:   fmt.Sprintf("Entity List changes in %s (%s)", cmp.Or(docLabel(a.Document), "the rule"), plural(len(cs), "entry", "entries")),
		Type:    "csv",
		Content: buf.String(),
	}
}
