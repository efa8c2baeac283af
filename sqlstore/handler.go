package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Handler serves one resource type of a Store: it is a
// scim.ResourceHandler and a scim.Patcher. It is safe for concurrent use.
type Handler struct {
	t *table
}

var (
	_ scim.ResourceHandler = (*Handler)(nil)
	_ scim.Patcher         = (*Handler)(nil)
	_ scim.PartialGetter   = (*Handler)(nil)
)

// Type returns the resource type the handler serves, as cut down to what
// its mapping keeps.
func (h *Handler) Type() *schema.ResourceType { return h.t.rt }

// Create implements scim.ResourceHandler: one transaction inserts the row,
// the child rows and the memberships, after the uniqueness checks the
// database's indexes do not make. On PostgreSQL, a create that needs no
// check and names no members is one statement instead (createInOne).
func (h *Handler) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	if out, ok, err := t.createInOne(ctx, r, tenant); ok {
		return out, err
	}
	var out *resource.Resource
	err = t.s.write(ctx, func(tx conn) error {
		if err := t.checkUnique(ctx, tx, r, nil, tenant); err != nil {
			return err
		}
		idv, err := t.insert(ctx, tx, r, tenant)
		if err != nil {
			return err
		}
		if err := t.writeChildren(ctx, tx, nil, r, idv, true); err != nil {
			return err
		}
		if t.members != nil {
			if _, err := t.members.add(ctx, tx, idv, membersOf(r), tenant); err != nil {
				return err
			}
		}
		out, err = t.get(ctx, tx, idString(idv), tenant, withAll)
		return err
	})
	return out, err
}

// Get implements scim.ResourceHandler with one query.
func (h *Handler) Get(ctx context.Context, id string) (*resource.Resource, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	return t.get(ctx, t.s.db(), id, tenant, withAll)
}

// GetPartial implements scim.PartialGetter: a group read with
// excludedAttributes=members is read without its members, and a user
// without groups, whatever their number.
func (h *Handler) GetPartial(ctx context.Context, id string, p *resource.Projection) (*resource.Resource, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	return t.get(ctx, t.s.db(), id, tenant, t.selection(p))
}

// selection returns what a read for a response that carries what p
// includes needs of the row's collections.
func (t *table) selection(p *resource.Projection) selection {
	sel := withAll
	if p != nil {
		if !p.Includes(t.rt, "members") {
			sel &^= withMembers
		}
		if !p.Includes(t.rt, "groups") {
			sel &^= withGroups
		}
	}
	return sel
}

// Replace implements scim.ResourceHandler: a compare-and-swap on the
// version column, in one transaction with the row locked.
func (h *Handler) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	var out *resource.Resource
	err = t.s.write(ctx, func(tx conn) error {
		// The stored child values are read with the lock, without the
		// memberships, so that rows r leaves as they were, as identity
		// providers' PUTs of the whole user mostly do, are not written
		// again: one statement rather than two.
		var l *locked
		var prev *resource.Resource
		if len(t.children) > 0 {
			l, prev, err = t.lockRead(ctx, tx, r.ID, version, tenant, 0)
		} else {
			l, err = t.lock(ctx, tx, r.ID, version, tenant)
		}
		if err != nil {
			return err
		}
		out, _, _, err = t.store(ctx, tx, l, prev, r, tenant, true, withAll, true)
		return err
	})
	return out, err
}

// store writes r over the stored resource l: child rows, memberships when
// members is set, and then the row, and returns the changes of memberships
// and, when read is set, the resource as stored, as get reads it with sel.
// prev, when not nil, is the stored resource as read in this transaction:
// child rows whose values r leaves as they were are not written again.
func (t *table) store(ctx context.Context, tx conn, l *locked, prev, r *resource.Resource, tenant any, members bool, sel selection, read bool) (out *resource.Resource, added, removed []string, err error) {
	if err := t.checkUnique(ctx, tx, r, l, tenant); err != nil {
		return nil, nil, nil, err
	}
	if err := t.writeChildren(ctx, tx, prev, r, l.idv, false); err != nil {
		return nil, nil, nil, err
	}
	if members && t.members != nil {
		if added, removed, err = t.members.replace(ctx, tx, l.idv, membersOf(r), tenant); err != nil {
			return nil, nil, nil, err
		}
	}
	out, err = t.update(ctx, tx, r, l.idv, tenant, l.data, sel, read)
	return out, added, removed, err
}

