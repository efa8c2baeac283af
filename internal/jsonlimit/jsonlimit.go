// Package jsonlimit checks the shape of a JSON document before it is
// decoded, so that a hostile body cannot make decoding deep or wide, and
// finds what encoding/json would decode without a trace: a lone UTF-16
// surrogate escape, which it silently turns into U+FFFD.
package jsonlimit

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scim-go/scim/internal/jsonv"
)

// Limits bounds a JSON document. A zero field is not checked.
type Limits struct {
	MaxDepth   int // nesting of objects and arrays
	MaxMembers int // members of any one object
}

// Error describes the limit a document exceeds, or the string it holds
// that no SCIM value can hold.
type Error struct {
	Msg string
	// Value reports that a string's contents are at fault, not the
	// document's shape; Path then names the members that lead to it from
	// the top of the document, joined by "." as written (escapes
	// included), such as "emails.value", or is "" for a member name.
	Value bool
	Path  string
}

func (e *Error) Error() string { return e.Msg }

// maxStack is the nesting depth up to which member counts and names are
// tracked; deeper levels are still counted against MaxDepth.
const maxStack = 64

// Check scans data once, without allocating unless it finds a problem, and
// reports an *Error if it is not valid UTF-8, exceeds l, or has a string
// with a lone surrogate escape (\ud800 without a low surrogate after it, or
// \udc00 without a high one before it). Syntax errors are left to the
// decoder.
func Check(data []byte, l Limits) error {
	if !utf8.Valid(data) {
		return &Error{Msg: "request body is not valid UTF-8"}
	}
	var (
		counts [maxStack]int32 // member counts of open objects; -1 for arrays
		keys   [maxStack][2]int32
		depth  int
		str    [2]int32 // the contents of the last string, as offsets
	)
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '"':
			start := i + 1
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] != '\\' {
					continue
				}
				i++
				if i < len(data) && data[i] == 'u' {
					if n := surrogate(data, i-1); n < 0 {
						return &Error{
							Value: true,
							Msg:   "a string holds a lone UTF-16 surrogate (" + string(data[i-1:i+5]) + "), which is not a character",
							Path:  path(data, keys[:min(depth, maxStack)], counts[:min(depth, maxStack)]),
						}
					} else {
						i += n
					}
				}
			}
			str = [2]int32{int32(start), int32(min(i, len(data)))}
		case '{', '[':
			depth++
			if l.MaxDepth > 0 && depth > l.MaxDepth {
				return &Error{Msg: "request body nests deeper than " + strconv.Itoa(l.MaxDepth) + " levels"}
			}
			if depth <= maxStack {
				counts[depth-1] = -1
				if c == '{' {
					counts[depth-1] = 0
				}
				keys[depth-1] = [2]int32{}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth > 0 && depth <= maxStack && counts[depth-1] >= 0 {
				counts[depth-1]++
				if l.MaxMembers > 0 && int(counts[depth-1]) > l.MaxMembers {
					return &Error{Msg: "an object in the request body has more than " + strconv.Itoa(l.MaxMembers) + " members"}
				}
				keys[depth-1] = str
			}
		}
	}
	return nil
}

// surrogate looks at the \u escape at data[i:] and returns how many bytes
// after the "u" belong to it (4, or 10 for a surrogate pair), or -1 for a
// lone surrogate.
func surrogate(data []byte, i int) int {
	r, ok := jsonv.Hex4(data, i+2)
	switch {
	case !ok || r < 0xD800 || r > 0xDFFF:
		return 4
	case r >= 0xDC00:
		return -1 // a low surrogate first
	}
	if i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
		if lo, ok := jsonv.Hex4(data, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
			return 10
		}
	}
	return -1
}

// path joins the names of the open objects' current members.
func path(data []byte, keys [][2]int32, counts []int32) string {
	var names []string
	for i, k := range keys {
		if counts[i] >= 0 && k[1] > k[0] {
			names = append(names, string(data[k[0]:k[1]]))
		}
	}
	return strings.Join(names, ".")
}
