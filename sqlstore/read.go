package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// selection says which of a row's collections a read includes.
type selection int

const (
	withMembers selection = 1 << iota
	withGroups
	withAll = withMembers | withGroups
)

// get reads the resource id, or reports scim.ErrNotFound.
func (t *table) get(ctx context.Context, q querier, id string, tenant any, sel selection) (*resource.Resource, error) {
	idv, ok := t.idArg(id)
	if !ok {
		return nil, t.notFound(id)
	}
	where, args := t.whereID(t.alias, idv, tenant)
	r, _, err := t.readRow(ctx, q, "SELECT "+t.selects[sel]+" FROM "+t.t.Table+" "+t.alias+where, args, t.notFound(id))
	return r, err
}

// readRow runs stmt, which returns at most one resource row as t.selects
// lists it, and returns the resource and the row's values; missing is the
// error when it returns none.
func (t *table) readRow(ctx context.Context, q querier, stmt string, args []any, missing error) (*resource.Resource, []any, error) {
	rows, err := q.QueryContext(ctx, t.s.d.rebind(stmt), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		return nil, nil, missing
	}
	r, vals, err := t.scanRow(rows)
	if err != nil {
		return nil, nil, err
	}
	return r, vals, rows.Close()
}

func (t *table) notFound(id string) error {
	return fmt.Errorf("sqlstore: %s %q: %w", t.name, id, scim.ErrNotFound)
}

// ncols is the number of columns of a select list.
func (t *table) ncols() int {
	n := fixedCols + len(t.cols) + len(t.children) + len(t.memberOf)
	if t.members != nil {
		n++
	}
	return n
}

// scan reads a resource row as t.selects lists it.
func (t *table) scan(rows *sql.Rows) (*resource.Resource, error) {
	r, _, err := t.scanRow(rows)
	return r, err
}

// scanRow reads a resource row as t.selects lists it, and returns the
// resource and the row's values.
func (t *table) scanRow(rows *sql.Rows) (*resource.Resource, []any, error) {
	vals := make([]any, t.ncols())
	dest := make([]any, len(vals))
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, nil, err
	}
	r, err := t.assemble(vals)
	return r, vals, err
}

// assemble builds a resource from the values of its row.
func (t *table) assemble(vals []any) (*resource.Resource, error) {
	r := &resource.Resource{
		ID:         idString(vals[colID]),
		Attributes: make(map[string]any),
		Meta: resource.Meta{
			ResourceType: t.name,
			Created:      parseTime(vals[colCreated]),
			LastModified: parseTime(vals[colModified]),
		},
	}
	switch v := vals[colVersion].(type) {
	case int64:
		r.Meta.Version = strconv.FormatInt(v, 10)
	default:
		r.Meta.Version = idString(v)
	}
	if err := t.decodeJSON(vals[colJSON], r); err != nil {
		return nil, fmt.Errorf("sqlstore: %s %q: the JSON column: %w", t.name, r.ID, err)
	}
	i := fixedCols
	for _, c := range t.cols {
		v := vals[i]
		i++
		if secret(c.leaf) {
			continue
		}
		if v = value(c.leaf, v); v == nil {
			continue
		}
		if c.path == "externalId" {
			r.ExternalID, _ = v.(string)
			continue
		}
		c.set(r, v)
	}
	for _, ch := range t.children {
		rows, err := decodeRows(vals[i])
		i++
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s %q: %s: %w", t.name, r.ID, ch.path, err)
		}
		if elems := ch.elements(rows); len(elems) > 0 {
			container(r, ch.ext, true)[ch.key] = elems
		}
	}
	if m := t.members; m != nil {
		rows, err := decodeRows(vals[i])
		i++
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s %q: members: %w", t.name, r.ID, err)
		}
		var elems []any
		for _, row := range rows {
			if len(row) != 3 || row[0] == nil {
				continue
			}
			e := map[string]any{"value": idString(row[0])}
			typ := "User"
			if m.m.Type != "" {
				s := text(row[1])
				if name, ok := m.named[s]; ok {
					s = name
				}
				typ = s
			}
			e["type"] = typ
			if d, ok := row[2].(string); ok && d != "" {
				e["display"] = d
			}
			elems = append(elems, e)
		}
		if len(elems) > 0 {
			r.Attributes["members"] = elems
		}
	}
	var groups []any
	known := false // the groups were read, even if there are none
	for range t.memberOf {
		known = known || vals[i] != nil
		rows, err := decodeRows(vals[i])
		i++
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %s %q: groups: %w", t.name, r.ID, err)
		}
		for _, row := range rows {
			if len(row) != 2 || row[0] == nil {
				continue
			}
			e := map[string]any{"value": idString(row[0]), "type": "direct"}
			if d, ok := row[1].(string); ok && d != "" {
				e["display"] = d
			}
			groups = append(groups, e)
		}
	}
	if known && t.groups != nil {
		// Empty when there are none: the server then knows not to look.
		if groups == nil {
			groups = []any{}
		}
		r.Attributes["groups"] = groups
	}
	return r, nil
}