// Delete implements scim.ResourceHandler. In the same transaction, the
// resource leaves every group it was a member of (each getting a new
// version), and a group's memberships go with it.
func (h *Handler) Delete(ctx context.Context, id, version string) error {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return err
	}
	return t.s.write(ctx, func(tx conn) error {
		l, err := t.lock(ctx, tx, id, version, tenant)
		if err != nil {
			return err
		}
		idv := l.idv
		if err := t.forget(ctx, tx, idv); err != nil {
			return err
		}
		for _, ch := range t.children {
			if _, err := t.exec(ctx, tx, "DELETE FROM "+ch.c.Table+" WHERE "+ch.c.Key+" = ?", idv); err != nil {
				return err
			}
		}
		where, args := t.whereID("", idv, tenant)
		_, err = t.exec(ctx, tx, "DELETE FROM "+t.t.Table+where, args...)
		return err
	})
}

// Patch implements scim.Patcher, in one transaction with the row locked.
// Operations on members that add values, remove them by value or by a
// value filter, or replace or remove them all, run as INSERT and DELETE
// statements on the join table, whatever the group's size. The other
// operations are applied with patch.Apply to the resource read with the
// lock (with its members when patch.Apply is to change them), and written
// back as Replace would; when the response carries the resource
// (PatchRequest.Resource) and the members were left to patch.Apply, the
// write returns it in PatchResult.Resource.
func (h *Handler) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	native, rest := t.splitOps(req.Operations)
	var version int64
	var changes scim.Changes
	var gid any
	size := -1 // the group's members after the PATCH, when known
	// The resource as patched, when the response carries it and the
	// PATCH leaves the members to patch.Apply: read with the write, the
	// server need not read it again.
	var patched *resource.Resource
	// What the operations that are not native are applied to: the
	// members when patch.Apply may change them, and the groups when the
	// resource goes back in the response.
	var sel selection
	if native == nil {
		sel = withMembers
		if req.Resource {
			sel |= withGroups
		}
	}
	err = t.s.write(ctx, func(tx conn) error {
		// The operations that are not native need the stored resource,
		// read with the lock.
		var l *locked
		var cur *resource.Resource
		if len(rest) > 0 {
			l, cur, err = t.lockRead(ctx, tx, req.ID, req.Version, tenant, sel)
		} else {
			l, err = t.lock(ctx, tx, req.ID, req.Version, tenant)
		}
		if err != nil {
			return err
		}
		idv, stored := l.idv, l.version
		version, changes, gid, size = stored, scim.Changes{}, idv, -1
		changed := false
		if len(rest) > 0 {
			if native == nil && req.Resource {
				patched = cur
			}
			next := cur.Clone()
			if err := patch.Apply(t.rt, next, rest); err != nil {
				return err
			}
			if err := resource.CheckRequired(t.rt, next); err != nil {
				return err
			}
			if err := resource.CheckValues(t.rt, next, req.MaxValues); err != nil {
				return err
			}
			if !resource.Identical(cur, next) {
				out, added, removed, err := t.store(ctx, tx, l, cur, next, tenant, native == nil, sel, patched != nil)
				if err != nil {
					return err
				}
				if patched != nil {
					patched = out
				}
				changes = scim.ChangesBetween(t.rt, cur, next)
				changes.MembersAdded, changes.MembersRemoved = added, removed
				changed = true
				version++
			}
		}
		if native != nil {
			before, known := t.members.counts.at(tenant, idv, stored)
			added, removed, err := t.patchMembers(ctx, tx, idv, native, tenant)
			if err != nil {
				return err
			}
			if known {
				size = before + len(added) - len(removed)
			}
			if len(added) > 0 && req.MaxValues > 0 {
				// Only an add can take a group past the limit; counting
				// reads at most MaxValues+1 of its memberships, and only
				// when the size at the version read is not known.
				if !known {
					if size, err = t.members.count(ctx, tx, idv, req.MaxValues+1); err != nil {
						return err
					}
				}
				if size > req.MaxValues {
					return resource.TooManyValues("members", req.MaxValues)
				}
			}
			if len(added)+len(removed) > 0 {
				changes.MembersAdded, changes.MembersRemoved = added, removed
				if !slices.Contains(changes.Attributes, "members") {
					changes.Attributes = append(changes.Attributes, "members")
					slices.Sort(changes.Attributes)
				}
				if !changed {
					if version, err = t.bump(ctx, tx, idv, tenant); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		t.members.counts.set(tenant, gid, version, size)
	}
	return &scim.PatchResult{Version: strconv.FormatInt(version, 10), Resource: patched, Changes: &changes}, nil
}

// splitOps divides ops into those on members that patchMembers applies,
// and the rest; native is nil when the type has no join table or some
// operation on members needs patch.Apply.
func (t *table) splitOps(ops []patch.Operation) (native, rest []patch.Operation) {
	if t.members == nil {
		return nil, ops
	}
	for _, o := range ops {
		p := &o.Path
		if p.Extension != "" || p.Attr.Attr == nil || p.Attr.URN != "" || p.Attr.Attr.Name != "members" {
			rest = append(rest, o)
			continue
		}
		if !nativeMemberOp(&o) {
			return nil, ops
		}
		native = append(native, o)
	}
	return native, rest
}

// nativeMemberOp reports whether patchMembers applies o, an operation on
// members.
func nativeMemberOp(o *patch.Operation) bool {
	p := &o.Path
	if p.Attr.Sub != nil || p.Sub != nil {
		return false
	}
	vals, _ := o.Value.([]any)
	for _, v := range vals {
		obj, ok := v.(map[string]any)
		if !ok || obj["value"] == nil {
			return false
		}
	}
	switch {
	case p.Filter != nil:
		eq := p.Filter.Equalities()
		_, ok := eq["value"].(string)
		return o.Op == patch.Remove && ok && len(eq) == 1 && eqOnly(p.Filter)
	case o.Op == patch.Add:
		return len(vals) > 0
	}
	return true // replace, or remove all or by value
}

// eqOnly reports whether f is exactly its equalities: value eq "x", not an
// "or" or a "not" that Equalities would also list.
func eqOnly(f *filter.ValueFilter) bool {
	_, isCmp := f.Expr().(filter.Compare)
	return isCmp
}

// patchMembers applies operations on members to the join table, and
// returns the ids of the members they added and removed.
func (t *table) patchMembers(ctx context.Context, tx conn, gid any, ops []patch.Operation, tenant any) (added, removed []string, err error) {
	m := t.members
	for i := range ops {
		o := &ops[i]
		vals, _ := o.Value.([]any)
		var a, r []string
		switch {
		case o.Path.Filter != nil:
			v := o.Path.Filter.Equalities()["value"].(string)
			r, err = m.remove(ctx, tx, gid, []any{map[string]any{"value": v}}, false)
			if err == nil && len(r) == 0 && o.NoTarget() {
				return nil, nil, &patch.Error{Index: o.Index, Op: string(o.Op), Path: o.Path.Text, Type: "noTarget",
					Msg: "no value of members matches " + o.Path.Filter.String()}
			}
		case o.Op == patch.Add:
			a, err = m.add(ctx, tx, gid, vals, tenant)
		case o.Op == patch.Remove:
			r, err = m.remove(ctx, tx, gid, vals, o.Value == nil)
		default: // replace
			a, r, err = m.replace(ctx, tx, gid, vals, tenant)
		}
		if err != nil {
			return nil, nil, err
		}
		added, removed = append(added, a...), append(removed, r...)
	}
	return added, removed, nil
}

// List implements scim.ResourceHandler. The filter, the sort and the page
// run in the database; a filter or sort on an attribute kept in the JSON
// column is evaluated in memory over at most Config.MaxScan resources.
func (h *Handler) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	t := h.t
	tenant, err := t.s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	ls, err := t.listSQL(q, tenant)
	var unmapped *filter.UnmappedError
	if errors.As(err, &unmapped) {
		return t.listInMemory(ctx, q, tenant)
	}
	if err != nil {
		return nil, err
	}
	if ls.page == "" {
		return &scim.Page{TotalResults: t.count(ctx, ls.count, ls.countArgs, &err)}, err
	}
	rows, err := t.s.db().QueryContext(ctx, ls.page, ls.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &scim.Page{}
	for rows.Next() {
		r, err := t.scan(rows)
		if err != nil {
			return nil, err
		}
		page.Resources = append(page.Resources, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n := len(page.Resources); n < q.Count && (n > 0 || q.StartIndex == 1) {
		// The last page: what comes before it and what it holds is all.
		page.TotalResults = q.StartIndex - 1 + n
		return page, nil
	}
	page.TotalResults = t.count(ctx, ls.count, ls.countArgs, &err)
	return page, err
}

// listQuery holds the statements of a list: the page, and the count of
// all matches, which a list runs only when the page does not tell the
// count. page is "" when the request asks for the count only.
type listQuery struct {
	page, count     string
	args, countArgs []any
}

// listSQL writes the statements of a list. It returns an
// *filter.UnmappedError for a filter or sort the database cannot run.
func (t *table) listSQL(q *scim.Query, tenant any) (listQuery, error) {
	sel := t.selection(q.Projection)
	from := " FROM " + t.t.Table + " " + t.alias + " WHERE "
	var args []any
	if t.t.Tenant != "" {
		from += t.alias + "." + t.t.Tenant + " = ? AND "
		args = append(args, tenant)
	}
	where, args, err := t.fsql.Where(q.Filter, args)
	if err != nil {
		return listQuery{}, err
	}
	ls := listQuery{count: t.s.d.rebind("SELECT COUNT(*)" + from + where), countArgs: args}
	if q.Count == 0 {
		return ls, nil
	}
	order, args, err := t.fsql.OrderBy(q.Sort, args)
	if err != nil {
		return listQuery{}, err
	}
	// The page's bounds are written as numbers, not bound as arguments:
	// SQLite compiles a statement again when a bound LIMIT changes.
	limit := " LIMIT " + strconv.Itoa(q.Count) + " OFFSET " + strconv.Itoa(q.StartIndex-1)
	ls.page = t.s.d.rebind("SELECT " + t.selects[sel] + from + where + " ORDER BY " + order + limit)
	ls.args = args
	return ls, nil
}

// count runs a count statement, setting *errp on failure.
func (t *table) count(ctx context.Context, fromWhere string, args []any, errp *error) int {
	var n int
	if err := t.s.db().QueryRowContext(ctx, fromWhere, args...).Scan(&n); err != nil {
		*errp = err
	}
	return n
}

// listInMemory answers a list whose filter or sort the database cannot
// evaluate: it reads the type's resources, at most MaxScan of them, and
// filters, sorts and pages them with Filter.Match and Sort.Compare, with
// meta.location filled in from q.EndpointURL, since the database knows no
// location (meta.resourceType is the type's name as read).
func (t *table) listInMemory(ctx context.Context, q *scim.Query, tenant any) (*scim.Page, error) {
	max := t.s.cfg.MaxScan
	stmt := "SELECT " + t.selects[withAll] + " FROM " + t.t.Table + " " + t.alias
	var args []any
	if t.t.Tenant != "" {
		stmt += " WHERE " + t.alias + "." + t.t.Tenant + " = ?"
		args = append(args, tenant)
	}
	stmt += " ORDER BY " + t.alias + "." + t.t.ID + " LIMIT ?"
	args = append(args, int64(max+1))
	rows, err := t.s.db().QueryContext(ctx, t.s.d.rebind(stmt), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var matched []*resource.Resource
	n := 0
	for rows.Next() {
		if n++; n > max {
			return nil, &scim.Error{Status: http.StatusBadRequest, Type: scim.TooMany,
				Detail: fmt.Sprintf("the filter or sort needs an attribute that is searched in memory, over at most %d %s resources; narrow it to attributes with columns", max, t.name)}
		}
		r, err := t.scan(rows)
		if err != nil {
			return nil, err
		}
		if q.EndpointURL != "" {
			r.Meta.Location = resource.Location(q.EndpointURL, r.ID)
		}
		if q.Filter == nil || q.Filter.Match(r) {
			matched = append(matched, r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if q.Sort != nil {
		slices.SortStableFunc(matched, q.Sort.Compare)
	}
	page := &scim.Page{TotalResults: len(matched)}
	if start := q.StartIndex - 1; start < len(matched) {
		page.Resources = matched[start:min(start+q.Count, len(matched))]
	}
	return page, nil
}
