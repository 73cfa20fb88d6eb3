package ingest

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a"},
		{"a b", "a b"},
		{" a", "a"},
		{"a ", "a"},
		{"a  b", "a b"},
		{"a\nb", "a b"},
		{"a\u00a0b", "a b"},
		{"\u00a0", ""},
		{"Société “Kant”", "Société “Kant”"},
		{"x\uE000y", "x y"},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
