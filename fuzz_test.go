package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// snapshot returns every stored resource of h.
func snapshot(t *testing.T, h *scimtest.MemoryHandler) []*resource.Resource {
	t.Helper()
	page, err := h.List(context.Background(), &scim.Query{StartIndex: 1, Count: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return page.Resources
}

// storedPassword is the password of the user FuzzServer stores first.
const storedPassword = "stored-Pw-93kq"

// echoedPassword returns a password that response shows: the stored one,
// or one that body, a request, gives as the value of a "password" member
// (or, for "bulkId:x", its x), unless body has that string elsewhere too,
// where a response may quote it. It returns "" when there is none.
func echoedPassword(body, response string) string {
	if strings.Contains(response, storedPassword) && !strings.Contains(body, storedPassword) {
		return storedPassword
	}
	var doc any
	if json.Unmarshal([]byte(body), &doc) != nil {
		return ""
	}
	var secrets, others []string
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				others = append(others, k)
				walk(e, strings.EqualFold(k, "password"))
			}
		case []any:
			for _, e := range v {
				walk(e, false)
			}
		case string:
			if secret {
				secrets = append(secrets, v)
			} else {
				others = append(others, v)
			}
		}
	}
	walk(doc, false)
	for _, p := range secrets {
		for _, q := range []string{p, strings.TrimPrefix(p, "bulkId:")} {
			if len(q) < 4 || !strings.Contains(response, q) || slices.ContainsFunc(others, func(o string) bool { return strings.Contains(o, q) }) {
				continue
			}
			return q
		}
	}
	return ""
}

// FuzzServer sends hostile bodies to every writing endpoint of a server
// that holds a user and a group. The server never panics or answers 500,
// every error is a SCIM error body, a refused request leaves the stored
// resources as they were, and no response shows a password, the stored
// one or one the request sends.
func FuzzServer(f *testing.F) {
	seeds := []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u1"}]}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"y"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName pr","count":1}`,
		`{"userName":{"a":[[[[[]]]]]}}`,
		"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"\xff\"}",
		// What the second hardening round fixed: a password that looks
		// like a bulkId, a lone surrogate, NUL, a dot-segment bulk path,
		// a PATCH growing an attribute past MaxValues, a long path.
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"z","password":"bulkId:s3cret"}}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\ud800"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a\u0000"}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"DELETE","path":"/Users/.."}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":` + emailValues(100, 49) + `}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"` + strings.Repeat("x", 300) + `","value":1}]}`,
	}
	// Every request body of the golden exchanges is a seed too.
	names, convs := goldens(f)
	for _, name := range names {
		for _, x := range convs[name].Exchanges {
			if x.Body != "" {
				seeds = append(seeds, x.Body)
			}
		}
	}
	targets := []struct{ method, path string }{
		{"POST", "/Users"}, {"PUT", "/Users/u1"}, {"PATCH", "/Users/u1"}, {"PATCH", "/Groups/g1"},
		{"POST", "/Bulk"}, {"POST", "/Users/.search"}, {"POST", "/.search"}, {"PUT", "/Groups/g1"},
	}
	for _, s := range seeds {
		for i := range targets {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		users, groups := schema.UserResourceType(), schema.GroupResourceType()
		uh, gh := testHandler(users, "u"), testHandler(groups, "g")
		srv, err := scim.NewServer(scim.Config{
			Endpoints:      []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
			BaseURL:        "https://example.com/scim/v2",
			MaxValues:      50,
			MaxPageSize:    20,
			MaxFilterDepth: 8,
		})
		if err != nil {
			t.Fatal(err)
		}
		serveRequest(srv, "POST", "/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","emails":[{"value":"b@example.com","type":"work"}],"password":"`+storedPassword+`"}`)
		serveRequest(srv, "POST", "/Groups", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"u1"}]}`)
		beforeUsers, beforeGroups := snapshot(t, uh), snapshot(t, gh)

		tg := targets[int(target)%len(targets)]
		rec := serveRequest(srv, tg.method, tg.path, "", body)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d %s", tg.method, tg.path, rec.Code, rec.Body)
		}
		if p := echoedPassword(body, rec.Body.String()); p != "" {
			t.Fatalf("%s %s: the password %q came back: %s", tg.method, tg.path, p, rec.Body)
		}
		for _, r := range append(snapshot(t, uh), snapshot(t, gh)...) {
			if err := resource.CheckValues(users, r, 50); err != nil {
				t.Fatalf("%s %s: answered %d and left %s holding %v", tg.method, tg.path, rec.Code, r.ID, err)
			}
		}
		if rec.Code >= 400 {
			var e struct {
				Schemas []string
				Status  string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Schemas) != 1 || e.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
				t.Fatalf("%s %s: status %d without a SCIM error body: %s", tg.method, tg.path, rec.Code, rec.Body)
			}
			if n := rec.Body.Len(); n > 2048 {
				t.Fatalf("%s %s: an error of %d bytes: client input echoed beyond its clipped prefix", tg.method, tg.path, n)
			}
			if diff := cmp.Diff(beforeUsers, snapshot(t, uh)); diff != "" {
				t.Fatalf("%s %s refused with %d changed users:\n%s", tg.method, tg.path, rec.Code, diff)
			}
			if diff := cmp.Diff(beforeGroups, snapshot(t, gh)); diff != "" {
				t.Fatalf("%s %s refused with %d changed groups:\n%s", tg.method, tg.path, rec.Code, diff)
			}
		}
		if rec.Code == http.StatusOK && tg.path == "/Bulk" && strings.Contains(rec.Body.String(), `"status":"5`) {
			t.Fatalf("a bulk operation failed with a server error: %s", rec.Body)
		}
	})
}

// TestEchoedPassword checks FuzzServer's oracle: it finds a password a
// response shows, and no string the request sent elsewhere.
func TestEchoedPassword(t *testing.T) {
	for _, c := range []struct{ body, response, want string }{
		{`{"password":"hunter22"}`, `{"detail":"bad hunter22"}`, "hunter22"},
		{`{"data":{"PassWord":"bulkId:abcd"}}`, `{"detail":"unknown bulkId abcd"}`, "abcd"},
		{`{"schemas":"s3cret"}`, `{"detail":"found the string \"s3cret\""}`, ""},
		{`{"password":"abcd","userName":"abcd"}`, `{"detail":"userName abcd"}`, ""},
		{`{"password":"abc"}`, `{"detail":"abc"}`, ""}, // too short to tell from other text
		{`not json`, `{"detail":"` + storedPassword + `"}`, storedPassword},
		{`{"userName":"` + storedPassword + `"}`, `{"detail":"` + storedPassword + `"}`, ""},
	} {
		if got := echoedPassword(c.body, c.response); got != c.want {
			t.Errorf("echoedPassword(%s, %s) = %q, want %q", c.body, c.response, got, c.want)
		}
	}
}
