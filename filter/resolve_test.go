package filter_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

const enterprise = schema.EnterpriseUserURN

func TestResolveErrors(t *testing.T) {
	users, groups, devices := schema.UserResourceType(), schema.GroupResourceType(), deviceType()
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		want   filter.AttributeError
	}{
		// Unknown attributes and schemas.
		{users, `favouriteColour eq "blue"`, filter.AttributeError{Path: "favouriteColour", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, `FavouriteColour pr`, filter.AttributeError{Path: "FavouriteColour", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, `title pr and (active eq true or nope pr)`, filter.AttributeError{Path: "nope", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, `not (nope pr)`, filter.AttributeError{Path: "nope", Msg: "no such attribute in resource type User", Undefined: true}},
		{groups, `userName eq "bjensen"`, filter.AttributeError{Path: "userName", Msg: "no such attribute in resource type Group", Undefined: true}},
		{twoExtensions(), `badge eq "1"`, filter.AttributeError{Path: "badge", Msg: "is an attribute of more than one extension of resource type Badged; qualify it by its schema URN", Undefined: true}},
		{users, `urn:example:foo:2.0:User:userName eq "x"`,
			filter.AttributeError{Path: "urn:example:foo:2.0:User:userName", Msg: "unknown schema urn:example:foo:2.0:User for resource type User", Undefined: true}},
		{groups, enterprise + `:employeeNumber eq "1"`,
			filter.AttributeError{Path: enterprise + ":employeeNumber", Msg: "unknown schema " + enterprise + " for resource type Group", Undefined: true}},
		{users, enterprise + `:userName eq "x"`, filter.AttributeError{Path: enterprise + ":userName", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, enterprise + `:id eq "x"`, filter.AttributeError{Path: enterprise + ":id", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, `meta.nope pr`, filter.AttributeError{Path: "meta.nope", Msg: "meta has no sub-attribute \"nope\"", Undefined: true}},

		// Sub-attributes.
		{users, `userName.first eq "x"`, filter.AttributeError{Path: "userName.first", Msg: "userName has no sub-attributes"}},
		{users, `id.value pr`, filter.AttributeError{Path: "id.value", Msg: "id has no sub-attributes"}},
		{users, `name.nickname eq "x"`, filter.AttributeError{Path: "name.nickname", Msg: "name has no sub-attribute \"nickname\"", Undefined: true}},
		{users, enterprise + `:manager.id eq "x"`, filter.AttributeError{Path: enterprise + ":manager.id", Msg: "manager has no sub-attribute \"id\"", Undefined: true}},

		// Value paths.
		{users, `emails[kind eq "work"]`, filter.AttributeError{Path: "emails.kind", Msg: "emails has no sub-attribute \"kind\"", Undefined: true}},
		{users, `emails[type eq "work" and not (kind pr)]`, filter.AttributeError{Path: "emails.kind", Msg: "emails has no sub-attribute \"kind\"", Undefined: true}},
		{users, `emails[urn:ietf:params:scim:schemas:core:2.0:User:type eq "work"]`,
			filter.AttributeError{Path: "emails.urn:ietf:params:scim:schemas:core:2.0:User:type", Msg: "inside emails[...] only sub-attribute names may be used"}},
		{users, `emails[type.value eq "x"]`, filter.AttributeError{Path: "emails.type.value", Msg: "inside emails[...] only sub-attribute names may be used"}},
		{users, `userName[value eq "x"]`, filter.AttributeError{Path: "userName", Msg: "a value path needs a complex attribute"}},
		{users, `emails.value[value eq "x"]`, filter.AttributeError{Path: "emails.value", Msg: "a value path needs a complex attribute"}},
		{users, `nope[value eq "x"]`, filter.AttributeError{Path: "nope", Msg: "no such attribute in resource type User", Undefined: true}},
		{users, `EMAILS[Kind eq "work"]`, filter.AttributeError{Path: "EMAILS.Kind", Msg: "emails has no sub-attribute \"Kind\"", Undefined: true}},
		{users, enterprise + `:manager[id eq "x"]`, filter.AttributeError{Path: enterprise + ":manager.id", Msg: "manager has no sub-attribute \"id\"", Undefined: true}},
		{users, `emails[type eq "work" and primary gt true]`, filter.AttributeError{Path: "emails.primary", Msg: "gt is not supported for boolean attributes"}},
		{users, `emails[display eq 1 and primary eq "no"]`, filter.AttributeError{Path: "emails.primary", Msg: "expected true or false, found \"no\""}},
		{devices, `parts[pin eq "1234"]`, filter.AttributeError{Path: "parts.pin", Msg: "cannot be used in a filter"}},
		// A complex attribute compares by its "value", which may be write-only.
		{sshKeys(), `keys sw "ssh-"`, filter.AttributeError{Path: "keys", Msg: `compares by its "value" sub-attribute, which cannot be used in a filter`}},
		{sshKeys(), `keys[type eq "rsa"] and not (keys ne "x")`, filter.AttributeError{Path: "keys", Msg: `compares by its "value" sub-attribute, which cannot be used in a filter`}},
		{devices, `parts[kind gt null]`, filter.AttributeError{Path: "parts.kind", Msg: "null can only be compared with eq or ne"}},
		{devices, `parts[size co "1"]`, filter.AttributeError{Path: "parts.size", Msg: "co is not supported for integer attributes"}},

		// Operators the type does not support.
		{users, `active gt true`, filter.AttributeError{Path: "active", Msg: "gt is not supported for boolean attributes"}},
		{users, `active ge false`, filter.AttributeError{Path: "active", Msg: "ge is not supported for boolean attributes"}},
		{users, `emails.primary lt true`, filter.AttributeError{Path: "emails.primary", Msg: "lt is not supported for boolean attributes"}},
		{devices, `enabled le true`, filter.AttributeError{Path: "enabled", Msg: "le is not supported for boolean attributes"}},
		{users, `x509Certificates.value gt "QUJD"`, filter.AttributeError{Path: "x509Certificates.value", Msg: "gt is not supported for binary attributes"}},
		{devices, `blob lt "QUJD"`, filter.AttributeError{Path: "blob", Msg: "lt is not supported for binary attributes"}},
		{users, `x509Certificates ge "QUJD"`, filter.AttributeError{Path: "x509Certificates", Msg: "ge is not supported for binary attributes"}},
		{devices, `count co 1`, filter.AttributeError{Path: "count", Msg: "co is not supported for integer attributes"}},
		{devices, `readings sw 1`, filter.AttributeError{Path: "readings", Msg: "sw is not supported for integer attributes"}},
		{devices, `ratio ew "5"`, filter.AttributeError{Path: "ratio", Msg: "ew is not supported for decimal attributes"}},
		{users, `meta.created co "2011"`, filter.AttributeError{Path: "meta.created", Msg: "co is not supported for dateTime attributes"}},
		{devices, `seen sw "2020"`, filter.AttributeError{Path: "seen", Msg: "sw is not supported for dateTime attributes"}},
		{users, `active co "t"`, filter.AttributeError{Path: "active", Msg: "co is not supported for boolean attributes"}},
		{users, `emails.primary ew "e"`, filter.AttributeError{Path: "emails.primary", Msg: "ew is not supported for boolean attributes"}},

		// Values that are not the attribute's type.
		{devices, `count eq "abc"`, filter.AttributeError{Path: "count", Msg: "expected a number, found \"abc\""}},
		{devices, `count eq true`, filter.AttributeError{Path: "count", Msg: "expected a number"}},
		{devices, `count gt ""`, filter.AttributeError{Path: "count", Msg: "expected a number, found \"\""}},
		{devices, `count eq "NaN"`, filter.AttributeError{Path: "count", Msg: "expected a number, found \"NaN\""}},
		{devices, `ratio lt "Inf"`, filter.AttributeError{Path: "ratio", Msg: "expected a number, found \"Inf\""}},
		{devices, `ratio lt "-infinity"`, filter.AttributeError{Path: "ratio", Msg: "expected a number, found \"-infinity\""}},
		{devices, `count gt 1E400`, filter.AttributeError{Path: "count", Msg: "expected a number, found \"1E400\""}},
		{devices, `ratio eq false`, filter.AttributeError{Path: "ratio", Msg: "expected a number"}},
		{users, `active eq "yes"`, filter.AttributeError{Path: "active", Msg: "expected true or false, found \"yes\""}},
		{users, `active eq 1`, filter.AttributeError{Path: "active", Msg: "expected true or false"}},
		{users, `meta.created gt "yesterday"`, filter.AttributeError{Path: "meta.created", Msg: `expected a dateTime such as "2011-05-13T04:42:34Z", found "yesterday"`}},
		{users, `meta.lastModified eq "2011-05-13"`, filter.AttributeError{Path: "meta.lastModified", Msg: `expected a dateTime such as "2011-05-13T04:42:34Z", found "2011-05-13"`}},
		{users, `meta.lastModified eq 2011`, filter.AttributeError{Path: "meta.lastModified", Msg: "expected a dateTime string"}},
		{devices, `seen lt true`, filter.AttributeError{Path: "seen", Msg: "expected a dateTime string"}},
		{users, `name eq "Babs"`, filter.AttributeError{Path: "name", Msg: `a complex attribute without a "value" sub-attribute cannot be compared`}},
		{users, `meta gt "x"`, filter.AttributeError{Path: "meta", Msg: `a complex attribute without a "value" sub-attribute cannot be compared`}},

		// null compares only with eq and ne.
		{users, `title gt null`, filter.AttributeError{Path: "title", Msg: "null can only be compared with eq or ne"}},
		{users, `title co null`, filter.AttributeError{Path: "title", Msg: "null can only be compared with eq or ne"}},
		{devices, `count le null`, filter.AttributeError{Path: "count", Msg: "null can only be compared with eq or ne"}},

		// Attributes never returned, or write-only, would leak their values.
		{users, `password eq "t1meMa$heen"`, filter.AttributeError{Path: "password", Msg: "cannot be used in a filter or for sorting"}},
		{users, `PASSWORD pr`, filter.AttributeError{Path: "PASSWORD", Msg: "cannot be used in a filter or for sorting"}},
		{users, `urn:ietf:params:scim:schemas:core:2.0:User:password sw "a"`,
			filter.AttributeError{Path: "urn:ietf:params:scim:schemas:core:2.0:User:password", Msg: "cannot be used in a filter or for sorting"}},
		{users, `not (password eq null)`, filter.AttributeError{Path: "password", Msg: "cannot be used in a filter or for sorting"}},
		{devices, `secret eq "x"`, filter.AttributeError{Path: "secret", Msg: "cannot be used in a filter or for sorting"}},
		{devices, `hash pr`, filter.AttributeError{Path: "hash", Msg: "cannot be used in a filter or for sorting"}},
		{devices, `parts.pin eq "1234"`, filter.AttributeError{Path: "parts.pin", Msg: "cannot be used in a filter or for sorting"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			f, err := filter.Compile(tt.rt, tt.filter)
			checkAttributeError(t, tt.want, f, err)
		})
	}
}

func checkAttributeError(t *testing.T, want filter.AttributeError, got any, err error) {
	t.Helper()
	var ae *filter.AttributeError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, %v; want *AttributeError %v", got, err, &want)
	}
	if diff := cmp.Diff(want, *ae); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Error(), err.Error()); diff != "" {
		t.Errorf("error text (-want +got):\n%s", diff)
	}
}

// TestResolveHandBuilt resolves trees the parser does not produce.
func TestResolveHandBuilt(t *testing.T) {
	users := schema.UserResourceType()
	work := filter.Compare{Attr: filter.AttrPath{Name: "type"}, Op: filter.Eq, Value: "work"}
	tests := []struct {
		name string
		expr filter.Expr
		want filter.AttributeError
	}{
		{
			"nested value path",
			filter.ValuePath{Attr: filter.AttrPath{Name: "emails"}, Filter: filter.ValuePath{Attr: filter.AttrPath{Name: "addresses"}, Filter: work}},
			filter.AttributeError{Path: "emails.addresses", Msg: "value paths cannot be nested"},
		},
		{
			"schema URN alone",
			filter.Present{Attr: filter.AttrPath{URN: enterprise}},
			filter.AttributeError{Path: enterprise, Msg: "a schema URN alone is not an attribute"},
		},
		{
			"unknown operator",
			filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: "like", Value: "b%"},
			filter.AttributeError{Path: "userName", Msg: `unknown operator "like"`},
		},
		{
			"upper-case operator",
			filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: "EQ", Value: "b"},
			filter.AttributeError{Path: "userName", Msg: `unknown operator "EQ"`},
		},
		{
			"value of a Go type that is not a Value",
			filter.Compare{Attr: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: 42},
			filter.AttributeError{Path: "userName", Msg: "expected a string"},
		},
		{
			"nil expression",
			nil,
			filter.AttributeError{Msg: "unsupported expression"},
		},
		{
			"nil operand",
			filter.And{Left: filter.Present{Attr: filter.AttrPath{Name: "userName"}}, Right: nil},
			filter.AttributeError{Msg: "unsupported expression"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := filter.Resolve(users, tt.expr)
			checkAttributeError(t, tt.want, f, err)
		})
	}
}

