package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// metaJSON is the "meta" of a served schema or resource type (RFC 7644 §4).
type metaJSON struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location,omitempty"`
}

// schemaJSON is the RFC 7643 §7 form of a Schema, with the "schemas" and
// "meta" a server adds around it.
type schemaJSON struct {
	Schemas     []string     `json:"schemas,omitempty"`
	ID          string       `json:"id"`
	Name        string       `json:"name,omitempty"`
	Description string       `json:"description,omitempty"`
	Attributes  []*Attribute `json:"attributes"`
	Meta        *metaJSON    `json:"meta,omitempty"`
}

func (s Schema) toJSON() schemaJSON {
	attrs := s.Attributes
	if attrs == nil {
		attrs = []*Attribute{}
	}
	return schemaJSON{ID: s.ID, Name: s.Name, Description: s.Description, Attributes: attrs}
}

// MarshalJSON implements json.Marshaler: the RFC 7643 §7 representation of
// s with its id, name, description and attributes. An empty name or
// description is omitted.
func (s Schema) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.toJSON())
}

// MarshalWithMeta returns the representation a server serves for s at
// /Schemas/{id} (RFC 7644 §4): s's JSON with "schemas" set to [SchemaURN] and
// a "meta" whose resourceType is "Schema" and whose location is location,
// which is omitted when empty.
func (s Schema) MarshalWithMeta(location string) ([]byte, error) {
	j := s.toJSON()
	j.Schemas = []string{SchemaURN}
	j.Meta = &metaJSON{ResourceType: "Schema", Location: location}
	return json.Marshal(j)
}

// UnmarshalJSON implements json.Unmarshaler for the RFC 7643 §7
// representation. Member names match case-insensitively and unknown members,
// such as "schemas" and "meta", are ignored. It does not validate s.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var j schemaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if len(j.Attributes) == 0 {
		j.Attributes = nil
	}
	*s = Schema{ID: j.ID, Name: j.Name, Description: j.Description, Attributes: j.Attributes}
	return nil
}

// attributeJSON orders an Attribute's members as RFC 7643 §8.7 does, with
// the sub-attributes last so that the parent's characteristics stay together.
type attributeJSON struct {
	Name            string       `json:"name"`
	Type            Type         `json:"type"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description"`
	Required        bool         `json:"required"`
	CaseExact       bool         `json:"caseExact"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	Mutability      Mutability   `json:"mutability"`
	Returned        Returned     `json:"returned"`
	Uniqueness      Uniqueness   `json:"uniqueness"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
}

// MarshalJSON implements json.Marshaler: the RFC 7643 §7 representation of
// a with every characteristic written out, omitting only empty
// subAttributes, canonicalValues and referenceTypes. It fails on an
// undefined Type, Mutability, Returned or Uniqueness value.
func (a Attribute) MarshalJSON() ([]byte, error) {
	return json.Marshal(attributeJSON{
		Name:            a.Name,
		Type:            a.Type,
		ReferenceTypes:  a.ReferenceTypes,
		MultiValued:     a.MultiValued,
		Description:     a.Description,
		Required:        a.Required,
		CaseExact:       a.CaseExact,
		CanonicalValues: a.CanonicalValues,
		Mutability:      a.Mutability,
		Returned:        a.Returned,
		Uniqueness:      a.Uniqueness,
		SubAttributes:   a.SubAttributes,
	})
}

// UnmarshalJSON implements json.Unmarshaler for the RFC 7643 §7
// representation of an attribute. Member names and characteristic values
// match case-insensitively, a missing characteristic takes its default, and
// unknown members are ignored. The previous contents of a are discarded.
func (a *Attribute) UnmarshalJSON(b []byte) error {
	type plain Attribute // without methods, so decoding does not recurse
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	// An empty list and no list mean the same; keep one form so that values
	// compare equal after a round trip.
	if len(p.SubAttributes) == 0 {
		p.SubAttributes = nil
	}
	if len(p.CanonicalValues) == 0 {
		p.CanonicalValues = nil
	}
	if len(p.ReferenceTypes) == 0 {
		p.ReferenceTypes = nil
	}
	*a = Attribute(p)
	return nil
}

// resourceTypeJSON is the RFC 7643 §6 form of a ResourceType.
type resourceTypeJSON struct {
	Schemas          []string        `json:"schemas"`
	ID               string          `json:"id"`
	Name             string          `json:"name"`
	Endpoint         string          `json:"endpoint"`
	Description      string          `json:"description,omitempty"`
	Schema           string          `json:"schema"`
	SchemaExtensions []extensionJSON `json:"schemaExtensions,omitempty"`
	Meta             *metaJSON       `json:"meta,omitempty"`
}

type extensionJSON struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

