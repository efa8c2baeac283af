package filter

import (
	"strconv"
	"unicode/utf8"

	"github.com/scim-go/scim/internal/lex"
)

// SyntaxError reports a filter or path that cannot be parsed. Every error
// returned by [Parse], [ParsePath] and the [Parser] methods is a
// *SyntaxError; match it with errors.As.
//
// Its text is meant for the client that sent the filter (as the detail of an
// invalidFilter or invalidPath error, RFC 7644 §3.12). It quotes only the
// client's own input.
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Msg says what was expected or what is wrong, such as
	// "expected comparison operator".
	Msg string
	// Found is the input token at Offset as written, cut to its first 32
	// bytes (with "..." added when cut). It is empty at the end of the input.
	Found string
}

// Error returns text such as
// `filter: expected comparison operator at offset 9, found "eqq"`.
func (e *SyntaxError) Error() string {
	found := "end of input"
	if e.Found != "" {
		found = strconv.Quote(e.Found)
	}
	return "filter: " + e.Msg + " at offset " + strconv.Itoa(e.Offset) + ", found " + found
}

const maxFound = 32

// tokenAt returns the token of s that starts at offset i, for error messages:
// a string literal, a run of word characters, or a single character.
func tokenAt(s string, i int) string {
	if i >= len(s) {
		return ""
	}
	end := i + 1
	switch c := s[i]; {
	case c == '"':
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' && end+1 < len(s) {
				end++
			}
			end++
		}
		if end < len(s) {
			end++
		}
	case lex.Class[c]&lex.Bare != 0:
		end = lex.Skip(s, end, lex.Bare)
	}
	tok := s[i:end]
	if len(tok) > maxFound {
		cut := maxFound
		for cut > 0 && !utf8.RuneStart(tok[cut]) {
			cut--
		}
		tok = tok[:cut] + "..."
	}
	return tok
}
