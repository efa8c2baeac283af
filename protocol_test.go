package scim_test

// Edge cases of the protocol, each checked against the rule of RFC 7644,
// RFC 7643 or the library's documented contract it comes from.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

const (
	userSchemaURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchemaURN = "urn:ietf:params:scim:schemas:core:2.0:Group"
	bulkSchemaURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
)

// populated returns the standard test server holding users u1
// (bjensen) and u2 (alice) and group g1 (Admins).
func populated(t *testing.T, cfg scim.Config) http.Handler {
	t.Helper()
	srv := newTestServer(t, cfg)
	for _, req := range []struct{ path, body string }{
		{"/Users", `{"schemas":["` + userSchemaURN + `"],"userName":"bjensen"}`},
		{"/Users", `{"schemas":["` + userSchemaURN + `"],"userName":"alice"}`},
		{"/Groups", `{"schemas":["` + groupSchemaURN + `"],"displayName":"Admins"}`},
	} {
		if rec := do(srv, "POST", req.path, req.body); rec.Code != http.StatusCreated {
			t.Fatalf("POST %s = %d %s", req.path, rec.Code, rec.Body)
		}
	}
	return srv
}

type listDoc struct {
	TotalResults int `json:"totalResults"`
	ItemsPerPage int `json:"itemsPerPage"`
	Resources    []struct {
		ID   string `json:"id"`
		Meta struct {
			Location string `json:"location"`
		} `json:"meta"`
	} `json:"Resources"`
}

func decodeList(t *testing.T, rec *httptest.ResponseRecorder) listDoc {
	t.Helper()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", rec.Code, rec.Body)
	}
	var l listDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	return l
}

func (l listDoc) ids() []string {
	var ids []string
	for _, r := range l.Resources {
		ids = append(ids, r.ID)
	}
	return ids
}

type bulkOp struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId"`
	Location *string         `json:"location"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response"`
}

func postBulk(t *testing.T, h http.Handler, target, ops string) (int, []bulkOp, string) {
	t.Helper()
	rec := do(h, "POST", target, `{"schemas":["`+bulkSchemaURN+`"],"Operations":[`+ops+`]}`)
	var body struct {
		Operations []bulkOp `json:"Operations"`
	}
	if rec.Code == http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
	}
	return rec.Code, body.Operations, rec.Body.String()
}

// RFC 7644 §3.4.2.1: "For filtered attributes that are not part of a
// particular resource type, the service provider SHALL treat the attribute
// as if there is no attribute value. For example, a presence or equality
// filter for an undefined attribute evaluates to false." A root query must
// therefore still return the Group matched by the other branch of an "or",
// and every Group for "not (userName pr)".
func TestRootFilterOnAttributeOneTypeLacks(t *testing.T) {
	srv := populated(t, scim.Config{})
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`displayName eq "Admins" or userName eq "bjensen"`, []string{"u1", "g1"}},
		{`not (userName pr)`, []string{"g1"}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			l := decodeList(t, do(srv, "GET", "/?filter="+url.QueryEscape(tc.filter), ""))
			if got := l.ids(); strings.Join(got, ",") != strings.Join(tc.want, ",") || l.TotalResults != len(tc.want) {
				t.Errorf("GET /?filter=%s: totalResults %d, ids %v; want %d, %v", tc.filter, l.TotalResults, got, len(tc.want), tc.want)
			}
		})
	}
}

// RFC 7644 §3.4.2.3: sortBy "specifies the attribute whose value SHALL be
// used to order the returned responses"; it orders, it does not select:
// GET /?sortBy=userName keeps the Groups, which have no userName and sort
// last.
func TestRootSortByDoesNotDropTypes(t *testing.T) {
	srv := populated(t, scim.Config{})
	plain := decodeList(t, do(srv, "GET", "/", ""))
	sorted := decodeList(t, do(srv, "GET", "/?sortBy=userName", ""))
	if sorted.TotalResults != plain.TotalResults {
		t.Errorf("GET /?sortBy=userName: totalResults %d (%v), want %d as without sortBy (%v)",
			sorted.TotalResults, sorted.ids(), plain.TotalResults, plain.ids())
	}
}

// RFC 7644 §3.4.2.4: startIndex is any 1-based index; past the end it
// yields an empty page, also for a sorted root query and an index near the
// largest integer.
func TestRootSortedHugeStartIndex(t *testing.T) {
	srv := populated(t, scim.Config{})
	rec := do(srv, "GET", "/?sortBy=userName&startIndex=9223372036854775807", "")
	if rec.Code != http.StatusOK {
		t.Errorf("GET /?sortBy=userName&startIndex=MaxInt64 = %d %s, want 200 and an empty page", rec.Code, rec.Body)
	}
}

