package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/scim-go/scim"
)

var _ scim.Memberships = (*Handler)(nil)

// GroupsOf implements scim.Memberships for a type with a join table, in
// one query. The store fills in the groups of the resources it reads
// itself; the server asks only for resources it did not read from the
// store.
func (h *Handler) GroupsOf(ctx context.Context, memberType string, ids []string) (map[string][]scim.GroupRef, error) {
	m := h.t.members
	out := make(map[string][]scim.GroupRef)
	if m == nil {
		return out, nil
	}
	mt := m.candidates(memberType)
	if len(mt) != 1 {
		return out, nil
	}
	tenant, err := h.t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	var args []any
	var ph []string
	for _, id := range ids {
		if v, ok := mt[0].idArg(id); ok {
			args = append(args, v)
			ph = append(ph, "?")
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	g := h.t
	display := "NULL"
	if g.display != "" {
		display = "g." + g.display
	}
	stmt := "SELECT m." + m.m.Member + ", m." + m.m.Group + ", " + display + " FROM " + m.m.Table + " m JOIN " + g.t.Table +
		" g ON g." + g.t.ID + " = m." + m.m.Group + " WHERE m." + m.m.Member + " IN (" + strings.Join(ph, ", ") + ")"
	if m.m.Type != "" {
		stmt += " AND m." + m.m.Type + " = ?"
		args = append(args, m.stored[mt[0].name])
	}
	if g.t.Tenant != "" {
		stmt += " AND " + g.s.d.tenantAmong("g."+g.t.Tenant, tenant)
		args = append(args, tenant)
	}
	rows, err := g.s.db().QueryContext(ctx, g.s.d.rebind(stmt+" ORDER BY m."+m.m.Group), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var member, group any
		var d sql.NullString
		if err := rows.Scan(&member, &group, &d); err != nil {
			return nil, err
		}
		id := idString(member)
		out[id] = append(out[id], scim.GroupRef{ID: idString(group), Display: d.String})
	}
	return out, rows.Err()
}

// RemoveMember implements scim.Memberships. The store's own Delete has
// already removed the resource from its groups, in its transaction; this
// removes what a write that bypassed the store may have left.
func (h *Handler) RemoveMember(ctx context.Context, memberType, id string) error {
	m := h.t.members
	if m == nil {
		return nil
	}
	mt := m.candidates(memberType)
	if len(mt) != 1 {
		return nil
	}
	idv, ok := mt[0].idArg(id)
	if !ok {
		return nil
	}
	return h.t.s.write(ctx, func(tx conn) error {
		return mt[0].forgetIn(ctx, tx, m, idv)
	})
}
