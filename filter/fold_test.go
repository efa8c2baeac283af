package filter

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// orbit returns the runes equal to r under simple case folding.
func orbit(r rune) []rune {
	o := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		o = append(o, f)
	}
	return o
}

// TestFoldRuneAllRunes checks FoldRune against its definition for every
// rune, and the properties Fold relies on.
func TestFoldRuneAllRunes(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		o := orbit(r)
		least := slices.Min(o)
		want := unicode.ToLower(least)
		if !slices.Contains(o, want) {
			want = least
		}
		got := FoldRune(r)
		if got != want {
			t.Fatalf("FoldRune(%U) = %U, want %U (orbit %U)", r, got, want, o)
		}
		if !slices.Contains(o, got) {
			t.Fatalf("FoldRune(%U) = %U, outside the orbit %U", r, got, o)
		}
		for _, f := range o {
			if FoldRune(f) != got {
				t.Fatalf("FoldRune(%U) = %U but FoldRune(%U) = %U: same orbit %U", r, got, f, FoldRune(f), o)
			}
		}
		if r < utf8.RuneSelf && got != unicode.ToLower(r) {
			t.Fatalf("FoldRune(%q) = %q, not lower case", r, got)
		}
		if want != unicode.ToLower(least) && r != '\u0130' {
			t.Fatalf("FoldRune(%U): the lower case of the orbit's least rune is outside the orbit; only U+0130 was expected", r)
		}
		if utf8.ValidRune(r) && !strings.EqualFold(string(r), string(got)) {
			t.Fatalf("strings.EqualFold(%q, %q) is false", r, got)
		}
	}
	for _, r := range []rune{-1, unicode.MaxRune + 1, 0xD800, 0xDFFF} {
		if got := FoldRune(r); got != r {
			t.Errorf("FoldRune(%U) = %U, want it unchanged", r, got)
		}
	}
}

func TestFold(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"bjensen@example.com", "bjensen@example.com"},
		{"BJensen@Example.COM", "bjensen@example.com"},
		{"ÄBC", "äbc"},
		{"äbc", "äbc"},
		{"\u212Aelvin", "kelvin"}, // KELVIN SIGN
		{"Kelvin", "kelvin"},
		{"ß", "ß"}, // no simple fold to "ss"
		{"ẞ", "ß"},
		{"SS", "ss"},
		{"ǅ", "ǆ"},
		{"Ǆ", "ǆ"},
		{"ǆ", "ǆ"},
		{"ſ", "s"},
		{"ΟΔΥΣΣΕΥΣ", "οδυσσευσ"},
		{"ς", "σ"},
		{"Μ", "µ"}, // GREEK CAPITAL MU folds with MICRO SIGN, the least
		{"μ", "µ"},
		{"Ι", "\u0345"}, // GREEK CAPITAL IOTA, with YPOGEGRAMMENI the least
		{"ι", "\u0345"},
		{"İ", "İ"}, // alone in its orbit
		{"ı", "ı"},
		{"\u2126", "ω"}, // OHM SIGN
		{"\xff", "\uFFFD"},
		{"A\xe2\x84", "a\uFFFD\uFFFD"},
		{"\uFFFD", "\uFFFD"},
		{"x\x00Y", "x\x00y"},
	} {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Fold(tt.want); got != tt.want {
			t.Errorf("Fold(%q) = %q: a fold is its own fold", tt.want, got)
		}
		if utf8.ValidString(tt.in) && !strings.EqualFold(tt.in, tt.want) {
			t.Errorf("strings.EqualFold(%q, %q) is false", tt.in, tt.want)
		}
	}
}

// TestFoldReturnsFolded checks that Fold returns a folded string itself,
// without allocating.
func TestFoldReturnsFolded(t *testing.T) {
	for _, s := range []string{"", "bjensen@example.com", "äbc", "οδυσσευσ", "ǆ", "x\uFFFDy", "日本語"} {
		if got := Fold(s); unsafe.StringData(got) != unsafe.StringData(s) {
			t.Errorf("Fold(%q) returned a copy", s)
		}
		if n := testing.AllocsPerRun(100, func() { _ = Fold(s) }); n != 0 {
			t.Errorf("Fold(%q) allocates %v times", s, n)
		}
	}
}

