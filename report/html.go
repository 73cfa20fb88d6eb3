package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate renders a report. html/template escapes every value by
// context, in text, attributes, URLs and the SVG chart alike.
var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// HTML writes the report as one self-contained HTML page: inline CSS (with
// print rules, so it prints as filed), an inline SVG bar chart of changes
// per destination, and no scripts, fonts or other outside assets. All text
// from the rules is escaped.
func (r Report) HTML(w io.Writer) error {
	return htmlTemplate.Execute(w, newHTMLView(r))
}

type (
	htmlView struct {
		Report
		Period, Generated string
		Actions           []htmlCount
		Chart             *htmlChart
		Rules             []htmlRule
	}
	htmlCount struct {
		Name  string
		Class string
		N     int
	}
	htmlRule struct {
		Rule
		Anchor  string
		Summary string
		Groups  []htmlGroup
	}
	htmlGroup struct {
		Destination string
		Changes     []htmlChange
	}
	htmlChange struct {
		Change
		ActionTitle string
		Class       string
		MovedFrom   string
		Note        string
		Fields      []htmlField
	}
	htmlField struct {
		Title    string
		Old, New []htmlItem
	}
	// htmlItem is one value of a changed field; Marked when the other
	// side lacks it (deleted from Old, inserted in New).
	htmlItem struct {
		Text   string
		Marked bool
	}
)

func newHTMLView(r Report) htmlView {
	v := htmlView{Report: r, Period: r.period(), Generated: r.generated()}
	v.Actions = []htmlCount{
		{"Added", "add", r.Totals.Added},
		{"Removed", "remove", r.Totals.Removed},
		{"Revised", "revise", r.Totals.Revised},
		{"Moved", "move", r.Totals.Moved},
	}
	if len(r.Totals.ByDestination) > 0 {
		v.Chart = newHTMLChart(r.Totals.ByDestination)
	}
	for _, rule := range r.Rules {
		hr := htmlRule{Rule: rule, Anchor: "doc-" + rule.Document, Summary: rule.summary()}
		for _, c := range rule.Changes {
			d := destination(c.Country, c.CountryCode)
			if len(hr.Groups) == 0 || hr.Groups[len(hr.Groups)-1].Destination != d {
				hr.Groups = append(hr.Groups, htmlGroup{Destination: d})
			}
			g := &hr.Groups[len(hr.Groups)-1]
			hc := htmlChange{Change: c, ActionTitle: actionTitle(c.Action), Class: actionClass(c.Action), Note: changeNote(c)}
			if c.FromCountry != "" || c.FromCountryCode != "" {
				hc.MovedFrom = destination(c.FromCountry, c.FromCountryCode)
			}
			for _, f := range c.Fields {
				hc.Fields = append(hc.Fields, htmlField{Title: fieldTitle(f.Field), Old: marked(f.Old, f.New), New: marked(f.New, f.Old)})
			}
			g.Changes = append(g.Changes, hc)
		}
		v.Rules = append(v.Rules, hr)
	}
	return v
}

// marked returns the values of v, marking those other lacks.
func marked(v, other []string) []htmlItem {
	out := make([]htmlItem, len(v))
	for i, s := range v {
		out[i] = htmlItem{Text: s, Marked: !slices.Contains(other, s)}
	}
	return out
}

// actionClass is the CSS class of an action's colour.
func actionClass(a entitywatch.Action) string {
	switch a {
	case entitywatch.Add, entitywatch.Remove, entitywatch.Revise, entitywatch.Move:
		return string(a)
	}
	return "other"
}

// The chart's colours, one per action, distinct in print and for the
// common forms of colour blindness (Okabe-Ito palette).
var chartColors = map[string]string{
	"add":    "#009E73",
	"remove": "#D55E00",
	"revise": "#0072B2",
	"move":   "#E69F00",
}

type (
	// htmlChart is a horizontal stacked bar chart of changes per
	// destination, laid out here so the template only places shapes.
	htmlChart struct {
		Width, Height int
		Label         string // the chart's accessible description
		Rows          []htmlBar
		Legend        []htmlLegend
		LegendY       int
		LegendTextY   int
		BarH          int
	}
	htmlBar struct {
		Label    string // the destination in full
		Short    string // the destination shortened to fit the label room
		LabelX   int
		TextY    int
		Segments []htmlSegment
		Total    int
		TotalX   string
	}
	htmlSegment struct {
		X, W  string
		Y     int
		Fill  string
		Title string
	}
	htmlLegend struct {
		X, TextX int
		Fill     string
		Name     string
	}
)

const (
	chartWidth  = 720
	chartLabelW = 250 // room for the destination heading
	chartBarMax = 400 // the longest bar
	chartRowH   = 24
	chartBarH   = 16
	chartTop    = 8
	// chartLabelRunes is the longest destination heading the label room
	// holds; longer ones are shortened (in full in the bar's tooltip).
	chartLabelRunes = 28
)

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ,") + "…"
}

func newHTMLChart(dests []DestinationTotal) *htmlChart {
	most := 0
	for _, d := range dests {
		most = max(most, d.Total)
	}
	c := &htmlChart{Width: chartWidth, BarH: chartBarH}
	var desc []string
	for i, d := range dests {
		y := chartTop + i*chartRowH
		bar := htmlBar{Label: destination(d.Country, d.CountryCode), Short: destination(shorten(d.Country, chartLabelRunes), d.CountryCode), TextY: y + chartBarH - 3, Total: d.Total, LabelX: chartLabelW - 8}
		x := float64(chartLabelW)
		for _, s := range []struct {
			n            int
			class, title string
		}{{d.Added, "add", "added"}, {d.Removed, "remove", "removed"}, {d.Revised, "revise", "revised"}, {d.Moved, "move", "moved"}} {
			if s.n == 0 {
				continue
			}
			w := float64(chartBarMax) * float64(s.n) / float64(most)
			bar.Segments = append(bar.Segments, htmlSegment{
				X: fmt.Sprintf("%.1f", x), W: fmt.Sprintf("%.1f", w), Y: y, Fill: chartColors[s.class],
				Title: fmt.Sprintf("%s: %d %s", bar.Label, s.n, s.title),
			})
			x += w
		}
		bar.TotalX = fmt.Sprintf("%.1f", x+6)
		c.Rows = append(c.Rows, bar)
		desc = append(desc, fmt.Sprintf("%s %d", bar.Label, d.Total))
	}
	c.LegendY = chartTop + len(dests)*chartRowH + 8
	c.LegendTextY = c.LegendY + 10
	c.Height = c.LegendY + 24
	for i, a := range []struct{ class, name string }{{"add", "Added"}, {"remove", "Removed"}, {"revise", "Revised"}, {"move", "Moved"}} {
		x := chartLabelW + i*110
		c.Legend = append(c.Legend, htmlLegend{X: x, TextX: x + 18, Fill: chartColors[a.class], Name: a.name})
	}
	c.Label = "Changes per destination: " + strings.Join(desc, ", ")
	return c
}
