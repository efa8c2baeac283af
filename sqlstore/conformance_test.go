package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/scim-go/scim/scimtest"
	"github.com/scim-go/scim/sqlstore"
)

// TestConformance runs the library's conformance suite against stores on
// SQLite and, when configured, PostgreSQL: the app's own tables, cut down
// and tenanted, and tables the store creates, with every attribute kept.
func TestConformance(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name+"/app", func(t *testing.T) {
			scimtest.Run(t, func(t *testing.T) *scimtest.Store {
				s, db := newAppStore(t, d)
				return storeUnderTest(t, s, db, []string{"accounts", "account_emails", "teams", "team_members"}, true)
			})
		})
		t.Run(d.name+"/full", func(t *testing.T) {
			scimtest.Run(t, func(t *testing.T) *scimtest.Store {
				s := newFullStore(t, d, sqlstore.Config{Hash: sha256Hash})
				return storeUnderTest(t, s, s.DB(), []string{"scim_users", "scim_user_emails", "scim_groups", "scim_group_members"}, false)
			})
		})
	}
}

func sha256Hash(s string) (string, error) {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// storeUnderTest describes s to the suite, with a Dump of tables.
func storeUnderTest(t *testing.T, s *sqlstore.Store, db *sql.DB, tables []string, tenanted bool) *scimtest.Store {
	st := &scimtest.Store{
		Dump: func(ctx context.Context) (string, error) { return dump(ctx, db, tables) },
	}
	for _, ep := range s.Endpoints() {
		switch ep.Type.Name {
		case "User":
			st.Users = ep
		case "Group":
			st.Groups = ep
		}
	}
	if tenanted {
		st.Tenant = func(ctx context.Context, n int) context.Context {
			return context.WithValue(ctx, tenantKey{}, fmt.Sprint("tenant", n))
		}
	}
	return st
}

// dump returns every row of tables as text.
func dump(ctx context.Context, db *sql.DB, tables []string) (string, error) {
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			return "", err
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			fmt.Fprintf(&b, "%s: %s\n", table, fmt.Sprint(vals...))
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					fmt.Fprintf(&b, "%s\n", bs)
				}
			}
		}
		rows.Close()
	}
	return b.String(), nil
}
