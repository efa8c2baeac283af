package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/sqlstore"
)

// replicasSQLiteEnv, set to 1, runs TestReplicas on SQLite with the
// store's documented settings alone (WAL and a busy timeout), which fail:
// see TestReplicas.
const replicasSQLiteEnv = "SCIM_TEST_SQLITE_REPLICAS"

// TestReplicas runs two scim.Servers over one database, as two replicas
// behind a load balancer would: two Stores, each with a pool of its own,
// on the same tables, with the requests of each test split between them.
// On PostgreSQL they are two pools on one schema; on SQLite, two pools on
// one file, which is what two processes sharing the file do (a Store lets
// one of its write transactions run at a time, but two Stores do not
// know of each other). Each runs with the indexes of Store.Indexes, and
// without any, when only the store's own checks keep userName unique.
//
// On SQLite opened as the store's documentation says (WAL and
// busy_timeout), concurrent member additions through two Stores fail with
// 500: a write transaction begins deferred, reads the group's version
// (taking a read snapshot), then writes; when the other Store's
// connection holds the write lock, or has committed since that snapshot,
// SQLite refuses the upgrade at once, with SQLITE_BUSY (5) or
// SQLITE_BUSY_SNAPSHOT (517), without waiting for busy_timeout, which
// applies only to a transaction that holds no lock yet. That run is
// skipped unless SCIM_TEST_SQLITE_REPLICAS=1. Write transactions that
// begin IMMEDIATE (the drivers' _txlock=immediate) take the write lock
// first, waiting under busy_timeout, and pass; that run always runs.
func TestReplicas(t *testing.T) {
	for _, indexed := range []bool{true, false} {
		name := "indexed"
		if !indexed {
			name = "unindexed"
		}
		t.Run(name, func(t *testing.T) {
			t.Run("postgres", func(t *testing.T) {
				if os.Getenv(postgresEnv) == "" {
					t.Skipf("PostgreSQL skipped: %s is not set", postgresEnv)
				}
				a, b := openPostgresPair(t)
				testReplicas(t, sqlstore.PostgreSQL, a, b, indexed)
			})
			t.Run("sqlite", func(t *testing.T) {
				if os.Getenv(replicasSQLiteEnv) != "1" {
					t.Skipf("two Stores on one SQLite file with deferred write transactions fail with SQLITE_BUSY; %s=1 runs it (see TestReplicas)", replicasSQLiteEnv)
				}
				a, b := openSQLitePair(t)
				testReplicas(t, sqlstore.SQLite, a, b, indexed)
			})
			t.Run("sqlite-txlock-immediate", func(t *testing.T) {
				a, b := openSQLitePair(t, "_txlock=immediate")
				testReplicas(t, sqlstore.SQLite, a, b, indexed)
			})
		})
	}
}

