package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// writers is how many goroutines each concurrency test runs at once.
const writers = 50

// serveRequest sends one request through h, as a client would, and returns
// the recorded response. It is safe for concurrent use.
func serveRequest(h http.Handler, method, target, ifMatch, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// createUser posts a user and returns its id and ETag.
func createUser(t *testing.T, h http.Handler, body string) (id, etag string) {
	t.Helper()
	rec := serveRequest(h, http.MethodPost, "/Users", "", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /Users: status %d, want 201; body %s", rec.Code, rec.Body)
	}
	var u struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
		t.Fatalf("POST /Users: %v", err)
	}
	return u.ID, rec.Header().Get("ETag")
}

// getUser reads a user and returns its body, decoded, and its ETag.
func getUser(t *testing.T, h http.Handler, id string) (map[string]any, string) {
	t.Helper()
	rec := serveRequest(h, http.MethodGet, "/Users/"+id, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /Users/%s: status %d, want 200; body %s", id, rec.Code, rec.Body)
	}
	var u map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
		t.Fatalf("GET /Users/%s: %v", id, err)
	}
	return u, rec.Header().Get("ETag")
}

// versionOf returns the counter behind an ETag of the memory handler, which
// numbers its writes: W/"7" is 7.
func versionOf(t *testing.T, etag string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(etag, `W/"`), `"`))
	if err != nil {
		t.Fatalf("ETag %q is not a weak tag around a counter", etag)
	}
	return n
}

// scimErrorProblem describes how rec fails to be a SCIM error response
// (RFC 7644 §3.12) with the given status and scimType, or returns "".
func scimErrorProblem(rec *httptest.ResponseRecorder, status int, scimType scim.ErrorType) string {
	if rec.Code != status {
		return fmt.Sprintf("status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/scim+json" {
		return fmt.Sprintf("Content-Type %q, want application/scim+json", ct)
	}
	var body struct {
		Schemas  []string
		ScimType scim.ErrorType
		Detail   string
		Status   string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		return fmt.Sprintf("error body is not JSON: %v: %s", err, rec.Body)
	}
	want := []string{schema.ErrorURN}
	if !slices.Equal(body.Schemas, want) || body.Status != strconv.Itoa(status) || body.ScimType != scimType || body.Detail == "" {
		return fmt.Sprintf("error body %s, want schemas %q, status %q, scimType %q and a detail", rec.Body, want, strconv.Itoa(status), scimType)
	}
	return ""
}

// runWriters runs f(0) to f(writers-1) on their own goroutines, releasing
// them together so that they contend, and waits for all of them.
func runWriters(f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}

const userURN = `"urn:ietf:params:scim:schemas:core:2.0:User"`

// TestConcurrentConditionalPut checks that If-Match makes PUT a
// compare-and-swap (RFC 7644 §3.14): of writers holding the same version only
// one succeeds, and writers that re-read and retry on 412 lose no update.
func TestConcurrentConditionalPut(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	id, etag := createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen", "displayName": "initial"}`)
	initial := versionOf(t, etag)

	// Round 1: every writer holds the initial ETag.
	recs := make([]*httptest.ResponseRecorder, writers)
	runWriters(func(i int) {
		body := fmt.Sprintf(`{"schemas": [%s], "userName": "bjensen", "displayName": "writer %d"}`, userURN, i)
		recs[i] = serveRequest(srv, http.MethodPut, "/Users/"+id, etag, body)
	})
	winner := -1
	for i, rec := range recs {
		if rec.Code == http.StatusOK {
			if winner >= 0 {
				t.Errorf("writers %d and %d both got 200 with If-Match %s", winner, i, etag)
			}
			winner = i
			continue
		}
		if p := scimErrorProblem(rec, http.StatusPreconditionFailed, ""); p != "" {
			t.Errorf("writer %d: %s", i, p)
		}
	}
	if winner < 0 {
		t.Fatalf("no writer got 200 with If-Match %s", etag)
	}
	u, etag := getUser(t, srv, id)
	if diff := cmp.Diff(fmt.Sprintf("writer %d", winner), u["displayName"]); diff != "" {
		t.Errorf("stored displayName differs from the winner's (-want +got):\n%s", diff)
	}
	if got := recs[winner].Header().Get("ETag"); got != etag {
		t.Errorf("winner's response has ETag %s, GET has %s", got, etag)
	}
	if got := versionOf(t, etag); got != initial+1 {
		t.Errorf("version went from %d to %d after one successful write", initial, got)
	}
	if meta, _ := u["meta"].(map[string]any); meta["version"] != etag {
		t.Errorf("meta.version is %v, ETag header %s", meta["version"], etag)
	}

	// Round 2: each writer adds its own email, re-reading on 412.
	afterRound1 := versionOf(t, etag)
	// A writer's PUT fails only when another writer's PUT succeeded since
	// its GET, and every writer succeeds once: no writer needs more tries
	// than there are writers.
	const maxTries = writers
	tries := make([]int, writers)
	runWriters(func(i int) {
		mine := fmt.Sprintf("writer%d@example.com", i)
		for tries[i] = 1; tries[i] <= maxTries; tries[i]++ {
			rec := serveRequest(srv, http.MethodGet, "/Users/"+id, "", "")
			if rec.Code != http.StatusOK {
				t.Errorf("writer %d: GET: status %d; body %s", i, rec.Code, rec.Body)
				return
			}
			var u map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &u); err != nil {
				t.Errorf("writer %d: GET: %v", i, err)
				return
			}
			emails, _ := u["emails"].([]any)
			u["emails"] = append(emails, map[string]any{"value": mine, "type": "work"})
			body, err := json.Marshal(u)
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
				return
			}
			rec = serveRequest(srv, http.MethodPut, "/Users/"+id, rec.Header().Get("ETag"), string(body))
			switch rec.Code {
			case http.StatusOK:
				return
			case http.StatusPreconditionFailed:
				if p := scimErrorProblem(rec, http.StatusPreconditionFailed, ""); p != "" {
					t.Errorf("writer %d: PUT: %s", i, p)
					return
				}
			default:
				t.Errorf("writer %d: PUT: status %d, want 200 or 412; body %s", i, rec.Code, rec.Body)
				return
			}
		}
		t.Errorf("writer %d: still 412 after %d tries", i, maxTries)
	})
	if t.Failed() {
		return
	}
	u, etag = getUser(t, srv, id)
	var got, want []string
	for i := range writers {
		want = append(want, fmt.Sprintf("writer%d@example.com", i))
	}
	emails, _ := u["emails"].([]any)
	for _, e := range emails {
		m, _ := e.(map[string]any)
		s, _ := m["value"].(string)
		got = append(got, s)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("emails after every writer added one (-want +got):\n%s", diff)
	}
	if got := versionOf(t, etag); got != afterRound1+writers {
		t.Errorf("version went from %d to %d after %d successful writes", afterRound1, got, writers)
	}
	t.Logf("round 2: %d PUTs for %d writes", sumInts(tries), writers)
}

