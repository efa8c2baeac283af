package main

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"
	"strings"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Groups is the store of Groups (schema.GroupResourceType) in the groups
// and group_members tables. It applies PATCH requests that add or remove
// members itself, touching only the rows of those members (see Patch).
//
// A group has at most one member per value, compared case-insensitively
// as patch.Apply compares members: a second member with the same value,
// even of another type, is dropped. Members come back ordered by value,
// not in the order they were added. A member needs a value.
type Groups struct {
	*Store
}

var _ scim.Patcher = (*Groups)(nil)

// NewGroups returns the store of Groups of type rt, whose core schema must
// be schema.Group's.
func NewGroups(db *DB, rt *schema.ResourceType) *Groups {
	return &Groups{newStore(db, rt, tableDef{
		table:   "groups",
		alias:   "g",
		counter: "groups",
		fields:  fields(rt, "", "displayName=display_name"),
		child:   members{},
	})}
}

// members keeps a group's members in group_members, one row per member,
// keyed by (group_id, LOWER(value)).
type members struct{}

func (members) attr() string { return "members" }

func (members) sqlTable() filter.SQLTable {
	return filter.SQLTable{
		From: "group_members m",
		Join: "m.group_id = g.id",
		Columns: map[string]string{
			"value":   "m.value",
			"$ref":    "m.ref",
			"type":    "m.type",
			"display": "m.display",
		},
	}
}

// member is one row of group_members.
type member struct {
	value             string
	ref, typ, display sql.NullString
	key               string // the value in lower case
}

func (m *member) elem() map[string]any {
	e := map[string]any{"value": m.value}
	if m.ref.Valid {
		e["$ref"] = m.ref.String
	}
	if m.typ.Valid {
		e["type"] = m.typ.String
	}
	if m.display.Valid {
		e["display"] = m.display.String
	}
	return e
}

func (m *member) row(groupID string) []any {
	return []any{groupID, m.value, m.ref, m.typ, m.display}
}

var memberColumns = []string{"group_id", "value", "ref", "type", "display"}

// toMember converts a value of members as a resource holds it.
func toMember(e any) (*member, error) {
	obj, _ := e.(map[string]any)
	v, _ := obj["value"].(string)
	if v == "" {
		return nil, &scim.Error{Status: 400, Type: scim.InvalidValue, Detail: "members: a member needs a value"}
	}
	m := &member{value: v, key: strings.ToLower(v)}
	str := func(k string) sql.NullString {
		s, ok := obj[k].(string)
		return sql.NullString{String: s, Valid: ok}
	}
	m.ref, m.typ, m.display = str("$ref"), str("type"), str("display")
	return m, nil
}

// normalize converts elems to members, dropping later members with the
// value of an earlier one, ordered by value as load reads them.
func normalize(elems []any) ([]*member, error) {
	seen := make(map[string]bool, len(elems))
	out := make([]*member, 0, len(elems))
	for _, e := range elems {
		m, err := toMember(e)
		if err != nil {
			return nil, err
		}
		if !seen[m.key] {
			seen[m.key] = true
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b *member) int { return strings.Compare(a.key, b.key) })
	return out, nil
}

func (members) load(ctx context.Context, t *tx, ids []string) (map[string][]any, error) {
	out := make(map[string][]any)
	err := loadMembers(ctx, t, ids, func(id string, m *member) { out[id] = append(out[id], m.elem()) })
	return out, err
}

func loadMembers(ctx context.Context, t *tx, ids []string, f func(id string, m *member)) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query(ctx, "SELECT group_id, value, ref, type, display FROM group_members WHERE group_id IN ("+placeholders(len(ids))+") ORDER BY group_id, LOWER(value)", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		m := new(member)
		if err := rows.Scan(&id, &m.value, &m.ref, &m.typ, &m.display); err != nil {
			return err
		}
		m.key = strings.ToLower(m.value)
		f(id, m)
	}
	return rows.Err()
}

