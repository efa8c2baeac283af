package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
)

// The benchmarks run on SQLite, against databases of 1,000 and 100,000
// users, each with one email, and one group whose members are all of them.
// The databases are built once, outside the timers, by inserting rows in
// one transaction, and shared by the benchmarks.
//
//	go test -run '^$' -bench . -benchmem ./examples/sql
//
// The lookup by userName and the adding and removing of a member must take
// the same time at both sizes: they use an index and touch one row. A page
// of a filter on emails scans the emails to count the matches
// (totalResults), so it grows with the table.

var sizes = []int{1000, 100000}

var (
	benchDir string
	benchMu  sync.Mutex
	benchDBs = map[int]*DB{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	benchMu.Lock()
	for _, db := range benchDBs {
		db.Close()
	}
	benchMu.Unlock()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchDB returns the database of n users and a group "g1" of n members,
// building it the first time.
func benchDB(b *testing.B, n int) *DB {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if db := benchDBs[n]; db != nil {
		return db
	}
	if benchDir == "" {
		dir, err := os.MkdirTemp("", "scim-bench")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = dir
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(benchDir, fmt.Sprintf("users-%d.db", n)))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err = db.inTx(ctx, func(t *tx) error {
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		users := make([][]any, n)
		emails := make([][]any, n)
		members := make([][]any, n)
		for i := range n {
			id := fmt.Sprintf("u%d", i)
			at := db.d.timeArg(base.Add(time.Duration(i) * time.Millisecond))
			users[i] = []any{id, i + 1, at, at, "ext" + id, fmt.Sprintf("user%d", i), "Given", fmt.Sprintf("Family%d", i), true, "{}"}
			domain := "example.com"
			if i%2 == 1 {
				domain = "example.org"
			}
			emails[i] = []any{id, 0, fmt.Sprintf("user%d@%s", i, domain), "work", true}
			members[i] = []any{"g1", id, nil, "User", nil}
		}
		if err := insertRows(ctx, t, "users", []string{"id", "version", "created", "last_modified", "external_id", "user_name", "given_name", "family_name", "active", "data"}, users, false); err != nil {
			return err
		}
		if err := insertRows(ctx, t, "user_emails", []string{"user_id", "pos", "value", "type", "is_primary"}, emails, false); err != nil {
			return err
		}
		at := db.d.timeArg(base)
		if err := insertRows(ctx, t, "groups", []string{"id", "version", "created", "last_modified", "display_name", "data"}, [][]any{{"g1", 1, at, at, "everyone", "{}"}}, false); err != nil {
			return err
		}
		if err := insertRows(ctx, t, "group_members", memberColumns, members, false); err != nil {
			return err
		}
		return insertRows(ctx, t, "scim_counters", []string{"name", "value"}, [][]any{{"users", n}, {"groups", 1}}, false)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d users and a group of %d members in %v", n, n, time.Since(start).Round(time.Millisecond))
	benchDBs[n] = db
	return db
}

func benchServer(b *testing.B, db *DB) http.Handler {
	b.Helper()
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{
			{Type: users, Handler: NewUsers(db, users)},
			{Type: groups, Handler: NewGroups(db, groups)},
		},
		PatchNoContent: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

func request(b *testing.B, h http.Handler, method, target, body string, want int) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d, want %d: %s", method, target, rec.Code, want, rec.Body)
	}
}

// GET /Users?filter=userName eq "..." for users spread over the table.
func BenchmarkLookupUserName(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			srv := benchServer(b, benchDB(b, n))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				target := fmt.Sprintf("/Users?filter=userName+eq+%%22USER%d%%22", (i*7919)%n)
				request(b, srv, "GET", target, "", 200)
			}
		})
	}
}

// GET a page of 100 users whose email ends in "@example.org": half of
// them.
func BenchmarkEmailFilterPage(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			srv := benchServer(b, benchDB(b, n))
			b.ResetTimer()
			for b.Loop() {
				request(b, srv, "GET", "/Users?filter=emails.value+ew+%22@example.org%22&count=100", "", 200)
			}
		})
	}
}

// PATCH a group of n members to add one; the member is removed again
// outside the timer.
func BenchmarkMemberAdd(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			db := benchDB(b, n)
			srv := benchServer(b, db)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				v := fmt.Sprintf("new%d", i)
				request(b, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
					"Operations":[{"op":"add","path":"members","value":[{"value":"`+v+`"}]}]}`, 204)
				b.StopTimer()
				request(b, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
					"Operations":[{"op":"remove","path":"members[value eq \"`+v+`\"]"}]}`, 204)
				b.StartTimer()
			}
		})
	}
}

// PATCH a group of n members to remove one by members[value eq "..."];
// the member is added back outside the timer.
func BenchmarkMemberRemove(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			db := benchDB(b, n)
			srv := benchServer(b, db)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				v := fmt.Sprintf("u%d", (i*7919)%n)
				request(b, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
					"Operations":[{"op":"remove","path":"members[value eq \"`+v+`\"]"}]}`, 204)
				b.StopTimer()
				request(b, srv, "PATCH", "/Groups/g1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
					"Operations":[{"op":"add","path":"members","value":[{"value":"`+v+`","type":"User"}]}]}`, 204)
				b.StartTimer()
			}
		})
	}
}

// Entra ID's membership check: the group by id with a member filter,
// without its members. The members are not read, so the cost does not grow
// with the group.
func BenchmarkMembershipCheck(b *testing.B) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("members=%d", n), func(b *testing.B) {
			db := benchDB(b, n)
			srv := benchServer(b, db)
			target := "/Groups?excludedAttributes=members&filter=" + url.QueryEscape(fmt.Sprintf(`id eq "g1" and members[value eq "u%d"]`, n/2))
			b.ResetTimer()
			for b.Loop() {
				request(b, srv, "GET", target, "", 200)
			}
		})
	}
}
