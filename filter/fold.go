package filter

import (
	"cmp"
	"strings"
	"unicode/utf8"

	"github.com/scim-go/scim/internal/fold"
)

// FoldRune returns the case fold of r: one rune that stands for every rune
// r is equal to under simple case folding, the relation strings.EqualFold
// compares runes by. Those runes form r's orbit, the cycle that
// unicode.SimpleFold steps through from r, and FoldRune(a) == FoldRune(b)
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
// FoldRune follows the Unicode version of the Go release's unicode package.
// A rune that is not a valid Unicode code point is returned unchanged.
func FoldRune(r rune) rune { return fold.Rune(r) }

// Fold returns s with every rune replaced by its [FoldRune], so that for
// all strings a and b
//
//	strings.EqualFold(a, b) == (Fold(a) == Fold(b))
//
// A string comparison on an attribute that is not caseExact is defined
// through Fold: eq compares folded strings for equality, co, sw and ew look
// for the folded literal in the folded value, gt, ge, lt and le compare
// folded strings byte by byte (as strings.Compare), and sorting orders by
// the folded strings. A database that computes Fold can therefore give
// exactly the results of [Filter.Match] and [Sort.Compare]; see
// [SQL.Fold].
//
// Like strings.EqualFold and a range loop, Fold reads each byte of s that
// is not part of valid UTF-8 as U+FFFD, so such a byte becomes "\uFFFD" in
// the result, which is always valid UTF-8. Fold(Fold(s)) == Fold(s).
// When s is already folded Fold returns it without allocating.
func Fold(s string) string { return fold.String(s) }

// compareFold returns strings.Compare(Fold(x), Fold(y)) without building
// either. It compares rune by rune, which for valid UTF-8, as folded
// strings are, is the same as byte by byte.
func compareFold(x, y string) int {
	for x != "" && y != "" {
		if a, b := x[0], y[0]; a|b < utf8.RuneSelf {
			if a, b = toLowerASCII(a), toLowerASCII(b); a != b {
				return cmp.Compare(a, b)
			}
			x, y = x[1:], y[1:]
			continue
		}
		r1, n1 := utf8.DecodeRuneInString(x)
		r2, n2 := utf8.DecodeRuneInString(y)
		if r1, r2 = FoldRune(r1), FoldRune(r2); r1 != r2 {
			return cmp.Compare(r1, r2)
		}
		x, y = x[n1:], y[n2:]
	}
	switch {
	case x != "":
		return 1
	case y != "":
		return -1
	}
	return 0
}

// hasPrefixFold reports whether Fold(s) starts with prefix, which is
// folded, without building Fold(s).
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		if a, b := s[0], prefix[0]; a|b < utf8.RuneSelf {
			if toLowerASCII(a) != b {
				return false
			}
			s, prefix = s[1:], prefix[1:]
			continue
		}
		r1, n1 := utf8.DecodeRuneInString(s)
		r2, n2 := utf8.DecodeRuneInString(prefix)
		if FoldRune(r1) != r2 {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

// hasSuffixFold reports whether Fold(s) ends with suffix, which is folded,
// without building Fold(s). Decoding backwards splits s into the same runes
// and invalid bytes as decoding forwards.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		if a, b := s[len(s)-1], suffix[len(suffix)-1]; a|b < utf8.RuneSelf {
			if toLowerASCII(a) != b {
				return false
			}
			s, suffix = s[:len(s)-1], suffix[:len(suffix)-1]
			continue
		}
		r1, n1 := utf8.DecodeLastRuneInString(s)
		r2, n2 := utf8.DecodeLastRuneInString(suffix)
		if FoldRune(r1) != r2 {
			return false
		}
		s, suffix = s[:len(s)-n1], suffix[:len(suffix)-n2]
	}
	return true
}

// containsFold reports whether Fold(s) contains lit, which is folded.
func containsFold(s, lit string) bool {
	n := len(lit)
	if n == 0 {
		return true
	}
	if n > shortLiteral || !isASCII(s) || !isASCII(lit) {
		// Fold s and search in linear time: a naive search for a long
		// literal in a long value would take their product.
		return strings.Contains(Fold(s), lit)
	}
	first := lit[0]
	for i := 0; i+n <= len(s); i++ {
		if toLowerASCII(s[i]) == first && equalLowerASCII(s[i+1:i+n], lit[1:]) {
			return true
		}
	}
	return false
}

// shortLiteral is the longest literal containsFold searches for byte by
// byte, in time proportional to the value's length times this.
const shortLiteral = 16

// equalLowerASCII reports whether s equals lower ignoring ASCII case; both
// have the same length and lower is in lower case.
func equalLowerASCII(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		if toLowerASCII(s[i]) != lower[i] {
			return false
		}
	}
	return true
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
