package filter

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Expr is a node of a parsed filter: one of [Compare], [Present], [And],
// [Or], [Not] or [ValuePath]. The set is closed; a type switch over those six
// types is exhaustive.
//
// Nodes are plain values; trees built by Parse are comparable with ==.
// String renders a node as canonical filter text that parses back to an
// equal Expr.
type Expr interface {
	// String renders the expression as filter text with single spaces,
	// lower-case operators, quoted strings and only the parentheses the
	// precedence rules (not > and > or) require.
	String() string

	appendTo(b []byte) []byte
}

// Op is a comparison operator of RFC 7644 §3.4.2.2 other than "pr", which
// parses to [Present]. Operators are matched case-insensitively and stored in
// lower case.
type Op string

// The comparison operators of RFC 7644 §3.4.2.2.
const (
	Eq Op = "eq" // equal
	Ne Op = "ne" // not equal
	Co Op = "co" // contains
	Sw Op = "sw" // starts with
	Ew Op = "ew" // ends with
	Gt Op = "gt" // greater than
	Ge Op = "ge" // greater than or equal to
	Lt Op = "lt" // less than
	Le Op = "le" // less than or equal to
)

// Value is the literal on the right of a comparison. Its dynamic type is one
// of:
//
//   - string: a JSON string with every escape decoded, or an unquoted bare
//     word (see the package documentation);
//   - [Number]: a JSON number kept as written;
//   - bool: true or false;
//   - nil: null.
type Value any

// Number is a JSON number (RFC 8259 §6) kept exactly as written in the
// filter, such as "-1", "1.5" or "1E3", so that a later step can convert it
// to the attribute's type without losing precision.
type Number string

// Int64 returns n as an int64. It fails for numbers with a fraction or an
// exponent and for numbers out of range.
func (n Number) Int64() (int64, error) { return strconv.ParseInt(string(n), 10, 64) }

// Float64 returns n as the nearest float64.
func (n Number) Float64() (float64, error) { return strconv.ParseFloat(string(n), 64) }

// AttrPath names an attribute, optionally qualified by a schema URN and
// optionally followed by one sub-attribute (RFC 7644 §3.4.2.2
// "attrPath = [URI ":"] ATTRNAME *1subAttr"). Names are kept exactly as
// written: matching them to a schema, case-insensitively, is a later step.
//
// For urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value
// URN is "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name
// is "manager" and Sub is "value".
//
// An empty Name with a non-empty URN stands for a whole schema extension. Only
// [ParsePath] produces that form, for a PATCH path that is exactly one of the
// parser's schema URNs (see [Parser.SchemaURNs]).
type AttrPath struct {
	URN  string // schema URN without the trailing colon; empty if unqualified
	Name string // attribute name, such as "emails" or "$ref"
	Sub  string // sub-attribute name; empty if none
}

// String renders the path as URN:Name.Sub, leaving out the empty parts.
func (p AttrPath) String() string { return string(p.appendTo(nil)) }

func (p AttrPath) appendTo(b []byte) []byte {
	if p.URN != "" {
		b = append(b, p.URN...)
		if p.Name == "" {
			return b
		}
		b = append(b, ':')
	}
	b = append(b, p.Name...)
	if p.Sub != "" {
		b = append(b, '.')
		b = append(b, p.Sub...)
	}
	return b
}

// Compare is an attribute compared with a literal, such as
// userName eq "bjensen".
type Compare struct {
	Attr  AttrPath
	Op    Op
	Value Value
}

// Present is the "pr" test (RFC 7644 §3.4.2.2): the attribute has a non-empty
// value.
type Present struct {
	Attr AttrPath
}

// And is true when both operands are. "and" binds tighter than "or"; a chain
// a and b and c parses as And{And{a, b}, c}.
type And struct {
	Left, Right Expr
}

// Or is true when either operand is. A chain a or b or c parses as
// Or{Or{a, b}, c}.
type Or struct {
	Left, Right Expr
}

// Not negates X; it is written not (X).
type Not struct {
	X Expr
}

// ValuePath applies Filter to the values of a multi-valued complex attribute,
// such as emails[type eq "work" and value co "@example.com"]: it is true when
// one value satisfies the whole filter. Attribute paths inside Filter are
// relative to Attr.
type ValuePath struct {
	Attr   AttrPath
	Filter Expr
}

