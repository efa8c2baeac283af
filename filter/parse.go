package filter

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/scim-go/scim/internal/lex"
)

// Default limits, used where a [Parser] field is zero.
const (
	DefaultMaxLength = 4096 // bytes
	DefaultMaxDepth  = 32   // nested "(", "not (" and "["
)

// defaultSchemaURNs are the schemas of RFC 7643 §4.
var defaultSchemaURNs = []string{
	"urn:ietf:params:scim:schemas:core:2.0:User",
	"urn:ietf:params:scim:schemas:core:2.0:Group",
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
}

// Parser parses filters and PATCH paths within limits. The zero value uses
// the defaults; a nil *Parser does too. A Parser is safe for concurrent use
// as long as its fields are not changed.
type Parser struct {
	// MaxLength is the longest input accepted, in bytes. Zero or negative
	// means DefaultMaxLength (4096).
	MaxLength int

	// MaxDepth is the deepest nesting accepted, counting each "(", each
	// "not (" and each "[" once. Zero or negative means DefaultMaxDepth (32).
	MaxDepth int

	// SchemaURNs are the schema URNs a PATCH path may name on its own to
	// address a whole extension, such as
	// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User. They are
	// matched case-insensitively. Nil means the core User and Group schemas
	// and the enterprise User extension (RFC 7643 §4); an empty non-nil
	// slice means none.
	//
	// The list is needed because the last colon-separated part of an
	// extension URN ("User") is also a valid attribute name. Any other
	// URN-qualified path is split at its last colon: URN before, attribute
	// path after.
	SchemaURNs []string
}

// Parse parses a filter (RFC 7644 §3.4.2.2) with the default limits. See the
// package documentation for the syntax accepted. Every error is a
// *SyntaxError.
func Parse(s string) (Expr, error) { return (*Parser)(nil).Parse(s) }

// ParsePath parses a PATCH path (RFC 7644 §3.5.2) with the default limits.
// Every error is a *SyntaxError.
func ParsePath(s string) (Path, error) { return (*Parser)(nil).ParsePath(s) }

// Parse parses a filter (RFC 7644 §3.4.2.2). Every error is a *SyntaxError.
func (p *Parser) Parse(s string) (Expr, error) {
	st, err := p.start(s)
	if err != nil {
		return nil, err
	}
	e, err := st.parseOr()
	if err != nil {
		return nil, err
	}
	st.skipSpace()
	if st.pos < len(s) {
		return nil, st.trailing()
	}
	return e, nil
}

// ParsePath parses a PATCH path (RFC 7644 §3.5.2): an attribute path, or an
// attribute path with a value filter in brackets optionally followed by a
// sub-attribute, or one of the SchemaURNs alone. Every error is a
// *SyntaxError.
func (p *Parser) ParsePath(s string) (Path, error) {
	st, err := p.start(s)
	if err != nil {
		return Path{}, err
	}
	st.skipSpace()
	start := st.pos
	end := st.scanWord(start)
	if end == start {
		return Path{}, st.fail(start, "expected attribute path")
	}
	attr, err := st.attrPath(st.s[start:end], start, true)
	if err != nil {
		return Path{}, err
	}
	st.pos = end
	path := Path{Attr: attr}
	st.skipSpace()
	want := `expected "[" or end of path`
	if attr.Name == "" {
		want = "expected end of path"
	} else if st.pos < len(s) && s[st.pos] == '[' {
		if path.Filter, err = st.valueFilter(); err != nil {
			return Path{}, err
		}
		if st.pos < len(s) && s[st.pos] == '.' {
			if path.Sub, err = st.subAttr(); err != nil {
				return Path{}, err
			}
		}
		st.skipSpace()
		want = "expected end of path"
	}
	if st.pos < len(s) {
		return Path{}, st.fail(st.pos, want)
	}
	return path, nil
}