// decodeJSON adds the attributes kept in the JSON column to r.
func (t *table) decodeJSON(v any, r *resource.Resource) error {
	var b []byte
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("came as %T", v)
	}
	if len(b) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return err
	}
	opt := resource.DecodeOptions{}
	for k, raw := range obj {
		if k == "externalId" {
			if s, ok := raw.(string); ok && t.byPath["externalId"] == nil {
				r.ExternalID = s
			}
			continue
		}
		if ext := t.rt.Extension(k); ext != nil {
			inner, _ := raw.(map[string]any)
			for k2, raw2 := range inner {
				a := ext.Attribute(k2)
				if a == nil || secret(a) || t.inColumns(ext.ID, a) || t.childOf(ext.ID, a) != nil {
					continue
				}
				if val, err := resource.DecodeValue(a, raw2, opt, a.Name); err == nil && val != nil {
					container(r, ext.ID, true)[a.Name] = val
				}
			}
			continue
		}
		a := t.rt.Schema.Attribute(k)
		if a == nil || secret(a) || a.Mutability == schema.ReadOnly || t.inColumns("", a) || t.childOf("", a) != nil {
			continue
		}
		if val, err := resource.DecodeValue(a, raw, opt, a.Name); err == nil && val != nil {
			r.Attributes[a.Name] = val
		}
	}
	return nil
}

// elements builds the values of a child's attribute from its rows.
func (ch *child) elements(rows [][]any) []any {
	var out []any
	for _, row := range rows {
		if len(row) != len(ch.cols) {
			continue
		}
		if ch.subs == nil {
			if v := value(ch.attr, row[0]); v != nil {
				out = append(out, v)
			}
			continue
		}
		e := make(map[string]any, len(row))
		for i, s := range ch.subs {
			if v := value(s, row[i]); v != nil {
				e[s.Name] = v
			}
		}
		if len(e) > 0 {
			out = append(out, e)
		}
	}
	return out
}

// container returns the map that holds the attributes of extension ext
// ("" for the core schema) in r, created if create is set.
func container(r *resource.Resource, ext string, create bool) map[string]any {
	if ext == "" {
		return r.Attributes
	}
	m, _ := r.Attributes[ext].(map[string]any)
	if m == nil && create {
		m = make(map[string]any)
		r.Attributes[ext] = m
	}
	return m
}

// get returns the column's attribute's value in r, or nil.
func (c *column) get(r *resource.Resource) any {
	if c.path == "externalId" {
		if r.ExternalID == "" {
			return nil
		}
		return r.ExternalID
	}
	m := container(r, c.ext, false)
	if m == nil {
		return nil
	}
	v := m[c.top.Name]
	if c.sub != nil {
		obj, _ := v.(map[string]any)
		return obj[c.sub.Name]
	}
	return v
}

// set stores v as the column's attribute's value in r.
func (c *column) set(r *resource.Resource, v any) {
	m := container(r, c.ext, true)
	if c.sub == nil {
		m[c.top.Name] = v
		return
	}
	obj, _ := m[c.top.Name].(map[string]any)
	if obj == nil {
		obj = make(map[string]any)
		m[c.top.Name] = obj
	}
	obj[c.sub.Name] = v
}
