// Package fold is the case fold of the library: the one relation by which
// strings of attributes that are not caseExact are equal and ordered, in
// filters, sorting, uniqueness and the comparison of values. The filter
// package exports it as filter.Fold and filter.FoldRune.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rune returns the case fold of r: one rune that stands for every rune
// r is equal to under simple case folding, the relation strings.EqualFold
// compares runes by. Those runes form r's orbit, the cycle that
// unicode.SimpleFold steps through from r, and Rune(a) == Rune(b)
// exactly when a and b are in the same orbit.
//
// The rune chosen is the lower case of the orbit's least rune, or that
// least rune itself when its lower case is not in the orbit (only U+0130
// LATIN CAPITAL LETTER I WITH DOT ABOVE, whose lower case "i" is in the
// orbit of "I"). So ASCII letters fold to lower case, "Ä" and "ä" to "ä",
// the Kelvin sign U+212A to "k", "ſ" to "s", "ǅ" and "Ǆ" to "ǆ", and
// "ß" stays "ß": simple case folding does not turn it into "ss". The fold
// is not always a lower-case letter: "Μ" and "μ" fold to U+00B5 MICRO
// SIGN, and "Ι" and "ι" to U+0345 COMBINING GREEK YPOGEGRAMMENI, the least
// runes of their orbits.
//
// Rune follows the Unicode version of the Go release's unicode package.
// A rune that is not a valid Unicode code point is returned unchanged.
func Rune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	f := unicode.SimpleFold(r)
	if f == r {
		// r is alone in its orbit, and is its own fold even if its lower
		// case, as for U+0130, differs.
		return r
	}
	least := min(r, f)
	for g := unicode.SimpleFold(f); g != r; g = unicode.SimpleFold(g) {
		least = min(least, g)
	}
	lower := unicode.ToLower(least)
	if lower == least {
		return least
	}
	for g := unicode.SimpleFold(least); g != least; g = unicode.SimpleFold(g) {
		if g == lower {
			return lower
		}
	}
	return least
}

// String returns s with every rune replaced by its [Rune], so that
// strings.EqualFold(a, b) == (String(a) == String(b)). A byte of s that is
// not valid UTF-8 reads as U+FFFD, as in strings.EqualFold. When s is
// already folded, String returns it without allocating.
func String(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				return foldFrom(s, i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if n == 1 || Rune(r) != r {
			// n == 1 for a byte that is not valid UTF-8.
			return foldFrom(s, i)
		}
		i += n
	}
	return s
}

// foldFrom returns String(s), where s[:i] is already folded.
func foldFrom(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(toLowerASCII(c))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(Rune(r))
		i += n
	}
	return b.String()
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