// state is one parse in progress.
type state struct {
	s        string
	pos      int
	depth    int
	maxDepth int
	inValue  bool // between the brackets of a value path
	urns     []string
}

func (p *Parser) start(s string) (state, error) {
	st := state{s: s, maxDepth: DefaultMaxDepth, urns: defaultSchemaURNs}
	maxLen := DefaultMaxLength
	if p != nil {
		if p.MaxLength > 0 {
			maxLen = p.MaxLength
		}
		if p.MaxDepth > 0 {
			st.maxDepth = p.MaxDepth
		}
		if p.SchemaURNs != nil {
			st.urns = p.SchemaURNs
		}
	}
	if len(s) > maxLen {
		return st, st.fail(maxLen, "input longer than "+strconv.Itoa(maxLen)+" bytes")
	}
	return st, nil
}

func (st *state) fail(off int, msg string) error {
	return &SyntaxError{Offset: off, Msg: msg, Found: tokenAt(st.s, off)}
}

// trailing reports the unexpected token at st.pos after a complete filter.
func (st *state) trailing() error {
	switch st.s[st.pos] {
	case ')':
		return st.fail(st.pos, `unmatched ")"`)
	case ']':
		return st.fail(st.pos, `unmatched "]"`)
	}
	return st.fail(st.pos, `expected "and" or "or"`)
}

// enter records one more level of nesting, opened at offset off.
func (st *state) enter(off int) error {
	st.depth++
	if st.depth > st.maxDepth {
		return st.fail(off, "nesting deeper than "+strconv.Itoa(st.maxDepth)+" levels")
	}
	return nil
}

func (st *state) skipSpace() {
	st.pos = lex.Skip(st.s, st.pos, lex.Space)
}

// scanWord returns the end of the run of attribute-path characters at i.
func (st *state) scanWord(i int) int {
	return lex.Skip(st.s, i, lex.Word)
}

// keyword skips spaces and then consumes the keyword kw ("and" or "or",
// matched case-insensitively) if it comes next as a whole word.
func (st *state) keyword(kw string) bool {
	st.skipSpace()
	if !st.isKeyword(st.pos, kw) {
		return false
	}
	st.pos += len(kw)
	return true
}

func (st *state) isKeyword(i int, kw string) bool {
	end := i + len(kw)
	if end > len(st.s) || (end < len(st.s) && lex.Class[st.s[end]]&lex.Word != 0) {
		return false
	}
	for j := 0; j < len(kw); j++ {
		if st.s[i+j]|0x20 != kw[j] {
			return false
		}
	}
	return true
}

// parseOr parses FILTER *("or" FILTER), left-associative.
func (st *state) parseOr() (Expr, error) {
	x, err := st.parseAnd()
	if err != nil {
		return nil, err
	}
	for st.keyword("or") {
		y, err := st.parseAnd()
		if err != nil {
			return nil, err
		}
		x = Or{Left: x, Right: y}
	}
	return x, nil
}

// parseAnd parses FILTER *("and" FILTER), left-associative.
func (st *state) parseAnd() (Expr, error) {
	x, err := st.parsePrimary()
	if err != nil {
		return nil, err
	}
	for st.keyword("and") {
		y, err := st.parsePrimary()
		if err != nil {
			return nil, err
		}
		x = And{Left: x, Right: y}
	}
	return x, nil
}

