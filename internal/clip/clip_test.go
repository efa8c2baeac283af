package clip

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"bjensen", `"bjensen"`},
		{"a\"b\x00", `"a\"b\x00"`},
		{strings.Repeat("x", Max), `"` + strings.Repeat("x", Max) + `"`},
		{strings.Repeat("x", Max+1), `"` + strings.Repeat("x", Max) + `"...`},
		{strings.Repeat("x", 1<<20), `"` + strings.Repeat("x", Max) + `"...`},
		// A rune is never split: "é" is two bytes, the last one straddling Max.
		{strings.Repeat("x", Max-1) + "é", `"` + strings.Repeat("x", Max-1) + `"...`},
	}
	for _, tt := range tests {
		if got := Quote(tt.in); got != tt.want {
			t.Errorf("Quote(%.20q...) = %.40q..., want %.40q...", tt.in, got, tt.want)
		}
	}
	if got := String(strings.Repeat("é", Max)); len(got) != Max+3 || !strings.HasSuffix(got, "...") {
		t.Errorf("String of %d bytes = %d bytes, want %d", 2*Max, len(got), Max+3)
	}
}

func TestTo(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 0, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc..."},
		// "é" is two bytes: a cut that would split it leaves it out.
		{"abé", 3, "ab..."},
		{"ééé", 5, "éé..."},
		{"é", 1, "..."},
	}
	for _, tt := range tests {
		if got := To(tt.in, tt.n); got != tt.want {
			t.Errorf("To(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
