package filter

import (
	"github.com/scim-go/scim/schema"
)

// ResolveTarget resolves the attribute part of a PATCH path (RFC 7644
// §3.5.2) against rt. Unlike ResolveAttribute it accepts write-only
// attributes such as password, which a PATCH may set but a filter may not
// read.
func ResolveTarget(rt *schema.ResourceType, p AttrPath) (Attribute, error) {
	return resolveAttribute(rt, p)
}

// ValueFilter is the filter of a value path, such as the
// [type eq "work"] of emails[type eq "work"].value, resolved against the
// complex attribute whose values it selects. A ValueFilter is immutable and
// safe for concurrent use.
type ValueFilter struct {
	expr Expr
	root node
}

// ResolveValueFilter resolves e, the filter of a value path on attr, which
// must be a complex attribute without a sub-attribute. Names in e are
// sub-attributes of attr.
func ResolveValueFilter(rt *schema.ResourceType, attr Attribute, e Expr) (*ValueFilter, error) {
	if attr.Sub != nil || attr.Attr.Type != schema.Complex {
		return nil, &AttributeError{Path: attr.String(), Msg: "a value filter needs a complex attribute"}
	}
	r := resolver{rt: rt, parent: attr.Attr, urn: attr.URN}
	root, err := r.node(e)
	if err != nil {
		return nil, err
	}
	return &ValueFilter{expr: e, root: root}, nil
}

// Match reports whether elem, one value of the complex attribute, satisfies
// the filter.
func (f *ValueFilter) Match(elem map[string]any) bool {
	return f.root.match(nil, elem)
}

// String returns the filter as canonical text.
func (f *ValueFilter) String() string { return f.expr.String() }

// Expr returns the parsed filter, as written between the brackets.
func (f *ValueFilter) Expr() Expr { return f.expr }

// Equalities returns the sub-attribute values that the filter's eq
// comparisons, joined by "and", require: {"type": "work"} for
// type eq "work". A PATCH add whose value path matches nothing can build a
// new value from them. It returns nil if the filter has any other form.
func (f *ValueFilter) Equalities() map[string]any {
	m := make(map[string]any)
	if !equalities(f.root, m) {
		return nil
	}
	return m
}

func equalities(n node, m map[string]any) bool {
	switch n := n.(type) {
	case *andNode:
		return equalities(n.l, m) && equalities(n.r, m)
	case *compareNode:
		if n.op != Eq || n.attr.Sub == nil || n.attr.Sub.MultiValued {
			return false
		}
		m[n.attr.Sub.Name] = n.lit.raw
		return true
	}
	return false
}
