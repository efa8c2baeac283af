package scimtest

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// This file holds what lets the cases run against resource types cut down
// to the attributes a store keeps (schema.ResourceType.Subset).

// hasAttr reports whether rt has the attribute at path: a name, or a name
// and a sub-attribute's name joined by a dot, either qualified by the URN
// of one of rt's schemas. The common attributes id, externalId and meta
// belong to every type.
func hasAttr(rt *schema.ResourceType, path string) bool {
	s, rest := rt.Schema, path
	if len(path) > 4 && strings.EqualFold(path[:4], "urn:") {
		s = nil
		for _, c := range schemasOf(rt) {
			n := len(c.ID)
			if len(path) > n && path[n] == ':' && strings.EqualFold(path[:n], c.ID) && (s == nil || n > len(s.ID)) {
				s, rest = c, path[n+1:]
			}
		}
		if s == nil {
			return false
		}
	}
	name, sub, dotted := strings.Cut(rest, ".")
	if s == rt.Schema && (strings.EqualFold(name, "meta") || !dotted && (strings.EqualFold(name, "id") || strings.EqualFold(name, "externalId"))) {
		return true
	}
	a := s.Attribute(name)
	return a != nil && (!dotted || a.SubAttribute(sub) != nil)
}

func schemasOf(rt *schema.ResourceType) []*schema.Schema {
	out := []*schema.Schema{rt.Schema}
	for _, e := range rt.Extensions {
		out = append(out, e.Schema)
	}
	return out
}

// missing returns the first of paths that rt has no attribute for, or "".
func missing(rt *schema.ResourceType, paths ...string) string {
	for _, p := range paths {
		if !hasAttr(rt, p) {
			return p
		}
	}
	return ""
}

// can reports whether rt has the attributes at paths that a check needs;
// when it has not, it logs that the check is left out, and why.
func (s *suite) can(what string, rt *schema.ResourceType, paths ...string) bool {
	if p := missing(rt, paths...); p != "" {
		s.rep.Logf("left out: %s: the %s resource type has no attribute %s", what, rt.Name, p)
		return false
	}
	return true
}

// canFilter reports whether filter f, and sortBy when not "", name only
// attributes rt has; when they do not, it logs that the check is left
// out. Any other error in them is the suite's and ends the case.
func (s *suite) canFilter(rt *schema.ResourceType, f, sortBy string) bool {
	var err error
	if f != "" {
		_, err = filter.Compile(rt, f)
	}
	if err == nil && sortBy != "" {
		_, err = filter.ResolveSort(rt, sortBy, "")
	}
	var ae *filter.AttributeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &ae) && ae.Undefined:
		s.rep.Logf("left out: filter %q, sortBy %q: %v", f, sortBy, err)
		return false
	}
	s.rep.Errorf("suite error: filter %q, sortBy %q: %v", f, sortBy, err)
	s.rep.FailNow()
	return false
}

// noteCandidates are attributes of User, in the order tried, that noteAttr
// may choose.
var noteCandidates = []string{"nickName", "title", "displayName", "userType", "locale", "preferredLanguage", "timezone"}

// noteAttr returns the name of a single-valued, optional, writable string
// attribute of rt without uniqueness, or "externalId", which every type
// has.
func noteAttr(rt *schema.ResourceType) string {
	for _, name := range noteCandidates {
		a := rt.Schema.Attribute(name)
		if a != nil && a.Type == schema.String && !a.MultiValued && !a.Required && a.Mutability == schema.ReadWrite &&
			a.Returned == schema.ReturnedDefault && a.Uniqueness == schema.UniquenessNone && len(a.CanonicalValues) == 0 {
			return a.Name
		}
	}
	return "externalId"
}

// prune returns a copy of the resource body v with only the attributes and
// sub-attributes that rt has, and the schema URNs of those of rt's schemas
// that are left.
func prune(rt *schema.ResourceType, v doc) doc {
	out := doc{}
	var urns []any
	for k, e := range v {
		switch {
		case k == "schemas":
		case strings.EqualFold(k, "id") || strings.EqualFold(k, "externalId") || strings.EqualFold(k, "meta"):
			out[k] = e
		case strings.HasPrefix(strings.ToLower(k), "urn:"):
			ext := rt.Extension(k)
			m, ok := e.(doc)
			if ext == nil || !ok {
				continue
			}
			if p := pruneAttrs(ext.Attributes, m); len(p) > 0 {
				out[ext.ID] = p
				urns = append(urns, ext.ID)
			}
		default:
			if p, ok := pruneValue(rt.Schema.Attribute(k), e); ok {
				out[k] = p
			}
		}
	}
	if _, ok := v["schemas"]; ok {
		out["schemas"] = append([]any{rt.Schema.ID}, urns...)
	}
	return out
}

func pruneAttrs(attrs []*schema.Attribute, m doc) doc {
	out := doc{}
	for k, e := range m {
		for _, a := range attrs {
			if strings.EqualFold(a.Name, k) {
				if p, ok := pruneValue(a, e); ok {
					out[k] = p
				}
			}
		}
	}
	return out
}

// pruneValue returns the value v of a, or nil, with only the
// sub-attributes a has, and whether anything is left.
func pruneValue(a *schema.Attribute, v any) (any, bool) {
	if a == nil {
		return nil, false
	}
	if a.Type != schema.Complex {
		return v, true
	}
	switch v := v.(type) {
	case doc:
		p := pruneAttrs(a.SubAttributes, v)
		return p, len(p) > 0
	case []any:
		var l []any
		for _, e := range v {
			if p, ok := pruneValue(a, e); ok {
				l = append(l, p)
			}
		}
		return l, len(l) > 0
	}
	return v, true
}

// pruneJSON is prune for a body in JSON.
func pruneJSON(rt *schema.ResourceType, body string) string {
	var v doc
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		panic(err)
	}
	return jsonText(prune(rt, v))
}
