package schema_test

import (
	"testing"

	"github.com/scim-go/scim/schema"
)

// TestExtensionAttribute checks which unqualified names ExtensionAttribute
// finds in an extension, and which Ambiguous reports as named by more than
// one.
func TestExtensionAttribute(t *testing.T) {
	rt := schema.UserResourceType()
	rt.Extensions = append(rt.Extensions, schema.Extension{Schema: &schema.Schema{
		ID: "urn:example:params:scim:schemas:extension:badge:2.0:User",
		Attributes: []*schema.Attribute{
			{Name: "badge", Type: schema.String},
			{Name: "department", Type: schema.String},
			{Name: "userName", Type: schema.String},
		},
	}})
	for _, tt := range []struct {
		name      string
		urn       string // of the attribute ExtensionAttribute finds, or ""
		ambiguous bool
	}{
		{"employeeNumber", schema.EnterpriseUserURN, false},
		{"Manager", schema.EnterpriseUserURN, false},
		{"badge", "urn:example:params:scim:schemas:extension:badge:2.0:User", false},
		{"department", "", true},
		{"userName", "", false}, // the core schema's
		{"nickname", "", false},
		{"unknown", "", false},
	} {
		urn, a := rt.ExtensionAttribute(tt.name)
		if urn != tt.urn || (a != nil) != (tt.urn != "") {
			t.Errorf("ExtensionAttribute(%q) = %q, %v; want %q", tt.name, urn, a, tt.urn)
		}
		if got := rt.Ambiguous(tt.name); got != tt.ambiguous {
			t.Errorf("Ambiguous(%q) = %v, want %v", tt.name, got, tt.ambiguous)
		}
	}
}
