package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

var update = flag.Bool("update", false, "copy the conversations scimcheck replays from testdata/exchanges into exchanges")

// TestExchangeCopies checks that exchanges holds copies of the
// conversations scimcheck replays, as they are in testdata/exchanges;
// -update (go generate) copies them.
func TestExchangeCopies(t *testing.T) {
	for _, name := range conversations {
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "exchanges", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		copied := filepath.Join("exchanges", name+".txt")
		if *update {
			if err := os.WriteFile(copied, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(copied)
		if err != nil {
			t.Errorf("%v: run go generate ./cmd/scimcheck", err)
		} else if !bytes.Equal(got, want) {
			t.Errorf("%s is not a copy of testdata/exchanges/%s.txt: run go generate ./cmd/scimcheck", copied, name)
		}
	}
	files, err := filepath.Glob(filepath.Join("exchanges", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.Contains(conversations, strings.TrimSuffix(filepath.Base(f), ".txt")) {
			t.Errorf("%s is not one of the conversations scimcheck replays; remove it", f)
		}
	}
}

const testToken = "t0ken-that-must-never-be-printed"

// directory is a service's own users and groups, which scimcheck must
// leave as they are; among them users with the userNames the checks use,
// and one whose name looks like another run's.
var directory = struct{ users, groups []string }{
	users: []string{
		`{"userName": "bjensen", "title": "Engineer", "active": true, "emails": [{"value": "bjensen@example.com", "type": "work"}]}`,
		`{"userName": "alice", "title": "Manager", "externalId": "EXT-a", "name": {"givenName": "Alice"}}`,
		`{"userName": "Dave", "active": false}`,
		`{"userName": "scimcheck-other-run-carol"}`,
		`{"userName": "test.user@okta.local"}`,
	},
	groups: []string{`{"displayName": "Admins"}`, `{"displayName": "displayName"}`},
}

// service is a SCIM server on MemoryHandlers behind a bearer token,
// holding the users and groups of directory.
type service struct {
	url           string // its base URL
	users, groups *scimtest.MemoryHandler
	before        []string // what it held when started
}

// newService starts a service, whose handler broken may wrap to break it.
func newService(t *testing.T, broken func(http.Handler) http.Handler) *service {
	t.Helper()
	ctx := context.Background()
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	s := &service{users: scimtest.NewMemoryHandler(users), groups: scimtest.NewMemoryHandler(groups)}
	var ids []string
	for _, body := range directory.users {
		r, err := resource.Decode(users, withSchema(schema.UserURN, body), resource.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = s.users.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	for _, body := range directory.groups {
		r, err := resource.Decode(groups, withSchema(schema.GroupURN, body), resource.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r.Attributes["members"] = []any{map[string]any{"value": ids[0], "type": "User"}, map[string]any{"value": ids[1], "type": "User"}}
		if _, err := s.groups.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	s.before = s.contents(t)

	srv, err := scim.NewServer(scim.Config{Endpoints: []scim.Endpoint{
		{Type: users, Handler: s.users},
		{Type: groups, Handler: s.groups},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if broken != nil {
		h = broken(h)
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", requireBearer(h)))
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	s.url = hs.URL + "/scim/v2"
	return s
}

// withSchema returns body, a JSON object, with "schemas" listing urn.
func withSchema(urn, body string) []byte {
	return []byte(`{"schemas": ["` + urn + `"], ` + strings.TrimPrefix(body, "{"))
}

// requireBearer refuses requests without testToken.
func requireBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+testToken)) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			scim.WriteError(w, scim.Errorf(http.StatusUnauthorized, "", "missing or invalid bearer token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// contents returns every resource s holds, as JSON.
func (s *service) contents(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, h := range []*scimtest.MemoryHandler{s.users, s.groups} {
		page, err := h.List(context.Background(), &scim.Query{StartIndex: 1, Count: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		rt := schema.UserResourceType()
		if h == s.groups {
			rt = schema.GroupResourceType()
		}
		for _, r := range page.Resources {
			out = append(out, string(resource.Marshal(rt, r, nil)))
		}
	}
	return out
}

// checkUntouched checks that s holds what it held when started, and
// nothing else.
func (s *service) checkUntouched(t *testing.T) {
	t.Helper()
	if diff := cmp.Diff(s.before, s.contents(t)); diff != "" {
		t.Errorf("after scimcheck, the service holds other resources than before (-before +after):\n%s", diff)
	}
}

// scimcheck runs the command with args, and the token in
// $SCIMCHECK_TOKEN, and returns its exit code and output.
func scimcheck(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return scimcheckContext(t, context.Background(), args...)
}

// scimcheckContext is scimcheck with a context, which a signal would end.
func scimcheckContext(t *testing.T, ctx context.Context, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string {
		if k == "SCIMCHECK_TOKEN" {
			return testToken
		}
		return ""
	}
	code := run(ctx, args, &stdout, &stderr, getenv)
	out := stdout.String() + stderr.String()
	if strings.Contains(out, testToken) {
		t.Errorf("the output shows the token:\n%s", out)
	}
	return code, out
}

// statuses returns the checks of scimcheck's output by their status (PASS,
// FAIL or SKIP), and the counts of its last line.
func statuses(t *testing.T, out string) (checks map[string][]string, passed, failed int) {
	t.Helper()
	checks = make(map[string][]string)
	line := regexp.MustCompile(`(?m)^(PASS|FAIL|SKIP) ([^:]+):`)
	for _, m := range line.FindAllStringSubmatch(out, -1) {
		checks[m[1]] = append(checks[m[1]], m[2])
	}
	counts := regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed$`).FindAllStringSubmatch(out, -1)
	if len(counts) != 1 {
		t.Fatalf("the output has not one line N passed, M failed:\n%s", out)
	}
	last := counts[0]
	passed, _ = strconv.Atoi(last[1])
	failed, _ = strconv.Atoi(last[2])
	if passed != len(checks["PASS"]) || failed != len(checks["FAIL"]) {
		t.Errorf("the last line counts %d passed and %d failed; the lines are %d PASS and %d FAIL", passed, failed, len(checks["PASS"]), len(checks["FAIL"]))
	}
	return checks, passed, failed
}

// TestPasses checks the library's own server: every check passes, and the
// directory it already held is as it was.
func TestPasses(t *testing.T) {
	s := newService(t, nil)
	code, out := scimcheck(t, "-url", s.url)
	checks, passed, failed := statuses(t, out)
	if code != 0 || failed != 0 {
		t.Errorf("exit code %d with %d failed, want 0 and none:\n%s", code, failed, out)
	}
	if len(checks["SKIP"]) > 0 {
		t.Errorf("checks skipped against a server of every attribute: %q\n%s", checks["SKIP"], out)
	}
	for _, name := range []string{"discovery", "create", "filter-users", "paging", "bulk", "memberships",
		"entra-users/1", "entra-groups/1", "okta-group-push/1", "cycle-entra/1", "cycle-okta/1", "cleanup"} {
		if !slices.Contains(checks["PASS"], name) {
			t.Errorf("no PASS of %s", name)
		}
	}
	if passed < 100 {
		t.Errorf("%d checks passed, want the cases and every exchange of the conversations", passed)
	}
	s.checkUntouched(t)
}

// TestSelects checks that -run selects checks by name.
func TestSelects(t *testing.T) {
	s := newService(t, nil)
	code, out := scimcheck(t, "-url", s.url, "-run", "^(get|cycle-okta)$", "-v")
	checks, _, _ := statuses(t, out)
	convs, err := loadConversations()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range convs["cycle-okta"].Exchanges {
		want = append(want, "cycle-okta/"+strconv.Itoa(i+1))
	}
	want = append([]string{"discovery", "get"}, append(want, "cleanup")...)
	if diff := cmp.Diff(want, checks["PASS"]); code != 0 || diff != "" {
		t.Errorf("exit code %d; checks that passed (-want +got):\n%s\n%s", code, diff, out)
	}
	s.checkUntouched(t)
}

// TestFindsBrokenServers checks that a broken server fails the checks of
// what it breaks, that scimcheck then exits with 1, and that it still
// deletes all it created and nothing else.
func TestFindsBrokenServers(t *testing.T) {
	tests := []struct {
		name   string
		broken func(http.Handler) http.Handler
		run    string
		fail   []string // checks that must fail
	}{{
		name: "POST answers 200",
		broken: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					w = statusMap{w, http.StatusCreated, http.StatusOK}
				}
				next.ServeHTTP(w, r)
			})
		},
		run:  "^(create|uniqueness|entra-users)$",
		fail: []string{"create", "uniqueness", "entra-users/1"},
	}, {
		name: "filters ignored",
		broken: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				q.Del("filter")
				r.URL.RawQuery = q.Encode()
				next.ServeHTTP(w, r)
			})
		},
		run:  "^(empty-list|filter-users|cycle-okta)$",
		fail: []string{"empty-list", "filter-users", "cycle-okta/1"},
	}, {
		name: "PATCH ignored",
		broken: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPatch {
					r.Method = http.MethodGet
					r.Body = http.NoBody
				}
				next.ServeHTTP(w, r)
			})
		},
		run:  "^(patch-add|okta-group-push)$",
		fail: []string{"patch-add", "okta-group-push/7"},
	}, {
		name: "POST refused, echoing the request's headers",
		broken: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					scim.WriteError(w, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "refused: %v", r.Header))
					return
				}
				next.ServeHTTP(w, r)
			})
		},
		run:  "^(create|cycle-entra)$",
		fail: []string{"create", "cycle-entra/3"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newService(t, tt.broken)
			code, out := scimcheck(t, "-url", s.url, "-run", tt.run)
			checks, _, failed := statuses(t, out)
			if code != 1 || failed == 0 {
				t.Errorf("exit code %d with %d failed, want 1 and failures:\n%s", code, failed, out)
			}
			for _, name := range tt.fail {
				if !slices.Contains(checks["FAIL"], name) {
					t.Errorf("%s did not fail:\n%s", name, out)
				}
			}
			for _, name := range []string{"discovery", "cleanup"} {
				if !slices.Contains(checks["PASS"], name) {
					t.Errorf("%s did not pass:\n%s", name, out)
				}
			}
			if !strings.Contains(out, "\n    sent: ") || !strings.Contains(out, "\n    received: ") {
				t.Errorf("no failure shows what was sent and received:\n%s", out)
			}
			s.checkUntouched(t)
		})
	}
}

// statusMap is a ResponseWriter that answers with status to instead of
// from.
type statusMap struct {
	http.ResponseWriter
	from, to int
}

func (w statusMap) WriteHeader(code int) {
	if code == w.from {
		code = w.to
	}
	w.ResponseWriter.WriteHeader(code)
}

// TestInterrupted checks a run interrupted in the middle of a case: it
// stops, says so, exits with 1, and still deletes what it created.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	posts := 0
	s := newService(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			mu.Lock()
			defer mu.Unlock()
			if r.Method == http.MethodPost {
				if posts++; posts == 10 {
					cancel() // as a signal would, after the tenth user is created
				}
			}
		})
	})
	code, out := scimcheckContext(t, ctx, "-url", s.url, "-run", "^(filter-users|sort)$")
	checks, _, _ := statuses(t, out)
	if code != 1 || !strings.Contains(out, "interrupted") || !slices.Contains(checks["FAIL"], "sort") || !slices.Contains(checks["PASS"], "cleanup") {
		t.Errorf("exit code %d, want 1, the run interrupted in sort and cleanup passing:\n%s", code, out)
	}
	s.checkUntouched(t)
}

// TestWrongToken checks a run whose token the service refuses: discovery
// fails, nothing else runs, and the token is not printed.
func TestWrongToken(t *testing.T) {
	const wrong = "a-wrong-token-never-printed-either"
	s := newService(t, nil)
	code, out := scimcheck(t, "-url", s.url, "-token", wrong)
	checks, _, _ := statuses(t, out)
	if code != 1 || !strings.Contains(out, "received: 401") ||
		!slices.Equal(checks["FAIL"], []string{"discovery"}) || len(checks["PASS"]) > 0 || !slices.Equal(checks["SKIP"], []string{"cleanup"}) {
		t.Errorf("exit code %d, want 1, discovery failing with 401 and no other check run:\n%s", code, out)
	}
	if strings.Contains(out, wrong) {
		t.Errorf("the output shows the token:\n%s", out)
	}
	s.checkUntouched(t)
}

// TestEchoedToken checks a service that echoes the Authorization header
// in its answers, the token straddling where a quoted body is cut, among
// control characters: no part of the token is printed, nor a control
// character.
func TestEchoedToken(t *testing.T) {
	s := newService(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "\x1b[2J%s%s%s", strings.Repeat("x", 490), r.Header.Get("Authorization"), strings.Repeat("y", 100))
		})
	})
	code, out := scimcheck(t, "-url", s.url)
	if code != 1 || !strings.Contains(out, "received: 401") {
		t.Errorf("exit code %d, want 1 and discovery failing with 401:\n%s", code, out)
	}
	if prefix := testToken[:6]; strings.Contains(out, prefix) {
		t.Errorf("the output shows the start of the token, %q:\n%s", prefix, out)
	}
	if strings.ContainsRune(out, '\x1b') {
		t.Errorf("the output holds an escape character:\n%q", out)
	}
}

// TestUsage checks that wrong flags exit with 2, before any request.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-url", "ftp://example.com/scim"},
		{"-url", "example.com/scim/v2"},
		{"-url", "https://example.com/scim/v2", "-run", "("},
		{"-url", "https://example.com/scim/v2", "-timeout", "0s"},
		{"-url", "https://example.com/scim/v2", "extra"},
		{"-no-such-flag"},
	} {
		code, out := scimcheck(t, args...)
		if code != 2 || !strings.Contains(out, "usage: scimcheck") {
			t.Errorf("scimcheck %q: exit code %d, want 2 and the usage:\n%s", args, code, out)
		}
	}
}

// roundTripFunc is an http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestBearerOnlyToTheService checks that the token goes to the service's
// host and not to another, as after a redirect.
func TestBearerOnlyToTheService(t *testing.T) {
	var got string
	b := bearer{token: testToken, host: "app.example.com", next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r.Header.Get("Authorization")
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
	})}
	for _, c := range []struct{ url, want string }{
		{"https://app.example.com/scim/v2/Users", "Bearer " + testToken},
		{"https://elsewhere.example.net/scim/v2/Users", ""},
		{"https://app.example.com.elsewhere.example.net/", ""},
	} {
		req, _ := http.NewRequest("GET", c.url, nil)
		if _, err := b.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: Authorization %q, want %q", c.url, got, c.want)
		}
	}
}
