package ingest

import (
	"bytes"
	"fmt"
	"os"
	"testing"
)

func benchmarkParse(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRule(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseRule parses the largest fixture and a rule of about 300 KB
// (480 entries) built from numbered example rows (the target: a 300 KB rule in
// under 10 ms on one core).
func BenchmarkParseRule(b *testing.B) {
	largest, size := "", 0
	for _, path := range documents(b) {
		fi, err := os.Stat(path)
		if err == nil && int(fi.Size()) > size && bytes.HasSuffix([]byte(path), []byte(".xml")) {
			largest, size = path, int(fi.Size())
		}
	}
	data, err := os.ReadFile(largest)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("largest_fixture", func(b *testing.B) { benchmarkParse(b, data) })
	// About 480 entries make the 300 KB rule of the target.
	b.Run("300KB_rule", func(b *testing.B) { benchmarkParse(b, largeRule(b, 480)) })
}

// largeRule builds a valid rule of n added entries under CHINA by
// repeating one row of the synthetic document with numbered names.
func largeRule(tb testing.TB, n int) []byte {
	tb.Helper()
	var names, rows bytes.Buffer
	for i := range n {
		name := fmt.Sprintf("Example Bulk Trading %03d Co., Ltd.", i)
		fmt.Fprintf(&names, "“%s”; ", name)
		fmt.Fprintf(&rows, `<ROW>
<ENT I="22"> </ENT>
<ENT>%s, a.k.a., the following three aliases:<LI>—Bulk %03d;</LI><LI>—Example Bulk %03d Electronics (Shenzhen) Co., Ltd.; <E T="03">and</E></LI><LI>—EB%03d Co., Ltd.</LI><LI>No. %d Example Road, 3<SU>rd</SU> Floor, Nanshan District, Shenzhen, China; <E T="03">and</E> Room %d, Example Tower, Pudong, Shanghai, China.</LI></ENT>
<ENT>For all items subject to the EAR. (See §§ 734.9(e),<SU>1</SU> and 744.11 of the EAR).</ENT>
<ENT>Presumption of denial.</ENT>
<ENT>95 FR [INSERT FR PAGE NUMBER], 1/2/2030.</ENT>
</ROW>
`, name, i, i, i, i, i)
	}
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<RULE><PREAMB><SUBJECT>Additions to the Entity List (benchmark)</SUBJECT>
<SUM><HD SOURCE="HED">SUMMARY:</HD><P>BIS amends the EAR by adding %d entities to the Entity List under the destination of China, People's Republic of (China) (%d).</P></SUM>
<EFFDATE><HD SOURCE="HED">DATES:</HD><P>This rule is effective January 2, 2030.</P></EFFDATE></PREAMB>
<SUPLINF><REGTEXT TITLE="15" PART="744"><AMDPAR>2. Supplement No. 4 to part 744 is amended by adding under CHINA, PEOPLE'S REPUBLIC OF, in alphabetical order, entries for %s</AMDPAR>
<GPOTABLE COLS="5"><BOXHD><CHED H="1">Country</CHED><CHED H="1">Entity</CHED><CHED H="1">License requirement</CHED><CHED H="1">License review policy</CHED><CHED H="1">Federal Register citation</CHED></BOXHD>
<ROW><ENT I="01">CHINA, PEOPLE'S REPUBLIC OF</ENT><ENT I="28">*  *  *</ENT></ROW>
%s</GPOTABLE></REGTEXT>
<FRDOC>[FR Doc. 2030-00002 Filed 1-2-30; 8:45 am]</FRDOC></SUPLINF></RULE>
`, n, n, names.String(), rows.String())
	return []byte(doc)
}

// TestLargeRule keeps the benchmark's document honest: it must parse to
// n additions with no warnings.
func TestLargeRule(t *testing.T) {
	rule, err := ParseRule(bytes.NewReader(largeRule(t, 300)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rule.Changes) != 300 || len(rule.Warnings) != 0 {
		t.Fatalf("%d changes, warnings %q", len(rule.Changes), rule.Warnings)
	}
}