func (rt ResourceType) toJSON() (resourceTypeJSON, error) {
	if rt.Schema == nil {
		return resourceTypeJSON{}, fmt.Errorf("schema: resource type %q has no schema", rt.Name)
	}
	j := resourceTypeJSON{
		Schemas:     []string{ResourceTypeURN},
		ID:          rt.ID,
		Name:        rt.Name,
		Endpoint:    rt.Endpoint,
		Description: rt.Description,
		Schema:      rt.Schema.ID,
	}
	if j.ID == "" {
		j.ID = rt.Name
	}
	for i, e := range rt.Extensions {
		if e.Schema == nil {
			return resourceTypeJSON{}, fmt.Errorf("schema: resource type %q: extension %d has no schema", rt.Name, i)
		}
		j.SchemaExtensions = append(j.SchemaExtensions, extensionJSON{Schema: e.Schema.ID, Required: e.Required})
	}
	return j, nil
}

// MarshalJSON implements json.Marshaler: the RFC 7643 §6 representation of
// rt, with "schemas" set to [ResourceTypeURN], "id" defaulting to the name,
// schemas named by URN, and "schemaExtensions" omitted when there are none.
// It fails if rt or one of its extensions has a nil Schema.
func (rt ResourceType) MarshalJSON() ([]byte, error) {
	j, err := rt.toJSON()
	if err != nil {
		return nil, err
	}
	return json.Marshal(j)
}

// MarshalWithMeta returns the representation a server serves for rt at
// /ResourceTypes/{id} (RFC 7644 §4): rt's JSON with a "meta" whose
// resourceType is "ResourceType" and whose location is location, which is
// omitted when empty.
func (rt ResourceType) MarshalWithMeta(location string) ([]byte, error) {
	j, err := rt.toJSON()
	if err != nil {
		return nil, err
	}
	j.Meta = &metaJSON{ResourceType: "ResourceType", Location: location}
	return json.Marshal(j)
}

// UnmarshalJSON always fails: a resource type names its schemas by URN, and
// only [ParseResourceType] is given the schemas those URNs resolve to.
func (rt *ResourceType) UnmarshalJSON([]byte) error {
	return errors.New("schema: a ResourceType refers to schemas by URN; decode it with ParseResourceType")
}

// ParseSchemas decodes the schemas in data, which holds one schema object
// (RFC 7643 §7), a JSON array of them, or a ListResponse whose "Resources"
// are schemas, as a server's /Schemas endpoint returns (RFC 7644 §4). It
// does not validate them; see [Schema.Validate].
func ParseSchemas(data []byte) ([]*Schema, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	schemas := make([]*Schema, 0, len(docs))
	for i, doc := range docs {
		s := new(Schema)
		if err := json.Unmarshal(doc, s); err != nil {
			return nil, fmt.Errorf("schema: decoding schema %s: %w", ordinal(i, len(docs)), err)
		}
		schemas = append(schemas, s)
	}
	return schemas, nil
}

// ParseResourceType decodes the resource type in data (RFC 7643 §6), a
// single object or a list holding one, resolving its "schema" and the
// "schema" of each "schemaExtensions" entry to one of schemas, whose IDs
// match case-insensitively. The result points to those schemas; it does not
// copy them. A URN not among schemas is an error. It does not validate the
// result; see [ResourceType.Validate].
func ParseResourceType(data []byte, schemas []*Schema) (*ResourceType, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if len(docs) != 1 {
		return nil, fmt.Errorf("schema: expected one resource type, found %d", len(docs))
	}
	return decodeResourceType(docs[0], schemas)
}

// ParseResourceTypes decodes the resource types in data, which holds one
// resource type object, a JSON array of them, or a ListResponse as a
// server's /ResourceTypes endpoint returns. Each is resolved against schemas
// as by [ParseResourceType].
func ParseResourceTypes(data []byte, schemas []*Schema) ([]*ResourceType, error) {
	docs, err := documents(data)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	rts := make([]*ResourceType, 0, len(docs))
	for _, doc := range docs {
		rt, err := decodeResourceType(doc, schemas)
		if err != nil {
			return nil, err
		}
		rts = append(rts, rt)
	}
	return rts, nil
}

func decodeResourceType(doc []byte, schemas []*Schema) (*ResourceType, error) {
	var j resourceTypeJSON
	if err := json.Unmarshal(doc, &j); err != nil {
		return nil, fmt.Errorf("schema: decoding resource type: %w", err)
	}
	lookup := func(urn string) (*Schema, error) {
		if urn == "" {
			return nil, fmt.Errorf("schema: resource type %q: no schema URN", j.Name)
		}
		for _, s := range schemas {
			if s != nil && strings.EqualFold(s.ID, urn) {
				return s, nil
			}
		}
		return nil, fmt.Errorf("schema: resource type %q: unknown schema %q", j.Name, urn)
	}
	core, err := lookup(j.Schema)
	if err != nil {
		return nil, err
	}
	rt := &ResourceType{
		ID:          j.ID,
		Name:        j.Name,
		Description: j.Description,
		Endpoint:    j.Endpoint,
		Schema:      core,
	}
	for _, e := range j.SchemaExtensions {
		s, err := lookup(e.Schema)
		if err != nil {
			return nil, err
		}
		rt.Extensions = append(rt.Extensions, Extension{Schema: s, Required: e.Required})
	}
	return rt, nil
}

