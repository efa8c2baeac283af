package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemaValidate(t *testing.T) {
	const urn = "urn:example:scim:schemas:Thing"
	attrs := func(a ...*Attribute) *Schema { return &Schema{ID: urn, Attributes: a} }
	complexOf := func(name string, sub ...*Attribute) *Attribute {
		return &Attribute{Name: name, Type: Complex, SubAttributes: sub}
	}
	tests := []struct {
		name   string
		schema *Schema
		want   string // "" for valid
	}{
		{"valid", attrs(
			&Attribute{Name: "a-b_c9"},
			complexOf("ref", &Attribute{Name: "$ref", Type: Reference, ReferenceTypes: []string{"User", "external"}}),
		), ""},
		{"upper-case URN prefix", &Schema{ID: "URN:x:y"}, ""},
		{"empty id", &Schema{}, "schema: schema has an empty id"},
		{"id not a URN", &Schema{ID: "User"}, "schema User: id is not a URN"},
		{"id too short", &Schema{ID: "urn"}, "schema urn: id is not a URN"},
		{"nil attribute", attrs(&Attribute{Name: "a"}, nil),
			`schema ` + urn + `: attribute "[1]" is nil`},
		{"nil sub-attribute", attrs(complexOf("c", nil)),
			`schema ` + urn + `: attribute "c[0]" is nil`},
		{"empty name", attrs(&Attribute{}),
			`schema ` + urn + `: attribute "[0]": empty name`},
		{"name starts with digit", attrs(&Attribute{Name: "1st"}),
			`schema ` + urn + `: attribute "1st": invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)`},
		{"name with dot", attrs(complexOf("emails", &Attribute{Name: "value.x"})),
			`schema ` + urn + `: attribute "emails.value.x": invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)`},
		{"name with non-ASCII letter", attrs(&Attribute{Name: "naïve"}),
			`schema ` + urn + `: attribute "naïve": invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)`},
		{"top-level $ref", attrs(&Attribute{Name: "$ref", Type: Reference}),
			`schema ` + urn + `: attribute "$ref": "$ref" is allowed only as a sub-attribute`},
		{"other $ name", attrs(complexOf("c", &Attribute{Name: "$value"})),
			`schema ` + urn + `: attribute "c.$value": invalid name: want a letter followed by letters, digits, "-" or "_" (RFC 7643 §2.1)`},
		{"duplicate name", attrs(&Attribute{Name: "userName"}, &Attribute{Name: "USERNAME"}),
			`schema ` + urn + `: attribute "USERNAME": defined twice (names are case-insensitive)`},
		{"duplicate sub-attribute", attrs(complexOf("emails", &Attribute{Name: "value"}, &Attribute{Name: "Value"})),
			`schema ` + urn + `: attribute "emails.Value": defined twice (names are case-insensitive)`},
		{"same name at two levels", attrs(complexOf("value", &Attribute{Name: "value"})), ""},
		{"complex without sub-attributes", attrs(&Attribute{Name: "name", Type: Complex}),
			`schema ` + urn + `: attribute "name": complex attribute has no sub-attributes`},
		{"string with sub-attributes", attrs(&Attribute{Name: "name", SubAttributes: []*Attribute{{Name: "x"}}}),
			`schema ` + urn + `: attribute "name": string attribute has sub-attributes; only complex attributes may`},
		{"complex sub-attribute", attrs(complexOf("a", complexOf("b", &Attribute{Name: "c"}))),
			`schema ` + urn + `: attribute "a.b": a sub-attribute cannot be complex (RFC 7643 §2.3.8)`},
		{"invalid type", attrs(&Attribute{Name: "a", Type: Type(8)}),
			`schema ` + urn + `: attribute "a": invalid type Type(8)`},
		{"negative type", attrs(&Attribute{Name: "a", Type: Type(-1)}),
			`schema ` + urn + `: attribute "a": invalid type Type(-1)`},
		{"invalid mutability", attrs(&Attribute{Name: "a", Mutability: Mutability(4)}),
			`schema ` + urn + `: attribute "a": invalid mutability Mutability(4)`},
		{"invalid returned", attrs(&Attribute{Name: "a", Returned: Returned(4)}),
			`schema ` + urn + `: attribute "a": invalid returned Returned(4)`},
		{"invalid uniqueness", attrs(&Attribute{Name: "a", Uniqueness: Uniqueness(3)}),
			`schema ` + urn + `: attribute "a": invalid uniqueness Uniqueness(3)`},
		{"referenceTypes on string", attrs(complexOf("emails", &Attribute{Name: "value", ReferenceTypes: []string{"User"}})),
			`schema ` + urn + `: attribute "emails.value": string attribute has referenceTypes; only reference attributes may`},
		{"empty reference type", attrs(&Attribute{Name: "r", Type: Reference, ReferenceTypes: []string{""}}),
			`schema ` + urn + `: attribute "r": empty reference type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.schema.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResourceTypeValidate(t *testing.T) {
	thing := &Schema{ID: "urn:example:Thing", Attributes: []*Attribute{{Name: "label"}}}
	ext1 := &Schema{ID: "urn:example:Ext1", Attributes: []*Attribute{{Name: "label"}}}
	ext2 := &Schema{ID: "urn:example:Ext2", Attributes: []*Attribute{{Name: "id"}}}
	withCommon := func(name string) *Schema {
		return &Schema{ID: "urn:example:Bad", Attributes: []*Attribute{{Name: "label"}, {Name: name}}}
	}
	tests := []struct {
		name string
		rt   *ResourceType
		want string // "" for valid
	}{
		{"valid", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: thing,
			Extensions: []Extension{{Schema: ext1, Required: true}, {Schema: ext2}}}, ""},
		{"built-in User", UserResourceType(), ""},
		{"empty name", &ResourceType{Endpoint: "/Things", Schema: thing},
			"schema: resource type has an empty name"},
		{"endpoint without slash", &ResourceType{Name: "Thing", Endpoint: "Things", Schema: thing},
			`schema: resource type "Thing": endpoint "Things" is not a path such as "/Users"`},
		{"endpoint only slash", &ResourceType{Name: "Thing", Endpoint: "/", Schema: thing},
			`schema: resource type "Thing": endpoint "/" is not a path such as "/Users"`},
		{"no schema", &ResourceType{Name: "Thing", Endpoint: "/Things"},
			`schema: resource type "Thing" has no schema`},
		{"invalid core schema", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: &Schema{ID: "Thing"}},
			`schema: resource type "Thing": schema Thing: id is not a URN`},
		{"core defines id", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: withCommon("ID")},
			`schema: resource type "Thing": schema urn:example:Bad: attribute "id": redefines a common attribute (RFC 7643 §3.1)`},
		{"core defines externalId", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: withCommon("externalId")},
			`schema: resource type "Thing": schema urn:example:Bad: attribute "externalId": redefines a common attribute (RFC 7643 §3.1)`},
		{"core defines meta", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: withCommon("meta")},
			`schema: resource type "Thing": schema urn:example:Bad: attribute "meta": redefines a common attribute (RFC 7643 §3.1)`},
		{"nil extension schema", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: thing,
			Extensions: []Extension{{Schema: ext1}, {}}},
			`schema: resource type "Thing": extension 1 has no schema`},
		{"extension is core", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: thing,
			Extensions: []Extension{{Schema: &Schema{ID: "URN:EXAMPLE:THING"}}}},
			`schema: resource type "Thing": extension URN:EXAMPLE:THING is also the core schema`},
		{"extension twice", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: thing,
			Extensions: []Extension{{Schema: ext1}, {Schema: ext2}, {Schema: ext1}}},
			`schema: resource type "Thing": extension urn:example:Ext1 is listed twice`},
		{"invalid extension", &ResourceType{Name: "Thing", Endpoint: "/Things", Schema: thing,
			Extensions: []Extension{{Schema: &Schema{ID: "urn:example:E", Attributes: []*Attribute{{Name: "x", Type: Complex}}}}}},
			`schema: resource type "Thing": schema urn:example:E: attribute "x": complex attribute has no sub-attributes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.rt.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
