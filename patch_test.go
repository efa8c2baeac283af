package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// generic hides the memory handler's Patch method, so that the server
// applies PATCH itself with a read, patch.Apply and a conditional Replace.
type generic struct{ scim.ResourceHandler }

// TestConcurrentMemberAdds has 50 goroutines each add a different member
// to one group at once, through the server's own read-apply-write path and
// through the handler's native Patch. Every member must be there
// afterwards.
func TestConcurrentMemberAdds(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(*scimtest.MemoryHandler) scim.ResourceHandler
	}{
		{"generic", func(h *scimtest.MemoryHandler) scim.ResourceHandler { return generic{h} }},
		{"native", func(h *scimtest.MemoryHandler) scim.ResourceHandler { return h }},
		{"two servers", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			groups := schema.GroupResourceType()
			store := testHandler(groups, "g")
			servers := 1
			if tc.wrap == nil {
				servers = 2
			}
			var srvs []http.Handler
			for range servers {
				var h scim.ResourceHandler = generic{store}
				if tc.wrap != nil {
					h = tc.wrap(store)
				}
				srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: groups, Handler: h}}, PatchNoContent: true})
				if err != nil {
					t.Fatal(err)
				}
				srvs = append(srvs, srv)
			}
			rec := serveRequest(srvs[0], "POST", "/Groups", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`)
			if rec.Code != 201 {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			var wg sync.WaitGroup
			codes := make([]int, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"user-%02d"}]}]}`, i)
					// Two servers race for real; one that runs out of retries
					// says 503, and the client tries again.
					for range 5 {
						if codes[i] = serveRequest(srvs[i%len(srvs)], "PATCH", "/Groups/g1", "", body).Code; codes[i] != http.StatusServiceUnavailable {
							break
						}
					}
				}()
			}
			wg.Wait()
			for i, c := range codes {
				if c != http.StatusNoContent {
					t.Errorf("writer %d: status %d, want 204", i, c)
				}
			}
			g, err := store.Get(context.Background(), "g1")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range g.Attributes["members"].([]any) {
				got = append(got, m.(map[string]any)["value"].(string))
			}
			slices.Sort(got)
			var want []string
			for i := range writers {
				want = append(want, fmt.Sprintf("user-%02d", i))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if g.Meta.Version != fmt.Sprint(1+writers) {
				t.Errorf("version %s, want %d: one per write", g.Meta.Version, 1+writers)
			}
		})
	}
}