// countingHandler records the largest Query.Count List receives.
type countingHandler struct {
	*scimtest.MemoryHandler
	mu       sync.Mutex
	maxCount int
}

func (h *countingHandler) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	h.mu.Lock()
	h.maxCount = max(h.maxCount, q.Count)
	h.mu.Unlock()
	return h.MemoryHandler.List(ctx, q)
}

// handler.go documents Query.Count as "at least 0 and at most the server's
// page size limit" (RFC 7644 §3.4.2.4 count; maxResults of RFC 7643 §5).
// A sorted root query never asks a handler for more.
func TestRootSortedCountWithinPageSize(t *testing.T) {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	uh := &countingHandler{MemoryHandler: scimtest.NewMemoryHandler(users)}
	gh := &countingHandler{MemoryHandler: scimtest.NewMemoryHandler(groups)}
	srv, err := scim.NewServer(scim.Config{
		Endpoints:   []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
		MaxPageSize: 50,
	})
	if err != nil {
		t.Fatal(err)
	}
	do(srv, "GET", "/?sortBy=displayName&startIndex=100000&count=10", "")
	if uh.maxCount > 50 || gh.maxCount > 50 {
		t.Errorf("handlers were asked for Count %d and %d, above MaxPageSize 50", uh.maxCount, gh.maxCount)
	}
}

// RFC 7644 §3.4.2.1 again, with a raised MaxFilterLength: a long filter
// on an attribute one type lacks works at the root as it does on /Users.
func TestRootLongFilterWithRaisedLimit(t *testing.T) {
	srv := populated(t, scim.Config{MaxFilterLength: 10000})
	f := `userName eq "` + strings.Repeat("x", 5000) + `"`
	if rec := do(srv, "GET", "/Users?filter="+url.QueryEscape(f), ""); rec.Code != http.StatusOK {
		t.Fatalf("GET /Users?filter=<5014 bytes> = %d %s", rec.Code, rec.Body)
	}
	if rec := do(srv, "GET", "/?filter="+url.QueryEscape(f), ""); rec.Code != http.StatusOK {
		t.Errorf("GET /?filter=<5014 bytes> = %d %s, want 200 as for a short filter", rec.Code, rec.Body)
	}
}

// RFC 7644 §3.4.2.4: count is a "non-negative integer"; the server "MUST NOT
// return more results than specified, although it MAY return fewer". A count
// or startIndex beyond int64 is still a non-negative integer: it should be
// capped (count) or yield an empty page (startIndex).
func TestHugePagingNumbers(t *testing.T) {
	srv := populated(t, scim.Config{})
	for _, q := range []string{"count=99999999999999999999", "startIndex=99999999999999999999"} {
		if rec := do(srv, "GET", "/Users?"+q, ""); rec.Code != http.StatusOK {
			t.Errorf("GET /Users?%s = %d %s, want 200", q, rec.Code, rec.Body)
		}
	}
}

// RFC 7644 §3.7 (bulk response): "location: The resource endpoint URL.
// REQUIRED in a response, except in the event of a POST failure." Failed
// DELETE, PATCH and PUT operations carry it.
func TestBulkFailedOperationHasLocation(t *testing.T) {
	srv := populated(t, scim.Config{})
	code, ops, body := postBulk(t, srv, "/Bulk", `
		{"method":"DELETE","path":"/Users/nope"},
		{"method":"PATCH","path":"/Users/u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"bogus"}]}},
		{"method":"PUT","path":"/Users/u1","version":"W/\"999\"","data":{"schemas":["`+userSchemaURN+`"],"userName":"bjensen"}}`)
	if code != http.StatusOK || len(ops) != 3 {
		t.Fatalf("POST /Bulk = %d %s", code, body)
	}
	for _, op := range ops {
		if op.Location == nil || *op.Location == "" {
			t.Errorf("failed %s (status %s) has no location; body %s", op.Method, op.Status, body)
		}
	}
}

// RFC 7644 §3.7: Operations is a REQUIRED multi-valued attribute of a
// BulkResponse, an array even when the request has no operations.
func TestBulkResponseOperationsIsArray(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	rec := do(srv, "POST", "/Bulk", `{"schemas":["`+bulkSchemaURN+`"],"Operations":[]}`)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("POST /Bulk = %d %s", rec.Code, rec.Body)
	}
	if ops := strings.TrimSpace(string(body["Operations"])); !strings.HasPrefix(ops, "[") {
		t.Errorf(`BulkResponse "Operations" = %s, want an array`, ops)
	}
}

// panickingDelete panics in Delete, as a buggy store might.
type panickingDelete struct{ *scimtest.MemoryHandler }

func (panickingDelete) Delete(context.Context, string, string) error {
	panic("store bug")
}