// parsePrimary parses a parenthesized filter, a "not (...)", a value path or
// an attribute expression.
func (st *state) parsePrimary() (Expr, error) {
	st.skipSpace()
	start := st.pos
	if start < len(st.s) && st.s[start] == '(' {
		return st.group(start)
	}
	end := st.scanWord(start)
	if end == start {
		return nil, st.fail(start, `expected attribute path, "not" or "("`)
	}
	w := st.s[start:end]
	if len(w) == 3 && w[0]|0x20 == 'n' && w[1]|0x20 == 'o' && w[2]|0x20 == 't' {
		st.pos = end
		st.skipSpace()
		if st.pos < len(st.s) && st.s[st.pos] == '(' {
			x, err := st.group(start)
			if err != nil {
				return nil, err
			}
			return Not{X: x}, nil
		}
		// Otherwise "not" is an attribute name, unless what follows
		// cannot be an operator.
		if next := st.scanWord(st.pos); next > st.pos && !isOperator(st.s[st.pos:next]) {
			return nil, st.fail(st.pos, `expected "(" after "not"`)
		}
	}
	attr, err := st.attrPath(w, start, false)
	if err != nil {
		return nil, err
	}
	st.pos = end
	st.skipSpace()
	if st.pos < len(st.s) && st.s[st.pos] == '[' {
		return st.valuePath(attr)
	}
	return st.test(attr)
}

// group parses "(" FILTER ")" with st.pos at the "(". A "not" before it
// starts at start, which is where a nesting error is reported.
func (st *state) group(start int) (Expr, error) {
	if err := st.enter(start); err != nil {
		return nil, err
	}
	st.pos++
	x, err := st.parseOr()
	if err != nil {
		return nil, err
	}
	st.skipSpace()
	if st.pos >= len(st.s) || st.s[st.pos] != ')' {
		return nil, st.fail(st.pos, `expected "and", "or" or ")"`)
	}
	st.pos++
	st.depth--
	return x, nil
}

// valueFilter parses "[" valFilter "]" with st.pos at the "[".
func (st *state) valueFilter() (Expr, error) {
	if st.inValue {
		return nil, st.fail(st.pos, "value paths cannot be nested")
	}
	if err := st.enter(st.pos); err != nil {
		return nil, err
	}
	st.pos++
	st.inValue = true
	x, err := st.parseOr()
	if err != nil {
		return nil, err
	}
	st.skipSpace()
	if st.pos >= len(st.s) || st.s[st.pos] != ']' {
		return nil, st.fail(st.pos, `expected "and", "or" or "]"`)
	}
	st.pos++
	st.inValue = false
	st.depth--
	return x, nil
}

// valuePath parses the rest of a value path after attr, with st.pos at the
// "[". It accepts Microsoft Entra's attr[filter].sub op value as
// attr[filter and sub op value].
func (st *state) valuePath(attr AttrPath) (Expr, error) {
	f, err := st.valueFilter()
	if err != nil {
		return nil, err
	}
	if st.pos < len(st.s) && st.s[st.pos] == '.' {
		sub, err := st.subAttr()
		if err != nil {
			return nil, err
		}
		t, err := st.test(AttrPath{Name: sub})
		if err != nil {
			return nil, err
		}
		f = And{Left: f, Right: t}
	}
	return ValuePath{Attr: attr, Filter: f}, nil
}

// subAttr parses "." ATTRNAME with st.pos at the ".".
func (st *state) subAttr() (string, error) {
	start := st.pos + 1
	end := st.scanWord(start)
	name := st.s[start:end]
	if !lex.IsAttrName(name) {
		return "", st.fail(start, "expected sub-attribute name")
	}
	st.pos = end
	return name, nil
}

// test parses what follows an attribute path: "pr" or an operator and a
// value.
func (st *state) test(attr AttrPath) (Expr, error) {
	st.skipSpace()
	start := st.pos
	end := st.scanWord(start)
	if end-start == 2 {
		st.pos = end
		a, b := st.s[start]|0x20, st.s[start+1]|0x20
		if a == 'p' && b == 'r' {
			st.skipSpace()
			if i := st.pos; i < len(st.s) && st.s[i] != ')' && st.s[i] != ']' &&
				!st.isKeyword(i, "and") && !st.isKeyword(i, "or") {
				return nil, st.fail(i, `unexpected value after "pr"`)
			}
			return Present{Attr: attr}, nil
		}
		if op, ok := lookupOp(a, b); ok {
			v, err := st.value()
			if err != nil {
				return nil, err
			}
			return Compare{Attr: attr, Op: op, Value: v}, nil
		}
	}
	return nil, st.fail(start, "expected comparison operator")
}

