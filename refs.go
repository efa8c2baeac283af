package scim

import (
	"context"
	"net/url"
	"strings"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// A value of a multi-valued attribute that points at another resource, such
// as a group's member or a user's group, carries the URI of that resource
// in "$ref" (RFC 7643 §4.1.2, §4.2) and, for members, its type. A store
// need not keep either: the server fills them in on output from the value's
// "value" and the types it serves.

// refAttr is an attribute of a resource type whose values have a "$ref".
type refAttr struct {
	ext  string            // the extension's URN, or ""
	attr *schema.Attribute // the attribute
	// fixed is the type its values always point at ("Group" for a
	// user's groups), or nil when a value's "type" says.
	fixed *endpoint
	// candidates are the served types its values may point at, tried in
	// turn for a value without a type.
	candidates []*endpoint
	// typed reports whether values carry a "type" naming their resource
	// type, which the server fills in when it is missing and fixed is set.
	typed bool
}

// refAttrs finds the attributes of ep's type whose values point at
// resources the server serves.
func (s *Server) refAttrs(ep *endpoint) []refAttr {
	var out []refAttr
	visit := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			ref := a.SubAttribute("$ref")
			if a.Type != schema.Complex || ref == nil || a.SubAttribute("value") == nil {
				continue
			}
			ra := refAttr{ext: ext, attr: a}
			var served []*endpoint
			for _, name := range ref.ReferenceTypes {
				if e := s.endpointNamed(name); e != nil {
					served = append(served, e)
				}
			}
			typ := a.SubAttribute("type")
			ra.typed = typ != nil && typ.Mutability != schema.ReadOnly || a.Name == "members"
			switch {
			case ext == "" && a.Name == "groups" && s.endpointNamed("Group") != nil:
				// groups.type is "direct" or "indirect", not a type.
				ra.fixed, ra.typed = s.endpointNamed("Group"), false
			case len(served) == 1:
				ra.fixed = served[0]
			case len(served) == 0:
				continue
			default:
				ra.candidates = served
			}
			out = append(out, ra)
		}
	}
	visit("", ep.rt.Schema.Attributes)
	for _, e := range ep.rt.Extensions {
		visit(e.Schema.ID, e.Schema.Attributes)
	}
	return out
}

func (s *Server) endpointNamed(name string) *endpoint {
	for _, ep := range s.endpoints {
		if strings.EqualFold(ep.rt.Name, name) {
			return ep
		}
	}
	return nil
}

// fillRefs returns res with "$ref", and a member's "type", filled in on
// the values of ep's reference attributes that lack them. It copies what it
// changes and leaves res as it is. A value without a type, of an attribute
// that may point at resources of several types, is looked up with Get in
// each of them, in the order of its referenceTypes: a store that keeps the
// member's type spares these reads.
func (s *Server) fillRefs(ctx context.Context, base string, ep *endpoint, res *resource.Resource) *resource.Resource {
	out := res
	for _, ra := range ep.refs {
		m := res.Attributes
		if ra.ext != "" {
			m, _ = m[ra.ext].(map[string]any)
		}
		v, ok := m[ra.attr.Name]
		if !ok {
			continue
		}
		filled, changed := s.fillValues(ctx, base, ra, v)
		if !changed {
			continue
		}
		if out == res {
			c := *res
			c.Attributes = make(map[string]any, len(res.Attributes))
			for k, v := range res.Attributes {
				c.Attributes[k] = v
			}
			out = &c
		}
		if ra.ext == "" {
			out.Attributes[ra.attr.Name] = filled
			continue
		}
		inner := make(map[string]any, len(m))
		for k, v := range m {
			inner[k] = v
		}
		inner[ra.attr.Name] = filled
		out.Attributes[ra.ext] = inner
	}
	return out
}

// fillValues fills in one attribute's value or values.
func (s *Server) fillValues(ctx context.Context, base string, ra refAttr, v any) (any, bool) {
	one := func(e any) (any, bool) {
		obj, ok := e.(map[string]any)
		if !ok {
			return e, false
		}
		id, _ := obj["value"].(string)
		_, hasRef := obj["$ref"]
		typ, _ := obj["type"].(string)
		if id == "" || hasRef && (typ != "" || !ra.typed) {
			return e, false
		}
		target := ra.fixed
		switch {
		case typ != "" && ra.typed:
			target = s.endpointNamed(typ)
		case target == nil:
			for _, c := range ra.candidates {
				if _, err := c.h.Get(ctx, id); err == nil {
					target = c
					break
				}
			}
		}
		if target == nil {
			return e, false
		}
		c := make(map[string]any, len(obj)+2)
		for k, v := range obj {
			c[k] = v
		}
		if !hasRef {
			c["$ref"] = base + target.rt.Endpoint + "/" + url.PathEscape(id)
		}
		if ra.typed && typ == "" {
			c["type"] = target.rt.Name
		}
		return c, true
	}
	list, ok := v.([]any)
	if !ok {
		return one(v)
	}
	var out []any
	for i, e := range list {
		f, changed := one(e)
		if changed && out == nil {
			out = make([]any, len(list))
			copy(out, list[:i])
		}
		if out != nil {
			out[i] = f
		}
	}
	if out == nil {
		return v, false
	}
	return out, true
}