func sumInts(s []int) int {
	n := 0
	for _, v := range s {
		n += v
	}
	return n
}

// racingStore is a ResourceHandler that counts the version conflicts its
// Replace reports. When yield is set, Get lets other goroutines run before it
// returns, as a database round trip does, so that concurrent writers come
// between the server's read and its write.
type racingStore struct {
	scim.ResourceHandler
	yield     bool
	conflicts atomic.Int64
}

func (s *racingStore) Get(ctx context.Context, id string) (*resource.Resource, error) {
	r, err := s.ResourceHandler.Get(ctx, id)
	if s.yield {
		runtime.Gosched()
	}
	return r, err
}

func (s *racingStore) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	out, err := s.ResourceHandler.Replace(ctx, r, version)
	if errors.Is(err, scim.ErrVersionMismatch) {
		s.conflicts.Add(1)
	}
	return out, err
}

// TestConcurrentPutWithoutIfMatch checks that PUT without If-Match is not
// conditional: however many writers race, each one's write is stored
// (last writer wins), none is refused, and the version moves once per write.
func TestConcurrentPutWithoutIfMatch(t *testing.T) {
	tests := []struct {
		name  string
		yield bool
	}{
		{name: "memory"},
		{name: "store with latency", yield: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users := schema.UserResourceType()
			store := &racingStore{ResourceHandler: testHandler(users, "u"), yield: tt.yield}
			srv, err := scim.NewServer(scim.Config{
				Endpoints: []scim.Endpoint{{Type: users, Handler: store}},
				BaseURL:   "https://example.com/scim/v2",
			})
			if err != nil {
				t.Fatal(err)
			}
			id, etag := createUser(t, srv, `{"schemas": [`+userURN+`], "userName": "bjensen"}`)
			initial := versionOf(t, etag)

			recs := make([]*httptest.ResponseRecorder, writers)
			runWriters(func(i int) {
				body := fmt.Sprintf(`{"schemas": [%s], "userName": "bjensen", "displayName": "writer %d"}`, userURN, i)
				recs[i] = serveRequest(srv, http.MethodPut, "/Users/"+id, "", body)
			})
			var names []string
			for i, rec := range recs {
				if rec.Code != http.StatusOK {
					t.Errorf("writer %d: status %d, want 200; body %s", i, rec.Code, rec.Body)
					continue
				}
				names = append(names, fmt.Sprintf("writer %d", i))
			}
			u, etag := getUser(t, srv, id)
			if got := versionOf(t, etag); got != initial+writers {
				t.Errorf("version went from %d to %d after %d writes, want %d", initial, got, writers, initial+writers)
			}
			if name, _ := u["displayName"].(string); !slices.Contains(names, name) {
				t.Errorf("stored displayName %q is not one a successful writer sent", name)
			}
			t.Logf("the server retried %d version conflicts", store.conflicts.Load())
		})
	}
}

