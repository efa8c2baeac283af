package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver

	"github.com/scim-go/scim/sqlstore"
)

// postgresEnv names the environment variable with the DSN of a PostgreSQL
// database for the tests, such as
// postgres://postgres@127.0.0.1:5432/scim_test?sslmode=disable. Each test
// works in a schema of its own, dropped at its end.
const postgresEnv = "SCIM_TEST_POSTGRES_DSN"

// database opens an empty database for a test.
type database struct {
	name    string
	dialect sqlstore.Dialect
	open    func(t testing.TB) *sql.DB
}

// databases returns SQLite always, and PostgreSQL when postgresEnv is set;
// it logs that PostgreSQL is skipped otherwise.
func databases(t testing.TB) []database {
	out := []database{{"sqlite", sqlstore.SQLite, openSQLite}}
	if os.Getenv(postgresEnv) != "" {
		out = append(out, database{"postgres", sqlstore.PostgreSQL, openPostgres})
	} else {
		t.Logf("PostgreSQL skipped: %s is not set", postgresEnv)
	}
	return out
}

var registerFold = sync.OnceFunc(func() {
	sqlite.MustRegisterDeterministicScalarFunction(sqlstore.FoldFunction, 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return sqlstore.FoldValue(args[0]), nil
		})
})

// openSQLite opens a new SQLite file as the package's documentation
// advises a server to: in WAL mode, writers taking the lock as they
// begin, the automatic checkpoint a backstop for CheckpointSQLite,
// statement journals in memory and a page cache of 64 MiB.
func openSQLite(t testing.TB) *sql.DB {
	t.Helper()
	registerFold()
	db, err := sql.Open("sqlite", sqliteDSN(filepath.Join(t.TempDir(), "scim.db"), "_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openPostgres creates a schema of its own for the test in the database
// postgresEnv names, and opens it with that schema first in search_path.
func openPostgres(t testing.TB) *sql.DB {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name+",public")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxIdleConns(8)
	t.Cleanup(func() {
		db.Close()
		admin, err := sql.Open("pgx", dsn)
		if err == nil {
			admin.ExecContext(context.Background(), "DROP SCHEMA "+name+" CASCADE")
			admin.Close()
		}
	})
	return db
}

// exec runs statements, failing the test on the first error.
func exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
