package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/sqlstore"
)

// The benchmarks serve the requests an identity provider sends, on SQLite
// databases of 1,000 and 100,000 users (see bench_fixture_test.go), each
// twice: through a scim.Server over a Store ("store"), and through a
// handler written by hand with database/sql and encoding/json over the
// same database file and the same indexes ("baseline", see
// bench_baseline_test.go). Both are driven through ServeHTTP with no
// socket. Run them with
//
//	go test -run '^$' -bench . -benchmem -count 5 ./sqlstore
//
// Targets: the store within 1.5x of the baseline; lookups by id,
// userName and email, the Entra ID membership check, and adding and
// removing a member as fast at 100,000 users as at 1,000 (within 1.3x),
// also when one user holds 10,000 equal emails. The group members are
// added to and removed from is the one every user is in.

var benchSizes = []int{1000, 100_000}

const (
	benchBase      = "https://example.com/scim/v2"
	benchMaxValues = 1_000_000
)

type benchSide struct {
	name string
	new  func(b *testing.B, db *sql.DB) http.Handler
}

var benchSides = []benchSide{
	{"store", newStoreHandler},
	{"baseline", func(b *testing.B, db *sql.DB) http.Handler { return newBaseline(b, db) }},
}

// newStoreHandler returns a scim.Server over a Store on db, answering
// PATCH with 204 as the baseline does. MaxValues is raised above the
// 10,000 of its default, which bounds the members of a group too: with
// it, any PATCH of the group of all 100,000 users, even one that removes
// a member, is refused with 400 "more than 10000 values".
func newStoreHandler(b *testing.B, db *sql.DB) http.Handler {
	b.Helper()
	s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: sqlstore.SQLite, Types: appTypes(), Tenant: tenantOf})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := scim.NewServer(scim.Config{Endpoints: s.Endpoints(), BaseURL: benchBase, PatchNoContent: true, MaxValues: benchMaxValues})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// benchWriter is a ResponseWriter reused across iterations.
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

// benchRequest is a request reused across iterations, with its body
// replaced before each.
type benchRequest struct {
	r    *http.Request
	body *bytes.Reader
}

func newBenchRequest(method, target string) *benchRequest {
	body := bytes.NewReader(nil)
	r := httptest.NewRequest(method, target, nil)
	r.Body = io.NopCloser(body)
	if method != http.MethodGet {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	return &benchRequest{r: r, body: body}
}

func (q *benchRequest) with(body []byte) *http.Request {
	q.body.Reset(body)
	q.r.ContentLength = int64(len(body))
	return q.r
}

// serve serves the request next(i) with h in the i-th iteration, until
// b.Loop ends, and fails unless each response has status want.
func serve(b *testing.B, h http.Handler, want int, next func(i int) *http.Request) {
	b.Helper()
	w := &benchWriter{header: make(http.Header)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := next(i)
		i++
		clear(w.header)
		w.code, w.body = 0, w.body[:0]
		h.ServeHTTP(w, r)
		if w.code != want {
			b.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.URL, w.code, want, w.body)
		}
	}
}

// benchRead runs a GET of target(n) on each side, over one database of
// each size shared by both.
func benchRead(b *testing.B, skew bool, target func(n int) string) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			db := openBenchDB(b, benchFile(b, n, skew))
			for _, side := range benchSides {
				b.Run(side.name, func(b *testing.B) {
					h := side.new(b, db)
					req := newBenchRequest(http.MethodGet, target(n)).r
					serve(b, h, http.StatusOK, func(int) *http.Request { return req })
				})
			}
		})
	}
}

// benchWrite runs run on each side, each over a copy of the database of
// each size of its own.
func benchWrite(b *testing.B, run func(b *testing.B, n int, db *sql.DB, h http.Handler)) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			benchFile(b, n, false) // built outside the sub-benchmarks' logs
			for _, side := range benchSides {
				b.Run(side.name, func(b *testing.B) {
					db := benchCopy(b, n, false)
					run(b, n, db, side.new(b, db))
				})
			}
		})
	}
}

func filterQuery(f string) string { return "filter=" + url.QueryEscape(f) }

// BenchmarkGetUser reads a user by id: its row, its emails and its
// groups.
func BenchmarkGetUser(b *testing.B) {
	benchRead(b, false, func(n int) string { return "/Users/" + strconv.Itoa(n/2) })
}

// BenchmarkFilterUserName looks a user up by userName, as identity
// providers do before creating one.
func BenchmarkFilterUserName(b *testing.B) {
	benchRead(b, false, func(n int) string {
		return "/Users?" + filterQuery(`userName eq "`+benchUserName(n/2)+`"`)
	})
}

// BenchmarkEntraMembership is the check Entra ID makes before adding a
// member: whether the user is a member of the group, without the members.
// The group is the one all users are in.
func BenchmarkEntraMembership(b *testing.B) {
	benchRead(b, false, func(n int) string {
		return "/Groups?" + filterQuery(`id eq "1" and members[value eq "`+strconv.Itoa(n/2)+`"]`) + "&excludedAttributes=members"
	})
}

