package scimtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testNamespace() *namespace {
	return &namespace{prefix: "p-", ids: map[string]string{"u1": "42", "g1": "a b"}}
}

func TestNamespaceFilter(t *testing.T) {
	tests := []struct {
		endpoint, filter, want string
	}{
		{"Users", `userName eq "alice"`, `userName eq "p-alice"`},
		{"Users", `UserName EQ "alice" or userName gt "b"`, `UserName EQ "p-alice" or userName gt "p-b"`},
		{"Users", `urn:ietf:params:scim:schemas:core:2.0:User:userName ne "x"`, `urn:ietf:params:scim:schemas:core:2.0:User:userName ne "p-x"`},
		{"Users", `userName co "a" or userName ew "z"`, `userName co "a" or userName ew "z"`},
		{"Users", `userName pr and not (userName sw "d")`, `userName pr and not (userName sw "p-d")`},
		{"Users", `externalId eq jyoung`, `externalId eq p-jyoung`},
		{"Users", `externalId eq "x" and title eq "y"`, `externalId eq "p-x" and title eq "y"`},
		{"Users", `displayName eq "Babs"`, `displayName eq "Babs"`},
		{"Groups", `displayName eq "Admins"`, `displayName eq "p-Admins"`},
		{"Users", `userName eq "say \"hi\"" and title eq "eq"`, `userName eq "p-say \"hi\"" and title eq "eq"`},
		{"Users", `emails[type eq "work"].value eq "a@example.com"`, `emails[type eq "work"].value eq "a@example.com"`},
		{"Users", `id eq u1 and manager eq "u1"`, `id eq 42 and manager eq "42"`},
		{"Groups", `id eq g1 and members[value eq "u1"]`, `id eq "a b" and members[value eq "42"]`},
		{"Users", `id eq "u10"`, `id eq "u10"`},
		{"Users", `userName eq "unterminated`, `userName eq "unterminated`},
		{"Users", `userName eq "\u00e9" and userName eq "bad\x"`, `userName eq "p-é" and userName eq "bad\x"`},
		{"Users", "externalId eq caf\u00e9", "externalId eq p-caf\u00e9"},
	}
	ns := testNamespace()
	for _, tt := range tests {
		if got := ns.filter(tt.endpoint, tt.filter); got != tt.want {
			t.Errorf("filter(%q, %q) = %q, want %q", tt.endpoint, tt.filter, got, tt.want)
		}
	}
}

func TestNamespaceTarget(t *testing.T) {
	tests := []struct {
		method, target string
		want           string // with the query decoded
	}{
		{"GET", "/Users", `/Users?filter=userName sw "p-"`},
		{"GET", "/Groups?filter=displayName+eq+%22x%22&count=2", `/Groups?count=2&filter=displayName sw "p-" and (displayName eq "p-x")`},
		{"GET", "/Users/u1?attributes=userName", `/Users/42?attributes=userName`},
		{"PATCH", "/Groups/g1", `/Groups/a%20b`},
		{"DELETE", "/Users/no-such-id", `/Users/no-such-id`},
		{"GET", "/ServiceProviderConfig", `/ServiceProviderConfig`},
	}
	ns := testNamespace()
	for _, tt := range tests {
		u, err := url.Parse(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		got := ns.target(tt.method, u.Path, u.Query())
		if path, query, ok := strings.Cut(got, "?"); ok {
			if q, err := url.QueryUnescape(query); err == nil {
				got = path + "?" + q
			}
		}
		if got != tt.want {
			t.Errorf("target(%s %s) = %q, want %q", tt.method, tt.target, got, tt.want)
		}
	}
}

func TestNamespaceRequest(t *testing.T) {
	tests := []struct {
		method, path, body, want string
	}{{
		"POST", "/Users",
		`{"userName": "bjensen", "externalId": "e", "displayName": "Babs", "emails": [{"value": "u1"}]}`,
		`{"userName": "p-bjensen", "externalId": "p-e", "displayName": "Babs", "emails": [{"value": "42"}]}`,
	}, {
		"PUT", "/Groups/g1",
		`{"id": "g1", "displayName": "Admins", "members": [{"value": "u1"}, {"value": "u2"}]}`,
		`{"id": "a b", "displayName": "p-Admins", "members": [{"value": "42"}, {"value": "u2"}]}`,
	}, {
		"PATCH", "/Users/u1",
		`{"Operations": [
			{"op": "Replace", "Path": "userName", "Value": "x"},
			{"op": "replace", "path": "title", "value": "y"},
			{"op": "add", "value": {"UserName": "z", "nickName": "n"}},
			{"op": "remove", "path": "emails[value eq \"a\"]"}
		]}`,
		`{"Operations": [
			{"op": "Replace", "Path": "userName", "Value": "p-x"},
			{"op": "replace", "path": "title", "value": "y"},
			{"op": "add", "value": {"UserName": "p-z", "nickName": "n"}},
			{"op": "remove", "path": "emails[value eq \"a\"]"}
		]}`,
	}, {
		"PATCH", "/Groups/g1",
		`{"Operations": [{"op": "remove", "path": "members[value eq \"u1\"]"}, {"op": "replace", "path": "displayName", "value": "G"}]}`,
		`{"Operations": [{"op": "remove", "path": "members[value eq \"42\"]"}, {"op": "replace", "path": "displayName", "value": "p-G"}]}`,
	}, {
		"POST", "/Bulk",
		`{"Operations": [
			{"method": "POST", "path": "/Users", "bulkId": "u", "data": {"userName": "a"}},
			{"method": "POST", "path": "/Groups", "data": {"displayName": "g", "members": [{"value": "bulkId:u"}]}},
			{"method": "PATCH", "path": "/Groups/g1", "data": {"Operations": [{"op": "replace", "path": "displayName", "value": "h"}]}}
		]}`,
		`{"Operations": [
			{"method": "POST", "path": "/Users", "bulkId": "u", "data": {"userName": "p-a"}},
			{"method": "POST", "path": "/Groups", "data": {"displayName": "p-g", "members": [{"value": "bulkId:u"}]}},
			{"method": "PATCH", "path": "/Groups/a%20b", "data": {"Operations": [{"op": "replace", "path": "displayName", "value": "p-h"}]}}
		]}`,
	}, {
		"POST", "/Users", `not JSON`, `not JSON`,
	}}
	ns := testNamespace()
	for _, tt := range tests {
		got := ns.request(tt.method, tt.path, []byte(tt.body))
		var g, w any
		if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(tt.want), &w) != nil {
			g, w = string(got), tt.want
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("request(%s %s, %s) (-want +got):\n%s", tt.method, tt.path, tt.body, diff)
		}
	}
	if got := string(ns.response([]byte(`{"userName":"p-bjensen","detail":"p-x is taken"}`))); got != `{"userName":"bjensen","detail":"x is taken"}` {
		t.Errorf("response: %s", got)
	}
}
