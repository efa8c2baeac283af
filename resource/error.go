package resource

import "github.com/scim-go/scim/internal/clip"

// Error reports a resource body, or a value in one, that breaks a rule of its
// schema. The server answers it with 400 and Type as the scimType.
type Error struct {
	// Type is the RFC 7644 §3.12 scimType that describes the problem:
	// "invalidSyntax", "invalidValue" or "mutability".
	Type string
	// Path is the attribute path the problem is at, such as "emails.value"
	// or "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";
	// "" when the problem is with the body as a whole.
	Path string
	// Msg says what is wrong, such as "expected a string, found a number".
	Msg string
}

// Error returns the attribute path and message.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return "attribute " + quote(e.Path) + ": " + e.Msg
}

// quote quotes s, cut to clip.Max bytes when it is longer: a detail never
// grows with the size of what a client sent.
func quote(s string) string { return string(appendString(nil, clip.String(s))) }

func invalidValue(path, msg string) *Error { return &Error{Type: "invalidValue", Path: path, Msg: msg} }

func invalidSyntax(path, msg string) *Error {
	return &Error{Type: "invalidSyntax", Path: path, Msg: msg}
}
