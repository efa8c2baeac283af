package secevent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
	"github.com/scim-go/scim/secevent"
)

// A server whose writes become the claims sets of security event tokens:
// a user is created, then deactivated with a PATCH.
func Example() {
	users := schema.UserResourceType()
	store := scimtest.NewMemoryHandler(users)
	store.NewID = func() string { return "2819c223" } // predictable for the example

	iss, err := secevent.NewIssuer(secevent.Options{
		Issuer:        "https://scim.example.com",
		Audience:      []string{"https://receiver.example.com/feeds/7"},
		ResourceTypes: []*schema.ResourceType{users},
	})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := scim.NewServer(scim.Config{
		Endpoints:         []scim.Endpoint{{Type: users, Handler: store}},
		SecurityEventURIs: secevent.NoticeURIs(),
		OnEvent: func(ctx context.Context, e scim.Event) {
			c, err := iss.Notice(e)
			if err != nil {
				log.Print(err)
				return
			}
			// A host signs json.Marshal(c) as a JWS with "typ":
			// "secevent+jwt" and hands it to a goroutine that delivers
			// it (RFC 8935) or keeps it for receivers to poll (RFC 8936).
			events, _ := json.Marshal(c.Events)
			fmt.Println(c.Subject.URI, string(events))
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, r := range []struct{ method, path, body string }{
		{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true}`},
		{"PATCH", "/Users/2819c223", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","path":"active","value":false}]}`},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header.Set("Content-Type", "application/scim+json")
		srv.ServeHTTP(httptest.NewRecorder(), req)
	}
	// Output:
	// /Users/2819c223 {"urn:ietf:params:scim:event:prov:create:notice":{"version":"W/\"1\"","attributes":["active","userName"]}}
	// /Users/2819c223 {"urn:ietf:params:scim:event:prov:deactivate":{},"urn:ietf:params:scim:event:prov:patch:notice":{"version":"W/\"2\"","attributes":["active"]}}
}

// The whole claims set of a notice that a group's members changed.
func ExampleIssuer_Notice() {
	iss, err := secevent.NewIssuer(secevent.Options{
		Issuer:   "https://scim.example.com",
		Audience: []string{"https://scim.example.com/Feeds/98d52461fa5bbc879593b7754"},
		NewID:    func() string { return "6164f3bbf6ff41a88dc94f18cb0620e8" }, // predictable for the example
		Now:      func() time.Time { return time.Unix(1458505044, 0) },
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := iss.Notice(scim.Event{
		Kind:         scim.Patched,
		ResourceType: "Group",
		ID:           "176f397ec4c44b94b2cfcb759780b8c2",
		Version:      "a330bc54f0671c9",
		Changes:      scim.Changes{Attributes: []string{"members"}, MembersAdded: []string{"2819c223"}},
		Time:         time.Unix(1458505043, 0),
	})
	if err != nil {
		log.Fatal(err)
	}
	c.Subject.ExternalID = "crmUsers" // known to the host, not to the event
	out, _ := json.MarshalIndent(c, "", "  ")
	fmt.Println(string(out))
	// Output:
	// {
	//   "jti": "6164f3bbf6ff41a88dc94f18cb0620e8",
	//   "iss": "https://scim.example.com",
	//   "iat": 1458505044,
	//   "aud": [
	//     "https://scim.example.com/Feeds/98d52461fa5bbc879593b7754"
	//   ],
	//   "txn": "9b51466ab1b502d215ab5eda64b5e352",
	//   "toe": 1458505043,
	//   "sub_id": {
	//     "format": "scim",
	//     "uri": "/Groups/176f397ec4c44b94b2cfcb759780b8c2",
	//     "externalId": "crmUsers"
	//   },
	//   "events": {
	//     "urn:ietf:params:scim:event:prov:patch:notice": {
	//       "version": "W/\"a330bc54f0671c9\"",
	//       "attributes": [
	//         "members"
	//       ]
	//     }
	//   }
	// }
}

// A full event carries the resource, which the host reads from its store
// after the write.
func ExampleIssuer_Full() {
	iss, err := secevent.NewIssuer(secevent.Options{Issuer: "https://scim.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	e := scim.Event{Kind: scim.Replaced, ResourceType: "User", ID: "2819c223", Version: "4",
		Changes: scim.Changes{Attributes: []string{"title"}}}
	user := json.RawMessage(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen","title":"Tour Guide"}`)
	c, err := iss.Full(e, user)
	if err != nil {
		log.Fatal(err)
	}
	events, _ := json.Marshal(c.Events)
	fmt.Println(string(events))
	// Output:
	// {"urn:ietf:params:scim:event:prov:put:full":{"version":"W/\"4\"","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen","title":"Tour Guide"}}}
}
