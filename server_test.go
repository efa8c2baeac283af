package scim_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// faultyHandler is a ResourceHandler whose every method fails with err, or
// panics with it when panics is set.
type faultyHandler struct {
	err    error
	panics bool
}

func (f faultyHandler) fail() error {
	if f.panics {
		panic(f.err)
	}
	return f.err
}

func (f faultyHandler) Create(context.Context, *resource.Resource) (*resource.Resource, error) {
	return nil, f.fail()
}
func (f faultyHandler) Get(context.Context, string) (*resource.Resource, error) { return nil, f.fail() }
func (f faultyHandler) Replace(context.Context, *resource.Resource, string) (*resource.Resource, error) {
	return nil, f.fail()
}
func (f faultyHandler) Delete(context.Context, string, string) error { return f.fail() }
func (f faultyHandler) List(context.Context, *scim.Query) (*scim.Page, error) {
	return nil, f.fail()
}

// do serves a request without If-Match; see serveRequest.
func do(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	return serveRequest(h, method, target, "", body)
}

const internalError = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"internal server error","status":"500"}`

// TestHandlerErrorsDoNotLeak checks that an error the library does not
// know, or a panic, becomes a generic 500 whose text stays in the log.
func TestHandlerErrorsDoNotLeak(t *testing.T) {
	secret := errors.New("pq: password authentication failed for user \"scim\"")
	for _, tc := range []struct {
		name    string
		handler faultyHandler
		logged  string
	}{
		{"error", faultyHandler{err: secret}, "scim: request failed"},
		{"panic", faultyHandler{err: secret, panics: true}, "scim: panic serving request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			rt := schema.UserResourceType()
			srv, err := scim.NewServer(scim.Config{
				Endpoints: []scim.Endpoint{{Type: rt, Handler: tc.handler}},
				Logger:    slog.New(slog.NewTextHandler(&log, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, req := range []struct{ method, target, body string }{
				{"GET", "/Users/x", ""},
				{"GET", "/Users", ""},
				{"DELETE", "/Users/x", ""},
				{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`},
				{"PUT", "/Users/x", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`},
			} {
				log.Reset()
				rec := do(srv, req.method, req.target, req.body)
				if rec.Code != 500 {
					t.Errorf("%s %s: status %d, want 500", req.method, req.target, rec.Code)
				}
				if diff := cmp.Diff(internalError, rec.Body.String()); diff != "" {
					t.Errorf("%s %s: body (-want +got):\n%s", req.method, req.target, diff)
				}
				if !strings.Contains(log.String(), tc.logged) || !strings.Contains(log.String(), "password authentication failed") {
					t.Errorf("%s %s: log lacks the error: %q", req.method, req.target, log.String())
				}
			}
		})
	}
}

// TestHandlerSentinels checks how wrapped sentinel errors from a handler
// are answered.
func TestHandlerSentinels(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
		code int
	}{
		{scim.ErrUniqueness, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","detail":"a unique attribute value is already in use","status":"409"}`, 409},
		{scim.ErrVersionMismatch, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"resource version does not match","status":"412"}`, 412},
		{scim.Errorf(403, "", "tenant is read-only"), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"tenant is read-only","status":"403"}`, 403},
	} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			rt := schema.UserResourceType()
			srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: rt, Handler: faultyHandler{err: errors.Join(errors.New("wrapped"), tc.err)}}}})
			if err != nil {
				t.Fatal(err)
			}
			rec := do(srv, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`)
			if rec.Code != tc.code {
				t.Errorf("status %d, want %d", rec.Code, tc.code)
			}
			if diff := cmp.Diff(tc.want, rec.Body.String()); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorIs(t *testing.T) {
	for _, tc := range []struct {
		err    *scim.Error
		target error
		want   bool
	}{
		{scim.Errorf(404, "", "gone"), scim.ErrNotFound, true},
		{scim.Errorf(409, scim.Uniqueness, "taken"), scim.ErrUniqueness, true},
		{scim.Errorf(409, "", "conflict"), scim.ErrUniqueness, false},
		{scim.Errorf(412, "", "stale"), scim.ErrVersionMismatch, true},
		{scim.Errorf(400, scim.InvalidValue, "bad"), scim.ErrNotFound, false},
	} {
		if got := errors.Is(tc.err, tc.target); got != tc.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", tc.err, tc.target, got, tc.want)
		}
	}
}

// TestMiddlewareError shows middleware refusing a request in SCIM form.
func TestMiddlewareError(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	auth := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing or invalid bearer token"))
			return
		}
		srv.ServeHTTP(w, r)
	})
	rec := do(auth, "GET", "/Users", "")
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"missing or invalid bearer token","status":"401"}`
	if rec.Code != 401 || rec.Body.String() != want || rec.Header().Get("Content-Type") != "application/scim+json" {
		t.Errorf("got %d %q %q, want 401 %q application/scim+json", rec.Code, rec.Header().Get("Content-Type"), rec.Body, want)
	}
	rec = httptest.NewRecorder()
	scim.WriteError(rec, errors.New("secret internals"))
	if rec.Code != 500 || rec.Body.String() != internalError {
		t.Errorf("WriteError(unknown) = %d %s, want 500 %s", rec.Code, rec.Body, internalError)
	}
}

