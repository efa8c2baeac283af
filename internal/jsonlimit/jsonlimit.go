// Package jsonlimit checks the shape of a JSON document before it is
// decoded, so that a hostile body cannot make decoding deep or wide.
package jsonlimit

import (
	"strconv"
	"unicode/utf8"
)

// Limits bounds a JSON document. A zero field is not checked.
type Limits struct {
	MaxDepth   int // nesting of objects and arrays
	MaxMembers int // members of any one object
}

// Error describes the limit a document exceeds.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Check scans data once, without allocating, and reports an *Error if it
// is not valid UTF-8 or exceeds l. Syntax errors are left to the decoder.
func Check(data []byte, l Limits) error {
	if !utf8.Valid(data) {
		return &Error{"request body is not valid UTF-8"}
	}
	var stack [64]int32 // member counts of open objects; -1 for arrays
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if l.MaxDepth > 0 && depth > l.MaxDepth {
				return &Error{"request body nests deeper than " + strconv.Itoa(l.MaxDepth) + " levels"}
			}
			if depth <= len(stack) {
				if c == '{' {
					stack[depth-1] = 0
				} else {
					stack[depth-1] = -1
				}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth > 0 && depth <= len(stack) && stack[depth-1] >= 0 {
				stack[depth-1]++
				if l.MaxMembers > 0 && int(stack[depth-1]) > l.MaxMembers {
					return &Error{"an object in the request body has more than " + strconv.Itoa(l.MaxMembers) + " members"}
				}
			}
		}
	}
	return nil
}