// foldCorpus holds strings whose folds are worth comparing with each other.
var foldCorpus = []string{
	"", "a", "A", "ab", "AB", "b", "s", "S", "ſ", "ss", "ß", "ẞ", "k", "K", "\u212A",
	"ä", "Ä", "äbc", "ÄBC", "ǅ", "ǆ", "Ǆ", "σ", "ς", "Σ", "µ", "Μ", "μ", "i", "I", "İ", "ı",
	"ΟΔΥΣΣΕΥΣ", "οδυσσευς", "\u212Aelvin", "kelvin", "t", "ÿ", "\xff", "\uFFFD", "a\xe2\x84",
	"x*?[]%_!", "日本",
}

// TestFoldHelpers checks the helpers that compare with folded strings
// without building them against their definitions through Fold.
func TestFoldHelpers(t *testing.T) {
	for _, a := range foldCorpus {
		for _, b := range foldCorpus {
			checkFoldHelpers(t, a, b)
		}
	}
}

func checkFoldHelpers(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := Fold(a), Fold(b)
	if got, want := fa == fb, strings.EqualFold(a, b); got != want {
		t.Fatalf("Fold(%q) == Fold(%q) is %v (%q, %q), strings.EqualFold is %v", a, b, got, fa, fb, want)
	}
	if got, want := compareFold(a, b), strings.Compare(fa, fb); got != want {
		t.Fatalf("compareFold(%q, %q) = %d, want %d", a, b, got, want)
	}
	if got, want := hasPrefixFold(a, fb), strings.HasPrefix(fa, fb); got != want {
		t.Fatalf("hasPrefixFold(%q, %q) = %v, want %v", a, fb, got, want)
	}
	if got, want := hasSuffixFold(a, fb), strings.HasSuffix(fa, fb); got != want {
		t.Fatalf("hasSuffixFold(%q, %q) = %v, want %v", a, fb, got, want)
	}
	if got, want := containsFold(a, fb), strings.Contains(fa, fb); got != want {
		t.Fatalf("containsFold(%q, %q) = %v, want %v", a, fb, got, want)
	}
}

// FuzzFold checks Fold's promises and the helpers on any two strings.
func FuzzFold(f *testing.F) {
	for i, a := range foldCorpus {
		f.Add(a, foldCorpus[(i+1)%len(foldCorpus)])
		f.Add(strings.Repeat(a, 20), a)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		fa := Fold(a)
		if !utf8.ValidString(fa) {
			t.Fatalf("Fold(%q) = %q, not valid UTF-8", a, fa)
		}
		if Fold(fa) != fa {
			t.Fatalf("Fold(%q) = %q, whose fold is %q", a, fa, Fold(fa))
		}
		if want := strings.Map(FoldRune, a); fa != want {
			t.Fatalf("Fold(%q) = %q, want %q", a, fa, want)
		}
		checkFoldHelpers(t, a, b)
		checkFoldHelpers(t, b+a+b, a)
	})
}

// TestCompareFoldOrder shows orders in which Fold and strings.ToLower
// disagree.
func TestCompareFoldOrder(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"ſ", "t", -1},  // "s" < "t", though "ſ" > "t"
		{"ςb", "σa", 1}, // "σb" > "σa", though "ς" < "σ"
		{"İ", "j", 1},   // "İ" stays, though its lower case "i" < "j"
		{"Μ", "ÿ", -1},  // MICRO SIGN < "ÿ", though "μ" > "ÿ"
		{"\u212A", "l", -1},
		{"ß", "ss", 1},
		{"ǅ", "Ǆ", 0},
	} {
		if got := compareFold(tt.a, tt.b); got != tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := compareFold(tt.b, tt.a); got != -tt.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func BenchmarkFold(b *testing.B) {
	for _, bc := range []struct{ name, s string }{
		{"ASCIIFolded", "bjensen@example.com"},
		{"ASCII", "BJensen@Example.COM"},
		{"UnicodeFolded", "ǆemal.ärger@straße.example"},
		{"Unicode", "ǅEMAL.ÄRGER@STRASSE.example"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				foldSink = Fold(bc.s)
			}
		})
	}
}

var foldSink string
