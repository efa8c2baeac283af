package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/scim-go/scim/filter"
)

// The store compares strings of attributes that are not caseExact
// (userName, emails, displayName, ...) through a database function,
// scim_fold, that computes filter.Fold: the same case fold as Filter.Match,
// Sort.Compare and the server's uniqueness checks use, for every Unicode
// letter ("ÄBC" and "äbc", the Kelvin sign and "k", "ǅ" and "ǆ" are equal),
// and whatever the database's locale. Uniqueness checks, filters and sorts
// read scim_fold(column), so a host's indexes on such columns should too
// (see Store.Indexes).

// FoldFunction is the name of the database function the store compares
// case-insensitive strings with.
const FoldFunction = "scim_fold"

// FoldValue is scim_fold for a driver that takes functions written in Go,
// as SQLite's do: it returns filter.Fold of a string (or of []byte, as
// text), and any other value, NULL included, as it is. With
// modernc.org/sqlite, register it once per process, before opening the
// database:
//
//	sqlite.MustRegisterDeterministicScalarFunction(sqlstore.FoldFunction, 1,
//		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
//			return sqlstore.FoldValue(args[0]), nil
//		})
//
// and with github.com/mattn/go-sqlite3 through
// SQLiteConn.RegisterFunc(sqlstore.FoldFunction, filter.Fold, true) in a
// ConnectHook.
func FoldValue(v driver.Value) driver.Value {
	switch v := v.(type) {
	case string:
		return filter.Fold(v)
	case []byte:
		return filter.Fold(string(v))
	}
	return v
}

// foldTable returns the runes that filter.Fold changes, other than the
// ASCII capitals, and what it changes them to, as two strings of equal
// length in runes: the arguments of PostgreSQL's translate.
var foldTable = sync.OnceValues(func() (from, to string) {
	var f, t strings.Builder
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if fr := filter.FoldRune(r); fr != r {
			f.WriteRune(r)
			t.WriteRune(fr)
		}
	}
	return f.String(), t.String()
})

// PostgresFoldSQL returns the statement that defines scim_fold in
// PostgreSQL. New runs it when the database lacks the function or has an
// outdated one; a host whose role may not create functions has an owner of
// the database run it instead, once, and again after an upgrade of Go that
// changes its Unicode tables.
//
// ASCII letters are folded by lower() under the "C" collation, which
// touches nothing else, and every other rune by translate() with the table
// of filter.FoldRune; a string that is all ASCII skips the table. The
// function is not declared STRICT, though it returns NULL for NULL: a
// STRICT SQL function whose body is a CASE is never inlined, so
// PostgreSQL would parse its body, a few kilobytes, on every insert into
// a table with a folded index and on every query that calls it.
func PostgresFoldSQL() string {
	return `CREATE OR REPLACE FUNCTION ` + FoldFunction + `(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fold$` + postgresFoldBody() + `$fold$`
}

// postgresFoldBody returns the body of scim_fold in PostgreSQL.
func postgresFoldBody() string {
	from, to := foldTable()
	return `
SELECT CASE WHEN octet_length(s) = char_length(s) THEN lower(s COLLATE "C")
ELSE translate(lower(s COLLATE "C"), '` + from + `', '` + to + `') END
`
}

// checkFold makes sure the database has a scim_fold that folds as
// filter.Fold does, creating it in PostgreSQL when it is missing or
// outdated (as after an upgrade of Go's Unicode tables, or when it is
// declared as an earlier version of the store declared it).
func checkFold(ctx context.Context, db *sql.DB, d Dialect) error {
	from, to := foldTable()
	probe := "ABCxyz" + from
	want := "abcxyz" + to
	var got sql.NullString
	if d == SQLite {
		err := db.QueryRowContext(ctx, "SELECT "+FoldFunction+"(?)", probe).Scan(&got)
		switch {
		case err != nil:
			return fmt.Errorf("sqlstore: the SQLite function %s is not registered with the driver (see FoldValue): %w", FoldFunction, err)
		case got.String != want:
			return fmt.Errorf("sqlstore: the SQLite function %s does not fold as filter.Fold does (see FoldValue)", FoldFunction)
		}
		return nil
	}
	// The definition is compared too: one that folds alike may still be
	// slower than the current one.
	const current = `SELECT p.prosrc = $1 AND NOT p.proisstrict FROM pg_proc p WHERE p.oid = to_regprocedure('` + FoldFunction + `(text)')`
	var same sql.NullBool
	if err := db.QueryRowContext(ctx, current, postgresFoldBody()).Scan(&same); err == nil && same.Bool {
		if err := db.QueryRowContext(ctx, "SELECT "+FoldFunction+"($1::text)", probe).Scan(&got); err == nil && got.String == want {
			return nil
		}
	}
	if _, err := db.ExecContext(ctx, PostgresFoldSQL()); err != nil {
		return fmt.Errorf("sqlstore: creating the PostgreSQL function %s (have an owner of the database run the statement of PostgresFoldSQL): %w", FoldFunction, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT "+FoldFunction+"($1::text)", probe).Scan(&got); err != nil || got.String != want {
		return fmt.Errorf("sqlstore: the PostgreSQL function %s does not fold as filter.Fold does; is the database's encoding UTF8? (%v)", FoldFunction, err)
	}
	return nil
}
