package filter

import (
	"cmp"
	"math"
	"strings"
	"time"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Match reports whether r satisfies the filter, with the semantics of
// RFC 7644 §3.4.2.2:
//
//   - a comparison on a multi-valued attribute matches when any of its
//     values matches, and "ne" when none equals the value;
//   - strings compare case-insensitively unless the attribute is caseExact,
//     through [Fold]: eq holds when the folded value equals the folded
//     literal ("ÄBC" eq "äbc", and "\u212Aelvin", with the Kelvin sign, eq
//     "kelvin"), co, sw and ew look for the folded literal in the folded
//     value, and gt, ge, lt and le compare the folded strings byte by byte,
//     as strings.Compare does;
//   - caseExact strings compare byte by byte, dateTimes as instants and
//     numbers numerically;
//   - "pr" matches a non-empty value: not null, not "", not an empty array
//     or object;
//   - a comparison on a complex attribute uses its "value" sub-attribute;
//   - emails[type eq "work" and value co "x"] matches when a single email
//     satisfies the whole bracketed filter.
func (f *Filter) Match(r *resource.Resource) bool {
	return f.root.match(r, nil)
}

// node is a resolved filter expression. elem is the complex value a value
// path's filter is evaluated against, or nil at the top level; matchRecord
// is match on a Record (record.go).
type node interface {
	match(r *resource.Resource, elem map[string]any) bool
	matchRecord(rec *Record, elem []recordValue) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ x node }

func (n *andNode) match(r *resource.Resource, elem map[string]any) bool {
	return n.l.match(r, elem) && n.r.match(r, elem)
}

func (n *orNode) match(r *resource.Resource, elem map[string]any) bool {
	return n.l.match(r, elem) || n.r.match(r, elem)
}

func (n *notNode) match(r *resource.Resource, elem map[string]any) bool {
	return !n.x.match(r, elem)
}

type presentNode struct {
	attr   Attribute
	inElem bool
}

func (n *presentNode) match(r *resource.Resource, elem map[string]any) bool {
	if n.inElem {
		return eachValue(elem[n.attr.Sub.Name], n)
	}
	return n.attr.each(r, n)
}

func (n *presentNode) test(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case map[string]any:
		for _, e := range v {
			if eachValue(e, n) {
				return true
			}
		}
		return false
	}
	return true
}

type valuePathNode struct {
	attr   Attribute
	filter node
}

func (n *valuePathNode) match(r *resource.Resource, _ map[string]any) bool {
	if n.attr.common() {
		// meta is held in r.Meta rather than in r.Attributes.
		m, ok := n.attr.commonValue(r).(map[string]any)
		return ok && n.filter.match(r, m)
	}
	switch v := n.attr.container(r)[n.attr.Attr.Name].(type) {
	case map[string]any:
		return n.filter.match(r, v)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok && n.filter.match(r, m) {
				return true
			}
		}
	case []map[string]any:
		for _, m := range v {
			if n.filter.match(r, m) {
				return true
			}
		}
	}
	return false
}

type compareNode struct {
	attr      Attribute
	op        Op // never Ne: resolve turns ne into not eq
	lit       lit
	caseExact bool
	typ       schema.Type
	inElem    bool
}

func (n *compareNode) match(r *resource.Resource, elem map[string]any) bool {
	if n.inElem {
		return eachValue(elem[n.attr.Sub.Name], n)
	}
	return n.attr.each(r, n)
}

// test compares one value of the attribute with the literal.
func (n *compareNode) test(v any) bool {
	if s, ok := v.(string); ok {
		return n.testStr(s)
	}
	switch n.typ {
	case schema.Boolean:
		b, ok := v.(bool)
		return ok && b == n.lit.b
	case schema.Integer, schema.Decimal:
		return n.testNumber(v)
	case schema.DateTime:
		t, ok := v.(time.Time)
		return ok && ordered(n.op, t.Compare(n.lit.t))
	}
	return false
}

