package ingest

import (
	"strings"
	"testing"
	"unicode"
)

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

// FuzzFold checks fold against the plain definition: the words of s
// (split at every kind of white space isSpace knows) joined by one space.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "a  b", " x\u00a0\uE000y ", "Société “Kant”\n", "a \t", "\xff \xfe", "a\u2003\u2003b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Join(strings.FieldsFunc(s, isSpace), " ")
		if got := fold(s); got != want {
			t.Fatalf("fold(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestIsSpace(t *testing.T) {
	for r := rune(-1); r <= unicode.MaxRune+1; r++ {
		want := unicode.IsSpace(r) || r == liMark || r == '\u200b'
		if got := isSpace(r); got != want {
			t.Errorf("isSpace(%U) = %v, want %v", r, got, want)
		}
	}
}
