package scim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

type callerKey struct{}

// recorder collects the events a server sends.
type eventLog struct {
	mu     sync.Mutex
	events []scim.Event
}

func (l *eventLog) add(ctx context.Context, e scim.Event) {
	if ctx.Err() != nil {
		panic("OnEvent got a cancelled context")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) take() []scim.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

// TestEvents checks the events of every kind of write, on the generic and
// the native PATCH paths: their kinds (a deactivation and a reactivation as
// kinds of their own), attributes, members, caller, request id and bulkId,
// and that a write that fails or changes nothing sends none.
func TestEvents(t *testing.T) {
	for _, handlers := range []string{"native", "generic", "patcher"} {
		t.Run(handlers, func(t *testing.T) {
			users, groups := schema.UserResourceType(), schema.GroupResourceType()
			mu, mg := testHandler(users, "u"), testHandler(groups, "g")
			var uh, gh scim.ResourceHandler = mu, mg
			switch handlers {
			case "generic":
				uh, gh = generic{uh}, generic{gh}
			case "patcher": // a native PATCH, and no Memberships
				uh, gh = patcher{generic{mu}, mu}, patcher{generic{mg}, mg}
			}
			log := &eventLog{}
			srv, err := scim.NewServer(scim.Config{
				Endpoints: []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
				OnEvent:   log.add,
				Caller:    func(ctx context.Context) string { s, _ := ctx.Value(callerKey{}).(string); return s },
			})
			if err != nil {
				t.Fatal(err)
			}
			send := func(method, target, body string) int {
				req := httptest.NewRequest(method, target, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/scim+json")
				req.Header.Set("X-Request-Id", "req-"+method)
				req = req.WithContext(context.WithValue(req.Context(), callerKey{}, "okta"))
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				return rec.Code
			}
			patchBody := func(ops string) string {
				return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
			}
			steps := []struct {
				method, target, body string
				want                 []scim.Event
			}{
				{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true,"password":"s3cret","externalId":"x1"}`,
					[]scim.Event{{Kind: scim.Created, Write: scim.Created, ResourceType: "User", ID: "u1", Version: "1", Caller: "okta", RequestID: "req-POST",
						Changes: scim.Changes{Attributes: []string{"active", "externalId", "password", "userName"}}}}},
				{"PATCH", "/Users/u1", patchBody(`{"op":"Replace","path":"active","value":"False"}`),
					[]scim.Event{{Kind: scim.Deactivated, Write: scim.Patched, ResourceType: "User", ID: "u1", Version: "2", Caller: "okta", RequestID: "req-PATCH",
						Changes: scim.Changes{Attributes: []string{"active"}, Deactivated: true}}}},
				{"PATCH", "/Users/u1", patchBody(`{"op":"replace","path":"active","value":false}`), nil},
				{"PUT", "/Users/u1", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true,"externalId":"x1","title":"Tour Guide"}`,
					[]scim.Event{{Kind: scim.Activated, Write: scim.Replaced, ResourceType: "User", ID: "u1", Version: "3", Caller: "okta", RequestID: "req-PUT",
						Changes: scim.Changes{Attributes: []string{"active", "title"}, Activated: true}}}},
				{"PATCH", "/Users/u1", patchBody(`{"op":"remove","path":"userName"}`), nil}, // refused: required
				{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`,
					[]scim.Event{{Kind: scim.Created, Write: scim.Created, ResourceType: "Group", ID: "g1", Version: "1", Caller: "okta", RequestID: "req-POST",
						Changes: scim.Changes{Attributes: []string{"displayName"}}}}},
				{"PATCH", "/Groups/g1", patchBody(`{"op":"add","path":"members","value":[{"value":"u1"}]}`),
					[]scim.Event{{Kind: scim.Patched, Write: scim.Patched, ResourceType: "Group", ID: "g1", Version: "2", Caller: "okta", RequestID: "req-PATCH",
						Changes: scim.Changes{Attributes: []string{"members"}, MembersAdded: []string{"u1"}}}}},
				{"PATCH", "/Groups/g1", patchBody(`{"op":"add","path":"members","value":[{"value":"u1"}]}`), nil},
				{"POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
					{"method":"POST","path":"/Users","bulkId":"b1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice"}},
					{"method":"PATCH","path":"/Groups/g1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"u1\"]"}]}}]}`,
					[]scim.Event{
						{Kind: scim.Created, Write: scim.Created, ResourceType: "User", ID: "u2", Version: "1", Caller: "okta", RequestID: "req-POST", BulkID: "b1",
							Changes: scim.Changes{Attributes: []string{"userName"}}},
						{Kind: scim.Patched, Write: scim.Patched, ResourceType: "Group", ID: "g1", Version: "3", Caller: "okta", RequestID: "req-POST",
							Changes: scim.Changes{Attributes: []string{"members"}, MembersRemoved: []string{"u1"}}},
					}},
				{"DELETE", "/Users/u1", "",
					[]scim.Event{{Kind: scim.Deleted, Write: scim.Deleted, ResourceType: "User", ID: "u1", Caller: "okta", RequestID: "req-DELETE"}}},
				{"DELETE", "/Users/u1", "", nil},
				{"PATCH", "/Groups/g1", patchBody(`{"op":"add","path":"members","value":[{"value":"u2"}]}`),
					[]scim.Event{{Kind: scim.Patched, Write: scim.Patched, ResourceType: "Group", ID: "g1", Version: "4", Caller: "okta", RequestID: "req-PATCH",
						Changes: scim.Changes{Attributes: []string{"members"}, MembersAdded: []string{"u2"}}}}},
				// Deleting a member removes it from its groups: a change of
				// each, which the host hears of too.
				{"DELETE", "/Users/u2", "",
					[]scim.Event{
						{Kind: scim.Deleted, Write: scim.Deleted, ResourceType: "User", ID: "u2", Caller: "okta", RequestID: "req-DELETE"},
						{Kind: scim.Patched, Write: scim.Patched, ResourceType: "Group", ID: "g1", Version: "5", Caller: "okta", RequestID: "req-DELETE",
							Changes: scim.Changes{Attributes: []string{"members"}, MembersRemoved: []string{"u2"}}},
					}},
			}
			for _, st := range steps {
				send(st.method, st.target, st.body)
				got := log.take()
				if diff := cmp.Diff(st.want, got, cmpopts.IgnoreFields(scim.Event{}, "Time"), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s %s: events (-want +got):\n%s", st.method, st.target, diff)
				}
				for _, e := range got {
					if e.Time.IsZero() {
						t.Errorf("%s %s: an event without a time", st.method, st.target)
					}
				}
			}
		})
	}
}

// patcher is a handler with a native PATCH and no Memberships.
type patcher struct {
	scim.ResourceHandler
	p scim.Patcher
}

func (h patcher) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	return h.p.Patch(ctx, req)
}

