package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// userKey is the context key under which the middleware below keeps the
// authenticated caller.
type userKey struct{}

// Authentication is the host's middleware: it refuses a request without a
// valid token with a SCIM error body, and passes the caller on in the
// request's context, where Config.Me reads it to serve /Me (and
// Config.Caller may, to name the caller in events).
func ExampleWriteError() {
	users := schema.UserResourceType()
	store := scimtest.NewMemoryHandler(users)
	store.NewID = func() string { return "2819c223" } // predictable for the example
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: store}},
		Me: func(ctx context.Context) (string, string, error) {
			return "User", ctx.Value(userKey{}).(string), nil
		},
	})
	if err != nil {
		panic(err)
	}
	tokens := map[string]string{"Bearer s3cret": "2819c223"} // token -> user id
	requireToken := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller, ok := tokens[r.Header.Get("Authorization")]
			if !ok {
				w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
				scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing or unknown bearer token"))
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, caller)))
		})
	}
	h := requireToken(srv)

	for _, r := range []struct{ method, path, token, body string }{
		{"POST", "/Users?attributes=userName", "Bearer s3cret", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}`},
		{"GET", "/Me?attributes=userName", "Bearer s3cret", ""},
		{"GET", "/Me", "Bearer guess", ""},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Header.Set("Authorization", r.token)
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 201 {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen"}
	// 200 {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen"}
	// 401 {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"missing or unknown bearer token","status":"401"}
}

// A rate limiter in front of the server answers with 429 and Retry-After,
// on which identity providers back off and retry, where other errors fail
// their provisioning run.
func ExampleWriteTooManyRequests() {
	rec := httptest.NewRecorder()
	scim.WriteTooManyRequests(rec, 1500*time.Millisecond)
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"), rec.Header().Get("Content-Type"))
	fmt.Println(rec.Body.String())
	// Output:
	// 429 2 application/scim+json
	// {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"too many requests; retry after 2 seconds","status":"429"}
}
