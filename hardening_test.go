package scim_test

import (
	"context"
	"encoding/json"
	"github.com/google/go-cmp/cmp"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// stallingStore is a ResourceHandler whose Replace of one id waits until
// release is closed, as a write stuck behind a slow disk or a lock would.
type stallingStore struct {
	scim.ResourceHandler
	id      string
	entered chan struct{}
	release chan struct{}
}

func (s *stallingStore) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	if r.ID == s.id {
		close(s.entered)
		<-s.release
	}
	return s.ResourceHandler.Replace(ctx, r, version)
}

// TestSlowWriteBlocksNoOtherResource checks that a write that takes long
// holds up only the writers of its own resource: writers of every other
// resource, whatever their ids hash to, go through at once.
func TestSlowWriteBlocksNoOtherResource(t *testing.T) {
	users := schema.UserResourceType()
	store := &stallingStore{ResourceHandler: testHandler(users, "u"), id: "u1",
		entered: make(chan struct{}), release: make(chan struct{})}
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: users, Handler: store}}})
	if err != nil {
		t.Fatal(err)
	}
	const others = 200 // more than any fixed number of lock stripes
	for i := 0; i <= others; i++ {
		createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "user`+strconv.Itoa(i)+`"}`)
	}
	stalled := make(chan int)
	go func() {
		rec := serveRequest(srv, http.MethodPatch, "/Users/u1", "",
			`{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "slow"}]}`)
		stalled <- rec.Code
	}()
	<-store.entered
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 2; i <= others+1; i++ {
			rec := serveRequest(srv, http.MethodPatch, "/Users/u"+strconv.Itoa(i), "",
				`{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "quick"}]}`)
			if rec.Code != http.StatusOK {
				t.Errorf("PATCH /Users/u%d: status %d, want 200; body %s", i, rec.Code, rec.Body)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("writers of other resources waited for the stalled write")
	}
	close(store.release)
	if code := <-stalled; code != http.StatusOK {
		t.Errorf("stalled PATCH: status %d, want 200", code)
	}
}

// TestBulkIDOnlyWhereReferencesStand checks that "bulkId:" is read only
// where RFC 7644 §3.7.2 puts references, a group's member values and the
// manager's among them: a password or a userName that happens to start
// with it is stored as sent, never resolved, refused or quoted back.
func TestBulkIDOnlyWhereReferencesStand(t *testing.T) {
	const secret = "bulkId:MyS3cretPassw0rd"
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	uh, gh := testHandler(users, "u"), testHandler(groups, "g")
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: uh}, {Type: groups, Handler: gh}},
		BaseURL:   "https://example.com/scim/v2",
	})
	if err != nil {
		t.Fatal(err)
	}
	code, ops, body := postBulk(t, srv, "/Bulk", `
		{"method":"POST","bulkId":"boss","path":"/Users","data":{"schemas":["`+userSchemaURN+`"],"userName":"bulkId:boss","password":"`+secret+`"}},
		{"method":"POST","bulkId":"emp","path":"/Users","data":{"schemas":["`+userSchemaURN+`","`+enterpriseURN+`"],"userName":"emp",
			"`+enterpriseURN+`":{"manager":{"value":"bulkId:boss"}}}},
		{"method":"PATCH","path":"/Users/bulkId:emp","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"`+secret+`"}]}},
		{"method":"POST","bulkId":"g","path":"/Groups","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"bulkId:emp","members":[{"value":"bulkId:emp"}]}}`)
	if code != http.StatusOK {
		t.Fatalf("POST /Bulk = %d %s", code, body)
	}
	for i, want := range []string{"201", "201", "200", "201"} {
		if i >= len(ops) || ops[i].Status != want {
			t.Fatalf("operation %d: want status %s; response %s", i, want, body)
		}
	}
	if strings.Contains(body, "MyS3cret") {
		t.Errorf("the password came back: %s", body)
	}
	ctx := context.Background()
	for id, want := range map[string]string{"u1": "bulkId:boss", "u2": "emp"} {
		u, err := uh.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := uh.VerifySecret(ctx, id, "password", secret)
		if u.Attributes["userName"] != want || !kept || err != nil {
			t.Errorf("%s stored with userName %v, password kept %v (%v); want %q and the password as sent", id, u.Attributes["userName"], kept, err, want)
		}
	}
	emp, _ := uh.Get(ctx, "u2")
	if m, _ := emp.Attributes[enterpriseURN].(map[string]any)["manager"].(map[string]any); m["value"] != "u1" {
		t.Errorf("manager = %v, want the id of bulkId boss, u1", m)
	}
	g, _ := gh.Get(ctx, "g1")
	if g.Attributes["displayName"] != "bulkId:emp" {
		t.Errorf("group displayName = %v, want it as sent", g.Attributes["displayName"])
	}
	if diff := cmp.Diff([]any{map[string]any{"value": "u2"}}, g.Attributes["members"]); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}

// TestBulkDotSegments checks that an operation path with "." or ".."
// segments, which the mux would redirect elsewhere, fails as an invalid
// path instead of counting as a success.
func TestBulkDotSegments(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	for _, path := range []string{"/Users/..", "/Users/.", "/Users/%2e%2e", "/Users/%2E", "/Users/../Groups"} {
		code, ops, body := postBulk(t, srv, "/Bulk",
			`{"method":"DELETE","path":"`+path+`"},{"method":"PUT","path":"`+path+`","data":{"schemas":["`+userSchemaURN+`"],"userName":"x"}}`)
		if code != http.StatusOK || len(ops) != 2 {
			t.Fatalf("path %s: POST /Bulk = %d %s", path, code, body)
		}
		for _, op := range ops {
			if op.Status != "400" || !strings.Contains(string(op.Response), `"invalidPath"`) {
				t.Errorf("%s %s: status %s %s, want 400 invalidPath", op.Method, path, op.Status, op.Response)
			}
		}
	}
}

// TestDetailsQuoteShortPrefix checks that an error detail quotes at most a
// short prefix of what the client sent, however long that was.
func TestDetailsQuoteShortPrefix(t *testing.T) {
	srv := newTestServer(t, scim.Config{MaxBodyBytes: 4 << 20})
	createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen"}`)
	long := strings.Repeat("x", 1<<20)
	patch := func(path string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"` + path + `","value":"v"}]}`
	}
	tests := []struct {
		name, method, target, body string
		status                     int
	}{
		{"a long id", "GET", "/Users/" + long, "", 404},
		{"a long id to delete", "DELETE", "/Users/" + long, "", 404},
		{"a long PATCH path", "PATCH", "/Users/u1", patch(strings.Repeat("a", 5000)), 400},
		{"a long filtered PATCH path", "PATCH", "/Users/u1", patch(`emails[value co \"` + strings.Repeat("a", 3000) + `\"].value`), 400},
		{"a long unknown attribute, strictly", "POST", "/Users?strict", `{"schemas":[` + userURN + `],"userName":"y","` + strings.Repeat("k", 5000) + `":1}`, 400},
		{"a long resource type", "GET", "/ResourceTypes/" + long, "", 404},
		{"a long schema", "GET", "/Schemas/" + long, "", 404},
		{"a long startIndex", "GET", "/Users?startIndex=" + strings.Repeat("9x", 3000), "", 400},
		{"a long path", "GET", "/" + long, "", 404},
		{"a long filter attribute", "GET", "/Users?filter=" + strings.Repeat("a", 4000) + "+eq+1", "", 400},
		{"a long filter sub-attribute", "GET", "/Users?filter=name." + strings.Repeat("a", 4000) + "+pr", "", 400},
		{"a long sort attribute", "GET", "/Users?sortBy=" + strings.Repeat("a", 4000), "", 400},
		{"a long bulk path", "POST", "/Bulk", `{"schemas":["` + bulkSchemaURN + `"],"Operations":[{"method":"DELETE","path":"/Nope/` + long[:500_000] + `"}]}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := srv
			if strings.HasSuffix(tt.target, "?strict") {
				h = newTestServer(t, scim.Config{Strict: true})
				tt.target = strings.TrimSuffix(tt.target, "?strict")
			}
			rec := serveRequest(h, tt.method, tt.target, "", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.300s", rec.Code, tt.status, rec.Body)
			}
			if n := rec.Body.Len(); n > 1024 {
				t.Errorf("response of %d bytes: %.300s...", n, rec.Body)
			}
		})
	}
}

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// TestStringsThatAreNotText checks that a string no SCIM value can hold is
// refused with 400 invalidValue naming the attribute, on every writing
// path, rather than stored altered (a lone surrogate decodes to U+FFFD, so
// different inputs would collapse into one value) or as sent (U+0000, which
// PostgreSQL cannot store and which hides in comparisons).
func TestStringsThatAreNotText(t *testing.T) {
	patch := func(path, value string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"` + path + `","value":` + value + `}]}`
	}
	tests := []struct {
		name, method, target, body, detail string
	}{
		{"lone high surrogate in userName", "POST", "/Users", `{"schemas":[` + userURN + `],"userName":"a\ud800"}`,
			`attribute "userName": a string holds a lone UTF-16 surrogate (\ud800), which is not a character`},
		{"lone low surrogate in an email", "PUT", "/Users/u1", `{"schemas":[` + userURN + `],"userName":"bjensen","emails":[{"value":"\udc00@example.com"}]}`,
			`attribute "emails.value": a string holds a lone UTF-16 surrogate (\udc00), which is not a character`},
		{"lone surrogate in a PATCH value", "PATCH", "/Users/u1", patch("displayName", `"\uD800"`),
			`attribute "Operations.value": a string holds a lone UTF-16 surrogate (\uD800), which is not a character`},
		{"NUL in userName", "POST", "/Users", `{"schemas":[` + userURN + `],"userName":"a\u0000b"}`,
			`attribute "userName": a string may not contain U+0000 (NUL)`},
		{"NUL in externalId", "POST", "/Users", `{"schemas":[` + userURN + `],"userName":"x","externalId":"\u0000"}`,
			`attribute "externalId": a string may not contain U+0000 (NUL)`},
		{"NUL in a password", "POST", "/Users", `{"schemas":[` + userURN + `],"userName":"x","password":"s3cret\u0000"}`,
			`attribute "password": a string may not contain U+0000 (NUL)`},
		{"NUL in a PATCH value", "PATCH", "/Users/u1", patch("emails", `[{"value":"x\u0000@example.com"}]`),
			`operation 0 (add emails): attribute "emails.value": a string may not contain U+0000 (NUL)`},
		{"NUL in a group's displayName", "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"\u0000"}`,
			`attribute "displayName": a string may not contain U+0000 (NUL)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, scim.Config{})
			createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen"}`)
			before := serveRequest(srv, "GET", "/Users", "", "").Body.String()
			rec := serveRequest(srv, tt.method, tt.target, "", tt.body)
			if problem := scimErrorProblem(rec, http.StatusBadRequest, scim.InvalidValue); problem != "" {
				t.Fatal(problem)
			}
			var e struct{ Detail string }
			json.Unmarshal(rec.Body.Bytes(), &e)
			if e.Detail != tt.detail {
				t.Errorf("detail %s\nwant %s", e.Detail, tt.detail)
			}
			if after := serveRequest(srv, "GET", "/Users", "", "").Body.String(); after != before {
				t.Errorf("stored users changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestMaxValuesOnEveryWrite checks that Config.MaxValues bounds what one
// PATCH operation carries and what a resource holds once patched, on the
// generic path, through a native scim.Patcher, and inside Bulk; a refused
// request stores nothing.
func TestMaxValuesOnEveryWrite(t *testing.T) {
	const max = 50
	values := func(from, n int, prefix string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"value":"` + prefix + strconv.Itoa(from+i) + `"}`)
		}
		return "[" + b.String() + "]"
	}
	patch := func(path, value string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"` + path + `","value":` + value + `}]}`
	}
	tests := []struct {
		name, method, target, body string
		status                     int
	}{
		{"one operation over the limit", "PATCH", "/Users/u1", patch("emails", values(0, max+1, "e")), 400},
		{"a user's emails over the limit once added", "PATCH", "/Users/u1", patch("emails", values(100, 21, "e")), 400},
		{"a user's emails up to the limit", "PATCH", "/Users/u1", patch("emails", values(100, 20, "e")), 200},
		{"re-adding values already there", "PATCH", "/Users/u1", patch("emails", values(0, 30, "e")), 200},
		{"group members over the limit once added, natively", "PATCH", "/Groups/g1", patch("members", values(100, 21, "m")), 400},
		{"group members up to the limit, natively", "PATCH", "/Groups/g1", patch("members", values(100, 20, "m")), 200},
		{"one member operation over the limit", "PATCH", "/Groups/g1", patch("members", values(0, max+1, "m")), 400},
		{"a PUT over the limit", "PUT", "/Users/u1", `{"schemas":[` + userURN + `],"userName":"bjensen","emails":` + values(0, max+1, "e") + `}`, 400},
		{"a bulk PATCH over the limit", "POST", "/Bulk", `{"schemas":["` + bulkSchemaURN + `"],"Operations":[{"method":"PATCH","path":"/Groups/g1","data":` + patch("members", values(100, 21, "m")) + `}]}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, scim.Config{MaxValues: max})
			createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen", "emails": `+values(0, 30, "e")+`}`)
			if rec := serveRequest(srv, "POST", "/Groups", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":`+values(0, 30, "m")+`}`); rec.Code != 201 {
				t.Fatalf("POST /Groups: %d %s", rec.Code, rec.Body)
			}
			before := serveRequest(srv, "GET", "/Users/u1", "", "").Body.String() + serveRequest(srv, "GET", "/Groups/g1", "", "").Body.String()
			rec := serveRequest(srv, tt.method, tt.target, "", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.500s", rec.Code, tt.status, rec.Body)
			}
			after := serveRequest(srv, "GET", "/Users/u1", "", "").Body.String() + serveRequest(srv, "GET", "/Groups/g1", "", "").Body.String()
			refused := tt.status == 400 || strings.Contains(rec.Body.String(), `"status":"400"`)
			if refused && after != before {
				t.Errorf("a refused request changed what is stored")
			}
			if tt.method == "POST" && !strings.Contains(rec.Body.String(), `"status":"400"`) {
				t.Errorf("bulk operation not refused: %s", rec.Body)
			}
			for _, doc := range []string{"/Users/u1", "/Groups/g1"} {
				var r map[string]any
				json.Unmarshal(serveRequest(srv, "GET", doc, "", "").Body.Bytes(), &r)
				for _, attr := range []string{"emails", "members"} {
					if list, _ := r[attr].([]any); len(list) > max {
						t.Errorf("%s holds %d %s, more than %d", doc, len(list), attr, max)
					}
				}
			}
		})
	}
}

// partialStore records the projections its GetPartial is called with.
type partialStore struct {
	scim.ResourceHandler
	calls []*resource.Projection
}

func (p *partialStore) GetPartial(ctx context.Context, id string, proj *resource.Projection) (*resource.Resource, error) {
	p.calls = append(p.calls, proj)
	return p.ResourceHandler.Get(ctx, id)
}

// TestPartialGetter checks that a GET, or a PATCH's response, that leaves
// attributes out reads the resource through scim.PartialGetter, and a GET
// of the whole resource through Get.
func TestPartialGetter(t *testing.T) {
	groups := schema.GroupResourceType()
	store := &partialStore{ResourceHandler: testHandler(groups, "g")}
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{{Type: groups, Handler: store}}})
	if err != nil {
		t.Fatal(err)
	}
	serveRequest(srv, "POST", "/Groups", "", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`)
	serveRequest(srv, "GET", "/Groups/g1", "", "")
	if len(store.calls) != 0 {
		t.Errorf("a GET of the whole group went through GetPartial")
	}
	for _, target := range []string{"/Groups/g1?excludedAttributes=members", "/Groups/g1?attributes=displayName"} {
		store.calls = nil
		if rec := serveRequest(srv, "GET", target, "", ""); rec.Code != 200 {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		if len(store.calls) != 1 || store.calls[0].Includes(groups, "members") {
			t.Errorf("GET %s: GetPartial calls %v, want one that leaves members out", target, store.calls)
		}
	}
}
