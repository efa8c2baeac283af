package scim_test

import (
	"context"
	"net/http"
	"strconv"
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
