// Package report renders the Entity List changes of a period, such as an
// ISO week, for the people who review them: legal staff who file a weekly
// report, and teams who work in spreadsheets.
//
// Its input is plain data, so it needs no store: a Rule per Federal
// Register rule that took effect in the period, each with its applied
// changes and, for revisions, what changed field by field (old -> new).
// cmd/entitywatch builds them from the store's versions; tests build them
// from parsed fixtures.
//
//	from, to, err := report.ISOWeek("2025-W13") // 2025-03-24 .. 2025-03-30
//	r := report.Build(from, to, "", rules, time.Now())
//	err = r.HTML(w) // or Markdown, CSV, JSON, XLSX
//
// Build sorts the rules by effective date, publication date and document
// number, and each rule's changes by destination heading and name, and
// totals them by action and by destination; with a fixed generation time
// every format is byte for byte reproducible except XLSX, whose cell
// values are.
//
// The formats:
//
//   - Markdown: headings per rule and destination, one section per change.
//   - HTML: one self-contained page (inline CSS with print rules, an inline
//     SVG bar chart of changes per destination, no scripts or outside
//     assets); every value is escaped by html/template.
//   - CSV: one row per change with the rule's facts repeated on each row.
//   - JSON: one object with stable snake_case field names (see
//     Report.JSON).
//   - XLSX: a Summary sheet (period, totals, rules with links) and a
//     Changes sheet (one row per change, frozen header row, filters).
//
// Caveats: a report says what the applied rules printed. When the earlier
// text of a revised entry is unknown (a database without a baseline that
// never saw the entry), the report says so instead of inventing a
// difference. Build neither filters rules by date nor checks that they
// fall in the period; the caller picks them.
package report
