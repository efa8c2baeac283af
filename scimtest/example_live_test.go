package scimtest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

func ExampleCheckEndpoint() {
	// A service to check; in practice, one deployed elsewhere, with a
	// Client whose Transport adds its credentials.
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
		{Type: users, Handler: scimtest.NewMemoryHandler(users)},
		{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
	}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv))
	service := httptest.NewServer(mux)
	defer service.Close()

	err = scimtest.CheckEndpoint(context.Background(), scimtest.Target{
		URL:    service.URL + "/scim/v2",
		Select: regexp.MustCompile(`^(create|patch-members)$`).MatchString,
	}, func(r scimtest.Result) {
		switch {
		case r.Skipped != "":
			fmt.Println("SKIP", r.Name)
		case r.Passed():
			fmt.Println("PASS", r.Name, "--", r.Ref)
		default:
			fmt.Println("FAIL", r.Name, r.Failures)
		}
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// PASS discovery -- RFC 7644 §4, RFC 7643 §5-§7
	// PASS create -- RFC 7644 §3.3
	// PASS patch-members -- RFC 7644 §3.5.2
	// PASS cleanup -- RFC 7644 §3.6
}
