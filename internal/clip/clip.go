// Package clip shortens what a client sent before it is quoted back in an
// error detail, so that a response never grows with the size of a hostile
// request.
package clip

import (
	"strconv"
	"unicode/utf8"
)

// Max is the most bytes of one piece of client input an error detail
// quotes; longer input is cut at a rune boundary and "..." is added after
// the closing quote.
const Max = 128

// String returns s cut to at most Max bytes at a rune boundary, with "..."
// appended when it was cut.
func String(s string) string { return To(s, Max) }

// To returns s cut to at most n bytes at a rune boundary, with "..."
// appended when it was cut.
func To(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:cut(s, n)] + "..."
}

// Quote returns s as a Go string literal, cut to at most Max bytes of s,
// with "..." after the closing quote when it was cut.
func Quote(s string) string {
	if len(s) <= Max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:cut(s, Max)]) + "..."
}

// cut returns the length of the longest prefix of s, a string longer
// than n, of at most n bytes that ends at a rune boundary.
func cut(s string, n int) int {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