// write stores the members of a new group, or replaces those of a group by
// deleting, updating and inserting only the rows that change: renaming a
// group of many members reads them all but rewrites none.
func (members) write(ctx context.Context, t *tx, id string, elems []any, replace bool) ([]any, error) {
	next, err := normalize(elems)
	if err != nil {
		return nil, err
	}
	var insert, update []*member
	var remove []string
	if !replace {
		insert = next
	} else {
		old := make(map[string]*member)
		if err := loadMembers(ctx, t, []string{id}, func(_ string, m *member) { old[m.key] = m }); err != nil {
			return nil, err
		}
		for _, m := range next {
			o, ok := old[m.key]
			switch {
			case !ok:
				insert = append(insert, m)
			case o.value != m.value || o.ref != m.ref || o.typ != m.typ || o.display != m.display:
				update = append(update, m)
			}
			delete(old, m.key)
		}
		for _, o := range old {
			remove = append(remove, o.value)
		}
	}
	for _, v := range remove {
		if _, err := t.exec(ctx, "DELETE FROM group_members WHERE group_id = ? AND LOWER(value) = LOWER(?)", id, v); err != nil {
			return nil, err
		}
	}
	for _, m := range update {
		if _, err := t.exec(ctx, "UPDATE group_members SET value = ?, ref = ?, type = ?, display = ? WHERE group_id = ? AND LOWER(value) = LOWER(?)",
			m.value, m.ref, m.typ, m.display, id, m.value); err != nil {
			return nil, err
		}
	}
	rows := make([][]any, len(insert))
	for i, m := range insert {
		rows[i] = m.row(id)
	}
	if err := insertRows(ctx, t, "group_members", memberColumns, rows, true); err != nil {
		return nil, err
	}
	out := make([]any, len(next))
	for i, m := range next {
		out[i] = m.elem()
	}
	return out, nil
}

func (members) remove(ctx context.Context, t *tx, id string) error {
	_, err := t.exec(ctx, "DELETE FROM group_members WHERE group_id = ?", id)
	return err
}

// errGeneric stops a native PATCH that patch.Apply must do instead.
var errGeneric = errors.New("apply with patch.Apply")

// Patch implements scim.Patcher.
//
// A request whose operations all add members ({"op": "add", "path":
// "members", "value": [...]}) or remove them (a path of
// members[value eq "..."], or a path of members with a value array, as
// Entra ID sends; or all members) is applied in the database: one INSERT
// ... ON CONFLICT DO NOTHING or DELETE per member, whatever the size of the
// group, and the version bumped with a compare-and-swap. A remove by a
// filter that matches no member, which is noTarget, and every other
// request are applied as the server would: the group is read, patched with
// patch.Apply, checked with resource.CheckRequired and written back, in
// one transaction with its row locked.
//
// Patch returns no resource: the server reads the group with Get when it
// responds with it.
func (g *Groups) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	_, err := g.patch(ctx, req.ID, req.Operations, req.Version, req.MaxValues)
	if err != nil {
		return nil, err
	}
	return &scim.PatchResult{}, nil
}