// usersServer returns a server of Users with the default configuration
// (no BaseURL), whose store names the first user id.
func usersServer(t *testing.T, id string) *scim.Server {
	t.Helper()
	users := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(users)
	h.NewID = func() string { return id }
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}}})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestBaseURLFromRequest checks meta.location and Location when the server
// derives its base URL from a request through http.StripPrefix.
func TestBaseURLFromRequest(t *testing.T) {
	srv := usersServer(t, "abc")
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv))
	req := httptest.NewRequest("POST", "http://idp.example.org/scim/v2/Users?attributes=meta.location",
		strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`))
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	want := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"abc","meta":{"location":"http://idp.example.org/scim/v2/Users/abc"}}`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if got := rec.Header().Get("Location"); got != "http://idp.example.org/scim/v2/Users/abc" {
		t.Errorf("Location = %q", got)
	}
}

// TestBaseURLPerRequest checks that each request's base URL is its own,
// though the server keeps the last one it derived: requests alternate
// between hosts, schemes and prefixes, and each location follows its own.
func TestBaseURLPerRequest(t *testing.T) {
	srv := usersServer(t, "abc")
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv))
	mux.Handle("/tenant/scim/", http.StripPrefix("/tenant/scim", srv))
	if rec := serveRequest(mux, "POST", "/scim/v2/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`); rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	// Targets are paths, as servers receive them, so that the base URL
	// comes from Host, TLS and the prefix, which the server keeps. Each is
	// sent twice in a row, the second time from what was kept.
	for range 2 {
		for _, tc := range []struct {
			https      bool
			host, path string
			want       string
		}{
			{false, "a.example", "/scim/v2/Users/abc", "http://a.example/scim/v2/Users/abc"},
			{false, "b.example", "/scim/v2/Users/abc", "http://b.example/scim/v2/Users/abc"},
			{true, "b.example", "/scim/v2/Users/abc", "https://b.example/scim/v2/Users/abc"},
			{true, "b.example", "/tenant/scim/Users/abc", "https://b.example/tenant/scim/Users/abc"},
			{false, "b.example", "/scim/v2/Users?filter=userName+eq+%22a%22", "http://b.example/scim/v2/Users/abc"},
		} {
			for range 2 {
				req := httptest.NewRequest("GET", tc.path, nil)
				req.Host = tc.host
				if tc.https {
					req.TLS = &tls.ConnectionState{}
				}
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("GET %s%s: %d %s", tc.host, tc.path, rec.Code, rec.Body)
				}
				if !strings.Contains(rec.Body.String(), `"location":"`+tc.want+`"`) {
					t.Errorf("GET %s%s (https %v): body %s, want the location %s", tc.host, tc.path, tc.https, rec.Body, tc.want)
				}
			}
		}
	}
}

func TestNewServerErrors(t *testing.T) {
	users := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(users)
	broken := schema.UserResourceType()
	broken.Schema.Attributes = append(broken.Schema.Attributes, &schema.Attribute{Name: "bad name"})
	otherUser := schema.UserResourceType()
	otherUser.Name, otherUser.Endpoint = "Person", "/People"
	for _, tc := range []struct {
		name string
		cfg  scim.Config
		want string
	}{
		{"no endpoints", scim.Config{}, "scim: Config.Endpoints is empty"},
		{"nil type", scim.Config{Endpoints: []scim.Endpoint{{Handler: h}}}, "scim: Config.Endpoints[0].Type is nil"},
		{"nil handler", scim.Config{Endpoints: []scim.Endpoint{{Type: users}}}, "scim: endpoint User has no Handler"},
		{"duplicate", scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}, {Type: users, Handler: h}}}, "scim: two endpoints named User or at /Users"},
		{"two definitions of one schema", scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}, {Type: otherUser, Handler: h}}},
			"scim: schema urn:ietf:params:scim:schemas:core:2.0:User is defined twice; endpoints must share one *schema.Schema"},
		{"reserved path", scim.Config{Endpoints: []scim.Endpoint{{Type: &schema.ResourceType{Name: "Thing", Endpoint: "/Schemas", Schema: users.Schema}, Handler: h}}},
			"scim: endpoint /Schemas uses a path the protocol reserves"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scim.NewServer(tc.cfg)
			if err == nil || err.Error() != tc.want {
				t.Errorf("NewServer error = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("invalid schema", func(t *testing.T) {
		_, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: broken, Handler: h}}})
		if err == nil || !strings.Contains(err.Error(), "bad name") {
			t.Errorf("NewServer error = %v, want one naming the attribute", err)
		}
	})
}

