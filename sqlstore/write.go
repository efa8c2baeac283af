package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// write runs f in a transaction, committed if f succeeds and rolled back
// otherwise, so that a failed request leaves nothing behind. On SQLite,
// write transactions take turns.
func (s *Store) write(ctx context.Context, f func(tx conn) error) error {
	if s.d == SQLite {
		s.writes.Lock()
		defer s.writes.Unlock()
	}
	tx, err := s.cfg.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(conn{s, tx}); err != nil {
		tx.Rollback()
		return s.mapError(err)
	}
	return s.mapError(tx.Commit())
}

// mapError turns a unique-constraint violation of the host's indexes into
// scim.ErrUniqueness.
func (s *Store) mapError(err error) error {
	if s.d.uniqueViolation(err) {
		if e := s.uniquenessError(err); e != nil {
			return e
		}
		return fmt.Errorf("sqlstore: %w (%v)", scim.ErrUniqueness, err)
	}
	return err
}

// exec runs a statement written with "?" placeholders.
func (t *table) exec(ctx context.Context, q querier, stmt string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, t.s.d.rebind(stmt), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// whereID returns " WHERE <id> = ?" and, for a tenanted table, " AND
// <tenant> = ?", with their arguments: the row idv of the tenant, in a
// statement that names the table q ("" for a statement on the table alone,
// which needs no qualifier).
func (t *table) whereID(q string, idv, tenant any) (string, []any) {
	if q != "" {
		q += "."
	}
	if t.t.Tenant == "" {
		return " WHERE " + q + t.t.ID + " = ?", []any{idv}
	}
	return " WHERE " + q + t.t.ID + " = ? AND " + q + t.t.Tenant + " = ?", []any{idv, tenant}
}

// lock reads the stored version of id, locking its row until the
// transaction ends (on SQLite, the transaction is the only writer), and
// checks it against version, if not "". It returns the row as locked says:
// its version, the values of its unique columns, and the JSON column's
// value when the type keeps secrets there, for a write to carry them over.
func (t *table) lock(ctx context.Context, tx conn, id, version string, tenant any) (*locked, error) {
	l, _, err := t.lockRow(ctx, tx, id, version, tenant, false, 0)
	return l, err
}

// lockRead is lock that also reads the stored resource, as get reads it
// with sel, in the same statement.
func (t *table) lockRead(ctx context.Context, tx conn, id, version string, tenant any, sel selection) (*locked, *resource.Resource, error) {
	return t.lockRow(ctx, tx, id, version, tenant, true, sel)
}

// lockRow is lock, and lockRead when read is set.
func (t *table) lockRow(ctx context.Context, tx conn, id, version string, tenant any, read bool, sel selection) (*locked, *resource.Resource, error) {
	idv, ok := t.idArg(id)
	if !ok {
		return nil, nil, t.notFound(id)
	}
	l := &locked{idv: idv, unique: make([]any, len(t.unique))}
	where, args := t.whereID(t.alias, idv, tenant)
	lock := ""
	if t.s.d == PostgreSQL {
		lock = " FOR UPDATE OF " + t.alias
	}
	var r *resource.Resource
	if read {
		// The select list holds the version, the JSON column and the
		// unique columns, among the resource's.
		var vals []any
		var err error
		if r, vals, err = t.readRow(ctx, tx, "SELECT "+t.selects[sel]+" FROM "+t.t.Table+" "+t.alias+where+lock, args, t.notFound(id)); err != nil {
			return nil, nil, err
		}
		if len(t.jsonSecrets) > 0 {
			l.data = vals[colJSON]
		}
		for i, at := range t.uniqueAt {
			l.unique[i] = vals[at]
		}
		if l.version, err = strconv.ParseInt(r.Meta.Version, 10, 64); err != nil {
			return nil, nil, fmt.Errorf("sqlstore: %s %q: the version column holds %q, not an integer", t.name, id, r.Meta.Version)
		}
	} else {
		cols, dest := []string{t.t.Version}, []any{&l.version}
		if len(t.jsonSecrets) > 0 {
			cols, dest = append(cols, t.t.JSON), append(dest, &l.data)
		}
		for i, c := range t.unique {
			cols, dest = append(cols, c.name), append(dest, &l.unique[i])
		}
		a := t.alias + "."
		stmt := "SELECT " + a + strings.Join(cols, ", "+a) + " FROM " + t.t.Table + " " + t.alias + where + lock
		if err := tx.QueryRowContext(ctx, t.s.d.rebind(stmt), args...).Scan(dest...); errors.Is(err, sql.ErrNoRows) {
			return nil, nil, t.notFound(id)
		} else if err != nil {
			return nil, nil, err
		}
	}
	if version != "" && strconv.FormatInt(l.version, 10) != version {
		return nil, nil, fmt.Errorf("sqlstore: %s %q: %w", t.name, id, scim.ErrVersionMismatch)
	}
	return l, r, nil
}

// locked is a row as lock read it.
type locked struct {
	idv     any   // the id as the database holds it
	version int64 // the stored version
	data    any   // the JSON column, when it holds secrets
	unique  []any // the columns of t.unique, as stored
}

// keeps reports whether v, r's value of the unique column c, is the one
// stored, as the uniqueness check compares them: a write that keeps it
// cannot take another resource's value, so the check is not needed.
func (c *column) keeps(stored, v any) bool {
	sv, ok := stored.(string)
	s, ok2 := v.(string)
	if !ok || !ok2 {
		return false
	}
	if c.leaf.CaseExact {
		return sv == s
	}
	return filter.Fold(sv) == filter.Fold(s)
}

// bump gives the row a new version and modification time, returning the
// version.
func (t *table) bump(ctx context.Context, tx conn, idv, tenant any) (int64, error) {
	set := t.t.Version + " = " + t.t.Version + " + 1"
	var args []any
	if t.t.Modified != "" {
		set += ", " + t.t.Modified + " = ?"
		args = append(args, t.s.d.timeArg(t.s.now()))
	}
	where, wargs := t.whereID("", idv, tenant)
	var v int64
	err := tx.QueryRowContext(ctx, t.s.d.rebind("UPDATE "+t.t.Table+" SET "+set+where+" RETURNING "+t.t.Version), append(args, wargs...)...).Scan(&v)
	return v, err
}

// newID returns the id of a new resource, or nil when the database makes
// it.
func (t *table) newID() (any, error) {
	if t.t.NewID != nil {
		id := t.t.NewID()
		v, ok := t.idArg(id)
		if !ok {
			return nil, fmt.Errorf("sqlstore: type %s: NewID returned %q, which its ID column cannot hold", t.name, id)
		}
		return v, nil
	}
	if t.t.IDKind == IntegerID {
		return nil, nil
	}
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// insert writes a new row for r and returns its id.
func (t *table) insert(ctx context.Context, tx conn, r *resource.Resource, tenant any) (any, error) {
	cols, args, err := t.insertColumns(r, tenant)
	if err != nil {
		return nil, err
	}
	stmt := "INSERT INTO " + t.t.Table + " (" + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)) + ") RETURNING " + t.t.ID
	var id any
	if err := tx.QueryRowContext(ctx, t.s.d.rebind(stmt), args...).Scan(&id); err != nil {
		return nil, err
	}
	// Read back as the id column's kind takes it.
	idv, _ := t.idArg(idString(id))
	return idv, nil
}

