package scim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/scim-go/scim"
)

// The benchmarks compare the server, on the in-memory reference handler,
// with a baseline: a bare http.HandlerFunc that keeps users as
// map[string]any in a map guarded by a sync.RWMutex and converts them with
// encoding/json, the least any JSON-over-HTTP store does. Run them side by
// side with
//
//	go test -run='^$' -bench=. -benchmem .
//
// Both sides get the same request, reused across iterations, and the same
// minimal ResponseWriter, so that the difference is the cost of the server.

// benchUserPrefix and benchUserSuffix surround the userName of the full
// User of RFC 7643 §8.2, as a client sends it to POST or PUT: without the
// password, and without id, meta and groups, which the service provider
// assigns.
const (
	benchUserPrefix = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "externalId": "701984",
  "userName": "`
	benchUserSuffix = `",
  "name": {
    "formatted": "Ms. Barbara J Jensen, III",
    "familyName": "Jensen",
    "givenName": "Barbara",
    "middleName": "Jane",
    "honorificPrefix": "Ms.",
    "honorificSuffix": "III"
  },
  "displayName": "Babs Jensen",
  "nickName": "Babs",
  "profileUrl": "https://login.example.com/bjensen",
  "emails": [
    {"value": "bjensen@example.com", "type": "work", "primary": true},
    {"value": "babs@jensen.org", "type": "home"}
  ],
  "addresses": [
    {
      "type": "work",
      "streetAddress": "100 Universal City Plaza",
      "locality": "Hollywood",
      "region": "CA",
      "postalCode": "91608",
      "country": "USA",
      "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
      "primary": true
    },
    {
      "type": "home",
      "streetAddress": "456 Hollywood Blvd",
      "locality": "Hollywood",
      "region": "CA",
      "postalCode": "91608",
      "country": "USA",
      "formatted": "456 Hollywood Blvd\nHollywood, CA 91608 USA"
    }
  ],
  "phoneNumbers": [
    {"value": "555-555-5555", "type": "work"},
    {"value": "555-555-4444", "type": "mobile"}
  ],
  "ims": [{"value": "someaimhandle", "type": "aim"}],
  "photos": [
    {"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"},
    {"value": "https://photos.example.com/profilephoto/72930000000Ccne/T", "type": "thumbnail"}
  ],
  "userType": "Employee",
  "title": "Tour Guide",
  "preferredLanguage": "en-US",
  "locale": "en-US",
  "timezone": "America/Los_Angeles",
  "active": true,
  "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}]
}`
	benchUser = benchUserPrefix + "bjensen@example.com" + benchUserSuffix
)

// benchWriter is a minimal http.ResponseWriter that both sides of a
// benchmark reuse across iterations.
type benchWriter struct {
	header http.Header
	code   int
	body   []byte
}

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.code = 0
	w.body = w.body[:0]
}

// benchRequest is a request whose body is replaced before each iteration
// without allocating.
type benchRequest struct {
	req  *http.Request
	body *bytes.Reader
}

func newBenchRequest(method, target string) *benchRequest {
	body := bytes.NewReader(nil)
	req := httptest.NewRequest(method, target, nil)
	req.Body = io.NopCloser(body)
	if method == http.MethodPost || method == http.MethodPut {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	return &benchRequest{req: req, body: body}
}

func (r *benchRequest) setBody(b []byte) {
	r.body.Reset(b)
	r.req.ContentLength = int64(len(b))
}

// benchServe serves r with h b.N times, calling prepare before each, and fails
// unless every response has status want.
func benchServe(b *testing.B, h http.Handler, r *benchRequest, want int, prepare func(i int)) {
	w := &benchWriter{header: make(http.Header)}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if prepare != nil {
			prepare(i)
		}
		w.reset()
		h.ServeHTTP(w, r.req)
		if w.code != want {
			b.Fatalf("%s %s: status %d, want %d; body %s", r.req.Method, r.req.URL, w.code, want, w.body)
		}
	}
}