// TestPatchAtomic checks that a PATCH whose last operation fails stores
// nothing, on both paths.
func TestPatchAtomic(t *testing.T) {
	for _, native := range []bool{false, true} {
		t.Run(fmt.Sprint("native=", native), func(t *testing.T) {
			users := schema.UserResourceType()
			store := testHandler(users, "u")
			var h scim.ResourceHandler = generic{store}
			if native {
				h = store
			}
			srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}}})
			if err != nil {
				t.Fatal(err)
			}
			serveRequest(srv, "POST", "/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","emails":[{"value":"b@example.com","type":"work"}]}`)
			before, _ := store.Get(context.Background(), "u1")
			rec := serveRequest(srv, "PATCH", "/Users/u1", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"userName","value":"changed"},
				{"op":"add","path":"emails","value":[{"value":"new@example.com"}]},
				{"op":"replace","path":"emails[type sw \"ho\"].value","value":"x@example.com"}]}`)
			if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"noTarget"`) {
				t.Errorf("PATCH = %d %s, want 400 noTarget", rec.Code, rec.Body)
			}
			after, _ := store.Get(context.Background(), "u1")
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("stored resource changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestNativePatchMatchesGeneric checks that the memory handler's in-place
// member changes give the same members as patch.Apply.
func TestNativePatchMatchesGeneric(t *testing.T) {
	groups := schema.GroupResourceType()
	bodies := []string{
		`{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"},{"value":"c"}]}`,
		`{"op":"add","path":"members","value":[{"value":"B","display":"dup by case"},{"value":"d"}]}`,
		`{"op":"remove","path":"members[value eq \"a\"]"}`,
		`{"op":"remove","path":"members","value":[{"value":"c"},{"value":"zzz"}]}`,
		`{"op":"add","path":"members","value":[{"value":"e","type":"User"}]}`,
		`{"op":"remove","path":"members[value eq \"nothing\"]"}`,
	}
	var results [2][]string
	for n, native := range []bool{false, true} {
		store := testHandler(groups, "g")
		var h scim.ResourceHandler = generic{store}
		if native {
			h = store
		}
		srv, _ := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: groups, Handler: h}}})
		serveRequest(srv, "POST", "/Groups", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`)
		for _, op := range bodies {
			rec := serveRequest(srv, "PATCH", "/Groups/g1?attributes=members", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+op+`]}`)
			var doc struct {
				Members []map[string]any
			}
			json.Unmarshal(rec.Body.Bytes(), &doc)
			var vals []string
			for _, m := range doc.Members {
				vals = append(vals, fmt.Sprint(m["value"], "/", m["type"]))
			}
			slices.Sort(vals)
			results[n] = append(results[n], fmt.Sprintf("%d %v", rec.Code, vals))
		}
	}
	if diff := cmp.Diff(results[0], results[1]); diff != "" {
		t.Errorf("generic vs native (-generic +native):\n%s", diff)
	}
}

// BenchmarkMemberAdd adds one member to groups of 10 and 100,000 members
// through the memory handler's native Patch: the two must cost about the
// same.
func BenchmarkMemberAdd(b *testing.B) {
	groups := schema.GroupResourceType()
	for _, size := range []int{10, 100_000} {
		b.Run(fmt.Sprint("members=", size), func(b *testing.B) {
			h := scimtest.NewMemoryHandler(groups)
			members := make([]any, size)
			for i := range members {
				members[i] = map[string]any{"value": fmt.Sprintf("member-%d", i)}
			}
			g, err := h.Create(context.Background(), &resource.Resource{Attributes: map[string]any{"displayName": "G", "members": members}})
			if err != nil {
				b.Fatal(err)
			}
			ops, err := patch.Parse(groups, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"new"}]}]}`), patch.Options{})
			if err != nil {
				b.Fatal(err)
			}
			remove, _ := patch.Parse(groups, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"new\"]"}]}`), patch.Options{})
			// Build the index outside the timer, as a long-running server has.
			h.Patch(context.Background(), &scim.PatchRequest{ID: g.ID, Operations: ops})
			h.Patch(context.Background(), &scim.PatchRequest{ID: g.ID, Operations: remove})
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := h.Patch(context.Background(), &scim.PatchRequest{ID: g.ID, Operations: ops}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				h.Patch(context.Background(), &scim.PatchRequest{ID: g.ID, Operations: remove})
				b.StartTimer()
			}
		})
	}
}

const twoOpPatch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
{"op":"replace","path":"name.familyName","value":"Jensen-Smith"},
{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]}]}`

// BenchmarkPatch compares a two-operation PATCH through ServeHTTP on the
// memory handler with a bare handler that makes the same change by hand
// on a map and marshals it with encoding/json.
func BenchmarkPatch(b *testing.B) {
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen"},"displayName":"Babs Jensen","active":true,"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"phoneNumbers":[{"value":"555-555-5555","type":"work"}],"title":"Tour Guide"}`
	b.Run("scim", func(b *testing.B) {
		srv := newTestServer(b, scim.Config{})
		serveRequest(srv, "POST", "/Users", "", user)
		reset := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`
		b.ReportAllocs()
		for b.Loop() {
			if rec := serveRequest(srv, "PATCH", "/Users/u1", "", twoOpPatch); rec.Code != 200 {
				b.Fatal(rec.Code, rec.Body)
			}
			b.StopTimer()
			serveRequest(srv, "PATCH", "/Users/u1", "", reset)
			b.StartTimer()
		}
	})
	b.Run("baseline", func(b *testing.B) {
		var mu sync.Mutex
		var stored map[string]any
		json.Unmarshal([]byte(user), &stored)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				Operations []struct {
					Op    string          `json:"op"`
					Path  string          `json:"path"`
					Value json.RawMessage `json:"value"`
				}
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, op := range req.Operations {
				switch op.Path {
				case "name.familyName":
					var v string
					json.Unmarshal(op.Value, &v)
					stored["name"].(map[string]any)["familyName"] = v
				case "emails":
					var v []any
					json.Unmarshal(op.Value, &v)
					stored["emails"] = append(stored["emails"].([]any), v...)
				}
			}
			body, _ := json.Marshal(stored)
			w.Header().Set("Content-Type", "application/scim+json")
			w.Write(body)
		})
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("PATCH", "/Users/u1", strings.NewReader(twoOpPatch))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			b.StopTimer()
			mu.Lock()
			stored["emails"] = stored["emails"].([]any)[:1]
			mu.Unlock()
			b.StartTimer()
		}
	})
}

