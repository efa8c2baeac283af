package resource

import (
	"strings"

	"github.com/scim-go/scim/schema"
)

// Projection selects which attributes a response carries, from the
// "attributes" and "excludedAttributes" parameters of RFC 7644 §3.9, on top
// of the "returned" characteristic of each attribute (RFC 7643 §7):
// attributes returned "always" are always there, those returned "never" and
// write-only ones never are, and those returned "request" only when named in
// "attributes".
//
// A nil *Projection applies the returned characteristics alone. A Projection
// is immutable and safe for concurrent use.
type Projection struct {
	include *selection // nil when "attributes" was not given
	exclude *selection // nil when "excludedAttributes" was not given
}

// selection is a set of attribute paths: top-level attributes, each either
// whole (nil sub-attribute set) or with some of its sub-attributes, and whole
// extension schemas.
type selection struct {
	attrs map[*schema.Attribute]map[*schema.Attribute]bool
	exts  map[string]bool // extension URNs selected whole
}

var (
	common        = schema.CommonAttributes()
	idAttr        = commonAttr("id")
	externalIDAtt = commonAttr("externalId")
	metaAttr      = commonAttr("meta")
)

func commonAttr(name string) *schema.Attribute {
	for _, a := range common {
		if a.Name == name {
			return a
		}
	}
	panic("resource: schema.CommonAttributes lacks " + name)
}

// NewProjection resolves the attribute paths of the "attributes" and
// "excludedAttributes" parameters against rt. Paths are matched
// case-insensitively and may be qualified by a schema URN
// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"), or
// be an extension URN alone to select the whole extension. A path that names
// no attribute of rt selects nothing. NewProjection returns nil when both
// lists are empty.
func NewProjection(rt *schema.ResourceType, attributes, excluded []string) *Projection {
	if len(attributes) == 0 && len(excluded) == 0 {
		return nil
	}
	p := &Projection{}
	if len(attributes) > 0 {
		p.include = newSelection(rt, attributes)
	}
	if len(excluded) > 0 {
		p.exclude = newSelection(rt, excluded)
	}
	return p
}

func newSelection(rt *schema.ResourceType, paths []string) *selection {
	s := &selection{attrs: make(map[*schema.Attribute]map[*schema.Attribute]bool)}
	for _, path := range paths {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		a, sub, ext := ResolvePath(rt, path)
		switch {
		case ext != "" && a == nil:
			if s.exts == nil {
				s.exts = make(map[string]bool)
			}
			s.exts[ext] = true
		case a == nil:
		case sub == nil:
			s.attrs[a] = nil
		default:
			subs, ok := s.attrs[a]
			if ok && subs == nil {
				continue // the whole attribute is already selected
			}
			if subs == nil {
				subs = make(map[*schema.Attribute]bool)
				s.attrs[a] = subs
			}
			subs[sub] = true
		}
	}
	return s
}

// ResolvePath finds the attribute an attribute path names (RFC 7644
// §3.10): "userName", "name.givenName", or either qualified by a schema URN;
// an unqualified name the core schema lacks names the attribute of an
// extension when exactly one has it ("manager"). It returns the attribute, the sub-attribute when the path names one, and
// the URN of the extension the attribute belongs to ("" for the core schema
// and the common attributes id, externalId and meta). A path that is an
// extension URN alone returns a nil attribute and that URN. A path that
// names nothing returns nils and "".
func ResolvePath(rt *schema.ResourceType, path string) (attr, sub *schema.Attribute, ext string) {
	s, qualified := rt.Schema, false
	if len(path) > 4 && strings.EqualFold(path[:4], "urn:") {
		qualified = true
		var rest string
		s, ext, rest = splitURN(rt, path)
		if s == nil {
			return nil, nil, ""
		}
		if rest == "" {
			if ext == "" {
				return nil, nil, ""
			}
			return nil, nil, ext
		}
		path = rest
	}
	name, subName, _ := strings.Cut(path, ".")
	attr = s.Attribute(name)
	if attr == nil && ext == "" {
		attr = find(common, name)
	}
	if attr == nil && !qualified {
		ext, attr = rt.ExtensionAttribute(name)
	}
	if attr == nil {
		return nil, nil, ""
	}
	if subName != "" {
		sub = attr.SubAttribute(subName)
		if sub == nil {
			return nil, nil, ""
		}
	}
	return attr, sub, ext
}

