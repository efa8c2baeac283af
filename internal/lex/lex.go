// Package lex reads the tokens that SCIM filters and attribute paths are
// made of (RFC 7644 §3.4.2.2): the character classes of names, bare words
// and white space, JSON numbers, and JSON strings. Package filter parses
// filters and PATCH paths with it, and package resource the value filters
// of Accessor paths, so that both read a token the same way.
package lex

import (
	"unicode/utf8"

	"github.com/scim-go/scim/internal/jsonv"
)

// Character classes, as bits of Class.
const (
	Space    = 1 << iota // separates tokens: space, tab, CR, LF
	Word                 // may appear in an attribute path
	Bare                 // may appear in an unquoted value
	Alpha                // ALPHA
	NameChar             // ALPHA, DIGIT, "-" or "_"
)

// Class holds the classes of each byte.
var Class = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			t[c] = Word | Alpha | NameChar
		case '0' <= c && c <= '9', c == '-', c == '_':
			t[c] = Word | NameChar
		case c == '.', c == ':', c == '$':
			t[c] = Word
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			t[c] |= Space
		case '(', ')', '[', ']', '"':
		default:
			if c > ' ' {
				t[c] |= Bare
			}
		}
	}
	return t
}()

// Skip returns the end of the run of bytes of class class at s[i:].
func Skip(s string, i int, class uint8) int {
	for i < len(s) && Class[s[i]]&class != 0 {
		i++
	}
	return i
}

// IsAttrName reports whether s is an ATTRNAME of RFC 7643 §2.1
// (ALPHA *(nameChar)), optionally preceded by "$" as in "$ref".
func IsAttrName(s string) bool {
	if s != "" && s[0] == '$' {
		s = s[1:]
	}
	if s == "" || Class[s[0]]&Alpha == 0 {
		return false
	}
	for i := 1; i < len(s); i++ {
		if Class[s[i]]&NameChar == 0 {
			return false
		}
	}
	return true
}

// IsNumber reports whether s is a JSON number (RFC 8259 §6).
func IsNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(s) && s[i]|0x20 == 'e' {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func digits(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// An Error is a token that cannot be read: what is wrong, and the offset
// in the input where it is.
type Error struct {
	Off int
	Msg string
}

// NulInString is the error for a string that holds U+0000. SCIM values
// never hold it, and PostgreSQL cannot take it in a text argument.
const NulInString = "a string may not contain U+0000"

// String reads the JSON string at s[i], which is '"', and returns its
// value and the offset after its closing quote. The value is a substring
// of s unless the string has escapes; an unpaired surrogate escape becomes
// U+FFFD, as in encoding/json. A control character, invalid UTF-8, an
// invalid escape, U+0000 and a missing closing quote are errors.
func String(s string, i int) (v string, end int, err *Error) {
	start := i
	escaped, high := false, false
	for i++; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			break
		}
		switch {
		case c == '\\':
			escaped = true
			i++
		case c < 0x20:
			return "", 0, &Error{i, "control character in string"}
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	if i >= len(s) {
		return "", 0, &Error{start, "unterminated string"}
	}
	raw := s[start+1 : i]
	if high && !utf8.ValidString(raw) {
		return "", 0, &Error{BadUTF8(raw, start+1), "invalid UTF-8 in string"}
	}
	if !escaped {
		return raw, i + 1, nil
	}
	v, err = unescape(raw, start+1)
	return v, i + 1, err
}

// BadUTF8 returns the offset of the first invalid UTF-8 sequence in raw,
// which starts at offset off.
func BadUTF8(raw string, off int) int {
	for len(raw) > 0 {
		r, size := utf8.DecodeRuneInString(raw)
		if r == utf8.RuneError && size == 1 {
			break
		}
		raw, off = raw[size:], off+size
	}
	return off
}

// unescape decodes the JSON escapes in raw, which starts at offset off,
// just after the opening quote. An escaped U+0000 is an error at the
// opening quote.
func unescape(raw string, off int) (string, *Error) {
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		r, n, ok := jsonv.UnescapeAt(raw, i)
		if !ok {
			return "", &Error{off + i, "invalid escape sequence in string"}
		}
		if r == 0 {
			return "", &Error{off - 1, NulInString}
		}
		b = utf8.AppendRune(b, r)
		i += n
	}
	return string(b), nil
}
