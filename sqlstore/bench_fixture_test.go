package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/sqlstore"
)

// The benchmarks' databases are SQLite files with the app's schema
// (appSchema) and the indexes of Store.Indexes, filled by bulk INSERTs in
// the formats the store writes (times as text in filter.TextTimeLayout).
// Each is built once per test binary run, in a temporary folder that
// TestMain removes, and copied for each benchmark that writes.
//
// A database of n users holds:
//
//   - accounts 1..n of tenant "acme", userName "user<i>@example.com",
//     externalId "ext-<i>", version 1;
//   - two emails each: "user<i>@example.com" (work, primary) and
//     "user<i>@home.example.org" (home);
//   - team 1, "Everyone", whose members are all n users, and teams
//     2..n/100+1 of 100 members each, so every user is in two teams.
//
// The skewed variant adds account n+1, "skewed@example.com", holding
// 10,000 work emails that are all "shared@example.com".

const (
	benchTenant = "acme"
	skewEmails  = 10_000
	skewValue   = "shared@example.com"
)

var benchCache struct {
	sync.Mutex
	dir   string
	files map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	benchCache.Lock()
	if benchCache.dir != "" {
		os.RemoveAll(benchCache.dir)
	}
	benchCache.Unlock()
	os.Exit(code)
}

// benchTime is the creation time of the i-th row, as SQLite keeps it.
func benchTime(i int) string {
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond).Format(filter.TextTimeLayout)
}

func benchUserName(i int) string { return fmt.Sprintf("user%d@example.com", i) }

// benchTeams is the number of teams of a database of n users.
func benchTeams(n int) int { return n/100 + 1 }

// benchFile returns the path of the database of n users, skewed or not,
// building it the first time. The file is shared: open it for reading, or
// copy it (benchCopy) to write.
func benchFile(tb testing.TB, n int, skew bool) string {
	tb.Helper()
	benchCache.Lock()
	defer benchCache.Unlock()
	return benchFileLocked(tb, n, skew)
}

func benchFileLocked(tb testing.TB, n int, skew bool) string {
	key := fmt.Sprintf("users-%d", n)
	if skew {
		key += "-skew"
	}
	if p := benchCache.files[key]; p != "" {
		return p
	}
	if benchCache.dir == "" {
		dir, err := os.MkdirTemp("", "sqlstore-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		benchCache.dir, benchCache.files = dir, make(map[string]string)
	}
	path := filepath.Join(benchCache.dir, key+".db")
	start := time.Now()
	var err error
	if skew {
		copyFile(tb, benchFileLocked(tb, n, false), path)
		err = addSkewedUser(path, n)
	} else {
		err = buildBenchDB(path, n)
	}
	if err != nil {
		tb.Fatalf("building %s: %v", key, err)
	}
	tb.Logf("built %s in %v", key, time.Since(start).Round(time.Millisecond))
	benchCache.files[key] = path
	return path
}

// sqliteDSN is the DSN of openSQLite for the file at path, with the
// extra pragmas or options given.
func sqliteDSN(path string, extra ...string) string {
	q := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_pragma=wal_autocheckpoint(4000)&_pragma=temp_store(memory)&_pragma=cache_size(-65536)"
	for _, e := range extra {
		q += "&" + e
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q}
	return u.String()
}

// openBenchDB opens the SQLite file at path as openSQLite does.
func openBenchDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	registerFold()
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// benchCopy copies the database of n users into the benchmark's temporary
// folder and opens the copy.
func benchCopy(tb testing.TB, n int, skew bool) *sql.DB {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "copy.db")
	copyFile(tb, benchFile(tb, n, skew), dst)
	return openBenchDB(tb, dst)
}

func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}

// buildBenchDB writes the database of n users at path.
func buildBenchDB(path string, n int) error {
	registerFold()
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range appSchema(sqlstore.SQLite) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	err = bulkInsert(ctx, tx, "accounts", []string{"id", "org_id", "email", "full_name", "is_active", "department", "created_at", "updated_at", "scim_external_id", "scim_version"}, n,
		func(i int) []any {
			id := i + 1
			at := benchTime(i)
			return []any{int64(id), benchTenant, benchUserName(id), fmt.Sprintf("User %d", id), true, fmt.Sprintf("Dept %d", id%50), at, at, fmt.Sprintf("ext-%d", id), int64(1)}
		})
	if err != nil {
		return err
	}
	err = bulkInsert(ctx, tx, "account_emails", []string{"account_id", "address", "kind", "is_primary"}, 2*n,
		func(i int) []any {
			id := i/2 + 1
			if i%2 == 0 {
				return []any{int64(id), benchUserName(id), "work", true}
			}
			return []any{int64(id), fmt.Sprintf("user%d@home.example.org", id), "home", false}
		})
	if err != nil {
		return err
	}
	teams := benchTeams(n)
	err = bulkInsert(ctx, tx, "teams", []string{"id", "org_id", "name", "created_at", "updated_at", "scim_external_id", "scim_version"}, teams,
		func(i int) []any {
			name := fmt.Sprintf("Team %d", i+1)
			if i == 0 {
				name = "Everyone"
			}
			return []any{int64(i + 1), benchTenant, name, benchTime(i), benchTime(i), fmt.Sprintf("team-%d", i+1), int64(1)}
		})
	if err != nil {
		return err
	}
	err = bulkInsert(ctx, tx, "team_members", []string{"team_id", "account_id"}, 2*n,
		func(i int) []any {
			if i < n {
				return []any{int64(1), int64(i + 1)}
			}
			u := i - n
			return []any{int64(u/100 + 2), int64(u + 1)}
		})
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s, err := sqlstore.New(ctx, sqlstore.Config{DB: db, Dialect: sqlstore.SQLite, Types: appTypes(), Tenant: tenantOf})
	if err != nil {
		return err
	}
	return s.CreateIndexes(ctx)
}

// addSkewedUser adds the user with skewEmails equal emails to the
// database of n users at path.
func addSkewedUser(path string, n int) error {
	ctx := context.Background()
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id := int64(n + 1)
	at := benchTime(n)
	if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, org_id, email, full_name, is_active, created_at, updated_at, scim_external_id, scim_version)
		VALUES (?, ?, 'skewed@example.com', 'Skewed', TRUE, ?, ?, 'ext-skewed', 1)`, id, benchTenant, at, at); err != nil {
		return err
	}
	err = bulkInsert(ctx, tx, "account_emails", []string{"account_id", "address", "kind", "is_primary"}, skewEmails,
		func(int) []any { return []any{id, skewValue, "work", false} })
	if err != nil {
		return err
	}
	return tx.Commit()
}

// bulkInsert inserts n rows into table, row(i) giving the i-th, in
// statements of many rows.
func bulkInsert(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int) []any) error {
	const per = 500
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	var full *sql.Stmt
	args := make([]any, 0, per*len(cols))
	for start := 0; start < n; start += per {
		k := min(per, n-start)
		args = args[:0]
		for i := start; i < start+k; i++ {
			args = append(args, row(i)...)
		}
		stmt := head + strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")
		var err error
		if k == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, stmt); err != nil {
					return err
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmt, args...)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