// lookupOp returns the comparison operator spelled by the lower-case letters
// a and b.
func lookupOp(a, b byte) (Op, bool) {
	switch a {
	case 'e':
		switch b {
		case 'q':
			return Eq, true
		case 'w':
			return Ew, true
		}
	case 'n':
		if b == 'e' {
			return Ne, true
		}
	case 'c':
		if b == 'o' {
			return Co, true
		}
	case 's':
		if b == 'w' {
			return Sw, true
		}
	case 'g':
		switch b {
		case 't':
			return Gt, true
		case 'e':
			return Ge, true
		}
	case 'l':
		switch b {
		case 't':
			return Lt, true
		case 'e':
			return Le, true
		}
	}
	return "", false
}

// isOperator reports whether w is "pr" or a comparison operator.
func isOperator(w string) bool {
	if len(w) != 2 {
		return false
	}
	a, b := w[0]|0x20, w[1]|0x20
	_, ok := lookupOp(a, b)
	return ok || a == 'p' && b == 'r'
}

// value parses a comparison value: a JSON string, number, true, false or
// null, or a bare word taken as a string.
func (st *state) value() (Value, error) {
	st.skipSpace()
	start := st.pos
	if start < len(st.s) && st.s[start] == '"' {
		return st.str()
	}
	end := lex.Skip(st.s, start, lex.Bare)
	if end == start {
		return nil, st.fail(start, "expected value")
	}
	st.pos = end
	w := st.s[start:end]
	if !utf8.ValidString(w) {
		return nil, st.fail(lex.BadUTF8(w, start), "invalid UTF-8 in value")
	}
	switch {
	case strings.EqualFold(w, "true"):
		return true, nil
	case strings.EqualFold(w, "false"):
		return false, nil
	case strings.EqualFold(w, "null"):
		return nil, nil
	case lex.IsNumber(w):
		return Number(w), nil
	}
	return w, nil
}

// str parses a JSON string with st.pos at the opening quote. It returns a
// substring of the input unless the string has escapes.
func (st *state) str() (Value, error) {
	v, end, err := lex.String(st.s, st.pos)
	if err != nil {
		return nil, st.fail(err.Off, err.Msg)
	}
	st.pos = end
	return v, nil
}

// attrPath splits and checks the attribute path w found at offset off. With
// urnOnly, w may also be one of the schema URNs alone.
func (st *state) attrPath(w string, off int, urnOnly bool) (AttrPath, error) {
	var a AttrPath
	rest, restOff := w, off
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		for _, u := range st.urns {
			if strings.EqualFold(w, u) {
				if urnOnly {
					return AttrPath{URN: w}, nil
				}
				return a, st.fail(off, "expected attribute name after schema URN")
			}
		}
		a.URN = w[:i]
		if !isURN(a.URN) {
			return a, st.fail(off, "expected attribute path")
		}
		rest, restOff = w[i+1:], off+i+1
	}
	a.Name = rest
	if j := strings.IndexByte(rest, '.'); j >= 0 {
		a.Name, a.Sub = rest[:j], rest[j+1:]
		if !lex.IsAttrName(a.Sub) {
			return a, st.fail(restOff+j+1, "expected sub-attribute name")
		}
	}
	if !lex.IsAttrName(a.Name) {
		return a, st.fail(restOff, "expected attribute name")
	}
	return a, nil
}

// isURN reports whether u is a plausible schema URN: colon-separated
// non-empty parts of letters, digits, ".", "-" and "_".
func isURN(u string) bool {
	if u == "" || u[0] == ':' || u[len(u)-1] == ':' {
		return false
	}
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c == '$':
			return false
		case c == ':' && u[i-1] == ':':
			return false
		}
	}
	return true
}
