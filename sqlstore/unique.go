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
	name string

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
	stmt := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ? AND sql LIKE 'CREATE UNIQUE INDEX%'"
	if t.s.d == PostgreSQL {
		// to_regclass finds the index as the store's statements find its
		// table, through the search path, and is NULL, not an error, when
		// there is none: an error would end the transaction.
		stmt = "SELECT COUNT(*) FROM pg_index WHERE indexrelid = to_regclass(?) AND indisunique AND indisvalid"
	}
	var n int
	if err := q.QueryRowContext(ctx, t.s.d.rebind(stmt), u.name).Scan(&n); err != nil {
		n = 0 // the store's own check then runs, as without the index
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.present = n > 0
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
