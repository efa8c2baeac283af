package sqlstore

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/scim-go/scim"
)

// uniqueIndex is what a store knows of the unique index that Indexes
// declares for a unique column. While the database has it, the database
// enforces the column's uniqueness, under Unicode case folding and per
// tenant, against every writer; a write then does without the store's own
// check, a query and, on PostgreSQL, an advisory lock per column, and a
// violation of the index is answered as the check would answer it.
//
// Whether the index exists is asked of the database at the first write
// that needs it, and then remembered while it exists; its absence is asked
// again after absenceTTL, so that an index a host creates later, with
// CreateIndexes or a migration, takes effect without a restart. An index
// dropped while a store runs is not noticed until the store restarts.
type uniqueIndex struct {
	name  string
	exprs string // what it indexes, as Indexes writes it: "org_id, scim_fold(email)"

	mu      sync.Mutex
	present bool
	asked   time.Time // when the index was last found absent
}

// absenceTTL is how long a store trusts that a unique index is absent.
var absenceTTL = time.Minute

// indexName is the name of the index that index() declares.
func indexName(table, what string, unique bool) string {
	name := strings.NewReplacer(".", "_").Replace(table + "_" + what)
	if unique {
		name += "_key"
	} else {
		name += "_idx"
	}
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}

// enforced reports whether the database enforces the uniqueness of
// t.unique[i] with its index, asking it through q if need be.
func (t *table) enforced(ctx context.Context, q querier, i int) bool {
	u := t.uniqueIdx[i]
	u.mu.Lock()
	present, asked := u.present, u.asked
	u.mu.Unlock()
	if present || !asked.IsZero() && time.Since(asked) < absenceTTL {
		return present
	}
	// An index of that name counts only if it is unique, whole (not
	// partial) and on exactly the expressions Indexes gives it: a host's
	// UNIQUE (email) constraint, which PostgreSQL names accounts_email_key
	// too, compares case-sensitively and must not stand in for it.
	stmt := "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?"
	if t.s.d == PostgreSQL {
		// to_regclass finds the index as the store's statements find its
		// table, through the search path, and is NULL, not an error, when
		// there is none: an error would end the transaction.
		stmt = "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = to_regclass(?) AND indisunique AND indisvalid"
	}
	var def string
	if err := q.QueryRowContext(ctx, t.s.d.rebind(stmt), u.name).Scan(&def); err != nil {
		def = "" // the store's own check then runs, as without the index
	}
	def = strings.Join(strings.Fields(def), " ")
	ok := strings.HasSuffix(def, "("+u.exprs+")") || strings.HasSuffix(def, "("+unwrap(u.exprs)+")")
	if t.s.d == SQLite {
		ok = ok && strings.HasPrefix(strings.ToUpper(def), "CREATE UNIQUE INDEX ")
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.present = ok
	if !u.present {
		u.asked = time.Now()
	}
	return u.present
}

// uniquenessError returns the error the uniqueness check answers for the
// unique index that err says a write violated, or nil when err names none
// of the store's.
func (s *Store) uniquenessError(err error) error {
	msg := err.Error()
	for _, t := range s.tables {
		for i, u := range t.uniqueIdx {
			if strings.Contains(msg, `"`+u.name+`"`) || strings.Contains(msg, `'`+u.name+`'`) {
				return t.inUse(t.unique[i])
			}
		}
	}
	return nil
}

// inUse is the error of a write that gives c a value another resource has.
func (t *table) inUse(c *column) error {
	return &scim.Error{Status: http.StatusConflict, Type: scim.Uniqueness,
		Detail: c.path + " is already in use by another " + t.name}
}

// unwrap returns a list of index expressions with the parentheses around
// each whole one taken away, as PostgreSQL's pg_get_indexdef writes them:
// "org_id, (scim_fold(email) COLLATE "C")" is "org_id, scim_fold(email)
// COLLATE "C"" there.
func unwrap(exprs string) string {
	var items []string
	depth, start := 0, 0
	for i := 0; i < len(exprs); i++ {
		switch exprs[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items = append(items, strings.TrimSpace(exprs[start:i]))
				start = i + 1
			}
		}
	}
	items = append(items, strings.TrimSpace(exprs[start:]))
	for i, e := range items {
		if inner, ok := strings.CutPrefix(e, "("); ok && strings.HasSuffix(inner, ")") && balanced(inner[:len(inner)-1]) {
			items[i] = inner[:len(inner)-1]
		}
	}
	return strings.Join(items, ", ")
}

// balanced reports whether s closes every parenthesis it opens, and never
// closes one it did not open.
func balanced(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}
