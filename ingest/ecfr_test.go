package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/entitywatch/entitywatch"
)

// ecfrFixtures returns the eCFR documents the golden tests cover.
func ecfrFixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../fixtures/ecfr/*.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no eCFR fixtures (%v)", err)
	}
	return files
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const ecfrFixture = "../fixtures/ecfr/title-15-part-744-supp4-2023-03-01.xml"

func TestParseECFR_Golden(t *testing.T) {
	for _, path := range ecfrFixtures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			list, err := ParseECFR(bytes.NewReader(readFile(t, path)))
			if err != nil {
				t.Fatalf("ParseECFR(%s): %v", path, err)
			}
			got, err := json.MarshalIndent(list, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			checkGolden(t, "ecfr-"+strings.TrimSuffix(name, ".xml")+".json", got, "ParseECFR("+path+")")
		})
	}
}

// TestParseECFR_Fixture checks what the golden file holds for the parts of
// the fixture each rule of the parser is there for.
func TestParseECFR_Fixture(t *testing.T) {
	list, err := ParseECFR(bytes.NewReader(readFile(t, ecfrFixture)))
	if err != nil {
		t.Fatal(err)
	}
	if list.Heading != "Supplement No. 4 to Part 744—Entity List" {
		t.Errorf("heading %q", list.Heading)
	}
	perCode := map[string]int{}
	byName := map[string]entitywatch.Entry{}
	for _, e := range list.Entries {
		perCode[e.CountryCode]++
		byName[e.Name] = e
		if len(e.Source) != 5 || e.Source[0] != e.Country {
			t.Errorf("%s: source %q", e.Name, e.Source)
		}
	}
	wantCodes := map[string]int{"AF": 5, "AM": 2, "BY": 2, "CA": 5, "CN": 5, "RU": 5}
	if diff := cmp.Diff(wantCodes, perCode); diff != "" {
		t.Errorf("entries per destination (-want +got):\n%s", diff)
	}
	type parts struct {
		Aliases, Addresses, Citations, Footnotes []string
	}
	tests := []struct {
		name string
		want parts
	}{
		// A name ends at ", a.k.a."; the alias items are <br/> lines.
		{"CPUNTO Inc.", parts{[]string{"CPUNTO"}, []string{"5929 Route Transcanadienne Ste 130 St. Laurent, Quebec H4T 1Z6 Canada"}, []string{"88 FR 12171, 2/27/23"}, []string{"3"}}},
		// An address in a continuation row.
		{"Electronic Network Inc.", parts{[]string{"Electronic Network", "Electronic Network Holdings", "Electronic Network Holdings Inc.", "Electronic Network Incorporated", "Electronic Network Products Inc.", "Electronic's Network & Technology Corp."}, []string{"145 Montee De Liesse Ste 10 St. Laurent, Quebec H4T 1T9 Canada"}, []string{"88 FR 12171, 2/27/23"}, []string{"3"}}},
		// The older alias form without a list.
		{"Alexandre Ivjenko", parts{[]string{"Alexander Ivjenko"}, []string{"7150 Rue Chouinard, Montreal, QC, H8N 2Z6 Canada"}, []string{"77 FR 61256, 10/9/12"}, nil}},
		// A company suffix after a comma belongs to the name.
		{"EKT 2, Inc.", parts{[]string{}, []string{"371 Renforth Drive, Etobicoke M9C 2L8, Toronto, Ontario, Canada"}, []string{"77 FR 24590, 4/25/12"}, nil}},
		{"Forward Electronics, LLC", parts{[]string{}, []string{"86 N Prospect Obukhovskoy Oborony, St. Petersburg, Russia 190000", "Kolomyazhsky Prospect 18, Office 4085 BC “North House,” St. Petersburg, Russia 197348"}, []string{"77 FR 61256, 10/9/12"}, nil}},
		// So does a part of an organization.
		{"Academy of Military Medical Sciences, Field Blood Transfusion Institution", parts{[]string{}, []string{"27 Taiping Road, Haidian District, Beijing, 100850, China"}, []string{"86 FR 71559, 12/17/21"}, nil}},
		// Short place names ending with the destination are an address.
		{"Afghan-German Construction Company", parts{[]string{}, []string{"Golaye Park, Shari Naw, Kabul, Afghanistan, and Dasht Qala, Takhar Province, Afghanistan"}, []string{"77 FR 25057, 4/27/12"}, nil}},
		{"Onyx Construction Company", parts{[]string{}, []string{"Shahr-e-Now, Charahi Haji Yaqoub, In front of the AIB Bank, District 10, Kabul, Afghanistan", "Char Rahi Ansari, Toaward Kolola Poshta, Shar-Naw Kabul, Afghanistan 11496"}, []string{"77 FR 25057, 4/27/12"}, nil}},
		{"Triangle Technologies", parts{[]string{}, []string{"Afghanistan"}, []string{"77 FR 25057, 4/27/12"}, nil}},
		// Hong Kong is folded under China; two citations.
		{"ACTeam Logistics Ltd.", parts{[]string{}, []string{"Unit B1-B3, 21/F, Block B, Kong Nam Industrial Building, 603-609 Castle Peak Road, Tsuen Wan, N.T., Hong Kong"}, []string{"75 FR 7359, 2/19/10", "85 FR 83769, 12/23/20"}, nil}},
	}
	for _, tt := range tests {
		e, ok := byName[tt.name]
		if !ok {
			t.Errorf("no entry named %q", tt.name)
			continue
		}
		got := parts{e.Aliases, e.Addresses, e.Citations, e.Footnotes}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if e := byName["ACTeam Logistics Ltd."]; e.CountryCode != "CN" {
		t.Errorf("ACTeam Logistics Ltd. under %s, want CN", e.CountryCode)
	}
	// The one entry whose name the parser cannot tell from its text is
	// kept whole and named in a warning; so is the footnote the excerpt
	// does not explain.
	wantWarnings := []string{
		`table 1 row 8: BELARUS "The Ministry of Defence of the Republic of Belarus, including the Armed": cannot tell where the name ends and the address begins (no part of the text reads as an address); the whole text is kept as the name`,
		"footnote 3 is marked on 5 entries but the document does not print its text",
	}
	if diff := cmp.Diff(wantWarnings, list.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// ecfrDoc wraps table rows (TR elements) in an appendix response of the
// current versioner markup.
func ecfrDoc(rows string, extra ...string) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX">
<HEAD>Supplement No. 4 to Part 744&#x2014;Entity List</HEAD>
<DIV width="100%%"><DIV class="gpotbl_div">
<TABLE border="1" cellpadding="1" cellspacing="1" class="gpo_table" frame="void" width="100%%">
<THEAD><TR><TH>Country</TH><TH>Entity</TH><TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR></THEAD>
<TBODY>%s</TBODY>%s
</TABLE></DIV></DIV>
</DIV9>
`, rows, strings.Join(extra, ""))
}

// tr returns a table row of the current markup.
func tr(cells ...string) string {
	var b strings.Builder
	b.WriteString("\n<TR>")
	for _, c := range cells {
		if c == "" {
			b.WriteString(`<TD class="left"/>`)
			continue
		}
		fmt.Fprintf(&b, `<TD class="left">%s</TD>`, c)
	}
	b.WriteString("</TR>")
	return b.String()
}

const (
	exLicense = "For all items subject to the EAR. (See § 744.11 of the EAR)"
	exPolicy  = "Presumption of denial."
	exCite    = "95 FR 1000, 1/2/30."
)

// TestParseECFR_Markup reads the markup variants of the eCFR: the current
// one (THEAD, TBODY, TFOOT footnotes), the older one without them (TH row
// first, footnotes in a table_foot DIV, a row one cell short, HONG KONG
// still a destination), the FR's GPOTABLE, and the whole part.
func TestParseECFR_Markup(t *testing.T) {
	fixture := readFile(t, ecfrFixture)
	_, supp, _ := bytes.Cut(fixture, []byte("?>"))
	type want struct {
		names     []string
		codes     []string
		footnotes map[string]string
		warnings  []string
	}
	tests := []struct {
		name string
		doc  []byte
		want want
	}{
		{
			name: "tfoot_and_address_only",
			doc: ecfrDoc(
				tr("CHINA, PEOPLE'S REPUBLIC OF", "Address: Room 1, 1/F, Example Building, 1 Example Road, Kowloon, Hong Kong.", "For items on the CCL.<sup>4</sup>", exPolicy, exCite)+
					tr("", "Address 02 Unit 2, Example Tower, 2 Example Street, Kowloon, Hong Kong.", "For items on the CCL.<sup>4</sup>", exPolicy, exCite)+
					tr("", "Example Alpha Trading Co., Limited, Room 3, Example Plaza, 3 Example Road, Shenzhen, China.", exLicense, exPolicy, exCite),
				`<TFOOT><TR><TD colspan="5"><sup>4</sup> Example footnote four.</TD></TR></TFOOT>`),
			want: want{
				names:     []string{"Address: Room 1, 1/F, Example Building, 1 Example Road, Kowloon, Hong Kong", "Address 02 Unit 2, Example Tower, 2 Example Street, Kowloon, Hong Kong", "Example Alpha Trading Co., Limited"},
				codes:     []string{"CN", "CN", "CN"},
				footnotes: map[string]string{"4": "Example footnote four."},
			},
		},
		{
			name: "older_markup",
			doc: []byte(`<?xml version="1.0" encoding="UTF-8"?>
<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX">
<HEAD>Supplement No. 4 to Part 744&#x2014;Entity List</HEAD>
<DIV width="100%"><DIV class="gpotbl_div">
<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">
<TR><TH class="gpotbl_colhed" scope="col">Country</TH><TH class="gpotbl_colhed" scope="col">Entity</TH><TH class="gpotbl_colhed" scope="col">License requirement</TH><TH class="gpotbl_colhed" scope="col">License review policy</TH><TH class="gpotbl_colhed" scope="col">Federal Register citation</TH></TR>
<TR><TD align="left" class="gpotbl_cell" scope="row">HONG KONG</TD><TD align="left" class="gpotbl_cell">Example Beta Ltd., Flat 4, 4 Example Street, Kowloon, Hong Kong.</TD><TD align="left" class="gpotbl_cell">For all items subject to the EAR.<sup>1</sup></TD><TD align="left" class="gpotbl_cell">Presumption of denial.</TD><TD align="left" class="gpotbl_cell">95 FR 1000, 1/2/30.</TD></TR>
<TR><TD align="left" class="gpotbl_cell">Example Gamma Ltd., Flat 5, 5 Example Street, Kowloon, Hong Kong.</TD><TD align="left" class="gpotbl_cell">For all items subject to the EAR.</TD><TD align="left" class="gpotbl_cell">Presumption of denial.</TD><TD align="left" class="gpotbl_cell">95 FR 1000, 1/2/30.</TD></TR>
</TABLE></DIV>
<DIV class="table_foot"><P class="gpotbl_note"><sup>1</sup> Example footnote one.</P></DIV></DIV>
</DIV9>`),
			want: want{
				names:     []string{"Example Beta Ltd.", "Example Gamma Ltd."},
				codes:     []string{"HK", "HK"},
				footnotes: map[string]string{"1": "Example footnote one."},
				warnings:  []string{`table 1 row 2: the row has four cells and no destination cell; read as an entry under the destination above: "Example Gamma Ltd., Flat 5, 5 Example Street, Kowloon, Hong Kong."`},
			},
		},
		{
			name: "gpotable",
			doc: []byte(`<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX"><HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>
<GPOTABLE COLS="5"><BOXHD><CHED H="1">Country</CHED><CHED H="1">Entity</CHED><CHED H="1">License requirement</CHED><CHED H="1">License review policy</CHED><CHED H="1">Federal Register citation</CHED></BOXHD>
<ROW><ENT I="01">PAKISTAN</ENT><ENT>Example Delta (Pvt) Ltd., a.k.a., the following two aliases:<LI>—Delta; <E T="03">and</E></LI><LI>—Example Delta.</LI><LI>Plot 6, Example Road, Karachi, Pakistan.</LI></ENT><ENT>For all items subject to the EAR.<SU>2</SU></ENT><ENT>Presumption of denial.</ENT><ENT>95 FR 1000, 1/2/30.</ENT></ROW>
<TNOTE><SU>2</SU> Example footnote two.</TNOTE>
</GPOTABLE></DIV9>`),
			want: want{
				names:     []string{"Example Delta (Pvt) Ltd."},
				codes:     []string{"PK"},
				footnotes: map[string]string{"2": "Example footnote two."},
			},
		},
		{
			name: "whole_part",
			doc: append(append([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<DIV5 N="744" TYPE="PART" VOLUME="2"><HEAD>PART 744&#x2014;CONTROL POLICY: END-USER AND END-USE BASED</HEAD>
<DIV8 N="744.16" TYPE="SECTION"><HEAD>&#xA7; 744.16 Entity List.</HEAD><P>(a) Example section text.</P></DIV8>
<DIV9 N="Supplement No. 2 to Part 744" TYPE="APPENDIX"><HEAD>Supplement No. 2 to Part 744&#x2014;Example</HEAD>
<DIV width="100%"><DIV class="gpotbl_div"><TABLE><TR><TH>Item</TH></TR><TR><TD>Example</TD></TR></TABLE></DIV></DIV></DIV9>
`), supp...), `<DIV9 N="Supplement No. 5 to Part 744" TYPE="APPENDIX"><HEAD>Supplement No. 5 to Part 744&#x2014;Example</HEAD><P>Example.</P></DIV9>
</DIV5>
`...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := ParseECFR(bytes.NewReader(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "whole_part" {
				alone, err := ParseECFR(bytes.NewReader(fixture))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(alone, list); diff != "" {
					t.Errorf("the whole part reads otherwise than the appendix alone (-appendix +part):\n%s", diff)
				}
				return
			}
			var got want
			for _, e := range list.Entries {
				got.names = append(got.names, e.Name)
				got.codes = append(got.codes, e.CountryCode)
			}
			got.footnotes = list.Footnotes
			got.warnings = list.Warnings
			if len(got.warnings) == 0 {
				got.warnings = nil
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSplitECFREntity covers the name-end heuristic on entity cells as the
// Entity List prints them (texts from the list; "Example" ones made up).
func TestSplitECFREntity(t *testing.T) {
	tests := []struct {
		cell      string
		name      string
		aliases   []string
		addresses []string
		problem   string // part of the one problem expected, if any
	}{
		{cell: "Huawei Technologies Canada Co., Ltd., Markham, ON, Canada.", name: "Huawei Technologies Canada Co., Ltd.", addresses: []string{"Markham, ON, Canada"}},
		{cell: "Huawei Cloud Argentina, Buenos Aires, Argentina.", name: "Huawei Cloud Argentina", addresses: []string{"Buenos Aires, Argentina"}},
		{cell: "Dimitar Milanov Dimitrov, G.K. Dianabad, BL.57, ET.11, AP.74. Sofia, Bulgaria.", name: "Dimitar Milanov Dimitrov", addresses: []string{"G.K. Dianabad, BL.57, ET.11, AP.74. Sofia, Bulgaria"}},
		{cell: "Foreign Intelligence Service (SVR), Yasenevo 11 Kolpachny, Moscow, 0101000.", name: "Foreign Intelligence Service (SVR)", addresses: []string{"Yasenevo 11 Kolpachny, Moscow, 0101000"}},
		{cell: "Gulf Gate Sea Cargo LLC, Gulzaad Market Building, 4th Floor, Room 2, Kabul, Afghanistan.", name: "Gulf Gate Sea Cargo LLC", addresses: []string{"Gulzaad Market Building, 4th Floor, Room 2, Kabul, Afghanistan"}},
		{cell: "Federal State Unitary Enterprise Scientific Production Enterprise “GAMMA”, Ul. Profsoyuznaya d. 78 str. 4, Moscow, 117393, Russia.", name: "Federal State Unitary Enterprise Scientific Production Enterprise “GAMMA”", addresses: []string{"Ul. Profsoyuznaya d. 78 str. 4, Moscow, 117393, Russia"}},
		{cell: "Beltechexport, CJSC, 86-B Nezavisimosti Ave., Minsk, 220012, Belarus.", name: "Beltechexport, CJSC", addresses: []string{"86-B Nezavisimosti Ave., Minsk, 220012, Belarus"}},
		{cell: "Academy of Military Medical Sciences, Institute of Basic Medicine, 27 Taiping Road, Haidian District, Beijing, 100850, China.", name: "Academy of Military Medical Sciences, Institute of Basic Medicine", addresses: []string{"27 Taiping Road, Haidian District, Beijing, 100850, China"}},
		{cell: "Joint Stock Company, 121 Aviation Repair Plant, 10 Pochtovaya Street, Moscow Oblast, Russia.", name: "Joint Stock Company, 121 Aviation Repair Plant", addresses: []string{"10 Pochtovaya Street, Moscow Oblast, Russia"}},
		{cell: "Bel Huawei Technologies LLC. 5 Dzerzhinsky Ave., Minsk, 220036, Belarus.", name: "Bel Huawei Technologies LLC", addresses: []string{"5 Dzerzhinsky Ave., Minsk, 220036, Belarus"}},
		{cell: "Magtech, a.k.a., M.A.G. Tech, 5762 Royalmount Ave, Montreal, QC, H4P 1K5, Canada; and 5440 Queen Mart St., Office 103, Montreal, Canada.", name: "Magtech", aliases: []string{"M.A.G. Tech"}, addresses: []string{"5762 Royalmount Ave, Montreal, QC, H4P 1K5, Canada", "5440 Queen Mart St., Office 103, Montreal, Canada"}},
		{cell: "Huawei OpenLab Moscow, a.k.a., Huawei Moscow OpenLab, Moscow, Russia.", name: "Huawei OpenLab Moscow", aliases: []string{"Huawei Moscow OpenLab"}, addresses: []string{"Moscow, Russia"}},
		{cell: "Bel Huawei Technologies LLC, a.k.a., the following one alias: —BellHuawei Technologies LLC. 5 Dzerzhinsky Ave., Minsk, 220036, Belarus.", name: "Bel Huawei Technologies LLC", aliases: []string{"BellHuawei Technologies LLC"}, addresses: []string{"5 Dzerzhinsky Ave., Minsk, 220036, Belarus"}},
		{cell: "Zurab Kartvelishvili.", name: "Zurab Kartvelishvili"},
		{cell: "The following Department of Atomic Energy entities: —Example Atomic Power Station, Example City.", name: "The following Department of Atomic Energy entities: —Example Atomic Power Station, Example City"},
		{cell: "Address: Room 1, Example Building, Kowloon, Hong Kong.", name: "Address: Room 1, Example Building, Kowloon, Hong Kong."},
		// Uncertain: the whole text is the name, with a problem.
		{cell: "Example Holding, Example Trade, Moscow.", name: "Example Holding, Example Trade, Moscow", problem: "cannot tell where the name ends and the address begins"},
		{cell: "Example Holding, Example Trade and Supply of Goods, 1 Example Street, Moscow, Russia.", name: "Example Holding, Example Trade and Supply of Goods, 1 Example Street, Moscow, Russia", problem: `"Example Trade and Supply of Goods" may begin the address or belong to the name`},
		// Short place names before the first street part still make an
		// address when the list ends with a destination.
		{cell: "Example Holding, Example Trade, 1 Example Street, Moscow, Russia.", name: "Example Holding", addresses: []string{"Example Trade, 1 Example Street, Moscow, Russia"}},
		{cell: "Example Epsilon, a.k.a., Example Eps, Example Trade, Moscow.", name: "Example Epsilon", aliases: []string{"Example Eps, Example Trade, Moscow"}, problem: "cannot tell where the alias ends"},
		{cell: "Example Zeta, a.k.a., the following two aliases: —Zeta. Example Street 1, Moscow, Russia.", name: "Example Zeta", problem: "announces 2 aliases but lists 1"},
		{cell: "Example Eta, 7 Example Road, Minsk, Belarus, a.k.a., the following one alias: —Eta. Minsk, Belarus.", name: "Example Eta, 7 Example Road, Minsk, Belarus", aliases: []string{"Eta"}, addresses: []string{"Minsk, Belarus"}, problem: "seems to hold an address"},
	}
	for _, tt := range tests {
		t.Run(firstWords(tt.cell, 4), func(t *testing.T) {
			et, problems := splitECFREntity(tt.cell)
			if et.name != tt.name || !reflect.DeepEqual(nonNil(et.aliases), nonNil(tt.aliases)) || !reflect.DeepEqual(nonNil(et.addresses), nonNil(tt.addresses)) {
				t.Errorf("got name %q aliases %q addresses %q\nwant name %q aliases %q addresses %q", et.name, et.aliases, et.addresses, tt.name, tt.aliases, tt.addresses)
			}
			switch {
			case tt.problem == "" && len(problems) > 0:
				t.Errorf("unexpected problems %q", problems)
			case tt.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0], tt.problem)):
				t.Errorf("problems %q, want one with %q", problems, tt.problem)
			}
		})
	}
}

func TestParseECFR_BadInput(t *testing.T) {
	fixture := readFile(t, ecfrFixture)
	mutated := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(fixture, []byte(old)) {
			t.Fatalf("fixture has no %q", old)
		}
		return bytes.Replace(fixture, []byte(old), []byte(new), 1)
	}
	tests := []struct {
		name     string
		doc      []byte
		sentinel error
		contains string
	}{
		{"empty", nil, entitywatch.ErrMalformed, "empty document"},
		{"malformed_xml", []byte(`<DIV9 N="Supplement No. 4 to Part 744"><HEAD>x</DIV9>`), entitywatch.ErrMalformed, "line 1"},
		{"truncated", fixture[:len(fixture)/2], entitywatch.ErrMalformed, "truncated"},
		{"html_error_page", []byte("<!DOCTYPE html><html><head><title>Request Rejected</title></head><body><h1>Request Rejected</h1><p>The requested URL was rejected.</p></body></html>"), entitywatch.ErrNotARule, "HTML page"},
		{"xhtml_error_page", []byte(`<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Service Unavailable</p></body></html>`), entitywatch.ErrNotARule, "HTML page"},
		{"json_error", []byte(`{"error":"This endpoint requires response compression"}`), entitywatch.ErrNotARule, "JSON"},
		{"other_part", []byte(`<?xml version="1.0"?><DIV5 N="746" TYPE="PART"><HEAD>PART 746&#x2014;EMBARGOES AND OTHER SPECIAL CONTROLS</HEAD></DIV5>`), entitywatch.ErrNotARule, "holds no Supplement No. 4 to Part 744"},
		{"unknown_heading", mutated(">AFGHANISTAN<", ">NARNIA<"), entitywatch.ErrUnknownDestination, `table 1 row 1: unknown destination heading "NARNIA"`},
		{"no_table", []byte(`<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX"><HEAD>Supplement No. 4 to Part 744&#x2014;Entity List</HEAD><P>[Reserved]</P></DIV9>`), entitywatch.ErrMalformed, "holds no table"},
		{"no_entries", ecfrDoc(""), entitywatch.ErrMalformed, "holds no entries"},
		{"wrong_columns", mutated(">License review policy<", ">Reason<"), entitywatch.ErrUnaccounted, "are not the Entity List's"},
		{"license_without_entity", ecfrDoc(tr("CANADA", "", exLicense, exPolicy, exCite)), entitywatch.ErrUnaccounted, "table 1 row 1: rule not fully accounted for: row has license or citation text but no entity"},
		{"entry_before_heading", ecfrDoc(tr("", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, exPolicy, exCite)), entitywatch.ErrUnaccounted, "entity row before any destination heading"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := ParseECFR(bytes.NewReader(tt.doc))
			if err == nil {
				t.Fatalf("ParseECFR succeeded with %d entries, want an error", len(list.Entries))
			}
			checkParseError(t, list != nil, err, tt.sentinel, tt.contains)
		})
	}
}

// TestParseECFR_Warnings checks the oddities that leave the list usable
// but must not pass silently.
func TestParseECFR_Warnings(t *testing.T) {
	tests := []struct {
		name, rows, want string
	}{
		{"no_citation", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, exPolicy, ""), `table 1 row 1: CANADA "Example Alpha Ltd., 1 Example Road, Toronto, Canada.": no Federal Register citation`},
		{"bad_citation", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, exPolicy, "see the earlier rule"), `cannot read a Federal Register citation in "see the earlier rule"`},
		{"no_policy", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, "", exCite), "no license review policy"},
		{"listed_twice", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, exPolicy, exCite) + tr("", "Example Alpha Ltd., 2 Example Road, Toronto, Canada.", exLicense, exPolicy, exCite), `table 1 row 2: CANADA "Example Alpha Ltd." is listed twice (also table 1 row 1)`},
		{"continuation_row_not_an_address", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense, exPolicy, exCite) + tr("", "Example Beta Trading Ltd., 2 Example Road, Toronto, Canada.", "", "", ""), `does not read as an address: "Example Beta Trading Ltd., 2 Example Road, Toronto, Canada."`},
		{"footnote_without_text", tr("CANADA", "Example Alpha Ltd., 1 Example Road, Toronto, Canada.", exLicense+"<sup>1</sup>", exPolicy, exCite), "footnote 1 is marked on 1 entries but the document does not print its text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := ParseECFR(bytes.NewReader(ecfrDoc(tt.rows)))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(list.Warnings, "\n"), tt.want) {
				t.Errorf("warnings %q lack %q", list.Warnings, tt.want)
			}
		})
	}
}

// checkECFR holds for any input: no panic, an error that wraps a sentinel,
// or a list of named entries that parses the same way twice.
func checkECFR(t *testing.T, data []byte) {
	list, err := ParseECFR(bytes.NewReader(data))
	if err != nil {
		if list != nil {
			t.Fatalf("list returned with error %v", err)
		}
		for _, s := range []error{entitywatch.ErrMalformed, entitywatch.ErrNotARule, entitywatch.ErrUnaccounted, entitywatch.ErrUnknownDestination} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	}
	if len(list.Entries) == 0 {
		t.Fatal("a list without entries and no error")
	}
	for i, e := range list.Entries {
		if e.CountryCode == "" || strings.TrimSpace(e.Name) == "" || len(e.Source) != 5 {
			t.Fatalf("entry %d: country %q name %q source %q", i, e.CountryCode, e.Name, e.Source)
		}
	}
	again, err := ParseECFR(bytes.NewReader(data))
	if err != nil || !reflect.DeepEqual(list, again) {
		t.Fatalf("second parse differs (err %v)", err)
	}
}

func FuzzParseECFR(f *testing.F) {
	for _, path := range ecfrFixtures(f) {
		f.Add(readFile(f, path))
	}
	f.Add(ecfrDoc(tr("CANADA", "Example Alpha Ltd., a.k.a., Example A, 1 Example Road, Toronto, Canada.", exLicense+"<sup>1</sup>", exPolicy, exCite), `<TFOOT><TR><TD colspan="5"><sup>1</sup> Example.</TD></TR></TFOOT>`))
	f.Fuzz(checkECFR)
}

// largeECFR builds an eCFR document of n entries under a handful of
// destinations, in the current markup: alias lists, addresses with and
// without aliases, footnotes, several citations.
func largeECFR(tb testing.TB, n int) []byte {
	tb.Helper()
	dests := []string{"CANADA", "CHINA, PEOPLE'S REPUBLIC OF", "IRAN", "PAKISTAN", "RUSSIA", "UNITED ARAB EMIRATES"}
	var rows strings.Builder
	for i := range n {
		country := ""
		if i%(n/len(dests)+1) == 0 {
			country = dests[i/(n/len(dests)+1)]
		}
		var entity string
		switch i % 3 {
		case 0:
			entity = fmt.Sprintf("Example Bulk %04d Co., Ltd., a.k.a., the following two aliases:\n\n    \n<br/>—Bulk %04d; <E T=\"03\">and</E>\n\n    <br/>—Example Bulk %04d Electronics Co., Ltd.\n\n    <br/>No. %d Example Road, 3<sup>rd</sup> Floor, Example District, Example City; <E T=\"03\">and</E> Room %d, Example Tower, Example City.", i, i, i, i, i)
		case 1:
			entity = fmt.Sprintf("Example Bulk %04d Trading LLC, Office %d, Example Building, %d Example Street, Example City.", i, i, i)
		default:
			entity = fmt.Sprintf("Example Bulk %04d Institute, Example Branch, Room %d, %d Example Avenue, Example City. (See alternate address under CANADA).", i, i, i)
		}
		rows.WriteString(tr(country, entity, "For all items subject to the EAR. (See §§ 734.9(g),<sup>3</sup> and 744.11 of the EAR)", exPolicy, "\n\n    \n<br/>88 FR 12171, 2/27/23.\n\n    <br/>95 FR 1000, 1/2/30."))
	}
	return ecfrDoc(rows.String(), `<TFOOT><TR><TD colspan="5"><sup>3</sup> Example footnote three.</TD></TR></TFOOT>`)
}

// TestLargeECFR keeps the benchmark's document honest: it must parse to n
// entries with no warnings.
func TestLargeECFR(t *testing.T) {
	list, err := ParseECFR(bytes.NewReader(largeECFR(t, 600)))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Entries) != 600 || len(list.Warnings) != 0 {
		t.Fatalf("%d entries, warnings %q", len(list.Entries), list.Warnings)
	}
	for _, e := range list.Entries[:3] {
		if len(e.Addresses) == 0 || len(e.Citations) != 2 {
			t.Errorf("%s: addresses %q citations %q", e.Name, e.Addresses, e.Citations)
		}
	}
}

// BenchmarkParseECFR parses an eCFR document of 3,500 entries, about the
// size of the whole Entity List.
func BenchmarkParseECFR(b *testing.B) {
	data := largeECFR(b, 3500)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseECFR(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzSplitECFREntity feeds the name-end heuristic entity cells directly:
// it must not panic, and a cell with text always yields a name.
func FuzzSplitECFREntity(f *testing.F) {
	for _, c := range []string{
		"Huawei Technologies Canada Co., Ltd., Markham, ON, Canada.",
		"Magtech, a.k.a., M.A.G. Tech, 5762 Royalmount Ave, Montreal, QC, H4P 1K5, Canada.",
		"Example Alpha Ltd., a.k.a., the following two aliases:\uE000—Alpha; and\uE000—A.\uE000Room 1, 1 Example Road, Kowloon, Hong Kong.",
		"Federal State Unitary Enterprise “GAMMA”, Ul. Profsoyuznaya d. 78 str. 4, Moscow, 117393, Russia. (See alternate address under Belarus).",
		"Address 01 Unit D, 16/F One Capital Place, 18 Luard Rd, Wan Chai, Hong Kong.",
	} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		et, _ := splitECFREntity(cell)
		if strings.TrimSpace(fold(cell)) != "" && et.name == "" && fold(cell) != "." {
			t.Fatalf("no name for %q", cell)
		}
	})
}