func (g *Groups) patch(ctx context.Context, id string, ops []patch.Operation, version string, maxValues int) (*resource.Resource, error) {
	if nativeOps(ops) {
		err := g.db.inTx(ctx, func(t *tx) error {
			if err := g.lock(ctx, t, id, version); err != nil {
				return err
			}
			changed := int64(0)
			for i := range ops {
				n, err := g.patchMembers(ctx, t, id, &ops[i])
				if err != nil {
					return err
				}
				changed += n
			}
			if changed == 0 {
				return nil // nothing changed: keep the version (RFC 7644 §3.5.2.1)
			}
			if maxValues > 0 {
				var n int
				if err := t.queryRow(ctx, "SELECT COUNT(*) FROM group_members WHERE group_id = ?", id).Scan(&n); err != nil {
					return err
				}
				if n > maxValues {
					return resource.TooManyValues("members", maxValues)
				}
			}
			_, err := g.bump(ctx, t, id, g.now())
			return err
		})
		if !errors.Is(err, errGeneric) {
			return nil, err
		}
	}
	return nil, g.db.inTx(ctx, func(t *tx) error {
		if err := g.lock(ctx, t, id, version); err != nil {
			return err
		}
		stored, err := g.get(ctx, t, id)
		if err != nil {
			return err
		}
		r := stored.Clone()
		if err := patch.Apply(g.rt, r, ops); err != nil {
			return err
		}
		if err := resource.CheckRequired(g.rt, r); err != nil {
			return err
		}
		if err := resource.CheckValues(g.rt, r, maxValues); err != nil {
			return err
		}
		if r.ExternalID == stored.ExternalID && reflect.DeepEqual(r.Attributes, stored.Attributes) {
			return nil // nothing changed: keep the version
		}
		_, err = g.replace(ctx, t, r, "")
		return err
	})
}

// nativeOps reports whether Patch can apply every one of ops with
// patchMembers.
func nativeOps(ops []patch.Operation) bool {
	for i := range ops {
		o := &ops[i]
		p := &o.Path
		if p.Extension != "" || p.Attr.Attr == nil || p.Attr.URN != "" || p.Attr.Attr.Name != "members" ||
			p.Attr.Sub != nil || p.Sub != nil {
			return false
		}
		switch {
		case o.Op == patch.Add && p.Filter == nil:
			vals, _ := o.Value.([]any)
			if len(vals) == 0 || !memberValues(vals) {
				return false
			}
		case o.Op == patch.Remove && p.Filter != nil:
			eq := p.Filter.Equalities()
			if _, ok := eq["value"].(string); !ok || len(eq) != 1 {
				return false
			}
		case o.Op == patch.Remove && o.Value != nil:
			vals, _ := o.Value.([]any)
			if !memberValues(vals) {
				return false
			}
		case o.Op == patch.Remove:
		default:
			return false
		}
	}
	return true
}

// memberValues reports whether every value of vals is a member with a
// value.
func memberValues(vals []any) bool {
	for _, v := range vals {
		obj, _ := v.(map[string]any)
		if s, _ := obj["value"].(string); s == "" {
			return false
		}
	}
	return true
}

// patchMembers applies one operation that nativeOps accepted, and returns
// the number of members added or removed.
func (g *Groups) patchMembers(ctx context.Context, t *tx, id string, o *patch.Operation) (int64, error) {
	const remove = "DELETE FROM group_members WHERE group_id = ? AND LOWER(value) = LOWER(?)"
	switch {
	case o.Op == patch.Add:
		ms, err := normalize(o.Value.([]any))
		if err != nil {
			return 0, err
		}
		var n int64
		for _, m := range ms {
			c, err := t.exec(ctx, "INSERT INTO group_members ("+strings.Join(memberColumns, ", ")+") VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", m.row(id)...)
			if err != nil {
				return 0, err
			}
			n += c
		}
		return n, nil
	case o.Path.Filter != nil:
		v := o.Path.Filter.Equalities()["value"].(string)
		n, err := t.exec(ctx, remove, id, v)
		if err == nil && n == 0 {
			// noTarget: let patch.Apply say so in its words.
			return 0, errGeneric
		}
		return n, err
	case o.Value != nil:
		// Values not present are ignored, as patch.Apply ignores them; a
		// value with a type removes only a member of that type or none.
		var n int64
		for _, v := range o.Value.([]any) {
			obj := v.(map[string]any)
			q, args := remove, []any{id, obj["value"]}
			if typ, ok := obj["type"].(string); ok {
				q += " AND (type IS NULL OR LOWER(type) = LOWER(?))"
				args = append(args, typ)
			}
			c, err := t.exec(ctx, q, args...)
			if err != nil {
				return 0, err
			}
			n += c
		}
		return n, nil
	}
	return t.exec(ctx, "DELETE FROM group_members WHERE group_id = ?", id)
}