// splitURN splits a URN-qualified path into the schema it names, the
// extension URN ("" for the core schema) and the attribute path after it.
// When one schema URN extends another, as urn:acme:Device:Network extends
// urn:acme:Device, the path names the longer.
func splitURN(rt *schema.ResourceType, path string) (*schema.Schema, string, string) {
	var s *schema.Schema
	ext, rest := "", ""
	if r, ok := cutURN(path, rt.Schema.ID); ok {
		s, rest = rt.Schema, r
	}
	for _, e := range rt.Extensions {
		if r, ok := cutURN(path, e.Schema.ID); ok && (s == nil || len(e.Schema.ID) > len(s.ID)) {
			s, ext, rest = e.Schema, e.Schema.ID, r
		}
	}
	return s, ext, rest
}

// cutURN reports whether path is urn, or urn followed by ":" and an
// attribute path, which it returns.
func cutURN(path, urn string) (string, bool) {
	if len(path) < len(urn) || !strings.EqualFold(path[:len(urn)], urn) {
		return "", false
	}
	rest := path[len(urn):]
	if rest == "" {
		return "", true
	}
	if rest[0] != ':' {
		return "", false
	}
	return rest[1:], true
}

func find(attrs []*schema.Attribute, name string) *schema.Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// selected reports whether top-level attribute a of extension ext ("" for
// the core schema) is returned, and the sub-attribute sets that narrow it.
func (p *Projection) selected(a *schema.Attribute, ext string) (ok bool, include, exclude map[*schema.Attribute]bool) {
	if a.Returned == schema.ReturnedNever || a.Mutability == schema.WriteOnly {
		return false, nil, nil
	}
	if a.Returned == schema.ReturnedAlways {
		return true, nil, nil
	}
	if p == nil {
		return a.Returned != schema.ReturnedRequest, nil, nil
	}
	if p.include != nil {
		subs, named := p.include.attrs[a]
		switch {
		case named:
			include = subs
		case ext != "" && p.include.exts[ext] && a.Returned != schema.ReturnedRequest:
		default:
			return false, nil, nil
		}
	} else if a.Returned == schema.ReturnedRequest {
		return false, nil, nil
	}
	if p.exclude != nil {
		if ext != "" && p.exclude.exts[ext] {
			return false, nil, nil
		}
		subs, named := p.exclude.attrs[a]
		if named && subs == nil {
			return false, nil, nil
		}
		exclude = subs
	}
	return true, include, exclude
}

// subSelected reports whether sub-attribute sa is returned, given the sets
// that narrow its parent.
func subSelected(sa *schema.Attribute, include, exclude map[*schema.Attribute]bool) bool {
	switch {
	case sa.Returned == schema.ReturnedNever || sa.Mutability == schema.WriteOnly:
		return false
	case sa.Returned == schema.ReturnedAlways:
		return true
	case include != nil:
		if !include[sa] {
			return false
		}
	case sa.Returned == schema.ReturnedRequest:
		return false
	}
	return !exclude[sa]
}

// Includes reports whether a response built with p carries the attribute
// of rt at path, a top-level attribute name ("members") or one qualified by
// its schema URN, when the resource has a value for it. A store may skip
// loading what a response will not carry, such as the members of a large
// group for excludedAttributes=members. A path that names no attribute of
// rt is reported as not included. p may be nil.
func (p *Projection) Includes(rt *schema.ResourceType, path string) bool {
	a, _, ext := ResolvePath(rt, path)
	if a == nil {
		return false
	}
	ok, _, _ := p.selected(a, ext)
	return ok
}