// emailValues returns n emails as a JSON array, numbered from "from".
func emailValues(from, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"value":"user%d@example.com","type":"work"}`, from+i)
	}
	return b.String() + "]"
}

// BenchmarkPatchValues measures one PATCH that adds n emails to a user,
// and one that removes n emails from a user holding n, through ServeHTTP
// on the memory handler: the cost must grow linearly with n.
func BenchmarkPatchValues(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		add := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":` + emailValues(0, n) + `}]}`
		remove := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails","value":` + emailValues(0, n) + `}]}`
		b.Run(fmt.Sprintf("add/values=%d", n), func(b *testing.B) {
			srv := newTestServer(b, scim.Config{})
			serveRequest(srv, "POST", "/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`)
			b.ReportAllocs()
			for b.Loop() {
				if rec := serveRequest(srv, "PATCH", "/Users/u1", "", add); rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
				b.StopTimer()
				serveRequest(srv, "PATCH", "/Users/u1", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails"}]}`)
				b.StartTimer()
			}
		})
		b.Run(fmt.Sprintf("remove/values=%d", n), func(b *testing.B) {
			srv := newTestServer(b, scim.Config{})
			serveRequest(srv, "POST", "/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				serveRequest(srv, "PATCH", "/Users/u1", "", add)
				b.StartTimer()
				if rec := serveRequest(srv, "PATCH", "/Users/u1", "", remove); rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

// recordingPatcher records the PatchRequests the server hands it.
type recordingPatcher struct {
	*scimtest.MemoryHandler
	mu   sync.Mutex
	reqs []scim.PatchRequest
}

func (h *recordingPatcher) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	h.mu.Lock()
	h.reqs = append(h.reqs, *req)
	h.mu.Unlock()
	return h.MemoryHandler.Patch(ctx, req)
}

// TestPatchRequestResource checks that PatchRequest.Resource says whether
// the response carries the resource: not for a 204, which a projection
// turns back into a 200 with the resource.
func TestPatchRequestResource(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noContent bool
		query     string
		status    int
		want      bool
	}{
		{"200", false, "", http.StatusOK, true},
		{"204", true, "", http.StatusNoContent, false},
		{"204 with attributes", true, "?attributes=userName", http.StatusOK, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			users := schema.UserResourceType()
			h := &recordingPatcher{MemoryHandler: testHandler(users, "u")}
			srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: h}}, PatchNoContent: tc.noContent})
			if err != nil {
				t.Fatal(err)
			}
			if rec := serveRequest(srv, "POST", "/Users", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice"}`); rec.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
			rec := serveRequest(srv, "PATCH", "/Users/u1"+tc.query, "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
			if rec.Code != tc.status {
				t.Fatalf("PATCH: status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if len(h.reqs) != 1 {
				t.Fatalf("Patch called %d times, want 1", len(h.reqs))
			}
			if got := h.reqs[0].Resource; got != tc.want {
				t.Errorf("PatchRequest.Resource = %v, want %v", got, tc.want)
			}
		})
	}
}