// TestPutKeepsPassword checks what PUT stores: a password is never
// returned, so a PUT that omits it keeps it.
func TestPutKeepsPassword(t *testing.T) {
	users := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(users)
	h.NewID = func() string { return "u1" }
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}}})
	if err != nil {
		t.Fatal(err)
	}
	do(srv, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","password":"t1meMa$heen","nickName":"A"}`)
	rec := do(srv, "PUT", "/Users/u1", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b"}`)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "t1meMa$heen") {
		t.Fatalf("PUT: %d %s", rec.Code, rec.Body)
	}
	stored, err := h.Get(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"userName": "b"}
	if diff := cmp.Diff(want, stored.Attributes); diff != "" {
		t.Errorf("stored attributes (-want +got):\n%s", diff)
	}
	if ok, err := h.VerifySecret(context.Background(), "u1", "password", "t1meMa$heen"); !ok || err != nil {
		t.Errorf("VerifySecret(password) = %v, %v; want the password kept", ok, err)
	}
}

// TestCustomResourceTypeFromJSON serves a resource type loaded from its
// RFC 7643 JSON representation.
func TestCustomResourceTypeFromJSON(t *testing.T) {
	schemas, err := schema.ParseSchemas([]byte(`{
		"id": "urn:example:scim:schemas:Device",
		"name": "Device",
		"attributes": [
			{"name": "serialNumber", "type": "string", "required": true, "caseExact": true, "uniqueness": "server"},
			{"name": "purchased", "type": "dateTime"},
			{"name": "ports", "type": "integer", "multiValued": true}
		]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := schema.ParseResourceType([]byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		"id": "Device", "name": "Device", "endpoint": "/Devices",
		"schema": "urn:example:scim:schemas:Device"
	}`), schemas)
	if err != nil {
		t.Fatal(err)
	}
	h := scimtest.NewMemoryHandler(rt)
	h.NewID = func() string { return "d1" }
	srv, err := scim.NewServer(scim.Config{BaseURL: "https://example.com/scim/v2", Endpoints: []scim.Endpoint{{Type: rt, Handler: h}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(srv, "POST", "/Devices?excludedAttributes=meta", `{"schemas":["urn:example:scim:schemas:Device"],"serialNumber":"SN-1","purchased":"2024-02-29T12:00:00+01:00","ports":[1,"2"]}`)
	want := `{"schemas":["urn:example:scim:schemas:Device"],"id":"d1","serialNumber":"SN-1","purchased":"2024-02-29T12:00:00+01:00","ports":[1,2]}`
	if rec.Code != 201 || rec.Body.String() != want {
		t.Errorf("POST /Devices = %d %s, want 201 %s", rec.Code, rec.Body, want)
	}
	rec = do(srv, "POST", "/Devices", `{"schemas":["urn:example:scim:schemas:Device"],"serialNumber":"sn-1"}`)
	if rec.Code != 201 {
		t.Errorf("serialNumber is caseExact, so sn-1 differs from SN-1: got %d %s", rec.Code, rec.Body)
	}
	rec = do(srv, "GET", "/Schemas/urn:example:scim:schemas:Device", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"serialNumber"`) {
		t.Errorf("GET /Schemas/urn:example:scim:schemas:Device = %d %s", rec.Code, rec.Body)
	}
}

func TestMeNotConfigured(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	rec := do(srv, "GET", "/Me", "")
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"this server does not support /Me","status":"501"}`
	if rec.Code != 501 || rec.Body.String() != want {
		t.Errorf("GET /Me = %d %s, want 501 %s", rec.Code, rec.Body, want)
	}
}

// TestInvalidUTF8 checks that a body that is not UTF-8 is refused before
// it is decoded, rather than stored with replacement characters.
func TestInvalidUTF8(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	rec := do(srv, "POST", "/Users", "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"b\xffjensen\"}")
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidSyntax","detail":"request body is not valid UTF-8","status":"400"}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Errorf("POST = %d %s, want 400 %s", rec.Code, rec.Body, want)
	}
}

// TestSecretsNotEchoed checks that an invalid value for a never-returned
// attribute does not come back in the error detail.
func TestSecretsNotEchoed(t *testing.T) {
	users := &schema.ResourceType{Name: "User", Endpoint: "/Users", Schema: &schema.Schema{
		ID: "urn:example:User",
		Attributes: []*schema.Attribute{
			{Name: "userName", Required: true},
			{Name: "pin", Type: schema.Integer, Mutability: schema.WriteOnly, Returned: schema.ReturnedNever},
		},
	}}
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: scimtest.NewMemoryHandler(users)}}})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(srv, "POST", "/Users", `{"schemas":["urn:example:User"],"userName":"a","pin":"s3cr3t-p1n"}`)
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidValue","detail":"attribute \"pin\": expected an integer (the value given is not shown)","status":"400"}`
	if rec.Code != 400 || rec.Body.String() != want {
		t.Errorf("POST = %d %s, want 400 %s", rec.Code, rec.Body, want)
	}
}
