package report

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheets of the XLSX workbook.
const (
	SummarySheet = "Summary"
	ChangesSheet = "Changes"
)

// XLSX writes the report as an Excel workbook of two sheets. Summary holds
// the period, the totals by action and by destination, and the rules with
// their links. Changes holds one row per change under a header row (the
// columns of CSV, titled for people, the action spelled out), with the
// header row frozen, a filter on every column, column widths, wrapped
// long text and dates as dates. Every value is written as text or a number, never a formula.
func (r Report) XLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	x.styles()
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := f.NewSheet(ChangesSheet); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	x.summary(r)
	x.changes(r)
	if x.err != nil {
		return fmt.Errorf("xlsx: %w", x.err)
	}
	f.SetActiveSheet(0)
	props := &excelize.DocProperties{Title: "Entity List changes: " + r.Label, Creator: "entitywatch", Description: "Entity List changes, " + r.period()}
	if !r.Generated.IsZero() {
		props.Created = r.Generated.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := f.SetDocProps(props); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// xlsxWriter keeps the first error, so the layout code reads top down.
type xlsxWriter struct {
	f                                   *excelize.File
	err                                 error
	title, header, wrap, date, bold, nb int
}

func (x *xlsxWriter) do(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

func (x *xlsxWriter) style(s *excelize.Style) int {
	id, err := x.f.NewStyle(s)
	x.do(err)
	return id
}

func (x *xlsxWriter) styles() {
	top := &excelize.Alignment{Vertical: "top"}
	x.title = x.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	x.header = x.style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E2EC"}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "7B8794", Style: 1}},
	})
	x.wrap = x.style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	dateFmt := "yyyy-mm-dd"
	x.date = x.style(&excelize.Style{CustomNumFmt: &dateFmt, Alignment: top})
	x.bold = x.style(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: top})
	x.nb = x.style(&excelize.Style{Alignment: top})
}

func cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func (x *xlsxWriter) str(sheet string, col, row int, v string, style int) {
	c := cell(col, row)
	x.do(x.f.SetCellStr(sheet, c, v))
	x.do(x.f.SetCellStyle(sheet, c, c, style))
}

func (x *xlsxWriter) num(sheet string, col, row, v int, style int) {
	c := cell(col, row)
	x.do(x.f.SetCellInt(sheet, c, int64(v)))
	x.do(x.f.SetCellStyle(sheet, c, c, style))
}

// dateCell writes a YYYY-MM-DD date as an Excel date, or nothing for "".
func (x *xlsxWriter) dateCell(sheet string, col, row int, v string) {
	c := cell(col, row)
	x.do(x.f.SetCellStyle(sheet, c, c, x.date))
	if v == "" {
		return
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		x.do(x.f.SetCellStr(sheet, c, v))
		return
	}
	x.do(x.f.SetCellValue(sheet, c, t))
}

func (x *xlsxWriter) headerRow(sheet string, row int, titles ...string) {
	for i, t := range titles {
		x.str(sheet, i+1, row, t, x.header)
	}
}

func (x *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		x.do(x.f.SetColWidth(sheet, c, c, w))
	}
}

// summary lays out the Summary sheet: the period, totals by action,
// totals by destination and the rules, one block under the other.
func (x *xlsxWriter) summary(r Report) {
	s := SummarySheet
	x.str(s, 1, 1, "Entity List changes: "+r.Label, x.title)
	row := 3
	for _, kv := range [][2]string{
		{"Period", r.period() + " (rules by effective date)"},
		{"Generated", r.generated()},
	} {
		x.str(s, 1, row, kv[0], x.bold)
		x.str(s, 2, row, kv[1], x.nb)
		row++
	}
	x.str(s, 1, row, "Rules", x.bold)
	x.num(s, 2, row, len(r.Rules), x.nb)
	row++
	x.str(s, 1, row, "Changes", x.bold)
	x.num(s, 2, row, r.Totals.Changes, x.nb)
	row += 2

	x.headerRow(s, row, "Action", "Entries")
	row++
	for _, a := range []struct {
		name string
		n    int
	}{{"Added", r.Totals.Added}, {"Removed", r.Totals.Removed}, {"Revised", r.Totals.Revised}, {"Moved", r.Totals.Moved}, {"Total", r.Totals.Changes}} {
		x.str(s, 1, row, a.name, x.nb)
		x.num(s, 2, row, a.n, x.nb)
		row++
	}
	row++

	x.headerRow(s, row, "Destination", "Code", "Added", "Removed", "Revised", "Moved", "Total")
	row++
	for _, d := range r.Totals.ByDestination {
		x.str(s, 1, row, d.Country, x.nb)
		x.str(s, 2, row, d.CountryCode, x.nb)
		for i, n := range []int{d.Added, d.Removed, d.Revised, d.Moved, d.Total} {
			x.num(s, 3+i, row, n, x.nb)
		}
		row++
	}
	row++

	x.headerRow(s, row, "Document", "Title", "Citation", "Published", "Effective", "Changes", "Link")
	row++
	for _, rule := range r.Rules {
		x.str(s, 1, row, rule.Document, x.nb)
		x.str(s, 2, row, rule.Title, x.wrap)
		x.str(s, 3, row, rule.Citation, x.nb)
		x.dateCell(s, 4, row, rule.Published.String())
		x.dateCell(s, 5, row, rule.Effective.String())
		x.str(s, 6, row, rule.summary(), x.wrap)
		x.str(s, 7, row, rule.URL, x.nb)
		if rule.URL != "" {
			x.do(x.f.SetCellHyperLink(s, cell(7, row), rule.URL, "External"))
		}
		row++
	}
	x.widths(s, 34, 40, 22, 13, 13, 22, 44)
}

// changes lays out the Changes sheet: a frozen, filtered header row and
// one row per change.
func (x *xlsxWriter) changes(r Report) {
	s := ChangesSheet
	titles := make([]string, len(changeColumns))
	widths := make([]float64, len(changeColumns))
	for i, col := range changeColumns {
		titles[i], widths[i] = col.title, col.width
	}
	x.headerRow(s, 1, titles...)
	row := 2
	for _, rule := range r.Rules {
		for _, c := range rule.Changes {
			for i, col := range changeColumns {
				v := col.get(rule, c)
				switch {
				case col.date:
					x.dateCell(s, i+1, row, v)
				case col.key == "action":
					x.str(s, i+1, row, actionTitle(c.Action), x.nb)
				default:
					x.str(s, i+1, row, v, x.wrap)
				}
			}
			row++
		}
	}
	x.widths(s, widths...)
	// Freeze the header row: it stays in view while the rows scroll.
	x.do(x.f.SetPanes(s, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}))
	last := cell(len(changeColumns), max(row-1, 1))
	x.do(x.f.AutoFilter(s, "A1:"+last, nil))
}
