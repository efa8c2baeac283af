package scim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// BenchmarkListFilter lists users with a filter through Server.ServeHTTP
// on the in-memory handler, with stores of growing size.
//
// userName eq is answered from the handler's uniqueness index: its time
// must stay flat from 1k to 100k users. title eq cannot use an index, so
// the handler scans every user and its time grows with the store; it is
// there for contrast. Both find exactly one user, so the responses are the
// same size.
func BenchmarkListFilter(b *testing.B) {
	for _, bb := range []struct {
		name  string
		sizes []int
		expr  func(i int) string // a filter that finds user i alone
	}{
		{"userName", []int{1_000, 10_000, 100_000}, func(i int) string { return `userName eq "` + listBenchUserName(i) + `"` }},
		{"title", []int{1_000, 10_000}, func(i int) string { return `title eq "` + listBenchTitle(i) + `"` }},
	} {
		for _, n := range bb.sizes {
			b.Run(bb.name+"/"+sizeName(n), func(b *testing.B) {
				srv := listBenchServer(b, n)
				target := "/Users?filter=" + url.QueryEscape(bb.expr(n/2))
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
				if !strings.Contains(rec.Body.String(), `"totalResults":1,`) {
					b.Fatalf("GET %s: status %d, want one user; body %s", target, rec.Code, rec.Body)
				}
				benchServe(b, srv, newBenchRequest(http.MethodGet, target), http.StatusOK, nil)
			})
		}
	}
}

// BenchmarkListPage lists the first page of 100 of the users a value
// filter finds, half the store, as an identity provider's reconciliation
// reads it: the handler evaluates the filter on every user and counts the
// matches past the page without keeping them, so the time grows with the
// store, and the page's cost stays the same.
func BenchmarkListPage(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(sizeName(n), func(b *testing.B) {
			srv := listBenchServer(b, n)
			target := "/Users?count=100&filter=" + url.QueryEscape(`emails[type eq "work" and value co "example.org"]`)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
			if want := `"totalResults":` + strconv.Itoa(n/2) + `,"itemsPerPage":100,`; !strings.Contains(rec.Body.String(), want) {
				b.Fatalf("GET %s: status %d, want %s; body %.300s", target, rec.Code, want, rec.Body)
			}
			benchServe(b, srv, newBenchRequest(http.MethodGet, target), http.StatusOK, nil)
		})
	}
}

// listBenchSecondEmail is a work address at example.org for even users, a
// home one for odd users.
func listBenchSecondEmail(i int) map[string]any {
	if i%2 == 0 {
		return map[string]any{"value": "u" + strconv.Itoa(i) + "@example.org", "type": "work"}
	}
	return map[string]any{"value": "u" + strconv.Itoa(i) + "@home.example.net", "type": "home"}
}

func sizeName(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

func listBenchUserName(i int) string { return "user" + strconv.Itoa(i) + "@example.com" }
func listBenchTitle(i int) string    { return "Engineer " + strconv.Itoa(i) }

// listBenchServers holds one server per store size, built on first use:
// a benchmark function runs several times as b.N grows, and filling the
// largest store takes longer than the measurement.
var listBenchServers = map[int]http.Handler{}

func listBenchServer(b *testing.B, n int) http.Handler {
	if srv, ok := listBenchServers[n]; ok {
		return srv
	}
	users := schema.UserResourceType()
	h := scimtest.NewMemoryHandler(users)
	next := 0
	h.NewID = func() string { next++; return "u" + strconv.Itoa(next) }
	ctx := context.Background()
	for i := range n {
		_, err := h.Create(ctx, &resource.Resource{
			ExternalID: "ext" + strconv.Itoa(i),
			Attributes: map[string]any{
				"userName":    listBenchUserName(i),
				"name":        map[string]any{"givenName": "User", "familyName": strconv.Itoa(i)},
				"displayName": "User " + strconv.Itoa(i),
				"title":       listBenchTitle(i),
				"active":      true,
				"emails": []any{
					map[string]any{"value": listBenchUserName(i), "type": "work", "primary": true},
					listBenchSecondEmail(i),
				},
			},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{{Type: users, Handler: h}},
		BaseURL:   "https://example.com/scim/v2",
	})
	if err != nil {
		b.Fatal(err)
	}
	listBenchServers[n] = srv
	return srv
}
