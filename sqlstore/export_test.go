package sqlstore

import (
	"context"
	"time"

	"github.com/scim-go/scim"
)

// ListSQL returns the statement that lists a page of q, and its
// arguments, for the tests of query plans.
func (h *Handler) ListSQL(ctx context.Context, q *scim.Query) (string, []any, error) {
	tenant, err := h.t.s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	ls, err := h.t.listSQL(q, tenant)
	return ls.page, ls.args, err
}

// SetAbsenceTTL sets how long stores trust that a unique index is absent,
// and returns a function that restores it.
func SetAbsenceTTL(d time.Duration) (restore func()) {
	old := absenceTTL
	absenceTTL = d
	return func() { absenceTTL = old }
}
