package filter

import (
	"cmp"
	"strings"
	"time"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Sort orders resources by one attribute (RFC 7644 §3.4.2.3).
type Sort struct {
	// Attr is the attribute to sort by. A multi-valued attribute sorts by
	// its primary value, or its first value when none is primary; a complex
	// attribute by its "value" sub-attribute.
	Attr Attribute
	// Descending reverses the order.
	Descending bool
}

// ResolveSort resolves the sortBy and sortOrder parameters against rt.
// sortOrder is "ascending" (the default when empty) or "descending",
// matched case-insensitively.
func ResolveSort(rt *schema.ResourceType, sortBy, sortOrder string) (*Sort, error) {
	p, err := (&Parser{SchemaURNs: rt.SchemaURNs()}).ParsePath(sortBy)
	if err != nil {
		return nil, err
	}
	if p.Filter != nil || p.Sub != "" {
		return nil, &AttributeError{Path: sortBy, Msg: "sortBy must be an attribute path without a filter"}
	}
	a, err := ResolveAttribute(rt, p.Attr)
	if err != nil {
		return nil, err
	}
	if a.Sub == nil && a.Attr.Type == schema.Complex {
		if a.Sub = a.Attr.SubAttribute("value"); a.Sub == nil {
			return nil, &AttributeError{Path: sortBy, Msg: "a complex attribute without a \"value\" sub-attribute cannot be sorted by"}
		}
	}
	s := &Sort{Attr: a}
	switch {
	case sortOrder == "" || strings.EqualFold(sortOrder, "ascending"):
	case strings.EqualFold(sortOrder, "descending"):
		s.Descending = true
	default:
		return nil, &AttributeError{Path: sortBy, Msg: "sortOrder must be \"ascending\" or \"descending\", found \"" + sortOrder + "\""}
	}
	return s, nil
}

// Compare compares a and b by the sort attribute, returning -1, 0 or +1.
// Strings of an attribute that is not caseExact compare as
// strings.Compare(Fold(x), Fold(y)) (see [Fold]), with ties, such as "Ä"
// and "ä", broken by strings.Compare(x, y) so that the order does not
// depend on the order the resources came in; caseExact strings compare as
// strings.Compare(x, y). Resources without a value sort last in either
// direction.
func (s *Sort) Compare(a, b *resource.Resource) int {
	va, vb := s.key(a), s.key(b)
	switch {
	case va == nil && vb == nil:
		return 0
	case va == nil:
		return 1
	case vb == nil:
		return -1
	}
	c := compareValues(s.Attr.Leaf(), va, vb)
	if s.Descending {
		return -c
	}
	return c
}

// key returns the value r sorts by, or nil.
func (s *Sort) key(r *resource.Resource) any {
	a := &s.Attr
	if a.common() {
		return a.commonValue(r)
	}
	v := a.container(r)[a.Attr.Name]
	if a.Attr.MultiValued {
		v = primary(v)
	}
	if a.Sub != nil {
		m, _ := v.(map[string]any)
		v = m[a.Sub.Name]
		if a.Sub.MultiValued {
			v = primary(v)
		}
	}
	return v
}

// primary returns the element of a multi-valued value with "primary" true,
// else its first element.
func primary(v any) any {
	switch list := v.(type) {
	case []any:
		for _, e := range list {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				return e
			}
		}
		if len(list) > 0 {
			return list[0]
		}
	case []map[string]any:
		for _, m := range list {
			if m["primary"] == true {
				return m
			}
		}
		if len(list) > 0 {
			return list[0]
		}
	case []string:
		if len(list) > 0 {
			return list[0]
		}
	default:
		return v
	}
	return nil
}

func compareValues(a *schema.Attribute, x, y any) int {
	if a.Type == schema.DateTime {
		// A dateTime may be held as a string; compare instants.
		tx, okx := toTime(x)
		ty, oky := toTime(y)
		if okx && oky {
			return tx.Compare(ty)
		}
	}
	if ix, ok := resource.Int64(x); ok {
		if iy, ok := resource.Int64(y); ok {
			return cmp.Compare(ix, iy)
		}
	}
	switch x := x.(type) {
	case string:
		y, ok := y.(string)
		if !ok {
			return 0
		}
		if a.CaseExact {
			return strings.Compare(x, y)
		}
		if c := compareFold(x, y); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	case bool:
		y, ok := y.(bool)
		if !ok || x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case time.Time:
		y, ok := y.(time.Time)
		if !ok {
			return 0
		}
		return x.Compare(y)
	}
	fx, okx := resource.Float64(x)
	fy, oky := resource.Float64(y)
	if okx && oky {
		return cmp.Compare(fx, fy)
	}
	return 0
}
