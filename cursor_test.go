package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// sliceHandler lists a fixed set of resources; only List is used.
type sliceHandler struct {
	ResourceHandler
	res []*resource.Resource
}

func (h sliceHandler) List(_ context.Context, q *Query) (*Page, error) {
	var matched []*resource.Resource
	for _, r := range h.res {
		if q.Filter == nil || q.Filter.Match(r) {
			matched = append(matched, r)
		}
	}
	page := &Page{TotalResults: len(matched)}
	if start := q.StartIndex - 1; start < len(matched) {
		page.Resources = matched[start:min(start+q.Count, len(matched))]
	}
	return page, nil
}

type listPage struct {
	Total     int    `json:"totalResults"`
	Items     int    `json:"itemsPerPage"`
	Start     *int   `json:"startIndex"`
	Next      string `json:"nextCursor"`
	Previous  string `json:"previousCursor"`
	Resources []struct {
		UserName string `json:"userName"`
	}
}

func cursorServer(t *testing.T, n int) *Server {
	t.Helper()
	users := schema.UserResourceType()
	var res []*resource.Resource
	for i := range n {
		res = append(res, &resource.Resource{ID: fmt.Sprint(i), Attributes: map[string]any{"userName": fmt.Sprintf("user%02d", i)}})
	}
	srv, err := NewServer(Config{Endpoints: []Endpoint{{Type: users, Handler: sliceHandler{res: res}}}, MaxPageSize: 10, CursorPagination: true})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func getPage(t *testing.T, srv http.Handler, target string) (int, listPage, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	var p listPage
	if rec.Code == 200 {
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
	}
	return rec.Code, p, rec.Body.String()
}

// TestCursorPagination walks a list with cursors (RFC 9865) forwards and
// back: every resource is seen once, in order.
func TestCursorPagination(t *testing.T) {
	srv := cursorServer(t, 7)
	var seen []string
	var cursors []string
	target := "/Users?count=3&cursor="
	for {
		code, p, body := getPage(t, srv, target)
		if code != 200 {
			t.Fatalf("GET %s: %d %s", target, code, body)
		}
		if p.Start != nil {
			t.Errorf("a cursor page has startIndex %d", *p.Start)
		}
		if p.Total != 7 || p.Items != len(p.Resources) {
			t.Errorf("totalResults %d, itemsPerPage %d for %d resources", p.Total, p.Items, len(p.Resources))
		}
		for _, r := range p.Resources {
			seen = append(seen, r.UserName)
		}
		if (len(cursors) == 0) != (p.Previous == "") {
			t.Errorf("page %d: previousCursor %q", len(cursors), p.Previous)
		}
		cursors = append(cursors, target)
		if p.Next == "" {
			break
		}
		target = "/Users?count=3&cursor=" + p.Next
	}
	want := []string{"user00", "user01", "user02", "user03", "user04", "user05", "user06"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("resources over all pages (-want +got):\n%s", diff)
	}
	// previousCursor of the last page leads back to the second page.
	_, last, _ := getPage(t, srv, cursors[2])
	_, prev, _ := getPage(t, srv, "/Users?count=3&cursor="+last.Previous)
	if len(prev.Resources) != 3 || prev.Resources[0].UserName != "user03" {
		t.Errorf("previous page = %+v, want user03..user05", prev.Resources)
	}
}

func TestCursorErrors(t *testing.T) {
	srv := cursorServer(t, 7)
	_, first, _ := getPage(t, srv, "/Users?count=3&cursor")
	good := first.Next
	tampered := []byte(good)
	tampered[5] ^= 1
	for _, tc := range []struct {
		name, target, want string
	}{
		{"garbage", "/Users?count=3&cursor=abc", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidCursor","detail":"cursor is not one this server issued for this query; send an empty cursor for the first page","status":"400"}`},
		{"tampered", "/Users?count=3&cursor=" + string(tampered), "invalidCursor"},
		{"other count", "/Users?count=2&cursor=" + good, "invalidCursor"},
		{"other filter", "/Users?count=3&filter=userName+pr&cursor=" + good, "invalidCursor"},
		{"count too large", "/Users?count=11&cursor=", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidCount","detail":"count must be between 0 and 10","status":"400"}`},
		{"negative count", "/Users?count=-1&cursor=", "invalidCount"},
		{"with startIndex", "/Users?startIndex=2&cursor=", "startIndex and cursor cannot be used together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := getPage(t, srv, tc.target)
			if code != 400 || !strings.Contains(body, tc.want) {
				t.Errorf("GET %s = %d %s, want 400 with %s", tc.target, code, body, tc.want)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		srv.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
		defer func() { srv.now = time.Now }()
		code, _, body := getPage(t, srv, "/Users?count=3&cursor="+good)
		want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"expiredCursor","detail":"cursor has expired; start again with an empty cursor","status":"400"}`
		if code != 400 || body != want {
			t.Errorf("got %d %s, want 400 %s", code, body, want)
		}
	})
	t.Run("another server's cursor", func(t *testing.T) {
		other := cursorServer(t, 7)
		if code, _, _ := getPage(t, other, "/Users?count=3&cursor="+good); code != 400 {
			t.Errorf("a cursor from a server with another key was accepted: %d", code)
		}
	})
}

// TestCursorPaginationIsOptIn checks that a server that has not turned
// cursor pagination on does not advertise it, which strict clients refuse
// as an unknown member, and refuses a cursor.
func TestCursorPaginationIsOptIn(t *testing.T) {
	users := schema.UserResourceType()
	for _, on := range []bool{false, true} {
		srv, err := NewServer(Config{Endpoints: []Endpoint{{Type: users, Handler: sliceHandler{}}}, CursorPagination: on})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/ServiceProviderConfig", nil))
		if got := strings.Contains(rec.Body.String(), `"pagination"`); got != on {
			t.Errorf("CursorPagination %v: ServiceProviderConfig has pagination: %v; %s", on, got, rec.Body)
		}
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/Users?cursor=", nil))
		if want := map[bool]int{false: 400, true: 200}[on]; rec.Code != want {
			t.Errorf("CursorPagination %v: GET /Users?cursor=: %d, want %d", on, rec.Code, want)
		}
	}
}
