package ingest

// source is a rule document reduced to what the parser reads, the same
// whichever format it came in. The XML and HTML readers build it; the rest
// of the parser never sees markup.
type source struct {
	format  string
	root    string // XML root element ("RULE"), or "" for HTML
	subject string
	action  string
	rin     string
	docket  string
	summary string
	dates   string
	frdoc   string
	pages   []int
	// items are the amendment paragraphs and tables, in document order.
	items []item
	// headings counts the preamble headings seen (AGENCY:, SUMMARY:, ...),
	// to tell a rule from an error page.
	headings int
}

// item is an amendment paragraph or a table; exactly one is set.
type item struct {
	amdpar *para
	table  *table
}

type para struct {
	text string
	page int
}

type table struct {
	header []string // column headings, from BOXHD or a thead
	rows   []row
	page   int
}

type row struct {
	cells []cell
	page  int
}

type cell struct {
	// text is the cell's text with white space folded, footnote markers
	// removed. In XML, list items (LI) are set off by newlines in raw.
	text string
	raw  string
	// footnotes are the numeric superscripts removed from text.
	footnotes []string
	// span is how many columns the cell covers (1 unless stars).
	span int
}
