// Package schema is the SCIM attribute model of RFC 7643: schemas, their
// attributes with every characteristic of RFC 7643 §2.2 and §7, resource
// types (RFC 7643 §6), and the built-in User, Group and EnterpriseUser
// schemas of RFC 7643 §4 and §8.7.
//
// A Schema or ResourceType can be declared in Go or loaded from its RFC 7643
// JSON representation, so a host can serve a custom resource type described
// in a file.
//
// Values of this package are plain data. Once handed to a server they must not
// be modified; reading them from many goroutines is safe.
//
// # Built-in schemas
//
// [User], [Group] and [EnterpriseUser] return the schemas of RFC 7643 §8.7.1,
// decoded from an embedded transcription of that section's JSON, and
// [UserResourceType] and [GroupResourceType] the resource types of RFC 7643
// §8.6. Each call returns a fresh deep copy that the caller may change, for
// example to drop attributes a host does not store or to mark one required.
// Where §8.7.1 contradicts the text of RFC 7643 §2 and §4 or an erratum, the
// built-ins follow the text; the doc of each function lists its differences.
// The descriptions are §8.7.1's, with the whitespace that the RFC's line
// wrapping left in them collapsed to single spaces.
// The common attributes id, externalId and meta (RFC 7643 §3.1) belong to
// every resource but to no schema: they are never in a Schema's Attributes,
// and [CommonAttributes] describes them.
//
// # JSON
//
// [Attribute] and [Schema] marshal to and unmarshal from the representation
// of RFC 7643 §7, and [ResourceType] marshals to that of RFC 7643 §6.
// Attribute names and characteristic values are matched case-insensitively
// on input, and unknown members such as "schemas" and "meta" are ignored.
// [Schema.MarshalWithMeta] and [ResourceType.MarshalWithMeta] add the "meta"
// a server returns from its /Schemas and /ResourceTypes endpoints.
//
// A resource type names its schemas by URN, so it is decoded with
// [ParseResourceType] or [ParseResourceTypes] given the schemas it may refer
// to. [ParseSchemas] and [ParseResourceTypes] accept one object, a JSON array
// of them, or a ListResponse as served by a SCIM server, and [LoadDir] loads
// a directory of such files. Loading does not check definitions: call
// [Schema.Validate] and [ResourceType.Validate] (LoadDir does).
package schema

import (
	"slices"
	"strings"
)

