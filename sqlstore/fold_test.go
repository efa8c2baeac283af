package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/scim-go/scim/sqlstore"
)

// TestPostgresFoldInlined checks that New replaces a scim_fold declared
// STRICT, as the store once declared it, by one PostgreSQL inlines: a
// STRICT SQL function with a CASE is called instead, which parses its body
// on every insert into a table with a folded index.
func TestPostgresFoldInlined(t *testing.T) {
	var pg *database
	for _, d := range databases(t) {
		if d.dialect == sqlstore.PostgreSQL {
			pg = &d
		}
	}
	if pg == nil {
		t.Skip("needs PostgreSQL")
	}
	db := pg.open(t)
	strict := strings.Replace(sqlstore.PostgresFoldSQL(), "IMMUTABLE", "IMMUTABLE STRICT", 1)
	exec(t, db, strict)
	exec(t, db, appSchema(pg.dialect)...)
	ctx := context.Background()
	if _, err := sqlstore.New(ctx, sqlstore.Config{DB: db, Dialect: pg.dialect, Types: appTypes(), Tenant: tenantOf}); err != nil {
		t.Fatal(err)
	}
	var isStrict bool
	if err := db.QueryRow(`SELECT proisstrict FROM pg_proc WHERE oid = to_regprocedure('scim_fold(text)')`).Scan(&isStrict); err != nil {
		t.Fatal(err)
	}
	if isStrict {
		t.Error("scim_fold is still STRICT after New")
	}
	var plan strings.Builder
	rows, err := db.Query(`EXPLAIN (VERBOSE) SELECT scim_fold(email) FROM accounts`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan.String(), "scim_fold") || !strings.Contains(plan.String(), "translate") {
		t.Errorf("scim_fold is called rather than inlined:\n%s", plan.String())
	}
	for _, c := range []struct {
		in   sql.NullString
		want sql.NullString
	}{
		{sql.NullString{}, sql.NullString{}},
		{sql.NullString{String: "ÄBC K ǅ", Valid: true}, sql.NullString{String: "äbc k ǆ", Valid: true}},
	} {
		var got sql.NullString
		if err := db.QueryRow(`SELECT scim_fold($1::text)`, c.in).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("scim_fold(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
