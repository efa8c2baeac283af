package resource

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim/schema"
)

// CheckRequired reports an *Error if r lacks a required attribute (RFC 7643
// §2.2): a required attribute of the core schema or of an extension r
// carries, a required extension, or a required sub-attribute of a complex
// value. Read-only attributes are the service provider's to set and are not
// checked.
func CheckRequired(rt *schema.ResourceType, r *Resource) error {
	if p, ok := missing(rt.Schema.Attributes, r.Attributes); ok {
		return invalidValue(p, "required attribute is missing")
	}
	for _, e := range rt.Extensions {
		m, _ := r.Attributes[e.Schema.ID].(map[string]any)
		if m == nil {
			if e.Required {
				return invalidValue(e.Schema.ID, "required extension is missing")
			}
			continue
		}
		if p, ok := missing(e.Schema.Attributes, m); ok {
			return invalidValue(e.Schema.ID+":"+p, "required attribute is missing")
		}
	}
	return nil
}

// CheckValues reports an *Error if a multi-valued attribute of r, or a
// multi-valued sub-attribute of one of its complex values, holds more than
// max values; max <= 0 means no limit. Decode checks the values a body
// carries (DecodeOptions.MaxValues); CheckValues checks what a resource
// holds once PATCH operations have added to it.
func CheckValues(rt *schema.ResourceType, r *Resource, max int) error {
	if max <= 0 {
		return nil
	}
	if p, ok := overfull(r.Attributes, max); ok {
		return TooManyValues(p, max)
	}
	return nil
}

// overfull returns the path, below m, of an attribute with more than max
// values, and whether there is one. Paths are built only for the attribute
// found.
func overfull(m map[string]any, max int) (string, bool) {
	for k, v := range m {
		switch v := v.(type) {
		case []any:
			if len(v) > max {
				return k, true
			}
			for _, e := range v {
				if sub, ok := e.(map[string]any); ok {
					if p, ok := overfull(sub, max); ok {
						return k + "." + p, true
					}
				}
			}
		case []string:
			if len(v) > max {
				return k, true
			}
		case []map[string]any:
			if len(v) > max {
				return k, true
			}
		case map[string]any:
			if p, ok := overfull(v, max); ok {
				if strings.HasPrefix(k, "urn:") {
					return k + ":" + p, true // an extension's attribute
				}
				return k + "." + p, true
			}
		}
	}
	return "", false
}

// TooManyValues returns the *Error for an attribute at path that would
// hold more than max values: invalidValue, as Decode and CheckValues
// report it. A scim.Patcher that adds values in place reports it too.
func TooManyValues(path string, max int) *Error {
	return invalidValue(path, "more than "+strconv.Itoa(max)+" values")
}

// missing returns the path, below m, of a required attribute that m
// lacks, and whether there is one. Read-only attributes are not checked.
func missing(attrs []*schema.Attribute, m map[string]any) (string, bool) {
	for _, a := range attrs {
		if a.Mutability == schema.ReadOnly {
			continue
		}
		v, ok := m[a.Name]
		if !ok || v == nil || v == "" {
			// An empty string is no value either, as a filter's pr has it.
			if a.Required {
				return a.Name, true
			}
			continue
		}
		if a.Type != schema.Complex {
			continue
		}
		for _, e := range values(v) {
			sub, _ := e.(map[string]any)
			if p, ok := missing(a.SubAttributes, sub); ok {
				return a.Name + "." + p, true
			}
		}
	}
	return "", false
}

// values returns v as a list: its elements if it is multi-valued, else v.
func values(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	case []string:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = e
		}
		return l
	case []map[string]any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = e
		}
		return l
	}
	return []any{v}
}

