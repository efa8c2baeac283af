package patch_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/schema"
)

const (
	userURN  = schema.UserURN
	entURN   = schema.EnterpriseUserURN
	devURN   = "urn:example:params:scim:schemas:core:2.0:Device"
	auditURN = "urn:example:params:scim:schemas:extension:audit:2.0:Device"
	netURN   = "urn:example:params:scim:schemas:extension:net:2.0:Device"
)

var (
	userRT  = schema.UserResourceType()
	groupRT = schema.GroupResourceType()
	// deviceRT is a custom resource type with immutable attributes of
	// every shape, a required attribute, typed attributes and an
	// extension.
	deviceRT = &schema.ResourceType{
		ID:       "Device",
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{ID: devURN, Name: "Device", Attributes: []*schema.Attribute{
			{Name: "displayName", Required: true},
			{Name: "serialNumber", Mutability: schema.Immutable},
			{Name: "badge", Type: schema.Complex, Mutability: schema.Immutable, SubAttributes: []*schema.Attribute{
				{Name: "number"},
				{Name: "issuer"},
			}},
			{Name: "tags", MultiValued: true, Mutability: schema.Immutable},
			{Name: "ports", Type: schema.Complex, MultiValued: true, Mutability: schema.Immutable, SubAttributes: []*schema.Attribute{
				{Name: "value"},
				{Name: "type"},
				{Name: "primary", Type: schema.Boolean},
			}},
			{Name: "count", Type: schema.Integer},
			{Name: "weight", Type: schema.Decimal},
			{Name: "enabled", Type: schema.Boolean},
			{Name: "built", Type: schema.DateTime},
			{Name: "firmware", Mutability: schema.ReadOnly},
		}},
		Extensions: []schema.Extension{{Schema: &schema.Schema{ID: auditURN, Name: "Audit", Attributes: []*schema.Attribute{
			{Name: "memo"},
			{Name: "lockedBy", Mutability: schema.Immutable},
		}}}, {Schema: &schema.Schema{ID: netURN, Name: "Net", Attributes: []*schema.Attribute{
			{Name: "links", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
				{Name: "value"},
				{Name: "type"},
			}},
		}}}},
	}
)

