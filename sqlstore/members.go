package sqlstore

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
)

// A group's memberships are rows of the join table. Adding members is one
// INSERT ... SELECT that stores the known ones not stored yet, whatever the
// group's size; removing them one DELETE. A member id that names no
// resource of the tenant is never stored.

// member is a member as a request names it: its value, and its type's name
// when the request gives one.
type member struct {
	value, typ string
}

// requested returns the members values name, in order, without repeats.
func requested(vals []any) []member {
	var out []member
	seen := make(map[member]bool)
	for _, v := range vals {
		obj, _ := v.(map[string]any)
		value, _ := obj["value"].(string)
		if value == "" {
			continue
		}
		typ, _ := obj["type"].(string)
		m := member{value, typ}
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

// candidates returns the member types a member of the given type name may
// be, in the order they are tried: the one named, or all of them.
func (m *members) candidates(typ string) []*table {
	if typ == "" {
		return m.types
	}
	for _, mt := range m.types {
		if strings.EqualFold(mt.name, typ) {
			return []*table{mt}
		}
	}
	return nil
}

// add stores the members of group gid that vals name and the join table
// does not hold yet, and returns the ids it stored. Members that name no
// resource are skipped and logged, or refused when the store is so
// configured.
func (m *members) add(ctx context.Context, tx conn, gid any, vals []any, tenant any) ([]string, error) {
	var added []string
	pending := requested(vals)
	for round := 0; len(pending) > 0 && round < len(m.types); round++ {
		var next []member
		byType := make(map[*table][]member)
		var order []*table
		for _, r := range pending {
			c := m.candidates(r.typ)
			if round >= len(c) {
				continue
			}
			mt := c[round]
			if byType[mt] == nil {
				order = append(order, mt)
			}
			byType[mt] = append(byType[mt], r)
		}
		for _, mt := range order {
			rs := byType[mt]
			ids, err := m.insert(ctx, tx, gid, mt, rs, tenant)
			if err != nil {
				return nil, err
			}
			added = append(added, ids...)
			if len(ids) == len(rs) {
				continue
			}
			// Some were members already, or name no resource of this type.
			known, err := m.existing(ctx, tx, mt, rs, tenant)
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				if !known[r.value] {
					next = append(next, r)
				}
			}
		}
		pending = next
	}
	if len(pending) > 0 {
		ids := make([]string, len(pending))
		for i, r := range pending {
			ids[i] = r.value
		}
		if m.group.s.cfg.RejectUnknownMembers {
			return nil, &scim.Error{Status: http.StatusBadRequest, Type: scim.InvalidValue,
				Detail: "members: " + clip.String(strings.Join(ids, ", ")) + " name no resource that can be a member"}
		}
		m.group.s.logger().WarnContext(ctx, "sqlstore: members that name no resource were skipped",
			"type", m.group.name, "group", idString(gid), "ids", ids)
	}
	return added, nil
}

// insert stores as members of gid those of rs that are resources of type
// mt and not members yet, in one statement, and returns their ids. On
// PostgreSQL the member rows are locked for share, so that a concurrent
// delete of one waits and then removes the new membership too.
func (m *members) insert(ctx context.Context, tx conn, gid any, mt *table, rs []member, tenant any) ([]string, error) {
	var args []any
	var ph []string
	for _, r := range rs {
		v, ok := mt.idArg(r.value)
		if !ok {
			continue
		}
		args = append(args, v)
		ph = append(ph, "?")
	}
	if len(args) == 0 {
		return nil, nil
	}
	cols := m.m.Group + ", " + m.m.Member
	sel := "?, x." + mt.t.ID
	head := []any{gid}
	if m.m.Type != "" {
		cols += ", " + m.m.Type
		sel += ", ?"
		head = append(head, m.stored[mt.name])
	}
	stmt := "INSERT INTO " + m.m.Table + " (" + cols + ") SELECT " + sel + " FROM " + mt.t.Table + " x WHERE x." + mt.t.ID + " IN (" + strings.Join(ph, ", ") + ")"
	args = append(head, args...)
	if mt.t.Tenant != "" {
		stmt += " AND " + m.group.s.d.tenantAmong("x."+mt.t.Tenant, tenant)
		args = append(args, tenant)
	}
	stmt += " AND NOT EXISTS (SELECT 1 FROM " + m.m.Table + " y WHERE y." + m.m.Group + " = ? AND y." + m.m.Member + " = x." + mt.t.ID
	args = append(args, gid)
	if m.m.Type != "" {
		stmt += " AND y." + m.m.Type + " = ?"
		args = append(args, m.stored[mt.name])
	}
	stmt += ")"
	if m.group.s.d == PostgreSQL {
		stmt += " FOR SHARE OF x"
	}
	return m.ids(ctx, tx, stmt+" RETURNING "+m.m.Member, args)
}

// ids runs a statement that returns member ids.
func (m *members) ids(ctx context.Context, tx conn, stmt string, args []any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, m.group.s.d.rebind(stmt), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id any
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, idString(id))
	}
	return out, rows.Err()
}