// RFC 7644 §3.7: "The service provider MUST continue performing as many
// changes as possible and disregard partial failures." A handler that
// panics fails its own operation with 500; the bulk response still reports
// the earlier POST that was committed.
func TestBulkPanicIsOneOperationsError(t *testing.T) {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
		{Type: users, Handler: scimtest.NewMemoryHandler(users)},
		{Type: groups, Handler: panickingDelete{scimtest.NewMemoryHandler(groups)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	code, ops, body := postBulk(t, srv, "/Bulk", `
		{"method":"POST","bulkId":"g","path":"/Groups","data":{"schemas":["`+groupSchemaURN+`"],"displayName":"G"}},
		{"method":"DELETE","path":"/Groups/bulkId:g"}`)
	if code != http.StatusOK || len(ops) != 2 || ops[0].Status != "201" || ops[1].Status != "500" {
		t.Errorf("POST /Bulk = %d %s; want 200 with the POST at 201 and the DELETE at 500", code, body)
	}
}

// RFC 7644 §3.7.2: "bulkId:qwerty" in a path stands for the id of the
// created resource, and the path is a URI path (RFC 3986), so the id must
// be percent-encoded when substituted, as "x/y" and ids with spaces need.
func TestBulkIDInPathIsEscaped(t *testing.T) {
	users := schema.UserResourceType()
	ids := []string{"x/y", "a b"}
	n := 0
	h := scimtest.NewMemoryHandler(users)
	h.NewID = func() string { n++; return ids[n-1] }
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: h}},
		BaseURL:   "https://example.com/scim/v2",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.com/scim/v2/Users/x%2Fy", "https://example.com/scim/v2/Users/a%20b"}
	for i, name := range []string{"one", "two"} {
		code, ops, body := postBulk(t, srv, "/Bulk", `
			{"method":"POST","bulkId":"`+name+`","path":"/Users","data":{"schemas":["`+userSchemaURN+`"],"userName":"`+name+`"}},
			{"method":"PATCH","path":"/Users/bulkId:`+name+`","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"t"}]}}`)
		if code != http.StatusOK || len(ops) != 2 {
			t.Fatalf("POST /Bulk = %d %s", code, body)
		}
		if ops[1].Status != "200" || ops[1].Location == nil || *ops[1].Location != want[i] {
			t.Errorf("PATCH /Users/bulkId:%s for id %q: %s; want status 200 and location %s", name, ids[i], body, want[i])
		}
	}
}

// RFC 7644 §3.7: "If the method is POST, the value [of path] MUST specify a
// resource type endpoint", which "/Users/.search" is not.
func TestBulkRefusesSearchPath(t *testing.T) {
	srv := populated(t, scim.Config{})
	code, ops, body := postBulk(t, srv, "/Bulk", `
		{"method":"POST","bulkId":"s","path":"/Users/.search","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}}`)
	if code != http.StatusOK || len(ops) != 1 {
		t.Fatalf("POST /Bulk = %d %s", code, body)
	}
	if !strings.HasPrefix(ops[0].Status, "4") {
		t.Errorf("bulk POST to /Users/.search: %s, want a 4xx operation status", body)
	}
}

// statuslessError returns a *scim.Error without a Status, as a host
// can easily write.
type statuslessError struct{ *scimtest.MemoryHandler }

func (statuslessError) Create(context.Context, *resource.Resource) (*resource.Resource, error) {
	return nil, &scim.Error{Type: scim.InvalidValue, Detail: "rejected by the store"}
}