// newBenchServer returns the server with one user stored, its id, and the
// user as a GET returns it.
func newBenchServer(b *testing.B) (srv http.Handler, id string, user map[string]any) {
	srv = newTestServer(b, scim.Config{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/Users", strings.NewReader(benchUser))
	req.Header.Set("Content-Type", "application/scim+json")
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		b.Fatalf("POST /Users: status %d; body %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &user); err != nil {
		b.Fatal(err)
	}
	id, _ = user["id"].(string)
	return srv, id, user
}

// baselineStore is what the server is measured against: users in a map, by id,
// converted with encoding/json, and nothing else.
type baselineStore struct {
	mu    sync.RWMutex
	users map[string]map[string]any
	next  int
}

func newBaseline(id string, user map[string]any) http.HandlerFunc {
	s := &baselineStore{users: map[string]map[string]any{id: user}}
	return s.serveHTTP
}

func (s *baselineStore) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		id := strings.TrimPrefix(r.URL.Path, "/Users/")
		s.mu.RLock()
		u, ok := s.users[id]
		var out []byte
		var err error
		if ok {
			out, err = json.Marshal(u)
		}
		s.mu.RUnlock()
		s.write(w, http.StatusOK, out, ok, err)
	case http.MethodPost:
		u, err := baselineRead(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.next++
		id := strconv.Itoa(s.next)
		u["id"] = id
		s.users[id] = u
		s.mu.Unlock()
		out, err := json.Marshal(u)
		s.write(w, http.StatusCreated, out, true, err)
	case http.MethodPut:
		id := strings.TrimPrefix(r.URL.Path, "/Users/")
		u, err := baselineRead(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		u["id"] = id
		s.mu.Lock()
		_, ok := s.users[id]
		if ok {
			s.users[id] = u
		}
		s.mu.Unlock()
		var out []byte
		if ok {
			out, err = json.Marshal(u)
		}
		s.write(w, http.StatusOK, out, ok, err)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func baselineRead(r *http.Request) (map[string]any, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	var u map[string]any
	if err := json.Unmarshal(body, &u); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *baselineStore) write(w http.ResponseWriter, status int, body []byte, found bool, err error) {
	switch {
	case !found:
		http.NotFound(w, nil)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}
}

func BenchmarkGet(b *testing.B) {
	b.Run("scim", func(b *testing.B) {
		srv, id, _ := newBenchServer(b)
		benchServe(b, srv, newBenchRequest(http.MethodGet, "/Users/"+id), http.StatusOK, nil)
	})
	b.Run("baseline", func(b *testing.B) {
		_, id, user := newBenchServer(b)
		benchServe(b, newBaseline(id, user), newBenchRequest(http.MethodGet, "/Users/"+id), http.StatusOK, nil)
	})
}

// BenchmarkPost creates a new user in each iteration, numbered in its
// userName so that it is unique. Every postBatch users the store starts
// again empty, so that a long run does not measure a growing heap.
func BenchmarkPost(b *testing.B) {
	const postBatch = 1000
	bench := func(b *testing.B, fresh func() http.Handler) {
		r := newBenchRequest(http.MethodPost, "/Users")
		h := &handlerRef{fresh()}
		var body []byte
		benchServe(b, h, r, http.StatusCreated, func(i int) {
			if i > 0 && i%postBatch == 0 {
				b.StopTimer()
				h.Handler = fresh()
				b.StartTimer()
			}
			body = append(body[:0], benchUserPrefix...)
			body = strconv.AppendInt(body, int64(i), 10)
			body = append(body, benchUserSuffix...)
			r.setBody(body)
		})
	}
	b.Run("scim", func(b *testing.B) {
		bench(b, func() http.Handler {
			srv, _, _ := newBenchServer(b)
			return srv
		})
	})
	b.Run("baseline", func(b *testing.B) {
		_, id, user := newBenchServer(b)
		bench(b, func() http.Handler { return newBaseline(id, user) })
	})
}

// handlerRef is a handler that a benchmark can swap between iterations.
type handlerRef struct{ http.Handler }

// BenchmarkPut replaces the same user in each iteration, without If-Match.
func BenchmarkPut(b *testing.B) {
	bench := func(b *testing.B, h http.Handler, id string) {
		r := newBenchRequest(http.MethodPut, "/Users/"+id)
		// Two bodies in turn, so that every PUT changes the user and is
		// written: a PUT that changes nothing is not stored again.
		bodies := [2][]byte{[]byte(benchUser), []byte(strings.Replace(benchUser, `"Tour Guide"`, `"Tour Lead"`, 1))}
		if bytes.Equal(bodies[0], bodies[1]) {
			b.Fatal("the benchmark user has no title to change")
		}
		benchServe(b, h, r, http.StatusOK, func(i int) { r.setBody(bodies[i%2]) })
	}
	b.Run("scim", func(b *testing.B) {
		srv, id, _ := newBenchServer(b)
		bench(b, srv, id)
	})
	b.Run("baseline", func(b *testing.B) {
		_, id, user := newBenchServer(b)
		bench(b, newBaseline(id, user), id)
	})
}