// LoadDir loads the schemas and resource types defined by the *.json files
// in fsys and its subdirectories, read in lexical order. Each file holds one
// object, a JSON array of them, or a ListResponse. An object is a resource
// type when it has an "endpoint" member or its "schemas" lists
// [ResourceTypeURN], and a schema otherwise.
//
// Resource types may refer to the loaded schemas and to the built-in [User],
// [Group] and [EnterpriseUser] schemas not redefined by a file. The returned
// schemas are those read from the files; the built-ins a resource type uses
// are reachable through it. Every schema and resource type is validated, and
// two schemas with the same ID are an error. Errors name the file.
func LoadDir(fsys fs.FS) ([]*ResourceType, []*Schema, error) {
	type pending struct {
		file string
		doc  []byte
	}
	var (
		schemas []*Schema
		files   []string // files[i] defined schemas[i]
		queued  []pending
	)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(path.Ext(name), ".json") {
			return nil
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		docs, err := documents(data)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i, doc := range docs {
			if isResourceType(doc) {
				queued = append(queued, pending{name, doc})
				continue
			}
			s := new(Schema)
			if err := json.Unmarshal(doc, s); err != nil {
				return fmt.Errorf("%s: decoding schema %s: %w", name, ordinal(i, len(docs)), err)
			}
			if err := s.Validate(); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for j, prev := range schemas {
				if strings.EqualFold(prev.ID, s.ID) {
					return fmt.Errorf("%s: schema %s: already defined in %s", name, s.ID, files[j])
				}
			}
			schemas = append(schemas, s)
			files = append(files, name)
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("schema: load %w", err)
	}

	known := append([]*Schema(nil), schemas...)
	for _, b := range []*Schema{User(), Group(), EnterpriseUser()} {
		if !defines(schemas, b.ID) {
			known = append(known, b)
		}
	}
	var rts []*ResourceType
	for _, p := range queued {
		rt, err := decodeResourceType(p.doc, known)
		if err == nil {
			err = rt.Validate()
		}
		if err != nil {
			return nil, nil, fmt.Errorf("schema: load %s: %w", p.file, err)
		}
		rts = append(rts, rt)
	}
	return rts, schemas, nil
}

func defines(schemas []*Schema, urn string) bool {
	for _, s := range schemas {
		if strings.EqualFold(s.ID, urn) {
			return true
		}
	}
	return false
}

// documents splits data into the JSON objects it holds: data itself if it is
// an object, the elements of an array, or the "Resources" of a ListResponse.
func documents(data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty JSON document")
	}
	var list []json.RawMessage
	switch data[0] {
	case '[':
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, err
		}
	case '{':
		var members map[string]json.RawMessage
		if err := json.Unmarshal(data, &members); err != nil {
			return nil, err
		}
		resources, ok := member(members, "Resources")
		if !ok {
			return []json.RawMessage{data}, nil
		}
		if err := json.Unmarshal(resources, &list); err != nil {
			return nil, fmt.Errorf("ListResponse Resources: %w", err)
		}
	default:
		return nil, errors.New("expected a JSON object or array")
	}
	for i, doc := range list {
		if len(doc) == 0 || doc[0] != '{' {
			return nil, fmt.Errorf("element %d is not a JSON object", i)
		}
	}
	return list, nil
}

// member returns the member of members named name, matched
// case-insensitively as encoding/json matches struct fields.
func member(members map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := members[name]; ok {
		return v, true
	}
	for k, v := range members {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// isResourceType reports whether the JSON object doc is a resource type
// rather than a schema.
func isResourceType(doc []byte) bool {
	var members map[string]json.RawMessage
	if json.Unmarshal(doc, &members) != nil {
		return false
	}
	if _, ok := member(members, "endpoint"); ok {
		return true
	}
	var urns []string
	if v, ok := member(members, "schemas"); ok && json.Unmarshal(v, &urns) == nil {
		for _, u := range urns {
			if strings.EqualFold(u, ResourceTypeURN) {
				return true
			}
		}
	}
	return false
}

// ordinal names the i-th of n documents in an error message.
func ordinal(i, n int) string {
	if n == 1 {
		return "object"
	}
	return fmt.Sprintf("#%d", i)
}
