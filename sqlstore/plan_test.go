package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/sqlstore"
)

// TestQueryPlans checks that the lookups identity providers make run from
// an index, with the indexes of Store.Indexes, rather than scanning a
// table: their cost must not grow with the number of resources.
func TestQueryPlans(t *testing.T) {
	lookups := []struct{ typ, filter string }{
		{"User", `userName eq "BJensen@Example.com"`},
		{"User", `externalId eq "701984"`},
		{"User", `id eq "42"`},
		{"User", `emails[type eq "work" and value eq "bjensen@example.com"]`},
		{"User", `emails.value eq "bjensen@example.com"`},
		{"Group", `displayName eq "Sales"`},
		{"Group", `externalId eq "x"`},
		{"Group", `id eq "7" and members[value eq "42"]`},
		{"Group", `members[value eq "42"]`},
	}
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newAppStore(t, d)
			ctx := context.Background()
			if err := s.CreateIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			// Enough rows that a scan is not the planner's obvious choice.
			seed(t, db, d.dialect, 2000)
			// Plans with the statistics a database has before ANALYZE,
			// which SQLite never runs by itself, and after.
			for _, analyzed := range []bool{false, true} {
				if analyzed {
					exec(t, db, "ANALYZE")
				}
				checkPlans(t, ctx, s, db, d.dialect, lookups)
			}
		})
	}
}

func checkPlans(t *testing.T, ctx context.Context, s *sqlstore.Store, db *sql.DB, d sqlstore.Dialect, lookups []struct{ typ, filter string }) {
	for _, l := range lookups {
		h := s.Handler(l.typ)
		f, err := filter.Compile(h.Type(), l.filter)
		if err != nil {
			t.Fatal(err)
		}
		stmt, args, err := h.ListSQL(ctx, &scim.Query{Filter: f, StartIndex: 1, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		plan := explain(t, db, d, stmt, args)
		if scans(d, plan) {
			t.Errorf("%s %s: the plan scans a table:\n%s\n%s", l.typ, l.filter, stmt, plan)
		}
	}
}

// seed fills the app's tables with n accounts of one tenant, each with an
// email, and n/10 teams of ten members.
func seed(t testing.TB, db *sql.DB, d sqlstore.Dialect, n int) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := tx.Exec(d.Rebind("INSERT INTO accounts (id, org_id, email, scim_external_id) VALUES (?, 'acme', ?, ?)"), i, fmt.Sprintf("user%d@example.com", i), fmt.Sprint("ext", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(d.Rebind("INSERT INTO account_emails (account_id, address, kind) VALUES (?, ?, 'work')"), i, fmt.Sprintf("user%d@example.com", i)); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			team := i / 10
			if _, err := tx.Exec(d.Rebind("INSERT INTO teams (id, org_id, name) VALUES (?, 'acme', ?)"), team, fmt.Sprint("team", team)); err != nil {
				t.Fatal(err)
			}
			for m := i - 9; m <= i; m++ {
				if _, err := tx.Exec(d.Rebind("INSERT INTO team_members (team_id, account_id) VALUES (?, ?)"), team, m); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// explain returns the plan of a query as text.
func explain(t testing.TB, db *sql.DB, d sqlstore.Dialect, stmt string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if d == sqlstore.PostgreSQL {
		prefix = "EXPLAIN "
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if d == sqlstore.PostgreSQL {
		// Small tables are cheaper to scan; what matters is that an
		// index can answer, as it must when the table is large.
		if _, err := tx.Exec("SET LOCAL enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(prefix+stmt, args...)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(lines, "\n")
}

// scans reports whether a plan reads every row of a table: the
// resources', or the one of a subquery, such as the join table's for
// members[value eq "..."].
func scans(d sqlstore.Dialect, plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if d == sqlstore.PostgreSQL && strings.Contains(line, "Seq Scan on ") {
			return true // of any table, with seq scans off
		}
		// SQLite: "SCAN r" is a full scan of the main table, "SCAN m" one
		// of the join table; "SCAN r USING INDEX" of a whole index is one
		// too.
		if d == sqlstore.SQLite && strings.HasPrefix(line, "SCAN ") {
			return true
		}
	}
	return false
}

// TestQueryPlansTextIDs checks the lookups of TestQueryPlans on the
// mapping with text ids, whose member ids compare folded (members.value is
// not caseExact) and whose email rows may be all NULL.
func TestQueryPlansTextIDs(t *testing.T) {
	lookups := []struct{ typ, filter string }{
		{"User", `userName eq "BJensen@Example.com"`},
		{"User", `externalId eq "701984"`},
		{"User", `id eq "p42"`},
		{"User", `emails[type eq "work" and value eq "bjensen@example.com"]`},
		{"User", `emails.value eq "bjensen@example.com"`},
		{"Group", `displayName eq "Sales"`},
		{"Group", `externalId eq "x"`},
		{"Group", `id eq "c7" and members[value eq "p42"]`},
		{"Group", `members[value eq "p42"]`},
	}
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, textSchema(d.dialect)...)
			ctx := context.Background()
			s, err := sqlstore.New(ctx, sqlstore.Config{DB: db, Dialect: d.dialect, Types: textTypes(nil)})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			tx, err := db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			insert := func(stmt string, args ...any) {
				if _, err := tx.Exec(d.dialect.Rebind(stmt), args...); err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i <= 2000; i++ {
				p := fmt.Sprint("p", i)
				insert("INSERT INTO people (id, user_name, ext_id) VALUES (?, ?, ?)", p, fmt.Sprintf("user%d@example.com", i), fmt.Sprint("ext", i))
				insert("INSERT INTO people_emails (person_id, value, kind) VALUES (?, ?, 'work')", p, fmt.Sprintf("user%d@example.com", i))
				if i%10 == 0 {
					c := fmt.Sprint("c", i/10)
					insert("INSERT INTO crews (id, name) VALUES (?, ?)", c, "team"+c)
					for m := i - 9; m <= i; m++ {
						insert("INSERT INTO crew_members (crew_id, person_id) VALUES (?, ?)", c, fmt.Sprint("p", m))
					}
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			for _, analyzed := range []bool{false, true} {
				if analyzed {
					exec(t, db, "ANALYZE")
				}
				checkPlans(t, ctx, s, db, d.dialect, lookups)
			}
		})
	}
}