// TestEventPanicDoesNotFailTheWrite checks that an OnEvent that panics is
// recovered: the write it reports succeeds.
func TestEventPanicDoesNotFailTheWrite(t *testing.T) {
	users := schema.UserResourceType()
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: testHandler(users, "u")}},
		OnEvent:   func(context.Context, scim.Event) { panic("audit log unavailable") },
	})
	if err != nil {
		t.Fatal(err)
	}
	if code := do(srv, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b"}`).Code; code != 201 {
		t.Errorf("POST with a panicking OnEvent: %d, want 201", code)
	}
}

// TestEmptyRequiredString checks that an empty string is no value for a
// required attribute, as for a filter's pr: a userName of "" is refused on
// every write path.
func TestEmptyRequiredString(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen"}`)
	for _, req := range []struct{ method, target, body string }{
		{"POST", "/Users", `{"schemas": [` + userURN + `], "userName": ""}`},
		{"PUT", "/Users/u1", `{"schemas": [` + userURN + `], "userName": ""}`},
		{"PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":""}]}`},
	} {
		rec := serveRequest(srv, req.method, req.target, "", req.body)
		if problem := scimErrorProblem(rec, 400, scim.InvalidValue); problem != "" {
			t.Errorf("%s %s: %s", req.method, req.target, problem)
		}
	}
}

// TestSecurityEventsAdvertised checks the securityEvents block of
// /ServiceProviderConfig (RFC 9967 §4): present, with asyncRequest "none",
// only when the host names the event URIs it issues.
func TestSecurityEventsAdvertised(t *testing.T) {
	uris := []string{"urn:ietf:params:scim:event:prov:create:notice", "urn:ietf:params:scim:event:prov:deactivate"}
	for _, tc := range []struct {
		uris []string
		want string
	}{
		{nil, ""},
		{uris, `{"asyncRequest":"none","eventUris":["urn:ietf:params:scim:event:prov:create:notice","urn:ietf:params:scim:event:prov:deactivate"]}`},
	} {
		srv, err := scim.NewServer(scim.Config{
			Endpoints:         []scim.Endpoint{{Type: schema.UserResourceType(), Handler: scimtest.NewMemoryHandler(schema.UserResourceType())}},
			SecurityEventURIs: tc.uris,
		})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/ServiceProviderConfig", nil))
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 {
			t.Fatalf("GET /ServiceProviderConfig: %d %v; %s", rec.Code, err, rec.Body)
		}
		if got := string(doc["securityEvents"]); got != tc.want {
			t.Errorf("SecurityEventURIs %q: securityEvents %s, want %s", tc.uris, got, tc.want)
		}
	}
}

// cancelOnDelete is a handler that cancels the request's context while it
// deletes, as a client that goes away once it has sent a DELETE does.
type cancelOnDelete struct {
	scim.ResourceHandler
	cancel context.CancelFunc
}

func (h cancelOnDelete) Delete(ctx context.Context, id, version string) error {
	err := h.ResourceHandler.Delete(ctx, id, version)
	h.cancel()
	return err
}

// panicOnGet is a group handler whose Get panics once armed.
type panicOnGet struct {
	*scimtest.MemoryHandler
	armed *bool
}

func (h panicOnGet) Get(ctx context.Context, id string) (*resource.Resource, error) {
	if *h.armed {
		*h.armed = false
		panic("Get failed")
	}
	return h.MemoryHandler.Get(ctx, id)
}

// TestDeleteCleanup checks the work that follows deleting a member: it
// removes the member from its groups and reports each group's change
// even when the client goes away during the delete, and a group handler
// that panics on the way leaves the group's write turn free.
func TestDeleteCleanup(t *testing.T) {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u1"}]}]}`
	send := func(srv http.Handler, ctx context.Context, method, target, body string) int {
		req := httptest.NewRequest(method, target, strings.NewReader(body)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	// seeded returns a server over uh and gh, with the user u1 in the
	// group g1.
	seeded := func(t *testing.T, uh, gh scim.ResourceHandler, onEvent func(context.Context, scim.Event)) http.Handler {
		t.Helper()
		srv, err := scim.NewServer(scim.Config{
			Endpoints: []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
			OnEvent:   onEvent,
		})
		if err != nil {
			t.Fatal(err)
		}
		bg := context.Background()
		send(srv, bg, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`)
		send(srv, bg, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`)
		send(srv, bg, "PATCH", "/Groups/g1", patch)
		return srv
	}
	for _, handlers := range []string{"native", "generic", "patcher"} {
		t.Run(handlers, func(t *testing.T) {
			// A lock taken with an ended context wins or loses at
			// random; ten rounds make a lost one near certain.
			for range 10 {
				mu, mg := testHandler(users, "u"), testHandler(groups, "g")
				var uh, gh scim.ResourceHandler = mu, mg
				switch handlers {
				case "generic":
					uh, gh = generic{mu}, generic{mg}
				case "patcher":
					uh, gh = patcher{generic{mu}, mu}, patcher{generic{mg}, mg}
				}
				ctx, cancel := context.WithCancel(context.Background())
				log := &eventLog{}
				srv := seeded(t, cancelOnDelete{uh, cancel}, gh, log.add)
				log.take()
				if code := send(srv, ctx, "DELETE", "/Users/u1", ""); code != 204 {
					t.Fatalf("DELETE: %d", code)
				}
				g, err := mg.Get(context.Background(), "g1")
				if err != nil {
					t.Fatal(err)
				}
				if g.Attributes["members"] != nil {
					t.Fatalf("the group after its member was deleted by a client that went away: %v", g.Attributes["members"])
				}
				if events := log.take(); len(events) != 2 || events[1].ID != "g1" {
					t.Fatalf("events of the delete: %+v; want the user's and the group's", events)
				}
			}
		})
	}

	armed := false
	srv := seeded(t, testHandler(users, "u"), panicOnGet{testHandler(groups, "g"), &armed}, func(context.Context, scim.Event) {})
	bg := context.Background()
	armed = true
	send(srv, bg, "DELETE", "/Users/u1", "")
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	if code := send(srv, ctx, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"H"}]}`); code != 200 {
		t.Errorf("PATCH of the group after its Get panicked during a delete: %d, want 200", code)
	}
}
