package scim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// A server for Users and Groups over the in-memory reference handler,
// mounted under /scim/v2.
func ExampleNewServer() {
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	userStore := scimtest.NewMemoryHandler(users)
	userStore.NewID = func() string { return "2819c223" } // predictable for the example
	srv, err := scim.NewServer(scim.Config{
		BaseURL: "https://example.com/scim/v2",
		Endpoints: []scim.Endpoint{
			{Type: users, Handler: userStore},
			{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
		},
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", srv))

	req := httptest.NewRequest("POST", "/scim/v2/Users?attributes=userName", strings.NewReader(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "bjensen",
		"password": "t1meMa$heen"
	}`))
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	fmt.Println(string(body))
	// Output:
	// 201 https://example.com/scim/v2/Users/2819c223
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen"}
}
