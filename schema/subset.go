package schema

import (
	"fmt"
	"strings"
)

// Subset returns a deep copy of rt cut down to the attributes that paths
// name, for a host that stores only some of a schema's attributes: it then
// serves, and advertises in /Schemas and /ResourceTypes, only what it keeps
// (RFC 7643 §7 lets a service provider define which attributes it
// supports).
//
// A path names a top-level attribute ("emails", which keeps all its
// sub-attributes), a sub-attribute of a complex attribute ("name.formatted",
// which keeps name with that sub-attribute only), or either qualified by
// its schema's URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
// Names match case-insensitively. The common attributes id, externalId and
// meta belong to every resource and may be named or not. An extension none
// of whose attributes is kept is left out.
//
// Subset reports an error for a path that names no attribute of rt, and for
// a required attribute or required sub-attribute of a kept attribute that
// paths leave out: a resource without it could not be created.
func (rt *ResourceType) Subset(paths ...string) (*ResourceType, error) {
	type keep struct {
		whole bool
		subs  map[*Attribute]bool
	}
	kept := make(map[*Attribute]*keep)
	for _, p := range paths {
		s, rest := rt.Schema, p
		if len(p) > 4 && strings.EqualFold(p[:4], "urn:") {
			s, rest = rt.schemaOf(p)
			if s == nil {
				return nil, fmt.Errorf("schema: %s: no schema of resource type %s has this URN", p, rt.Name)
			}
		}
		name, subName, _ := strings.Cut(rest, ".")
		if s == rt.Schema && subName == "" && isCommonName(name) {
			continue
		}
		a := s.Attribute(name)
		if a == nil {
			return nil, fmt.Errorf("schema: %s: resource type %s has no such attribute", p, rt.Name)
		}
		k := kept[a]
		if k == nil {
			k = &keep{subs: make(map[*Attribute]bool)}
			kept[a] = k
		}
		if subName == "" {
			k.whole = true
			continue
		}
		sub := a.SubAttribute(subName)
		if sub == nil {
			return nil, fmt.Errorf("schema: %s: attribute %s has no such sub-attribute", p, a.Name)
		}
		k.subs[sub] = true
	}
	cut := func(s *Schema, prefix string) (*Schema, error) {
		c := *s
		c.Attributes = nil
		for _, a := range s.Attributes {
			k := kept[a]
			if k == nil {
				if a.Required {
					return nil, fmt.Errorf("schema: %s%s is required by its schema and cannot be left out", prefix, a.Name)
				}
				continue
			}
			ca := a.Clone()
			if !k.whole && a.Type == Complex {
				ca.SubAttributes = nil
				for _, sub := range a.SubAttributes {
					if k.subs[sub] {
						ca.SubAttributes = append(ca.SubAttributes, sub.Clone())
					} else if sub.Required {
						return nil, fmt.Errorf("schema: %s%s.%s is required by its schema and cannot be left out", prefix, a.Name, sub.Name)
					}
				}
			}
			c.Attributes = append(c.Attributes, ca)
		}
		return &c, nil
	}
	out := *rt
	var err error
	if out.Schema, err = cut(rt.Schema, ""); err != nil {
		return nil, err
	}
	out.Extensions = nil
	for _, e := range rt.Extensions {
		s, err := cut(e.Schema, e.Schema.ID+":")
		if err != nil {
			return nil, err
		}
		if len(s.Attributes) > 0 {
			out.Extensions = append(out.Extensions, Extension{Schema: s, Required: e.Required})
		} else if e.Required {
			return nil, fmt.Errorf("schema: extension %s is required by resource type %s and cannot be left out", e.Schema.ID, rt.Name)
		}
	}
	return &out, nil
}

// schemaOf splits a URN-qualified path into the schema of rt whose URN it
// starts with (the longest, when one URN extends another) and the rest.
func (rt *ResourceType) schemaOf(path string) (*Schema, string) {
	var best *Schema
	rest := ""
	for _, s := range append([]*Schema{rt.Schema}, rt.extensionSchemas()...) {
		n := len(s.ID)
		if len(path) > n && path[n] == ':' && strings.EqualFold(path[:n], s.ID) && (best == nil || n > len(best.ID)) {
			best, rest = s, path[n+1:]
		}
	}
	return best, rest
}

func (rt *ResourceType) extensionSchemas() []*Schema {
	out := make([]*Schema, len(rt.Extensions))
	for i, e := range rt.Extensions {
		out[i] = e.Schema
	}
	return out
}

// isCommonName reports whether name is one of the common attributes of
// RFC 7643 §3.1, which belong to no schema.
func isCommonName(name string) bool {
	return strings.EqualFold(name, "id") || strings.EqualFold(name, "externalId") || strings.EqualFold(name, "meta")
}