// TestConcurrentCreateUniqueness checks that userName, unique and not
// caseExact (RFC 7643 §4.1.1), admits one of many concurrent creates that
// spell it in different case, and answers the others 409 uniqueness.
func TestConcurrentCreateUniqueness(t *testing.T) {
	srv := newTestServer(t, scim.Config{})
	const name = "bjensen" // 2^7 spellings; writers uses the first 50
	recs := make([]*httptest.ResponseRecorder, writers)
	runWriters(func(i int) {
		body := fmt.Sprintf(`{"schemas": [%s], "userName": %q}`, userURN, spelling(name, i))
		recs[i] = serveRequest(srv, http.MethodPost, "/Users", "", body)
	})
	created := 0
	for i, rec := range recs {
		if rec.Code == http.StatusCreated {
			created++
			continue
		}
		if p := scimErrorProblem(rec, http.StatusConflict, scim.Uniqueness); p != "" {
			t.Errorf("writer %d (%q): %s", i, spelling(name, i), p)
		}
	}
	if created != 1 {
		t.Errorf("%d creates succeeded, want 1", created)
	}
	rec := serveRequest(srv, http.MethodGet, "/Users", "", "")
	var list struct{ TotalResults int }
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET /Users: status %d, %v; body %s", rec.Code, err, rec.Body)
	}
	if list.TotalResults != 1 {
		t.Errorf("GET /Users: totalResults %d, want 1", list.TotalResults)
	}
}

// spelling returns s with the letters whose bit is set in n upper-cased.
func spelling(s string, n int) string {
	b := []byte(s)
	for i := range b {
		if n&(1<<i) != 0 {
			b[i] = b[i] - 'a' + 'A'
		}
	}
	return string(b)
}

// TestPutRetriesAcrossServers runs two servers on one store, as two
// instances of an application behind a load balancer do. Their writers
// race for real, so the store's compare-and-swap refuses some writes; the
// server re-reads and retries those. A PUT without If-Match must never be
// answered 412, every accepted write must be stored, and nothing may be
// lost: the version moves exactly once per 200.
func TestPutRetriesAcrossServers(t *testing.T) {
	users := schema.UserResourceType()
	store := &racingStore{ResourceHandler: testHandler(users, "u"), yield: true}
	var srvs [2]http.Handler
	for i := range srvs {
		srv, err := scim.NewServer(scim.Config{
			Endpoints: []scim.Endpoint{{Type: users, Handler: store}},
			BaseURL:   "https://example.com/scim/v2",
		})
		if err != nil {
			t.Fatal(err)
		}
		srvs[i] = srv
	}
	id, etag := createUser(t, srvs[0], `{"schemas": [`+userURN+`], "userName": "bjensen"}`)
	initial := versionOf(t, etag)
	recs := make([]*httptest.ResponseRecorder, writers)
	runWriters(func(i int) {
		body := fmt.Sprintf(`{"schemas": [%s], "userName": "bjensen", "displayName": "writer %d"}`, userURN, i)
		recs[i] = serveRequest(srvs[i%2], http.MethodPut, "/Users/"+id, "", body)
	})
	ok := 0
	for i, rec := range recs {
		switch rec.Code {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			// Out of retries: allowed, but the client is told to retry.
		default:
			t.Errorf("writer %d: status %d, want 200 (or 503 after many lost races); body %s", i, rec.Code, rec.Body)
		}
	}
	_, etag = getUser(t, srvs[1], id)
	if got := versionOf(t, etag); got != initial+ok {
		t.Errorf("version %d after %d successful writes from %d, want %d", got, ok, initial, initial+ok)
	}
	if ok == 0 {
		t.Error("no write succeeded")
	}
	t.Logf("%d of %d writes succeeded; the store refused %d stale writes, which were retried", ok, writers, store.conflicts.Load())
}