// URNs of the schemas defined by RFC 7643 and RFC 7644.
const (
	UserURN                  = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN                 = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN        = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ListResponseURN          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorURN                 = "urn:ietf:params:scim:api:messages:2.0:Error"
	PatchOpURN               = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchRequestURN         = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequestURN           = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseURN          = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// Type is an attribute's data type (RFC 7643 §2.3). The zero value is String,
// the default of RFC 7643 §2.2.
type Type int

// The data types of RFC 7643 §2.3.
const (
	String Type = iota
	Boolean
	Decimal
	Integer
	DateTime
	Binary
	Reference
	Complex
)

var typeNames = [...]string{"string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"}

// String returns the type's name as RFC 7643 §7 spells it, such as "dateTime".
func (t Type) String() string { return enumString(typeNames[:], int(t), "Type") }

// MarshalText implements encoding.TextMarshaler.
func (t Type) MarshalText() ([]byte, error) { return enumMarshal(typeNames[:], int(t), "type") }

// UnmarshalText implements encoding.TextUnmarshaler; names match case-insensitively.
func (t *Type) UnmarshalText(b []byte) error {
	return enumUnmarshal(typeNames[:], (*int)(t), b, "type")
}

// Mutability says whether and how an attribute can be modified (RFC 7643
// §7). The zero value is ReadWrite, the default.
type Mutability int

// The mutability values of RFC 7643 §7.
const (
	ReadWrite Mutability = iota
	ReadOnly
	Immutable
	WriteOnly
)

var mutabilityNames = [...]string{"readWrite", "readOnly", "immutable", "writeOnly"}

// String returns the name as RFC 7643 §7 spells it, such as "readOnly".
func (m Mutability) String() string { return enumString(mutabilityNames[:], int(m), "Mutability") }

// MarshalText implements encoding.TextMarshaler.
func (m Mutability) MarshalText() ([]byte, error) {
	return enumMarshal(mutabilityNames[:], int(m), "mutability")
}

// UnmarshalText implements encoding.TextUnmarshaler; names match case-insensitively.
func (m *Mutability) UnmarshalText(b []byte) error {
	return enumUnmarshal(mutabilityNames[:], (*int)(m), b, "mutability")
}

// Returned says when an attribute is returned in a response (RFC 7643 §7).
// The zero value is ReturnedDefault.
type Returned int

// The returned values of RFC 7643 §7.
const (
	// ReturnedDefault: returned unless excluded or another set was requested.
	ReturnedDefault Returned = iota
	// ReturnedAlways: returned in every response, whatever was requested.
	ReturnedAlways
	// ReturnedNever: never returned, such as a password.
	ReturnedNever
	// ReturnedRequest: returned only when named in "attributes".
	ReturnedRequest
)

var returnedNames = [...]string{"default", "always", "never", "request"}

// String returns the name as RFC 7643 §7 spells it, such as "never".
func (r Returned) String() string { return enumString(returnedNames[:], int(r), "Returned") }

// MarshalText implements encoding.TextMarshaler.
func (r Returned) MarshalText() ([]byte, error) {
	return enumMarshal(returnedNames[:], int(r), "returned")
}

// UnmarshalText implements encoding.TextUnmarshaler; names match case-insensitively.
func (r *Returned) UnmarshalText(b []byte) error {
	return enumUnmarshal(returnedNames[:], (*int)(r), b, "returned")
}

// Uniqueness says how an attribute's value must be unique (RFC 7643 §7). The
// zero value is UniquenessNone.
type Uniqueness int

// The uniqueness values of RFC 7643 §7.
const (
	UniquenessNone Uniqueness = iota
	UniquenessServer
	UniquenessGlobal
)

var uniquenessNames = [...]string{"none", "server", "global"}

// String returns the name as RFC 7643 §7 spells it, such as "server".
func (u Uniqueness) String() string { return enumString(uniquenessNames[:], int(u), "Uniqueness") }

// MarshalText implements encoding.TextMarshaler.
func (u Uniqueness) MarshalText() ([]byte, error) {
	return enumMarshal(uniquenessNames[:], int(u), "uniqueness")
}

// UnmarshalText implements encoding.TextUnmarshaler; names match case-insensitively.
func (u *Uniqueness) UnmarshalText(b []byte) error {
	return enumUnmarshal(uniquenessNames[:], (*int)(u), b, "uniqueness")
}

// Attribute describes one attribute of a schema, or a sub-attribute of a
// complex attribute, with the characteristics of RFC 7643 §2.2 and §7. The
// zero value of each field is the RFC default: a single-valued, optional,
// case-insensitive, readWrite string returned by default with no uniqueness.
//
// Its JSON form is that of RFC 7643 §7. Marshalling writes every
// characteristic, omitting only empty subAttributes, canonicalValues and
// referenceTypes; unmarshalling treats a missing characteristic as its
// default.
type Attribute struct {
	Name            string       `json:"name"`
	Type            Type         `json:"type"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"` // only for Type Complex
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      Mutability   `json:"mutability"`
	Returned        Returned     `json:"returned"`
	Uniqueness      Uniqueness   `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"` // only for Type Reference, such as "User", "external", "uri"
}

// SubAttribute returns the sub-attribute named name, matched
// case-insensitively as RFC 7643 §2.1 requires, or nil.
func (a *Attribute) SubAttribute(name string) *Attribute {
	return find(a.SubAttributes, name)
}

// Clone returns a deep copy of a, or nil if a is nil.
func (a *Attribute) Clone() *Attribute {
	if a == nil {
		return nil
	}
	c := *a
	c.SubAttributes = cloneAttributes(a.SubAttributes)
	c.CanonicalValues = slices.Clone(a.CanonicalValues)
	c.ReferenceTypes = slices.Clone(a.ReferenceTypes)
	return &c
}

func cloneAttributes(attrs []*Attribute) []*Attribute {
	if attrs == nil {
		return nil
	}
	c := make([]*Attribute, len(attrs))
	for i, a := range attrs {
		c[i] = a.Clone()
	}
	return c
}

// Schema is a SCIM schema (RFC 7643 §7): a URN and the attributes it defines.
// Attributes never include the common attributes id, externalId and meta
// (RFC 7643 §3.1), which every resource has whatever its schemas.
//
// Its JSON form is that of RFC 7643 §7 without "schemas" and "meta"; see
// [Schema.MarshalWithMeta] for the form a server returns.
type Schema struct {
	ID          string // the schema URN
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attribute returns the top-level attribute named name, matched
// case-insensitively, or nil.
func (s *Schema) Attribute(name string) *Attribute {
	return find(s.Attributes, name)
}

// Clone returns a deep copy of s, or nil if s is nil.
func (s *Schema) Clone() *Schema {
	if s == nil {
		return nil
	}
	c := *s
	c.Attributes = cloneAttributes(s.Attributes)
	return &c
}

// ResourceType describes a type of resource served at an endpoint (RFC 7643
// §6): its core schema and the extension schemas it may carry.
//
// It marshals to the JSON of RFC 7643 §6, naming its schemas by URN; decode
// it with [ParseResourceType], which resolves those URNs.
type ResourceType struct {
	ID          string // defaults to Name when empty
	Name        string // such as "User"
	Description string
	Endpoint    string // the path relative to the base URL, such as "/Users"
	Schema      *Schema
	Extensions  []Extension
}

// Extension is a schema extension of a resource type.
type Extension struct {
	Schema   *Schema
	Required bool
}

// SchemaURNs returns the URNs of rt's core schema and of its extensions,
// in that order.
func (rt *ResourceType) SchemaURNs() []string {
	urns := make([]string, 0, 1+len(rt.Extensions))
	urns = append(urns, rt.Schema.ID)
	for _, e := range rt.Extensions {
		urns = append(urns, e.Schema.ID)
	}
	return urns
}

// Extension returns the extension schema whose URN equals urn
// case-insensitively, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, e := range rt.Extensions {
		if strings.EqualFold(e.Schema.ID, urn) {
			return e.Schema
		}
	}
	return nil
}

// ExtensionAttribute finds the attribute an unqualified name names in one
// of rt's extensions, as identity providers send "manager" for the
// enterprise extension's: only when the core schema has no attribute of
// that name and exactly one extension has, so that the name is not
// ambiguous. It returns the extension's URN and the attribute, or "" and
// nil.
func (rt *ResourceType) ExtensionAttribute(name string) (string, *Attribute) {
	if rt.Schema.Attribute(name) != nil {
		return "", nil
	}
	var urn string
	var found *Attribute
	for _, e := range rt.Extensions {
		if a := e.Schema.Attribute(name); a != nil {
			if found != nil {
				return "", nil
			}
			urn, found = e.Schema.ID, a
		}
	}
	return urn, found
}

// Ambiguous reports whether more than one of rt's extensions has an
// attribute called name, which an unqualified name therefore cannot name:
// ExtensionAttribute finds none, and a client must qualify it by its
// schema URN.
func (rt *ResourceType) Ambiguous(name string) bool {
	n := 0
	for _, e := range rt.Extensions {
		if e.Schema.Attribute(name) != nil {
			n++
		}
	}
	return n > 1
}

func find(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if len(a.Name) == len(name) && strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}
