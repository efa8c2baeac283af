package schema

import (
	_ "embed"
	"fmt"
	"sync"
)

// rfc7643JSON is a transcription of the JSON of RFC 7643 §8.7.1 (Figure 9):
// the User, Group and EnterpriseUser schemas. It keeps that section's values,
// quirks included; the descriptions have the line-wrapping whitespace of the
// RFC's text collapsed to single spaces. amend applies this package's
// corrections.
//
//go:embed builtin/rfc7643.json
var rfc7643JSON []byte

// builtins holds the parsed, amended and validated built-in schemas, keyed by
// URN. They are never handed out; the exported functions return copies.
var builtins = sync.OnceValue(func() map[string]*Schema {
	schemas, err := ParseSchemas(rfc7643JSON)
	if err != nil {
		panic(fmt.Sprintf("schema: built-in schemas: %v", err))
	}
	m := make(map[string]*Schema, len(schemas))
	for _, s := range schemas {
		m[s.ID] = s
	}
	amend(m[UserURN], m[GroupURN])
	for _, s := range schemas {
		if err := s.Validate(); err != nil {
			panic(fmt.Sprintf("schema: built-in schemas: %v", err))
		}
	}
	return m
})

// amend corrects the schemas of §8.7.1 where they contradict the text of RFC
// 7643 or an erratum, and adds the two sub-attributes that §2.4 and the
// RFC's examples use but §8.7.1 omits. The other quirks of §8.7.1 are kept
// on purpose:
//
//   - password is mutability "writeOnly" and returned "never", as §4.1.1
//     intends for a cleartext password;
//   - groups and its sub-attributes are "readOnly": §4.1.2 says group
//     membership changes go through the Group resource;
//   - Group's members is not required (a group may be empty) and its
//     sub-attributes are "immutable", as §4.2 says;
//   - EnterpriseUser's manager.value and manager.$ref are not required,
//     though their descriptions end in "REQUIRED.": §4.3 does not require
//     them, and manager.$ref references a "User" only;
//   - the "display" sub-attributes of User's multi-valued attributes stay
//     "readWrite", though their descriptions say READ-ONLY, so that clients
//     may send them;
//   - groups.$ref keeps referenceTypes ["User", "Group"].
func amend(user, group *Schema) {
	// RFC 7643 §2.3.6 makes binary values case-exact; §8.7.1 says caseExact
	// false for x509Certificates.value (errata 6000 and 8470).
	user.Attribute("x509Certificates").SubAttribute("value").CaseExact = true

	// §8.7.1 omits addresses.primary, which §2.4 defines for every
	// multi-valued attribute and the example of §8.2 uses.
	addresses := user.Attribute("addresses")
	addresses.SubAttributes = append(addresses.SubAttributes, &Attribute{
		Name: "primary",
		Type: Boolean,
		Description: "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, " +
			"e.g., the preferred mailing address or primary email address. " +
			"The primary attribute value 'true' MUST appear no more than once.",
	})

	// §4.2 makes displayName REQUIRED; §8.7.1 says required false (erratum
	// 5368, verified).
	group.Attribute("displayName").Required = true

	// §8.7.1 omits members.display, which §2.4 defines for multi-valued
	// attributes and the examples of §8.4 and RFC 7644 send. Like the other
	// sub-attributes of members it is immutable (§4.2).
	members := group.Attribute("members")
	members.SubAttributes = append(members.SubAttributes, &Attribute{
		Name:        "display",
		Type:        String,
		Description: "A human-readable name for the member, primarily used for display purposes.",
		Mutability:  Immutable,
	})
}

// User returns the core User schema of RFC 7643 §4.1 and §8.7.1,
// urn:ietf:params:scim:schemas:core:2.0:User. Each call returns a new deep
// copy, which the caller may modify.
//
// It differs from §8.7.1 in two places: x509Certificates.value is caseExact,
// as §2.3.6 makes every binary value (errata 6000 and 8470), and addresses
// has the "primary" sub-attribute that §2.4 defines and the example of §8.2
// sends. As in §8.7.1, password is writeOnly and returned never, and groups
// and its sub-attributes are readOnly.
func User() *Schema { return builtins()[UserURN].Clone() }

