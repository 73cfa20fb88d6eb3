package report

import "testing"

func TestMD(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Inspur Taiwan—R&D Center", "Inspur Taiwan—R&D Center"},
		{"90 FR [INSERT FR PAGE NUMBER], 3/28/2025", "90 FR [INSERT FR PAGE NUMBER], 3/28/2025"},
		{"click [here](https://example.com)", `click \[here\](https://example.com)`},
		{"[x] checked", `\[x] checked`},
		{"a *b* _c_ `d` <e> |f| ~g~ \\h", "a \\*b\\* \\_c\\_ \\`d\\` \\<e\\> \\|f\\| \\~g\\~ \\\\h"},
		{"AT&amp;T &#39;", `AT\&amp;T \&#39;`},
		{"1. First", `1\. First`},
		{"2025) Ltd", `2025\) Ltd`},
		{"2025 Ltd", "2025 Ltd"},
		{"- dash", `\- dash`},
		{"# hash", `\# hash`},
		{"  spaced\n  out  ", "spaced out"},
	}
	for _, tt := range tests {
		if got := md(tt.in); got != tt.want {
			t.Errorf("md(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