// openSQLitePair opens two pools on one new SQLite file, as openSQLite
// opens one, with the extra DSN options given.
func openSQLitePair(t *testing.T, extra ...string) (*sql.DB, *sql.DB) {
	registerFold()
	path := filepath.Join(t.TempDir(), "scim.db")
	var dbs [2]*sql.DB
	for i := range dbs {
		db, err := sql.Open("sqlite", sqliteDSN(path, extra...))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs[0], dbs[1]
}

// openPostgresPair creates a schema for the test and opens two pools on
// it, as openPostgres opens one.
func openPostgresPair(t *testing.T) (*sql.DB, *sql.DB) {
	dsn := os.Getenv(postgresEnv)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", dsn)
		if err == nil {
			admin.Exec("DROP SCHEMA " + name + " CASCADE")
			admin.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	var dbs [2]*sql.DB
	for i := range dbs {
		if dbs[i], err = sql.Open("pgx", u.String()); err != nil {
			t.Fatal(err)
		}
		// A replica's pool, sized for the requests it runs at once.
		dbs[i].SetMaxOpenConns(20)
		dbs[i].SetMaxIdleConns(20)
		t.Cleanup(func() { dbs[i].Close() })
	}
	return dbs[0], dbs[1]
}

// replicaResponse is what a replica answered.
type replicaResponse struct {
	code int
	etag string
	doc  map[string]any
}

// send serves one request with h; it may run on any goroutine.
func send(h http.Handler, method, target, body string) replicaResponse {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := replicaResponse{code: rec.Code, etag: rec.Header().Get("ETag")}
	json.Unmarshal(rec.Body.Bytes(), &r.doc)
	return r
}

// concurrently runs f(0) ... f(n-1) at once and returns their results.
func concurrently(n int, f func(i int) replicaResponse) []replicaResponse {
	out := make([]replicaResponse, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			out[i] = f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return out
}

func testReplicas(t *testing.T, d sqlstore.Dialect, dbA, dbB *sql.DB, indexed bool) {
	ctx := context.Background()
	exec(t, dbA, appSchema(d)...)
	var replicas [2]http.Handler
	for i, db := range []*sql.DB{dbA, dbB} {
		s, err := sqlstore.New(ctx, sqlstore.Config{DB: db, Dialect: d, Types: appTypes(), Tenant: tenantOf})
		if err != nil {
			t.Fatal(err)
		}
		if indexed && i == 0 {
			if err := s.CreateIndexes(ctx); err != nil {
				t.Fatal(err)
			}
		}
		srv, err := scim.NewServer(scim.Config{Endpoints: s.Endpoints(), BaseURL: benchBase, PatchNoContent: true})
		if err != nil {
			t.Fatal(err)
		}
		replicas[i] = srv
	}

	t.Run("members", func(t *testing.T) {
		const n = 200
		users := make([]string, n)
		for i := range users {
			r := send(replicas[i%2], "POST", "/Users", user(fmt.Sprintf("member%d@example.com", i)))
			if r.code != http.StatusCreated {
				t.Fatalf("POST /Users: %d %v", r.code, r.doc)
			}
			users[i] = r.doc["id"].(string)
		}
		r := send(replicas[0], "POST", "/Groups", group("Everyone"))
		if r.code != http.StatusCreated {
			t.Fatalf("POST /Groups: %d %v", r.code, r.doc)
		}
		gid := r.doc["id"].(string)
		rs := concurrently(n, func(i int) replicaResponse {
			return send(replicas[i%2], "PATCH", "/Groups/"+gid, patchOps(`{"op":"add","path":"members","value":[{"value":"`+users[i]+`"}]}`))
		})
		var versions []int
		for i, r := range rs {
			if r.code != http.StatusNoContent {
				t.Errorf("PATCH adding %s through replica %d: %d %v, want 204", users[i], i%2, r.code, r.doc)
				continue
			}
			v, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.etag, `W/"`), `"`))
			if err != nil {
				t.Errorf("PATCH adding %s: ETag %q", users[i], r.etag)
			}
			versions = append(versions, v)
		}
		// Each addition committed a version of its own, one after another.
		slices.Sort(versions)
		want := make([]int, 0, n)
		for v := 2; v <= n+1; v++ {
			want = append(want, v)
		}
		if diff := cmp.Diff(want, versions); diff != "" {
			t.Errorf("versions of the additions, sorted (-want +got):\n%s", diff)
		}
		got := send(replicas[1], "GET", "/Groups/"+gid, "")
		var members []string
		list, _ := got.doc["members"].([]any)
		for _, m := range list {
			members = append(members, m.(map[string]any)["value"].(string))
		}
		slices.Sort(members)
		wantMembers := slices.Clone(users)
		slices.Sort(wantMembers)
		if diff := cmp.Diff(wantMembers, members); diff != "" {
			t.Errorf("members at the end (-want +got):\n%s", diff)
		}
		if v := got.etag; v != `W/"`+strconv.Itoa(n+1)+`"` {
			t.Errorf("group version at the end %s, want %d", v, n+1)
		}
	})

	// Forty creates of one userName at once, spelled in as many ways as
	// case folding allows, give one user.
	for _, tc := range []struct {
		name  string
		names []string
	}{
		{"ascii", caseVariants("bjensen", 40)},
		{"non-ascii", caseVariants("äbc", 40)},
		{"kelvin", append(caseVariants("kelvin", 20), caseVariants("\u212Aelvin", 20)...)},
	} {
		t.Run("unique "+tc.name, func(t *testing.T) {
			rs := concurrently(len(tc.names), func(i int) replicaResponse {
				return send(replicas[i%2], "POST", "/Users", user(tc.names[i]))
			})
			created, conflicts := 0, 0
			for i, r := range rs {
				switch {
				case r.code == http.StatusCreated:
					created++
				case r.code == http.StatusConflict && r.doc["scimType"] == "uniqueness":
					conflicts++
				default:
					t.Errorf("POST userName %q through replica %d: %d %v, want 201 or 409 uniqueness", tc.names[i], i%2, r.code, r.doc)
				}
			}
			if created != 1 || conflicts != len(rs)-1 {
				t.Errorf("%d created and %d refused as not unique, want 1 and %d", created, conflicts, len(rs)-1)
			}
		})
	}
}

// caseVariants returns n spellings of s that differ in case, cycling
// through them when s has fewer.
func caseVariants(s string, n int) []string {
	runes := []rune(s)
	var out []string
	for mask := 0; len(out) < n; mask++ {
		v := slices.Clone(runes)
		for i, r := range v {
			if mask>>(i%20)&1 == 1 {
				v[i] = []rune(strings.ToUpper(string(r)))[0]
			}
		}
		out = append(out, string(v))
	}
	return out
}