// insertColumns returns the columns of a new row for r and their values.
func (t *table) insertColumns(r *resource.Resource, tenant any) ([]string, []any, error) {
	idv, err := t.newID()
	if err != nil {
		return nil, nil, err
	}
	var cols []string
	var args []any
	add := func(col string, v any) {
		cols = append(cols, col)
		args = append(args, v)
	}
	if idv != nil {
		add(t.t.ID, idv)
	}
	if t.t.Tenant != "" {
		add(t.t.Tenant, tenant)
	}
	add(t.t.Version, int64(1))
	now := t.s.d.timeArg(t.s.now())
	if t.t.Created != "" {
		add(t.t.Created, now)
	}
	if t.t.Modified != "" {
		add(t.t.Modified, now)
	}
	for _, c := range t.cols {
		v, err := t.columnArg(c, r)
		if err != nil {
			return nil, nil, err
		}
		if v == nil && t.notNull[strings.ToLower(c.name)] {
			continue // the column's default
		}
		add(c.name, v)
	}
	if t.t.JSON != "" {
		data, err := t.encodeJSON(r, nil)
		if err != nil {
			return nil, nil, err
		}
		add(t.t.JSON, data)
	}
	return cols, args, nil
}

// update writes r over the row idv. A secret r does not carry keeps its
// stored value: the store never reads secrets back, so a PUT cannot echo
// one. When read is set, it returns the resource as stored, as get reads it
// with sel, through the statement's RETURNING clause, whose subqueries see
// the child rows and memberships written before it in the transaction.
func (t *table) update(ctx context.Context, tx conn, r *resource.Resource, idv, tenant, storedJSON any, sel selection, read bool) (*resource.Resource, error) {
	var sets []string
	var args []any
	for _, c := range t.cols {
		if c.get(r) == nil && (secret(c.leaf) || t.notNull[strings.ToLower(c.name)]) {
			continue
		}
		v, err := t.columnArg(c, r)
		if err != nil {
			return nil, err
		}
		sets = append(sets, c.name+" = ?")
		args = append(args, v)
	}
	if t.t.JSON != "" {
		data, err := t.encodeJSON(r, storedJSON)
		if err != nil {
			return nil, err
		}
		sets = append(sets, t.t.JSON+" = ?")
		args = append(args, data)
	}
	sets = append(sets, t.t.Version+" = "+t.t.Version+" + 1")
	if t.t.Modified != "" {
		sets = append(sets, t.t.Modified+" = ?")
		args = append(args, t.s.d.timeArg(t.s.now()))
	}
	where, wargs := t.whereID("", idv, tenant)
	stmt := "UPDATE " + t.t.Table + " SET " + strings.Join(sets, ", ") + where
	args = append(args, wargs...)
	if !read {
		_, err := t.exec(ctx, tx, stmt, args...)
		return nil, err
	}
	// The row is locked: sql.ErrNoRows is not reached.
	out, _, err := t.readRow(ctx, tx, stmt+" RETURNING "+t.returning[sel], args, sql.ErrNoRows)
	return out, err
}

