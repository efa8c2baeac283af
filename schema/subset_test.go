package schema

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// attrPaths lists rt's attributes as paths, sub-attributes included.
func attrPaths(rt *ResourceType) []string {
	var out []string
	add := func(s *Schema, prefix string) {
		for _, a := range s.Attributes {
			out = append(out, prefix+a.Name)
			for _, sub := range a.SubAttributes {
				out = append(out, prefix+a.Name+"."+sub.Name)
			}
		}
	}
	add(rt.Schema, "")
	for _, e := range rt.Extensions {
		add(e.Schema, e.Schema.ID+":")
	}
	return out
}

func TestSubset(t *testing.T) {
	ent := EnterpriseUserURN + ":"
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"a SaaS accounts table", []string{"userName", "name.formatted", "emails", "active", ent + "department", "id", "externalId"},
			[]string{"userName", "name", "name.formatted", "active", "emails", "emails.value", "emails.display", "emails.type", "emails.primary", ent + "department"}},
		{"names in any case, twice", []string{"USERNAME", "Name.GivenName", "name.familyName", "name.givenName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:Manager.value"},
			[]string{"userName", "name", "name.familyName", "name.givenName", ent + "manager", ent + "manager.value"}},
		{"a whole attribute and one of its sub-attributes", []string{"userName", "name", "name.formatted"},
			[]string{"userName", "name", "name.formatted", "name.familyName", "name.givenName", "name.middleName", "name.honorificPrefix", "name.honorificSuffix"}},
		{"the core schema's URN", []string{UserURN + ":userName", UserURN + ":groups"},
			[]string{"userName", "groups", "groups.value", "groups.$ref", "groups.display", "groups.type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := UserResourceType()
			before := attrPaths(rt)
			got, err := rt.Subset(tt.paths...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, attrPaths(got)); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("the subset is not a valid resource type: %v", err)
			}
			if diff := cmp.Diff(before, attrPaths(rt)); diff != "" {
				t.Errorf("Subset changed its receiver (-before +after):\n%s", diff)
			}
			if got.Schema.ID != UserURN || got.Name != "User" || got.Endpoint != "/Users" {
				t.Errorf("subset is %s at %s with schema %s", got.Name, got.Endpoint, got.Schema.ID)
			}
		})
	}
}

func TestSubsetErrors(t *testing.T) {
	tests := []struct {
		paths []string
		want  string
	}{
		{[]string{"name.formatted"}, "userName is required"},
		{[]string{"userName", "nickname2"}, "nickname2: resource type User has no such attribute"},
		{[]string{"userName", "name.nope"}, "name.nope: attribute name has no such sub-attribute"},
		{[]string{"userName", "urn:example:Nope:x"}, "no schema of resource type User has this URN"},
		{[]string{"userName", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope"}, "has no such attribute"},
	}
	for _, tt := range tests {
		_, err := UserResourceType().Subset(tt.paths...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Subset(%q) = %v, want an error containing %q", tt.paths, err, tt.want)
		}
	}
	members := GroupResourceType()
	members.Schema.Attribute("members").SubAttribute("value").Required = true
	if _, err := members.Subset("displayName", "members.display"); err == nil || !strings.Contains(err.Error(), "members.value is required") {
		t.Errorf("Subset leaving out a required sub-attribute: %v", err)
	}
}