// Merge prepares next, a decoded PUT body, to replace stored (RFC 7644
// §3.5.1). It carries over from stored what a client cannot set or cannot
// see: id, meta, read-only attributes and sub-attributes of single-valued
// complex attributes, immutable attributes the body omits, and attributes
// that are never returned (such as a password) when the body omits them. An
// immutable attribute whose value the body changes is an *Error of type
// "mutability". Merge changes next in place.
func Merge(rt *schema.ResourceType, stored, next *Resource) error {
	next.ID = stored.ID
	next.Meta = stored.Meta
	if next.Attributes == nil {
		next.Attributes = make(map[string]any)
	}
	if err := merge(rt.Schema.Attributes, stored.Attributes, next.Attributes, ""); err != nil {
		return err
	}
	for _, e := range rt.Extensions {
		id := e.Schema.ID
		old, _ := stored.Attributes[id].(map[string]any)
		if old == nil {
			continue
		}
		cur, _ := next.Attributes[id].(map[string]any)
		if cur == nil {
			cur = make(map[string]any)
		}
		if err := merge(e.Schema.Attributes, old, cur, id+":"); err != nil {
			return err
		}
		if len(cur) > 0 {
			next.Attributes[id] = cur
		}
	}
	return nil
}

func merge(attrs []*schema.Attribute, old, cur map[string]any, prefix string) error {
	for _, a := range attrs {
		ov, had := old[a.Name]
		if !had || ov == nil {
			continue
		}
		nv, has := cur[a.Name]
		switch {
		case a.Mutability == schema.ReadOnly:
			cur[a.Name] = cloneValue(ov)
		case !has:
			if a.Mutability == schema.Immutable || a.Returned == schema.ReturnedNever || a.Mutability == schema.WriteOnly {
				cur[a.Name] = cloneValue(ov)
			}
		case a.Mutability == schema.Immutable:
			if !Equal(a, ov, nv) {
				return &Error{Type: "mutability", Path: prefix + a.Name, Msg: "immutable attribute cannot be changed once set"}
			}
		case a.Type == schema.Complex && !a.MultiValued:
			om, _ := ov.(map[string]any)
			nm, _ := nv.(map[string]any)
			if om != nil && nm != nil {
				if err := merge(a.SubAttributes, om, nm, prefix+a.Name+"."); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Equal reports whether a and b are equal values of attribute attr,
// comparing strings case-insensitively unless attr is caseExact (RFC 7643
// §2.2), sub-attributes by their own rules, and multi-valued attributes as
// ordered lists.
func Equal(attr *schema.Attribute, a, b any) bool {
	if attr.MultiValued {
		la, lb := values(a), values(b)
		if len(la) != len(lb) {
			return false
		}
		single := *attr
		single.MultiValued = false
		for i := range la {
			if !Equal(&single, la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	if attr.Type == schema.Complex {
		ma, _ := a.(map[string]any)
		mb, _ := b.(map[string]any)
		if len(ma) != len(mb) {
			return false
		}
		for k, va := range ma {
			vb, ok := mb[k]
			if !ok {
				return false
			}
			sa := attr.SubAttribute(k)
			if sa == nil {
				if !equalSimple(false, va, vb) {
					return false
				}
				continue
			}
			if !Equal(sa, va, vb) {
				return false
			}
		}
		return true
	}
	return equalSimple(attr.CaseExact, a, b)
}

func equalSimple(caseExact bool, a, b any) bool {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		if !ok {
			return false
		}
		if caseExact {
			return a == b
		}
		return strings.EqualFold(a, b)
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b)
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	}
	// Integers compare exactly: as float64, those beyond 2^53 would not.
	if ia, ok := Int64(a); ok {
		if ib, ok := Int64(b); ok {
			return ia == ib
		}
	}
	fa, okA := Float64(a)
	fb, okB := Float64(b)
	if _, isNumber := a.(json.Number); !okA && !okB && !isNumber {
		// Values of a type of the store's own, such as a digest it keeps
		// for a password.
		return reflect.DeepEqual(a, b)
	}
	return okA && okB && fa == fb
}

// Identical reports whether a and b hold exactly the same externalId and
// attributes, value for value: unlike Equal, strings compare
// case-sensitively and dateTimes must have the same offset. The server uses
// it to skip writes that would change nothing.
func Identical(a, b *Resource) bool {
	return a.ExternalID == b.ExternalID && identical(a.Attributes, b.Attributes)
}

func identical(a, b any) bool {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case int64:
		b, ok := b.(int64)
		return ok && a == b
	case float64:
		b, ok := b.(float64)
		return ok && a == b
	case time.Time:
		b, ok := b.(time.Time)
		if !ok || !a.Equal(b) {
			return false
		}
		_, oa := a.Zone()
		_, ob := b.Zone()
		return oa == ob
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !identical(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !identical(a[i], b[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	}
	return reflect.DeepEqual(a, b)
}