// columnArg returns the argument for c's column from r: its value, hashed
// for a secret.
func (t *table) columnArg(c *column, r *resource.Resource) (any, error) {
	v := c.get(r)
	if v == nil {
		return nil, nil
	}
	if secret(c.leaf) {
		return t.s.hash(v)
	}
	return t.s.d.arg(c.leaf, v), nil
}

// hash returns what is stored for a secret's value: its hash, or nothing
// when secrets are dropped.
func (s *Store) hash(v any) (any, error) {
	if s.cfg.Hash == nil {
		return nil, nil
	}
	str, ok := v.(string)
	if !ok {
		str = fmt.Sprint(v)
	}
	h, err := s.cfg.Hash(str)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: hashing a secret: %w", err)
	}
	return h, nil
}

// encodeJSON returns the JSON column's value for r: the attributes kept
// there, secrets hashed, and the secrets of stored (the column's value
// before the write) that r does not carry.
func (t *table) encodeJSON(r *resource.Resource, stored any) (string, error) {
	obj := make(map[string]any)
	if t.byPath["externalId"] == nil && r.ExternalID != "" {
		obj["externalId"] = r.ExternalID
	}
	var err error
	t.eachJSONAttr(func(ext string, a *schema.Attribute) {
		m := container(r, ext, false)
		v, ok := m[a.Name]
		if !ok || v == nil || err != nil {
			return
		}
		if secret(a) {
			if v, err = t.s.hash(v); v == nil {
				return
			}
		}
		dst := obj
		if ext != "" {
			dst, _ = obj[ext].(map[string]any)
			if dst == nil {
				dst = make(map[string]any)
				obj[ext] = dst
			}
		}
		dst[a.Name] = v
	})
	if err != nil {
		return "", err
	}
	if len(t.jsonSecrets) > 0 && stored != nil {
		var old map[string]any
		if b := []byte(text(stored)); len(b) > 0 && json.Unmarshal(b, &old) == nil {
			for _, s := range t.jsonSecrets {
				src, dst := old, obj
				if s.ext != "" {
					src, _ = old[s.ext].(map[string]any)
					if dst, _ = obj[s.ext].(map[string]any); dst == nil {
						dst = make(map[string]any)
					}
				}
				if v, ok := src[s.attr.Name]; ok && dst[s.attr.Name] == nil {
					dst[s.attr.Name] = v
					if s.ext != "" {
						obj[s.ext] = dst
					}
				}
			}
		}
	}
	b, err := json.Marshal(obj)
	return string(b), err
}