// String renders e as canonical filter text, such as userName eq "bjensen".
func (e Compare) String() string { return string(e.appendTo(nil)) }

// String renders e as canonical filter text, such as title pr.
func (e Present) String() string { return string(e.appendTo(nil)) }

// String renders e as canonical filter text, with parentheses around an
// operand that is an Or, and around a right operand that is an And.
func (e And) String() string { return string(e.appendTo(nil)) }

// String renders e as canonical filter text, with parentheses around a
// right operand that is an Or.
func (e Or) String() string { return string(e.appendTo(nil)) }

// String renders e as canonical filter text: not (X).
func (e Not) String() string { return string(e.appendTo(nil)) }

// String renders e as canonical filter text, such as
// emails[type eq "work"].
func (e ValuePath) String() string { return string(e.appendTo(nil)) }

func (e Compare) appendTo(b []byte) []byte {
	b = e.Attr.appendTo(b)
	b = append(b, ' ')
	b = append(b, e.Op...)
	b = append(b, ' ')
	return appendValue(b, e.Value)
}

func (e Present) appendTo(b []byte) []byte {
	b = e.Attr.appendTo(b)
	return append(b, " pr"...)
}

func (e And) appendTo(b []byte) []byte {
	b = appendOperand(b, e.Left, precedence(e.Left) < precAnd)
	b = append(b, " and "...)
	return appendOperand(b, e.Right, precedence(e.Right) <= precAnd)
}

func (e Or) appendTo(b []byte) []byte {
	b = appendOperand(b, e.Left, false)
	b = append(b, " or "...)
	return appendOperand(b, e.Right, precedence(e.Right) <= precOr)
}

func (e Not) appendTo(b []byte) []byte {
	b = append(b, "not ("...)
	b = appendExpr(b, e.X)
	return append(b, ')')
}

func (e ValuePath) appendTo(b []byte) []byte {
	b = e.Attr.appendTo(b)
	b = append(b, '[')
	b = appendExpr(b, e.Filter)
	return append(b, ']')
}

// Path is the target of a PATCH operation (RFC 7644 §3.5.2,
// "PATH = attrPath / valuePath [subAttr]"), as returned by [ParsePath].
//
// For members[value eq "2819c223"].displayName Attr is members, Filter is
// value eq "2819c223" and Sub is "displayName". For name.familyName Attr is
// {Name: "name", Sub: "familyName"}, Filter is nil and Sub is empty. For a
// path that names a whole schema extension Attr has only its URN set.
type Path struct {
	Attr   AttrPath
	Filter Expr   // the value filter between brackets; nil if none
	Sub    string // sub-attribute after the closing bracket; empty if none
}

// String renders the path in the canonical form [ParsePath] accepts.
func (p Path) String() string {
	b := p.Attr.appendTo(nil)
	if p.Filter != nil {
		b = append(b, '[')
		b = appendExpr(b, p.Filter)
		b = append(b, ']')
		if p.Sub != "" {
			b = append(b, '.')
			b = append(b, p.Sub...)
		}
	}
	return string(b)
}

const (
	precOr = iota + 1
	precAnd
	precPrimary
)

func precedence(e Expr) int {
	switch e.(type) {
	case Or:
		return precOr
	case And:
		return precAnd
	}
	return precPrimary
}

func appendOperand(b []byte, e Expr, parens bool) []byte {
	if !parens {
		return appendExpr(b, e)
	}
	b = append(b, '(')
	b = appendExpr(b, e)
	return append(b, ')')
}

// appendExpr renders e, tolerating a nil Expr in a hand-built tree.
func appendExpr(b []byte, e Expr) []byte {
	if e == nil {
		return append(b, "<nil>"...)
	}
	return e.appendTo(b)
}

func appendValue(b []byte, v Value) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case Number:
		return append(b, v...)
	case string:
		return appendString(b, v)
	}
	return fmt.Appendf(b, "%v", v)
}

// appendString renders s as a JSON string. Only '"', '\\' and control
// characters are escaped; invalid UTF-8 becomes \uFFFD so the output always
// parses.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\uFFFD`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
