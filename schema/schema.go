// Package schema is the SCIM attribute model of RFC 7643: schemas, their
// attributes with every characteristic of RFC 7643 §2.2 and §7, resource
// types (RFC 7643 §6), and the built-in User, Group and EnterpriseUser
// schemas of RFC 7643 §4 and §8.7.
//
// A Schema or ResourceType can be declared in Go or loaded from its RFC 7643
// JSON representation with the encoding/json package, so a host can serve a
// custom resource type described in a file.
//
// Values of this package are plain data. Once handed to a server they must not
// be modified; reading them from many goroutines is safe.
package schema

import (
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
func (t *Type) UnmarshalText(b []byte) error { return enumUnmarshal(typeNames[:], (*int)(t), b, "type") }

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
type Attribute struct {
	Name            string
	Type            Type
	SubAttributes   []*Attribute // only for Type Complex
	MultiValued     bool
	Description     string
	Required        bool
	CanonicalValues []string
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	ReferenceTypes  []string // only for Type Reference, such as "User", "external", "uri"
}

// SubAttribute returns the sub-attribute named name, matched
// case-insensitively as RFC 7643 §2.1 requires, or nil.
func (a *Attribute) SubAttribute(name string) *Attribute {
	return find(a.SubAttributes, name)
}

// Schema is a SCIM schema (RFC 7643 §7): a URN and the attributes it defines.
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

// ResourceType describes a type of resource served at an endpoint (RFC 7643
// §6): its core schema and the extension schemas it may carry.
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

func find(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if len(a.Name) == len(name) && strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}