// checkUnique refuses r if another resource of the tenant holds the value
// of one of r's unique attributes, compared as the attribute compares.
// On PostgreSQL, writers of one value take turns on an advisory lock held
// to the end of the transaction, so that two replicas cannot both find a
// value free and both take it; on SQLite, writers take turns anyway.
func (t *table) checkUnique(ctx context.Context, tx conn, r *resource.Resource, self *locked, tenant any) error {
	for i, c := range t.unique {
		v := c.get(r)
		if v == nil || self != nil && c.keeps(self.unique[i], v) || t.enforced(ctx, tx, i) {
			continue
		}
		arg := t.s.d.arg(c.leaf, v)
		expr := t.alias + "." + c.name
		if s, ok := v.(string); ok && !c.leaf.CaseExact {
			arg, expr = filter.Fold(s), t.s.d.fold(expr)
		}
		if t.s.d == PostgreSQL {
			h := fnv.New64a()
			fmt.Fprintf(h, "%s\x00%s\x00%v\x00%v", t.t.Table, c.name, tenant, arg)
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64())); err != nil {
				return err
			}
		}
		stmt := "SELECT 1 FROM " + t.t.Table + " " + t.alias + " WHERE " + expr + " = ?"
		args := []any{arg}
		if t.t.Tenant != "" {
			stmt += " AND " + t.alias + "." + t.t.Tenant + " = ?"
			args = append(args, tenant)
		}
		if self != nil {
			stmt += " AND " + t.alias + "." + t.t.ID + " <> ?"
			args = append(args, self.idv)
		}
		var one int
		err := tx.QueryRowContext(ctx, t.s.d.rebind(stmt+" LIMIT 1"), args...).Scan(&one)
		switch {
		case err == nil:
			return t.inUse(c)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return nil
}

// childValues returns the values of r that ch's rows hold.
func childValues(r *resource.Resource, ch *child) []any {
	if m := container(r, ch.ext, false); m != nil {
		elems, _ := m[ch.key].([]any)
		return elems
	}
	return nil
}

// sameValues reports whether the values a and b would be stored as the
// same rows: in the same order when ordered is set, as the rows then
// keep it, and in any order otherwise, since the rows are read back in
// the order of their first column whatever order they were written in.
func sameValues(a, b []any, ordered bool) bool {
	switch {
	case len(a) != len(b):
		return false
	case len(a) == 0:
		return true // nil and empty alike: no rows
	case reflect.DeepEqual(a, b):
		return true // in the same order, as mostly
	case ordered || len(a) == 1:
		return false
	}
	count := make(map[string]int, len(a))
	for i := range a {
		ka, err1 := json.Marshal(a[i])
		kb, err2 := json.Marshal(b[i])
		if err1 != nil || err2 != nil {
			return false
		}
		count[string(ka)]++
		count[string(kb)]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// writeChildren stores r's values of each child attribute as the rows of
// the resource idv, in place of those stored unless fresh. When prev, the
// stored resource as read in the same transaction, holds the same values
// of an attribute, its rows are left as they are.
func (t *table) writeChildren(ctx context.Context, tx conn, prev, r *resource.Resource, idv any, fresh bool) error {
	for _, ch := range t.children {
		if prev != nil && sameValues(childValues(prev, ch), childValues(r, ch), ch.c.Order != "") {
			continue
		}
		if !fresh {
			if _, err := t.exec(ctx, tx, "DELETE FROM "+ch.c.Table+" WHERE "+ch.c.Key+" = ?", idv); err != nil {
				return err
			}
		}
		elems := childValues(r, ch)
		if len(elems) == 0 {
			continue
		}
		cols, rows := t.childRows(ch, elems)
		for i := range rows {
			rows[i] = append([]any{idv}, rows[i]...)
		}
		if err := t.insertRows(ctx, tx, ch.c.Table, append([]string{ch.c.Key}, cols...), rows); err != nil {
			return err
		}
	}
	return nil
}

// childRows returns the columns of ch's rows, the key to the resource's
// row left out, and the rows that hold elems.
func (t *table) childRows(ch *child, elems []any) ([]string, [][]any) {
	cols := ch.cols
	if ch.c.Order != "" {
		cols = append(slices.Clip(cols), ch.c.Order)
	}
	rows := make([][]any, 0, len(elems))
	for i, e := range elems {
		row := make([]any, 0, len(cols))
		if ch.subs == nil {
			row = append(row, t.s.d.arg(ch.attr, e))
		} else {
			obj, _ := e.(map[string]any)
			for _, s := range ch.subs {
				row = append(row, t.s.d.arg(s, obj[s.Name]))
			}
		}
		if ch.c.Order != "" {
			row = append(row, int64(i))
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// insertRows inserts rows into table, as few statements as the
// databases' limits on arguments allow.
func (t *table) insertRows(ctx context.Context, tx conn, table string, cols []string, rows [][]any) error {
	per := max(1, maxArgs/len(cols))
	one := "(" + placeholders(len(cols)) + ")"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, row := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, row...)
		}
		if _, err := t.exec(ctx, tx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// maxArgs bounds the arguments of one statement the store writes: the
// child rows of a write are inserted in batches of at most that many, and
// a create with more is not written as one statement (createInOne).
const maxArgs = 4000

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