// Group returns the core Group schema of RFC 7643 §4.2 and §8.7.1,
// urn:ietf:params:scim:schemas:core:2.0:Group. Each call returns a new deep
// copy, which the caller may modify.
//
// It differs from §8.7.1 in two places: displayName is required, as §4.2
// says (erratum 5368), and members has an immutable "display" sub-attribute,
// which §2.4 defines and the examples of §8.4 send. As in §8.7.1, members is
// not required and its sub-attributes are immutable.
func Group() *Schema { return builtins()[GroupURN].Clone() }

// EnterpriseUser returns the Enterprise User extension schema of RFC 7643
// §4.3 and §8.7.1, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.
// Each call returns a new deep copy, which the caller may modify.
//
// It is as §8.7.1 has it: manager.value and manager.$ref are not required,
// though their descriptions end in "REQUIRED.", and manager.$ref references
// a "User".
func EnterpriseUser() *Schema { return builtins()[EnterpriseUserURN].Clone() }

// UserResourceType returns the User resource type of RFC 7643 §8.6: served at
// "/Users" with the [User] schema and the optional [EnterpriseUser]
// extension. (§8.6's example marks the extension required; a server cannot
// expect every client to send it, so here it is optional.) Each call returns
// a new value with new schemas.
func UserResourceType() *ResourceType {
	return &ResourceType{
		ID:          "User",
		Name:        "User",
		Description: "User Account",
		Endpoint:    "/Users",
		Schema:      User(),
		Extensions:  []Extension{{Schema: EnterpriseUser()}},
	}
}

// GroupResourceType returns the Group resource type of RFC 7643 §8.6: served
// at "/Groups" with the [Group] schema and no extensions. Each call returns a
// new value with a new schema.
func GroupResourceType() *ResourceType {
	return &ResourceType{
		ID:          "Group",
		Name:        "Group",
		Description: "Group",
		Endpoint:    "/Groups",
		Schema:      Group(),
	}
}

// CommonAttributes returns the attributes of RFC 7643 §3.1 that every
// resource has, whatever its schemas: id, externalId and meta. They are not
// part of any Schema's Attributes, and a core schema may not define them
// (see [ResourceType.Validate]). Each call returns new values.
func CommonAttributes() []*Attribute {
	return []*Attribute{
		{
			Name:        "id",
			Type:        String,
			Description: "A unique identifier for a SCIM resource as defined by the service provider.",
			CaseExact:   true,
			Mutability:  ReadOnly,
			Returned:    ReturnedAlways,
			Uniqueness:  UniquenessServer,
		},
		{
			Name:        "externalId",
			Type:        String,
			Description: "A String that is an identifier for the resource as defined by the provisioning client.",
			CaseExact:   true,
		},
		{
			Name:        "meta",
			Type:        Complex,
			Description: "A complex attribute containing resource metadata.",
			Mutability:  ReadOnly,
			SubAttributes: []*Attribute{
				{
					Name:        "resourceType",
					Type:        String,
					Description: "The name of the resource type of the resource.",
					CaseExact:   true,
					Mutability:  ReadOnly,
				},
				{
					Name:        "created",
					Type:        DateTime,
					Description: "The DateTime that the resource was added to the service provider.",
					Mutability:  ReadOnly,
				},
				{
					Name:        "lastModified",
					Type:        DateTime,
					Description: "The most recent DateTime that the details of this resource were updated at the service provider.",
					Mutability:  ReadOnly,
				},
				{
					Name:           "location",
					Type:           Reference,
					ReferenceTypes: []string{"uri"},
					Description:    "The URI of the resource being returned.",
					Mutability:     ReadOnly,
				},
				{
					Name:        "version",
					Type:        String,
					Description: "The version of the resource being returned.",
					CaseExact:   true,
					Mutability:  ReadOnly,
				},
			},
		},
	}
}