// RFC 7644 §3.12 and §3.7.3: an error is sent with an HTTP error status,
// and a failed bulk operation reports it, even when a host returns a
// *scim.Error without a Status.
func TestStatuslessHostError(t *testing.T) {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
		{Type: users, Handler: statuslessError{scimtest.NewMemoryHandler(users)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	code, ops, body := postBulk(t, srv, "/Bulk", `
		{"method":"POST","bulkId":"a","path":"/Users","data":{"schemas":["`+userSchemaURN+`"],"userName":"a"}}`)
	if code != http.StatusOK || len(ops) != 1 {
		t.Fatalf("POST /Bulk = %d %s", code, body)
	}
	if ops[0].Status < "400" {
		t.Errorf("bulk POST whose Create failed: %s, want an error status", body)
	}
}

// RFC 7643 §3.1: meta.location is "the URI of the resource being returned".
// With BaseURL unset it is derived from the request, also when the client
// sends raw a character Go escapes, as in Auth0's ids "auth0|123".
func TestBaseURLWithRawPathCharacters(t *testing.T) {
	mux := http.StripPrefix("/scim/v2", usersServer(t, "auth0|123"))
	if rec := do(mux, "POST", "/scim/v2/Users", `{"schemas":["`+userSchemaURN+`"],"userName":"a"}`); rec.Code != http.StatusCreated {
		t.Fatalf("POST = %d %s", rec.Code, rec.Body)
	}
	rec := do(mux, "GET", "/scim/v2/Users/auth0|123", "")
	var u struct {
		Meta struct{ Location string }
	}
	json.Unmarshal(rec.Body.Bytes(), &u)
	if want := "http://example.com/scim/v2/Users/auth0%7C123"; rec.Code != http.StatusOK || u.Meta.Location != want {
		t.Errorf("GET /scim/v2/Users/auth0|123 = %d, meta.location %q; want %q", rec.Code, u.Meta.Location, want)
	}
}

// RFC 7644 §4: on the discovery endpoints filtering is not supported; "If a
// "filter" is provided, the service provider SHOULD respond with HTTP status
// code 403 (Forbidden) to ensure that clients cannot incorrectly assume
// that any matching conditions specified in a filter are true."
func TestDiscoveryFilterForbidden(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	for _, target := range []string{"/Schemas", "/ResourceTypes"} {
		rec := do(srv, "GET", target+"?filter="+url.QueryEscape(`id eq "none"`), "")
		if rec.Code != http.StatusForbidden {
			t.Errorf("GET %s?filter=... = %d, want 403", target, rec.Code)
		}
	}
}

// NewServer's doc: "It reports an error for an invalid schema or resource
// type"; STYLE.md: bad configuration is an error from NewServer, not a
// panic, also for endpoint paths that are not one plain path segment, which
// can come from JSON files (schema.LoadDir).
func TestNewServerBadEndpointPathIsError(t *testing.T) {
	for _, endpoint := range []string{"/My Things", "/Th{ings", "/Users/.search"} {
		t.Run(endpoint, func(t *testing.T) {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("NewServer panicked: %v", v)
				}
			}()
			users := schema.UserResourceType()
			thing := *users
			thing.Name, thing.Endpoint = "Thing", endpoint
			// Either an error or a working server is fine; a panic is not.
			scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
				{Type: users, Handler: scimtest.NewMemoryHandler(users)},
				{Type: &thing, Handler: scimtest.NewMemoryHandler(&thing)},
			}})
		})
	}
}

func TestRoute(t *testing.T) {
	srv := populated(t, scim.Config{}).(*scim.Server)
	for path, want := range map[string]string{
		"/Users": "/Users", "/Users/": "/Users/{$}", "/Users/abc": "/Users/{id}", "/Users/.search": "/Users/.search",
		"/Groups/x": "/Groups/{id}", "/Bulk": "/Bulk", "/ServiceProviderConfig": "/ServiceProviderConfig",
		"/Schemas/urn:x": "/Schemas/{urn}", "/": "/{$}", "/nope/x": "",
	} {
		if got := srv.Route(httptest.NewRequest("GET", path, nil)); got != want {
			t.Errorf("Route(%s) = %q, want %q", path, got, want)
		}
	}
}

func TestWriteTooManyRequests(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "1", 1500 * time.Millisecond: "2", 30 * time.Second: "30"} {
		rec := httptest.NewRecorder()
		scim.WriteTooManyRequests(rec, d)
		if rec.Code != 429 || rec.Header().Get("Retry-After") != want {
			t.Errorf("WriteTooManyRequests(%v): %d, Retry-After %q; want 429, %s", d, rec.Code, rec.Header().Get("Retry-After"), want)
		}
		if problem := scimErrorProblem(rec, 429, ""); problem != "" {
			t.Error(problem)
		}
	}
}

// TestResponseMediaType checks the Content-Type of answers, success and
// error alike: application/scim+json (RFC 7644 §8.1) unless the client
// accepts application/json and not it.
func TestResponseMediaType(t *testing.T) {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: scimtest.NewMemoryHandler(users)}}})
	if err != nil {
		t.Fatal(err)
	}
	const scimJSON, plainJSON = "application/scim+json", "application/json"
	for _, tc := range []struct {
		accept, want string
	}{
		{"", scimJSON},
		{"application/scim+json", scimJSON},
		{"application/json", plainJSON},
		{"Application/JSON; charset=utf-8", plainJSON},
		{"application/json, application/scim+json", scimJSON},
		{"application/json, */*;q=0.8", scimJSON},
		{"application/json, application/scim+json;q=0", plainJSON},
		{"application/json;q=0, application/scim+json", scimJSON},
		{"application/json;q=0.000", scimJSON},
		{"text/html", scimJSON},
		{"*/*", scimJSON},
	} {
		for _, path := range []string{"/Users", "/Users/nobody", "/ServiceProviderConfig"} {
			req := httptest.NewRequest("GET", path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if got := rec.Header().Get("Content-Type"); got != tc.want {
				t.Errorf("Accept %q, GET %s (%d): Content-Type %q, want %q", tc.accept, path, rec.Code, got, tc.want)
			}
		}
	}
}
