package jsonv

import (
	"unicode/utf16"
	"unicode/utf8"
)

// UnescapeAt decodes the escape sequence of a JSON string that starts with
// the backslash at s[i]: the rune it stands for and its length in bytes.
// A \u escape of a UTF-16 high surrogate followed by an escaped low one
// stands for one character (12 bytes); any other surrogate is U+FFFD, as
// encoding/json has it. ok is false when the escape is not valid JSON.
func UnescapeAt[T string | []byte](s T, i int) (r rune, n int, ok bool) {
	if i+1 >= len(s) || s[i] != '\\' {
		return 0, 0, false
	}
	switch s[i+1] {
	case '"', '\\', '/':
		return rune(s[i+1]), 2, true
	case 'b':
		return '\b', 2, true
	case 'f':
		return '\f', 2, true
	case 'n':
		return '\n', 2, true
	case 'r':
		return '\r', 2, true
	case 't':
		return '\t', 2, true
	case 'u':
		r, ok := Hex4(s, i+2)
		if !ok {
			return 0, 0, false
		}
		if !utf16.IsSurrogate(r) {
			return r, 6, true
		}
		if i+7 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
			if r2, ok := Hex4(s, i+8); ok {
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					return dec, 12, true
				}
			}
		}
		return utf8.RuneError, 6, true
	}
	return 0, 0, false
}

// Hex4 decodes the four hexadecimal digits at s[i:].
func Hex4[T string | []byte](s T, i int) (rune, bool) {
	if i < 0 || i+4 > len(s) {
		return 0, false
	}
	var r rune
	for j := i; j < i+4; j++ {
		c := s[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
