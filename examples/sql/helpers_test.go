package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
)

// postgresEnv names the environment variable with the DSN of a PostgreSQL
// database for the tests, such as
// postgres://postgres@127.0.0.1:5432/scim_test?sslmode=disable. Each test
// works in a schema of its own, dropped at its end.
const postgresEnv = "SCIM_TEST_POSTGRES_DSN"

// backend opens an empty database for a test.
type backend struct {
	name string
	open func(t testing.TB) *DB
}

// backends returns SQLite always, and PostgreSQL when postgresEnv is set.
// It logs that PostgreSQL is skipped otherwise.
func backends(t testing.TB) []backend {
	out := []backend{{"sqlite", openSQLite}}
	if os.Getenv(postgresEnv) != "" {
		out = append(out, backend{"postgres", openPostgres})
	} else {
		t.Logf("PostgreSQL skipped: %s is not set", postgresEnv)
	}
	return out
}

func openSQLite(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "scim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres creates a schema of its own for the test in the database
// postgresEnv names, and opens it with that schema as search_path.
func openPostgres(t testing.TB) *DB {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "scim_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	db, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return db
}

// testStores returns stores of Users and Groups with predictable ids
// ("u1", "g1", ...) and clocks that tick a second per write, as the
// library's golden tests give the memory handler.
func testStores(db *DB) (*Store, *Groups) {
	users := NewUsers(db, schema.UserResourceType())
	groups := NewGroups(db, schema.GroupResourceType())
	deterministic(users, "u")
	deterministic(groups.Store, "g")
	return users, groups
}

func deterministic(s *Store, prefix string) {
	var mu sync.Mutex
	n := 0
	s.NewID = func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return prefix + strconv.Itoa(n)
	}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
}

// testServer returns a server for Users and Groups in db, mounted at
// https://example.com/scim/v2, with cfg's other settings.
func testServer(t testing.TB, db *DB, cfg scim.Config) *scim.Server {
	t.Helper()
	users, groups := testStores(db)
	cfg.Endpoints = []scim.Endpoint{
		{Type: users.rt, Handler: users},
		{Type: groups.rt, Handler: groups},
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://example.com/scim/v2"
	}
	srv, err := scim.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}
