package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// do sends a request to h and returns the status and the decoded body.
func do(t testing.TB, h http.Handler, method, target, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var m map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("%s %s: %v: %s", method, target, err, rec.Body)
		}
	}
	return rec.Code, m
}

// valuesOf returns the values of a group's members, in order.
func valuesOf(m map[string]any) []string {
	var out []string
	list, _ := m["members"].([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any)["value"].(string))
	}
	return out
}

// Fifty clients add a member each to one group at once, through the
// server and the native PATCH path; every member must be there. SQLite
// queues the writers on its one write connection; PostgreSQL on the
// group's row, which each PATCH locks.
func TestConcurrentMemberAdds(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv := testServer(t, b.open(t), scim.Config{})
			status, g := do(t, srv, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"crowd"}`)
			if status != 201 {
				t.Fatalf("POST /Groups: %d %v", status, g)
			}
			const n = 50
			var wg sync.WaitGroup
			want := make([]string, n)
			for i := range n {
				want[i] = fmt.Sprintf("member-%02d", i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + want[i] + `"}]}]}`
					if status, m := do(t, srv, "PATCH", "/Groups/g1", body); status != 200 {
						t.Errorf("PATCH %s: %d %v", want[i], status, m)
					}
				}()
			}
			wg.Wait()
			_, g = do(t, srv, "GET", "/Groups/g1", "")
			if diff := cmp.Diff(want, valuesOf(g)); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			if v := g["meta"].(map[string]any)["version"]; v != `W/"51"` {
				t.Errorf("version %v, want W/\"51\": one version per write", v)
			}
		})
	}
}

// A request that fails changes nothing, however far it got.
func TestFailedWriteChangesNothing(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv := testServer(t, b.open(t), scim.Config{})
			do(t, srv, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice","emails":[{"value":"a@example.com"}]}`)
			_, before := do(t, srv, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob","emails":[{"value":"b@example.com"}]}`)
			status, _ := do(t, srv, "PUT", "/Users/u2", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ALICE","emails":[{"value":"new@example.com"}]}`)
			if status != 409 {
				t.Errorf("PUT with another user's userName: %d, want 409", status)
			}
			if _, after := do(t, srv, "GET", "/Users/u2", ""); !cmp.Equal(before, after) {
				t.Errorf("a refused PUT changed the user:\n%s", cmp.Diff(before, after))
			}

			do(t, srv, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g","members":[{"value":"u1"}]}`)
			_, before = do(t, srv, "GET", "/Groups/g1", "")
			// The first operation is applied natively, the second finds no
			// member: noTarget, and the first is undone.
			status, _ = do(t, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"add","path":"members","value":[{"value":"u2"}]},
				{"op":"remove","path":"members[value eq \"nobody\"]"}]}`)
			if status != 400 {
				t.Errorf("PATCH removing a missing member: %d, want 400", status)
			}
			// A rename with an immutable member changed fails in patch.Apply.
			status, _ = do(t, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"add","path":"members","value":[{"value":"u2"}]},
				{"op":"replace","path":"displayName","value":"renamed"},
				{"op":"replace","path":"members[value eq \"u1\"].type","value":"Group"},
				{"op":"replace","path":"members[value eq \"u1\"].type","value":"User"}]}`)
			if status != 400 {
				t.Errorf("PATCH changing an immutable type: %d, want 400", status)
			}
			if _, after := do(t, srv, "GET", "/Groups/g1", ""); !cmp.Equal(before, after) {
				t.Errorf("a refused PATCH changed the group:\n%s", cmp.Diff(before, after))
			}
		})
	}
}