// existing returns which of rs name resources of type mt.
func (m *members) existing(ctx context.Context, tx conn, mt *table, rs []member, tenant any) (map[string]bool, error) {
	var args []any
	var ph []string
	back := make(map[string]string)
	for _, r := range rs {
		if v, ok := mt.idArg(r.value); ok {
			args = append(args, v)
			ph = append(ph, "?")
			back[idString(v)] = r.value
		}
	}
	known := make(map[string]bool)
	if len(args) == 0 {
		return known, nil
	}
	stmt := "SELECT " + mt.t.ID + " FROM " + mt.t.Table + " WHERE " + mt.t.ID + " IN (" + strings.Join(ph, ", ") + ")"
	if mt.t.Tenant != "" {
		stmt += " AND " + m.group.s.d.tenantAmong(mt.t.Tenant, tenant)
		args = append(args, tenant)
	}
	rows, err := tx.QueryContext(ctx, m.group.s.d.rebind(stmt), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id any
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if v, ok := back[idString(id)]; ok {
			known[v] = true
		}
	}
	return known, rows.Err()
}

// remove deletes the memberships of gid that vals name, or all of them
// when all is set, and returns the ids of the members it removed: one
// DELETE for the members of each type the request names, and one for the
// members it names without a type, of whatever type.
func (m *members) remove(ctx context.Context, tx conn, gid any, vals []any, all bool) ([]string, error) {
	returning := " RETURNING " + m.m.Member
	if all {
		return m.ids(ctx, tx, "DELETE FROM "+m.m.Table+" WHERE "+m.m.Group+" = ?"+returning, []any{gid})
	}
	byType := make(map[string][]any) // type name ("" for any) -> id arguments
	var order []string
	for _, r := range requested(vals) {
		c := m.candidates(r.typ)
		if len(c) == 0 {
			continue
		}
		key := ""
		if r.typ != "" && m.m.Type != "" {
			key = c[0].name
		}
		v, ok := m.memberArg(r.value)
		if key != "" {
			v, ok = c[0].idArg(r.value)
		}
		if !ok {
			continue
		}
		if _, seen := byType[key]; !seen {
			order = append(order, key)
		}
		byType[key] = append(byType[key], v)
	}
	var removed []string
	for _, key := range order {
		args := append([]any{gid}, byType[key]...)
		stmt := "DELETE FROM " + m.m.Table + " WHERE " + m.m.Group + " = ? AND " + m.m.Member + " IN (" + placeholders(len(byType[key])) + ")"
		if key != "" {
			stmt += " AND " + m.m.Type + " = ?"
			args = append(args, m.stored[key])
		}
		ids, err := m.ids(ctx, tx, stmt+returning, args)
		if err != nil {
			return nil, err
		}
		removed = append(removed, ids...)
	}
	return removed, nil
}

// replace makes the members of gid exactly those vals name, deleting and
// adding only the difference, and returns the ids added and removed.
func (m *members) replace(ctx context.Context, tx conn, gid any, vals []any, tenant any) (added, removed []string, err error) {
	current, err := m.list(ctx, tx, gid)
	if err != nil {
		return nil, nil, err
	}
	want := requested(vals)
	keep := make(map[member]bool)
	var add []any
	for _, r := range want {
		found := false
		for _, c := range current {
			if c.value == r.value && (r.typ == "" || strings.EqualFold(c.typ, r.typ)) {
				keep[c], found = true, true
			}
		}
		if !found {
			add = append(add, map[string]any{"value": r.value, "type": r.typ})
		}
	}
	var drop []any
	for _, c := range current {
		if !keep[c] {
			drop = append(drop, map[string]any{"value": c.value, "type": c.typ})
		}
	}
	if removed, err = m.remove(ctx, tx, gid, drop, false); err != nil {
		return nil, nil, err
	}
	added, err = m.add(ctx, tx, gid, add, tenant)
	return added, removed, err
}