// body returns a PatchOp request body with the given operations.
func body(ops ...string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`)
}

// opView is an Operation with its path reduced to names, for comparing.
type opView struct {
	Index  int
	Op     patch.Op
	Attr   string // the resolved attribute path, as filter.Attribute.String
	Ext    string // Path.Extension
	Filter string // the value filter, canonical
	Sub    string // the sub-attribute after the filter
	Text   string
	Value  any
}

func view(ops []patch.Operation) []opView {
	var out []opView
	for _, o := range ops {
		v := opView{Index: o.Index, Op: o.Op, Ext: o.Path.Extension, Text: o.Path.Text, Value: o.Value}
		if o.Path.Attr.Attr != nil {
			v.Attr = o.Path.Attr.String()
		}
		if o.Path.Filter != nil {
			v.Filter = o.Path.Filter.String()
		}
		if o.Path.Sub != nil {
			v.Sub = o.Path.Sub.Name
		}
		out = append(out, v)
	}
	return out
}

// patchError returns err as a *patch.Error, failing the test if it is
// another error.
func patchError(t testing.TB, err error) *patch.Error {
	t.Helper()
	var pe *patch.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is a %T, want *patch.Error", err, err)
	}
	return pe
}

type obj = map[string]any

func TestParse(t *testing.T) {
	built := time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC)
	for _, tt := range []struct {
		name string
		rt   *schema.ResourceType // default userRT
		opt  patch.Options
		ops  []string
		want []opView
	}{
		// Path forms (RFC 7644 §3.5.2, the "path" rule of §3.10).
		{
			name: "simple",
			ops:  []string{`{"op":"replace","path":"userName","value":"bjensen"}`},
			want: []opView{{Op: patch.Replace, Attr: "userName", Text: "userName", Value: "bjensen"}},
		},
		{
			name: "names match case-insensitively and resolve to canonical names",
			ops:  []string{`{"OP":"replace","PATH":"USERNAME","VALUE":"bjensen"}`},
			want: []opView{{Op: patch.Replace, Attr: "userName", Text: "USERNAME", Value: "bjensen"}},
		},
		{
			name: "complex",
			ops:  []string{`{"op":"add","path":"name","value":{"givenName":"Barbara","familyName":"Jensen"}}`},
			want: []opView{{Op: patch.Add, Attr: "name", Text: "name", Value: obj{"givenName": "Barbara", "familyName": "Jensen"}}},
		},
		{
			name: "sub-attribute",
			ops:  []string{`{"op":"replace","path":"name.familyName","value":"Jensen"}`},
			want: []opView{{Op: patch.Replace, Attr: "name.familyName", Text: "name.familyName", Value: "Jensen"}},
		},
		{
			name: "multi-valued",
			ops:  []string{`{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]}`},
			want: []opView{{Op: patch.Add, Attr: "emails", Text: "emails", Value: []any{obj{"value": "babs@jensen.org", "type": "home"}}}},
		},
		{
			name: "value filter",
			ops:  []string{`{"op":"replace","path":"addresses[type eq \"work\"]","value":{"type":"work","streetAddress":"911 Universal City Plaza","primary":true}}`},
			want: []opView{{
				Op: patch.Replace, Attr: "addresses", Filter: `type eq "work"`, Text: `addresses[type eq "work"]`,
				Value: obj{"type": "work", "streetAddress": "911 Universal City Plaza", "primary": true},
			}},
		},
		{
			name: "value filter with sub-attribute",
			ops:  []string{`{"op":"replace","path":"addresses[type eq \"work\"].streetAddress","value":"1010 Broadway Ave"}`},
			want: []opView{{
				Op: patch.Replace, Attr: "addresses", Filter: `type eq "work"`, Sub: "streetAddress",
				Text: `addresses[type eq "work"].streetAddress`, Value: "1010 Broadway Ave",
			}},
		},
		{
			name: "value filter with logical operators",
			ops:  []string{`{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}`},
			want: []opView{{
				Op: patch.Remove, Attr: "emails", Filter: `type eq "work" and value ew "example.com"`,
				Text: `emails[type eq "work" and value ew "example.com"]`,
			}},
		},
		{
			name: "RFC 7644 §3.5.2.2 remove a member by value filter",
			rt:   groupRT,
			ops:  []string{`{"op":"remove","path":"members[value eq \"2819c223-7f76-...413861904646\"]"}`},
			want: []opView{{
				Op: patch.Remove, Attr: "members", Filter: `value eq "2819c223-7f76-...413861904646"`,
				Text: `members[value eq "2819c223-7f76-...413861904646"]`,
			}},
		},
		{
			name: "URN-qualified core attribute",
			ops:  []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:name.givenName","value":"Babs"}`},
			want: []opView{{Op: patch.Replace, Attr: "name.givenName", Text: userURN + ":name.givenName", Value: "Babs"}},
		},
		{
			name: "URN-qualified extension attribute",
			ops:  []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Tour Operations"}`},
			want: []opView{{Op: patch.Replace, Attr: entURN + ":department", Text: entURN + ":department", Value: "Tour Operations"}},
		},
		{
			name: "URN-qualified extension sub-attribute, URN in another case",
			ops:  []string{`{"op":"replace","path":"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:manager.value","value":"26118915"}`},
			want: []opView{{
				Op: patch.Replace, Attr: entURN + ":manager.value",
				Text: "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:manager.value", Value: "26118915",
			}},
		},
		{
			name: "extension URN alone",
			ops:  []string{`{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}`},
			want: []opView{{Op: patch.Remove, Ext: entURN, Text: entURN}},
		},
		{
			name: "externalId",
			ops:  []string{`{"op":"replace","path":"externalId","value":"701984"}`},
			want: []opView{{Op: patch.Replace, Attr: "externalId", Text: "externalId", Value: "701984"}},
		},
		{
			name: "a null path is no path",
			ops:  []string{`{"op":"replace","path":null,"value":{"nickName":"Babs"}}`},
			want: []opView{{Op: patch.Replace, Attr: "nickName", Text: "nickName", Value: "Babs"}},
		},
		{
			name: "indices count every operation of the request",
			ops: []string{
				`{"op":"replace","path":"favouriteColour","value":"blue"}`,
				`{"op":"add","value":{"nickName":"Babs","title":"Guide"}}`,
				`{"op":"remove","path":"title"}`,
			},
			want: []opView{
				{Index: 1, Op: patch.Add, Attr: "nickName", Text: "nickName", Value: "Babs"},
				{Index: 1, Op: patch.Add, Attr: "title", Text: "title", Value: "Guide"},
				{Index: 2, Op: patch.Remove, Attr: "title", Text: "title"},
			},
		},

		// Path-less add and replace (RFC 7644 §3.5.2.1, §3.5.2.3).
		{
			name: "RFC 7644 §3.5.2.1 path-less add, in sorted key order",
			ops:  []string{`{"op":"add","value":{"nickname":"Babs","emails":[{"value":"babs@jensen.org","type":"home"}]}}`},
			want: []opView{
				{Op: patch.Add, Attr: "emails", Text: "emails", Value: []any{obj{"value": "babs@jensen.org", "type": "home"}}},
				{Op: patch.Add, Attr: "nickName", Text: "nickname", Value: "Babs"},
			},
		},
		{
			name: "nested extension object",
			ops: []string{`{"op":"replace","value":{
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tours","manager":{"value":"26118915"}},
				"active":false}}`},
			want: []opView{
				{Op: patch.Replace, Attr: "active", Text: "active", Value: false},
				{Op: patch.Replace, Attr: entURN + ":department", Text: entURN + ":department", Value: "Tours"},
				{Op: patch.Replace, Attr: entURN + ":employeeNumber", Text: entURN + ":employeeNumber", Value: "701984"},
				{Op: patch.Replace, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "26118915"}},
			},
		},
		{
			name: "attributes nested under the core schema URN",
			ops:  []string{`{"op":"replace","value":{"userName":"babs","urn:ietf:params:scim:schemas:core:2.0:User":{"name":{"familyName":"Jensen"},"title":"Guide"}}}`},
			want: []opView{
				{Op: patch.Replace, Attr: "name", Text: "name", Value: obj{"familyName": "Jensen"}},
				{Op: patch.Replace, Attr: "title", Text: "title", Value: "Guide"},
				{Op: patch.Replace, Attr: "userName", Text: "userName", Value: "babs"},
			},
		},
		{
			name: "dotted and URN-qualified keys, as Entra ID sends them",
			ops: []string{`{"op":"Add","value":{
				"name.givenName":"Barbara",
				"title":"Tour Guide",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"701984",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":["26118915-6090-4610-87e4-49d8ca9f808d"]}}`},
			want: []opView{
				{Op: patch.Add, Attr: "name.givenName", Text: "name.givenName", Value: "Barbara"},
				{Op: patch.Add, Attr: "title", Text: "title", Value: "Tour Guide"},
				{Op: patch.Add, Attr: entURN + ":employeeNumber", Text: entURN + ":employeeNumber", Value: "701984"},
				{Op: patch.Add, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "26118915-6090-4610-87e4-49d8ca9f808d"}},
			},
		},
		{
			name: "a whole complex value sorts before its dotted sub-attribute",
			ops:  []string{`{"op":"replace","value":{"name.givenName":"Babs","name":{"givenName":"Barbara","familyName":"Jensen"}}}`},
			want: []opView{
				{Op: patch.Replace, Attr: "name", Text: "name", Value: obj{"givenName": "Barbara", "familyName": "Jensen"}},
				{Op: patch.Replace, Attr: "name.givenName", Text: "name.givenName", Value: "Babs"},
			},
		},
		{
			name: "stray id, meta and schemas are ignored",
			ops:  []string{`{"op":"replace","value":{"id":"u1","ID":"u1","meta":{"version":"W/\"1\""},"schemas":[],"active":false}}`},
			want: []opView{{Op: patch.Replace, Attr: "active", Text: "active", Value: false}},
		},
		{
			name: "read-only keys are ignored",
			ops: []string{`{"op":"add","value":{"groups":[{"value":"g1"}],"name.formatted":"Ms. Barbara J Jensen",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName":"John"}}`},
			want: []opView{{Op: patch.Add, Attr: "name.formatted", Text: "name.formatted", Value: "Ms. Barbara J Jensen"}},
		},
		{
			name: "undefined keys are ignored",
			ops:  []string{`{"op":"add","value":{"favouriteColour":"blue","urn:example:other:2.0:User:x":"y","nickName":"Babs"}}`},
			want: []opView{{Op: patch.Add, Attr: "nickName", Text: "nickName", Value: "Babs"}},
		},
		{
			name: "null under a path-less replace removes",
			ops:  []string{`{"op":"replace","value":{"nickName":null,"name.givenName":null,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null}}`},
			want: []opView{
				{Op: patch.Remove, Attr: "name.givenName", Text: "name.givenName"},
				{Op: patch.Remove, Attr: "nickName", Text: "nickName"},
				{Op: patch.Remove, Ext: entURN, Text: entURN},
			},
		},
		{
			name: "an empty path-less value does nothing",
			ops:  []string{`{"op":"replace","value":{}}`, `{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{}}}`},
		},

		// Values.
		{
			name: "typed values",
			rt:   deviceRT,
			ops: []string{
				`{"op":"replace","path":"count","value":42}`,
				`{"op":"replace","path":"weight","value":1.5}`,
				`{"op":"replace","path":"enabled","value":true}`,
				`{"op":"replace","path":"built","value":"2011-05-13T04:42:34Z"}`,
			},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: "count", Text: "count", Value: int64(42)},
				{Index: 1, Op: patch.Replace, Attr: "weight", Text: "weight", Value: 1.5},
				{Index: 2, Op: patch.Replace, Attr: "enabled", Text: "enabled", Value: true},
				{Index: 3, Op: patch.Replace, Attr: "built", Text: "built", Value: built},
			},
		},
		{
			name: "booleans and numbers as strings",
			rt:   deviceRT,
			ops:  []string{`{"op":"replace","value":{"count":"42","weight":"1.5","enabled":"False"}}`},
			want: []opView{
				{Op: patch.Replace, Attr: "count", Text: "count", Value: int64(42)},
				{Op: patch.Replace, Attr: "enabled", Text: "enabled", Value: false},
				{Op: patch.Replace, Attr: "weight", Text: "weight", Value: 1.5},
			},
		},
		{
			name: "a single value of a multi-valued attribute is wrapped",
			ops:  []string{`{"op":"add","path":"emails","value":{"value":"barbara@example.org","type":"other","primary":true}}`},
			want: []opView{{Op: patch.Add, Attr: "emails", Text: "emails", Value: []any{obj{"value": "barbara@example.org", "type": "other", "primary": true}}}},
		},
		{
			name: "undefined and read-only sub-attributes are dropped",
			rt:   groupRT,
			ops:  []string{`{"op":"add","path":"members","value":[{"value":"u1","displayName":"Bob"},{"value":"u2","display":"Two"}]}`},
			want: []opView{{Op: patch.Add, Attr: "members", Text: "members", Value: []any{obj{"value": "u1"}, obj{"value": "u2", "display": "Two"}}}},
		},
		{
			name: "manager shorthand",
			ops: []string{
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"m1"}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":["m2"]}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":[{"value":"m3"}]}`,
				`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"m4","displayName":"Four"}}`,
			},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "m1"}},
				{Index: 1, Op: patch.Replace, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "m2"}},
				{Index: 2, Op: patch.Replace, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "m3"}},
				{Index: 3, Op: patch.Replace, Attr: entURN + ":manager", Text: entURN + ":manager", Value: obj{"value": "m4"}},
			},
		},
		{
			name: "replace with null keeps a nil value",
			ops:  []string{`{"op":"replace","path":"nickName","value":null}`, `{"op":"replace","path":"emails"}`},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: "nickName", Text: "nickName"},
				{Index: 1, Op: patch.Replace, Attr: "emails", Text: "emails"},
			},
		},
		{
			name: "an empty array replaces a multi-valued attribute with nothing",
			ops:  []string{`{"op":"replace","path":"emails","value":[]}`},
			want: []opView{{Op: patch.Replace, Attr: "emails", Text: "emails"}},
		},
		{
			name: "an empty value adds nothing",
			ops: []string{
				`{"op":"add","path":"emails","value":[]}`,
				`{"op":"add","path":"name","value":{}}`,
				`{"op":"add","path":"emails[type eq \"work\"]","value":{"display":null}}`,
				`{"op":"add","value":{"emails":[null],"name":{"formatted":null}}}`,
			},
		},
		{
			name: "null sub-attributes of a replaced complex value are removed",
			ops: []string{
				`{"op":"replace","path":"name","value":{"givenName":null,"familyName":"Jensen","formatted":null}}`,
				`{"op":"replace","path":"emails[type eq \"work\"]","value":{"display":null}}`,
				`{"op":"replace","value":{"name":{"middleName":null}}}`,
			},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: "name", Text: "name", Value: obj{"familyName": "Jensen"}},
				{Index: 0, Op: patch.Remove, Attr: "name.formatted", Text: "name.formatted"},
				{Index: 0, Op: patch.Remove, Attr: "name.givenName", Text: "name.givenName"},
				{Index: 1, Op: patch.Remove, Attr: "emails", Filter: `type eq "work"`, Sub: "display", Text: `emails[type eq "work"].display`},
				{Index: 2, Op: patch.Remove, Attr: "name.middleName", Text: "name.middleName"},
			},
		},
		{
			name: "remove by value",
			rt:   groupRT,
			ops:  []string{`{"op":"remove","path":"members","value":[{"value":"u2"},{"value":"not-a-member"}]}`},
			want: []opView{{Op: patch.Remove, Attr: "members", Text: "members", Value: []any{obj{"value": "u2"}, obj{"value": "not-a-member"}}}},
		},
		{
			name: "remove by values that convert to nothing removes nothing",
			rt:   groupRT,
			ops:  []string{`{"op":"remove","path":"members","value":[]}`, `{"op":"remove","path":"members","value":[{"displayName":"x"}]}`},
			want: []opView{
				{Index: 0, Op: patch.Remove, Attr: "members", Text: "members", Value: []any{}},
				{Index: 1, Op: patch.Remove, Attr: "members", Text: "members", Value: []any{}},
			},
		},
		{
			name: "a value with a remove of something else is ignored",
			ops:  []string{`{"op":"remove","path":"nickName","value":"Babs"}`, `{"op":"remove","path":"emails[type eq \"work\"]","value":{"value":"x"}}`},
			want: []opView{
				{Index: 0, Op: patch.Remove, Attr: "nickName", Text: "nickName"},
				{Index: 1, Op: patch.Remove, Attr: "emails", Filter: `type eq "work"`, Text: `emails[type eq "work"]`},
			},
		},

		// Leniencies accepted by default.
		{
			name: "operation names in any case",
			ops:  []string{`{"op":"Replace","path":"active","value":"False"}`, `{"op":"ADD","path":"title","value":"T"}`},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: "active", Text: "active", Value: false},
				{Index: 1, Op: patch.Add, Attr: "title", Text: "title", Value: "T"},
			},
		},
		{
			name: "undefined attribute in a path is ignored",
			ops: []string{
				`{"op":"replace","path":"favouriteColour","value":"blue"}`,
				`{"op":"remove","path":"name.nickName"}`,
				`{"op":"remove","path":"urn:example:other:2.0:User:x"}`,
				`{"op":"replace","path":"emails[type eq \"work\"].kind","value":"x"}`,
			},
		},
		{
			name: "NoPathKeys ignores path keys",
			opt:  patch.Options{NoPathKeys: true},
			ops:  []string{`{"op":"replace","value":{"name.givenName":"Barbara","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7","title":"T"}}`},
			want: []opView{{Op: patch.Replace, Attr: "title", Text: "title", Value: "T"}},
		},
		{
			name: "NoAddByFilter leaves parsing alone",
			opt:  patch.Options{NoAddByFilter: true},
			ops:  []string{`{"op":"add","path":"addresses[type eq \"work\"].locality","value":"Redmond"}`},
			want: []opView{{Op: patch.Add, Attr: "addresses", Filter: `type eq "work"`, Sub: "locality", Text: `addresses[type eq "work"].locality`, Value: "Redmond"}},
		},
		{
			name: "Strict accepts what RFC 7644 defines",
			opt:  patch.Options{Strict: true},
			ops: []string{
				`{"op":"replace","value":{"name":{"givenName":"Barbara"},"active":false}}`,
				`{"op":"remove","path":"emails[type eq \"work\"]"}`,
			},
			want: []opView{
				{Index: 0, Op: patch.Replace, Attr: "active", Text: "active", Value: false},
				{Index: 0, Op: patch.Replace, Attr: "name", Text: "name", Value: obj{"givenName": "Barbara"}},
				{Index: 1, Op: patch.Remove, Attr: "emails", Filter: `type eq "work"`, Text: `emails[type eq "work"]`},
			},
		},
		{
			name: "MaxOperations allows as many as it says",
			opt:  patch.Options{MaxOperations: 2},
			ops:  []string{`{"op":"remove","path":"title"}`, `{"op":"remove","path":"nickName"}`},
			want: []opView{
				{Index: 0, Op: patch.Remove, Attr: "title", Text: "title"},
				{Index: 1, Op: patch.Remove, Attr: "nickName", Text: "nickName"},
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := tt.rt
			if rt == nil {
				rt = userRT
			}
			ops, err := patch.Parse(rt, body(tt.ops...), tt.opt)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, view(ops)); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStrictGroup(t *testing.T) {
	// The RFC's own form of a group PATCH passes Strict.
	ops, err := patch.Parse(groupRT, body(
		`{"op":"add","path":"members","value":[{"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223","value":"2819c223"}]}`,
		`{"op":"replace","path":"displayName","value":"Tour Guides"}`,
	), patch.Options{Strict: true})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := []opView{
		{Index: 0, Op: patch.Add, Attr: "members", Text: "members", Value: []any{obj{
			"display": "Babs Jensen", "$ref": "https://example.com/v2/Users/2819c223", "value": "2819c223",
		}}},
		{Index: 1, Op: patch.Replace, Attr: "displayName", Text: "displayName", Value: "Tour Guides"},
	}
	if diff := cmp.Diff(want, view(ops)); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	const tooMany = "more than 1000 operations"
	many := make([]string, patch.DefaultMaxOperations+1)
	for i := range many {
		many[i] = `{"op":"remove","path":"title"}`
	}
	for _, tt := range []struct {
		name string
		rt   *schema.ResourceType // default userRT
		opt  patch.Options
		body string // the whole body, or else
		ops  []string
		want *patch.Error
	}{
		// The request as a whole.
		{
			name: "not JSON",
			body: `{"schemas":`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "request body is not a JSON object"},
		},
		{
			name: "not an object",
			body: `[{"op":"add"}]`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "request body is not a JSON object"},
		},
		{
			name: "data after the object",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]} {}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "request body has data after the JSON object"},
		},
		{
			name: "no PatchOp schema",
			body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"remove","path":"title"}]}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "schemas must list urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		},
		{
			name: "schemas not an array",
			body: `{"schemas":"urn:ietf:params:scim:api:messages:2.0:PatchOp","Operations":[{"op":"remove","path":"title"}]}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "schemas must list urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		},
		{
			name: "no operations",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "Operations must be a non-empty array"},
		},
		{
			name: "empty operations",
			ops:  []string{},
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "Operations must be a non-empty array"},
		},
		{
			name: "operations not an array",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{"op":"remove","path":"title"}}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: "Operations must be a non-empty array"},
		},
		{
			name: "more than DefaultMaxOperations",
			ops:  many,
			want: &patch.Error{Index: -1, Type: "invalidValue", Msg: tooMany},
		},
		{
			name: "more than MaxOperations",
			opt:  patch.Options{MaxOperations: 2},
			ops:  []string{`{"op":"remove","path":"title"}`, `{"op":"remove","path":"title"}`, `{"op":"remove","path":"title"}`},
			want: &patch.Error{Index: -1, Type: "invalidValue", Msg: "more than 2 operations"},
		},

		{
			name: "Operations given twice",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"title"}],"operations":[]}`,
			want: &patch.Error{Index: -1, Type: "invalidSyntax", Msg: `"Operations" is given more than once`},
		},

		// One operation.
		{
			name: "op given twice",
			ops:  []string{`{"op":"add","path":"title","value":"T"}`, `{"op":"add","Op":"remove","path":"title","value":"T"}`},
			want: &patch.Error{Index: 1, Type: "invalidSyntax", Msg: `"op" is given more than once`},
		},
		{
			name: "value given twice",
			ops:  []string{`{"op":"add","path":"title","value":"T","VALUE":"U"}`},
			want: &patch.Error{Index: 0, Type: "invalidSyntax", Msg: `"value" is given more than once`},
		},
		{
			name: "operation not an object",
			ops:  []string{`{"op":"remove","path":"title"}`, `"remove"`},
			want: &patch.Error{Index: 1, Type: "invalidSyntax", Msg: "an operation must be a JSON object"},
		},
		{
			name: "no op",
			ops:  []string{`{"path":"title","value":"x"}`},
			want: &patch.Error{Index: 0, Path: "title", Type: "invalidSyntax", Msg: `"op" is required`},
		},
		{
			name: "unknown op",
			ops:  []string{`{"op":"merge","path":"nickName","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "merge", Path: "nickName", Type: "invalidSyntax", Msg: `"op" must be "add", "remove" or "replace"`},
		},
		{
			name: "op not a string",
			ops:  []string{`{"op":1,"path":"nickName","value":"x"}`},
			want: &patch.Error{Index: 0, Path: "nickName", Type: "invalidSyntax", Msg: `"op" must be "add", "remove" or "replace"`},
		},
		{
			name: "path not a string",
			ops:  []string{`{"op":"add","path":["nickName"],"value":"x"}`},
			want: &patch.Error{Index: 0, Op: "add", Type: "invalidPath", Msg: "path must be a string"},
		},
		{
			name: "remove without a path",
			ops:  []string{`{"op":"remove"}`},
			want: &patch.Error{Index: 0, Op: "remove", Type: "noTarget", Msg: "remove needs a path"},
		},
		{
			name: "path-less value not an object",
			ops:  []string{`{"op":"add","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "add", Type: "invalidValue", Msg: "without a path, the value must be an object of attributes"},
		},
		{
			name: "path-less core schema value not an object",
			ops:  []string{`{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User":"x"}}`},
			want: &patch.Error{Index: 0, Op: "add", Path: userURN, Type: "invalidValue", Msg: "expected an object of attributes"},
		},
		{
			name: "path-less extension value not an object",
			ops:  []string{`{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":["x"]}}`},
			want: &patch.Error{Index: 0, Op: "add", Path: entURN, Type: "invalidValue", Msg: "expected an object of attributes of " + entURN},
		},
		{
			name: "path-less extension attribute of the wrong type",
			ops:  []string{`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":1}}}`},
			want: &patch.Error{
				Index: 0, Op: "replace", Path: entURN + ":department", Type: "invalidValue",
				Msg: `attribute "` + entURN + `:department": expected a string, found a number`,
			},
		},
		{
			name: "path-less key with a value filter",
			ops:  []string{`{"op":"add","value":{"emails[type eq \"work\"].value":"x"}}`},
			want: &patch.Error{Index: 0, Op: "add", Path: `emails[type eq "work"].value`, Type: "invalidPath", Msg: "a key of a value cannot hold a value filter"},
		},
		{
			name: "path-less add with null",
			ops:  []string{`{"op":"add","value":{"nickName":null}}`},
			want: &patch.Error{Index: 0, Op: "add", Path: "nickName", Type: "invalidValue", Msg: "add needs a value"},
		},
		{
			name: "path that cannot be parsed",
			ops:  []string{`{"op":"replace","path":"emails[type eq ","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "emails[type eq ", Type: "invalidPath", Msg: "filter: expected value at offset 15, found end of input"},
		},
		{
			name: "empty path",
			ops:  []string{`{"op":"replace","path":"","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "replace", Type: "invalidPath", Msg: "filter: expected attribute path at offset 0, found end of input"},
		},
		{
			name: "core schema URN alone",
			ops:  []string{`{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: userURN, Type: "invalidPath", Msg: "path must name an attribute or an extension"},
		},
		{
			name: "add to a whole extension, strictly",
			opt:  patch.Options{NoExtensionPath: true},
			ops:  []string{`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","value":{"department":"x"}}`},
			want: &patch.Error{Index: 0, Op: "add", Path: entURN, Type: "invalidPath", Msg: "add or replace an extension's attributes by their own paths, or without a path"},
		},
		{
			name: "sub-attribute of a simple attribute",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"replace","path":"userName.value","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "userName.value", Type: "invalidPath", Msg: `attribute "userName.value": userName has no sub-attributes`},
		},
		{
			name: "value filter on a single-valued attribute, strictly",
			opt:  patch.Options{NoSingleFilter: true},
			ops:  []string{`{"op":"remove","path":"name[givenName eq \"Barbara\"]"}`},
			want: &patch.Error{
				Index: 0, Op: "remove", Path: `name[givenName eq "Barbara"]`, Type: "invalidPath",
				Msg: "a value filter selects values of a multi-valued attribute; name is single-valued",
			},
		},
		{
			name: "value filter on a single-valued attribute, to add",
			ops:  []string{`{"op":"add","path":"name[givenName eq \"Barbara\"].familyName","value":"Jensen"}`},
			want: &patch.Error{
				Index: 0, Op: "add", Path: `name[givenName eq "Barbara"].familyName`, Type: "invalidPath",
				Msg: "a value filter on the single-valued name can only select it for a remove",
			},
		},
		{
			name: "value filter on a multi-valued simple attribute",
			rt:   deviceRT,
			ops:  []string{`{"op":"remove","path":"tags[value eq \"x\"]"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: `tags[value eq "x"]`, Type: "invalidPath", Msg: `attribute "tags": a value filter needs a complex attribute`},
		},
		{
			name: "value filter naming an undefined sub-attribute",
			ops:  []string{`{"op":"remove","path":"emails[kind eq \"work\"]"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: `emails[kind eq "work"]`, Type: "invalidPath", Msg: `attribute "emails.kind": emails has no sub-attribute "kind"`},
		},
		{
			name: "undefined sub-attribute after a value filter",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"replace","path":"emails[type eq \"work\"].kind","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: `emails[type eq "work"].kind`, Type: "invalidPath", Msg: `emails has no sub-attribute "kind"`},
		},
		{
			name: "read-only attribute",
			ops:  []string{`{"op":"replace","path":"groups","value":[]}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "groups", Type: "mutability", Msg: "groups is read-only"},
		},
		{
			name: "id",
			ops:  []string{`{"op":"replace","path":"id","value":"other"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "id", Type: "mutability", Msg: "id is read-only"},
		},
		{
			name: "read-only sub-attribute",
			ops:  []string{`{"op":"remove","path":"meta.created"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: "meta.created", Type: "mutability", Msg: "meta is read-only"},
		},
		{
			name: "read-only extension sub-attribute",
			ops:  []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName","value":"x"}`},
			want: &patch.Error{
				Index: 0, Op: "replace", Path: entURN + ":manager.displayName", Type: "mutability", Msg: "displayName is read-only",
			},
		},
		{
			name: "read-only sub-attribute after a value filter",
			ops:  []string{`{"op":"replace","path":"groups[value eq \"g1\"].display","value":"x"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: `groups[value eq "g1"].display`, Type: "mutability", Msg: "groups is read-only"},
		},
		{
			name: "value of the wrong type",
			ops:  []string{`{"op":"add","path":"nickName","value":"ok"}`, `{"op":"replace","path":"active","value":"maybe"}`},
			want: &patch.Error{Index: 1, Op: "replace", Path: "active", Type: "invalidValue", Msg: `attribute "active": expected a boolean, found the string "maybe"`},
		},
		{
			name: "array for a single value",
			ops:  []string{`{"op":"replace","path":"nickName","value":["a","b"]}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "nickName", Type: "invalidValue", Msg: `attribute "nickName": expected a string, found an array`},
		},
		{
			name: "array for a filtered value",
			ops:  []string{`{"op":"replace","path":"emails[type eq \"work\"]","value":[{"value":"x"}]}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: `emails[type eq "work"]`, Type: "invalidValue", Msg: `attribute "emails[type eq \"work\"]": expected an object, found an array`},
		},
		{
			name: "two primary values",
			ops:  []string{`{"op":"add","path":"emails","value":[{"value":"a","primary":true},{"value":"b","primary":true}]}`},
			want: &patch.Error{Index: 0, Op: "add", Path: "emails", Type: "invalidValue", Msg: `attribute "emails": more than one value has "primary" set to true`},
		},
		{
			name: "add with null",
			ops:  []string{`{"op":"add","path":"nickName","value":null}`},
			want: &patch.Error{Index: 0, Op: "add", Path: "nickName", Type: "invalidValue", Msg: "add needs a value"},
		},
		{
			name: "add without a value",
			ops:  []string{`{"op":"add","path":"nickName"}`},
			want: &patch.Error{Index: 0, Op: "add", Path: "nickName", Type: "invalidValue", Msg: "add needs a value"},
		},
		{
			name: "read-only path under a value is still read-only",
			ops:  []string{`{"op":"replace","path":"firmware","value":"x"}`},
			rt:   deviceRT,
			want: &patch.Error{Index: 0, Op: "replace", Path: "firmware", Type: "mutability", Msg: "firmware is read-only"},
		},

		// Each leniency turned off.
		{
			name: "ExactOpNames",
			opt:  patch.Options{ExactOpNames: true},
			ops:  []string{`{"op":"Replace","path":"active","value":false}`},
			want: &patch.Error{Index: 0, Op: "Replace", Path: "active", Type: "invalidSyntax", Msg: `"op" must be "add", "remove" or "replace"`},
		},
		{
			name: "ExactTypes",
			opt:  patch.Options{ExactTypes: true},
			ops:  []string{`{"op":"replace","path":"active","value":"False"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "active", Type: "invalidValue", Msg: `attribute "active": expected a boolean, found the string "False"`},
		},
		{
			name: "ExactTypes for a number",
			rt:   deviceRT,
			opt:  patch.Options{ExactTypes: true},
			ops:  []string{`{"op":"replace","value":{"count":"42"}}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "count", Type: "invalidValue", Msg: `attribute "count": expected an integer, found the string "42"`},
		},
		{
			name: "ExactTypes rejects undefined sub-attributes",
			rt:   groupRT,
			opt:  patch.Options{ExactTypes: true},
			ops:  []string{`{"op":"add","path":"members","value":[{"value":"u1","displayName":"Bob"}]}`},
			want: &patch.Error{Index: 0, Op: "add", Path: "members", Type: "invalidSyntax", Msg: `attribute "members.displayName": not a sub-attribute of "members"`},
		},
		{
			name: "NoRemoveByValue",
			rt:   groupRT,
			opt:  patch.Options{NoRemoveByValue: true},
			ops:  []string{`{"op":"remove","path":"members","value":[{"value":"u2"}]}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: "members", Type: "invalidValue", Msg: "remove takes no value"},
		},
		{
			name: "NoRemoveByValue refuses any value with remove",
			opt:  patch.Options{NoRemoveByValue: true},
			ops:  []string{`{"op":"remove","path":"nickName","value":"Babs"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: "nickName", Type: "invalidValue", Msg: "remove takes no value"},
		},
		{
			name: "NoPathKeys with RejectUnknown",
			opt:  patch.Options{NoPathKeys: true, RejectUnknown: true},
			ops:  []string{`{"op":"replace","value":{"name.givenName":"Barbara"}}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "name.givenName", Type: "invalidPath", Msg: "not an attribute name"},
		},
		{
			name: "NoValueShorthand",
			opt:  patch.Options{NoValueShorthand: true},
			ops:  []string{`{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"26118915"}`},
			want: &patch.Error{
				Index: 0, Op: "add", Path: entURN + ":manager", Type: "invalidValue",
				Msg: `attribute "` + entURN + `:manager": expected an object, found the string "26118915"`,
			},
		},
		{
			name: "NoValueShorthand for a one-element array",
			opt:  patch.Options{NoValueShorthand: true},
			ops:  []string{`{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":[{"value":"26118915"}]}}`},
			want: &patch.Error{
				Index: 0, Op: "add", Path: entURN + ":manager", Type: "invalidValue",
				Msg: `attribute "` + entURN + `:manager": expected an object, found an array`,
			},
		},
		{
			name: "RejectUnknown path",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"replace","path":"favouriteColour","value":"blue"}`},
			want: &patch.Error{
				Index: 0, Op: "replace", Path: "favouriteColour", Type: "invalidPath",
				Msg: `attribute "favouriteColour": no such attribute in resource type User`,
			},
		},
		{
			name: "RejectUnknown sub-attribute",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"remove","path":"name.nickName"}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: "name.nickName", Type: "invalidPath", Msg: `attribute "name.nickName": name has no sub-attribute "nickName"`},
		},
		{
			name: "RejectUnknown schema",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"add","value":{"urn:example:other:2.0:User:x":"y"}}`},
			want: &patch.Error{
				Index: 0, Op: "add", Path: "urn:example:other:2.0:User:x", Type: "invalidPath",
				Msg: `attribute "urn:example:other:2.0:User:x": unknown schema urn:example:other:2.0:User for resource type User`,
			},
		},
		{
			name: "RejectUnknown key",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"add","value":{"nickName":"Babs","favouriteColour":"blue"}}`},
			want: &patch.Error{
				Index: 0, Op: "add", Path: "favouriteColour", Type: "invalidPath",
				Msg: `attribute "favouriteColour": no such attribute in resource type User`,
			},
		},
		{
			name: "RejectUnknown rejects booleans as strings",
			opt:  patch.Options{RejectUnknown: true},
			ops:  []string{`{"op":"replace","path":"active","value":"true"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "active", Type: "invalidValue", Msg: `attribute "active": expected a boolean, found the string "true"`},
		},
		{
			name: "Strict: op name",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"Add","path":"title","value":"T"}`},
			want: &patch.Error{Index: 0, Op: "Add", Path: "title", Type: "invalidSyntax", Msg: `"op" must be "add", "remove" or "replace"`},
		},
		{
			name: "Strict: boolean as a string",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","path":"active","value":"False"}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "active", Type: "invalidValue", Msg: `attribute "active": expected a boolean, found the string "False"`},
		},
		{
			name: "Strict: remove with a value",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"remove","path":"emails","value":[{"value":"b@example.com"}]}`},
			want: &patch.Error{Index: 0, Op: "remove", Path: "emails", Type: "invalidValue", Msg: "remove takes no value"},
		},
		{
			name: "Strict: dotted key",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","value":{"name.givenName":"Barbara"}}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "name.givenName", Type: "invalidPath", Msg: "not an attribute name"},
		},
		{
			name: "Strict: URN key",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: entURN + ":employeeNumber", Type: "invalidPath", Msg: "not an attribute name"},
		},
		{
			name: "Strict: manager shorthand",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":["m"]}`},
			want: &patch.Error{
				Index: 0, Op: "replace", Path: entURN + ":manager", Type: "invalidValue",
				Msg: `attribute "` + entURN + `:manager": expected an object, found an array`,
			},
		},
		{
			name: "Strict: unknown attribute",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","path":"favouriteColour","value":"blue"}`},
			want: &patch.Error{
				Index: 0, Op: "replace", Path: "favouriteColour", Type: "invalidPath",
				Msg: `attribute "favouriteColour": no such attribute in resource type User`,
			},
		},
		{
			name: "Strict: undefined sub-attribute in a value",
			opt:  patch.Options{Strict: true},
			ops:  []string{`{"op":"replace","path":"name","value":{"givenName":"B","nick":"x"}}`},
			want: &patch.Error{Index: 0, Op: "replace", Path: "name", Type: "invalidSyntax", Msg: `attribute "name.nick": not a sub-attribute of "name"`},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rt := tt.rt
			if rt == nil {
				rt = userRT
			}
			b := []byte(tt.body)
			if tt.body == "" {
				b = body(tt.ops...)
			}
			ops, err := patch.Parse(rt, b, tt.opt)
			if err == nil {
				t.Fatalf("Parse succeeded with %v, want error %v", view(ops), tt.want)
			}
			if diff := cmp.Diff(tt.want, patchError(t, err)); diff != "" {
				t.Errorf("Parse error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  *patch.Error
		want string
	}{
		{&patch.Error{Index: -1, Type: "invalidSyntax", Msg: "request body is not a JSON object"}, "request body is not a JSON object"},
		{&patch.Error{Index: 0, Op: "remove", Type: "noTarget", Msg: "remove needs a path"}, "operation 0 (remove): remove needs a path"},
		{
			&patch.Error{Index: 3, Op: "Replace", Path: `emails[type eq "work"].value`, Type: "noTarget", Msg: "no value matches"},
			`operation 3 (Replace emails[type eq "work"].value): no value matches`,
		},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestParseIgnoresStrayMembers checks that members of an operation other
// than op, path and value, such as the "name" some clients send, are
// ignored rather than refused.
func TestParseIgnoresStrayMembers(t *testing.T) {
	ops, err := patch.Parse(schema.UserResourceType(), []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"name":"addMember","op":"replace","path":"nickName","value":"Babs","id":"x"}]}`), patch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 1 || ops[0].Op != patch.Replace || ops[0].Path.Text != "nickName" || ops[0].Value != "Babs" {
		t.Errorf("Parse = %+v, want one replace of nickName with Babs", ops)
	}
}

// BenchmarkParseTooManyOperations parses bodies with more operations than
// the limit, as a hostile client sends them: Parse keeps the first
// operations up to the limit and only reads the rest, so its cost grows
// with the body's length alone.
func BenchmarkParseTooManyOperations(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
				strings.Repeat(`{"op":"remove","path":"title"},`, n-1) + `{"op":"remove","path":"title"}]}`)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := patch.Parse(userRT, body, patch.Options{}); err == nil {
					b.Fatal("no error for too many operations")
				}
			}
		})
	}
}
