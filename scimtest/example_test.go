package scimtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// A golden conversation, as the files of testdata/exchanges hold them, is
// replayed against a server over the store under test: each exchange's
// request is sent again and its response compared with the recorded one.
func ExampleParseConversation() {
	c, err := scimtest.ParseConversation(`A user is created, and a body with an attribute the schema lacks refused.
config: strict

### create
> POST /Users?attributes=userName
> Content-Type: application/scim+json
{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen"}
< 201
< Content-Type: application/scim+json
< ETag: W/"1"
< Location: http://example.com/Users/2819c223
{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "id": "2819c223",
  "userName": "bjensen"
}

### an unknown attribute, in strict mode
> POST /Users
> Content-Type: application/scim+json
{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "jsmith", "shoeSize": 9}
< 400
< Content-Type: application/scim+json
{
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:Error"
  ],
  "scimType": "invalidSyntax",
  "detail": "attribute \"shoeSize\": not defined by schema urn:ietf:params:scim:schemas:core:2.0:User",
  "status": "400"
}
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := c.Config()
	if err != nil {
		fmt.Println(err)
		return
	}
	users := schema.UserResourceType()
	store := scimtest.NewMemoryHandler(users) // the store under test
	store.NewID = func() string { return "2819c223" }
	cfg.Endpoints = []scim.Endpoint{{Type: users, Handler: store}}
	srv, err := scim.NewServer(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range c.Exchanges {
		got := scimtest.Record(srv, x)
		if got.Response() == x.Response() {
			fmt.Printf("%s: as recorded\n", x.Title)
			continue
		}
		// A test reports the difference, or with -update writes
		// c.String() back to the file, x replaced by got.
		fmt.Printf("%s: got\n%s\nwant\n%s\n", x.Title, got.Response(), x.Response())
	}
	// Output:
	// create: as recorded
	// an unknown attribute, in strict mode: as recorded
}

// MemoryHandler is a ResourceHandler in memory, for tests and examples;
// it can be used without a server, as a store's reference.
func ExampleNewMemoryHandler() {
	users := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(users)
	h.Now = func() time.Time { return time.Date(2011, 5, 13, 4, 42, 34, 0, time.UTC) }
	ctx := context.Background()
	for _, name := range []string{"bjensen", "jsmith", "mpepper"} {
		r := &resource.Resource{Attributes: map[string]any{"userName": name, "active": name != "jsmith"}}
		if _, err := h.Create(ctx, r); err != nil {
			fmt.Println(err)
			return
		}
	}
	_, err := h.Create(ctx, &resource.Resource{Attributes: map[string]any{"userName": "BJENSEN"}})
	fmt.Println(errors.Is(err, scim.ErrUniqueness))

	f, err := filter.Compile(users, `active eq true`)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := filter.ResolveSort(users, "userName", "descending")
	if err != nil {
		fmt.Println(err)
		return
	}
	page, err := h.List(ctx, &scim.Query{Filter: f, Sort: s, StartIndex: 1, Count: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(page.TotalResults)
	for _, r := range page.Resources {
		fmt.Println(r.Attributes["userName"], r.Meta.Version, r.Meta.Created.Format(time.RFC3339))
	}
	// Output:
	// true
	// 2
	// mpepper 1 2011-05-13T04:42:34Z
	// bjensen 1 2011-05-13T04:42:34Z
}
