package schema

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with the contents of testdata/name, first rewriting
// the file when -update is set.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func marshalIndent(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func TestBuiltinGolden(t *testing.T) {
	tests := []struct {
		file  string
		value any
	}{
		{"user.json", User()},
		{"group.json", Group()},
		{"enterprise_user.json", EnterpriseUser()},
		{"user_resource_type.json", UserResourceType()},
		{"group_resource_type.json", GroupResourceType()},
		{"common_attributes.json", CommonAttributes()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden(t, tt.file, marshalIndent(t, tt.value))
		})
	}
}

// TestBuiltinRoundTrip decodes the golden JSON of each built-in schema and
// checks it gives back the same schema and, marshalled again, the same JSON.
func TestBuiltinRoundTrip(t *testing.T) {
	tests := []struct {
		file   string
		schema *Schema
	}{
		{"user.json", User()},
		{"group.json", Group()},
		{"enterprise_user.json", EnterpriseUser()},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseSchemas(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]*Schema{tt.schema}, got); diff != "" {
				t.Errorf("ParseSchemas mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(string(data), string(marshalIndent(t, got[0]))); diff != "" {
				t.Errorf("JSON after round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuiltinResourceTypeRoundTrip(t *testing.T) {
	schemas := []*Schema{User(), Group(), EnterpriseUser()}
	for _, want := range []*ResourceType{UserResourceType(), GroupResourceType()} {
		t.Run(want.Name, func(t *testing.T) {
			data, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseResourceType(data, schemas)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// characteristics are an attribute's characteristics other than its name,
// description and sub-attributes.
type characteristics struct {
	Type            Type
	MultiValued     bool
	Required        bool
	CaseExact       bool
	CanonicalValues []string
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	ReferenceTypes  []string
}

func characteristicsOf(a *Attribute) characteristics {
	return characteristics{
		Type:            a.Type,
		MultiValued:     a.MultiValued,
		Required:        a.Required,
		CaseExact:       a.CaseExact,
		CanonicalValues: a.CanonicalValues,
		Mutability:      a.Mutability,
		Returned:        a.Returned,
		Uniqueness:      a.Uniqueness,
		ReferenceTypes:  a.ReferenceTypes,
	}
}

// lookup finds the attribute at a path such as "emails.value" in attrs.
func lookup(attrs []*Attribute, path string) *Attribute {
	name, sub, _ := strings.Cut(path, ".")
	a := find(attrs, name)
	if a == nil || sub == "" {
		return a
	}
	return a.SubAttribute(sub)
}

// TestBuiltinCharacteristics spot-checks attributes against RFC 7643 §4 and
// §8.7.1.
func TestBuiltinCharacteristics(t *testing.T) {
	user, group, enterprise := User(), Group(), EnterpriseUser()
	tests := []struct {
		schema *Schema
		path   string
		want   characteristics
	}{
		{user, "userName", characteristics{Required: true, Uniqueness: UniquenessServer}},
		{user, "name", characteristics{Type: Complex}},
		{user, "name.givenName", characteristics{}},
		{user, "profileUrl", characteristics{Type: Reference, ReferenceTypes: []string{"external"}}},
		{user, "active", characteristics{Type: Boolean}},
		{user, "password", characteristics{Mutability: WriteOnly, Returned: ReturnedNever}},
		{user, "emails", characteristics{Type: Complex, MultiValued: true}},
		{user, "emails.value", characteristics{}},
		{user, "emails.type", characteristics{CanonicalValues: []string{"work", "home", "other"}}},
		{user, "emails.primary", characteristics{Type: Boolean}},
		{user, "phoneNumbers.type", characteristics{
			CanonicalValues: []string{"work", "home", "mobile", "fax", "pager", "other"},
		}},
		{user, "ims.type", characteristics{
			CanonicalValues: []string{"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"},
		}},
		{user, "photos.value", characteristics{Type: Reference, ReferenceTypes: []string{"external"}}},
		{user, "photos.type", characteristics{CanonicalValues: []string{"photo", "thumbnail"}}},
		{user, "addresses.type", characteristics{CanonicalValues: []string{"work", "home", "other"}}},
		{user, "addresses.primary", characteristics{Type: Boolean}},
		{user, "groups", characteristics{Type: Complex, MultiValued: true, Mutability: ReadOnly}},
		{user, "groups.value", characteristics{Mutability: ReadOnly}},
		{user, "groups.$ref", characteristics{
			Type: Reference, Mutability: ReadOnly, ReferenceTypes: []string{"User", "Group"},
		}},
		{user, "groups.type", characteristics{Mutability: ReadOnly, CanonicalValues: []string{"direct", "indirect"}}},
		{user, "entitlements.type", characteristics{}},
		{user, "roles.type", characteristics{}},
		{user, "x509Certificates", characteristics{Type: Complex, MultiValued: true}},
		{user, "x509Certificates.value", characteristics{Type: Binary, CaseExact: true}},
		{group, "displayName", characteristics{Required: true}},
		{group, "members", characteristics{Type: Complex, MultiValued: true}},
		{group, "members.value", characteristics{Mutability: Immutable}},
		{group, "members.$ref", characteristics{
			Type: Reference, Mutability: Immutable, ReferenceTypes: []string{"User", "Group"},
		}},
		{group, "members.type", characteristics{Mutability: Immutable, CanonicalValues: []string{"User", "Group"}}},
		{group, "members.display", characteristics{Mutability: Immutable}},
		{enterprise, "employeeNumber", characteristics{}},
		{enterprise, "manager", characteristics{Type: Complex}},
		{enterprise, "manager.value", characteristics{}},
		{enterprise, "manager.$ref", characteristics{Type: Reference, ReferenceTypes: []string{"User"}}},
		{enterprise, "manager.displayName", characteristics{Mutability: ReadOnly}},
	}
	for _, tt := range tests {
		t.Run(tt.schema.Name+"."+tt.path, func(t *testing.T) {
			a := lookup(tt.schema.Attributes, tt.path)
			if a == nil {
				t.Fatalf("no attribute %q", tt.path)
			}
			if diff := cmp.Diff(tt.want, characteristicsOf(a)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func names(attrs []*Attribute) []string {
	var s []string
	for _, a := range attrs {
		s = append(s, a.Name)
	}
	return s
}

// TestBuiltinAttributeNames checks that every attribute and sub-attribute of
// §8.7.1 is there, in order, plus the two sub-attributes added by amend.
func TestBuiltinAttributeNames(t *testing.T) {
	multi := []string{"value", "display", "type", "primary"}
	tests := []struct {
		schema *Schema
		path   string // "" for the top level
		want   []string
	}{
		{User(), "", []string{
			"userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
			"preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers",
			"ims", "photos", "addresses", "groups", "entitlements", "roles", "x509Certificates",
		}},
		{User(), "name", []string{
			"formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix",
		}},
		{User(), "emails", multi},
		{User(), "phoneNumbers", multi},
		{User(), "ims", multi},
		{User(), "photos", multi},
		{User(), "addresses", []string{
			"formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary",
		}},
		{User(), "groups", []string{"value", "$ref", "display", "type"}},
		{User(), "entitlements", multi},
		{User(), "roles", multi},
		{User(), "x509Certificates", multi},
		{Group(), "", []string{"displayName", "members"}},
		{Group(), "members", []string{"value", "$ref", "type", "display"}},
		{EnterpriseUser(), "", []string{
			"employeeNumber", "costCenter", "organization", "division", "department", "manager",
		}},
		{EnterpriseUser(), "manager", []string{"value", "$ref", "displayName"}},
	}
	for _, tt := range tests {
		t.Run(tt.schema.Name+"."+tt.path, func(t *testing.T) {
			attrs := tt.schema.Attributes
			if tt.path != "" {
				attrs = tt.schema.Attribute(tt.path).SubAttributes
			}
			if diff := cmp.Diff(tt.want, names(attrs)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuiltinSchemaIdentity(t *testing.T) {
	type ident struct{ ID, Name, Description string }
	tests := []struct {
		schema *Schema
		want   ident
	}{
		{User(), ident{UserURN, "User", "User Account"}},
		{Group(), ident{GroupURN, "Group", "Group"}},
		{EnterpriseUser(), ident{EnterpriseUserURN, "EnterpriseUser", "Enterprise User"}},
	}
	for _, tt := range tests {
		got := ident{tt.schema.ID, tt.schema.Name, tt.schema.Description}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
		if err := tt.schema.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", tt.schema.ID, err)
		}
	}
	for _, rt := range []*ResourceType{UserResourceType(), GroupResourceType()} {
		if err := rt.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", rt.Name, err)
		}
	}
}

func TestBuiltinFreshCopies(t *testing.T) {
	u := User()
	u.Attribute("userName").Required = false
	u.Attribute("emails").SubAttribute("type").CanonicalValues[0] = "changed"
	u.Attributes = u.Attributes[:1]
	rt := UserResourceType()
	rt.Schema.Attribute("password").Returned = ReturnedAlways
	rt.Extensions[0].Schema.Attributes = nil

	if diff := cmp.Diff(User(), UserResourceType().Schema); diff != "" {
		t.Errorf("User() and UserResourceType().Schema differ (-want +got):\n%s", diff)
	}
	fresh := User()
	if !fresh.Attribute("userName").Required {
		t.Error("changing a returned User schema changed the next one: userName not required")
	}
	if got := fresh.Attribute("emails").SubAttribute("type").CanonicalValues[0]; got != "work" {
		t.Errorf("emails.type canonicalValues[0] = %q, want %q", got, "work")
	}
	if got := fresh.Attribute("password").Returned; got != ReturnedNever {
		t.Errorf("password returned = %v, want never", got)
	}
	if got := len(EnterpriseUser().Attributes); got != 6 {
		t.Errorf("EnterpriseUser has %d attributes, want 6", got)
	}
}

func TestCommonAttributes(t *testing.T) {
	common := CommonAttributes()
	tests := []struct {
		path string
		want characteristics
	}{
		{"id", characteristics{
			CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: UniquenessServer,
		}},
		{"externalId", characteristics{CaseExact: true}},
		{"meta", characteristics{Type: Complex, Mutability: ReadOnly}},
		{"meta.resourceType", characteristics{CaseExact: true, Mutability: ReadOnly}},
		{"meta.created", characteristics{Type: DateTime, Mutability: ReadOnly}},
		{"meta.lastModified", characteristics{Type: DateTime, Mutability: ReadOnly}},
		{"meta.location", characteristics{Type: Reference, Mutability: ReadOnly, ReferenceTypes: []string{"uri"}}},
		{"meta.version", characteristics{CaseExact: true, Mutability: ReadOnly}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a := lookup(common, tt.path)
			if a == nil {
				t.Fatalf("no attribute %q", tt.path)
			}
			if diff := cmp.Diff(tt.want, characteristicsOf(a)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff([]string{"id", "externalId", "meta"}, names(common)); diff != "" {
		t.Errorf("names mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []*Schema{User(), Group(), EnterpriseUser()} {
		for _, a := range common {
			if s.Attribute(a.Name) != nil {
				t.Errorf("schema %s defines common attribute %q", s.ID, a.Name)
			}
		}
	}
}