// testStr compares one value of the attribute, a string, with the
// literal.
func (n *compareNode) testStr(s string) bool {
	switch n.typ {
	case schema.String, schema.Reference, schema.Binary:
		return n.testString(s)
	case schema.DateTime:
		t, ok := parseTime(s)
		return ok && ordered(n.op, t.Compare(n.lit.t))
	}
	return false
}

// toTime returns a dateTime value, held as a time.Time or as a string, as a
// time.Time.
func toTime(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case string:
		return parseTime(v)
	}
	return time.Time{}, false
}

// parseTime reads a dateTime held as a string.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (n *compareNode) testString(s string) bool {
	if n.caseExact {
		return compareBytes(n.op, s, n.lit.s)
	}
	// Every comparison is one of Fold(s) with Fold(lit), computed without
	// building Fold(s) where that is cheaper.
	switch n.op {
	case Eq:
		return strings.EqualFold(s, n.lit.s)
	case Co:
		return containsFold(s, n.lit.fold)
	case Sw:
		return hasPrefixFold(s, n.lit.fold)
	case Ew:
		return hasSuffixFold(s, n.lit.fold)
	}
	return ordered(n.op, compareFold(s, n.lit.fold))
}

// compareBytes compares s with lit byte by byte, as op asks.
func compareBytes(op Op, s, lit string) bool {
	switch op {
	case Eq:
		return s == lit
	case Co:
		return strings.Contains(s, lit)
	case Sw:
		return strings.HasPrefix(s, lit)
	case Ew:
		return strings.HasSuffix(s, lit)
	}
	return ordered(op, strings.Compare(s, lit))
}

func (n *compareNode) testNumber(v any) bool {
	if n.lit.isInt {
		// Integers compare exactly, also beyond 2^53.
		if i, ok := resource.Int64(v); ok {
			return ordered(n.op, cmp.Compare(i, n.lit.i))
		}
	}
	f, ok := resource.Float64(v)
	if !ok || math.IsNaN(f) {
		return false
	}
	return ordered(n.op, cmp.Compare(f, n.lit.f))
}

// ordered reports whether a comparison result c satisfies op.
func ordered(op Op, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

// tester tests one attribute value.
type tester interface{ test(v any) bool }

// container returns the map that holds a's attribute: the resource's
// attributes, or those of a's extension.
func (a *Attribute) container(r *resource.Resource) map[string]any {
	if a.URN == "" {
		return r.Attributes
	}
	m, _ := r.Attributes[a.URN].(map[string]any)
	return m
}

// each reports whether t accepts any value the path yields in r.
func (a *Attribute) each(r *resource.Resource, t tester) bool {
	if a.common() {
		v := a.commonValue(r)
		return v != nil && t.test(v)
	}
	v := a.container(r)[a.Attr.Name]
	if a.Sub == nil {
		return eachValue(v, t)
	}
	switch v := v.(type) {
	case map[string]any:
		return eachValue(v[a.Sub.Name], t)
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok && eachValue(m[a.Sub.Name], t) {
				return true
			}
		}
	case []map[string]any:
		for _, m := range v {
			if eachValue(m[a.Sub.Name], t) {
				return true
			}
		}
	}
	return false
}

// commonValue returns the value of id, externalId, meta or a meta
// sub-attribute, or nil when it is unset.
func (a *Attribute) commonValue(r *resource.Resource) any {
	sub := ""
	if a.Sub != nil {
		sub = a.Sub.Name
	}
	return r.CommonValue(a.Attr.Name, sub)
}

// eachValue reports whether t accepts v or, if v is multi-valued, any of
// its elements.
func eachValue(v any, t tester) bool {
	switch v := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range v {
			if e != nil && t.test(e) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range v {
			if t.test(e) {
				return true
			}
		}
		return false
	case []map[string]any:
		for _, e := range v {
			if t.test(e) {
				return true
			}
		}
		return false
	}
	return t.test(v)
}
