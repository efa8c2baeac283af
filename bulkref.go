package scim

import (
	"strings"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Where a bulkId reference may stand (RFC 7644 §3.7.2): in a bulk
// operation's path, and in its data as the value of a reference-typed
// attribute or as the "value" of a complex attribute that points at another
// resource, such as a group's members, which the RFC's examples show. A
// string anywhere else, a password included, is data: "bulkId:..." there is
// stored as it is and never read, resolved or quoted back.

// refWalk is called with each string of decoded operation data where a
// reference may stand, and returns what to store in its place.
type refWalk func(s string) string

// walkResourceRefs calls f on each reference site of obj, a resource body
// of type rt, storing what f returns in its place.
func walkResourceRefs(rt *schema.ResourceType, obj map[string]any, f refWalk) {
	for k, v := range obj {
		obj[k] = walkKeyRefs(rt, k, v, f)
	}
}

// walkKeyRefs walks the value v of the member named key of a resource body
// or of a path-less PATCH value, where key may be a schema URN, an attribute
// name, or a path such as "name.givenName" or an URN-qualified one.
func walkKeyRefs(rt *schema.ResourceType, key string, v any, f refWalk) any {
	if strings.EqualFold(key, rt.Schema.ID) {
		if obj, ok := v.(map[string]any); ok {
			walkResourceRefs(rt, obj, f)
		}
		return v
	}
	attr, sub, ext := resource.ResolvePath(rt, key)
	switch {
	case attr == nil && ext != "":
		if obj, ok := v.(map[string]any); ok {
			x := rt.Extension(ext)
			for k, e := range obj {
				if a := x.Attribute(k); a != nil {
					obj[k] = walkValueRefs(a, e, f)
				}
			}
		}
		return v
	case attr == nil:
		return v
	case sub != nil:
		return walkSubRefs(attr, sub, v, f)
	}
	return walkValueRefs(attr, v, f)
}

// walkPatchRefs walks a PatchOp body: the paths of its operations, and
// their values as the attributes the paths name.
func walkPatchRefs(rt *schema.ResourceType, obj map[string]any, f refWalk) {
	var ops []any
	for k, v := range obj {
		if strings.EqualFold(k, "Operations") {
			ops, _ = v.([]any)
		}
	}
	for _, raw := range ops {
		op, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		var pathKey, valueKey string
		for k := range op {
			switch {
			case strings.EqualFold(k, "path"):
				pathKey = k
			case strings.EqualFold(k, "value"):
				valueKey = k
			}
		}
		text, _ := op[pathKey].(string)
		if pathKey != "" && text != "" {
			// A value filter may name a resource being created, as
			// members[value eq "bulkId:qwerty"].
			op[pathKey] = f(text)
		}
		if valueKey == "" {
			continue
		}
		v := op[valueKey]
		if text == "" {
			if obj, ok := v.(map[string]any); ok {
				for k, e := range obj {
					obj[k] = walkKeyRefs(rt, k, e, f)
				}
			}
			continue
		}
		p, err := (&filter.Parser{SchemaURNs: rt.SchemaURNs()}).ParsePath(text)
		if err != nil {
			continue // the operation fails on its own
		}
		attr, sub, ext := resource.ResolvePath(rt, p.Attr.String())
		switch {
		case attr == nil && ext != "":
			op[valueKey] = walkKeyRefs(rt, ext, v, f)
		case attr == nil:
		case p.Filter != nil && p.Sub != "":
			if s := attr.SubAttribute(p.Sub); s != nil {
				op[valueKey] = walkSubRefs(attr, s, v, f)
			}
		case p.Filter != nil:
			op[valueKey] = walkValueRefs(attr, v, f) // one value, or several
		case sub != nil:
			op[valueKey] = walkSubRefs(attr, sub, v, f)
		default:
			op[valueKey] = walkValueRefs(attr, v, f)
		}
	}
}

// walkValueRefs walks v, a value of attribute a: one value or, for a
// multi-valued attribute, an array of them.
func walkValueRefs(a *schema.Attribute, v any, f refWalk) any {
	if list, ok := v.([]any); ok && a.MultiValued {
		for i, e := range list {
			list[i] = walkElemRefs(a, e, f)
		}
		return list
	}
	return walkElemRefs(a, v, f)
}

// walkElemRefs walks one value of attribute a.
func walkElemRefs(a *schema.Attribute, v any, f refWalk) any {
	switch a.Type {
	case schema.Reference:
		if s, ok := v.(string); ok {
			return f(s)
		}
	case schema.Complex:
		if obj, ok := v.(map[string]any); ok {
			for k, e := range obj {
				if s := a.SubAttribute(k); s != nil {
					obj[k] = walkSubRefs(a, s, e, f)
				}
			}
		}
	}
	return v
}

// walkSubRefs walks v, a value of sub-attribute s of the complex attribute
// a. The "value" of a complex attribute that points at another resource
// (one that is multi-valued, as members, or has a "$ref", as manager) is a
// reference site, whatever its declared type.
func walkSubRefs(a, s *schema.Attribute, v any, f refWalk) any {
	if s.Name == "value" && (a.MultiValued || a.SubAttribute("$ref") != nil) {
		if str, ok := v.(string); ok {
			return f(str)
		}
	}
	return walkValueRefs(s, v, f)
}

// walkDataRefs walks the decoded data of a bulk operation with the given
// method on a resource of type rt.
func walkDataRefs(rt *schema.ResourceType, method string, data any, f refWalk) {
	obj, ok := data.(map[string]any)
	if !ok || rt == nil {
		return
	}
	if strings.EqualFold(method, "PATCH") {
		walkPatchRefs(rt, obj, f)
		return
	}
	walkResourceRefs(rt, obj, f)
}