// BenchmarkFilterEmails reads the page of users with a work email.
func BenchmarkFilterEmails(b *testing.B) {
	benchRead(b, false, func(n int) string {
		return "/Users?" + filterQuery(`emails[type eq "work" and value eq "`+benchUserName(n/2)+`"]`)
	})
}

// BenchmarkFilterEmailsSkewed reads the page of users with a work email
// that one user holds 10,000 times: one user, with its 10,000 emails.
func BenchmarkFilterEmailsSkewed(b *testing.B) {
	benchRead(b, true, func(int) string {
		return "/Users?" + filterQuery(`emails[type eq "work" and value eq "`+skewValue+`"]`)
	})
}

// benchUserBody is a User as an identity provider creates or replaces it.
func benchUserBody(userName, formatted string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":` + jsonString("ext-"+userName) + `,"userName":` + jsonString(userName) + `,` +
		`"name":{"formatted":` + jsonString(formatted) + `},"active":true,` +
		`"emails":[{"value":` + jsonString(userName) + `,"type":"work","primary":true},{"value":` + jsonString("home-"+userName) + `,"type":"home"}],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales"}}`)
}

// BenchmarkCreateUser creates users with two emails.
func BenchmarkCreateUser(b *testing.B) {
	benchWrite(b, func(b *testing.B, n int, db *sql.DB, h http.Handler) {
		req := newBenchRequest(http.MethodPost, "/Users")
		var body []byte
		serve(b, h, http.StatusCreated, func(i int) *http.Request {
			body = append(body[:0], benchUserBody(fmt.Sprintf("new%d@example.com", i), "New User")...)
			return req.with(body)
		})
	})
}

// BenchmarkReplaceUser replaces a user, changing its name each time.
func BenchmarkReplaceUser(b *testing.B) {
	benchWrite(b, func(b *testing.B, n int, db *sql.DB, h http.Handler) {
		id := n / 2
		req := newBenchRequest(http.MethodPut, "/Users/"+strconv.Itoa(id))
		bodies := [2][]byte{benchUserBody(benchUserName(id), "Barbara Jensen"), benchUserBody(benchUserName(id), "Babs Jensen")}
		serve(b, h, http.StatusOK, func(i int) *http.Request { return req.with(bodies[i%2]) })
	})
}

// memberPool returns the ids of the users added to and removed from the
// group of all users, and the SQL list of them.
func memberPool(n int) ([]string, string) {
	const size = 200
	ids := make([]string, size)
	for k := range ids {
		ids[k] = strconv.Itoa(1 + k*(n/size))
	}
	return ids, strings.Join(ids, ", ")
}

func patchBody(op string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + op + `]}`)
}

// BenchmarkAddMember adds one user to the group of all users, as Entra ID
// does. The users added are taken out of the group, outside the timer,
// before they are added again.
func BenchmarkAddMember(b *testing.B) {
	benchWrite(b, func(b *testing.B, n int, db *sql.DB, h http.Handler) {
		pool, list := memberPool(n)
		out := "DELETE FROM team_members WHERE team_id = 1 AND account_id IN (" + list + ")"
		exec(b, db, out)
		bodies := make([][]byte, len(pool))
		for k, id := range pool {
			bodies[k] = patchBody(`{"op":"add","path":"members","value":[{"value":"` + id + `"}]}`)
		}
		req := newBenchRequest(http.MethodPatch, "/Groups/1")
		serve(b, h, http.StatusNoContent, func(i int) *http.Request {
			k := i % len(pool)
			if k == 0 && i > 0 {
				b.StopTimer()
				exec(b, db, out)
				b.StartTimer()
			}
			return req.with(bodies[k])
		})
	})
}

// BenchmarkRemoveMember removes one user from the group of all users by a
// value filter, as Entra ID does. The users removed are put back, outside
// the timer, before they are removed again.
func BenchmarkRemoveMember(b *testing.B) {
	benchWrite(b, func(b *testing.B, n int, db *sql.DB, h http.Handler) {
		pool, list := memberPool(n)
		back := "INSERT INTO team_members (team_id, account_id) SELECT 1, id FROM accounts WHERE id IN (" + list + ")"
		bodies := make([][]byte, len(pool))
		for k, id := range pool {
			bodies[k] = patchBody(`{"op":"remove","path":"members[value eq \"` + id + `\"]"}`)
		}
		req := newBenchRequest(http.MethodPatch, "/Groups/1")
		serve(b, h, http.StatusNoContent, func(i int) *http.Request {
			k := i % len(pool)
			if k == 0 && i > 0 {
				b.StopTimer()
				exec(b, db, back)
				b.StartTimer()
			}
			return req.with(bodies[k])
		})
	})
}
