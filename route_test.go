package scim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// routeServer returns a server whose users endpoint holds the ids given.
func routeServer(t testing.TB, ids ...string) *Server {
	users := schema.UserResourceType()
	h := &idHandler{ids: map[string]bool{}}
	for _, id := range ids {
		h.ids[id] = true
	}
	groups := schema.GroupResourceType()
	eps := []Endpoint{{Type: users, Handler: h}, {Type: groups, Handler: h}}
	srv, err := NewServer(Config{Endpoints: eps, BaseURL: "https://example.com/scim/v2"})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// idHandler answers Get and Delete for the ids it holds.
type idHandler struct {
	sliceHandler
	ids map[string]bool
}

func (h *idHandler) Delete(ctx context.Context, id, version string) error {
	if !h.ids[id] {
		return ErrNotFound
	}
	return nil
}

func (h *idHandler) Get(ctx context.Context, id string) (*resource.Resource, error) {
	if !h.ids[id] {
		return nil, ErrNotFound
	}
	return &resource.Resource{ID: id, Attributes: map[string]any{"userName": "u"}, Meta: resource.Meta{Version: "1"}}, nil
}

// checkRoute checks that the server answers target as its mux alone does.
func checkRoute(t *testing.T, srv *Server, method, target string) {
	t.Helper()
	u, err := url.ParseRequestURI(target)
	if err != nil || u.Path == "" {
		return
	}
	serve := func(h http.Handler) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "https://example.com/", nil)
		req.URL, req.RequestURI = u, target
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	fast, slow := serve(srv), serve(srv.mux)
	if fast.Code != slow.Code || fast.Body.String() != slow.Body.String() || fast.Header().Get("Location") != slow.Header().Get("Location") {
		t.Errorf("%s %s: %d %s; through the mux alone %d %s", method, target, fast.Code, fast.Body, slow.Code, slow.Body)
	}
}

var routeTargets = []string{
	"/Users/u1", "/Users/u%2F1", "/Users/u/1", "/Users/..", "/Users/.", "/Users/.search", "/Users/",
	"/Users/u1/", "/Users//u1", "/Users/u%201", "/Users/%2E%2E", "/Users/%2e", "/Usersx/u1", "/users/u1",
	"/Groups/u1", "/Groups/.search", "/Users/.%73earch", "/Users/u1?x=1", "/Users/%75%31", "/ResourceTypes/User", "/Schemas/x",
	"/Users%2F0", "/Users%2fu1", "/Groups%2F.search",
}

// TestMemberRoute checks that requests for one resource, which the server
// routes without its mux, get what the mux would give them.
func TestMemberRoute(t *testing.T) {
	srv := routeServer(t, "u1", "u/1", "u 1", "..", ".", ".search")
	for _, target := range routeTargets {
		for _, method := range []string{"GET", "DELETE", "POST"} {
			checkRoute(t, srv, method, target)
		}
	}
}

func FuzzMemberRoute(f *testing.F) {
	for _, target := range routeTargets {
		f.Add(target)
	}
	srv := routeServer(f, "u1", "u/1", "..", ".search")
	f.Fuzz(func(t *testing.T, target string) {
		checkRoute(t, srv, "GET", target)
	})
}
