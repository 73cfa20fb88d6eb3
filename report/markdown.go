package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Markdown writes the report as CommonMark (with GitHub tables): the
// period, the totals by action and by destination, then each rule with
// its changes grouped by destination. Text from the rules is escaped, so
// a name with "*", "_" or "<" prints as written.
func (r Report) Markdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# Entity List changes: %s\n\n", md(r.Label))
	p("- Period: %s (rules by effective date)\n", md(r.period()))
	if g := r.generated(); g != "" {
		p("- Generated: %s\n", g)
	}
	p("- Rules: %d; changes: %d\n\n", len(r.Rules), r.Totals.Changes)

	p("## Totals\n\n")
	p("| Action | Entries |\n|---|--:|\n")
	for _, a := range []struct {
		name string
		n    int
	}{{"Added", r.Totals.Added}, {"Removed", r.Totals.Removed}, {"Revised", r.Totals.Revised}, {"Moved", r.Totals.Moved}} {
		p("| %s | %d |\n", a.name, a.n)
	}
	p("| **Total** | **%d** |\n\n", r.Totals.Changes)
	if len(r.Totals.ByDestination) > 0 {
		p("| Destination | Added | Removed | Revised | Moved | Total |\n|---|--:|--:|--:|--:|--:|\n")
		for _, d := range r.Totals.ByDestination {
			p("| %s | %d | %d | %d | %d | %d |\n", md(destination(d.Country, d.CountryCode)), d.Added, d.Removed, d.Revised, d.Moved, d.Total)
		}
		p("\n")
	}

	p("## Changes by rule\n\n")
	if len(r.Rules) == 0 {
		p("No Entity List rule took effect in this period.\n")
	}
	for _, rule := range r.Rules {
		p("### %s: %s\n\n", md(rule.Document), md(rule.Title))
		p("- Federal Register citation: %s\n", md(orNone(rule.Citation)))
		p("- Published: %s\n", orNone(rule.Published.String()))
		p("- Effective: %s\n", orNone(rule.Effective.String()))
		if rule.URL != "" {
			p("- Link: <%s>\n", strings.ReplaceAll(rule.URL, ">", "%3E"))
		}
		p("- Changes: %s\n\n", rule.summary())
		dest := ""
		for _, c := range rule.Changes {
			if d := destination(c.Country, c.CountryCode); d != dest {
				dest = d
				p("#### %s\n\n", md(d))
			}
			writeMarkdownChange(p, c)
		}
	}
	return b.Flush()
}

func writeMarkdownChange(p func(string, ...any), c Change) {
	p("##### %s: %s\n\n", actionTitle(c.Action), md(c.Name))
	if c.FromCountry != "" || c.FromCountryCode != "" {
		p("- Moved from: %s\n", md(destination(c.FromCountry, c.FromCountryCode)))
	}
	list := func(title string, v []string) {
		switch len(v) {
		case 0:
			p("- %s: none\n", title)
		case 1:
			p("- %s: %s\n", title, md(v[0]))
		default:
			p("- %s:\n", title)
			for _, s := range v {
				p("  - %s\n", md(s))
			}
		}
	}
	list("Aliases", c.Aliases)
	list("Addresses", c.Addresses)
	if len(c.SeeAlso) > 0 {
		list("See also", c.SeeAlso)
	}
	p("- License requirement: %s\n", md(orNone(c.LicenseRequirement)))
	p("- License review policy: %s\n", md(orNone(c.LicenseReviewPolicy)))
	list("Federal Register citations", c.Citations)
	if len(c.Fields) > 0 {
		p("- What changed (old → new):\n")
		for _, f := range c.Fields {
			p("  - %s: %s → %s\n", fieldTitle(f.Field), md(orNone(join(f.Old))), md(orNone(join(f.New))))
		}
	} else if note := changeNote(c); note != "" {
		p("- What changed: %s\n", md(note))
	}
	p("\n")
}

var (
	// mdSpecial are the characters that would change how CommonMark
	// renders inline text. Brackets alone make no link (the report
	// defines no link references), so "[INSERT FR PAGE NUMBER]" stays
	// as printed; mdLink catches those that would.
	mdSpecial = strings.NewReplacer(
		`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`,
		`<`, `\<`, `>`, `\>`, `|`, `\|`, `~`, `\~`,
	)
	mdBrackets = strings.NewReplacer(`[`, `\[`, `]`, `\]`)
	mdLink     = regexp.MustCompile(`\][(\[:]|\[\]`)
	// mdEntity is text CommonMark would read as a character reference.
	mdEntity = regexp.MustCompile(`&(#?[0-9A-Za-z]+;)`)
	// mdBlockStart is text that would start a list, heading or quote
	// at the start of a line or list item, or a task-list box ("[x]").
	mdBlockStart = regexp.MustCompile(`^([0-9]+)([.)])(\s|$)|^([-+#=\[])`)
)

// md escapes text for inline Markdown.
func md(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = mdSpecial.Replace(s)
	if mdLink.MatchString(s) {
		s = mdBrackets.Replace(s)
	}
	s = mdEntity.ReplaceAllString(s, `\&$1`)
	if m := mdBlockStart.FindStringSubmatchIndex(s); m != nil {
		if m[2] >= 0 {
			s = s[:m[4]] + `\` + s[m[4]:]
		} else {
			s = `\` + s
		}
	}
	return s
}
