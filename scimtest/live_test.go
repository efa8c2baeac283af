package scimtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// TestReplayWritesOnlyItsOwn checks that a replayed conversation never
// changes a resource the run did not create: its DELETE and PATCH of an
// id the recording never created, which names one of the service's
// users, are skipped, and the user is left as it was.
func TestReplayWritesOnlyItsOwn(t *testing.T) {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	uh := scimtest.NewMemoryHandler(users)
	uh.NewID = func() string { return "keep1" }
	u, err := resource.Decode(users, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"theirs"}`), resource.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := uh.Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	uh.NewID = nil
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
		{Type: users, Handler: uh},
		{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	service := httptest.NewServer(http.StripPrefix("/scim/v2", srv))
	defer service.Close()
	conv, err := scimtest.ParseConversation(`Writes to a resource the recording did not create.

### deactivate a user
> PATCH /Users/keep1
> Content-Type: application/scim+json
{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}
< 204

### delete a user
> DELETE /Users/keep1
< 204
`)
	if err != nil {
		t.Fatal(err)
	}
	skipped := map[string]string{}
	err = scimtest.CheckEndpoint(context.Background(), scimtest.Target{
		URL:           service.URL + "/scim/v2",
		Select:        func(name string) bool { return name == "writes" },
		Conversations: map[string]*scimtest.Conversation{"writes": conv},
	}, func(r scimtest.Result) {
		if strings.HasPrefix(r.Name, "writes/") {
			skipped[r.Name] = r.Skipped
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"writes/1", "writes/2"} {
		if !strings.Contains(skipped[name], "this run did not create") {
			t.Errorf("%s: skipped %q, want it skipped as a write to a resource the run did not create", name, skipped[name])
		}
	}
	got, err := uh.Get(context.Background(), "keep1")
	if err != nil {
		t.Fatalf("the service's user is gone: %v", err)
	}
	if active, ok := got.Attributes["active"].(bool); ok && !active {
		t.Error("the service's user was deactivated")
	}
}