func TestResolveSyntaxError(t *testing.T) {
	_, err := filter.Compile(schema.UserResourceType(), `userName eqq "bjensen"`)
	var se *filter.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want *SyntaxError", err)
	}
}

func TestResolveAttribute(t *testing.T) {
	users, devices := schema.UserResourceType(), deviceType()
	type result struct {
		String string // canonical path
		URN    string
		Leaf   string // name of the leaf attribute
		Type   schema.Type
	}
	tests := []struct {
		rt   *schema.ResourceType
		path string
		want result
	}{
		{users, "id", result{"id", "", "id", schema.String}},
		{users, "ID", result{"id", "", "id", schema.String}},
		{users, "externalId", result{"externalId", "", "externalId", schema.String}},
		{users, "EXTERNALID", result{"externalId", "", "externalId", schema.String}},
		{users, "meta", result{"meta", "", "meta", schema.Complex}},
		{users, "meta.created", result{"meta.created", "", "created", schema.DateTime}},
		{users, "Meta.LastModified", result{"meta.lastModified", "", "lastModified", schema.DateTime}},
		{users, "META.VERSION", result{"meta.version", "", "version", schema.String}},
		{users, "meta.resourceType", result{"meta.resourceType", "", "resourceType", schema.String}},
		{users, "meta.location", result{"meta.location", "", "location", schema.Reference}},
		{users, "userName", result{"userName", "", "userName", schema.String}},
		{users, "USERNAME", result{"userName", "", "userName", schema.String}},
		{users, "name.givenName", result{"name.givenName", "", "givenName", schema.String}},
		{users, "Emails.Value", result{"emails.value", "", "value", schema.String}},
		{users, "emails", result{"emails", "", "emails", schema.Complex}},
		{users, "groups.display", result{"groups.display", "", "display", schema.String}},
		{users, "urn:ietf:params:scim:schemas:core:2.0:User:userName", result{"userName", "", "userName", schema.String}},
		{users, "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.familyName", result{"name.familyName", "", "familyName", schema.String}},
		{users, "urn:ietf:params:scim:schemas:core:2.0:User:id", result{"id", "", "id", schema.String}},
		{users, enterprise + ":employeeNumber", result{enterprise + ":employeeNumber", enterprise, "employeeNumber", schema.String}},
		// An unqualified name of an attribute of one extension alone, as
		// identity providers send "manager".
		{users, "employeeNumber", result{enterprise + ":employeeNumber", enterprise, "employeeNumber", schema.String}},
		{users, "Manager.Value", result{enterprise + ":manager.value", enterprise, "value", schema.String}},
		{twoExtensions(), "urn:example:b:badge", result{"urn:example:b:badge", "urn:example:b", "badge", schema.String}},
		{twoExtensions(), "only", result{"urn:example:b:only", "urn:example:b", "only", schema.Integer}},
		{users, "urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:user:Manager.Value", result{enterprise + ":manager.value", enterprise, "value", schema.String}},
		{users, enterprise + ":manager.$ref", result{enterprise + ":manager.$ref", enterprise, "$ref", schema.Reference}},
		{devices, "count", result{"count", "", "count", schema.Integer}},
		{devices, "parts.size", result{"parts.size", "", "size", schema.Integer}},
		{devices, deviceExtURN + ":since", result{deviceExtURN + ":since", deviceExtURN, "since", schema.DateTime}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := filter.ParsePath(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			a, err := filter.ResolveAttribute(tt.rt, p.Attr)
			if err != nil {
				t.Fatal(err)
			}
			got := result{a.String(), a.URN, a.Leaf().Name, a.Leaf().Type}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ResolveAttribute (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResolveAccepts lists filters that resolve, beyond those TestMatch
// evaluates.
func TestResolveAccepts(t *testing.T) {
	users := schema.UserResourceType()
	for _, s := range []string{
		`id eq "2819c223-7f76-453a-919d-413861904646"`,
		`meta.version eq "W/\"e180ee84f0671b1\""`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`meta.created ge "2011-05-13T04:42:34.123456789+14:00"`,
		`meta.location eq "https://example.com/v2/Users/1"`,
		`title eq null and emails ne null`,
		`userName eq 12`,
		`userName eq true`,
		`active eq "TRUE"`,
		`emails[type eq "work" and primary eq true]`,
		`emails[not (type eq "work") or value pr]`,
		`groups.value eq "e9e30dba"`,
		`x509Certificates.value eq "QUJD"`,
		`x509Certificates.value co "UJ"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName sw "J"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[value eq "26118915"]`,
		`meta[created gt "2011-05-13T04:42:34Z"]`,
	} {
		t.Run(s, func(t *testing.T) {
			f, err := filter.Compile(users, s)
			if err != nil {
				t.Fatal(err)
			}
			e, err := filter.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			if f.Expr() != e {
				t.Errorf("Expr() = %v, want %v", f.Expr(), e)
			}
			if f.String() != e.String() {
				t.Errorf("String() = %q, want %q", f.String(), e.String())
			}
		})
	}
}

// twoExtensions returns a resource type whose two extensions both have an
// attribute "badge", which an unqualified name cannot tell apart.
// sshKeys is a type whose complex attribute keys holds a write-only
// value.
func sshKeys() *schema.ResourceType {
	return &schema.ResourceType{Name: "Account", Endpoint: "/Accounts", Schema: &schema.Schema{
		ID: "urn:example:params:scim:schemas:core:1.0:Account",
		Attributes: []*schema.Attribute{
			{Name: "keys", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value", Type: schema.String, Mutability: schema.WriteOnly},
				{Name: "type", Type: schema.String},
			}},
		},
	}}
}

func twoExtensions() *schema.ResourceType {
	ext := func(urn string, attrs ...*schema.Attribute) schema.Extension {
		return schema.Extension{Schema: &schema.Schema{ID: urn, Name: urn, Attributes: attrs}}
	}
	return &schema.ResourceType{
		Name:     "Badged",
		Endpoint: "/Badged",
		Schema:   &schema.Schema{ID: "urn:example:core", Name: "Badged", Attributes: []*schema.Attribute{{Name: "name", Type: schema.String}}},
		Extensions: []schema.Extension{
			ext("urn:example:a", &schema.Attribute{Name: "badge", Type: schema.String}),
			ext("urn:example:b", &schema.Attribute{Name: "badge", Type: schema.String}, &schema.Attribute{Name: "only", Type: schema.Integer}),
		},
	}
}

func TestFilterReads(t *testing.T) {
	users := schema.UserResourceType()
	for _, tt := range []struct {
		filter, path string
		want         bool
	}{
		{`meta.location pr`, "meta.location", true},
		{`meta.location pr`, "META.Location", true},
		{`meta.location pr`, "meta", true},
		{`meta[location sw "https"]`, "meta.location", true},
		{`userName eq "a" or not (meta.location eq "x")`, "meta.location", true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, "meta.location", false},
		{`title eq "meta.location"`, "meta.location", false},
		{`emails[type eq "work" and value co "x"]`, "emails.value", true},
		{`emails[type eq "work"]`, "emails.value", false},
		{`emails[type eq "work"]`, "emails", true},
		{`meta.location pr`, "meta.loc", false},
		{`meta.location pr`, "meta.locationx", false},
	} {
		f, err := filter.Compile(users, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Reads(tt.path); got != tt.want {
			t.Errorf("Compile(%q).Reads(%q) = %v, want %v", tt.filter, tt.path, got, tt.want)
		}
	}
}
