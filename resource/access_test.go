package resource_test

import (
	"errors"
	"maps"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

var (
	users   = resource.NewAccessor(userRT)
	widgets = resource.NewAccessor(widgetRT)
)

// accessUser returns the user the Accessor tests read and change: a work
// and a home email, a name, and the enterprise extension.
func accessUser(t testing.TB) *resource.Resource {
	t.Helper()
	r, err := resource.Decode(userRT, []byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName": "bjensen",
		"name": {"givenName": "Barbara", "familyName": "Jensen"},
		"active": true,
		"emails": [
			{"value": "bjensen@example.com", "type": "work", "primary": true},
			{"value": "babs@jensen.org", "type": "home"}
		],
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
			"employeeNumber": "701984",
			"manager": {"value": "26118915"}
		}
	}`), resource.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r.ID = "2819c223"
	r.ExternalID = "ext-1"
	r.Meta = resource.Meta{ResourceType: "User", Created: created, Version: "3"}
	return r
}

func TestAccessorGet(t *testing.T) {
	work := attrs("value", "bjensen@example.com", "type", "work", "primary", true)
	home := attrs("value", "babs@jensen.org", "type", "home")
	tests := []struct {
		path string
		want any
		err  string
	}{
		{path: "userName", want: "bjensen"},
		{path: "USERNAME", want: "bjensen"},
		{path: " userName ", want: "bjensen"},
		{path: userURN + ":userName", want: "bjensen"},
		{path: "name", want: attrs("givenName", "Barbara", "familyName", "Jensen")},
		{path: "name.familyName", want: "Jensen"},
		{path: "active", want: true},
		{path: "nickName", want: nil},
		{path: "name.middleName", want: nil},
		{path: "emails", want: []any{work, home}},
		{path: "emails.value", want: []any{"bjensen@example.com", "babs@jensen.org"}},
		{path: `emails[type eq "work"]`, want: []any{work}},
		{path: `emails[type eq "work"].value`, want: []any{"bjensen@example.com"}},
		{path: `EMAILS [ TYPE EQ "WORK" ] .VALUE`, err: `resource: get "EMAILS [ TYPE EQ \"WORK\" ] .VALUE": expected "." and a sub-attribute, or the end of the path, after "]"; found " .VALUE"`},
		{path: `EMAILS [ TYPE EQ "WORK" ].VALUE`, want: []any{"bjensen@example.com"}},
		{path: `emails[type eq work and primary eq true].value`, want: []any{"bjensen@example.com"}},
		{path: `emails[primary eq "True"].type`, want: []any{"work"}},
		{path: `emails[value eq "BABS@JENSEN.ORG"].type`, want: []any{"home"}},
		{path: `emails[type eq "other"].value`, want: nil},
		{path: `emails[type eq "work" and type eq "home"]`, want: nil},
		{path: "manager", want: attrs("value", "26118915")},
		{path: "manager.value", want: "26118915"},
		{path: entURN + ":employeeNumber", want: "701984"},
		{path: entURN + ":manager.value", want: "26118915"},
		{path: entURN, want: attrs("employeeNumber", "701984", "manager", attrs("value", "26118915"))},
		{path: "id", want: "2819c223"},
		{path: "externalId", want: "ext-1"},
		{path: "meta", want: attrs("resourceType", "User", "created", created, "version", `W/"3"`)},
		{path: "meta.created", want: created},
		{path: "meta.lastModified", want: nil},
		{path: "meta.version", want: `W/"3"`},

		{path: "nmae.familyName", err: `resource: get "nmae.familyName": no such attribute in resource type User`},
		{path: "name.familyNam", err: `resource: get "name.familyNam": name has no sub-attribute "familyNam"`},
		{path: "name.", err: `resource: get "name.": name has no sub-attribute ""`},
		{path: "userName.x", err: `resource: get "userName.x": userName has no sub-attributes`},
		{path: "", err: `resource: get "": no such attribute in resource type User`},
		{path: userURN, err: `resource: get "urn:ietf:params:scim:schemas:core:2.0:User": no such attribute in resource type User`},
		{path: "urn:example:Nope:userName", err: `resource: get "urn:example:Nope:userName": no such attribute in resource type User`},
		{path: `name[givenName eq "Barbara"]`, err: `resource: get "name[givenName eq \"Barbara\"]": a value filter selects values of a multi-valued complex attribute, and name is not one`},
		{path: `emails.value[type eq "work"]`, err: `resource: get "emails.value[type eq \"work\"]": a value filter must follow an attribute, not a sub-attribute`},
		{path: `emails[tpye eq "work"]`, err: `resource: get "emails[tpye eq \"work\"]": emails has no sub-attribute "tpye"`},
		{path: `emails[type co "w"]`, err: `resource: get "emails[type co \"w\"]": a value filter here is eq comparisons joined by "and"; found "co"`},
		{path: `emails[type eq "work" or type eq "home"]`, err: `resource: get "emails[type eq \"work\" or type eq \"home\"]": a value filter here is eq comparisons joined by "and"; found "or"`},
		{path: `emails[not (type eq "work")]`, err: `resource: get "emails[not (type eq \"work\")]": emails has no sub-attribute "not"`},
		{path: `emails[type eq "work"`, err: `resource: get "emails[type eq \"work\"": expected "and" or "]" in the value filter; found the end of the path`},
		{path: `emails[type eq "work]`, err: `resource: get "emails[type eq \"work]": a string in the value filter: unterminated string`},
		{path: "emails[type eq \"w\x01\"]", err: `resource: get "emails[type eq \"w\u0001\"]": a string in the value filter: control character in string`},
		{path: "emails[type eq \"w\xff\"]", err: `resource: get "emails[type eq \"w\ufffd\"]": a string in the value filter: invalid UTF-8 in string`},
		{path: "emails[type eq w\xff]", err: `resource: get "emails[type eq w\ufffd]": invalid UTF-8 in the value filter`},
		{path: `emails[type eq "\u0000"]`, err: `resource: get "emails[type eq \"\\u0000\"]": a string in the value filter: a string may not contain U+0000`},
		{path: `emails[type eq]`, err: `resource: get "emails[type eq]": expected a value after eq; found "]"`},
		{path: `emails[type eq null]`, err: `resource: get "emails[type eq null]": eq null selects nothing; a value filter here compares with values`},
		{path: `emails[]`, err: `resource: get "emails[]": expected a sub-attribute of emails in the value filter; found "]"`},
		{path: `emails[primary eq 1]`, err: `resource: get "emails[primary eq 1]": emails.primary: expected a boolean, found a number`},
		{path: `emails[type eq "work"].valu`, err: `resource: get "emails[type eq \"work\"].valu": emails has no sub-attribute "valu"`},
		{path: `emails[type eq "work"]value`, err: `resource: get "emails[type eq \"work\"]value": expected "." and a sub-attribute, or the end of the path, after "]"; found "value"`},
	}
	r := accessUser(t)
	before := r.Clone()
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := users.Get(r, tt.path)
			if tt.err != "" {
				checkPathError(t, tt.err, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Get (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(before, r); diff != "" {
		t.Errorf("Get changed the resource (-before +after):\n%s", diff)
	}
}

// checkPathError checks that err is a *resource.PathError with the text
// want.
func checkPathError(t *testing.T, want string, err error) {
	t.Helper()
	var pe *resource.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T), want a *resource.PathError", err, err)
	}
	if got := err.Error(); got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
}

func TestAccessorTyped(t *testing.T) {
	r := accessUser(t)
	w := fullWidget()
	type result struct {
		V   any
		OK  bool
		Err string
	}
	res := func(v any, ok bool, err error) result {
		r := result{V: v, OK: ok}
		if err != nil {
			r.Err = err.Error()
		}
		return r
	}
	tests := []struct {
		name string
		got  result
		want result
	}{
		{"String", res(users.String(r, "userName")), result{"bjensen", true, ""}},
		{"String of a value path", res(users.String(r, `emails[type eq "home"].value`)), result{"babs@jensen.org", true, ""}},
		{"String of a sub-attribute of every value", res(users.String(r, "emails.value")), result{"bjensen@example.com", true, ""}},
		{"String of an extension's", res(users.String(r, "manager.value")), result{"26118915", true, ""}},
		{"String of no value", res(users.String(r, "nickName")), result{"", false, ""}},
		{"String of a reference", res(widgets.String(w, "link")), result{"https://example.com/w/1", true, ""}},
		{"String of binary", res(widgets.String(w, "blob")), result{"aGVsbG8=", true, ""}},
		{"String of a multi-valued attribute", res(widgets.String(w, "tags")), result{"a", true, ""}},
		{"String of a boolean", res(users.String(r, "active")), result{"", false, `resource: get "active": active is of type boolean, not string`}},
		{"String of a complex attribute", res(users.String(r, "name")), result{"", false, `resource: get "name": name is of type complex, not string`}},
		{"String of an extension", res(users.String(r, entURN)), result{"", false, `resource: get "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": an extension's URN names its attributes, not one of type string`}},
		{"String of an unknown path", res(users.String(r, "usrName")), result{"", false, `resource: get "usrName": no such attribute in resource type User`}},
		{"Bool", res(users.Bool(r, "active")), result{true, true, ""}},
		{"Bool of a value path", res(users.Bool(r, `emails[type eq "work"].primary`)), result{true, true, ""}},
		{"Bool of no value", res(users.Bool(r, `emails[type eq "home"].primary`)), result{false, false, ""}},
		{"Bool of a string", res(users.Bool(r, "userName")), result{false, false, `resource: get "userName": userName is of type string, not boolean`}},
		{"Int", res(widgets.Int(w, "count")), result{int64(42), true, ""}},
		{"Int of a sub-attribute", res(widgets.Int(w, "part.revision")), result{int64(3), true, ""}},
		{"Int of a multi-valued sub-attribute", res(widgets.Int(w, `parts[value eq "p1"].sizes`)), result{int64(1), true, ""}},
		{"Int of a decimal", res(widgets.Int(w, "weight")), result{int64(0), false, `resource: get "weight": weight is of type decimal, not integer`}},
		{"Float", res(widgets.Float(w, "weight")), result{2.5, true, ""}},
		{"Time", res(widgets.Time(w, "built")), result{lastModified, true, ""}},
		{"Time of meta", res(users.Time(r, "meta.created")), result{created, true, ""}},
		{"Time of no value", res(users.Time(r, "meta.lastModified")), result{time.Time{}, false, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessorStrings(t *testing.T) {
	r := accessUser(t)
	w := fullWidget()
	tests := []struct {
		a    *resource.Accessor
		r    *resource.Resource
		path string
		want []string
		err  string
	}{
		{users, r, "emails.value", []string{"bjensen@example.com", "babs@jensen.org"}, ""},
		{users, r, `emails[type eq "work"].value`, []string{"bjensen@example.com"}, ""},
		{users, r, "userName", []string{"bjensen"}, ""},
		{users, r, "nickName", nil, ""},
		{users, r, "emails.type", []string{"work", "home"}, ""},
		{widgets, w, "tags", []string{"a", "b"}, ""},
		{users, r, "emails.primary", nil, `resource: get "emails.primary": emails.primary is of type boolean, not string`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := tt.a.Strings(tt.r, tt.path)
			if tt.err != "" {
				checkPathError(t, tt.err, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Strings (-want +got):\n%s", diff)
			}
		})
	}
}

// A value of another Go type than the attribute's, which a host put in
// Attributes itself, is an error of the typed getters; other integer
// types, and dateTimes as text, are read.
func TestAccessorTypedHostValues(t *testing.T) {
	r := &resource.Resource{Attributes: attrs(
		"userName", 42,
		"emails", []map[string]any{{"value": "a@example.com"}},
	)}
	if _, _, err := users.String(r, "userName"); err == nil || err.Error() != `resource: get "userName": userName holds int, not a string` {
		t.Errorf("String of an int: %v", err)
	}
	if got, err := users.Strings(r, "emails.value"); err != nil || !cmp.Equal(got, []string{"a@example.com"}) {
		t.Errorf("Strings of []map[string]any = %q, %v", got, err)
	}
	w := &resource.Resource{Attributes: attrs("count", int32(7), "built", "2011-05-13T04:42:34Z", "weight", "heavy")}
	if n, ok, err := widgets.Int(w, "count"); n != 7 || !ok || err != nil {
		t.Errorf("Int of an int32 = %v, %v, %v", n, ok, err)
	}
	if tm, ok, err := widgets.Time(w, "built"); !tm.Equal(lastModified) || !ok || err != nil {
		t.Errorf("Time of a string = %v, %v, %v", tm, ok, err)
	}
	if _, _, err := widgets.Float(w, "weight"); err == nil || err.Error() != `resource: get "weight": weight holds string, not a number` {
		t.Errorf("Float of a string: %v", err)
	}
}

func TestAccessorSet(t *testing.T) {
	const head = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223","externalId":"ext-1"`
	const userName = `,"userName":"bjensen"`
	const name = `,"name":{"familyName":"Jensen","givenName":"Barbara"}`
	const active = `,"active":true`
	const emails = `,"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]`
	const ent = `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","manager":{"value":"26118915"}}`
	const meta = `,"meta":{"resourceType":"User","created":"2010-01-23T04:56:22Z","version":"W/\"3\""}}`
	tests := []struct {
		name string
		path string
		v    any
		want string // the resource's JSON afterwards
		err  string
	}{
		{name: "sub-attribute", path: "name.familyName", v: "Jensen-Smith",
			want: head + userName + `,"name":{"familyName":"Jensen-Smith","givenName":"Barbara"}` + active + emails + ent + meta},
		{name: "names in any case", path: "NAME.FAMILYNAME", v: "Jensen-Smith",
			want: head + userName + `,"name":{"familyName":"Jensen-Smith","givenName":"Barbara"}` + active + emails + ent + meta},
		{name: "new attribute", path: "nickName", v: "Babs",
			want: head + userName + name + `,"nickName":"Babs"` + active + emails + ent + meta},
		{name: "boolean", path: "active", v: false,
			want: head + userName + name + `,"active":false` + emails + ent + meta},
		{name: "unassign", path: "name", v: nil,
			want: head + userName + active + emails + ent + meta},
		{name: "unassign a sub-attribute", path: "name.givenName", v: nil,
			want: head + userName + `,"name":{"familyName":"Jensen"}` + active + emails + ent + meta},
		{name: "unassign what is not there", path: "nickName", v: nil,
			want: head + userName + name + active + emails + ent + meta},
		{name: "complex value whole", path: "name", v: map[string]any{"GivenName": "Babs", "middleName": nil},
			want: head + userName + `,"name":{"givenName":"Babs"}` + active + emails + ent + meta},
		{name: "empty complex value unassigns", path: "name", v: map[string]any{},
			want: head + userName + active + emails + ent + meta},
		{name: "value path sub-attribute", path: `emails[type eq "work"].value`, v: "barbara@example.com",
			want: head + userName + name + active + `,"emails":[{"value":"barbara@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]` + ent + meta},
		{name: "value path that matches nothing creates a value", path: `emails[type eq "other"].value`, v: "b@example.org",
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"value":"b@example.org","type":"other"}]` + ent + meta},
		{name: "value path creates the attribute", path: `phoneNumbers[type eq "work" and primary eq true].value`, v: "555-555-5555",
			want: head + userName + name + active + emails + `,"phoneNumbers":[{"value":"555-555-5555","type":"work","primary":true}]` + ent + meta},
		{name: "primary moves", path: `emails[type eq "home"].primary`, v: true,
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@jensen.org","type":"home","primary":true}]` + ent + meta},
		{name: "value path removes values", path: `emails[type eq "home"]`, v: nil,
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","type":"work","primary":true}]` + ent + meta},
		{name: "value path removes a sub-attribute", path: `emails[type eq "work"].primary`, v: nil,
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","type":"work"},{"value":"babs@jensen.org","type":"home"}]` + ent + meta},
		{name: "value path that matches nothing removes nothing", path: `emails[type eq "other"]`, v: nil,
			want: head + userName + name + active + emails + ent + meta},
		{name: "value path replaces values, keeping what the filter says", path: `emails[type eq "work"]`, v: map[string]any{"value": "w@example.com"},
			want: head + userName + name + active + `,"emails":[{"value":"w@example.com","type":"work"},{"value":"babs@jensen.org","type":"home"}]` + ent + meta},
		{name: "value path adds a value", path: `emails[value eq "new@example.com"]`, v: map[string]any{},
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"},{"value":"new@example.com"}]` + ent + meta},
		{name: "value path filter in another case", path: `emails[type eq "WORK"].display`, v: "Work",
			want: head + userName + name + active + `,"emails":[{"value":"bjensen@example.com","display":"Work","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}]` + ent + meta},
		{name: "multi-valued whole, repeated values dropped", path: "emails", v: []map[string]any{{"value": "a@example.com"}, {"value": "A@EXAMPLE.COM"}},
			want: head + userName + name + active + `,"emails":[{"value":"a@example.com"}]` + ent + meta},
		{name: "multi-valued emptied", path: "emails", v: []any{},
			want: head + userName + name + active + ent + meta},
		{name: "extension attribute unqualified", path: "manager", v: map[string]any{"value": "62"},
			want: head + userName + name + active + emails + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","manager":{"value":"62"}}` + meta},
		{name: "extension attribute qualified", path: entURN + ":employeeNumber", v: "42",
			want: head + userName + name + active + emails + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"26118915"}}` + meta},
		{name: "extension's last attribute", path: entURN, v: map[string]any{"department": "Tours"},
			want: head + userName + name + active + emails + `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Tours"}` + meta},
		{name: "extension removed", path: entURN, v: nil,
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","externalId":"ext-1"` + userName + name + active + emails + meta},
		{name: "externalId", path: "externalId", v: "ext-2",
			want: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"id":"2819c223","externalId":"ext-2"` + userName + name + active + emails + ent + meta},
		{name: "read-only attribute", path: "groups", v: []map[string]any{{"value": "g1", "display": "Tour Guides"}},
			want: head + userName + name + active + emails + `,"groups":[{"value":"g1","display":"Tour Guides"}]` + ent + meta},

		{name: "unknown attribute", path: "nmae.familyName", v: "x", err: `resource: set "nmae.familyName": no such attribute in resource type User`},
		{name: "unknown sub-attribute", path: "name.familyNam", v: "x", err: `resource: set "name.familyNam": name has no sub-attribute "familyNam"`},
		{name: "string for a boolean", path: "active", v: "true", err: `resource: set "active": active takes a bool, not string`},
		{name: "int for a string", path: "userName", v: 42, err: `resource: set "userName": userName takes a string, not int`},
		{name: "NUL", path: "userName", v: "a\x00b", err: `resource: set "userName": userName: a string may not contain U+0000 (NUL)`},
		{name: "single value for a multi-valued attribute", path: "emails", v: map[string]any{"value": "a@example.com"}, err: `resource: set "emails": emails is multi-valued and takes a slice, not map[string]any`},
		{name: "slice for a single-valued attribute", path: "nickName", v: []string{"Babs"}, err: `resource: set "nickName": nickName takes a string, not []string`},
		{name: "unknown sub-attribute in a value", path: "name", v: map[string]any{"nick": "B"}, err: `resource: set "name": name has no sub-attribute "nick"`},
		{name: "sub-attribute of the wrong type", path: "name", v: map[string]any{"givenName": 1}, err: `resource: set "name": name.givenName takes a string, not int`},
		{name: "sub-attribute given twice", path: "name", v: map[string]any{"givenName": "a", "GIVENNAME": "b"}, err: `resource: set "name": name.givenName is given twice, as "GIVENNAME" and "givenName"`},
		{name: "two primaries", path: "emails", v: []any{map[string]any{"value": "a", "primary": true}, map[string]any{"value": "b", "primary": true}}, err: `resource: set "emails": emails: more than one value has "primary" set to true`},
		{name: "two primaries by a value path", path: `emails[primary eq false].primary`, v: true, err: `resource: set "emails[primary eq false].primary": the value set would not match the value filter, and Get of the path would not find it`},
		{name: "sub-attribute of every value", path: "emails.value", v: "a@example.com", err: `resource: set "emails.value": select the values of emails with a value filter, as emails[type eq "work"].value`},
		{name: "value that would not match", path: `emails[type eq "work"].type`, v: "home", err: `resource: set "emails[type eq \"work\"].type": the value set would not match the value filter, and Get of the path would not find it`},
		{name: "whole value that would not match", path: `emails[type eq "work"]`, v: map[string]any{"value": "a", "type": "home"}, err: `resource: set "emails[type eq \"work\"]": the value set would not match the value filter, and Get of the path would not find it`},
		{name: "contradictory filter", path: `emails[type eq "work" and type eq "home"].value`, v: "a", err: `resource: set "emails[type eq \"work\" and type eq \"home\"].value": the value set would not match the value filter, and Get of the path would not find it`},
		{name: "id", path: "id", v: "x", err: `resource: set "id": id is read-only: set the Resource's ID`},
		{name: "meta", path: "meta.created", v: created, err: `resource: set "meta.created": meta is read-only: set the Resource's Meta`},
		{name: "extension not a map", path: entURN, v: "x", err: `resource: set "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": an extension takes a map[string]any of its attributes, not string`},
		{name: "unknown extension attribute", path: entURN, v: map[string]any{"boss": "x"}, err: `resource: set "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": urn:ietf:params:scim:schemas:extension:enterprise:2.0:User has no attribute "boss"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := accessUser(t)
			before := r.Clone()
			shared := *r // shares every map and slice with r
			shared.Attributes = maps.Clone(r.Attributes)
			err := users.Set(&shared, tt.path, tt.v)
			if diff := cmp.Diff(before, r); diff != "" {
				t.Errorf("Set changed a resource that shares values (-before +after):\n%s", diff)
			}
			if tt.err != "" {
				checkPathError(t, tt.err, err)
				if diff := cmp.Diff(before, &shared); diff != "" {
					t.Errorf("a failing Set changed the resource (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := string(resource.Marshal(userRT, &shared, nil)); got != tt.want {
				t.Errorf("after Set\n got %s\nwant %s", got, tt.want)
			}
			checkDecoded(t, userRT, &shared)
		})
	}
}

// checkDecoded checks that r holds its values in the Go types Decode
// gives them, by decoding r's JSON. Read-only attributes, which Decode
// drops, and those never returned are not compared; nor are attributes
// and sub-attributes returned on request, which rt must not have.
func checkDecoded(t *testing.T, rt *schema.ResourceType, r *resource.Resource) {
	t.Helper()
	d, err := resource.Decode(rt, resource.Marshal(rt, r, nil), resource.DecodeOptions{Strict: true})
	if err != nil {
		t.Fatalf("the resource does not decode: %v", err)
	}
	got := maps.Clone(r.Attributes)
	for k := range got {
		if a, _, _ := resource.ResolvePath(rt, k); a != nil && (a.Mutability == schema.ReadOnly || a.Returned == schema.ReturnedNever) {
			delete(got, k)
		}
	}
	if diff := cmp.Diff(d.Attributes, got); diff != "" {
		t.Errorf("values are not as Decode has them (-decoded +set):\n%s", diff)
	}
}

func TestAccessorSetTypes(t *testing.T) {
	tests := []struct {
		path string
		v    any
		want any // what Get returns afterwards
		err  string
	}{
		{path: "count", v: 7, want: int64(7)},
		{path: "count", v: int64(-7), want: int64(-7)},
		{path: "count", v: uint32(7), want: int64(7)},
		{path: "count", v: int16(-7), want: int64(-7)},
		{path: "count", v: uint(7), want: int64(7)},
		{path: "count", v: uint(math.MaxUint64), err: `resource: set "count": count takes an integer such as int or int64, not uint`},
		{path: "count", v: 7.0, err: `resource: set "count": count takes an integer such as int or int64, not float64`},
		{path: "count", v: uint64(math.MaxUint64), err: `resource: set "count": count takes an integer such as int or int64, not uint64`},
		{path: "weight", v: 1.5, want: 1.5},
		{path: "weight", v: 2, want: 2.0},
		{path: "weight", v: float32(0.5), want: 0.5},
		{path: "weight", v: math.Inf(1), err: `resource: set "weight": weight takes a finite number, not +Inf`},
		{path: "weight", v: math.NaN(), err: `resource: set "weight": weight takes a finite number, not NaN`},
		{path: "built", v: created, want: created},
		{path: "built", v: "2010-01-23T04:56:22Z", err: `resource: set "built": built takes a time.Time, not string`},
		{path: "blob", v: "aGk=", want: "aGk="},
		{path: "blob", v: "not base64!", err: `resource: set "blob": blob: expected base64-encoded binary data`},
		{path: "blob", v: []byte("hi"), err: `resource: set "blob": blob takes a string, not []uint8`},
		{path: "link", v: "https://example.com", want: "https://example.com"},
		{path: "tags", v: []string{"x", "X", "y"}, want: []any{"x", "y"}},
		{path: "tags", v: []any{"x", nil}, want: []any{"x"}},
		{path: "tags", v: []any{"x", 1}, err: `resource: set "tags": tags takes a string, not int`},
		{path: "token", v: "t\x00", err: `resource: set "token": token: a string may not contain U+0000 (NUL)`},
		{path: "status", v: "ok", want: "ok"},
		{path: "part.revision", v: 4, want: int64(4)},
		{path: "parts", v: []map[string]any{{"value": "p", "sizes": []int{3, 3, 4}}}, want: []any{attrs("value", "p", "sizes", []any{int64(3), int64(4)})}},
		{path: `parts[value eq "p1"].sizes`, v: []int64{9}, want: []any{int64(9)}},
		{path: `parts[value eq "p1"].sizes`, v: []uint16{8, 9}, want: []any{int64(8), int64(9)}},
		{path: `parts[value eq "p2"].sizes`, v: []int64{}, want: nil},
		{path: `parts[value eq "p3"].sizes`, v: []int64{}, want: nil},
		{path: `parts[value eq "p1"].primary`, v: false, want: []any{false}},
		{path: `parts[primary eq true].primary`, v: false, err: `resource: set "parts[primary eq true].primary": the value set would not match the value filter, and Get of the path would not find it`},
		{path: `parts[value eq "p2"].primary`, v: true, want: []any{true}},
		{path: `parts[sizes eq 1]`, v: nil, err: `resource: set "parts[sizes eq 1]": the value filter cannot compare parts.sizes, which is multi-valued`},
		{path: "level", v: 3, want: int64(3)},
		{path: auditURN + ":level", v: 3, want: int64(3)},
		{path: auditURN, v: map[string]any{"auditor": "b"}, want: attrs("auditor", "b")},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := fullWidget()
			err := widgets.Set(r, tt.path, tt.v)
			if tt.err != "" {
				checkPathError(t, tt.err, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := widgets.Get(r, tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Get after Set (-want +got):\n%s", diff)
			}
		})
	}
}

// Set creates Attributes and the maps of extensions as it needs them, and
// drops an extension's map when it empties it.
func TestAccessorSetEmptyResource(t *testing.T) {
	r := &resource.Resource{}
	if err := users.Set(r, "manager.value", "62"); err != nil {
		t.Fatal(err)
	}
	want := attrs(entURN, attrs("manager", attrs("value", "62")))
	if diff := cmp.Diff(want, r.Attributes); diff != "" {
		t.Errorf("after Set (-want +got):\n%s", diff)
	}
	if err := users.Set(r, "manager.value", nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{}, r.Attributes); diff != "" {
		t.Errorf("after unassigning (-want +got):\n%s", diff)
	}
	if err := users.Set(nil, "userName", "x"); err == nil {
		t.Error("Set of a nil resource succeeded")
	}
	if v, err := users.Get(nil, "userName"); v != nil || err != nil {
		t.Errorf("Get of a nil resource = %v, %v", v, err)
	}
	var zero resource.Accessor
	if err := zero.Set(r, "userName", "x"); err == nil || err.Error() != `resource: set "userName": the Accessor has no resource type` {
		t.Errorf("Set of a zero Accessor: %v", err)
	}
}

// An unqualified name that two extensions define is ambiguous.
func TestAccessorAmbiguous(t *testing.T) {
	rt := schema.UserResourceType()
	other := &schema.Schema{ID: "urn:example:Other", Name: "Other", Attributes: []*schema.Attribute{{Name: "manager"}}}
	rt.Extensions = append(rt.Extensions, schema.Extension{Schema: other})
	_, err := resource.NewAccessor(rt).Get(&resource.Resource{}, "manager.value")
	checkPathError(t, `resource: get "manager.value": "manager" is an attribute of more than one extension of resource type User; qualify it by its schema URN`, err)
	if _, err := resource.NewAccessor(rt).Get(&resource.Resource{}, "urn:example:Other:manager"); err != nil {
		t.Error(err)
	}
}

func BenchmarkAccessor(b *testing.B) {
	r := accessUser(b)
	for _, path := range []string{"userName", "name.familyName", entURN + ":manager.value", `emails[type eq "work"].value`} {
		b.Run("Get/"+path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := users.Get(r, path); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Set/"+path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := users.Set(r, path, "x@example.com"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
