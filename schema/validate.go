package schema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Validate reports the first problem that makes s an invalid schema
// definition, or nil. A server calls it once, at start-up. It checks that:
//
//   - the ID is a URN (it starts with "urn:", in any case);
//   - every attribute name matches ATTRNAME of RFC 7643 §2.1, except that a
//     sub-attribute may be named "$ref";
//   - no two sibling attributes have the same name, ignoring case;
//   - a Complex attribute has sub-attributes, any other has none, and no
//     sub-attribute is Complex (RFC 7643 §2.3.8);
//   - Type, Mutability, Returned and Uniqueness hold defined values;
//   - only Reference attributes have ReferenceTypes, none of them empty.
//
// Errors name the schema and the attribute path, as in
//
//	schema urn:ietf:params:scim:schemas:core:2.0:User: attribute "emails.value": ...
//
// Whether a schema may redefine the common attributes depends on its use, so
// that is checked by [ResourceType.Validate].
func (s *Schema) Validate() error {
	if s.ID == "" {
		return errors.New("schema: schema has an empty id")
	}
	if len(s.ID) < 4 || !strings.EqualFold(s.ID[:4], "urn:") {
		return fmt.Errorf("schema %s: id is not a URN", s.ID)
	}
	if err := checkAttributes(s.Attributes, ""); err != nil {
		return fmt.Errorf("schema %s: %w", s.ID, err)
	}
	return nil
}

// Validate reports the first problem that makes rt an invalid resource type
// definition, or nil. A server calls it once, at start-up. It checks that
// rt has a name, an endpoint that starts with "/", and a valid core schema
// (see [Schema.Validate]) that does not define id, externalId or meta (RFC
// 7643 §3.1); and that each extension has a valid schema, distinct from the
// core schema and from the other extensions.
func (rt *ResourceType) Validate() error {
	if rt.Name == "" {
		return errors.New("schema: resource type has an empty name")
	}
	if len(rt.Endpoint) < 2 || rt.Endpoint[0] != '/' {
		return fmt.Errorf("schema: resource type %q: endpoint %q is not a path such as \"/Users\"", rt.Name, rt.Endpoint)
	}
	if rt.Schema == nil {
		return fmt.Errorf("schema: resource type %q has no schema", rt.Name)
	}
	if err := rt.Schema.Validate(); err != nil {
		return fmt.Errorf("schema: resource type %q: %w", rt.Name, err)
	}
	for _, a := range CommonAttributes() {
		if rt.Schema.Attribute(a.Name) != nil {
			return fmt.Errorf("schema: resource type %q: schema %s: attribute %q: redefines a common attribute (RFC 7643 §3.1)",
				rt.Name, rt.Schema.ID, a.Name)
		}
	}
	for i, e := range rt.Extensions {
		if e.Schema == nil {
			return fmt.Errorf("schema: resource type %q: extension %d has no schema", rt.Name, i)
		}
		if strings.EqualFold(e.Schema.ID, rt.Schema.ID) {
			return fmt.Errorf("schema: resource type %q: extension %s is also the core schema", rt.Name, e.Schema.ID)
		}
		for _, prev := range rt.Extensions[:i] {
			if strings.EqualFold(prev.Schema.ID, e.Schema.ID) {
				return fmt.Errorf("schema: resource type %q: extension %s is listed twice", rt.Name, e.Schema.ID)
			}
		}
		if err := e.Schema.Validate(); err != nil {
			return fmt.Errorf("schema: resource type %q: %w", rt.Name, err)
		}
	}
	return nil
}

// checkAttributes checks the attributes of a schema (parent "") or the
// sub-attributes of the attribute at path parent.
func checkAttributes(attrs []*Attribute, parent string) error {
	for i, a := range attrs {
		if a == nil {
			return fmt.Errorf("attribute %q is nil", parent+"["+strconv.Itoa(i)+"]")
		}
		path := a.Name
		if parent != "" {
			path = parent + "." + a.Name
		}
		if a.Name == "" {
			path = parent + "[" + strconv.Itoa(i) + "]"
		}
		if err := checkAttribute(a, parent != ""); err != nil {
			return fmt.Errorf("attribute %q: %w", path, err)
		}
		for _, prev := range attrs[:i] {
			if strings.EqualFold(prev.Name, a.Name) {
				return fmt.Errorf("attribute %q: defined twice (names are case-insensitive)", path)
			}
		}
		if err := checkAttributes(a.SubAttributes, path); err != nil {
			return err
		}
	}
	return nil
}

// checkAttribute checks a's own characteristics, not its sub-attributes'.
func checkAttribute(a *Attribute, sub bool) error {
	switch {
	case a.Name == "":
		return errors.New("empty name")
	case a.Name == "$ref" && !sub:
		return errors.New(`"$ref" is allowed only as a sub-attribute`)
	case a.Name != "$ref" && !validName(a.Name):
		return errors.New(`invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)`)
	}
	if a.Type < 0 || int(a.Type) >= len(typeNames) {
		return fmt.Errorf("invalid type %v", a.Type)
	}
	if a.Mutability < 0 || int(a.Mutability) >= len(mutabilityNames) {
		return fmt.Errorf("invalid mutability %v", a.Mutability)
	}
	if a.Returned < 0 || int(a.Returned) >= len(returnedNames) {
		return fmt.Errorf("invalid returned %v", a.Returned)
	}
	if a.Uniqueness < 0 || int(a.Uniqueness) >= len(uniquenessNames) {
		return fmt.Errorf("invalid uniqueness %v", a.Uniqueness)
	}
	switch {
	case a.Type == Complex && sub:
		return errors.New("a sub-attribute cannot be complex (RFC 7643 §2.3.8)")
	case a.Type == Complex && len(a.SubAttributes) == 0:
		return errors.New("complex attribute has no sub-attributes")
	case a.Type != Complex && len(a.SubAttributes) > 0:
		return fmt.Errorf("%v attribute has sub-attributes; only complex attributes may", a.Type)
	}
	if len(a.ReferenceTypes) > 0 && a.Type != Reference {
		return fmt.Errorf("%v attribute has referenceTypes; only reference attributes may", a.Type)
	}
	for _, rt := range a.ReferenceTypes {
		if rt == "" {
			return errors.New("empty reference type")
		}
	}
	return nil
}

// validName reports whether name matches ATTRNAME of RFC 7643 §2.1:
// ALPHA *("-" / "_" / DIGIT / ALPHA).
func validName(name string) bool {
	if name == "" || !isAlpha(name[0]) {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isAlpha(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