// Replace, Delete and Patch with a version are compare-and-swaps.
func TestVersions(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			users, groups := testStores(b.open(t))
			u, err := users.Create(ctx, &resource.Resource{Attributes: map[string]any{"userName": "v"}})
			if err != nil {
				t.Fatal(err)
			}
			next := u.Clone()
			next.Attributes["nickName"] = "first"
			if _, err := users.Replace(ctx, next, u.Meta.Version); err != nil {
				t.Fatalf("Replace at the stored version: %v", err)
			}
			next.Attributes["nickName"] = "second"
			if _, err := users.Replace(ctx, next, u.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
				t.Errorf("Replace at a stale version: %v, want ErrVersionMismatch", err)
			}
			if err := users.Delete(ctx, u.ID, u.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
				t.Errorf("Delete at a stale version: %v, want ErrVersionMismatch", err)
			}
			got, err := users.Get(ctx, u.ID)
			if err != nil || got.Attributes["nickName"] != "first" {
				t.Errorf("after the stale writes: %v, %v; want nickName first", got, err)
			}
			if err := users.Delete(ctx, u.ID, got.Meta.Version); err != nil {
				t.Errorf("Delete at the stored version: %v", err)
			}
			if err := users.Delete(ctx, u.ID, ""); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("Delete of a deleted user: %v, want ErrNotFound", err)
			}
			if _, err := users.Replace(ctx, next, ""); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("Replace of a deleted user: %v, want ErrNotFound", err)
			}

			g, err := groups.Create(ctx, &resource.Resource{Attributes: map[string]any{"displayName": "g"}})
			if err != nil {
				t.Fatal(err)
			}
			ops, err := patch.Parse(groups.rt, []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"x"}]}]}`), patch.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := groups.Patch(ctx, &scim.PatchRequest{ID: g.ID, Operations: ops, Version: g.Meta.Version}); err != nil {
				t.Fatalf("Patch at the stored version: %v", err)
			}
			if _, err := groups.Patch(ctx, &scim.PatchRequest{ID: g.ID, Operations: ops, Version: g.Meta.Version}); !errors.Is(err, scim.ErrVersionMismatch) {
				t.Errorf("Patch at a stale version: %v, want ErrVersionMismatch", err)
			}
			if _, err := groups.Patch(ctx, &scim.PatchRequest{ID: "nope", Operations: ops}); !errors.Is(err, scim.ErrNotFound) {
				t.Errorf("Patch of a missing group: %v, want ErrNotFound", err)
			}
		})
	}
}

// Lists give what the memory handler gives for the same users, whether
// the filter and sort run in the database or, for attributes without a
// column, in memory.
func TestListMatchesMemory(t *testing.T) {
	ctx := context.Background()
	rt := schema.UserResourceType()
	users := []string{
		`{"userName":"bjensen","name":{"givenName":"Barbara","familyName":"Jensen","middleName":"Jane"},"title":"Tour Guide","active":true,
		  "emails":[{"value":"bjensen@example.com","type":"work","primary":true},{"value":"babs@jensen.org","type":"home"}],
		  "addresses":[{"locality":"Hollywood","type":"work"}],"phoneNumbers":[{"value":"555-1234","type":"work"}]}`,
		`{"userName":"jsmith","externalId":"JS-1","name":{"givenName":"John","familyName":"Smith"},"userType":"Employee","active":false,
		  "emails":[{"value":"jsmith@example.org","type":"work"}],"nickName":"Johnny",
		  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"701984","department":"Tour Operations","manager":{"value":"u1"}}}`,
		`{"userName":"Alice_100%","name":{"givenName":"alice"},"addresses":[{"locality":"Paris","type":"home"}],"userType":"Employee","active":true}`,
		`{"userName":"zed","emails":[{"value":"Z@EXAMPLE.COM"}],"title":""}`,
		`{"userName":"émile","displayName":"Émile","active":true}`,
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			mem := scimtest.NewMemoryHandler(rt)
			deterministicMem(mem)
			store := NewUsers(b.open(t), rt)
			deterministic(store, "u")
			for _, body := range users {
				r, err := resource.Decode(rt, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`+body[1:]), resource.DecodeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := store.Create(ctx, r); err != nil {
					t.Fatal(err)
				}
				if _, err := mem.Create(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct{ filter, sortBy, order string }{
				{"", "", ""},
				{`userName eq "BJENSEN"`, "", ""},
				{`userName sw "j" or userName co "%"`, "", ""},
				{`externalId eq "js-1"`, "", ""},
				{`externalId eq "JS-1"`, "", ""},
				{`emails.value ew ".ORG"`, "", ""},
				{`emails[type eq "work" and value co "example"]`, "", ""},
				{`emails[type eq "work"] and not (active eq false)`, "", ""},
				{`title pr`, "", ""},
				{`not (title pr)`, "", ""},
				{`title ne "Tour Guide"`, "", ""},
				{`active eq true`, "userName", "descending"},
				{`meta.created gt "2026-01-02T03:04:07Z"`, "", ""},
				{`meta.lastModified le "2026-01-02T03:04:07Z"`, "", ""},
				{`meta.version eq "W/\"2\""`, "", ""},
				{`meta.resourceType eq "User"`, "", ""},
				{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "u1"`, "", ""},
				{`name.familyName pr and name[givenName sw "b"]`, "", ""},
				{`nickName eq "johnny"`, "", ""},
				{"", "name.givenName", ""},
				{"", "emails", "descending"},
				{"", "userType", ""},
				// No column: answered in memory.
				{`addresses[locality eq "paris"] or phoneNumbers.value co "555"`, "", ""},
				{`name.middleName pr`, "", ""},
				{`userType eq "Employee"`, "name.middleName", "descending"},
				{"", "phoneNumbers", ""},
			} {
				for _, page := range [][2]int{{1, 100}, {2, 2}, {1, 0}} {
					q := &scim.Query{StartIndex: page[0], Count: page[1]}
					var err error
					if c.filter != "" {
						if q.Filter, err = filter.Compile(rt, c.filter); err != nil {
							t.Fatal(err)
						}
					}
					if c.sortBy != "" {
						if q.Sort, err = filter.ResolveSort(rt, c.sortBy, c.order); err != nil {
							t.Fatal(err)
						}
					}
					want, err := mem.List(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					got, err := store.List(ctx, q)
					if err != nil {
						t.Fatalf("filter %q sortBy %q: %v", c.filter, c.sortBy, err)
					}
					if diff := cmp.Diff(pageIDs(want), pageIDs(got)); diff != "" {
						t.Errorf("filter %q sortBy %q %s, page %v: (-memory +sql):\n%s", c.filter, c.sortBy, c.order, page, diff)
					}
				}
			}
			// What is stored comes back.
			for _, id := range []string{"u1", "u2", "u3"} {
				want, _ := mem.Get(ctx, id)
				got, err := store.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Get %s (-memory +sql):\n%s", id, diff)
				}
			}
		})
	}
}

func deterministicMem(h *scimtest.MemoryHandler) {
	n := 0
	h.NewID = func() string { n++; return fmt.Sprintf("u%d", n) }
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
}

func pageIDs(p *scim.Page) string {
	ids := make([]string, len(p.Resources))
	for i, r := range p.Resources {
		ids[i] = r.ID
	}
	return fmt.Sprintf("%d %v", p.TotalResults, ids)
}

// A resource type loaded with -schemas is served from the resources
// table, with its unique attribute kept unique.
func TestExtraResourceTypes(t *testing.T) {
	dir := t.TempDir()
	err := os.WriteFile(filepath.Join(dir, "device.json"), []byte(`[
		{"id": "urn:example:scim:Device", "name": "Device", "attributes": [
			{"name": "serial", "type": "string", "uniqueness": "server", "required": true},
			{"name": "seen", "type": "dateTime"},
			{"name": "ports", "type": "integer", "multiValued": true}]},
		{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Device", "name": "Device",
		 "endpoint": "/Devices", "schema": "urn:example:scim:Device"}]`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv, err := newServer(b.open(t), dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			const post = `{"schemas":["urn:example:scim:Device"],"serial":"%s","seen":"2026-03-04T05:06:07.5+01:00","ports":[80,443]}`
			status, d := do(t, srv, "POST", "/Devices", fmt.Sprintf(post, "A-1"))
			if status != 201 {
				t.Fatalf("POST /Devices: %d %v", status, d)
			}
			if status, m := do(t, srv, "POST", "/Devices", fmt.Sprintf(post, "a-1")); status != 409 {
				t.Errorf("POST of a taken serial: %d %v, want 409", status, m)
			}
			do(t, srv, "POST", "/Devices", fmt.Sprintf(post, "B-2"))
			id := d["id"].(string)
			status, got := do(t, srv, "GET", "/Devices/"+id, "")
			if status != 200 || got["seen"] != "2026-03-04T05:06:07.5+01:00" || fmt.Sprint(got["ports"]) != "[80 443]" {
				t.Errorf("GET: %d %v", status, got)
			}
			status, list := do(t, srv, "GET", "/Devices?filter=serial+sw+%22b%22+and+ports+eq+443&sortBy=serial", "")
			if status != 200 || list["totalResults"] != 1.0 {
				t.Errorf("filtered list: %d %v", status, list)
			}
			if status, _ := do(t, srv, "PUT", "/Devices/"+id, `{"schemas":["urn:example:scim:Device"],"serial":"B-2"}`); status != 409 {
				t.Errorf("PUT taking another's serial: %d, want 409", status)
			}
			if status, _ := do(t, srv, "PUT", "/Devices/"+id, `{"schemas":["urn:example:scim:Device"],"serial":"C-3"}`); status != 200 {
				t.Errorf("PUT: %d, want 200", status)
			}
			if status, _ := do(t, srv, "POST", "/Devices", fmt.Sprintf(post, "A-1")); status != 201 {
				t.Errorf("POST of a serial given up: %d, want 201", status)
			}
			if status, _ := do(t, srv, "DELETE", "/Devices/"+id, ""); status != 204 {
				t.Errorf("DELETE: %d", status)
			}
			if status, _ := do(t, srv, "POST", "/Devices", fmt.Sprintf(post, "C-3")); status != 201 {
				t.Errorf("POST of a deleted device's serial: %d, want 201", status)
			}
			// Users are not Devices.
			if status, list := do(t, srv, "GET", "/Users", ""); status != 200 || list["totalResults"] != 0.0 {
				t.Errorf("GET /Users: %d %v", status, list)
			}
		})
	}
}

// Group membership PATCHes touch only the rows of the members they name.
func TestNativeMembership(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			srv := testServer(t, b.open(t), scim.Config{})
			do(t, srv, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g",
				"members":[{"value":"a","display":"A"},{"value":"B"},{"value":"c","type":"User"},{"value":"d"}]}`)
			for _, c := range []struct {
				ops  string
				want []string
			}{
				{`{"op":"add","path":"members","value":[{"value":"b"},{"value":"e"}]}`, []string{"a", "B", "c", "d", "e"}},
				{`{"op":"remove","path":"members[value eq \"A\"]"}`, []string{"B", "c", "d", "e"}},
				{`{"op":"Remove","path":"members","value":[{"value":"b"},{"value":"zz"},{"value":"c","type":"Group"}]}`, []string{"c", "d", "e"}},
				{`{"op":"remove","path":"members","value":[{"value":"c","type":"user"}]}`, []string{"d", "e"}},
				{`{"op":"add","path":"members","value":[{"value":"f"}]},{"op":"remove","path":"members[value eq \"d\"]"}`, []string{"e", "f"}},
				// Nothing changes: the version stays.
				{`{"op":"add","path":"members","value":[{"value":"E","display":"ignored"}]}`, []string{"e", "f"}},
				{`{"op":"remove","path":"members","value":[{"value":"x"}]}`, []string{"e", "f"}},
				{`{"op":"remove","path":"members"}`, nil},
			} {
				_, before := do(t, srv, "GET", "/Groups/g1", "")
				status, m := do(t, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+c.ops+`]}`)
				if status != 200 {
					t.Fatalf("%s: %d %v", c.ops, status, m)
				}
				if diff := cmp.Diff(c.want, valuesOf(m)); diff != "" {
					t.Errorf("%s: members (-want +got):\n%s", c.ops, diff)
				}
				v0, v1 := before["meta"].(map[string]any)["version"], m["meta"].(map[string]any)["version"]
				if changed := !cmp.Equal(valuesOf(before), valuesOf(m)); changed != (v0 != v1) {
					t.Errorf("%s: version %v -> %v, members changed: %v", c.ops, v0, v1, changed)
				}
			}
		})
	}
}