// list returns the members of gid.
func (m *members) list(ctx context.Context, tx conn, gid any) ([]member, error) {
	cols := m.m.Member
	if m.m.Type != "" {
		cols += ", " + m.m.Type
	}
	rows, err := tx.QueryContext(ctx, m.group.s.d.rebind("SELECT "+cols+" FROM "+m.m.Table+" WHERE "+m.m.Group+" = ?"), gid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []member
	for rows.Next() {
		var v, typ any
		dest := []any{&v}
		if m.m.Type != "" {
			dest = append(dest, &typ)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		name := m.types[0].name
		if m.m.Type != "" {
			name = text(typ)
			if n, ok := m.named[name]; ok {
				name = n
			}
		}
		out = append(out, member{idString(v), name})
	}
	return out, rows.Err()
}

// memberCounts remembers how many members a group had at a version this
// store committed, so that a member added to a large group is checked
// against Config.MaxValues without counting the group again: a count is
// known from the one before and the rows the PATCH added and removed, which
// the join table's statements return. An entry is used only while the
// group's version is still the one it was recorded at; every write through
// a store gives the group a new version, so a write by another replica is a
// miss, and the group is counted again, up to MaxValues+1 rows. A host that
// changes the join table without changing the version column bypasses
// that: its own additions count only once the group is written through a
// store again.
type memberCounts struct {
	mu sync.Mutex
	m  map[countKey]groupCount
}

type countKey struct{ tenant, id any }

type groupCount struct {
	version int64
	n       int
}

// maxCounts bounds the groups remembered; beyond it, the map starts over.
const maxCounts = 10_000

// key returns the key of group id in tenant, and false when either is of a
// type that cannot be a map key safely.
func (c *memberCounts) key(tenant, id any) (countKey, bool) {
	for _, v := range []any{tenant, id} {
		switch v.(type) {
		case nil, string, int, int32, int64, uint32, uint64:
		default:
			return countKey{}, false
		}
	}
	return countKey{tenant, id}, true
}

// at returns how many members the group had at version.
func (c *memberCounts) at(tenant, id any, version int64) (int, bool) {
	k, ok := c.key(tenant, id)
	if !ok {
		return 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.n, ok && e.version == version
}

// set records that the group had n members at version, once that version
// is committed.
func (c *memberCounts) set(tenant, id any, version int64, n int) {
	k, ok := c.key(tenant, id)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCounts {
		c.m = make(map[countKey]groupCount)
	}
	if e, ok := c.m[k]; !ok || e.version < version {
		c.m[k] = groupCount{version, n}
	}
}

// count returns how many members gid has, counting no further than limit.
func (m *members) count(ctx context.Context, tx conn, gid any, limit int) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, m.group.s.d.rebind("SELECT COUNT(*) FROM (SELECT 1 FROM "+m.m.Table+" WHERE "+m.m.Group+" = ? LIMIT ?) x"), gid, int64(limit)).Scan(&n)
	return n, err
}

// forget removes the resource idv of type t from every group it is a
// member of, giving those groups a new version, and, if t's resources have
// members, its own memberships.
func (t *table) forget(ctx context.Context, tx conn, idv any) error {
	for _, m := range t.memberOf {
		if err := t.forgetIn(ctx, tx, m, idv); err != nil {
			return err
		}
	}
	if t.members != nil {
		if _, err := t.members.remove(ctx, tx, idv, nil, true); err != nil {
			return err
		}
	}
	return nil
}

// forgetIn removes the resource idv of type t from the groups of the join
// table m, giving those groups a new version.
func (t *table) forgetIn(ctx context.Context, tx conn, m *members, idv any) error {
	g := m.group
	in := "SELECT " + m.m.Group + " FROM " + m.m.Table + " WHERE " + m.m.Member + " = ?"
	del := "DELETE FROM " + m.m.Table + " WHERE " + m.m.Member + " = ?"
	args := []any{idv}
	if m.m.Type != "" {
		in += " AND " + m.m.Type + " = ?"
		del += " AND " + m.m.Type + " = ?"
		args = append(args, m.stored[t.name])
	}
	set := g.t.Version + " = " + g.t.Version + " + 1"
	var uargs []any
	if g.t.Modified != "" {
		set += ", " + g.t.Modified + " = ?"
		uargs = append(uargs, g.s.d.timeArg(g.s.now()))
	}
	if _, err := t.exec(ctx, tx, "UPDATE "+g.t.Table+" SET "+set+" WHERE "+g.t.ID+" IN ("+in+")", append(uargs, args...)...); err != nil {
		return err
	}
	_, err := t.exec(ctx, tx, del, args...)
	return err
}

// membersOf returns the values of the members attribute of r.
func membersOf(r *resource.Resource) []any {
	vals, _ := r.Attributes["members"].([]any)
	return vals
}
