package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Store is a scim.ResourceHandler that keeps the resources of one resource
// type in relational tables: a row per resource with the common attributes
// and the attributes that filters and sorts use most in typed columns, the
// other attributes as JSON in its data column, and a multi-valued attribute
// that deserves it (a user's emails, a group's members) in a child table of
// one row per value.
//
// Lists run in the database: the filter, the sort and the page are
// translated with filter.SQL. A filter or sort on an attribute that has no
// column (nickName is one; phoneNumbers, addresses and most of the other
// multi-valued attributes too) cannot be translated, and is answered by
// reading every resource of the type and filtering and sorting them in
// memory with Filter.Match and Sort.Compare: correct, but in time that
// grows with the number of resources.
//
// Every write is one transaction: a failed request changes nothing. Each
// write gives the resource a new version from a per-type counter, and
// Replace and Delete with a version are compare-and-swaps on it. Unique
// indexes answer uniqueness conflicts with 409.
//
// A Store is safe for concurrent use. Set NewID and Now before first use;
// they are called from many goroutines at once.
type Store struct {
	db  *DB
	rt  *schema.ResourceType
	tab tableDef
	sql filter.SQL
	// keys are the unique attributes checked through resource_keys, for a
	// resource type without a table of its own.
	keys []*schema.Attribute

	// NewID returns the id for a new resource. Nil means a random UUID.
	NewID func() string
	// Now returns the time of a write, for meta.created and
	// meta.lastModified. Nil means the current time in UTC, to the
	// millisecond.
	Now func() time.Time
}

var _ scim.ResourceHandler = (*Store)(nil)

// tableDef describes where a resource type's resources are stored.
type tableDef struct {
	table, alias string
	counter      string            // the name of the version counter
	scope        string            // a column that holds the type's name, or ""
	fields       []field           // attributes kept in columns
	child        child             // a multi-valued attribute kept in a table, or nil
	unique       map[string]string // unique index name -> attribute name
	// uniqueCols are the columns of unique fields, whose unique index is on
	// LOWER(column), as field column names.
	uniqueCols []string
}

// child is a table that holds the values of one multi-valued attribute.
type child interface {
	// attr is the attribute's name.
	attr() string
	// sqlTable describes the table for filter.SQL.
	sqlTable() filter.SQLTable
	// load returns the values of the resources with the given ids.
	load(ctx context.Context, t *tx, ids []string) (map[string][]any, error)
	// write stores elems as the values of resource id, in place of those
	// stored if replace is set, and returns them as Get will return them.
	write(ctx context.Context, t *tx, id string, elems []any, replace bool) ([]any, error)
	// remove deletes the values of resource id.
	remove(ctx context.Context, t *tx, id string) error
}

func newStore(db *DB, rt *schema.ResourceType, tab tableDef) *Store {
	s := &Store{db: db, rt: rt, tab: tab}
	a := tab.alias + "."
	s.sql = filter.SQL{
		Placeholder: db.d.placeholder,
		TimeLayout:  db.d.timeLayout,
		Columns: map[string]string{
			"id":                a + "id",
			"externalId":        a + "external_id",
			"meta.created":      a + "created",
			"meta.lastModified": a + "last_modified",
			// meta.version compares as the entity tag W/"n".
			"meta.version":      `'W/"' || ` + a + `version || '"'`,
			"meta.resourceType": "'" + rt.Name + "'",
		},
	}
	if strings.ContainsAny(rt.Name, `'\`) {
		delete(s.sql.Columns, "meta.resourceType")
	}
	for _, f := range tab.fields {
		s.sql.Columns[f.path()] = a + f.col
	}
	if tab.child != nil {
		s.sql.Tables = map[string]filter.SQLTable{tab.child.attr(): tab.child.sqlTable()}
	}
	return s
}

// columns returns the select list of a resource row.
func (s *Store) columns() string {
	a := s.tab.alias + "."
	cols := []string{a + "id", a + "version", a + "created", a + "last_modified", a + "external_id"}
	for _, f := range s.tab.fields {
		cols = append(cols, a+f.col)
	}
	return strings.Join(append(cols, a+"data"), ", ")
}

// from returns the FROM clause and the condition that limits it to this
// resource type, with its arguments.
func (s *Store) from() (from, cond string, args []any) {
	from = s.tab.table + " " + s.tab.alias
	if s.tab.scope == "" {
		return from, "", nil
	}
	return from, s.tab.alias + "." + s.tab.scope + " = ? AND ", []any{s.rt.Name}
}

// scope returns " AND <scope> = ?" and its argument for statements on the
// table without an alias.
func (s *Store) scope(args ...any) (string, []any) {
	if s.tab.scope == "" {
		return "", args
	}
	return " AND " + s.tab.scope + " = ?", append(args, s.rt.Name)
}

// scan reads a resource row as selected by columns.
func (s *Store) scan(rows interface{ Scan(...any) error }) (*resource.Resource, error) {
	var (
		id, data          string
		version           int64
		created, modified nullTime
		extID             sql.NullString
	)
	dest := []any{&id, &version, &created, &modified, &extID}
	values := make([]func() any, len(s.tab.fields))
	for i, f := range s.tab.fields {
		d, v := scanner(f.attr.Type)
		dest = append(dest, d)
		values[i] = v
	}
	dest = append(dest, &data)
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	r := &resource.Resource{
		ID:         id,
		ExternalID: extID.String,
		Meta: resource.Meta{
			ResourceType: s.rt.Name,
			Created:      created.t,
			LastModified: modified.t,
			Version:      strconv.FormatInt(version, 10),
		},
		Attributes: make(map[string]any),
	}
	if err := decodeData(s.rt, data, r.Attributes); err != nil {
		return nil, fmt.Errorf("%s %q: %w", s.rt.Name, id, err)
	}
	for i, f := range s.tab.fields {
		if v := values[i](); v != nil {
			f.put(r.Attributes, v)
		}
	}
	return r, nil
}

// split divides r's attributes into the column values of the fields, the
// values of the child table, and the JSON of the rest.
func (s *Store) split(r *resource.Resource) (cols []any, elems []any, data string, err error) {
	rest := r.Clone().Attributes
	if rest == nil {
		rest = make(map[string]any)
	}
	for _, f := range s.tab.fields {
		cols = append(cols, s.db.d.arg(f.take(rest)))
	}
	if s.tab.child != nil {
		name := s.tab.child.attr()
		elems, _ = rest[name].([]any)
		delete(rest, name)
	}
	data, err = encodeData(rest)
	return cols, elems, data, err
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (s *Store) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return newUUID()
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Store) notFound(id string) error {
	return fmt.Errorf("%s %q: %w", s.rt.Name, id, scim.ErrNotFound)
}

// conflict turns a unique index violation into a 409 naming the
// attribute; other errors pass through.
func (s *Store) conflict(err error) error {
	name, ok := s.db.d.unique(err)
	if !ok {
		return err
	}
	if attr, ok := s.tab.unique[name]; ok {
		return s.taken(attr)
	}
	return fmt.Errorf("%s: %w", err, scim.ErrUniqueness)
}

// Create implements scim.ResourceHandler.
func (s *Store) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	cols, elems, data, err := s.split(r)
	if err != nil {
		return nil, err
	}
	out := r.Clone()
	var now time.Time
	var version int64
	err = s.db.inTx(ctx, func(t *tx) error {
		// Check first, so that a conflict takes no id and no time.
		if err := s.checkUnique(ctx, t, out, cols); err != nil {
			return err
		}
		out.ID, now = s.newID(), s.now()
		names := []string{"id", "version", "created", "last_modified", "external_id"}
		args := []any{out.ID, 0, s.db.d.timeArg(now), s.db.d.timeArg(now), nullString(out.ExternalID)}
		for i, f := range s.tab.fields {
			names = append(names, f.col)
			args = append(args, cols[i])
		}
		names, args = append(names, "data"), append(args, data)
		if s.tab.scope != "" {
			names, args = append(names, s.tab.scope), append(args, s.rt.Name)
		}
		q := "INSERT INTO " + s.tab.table + " (" + strings.Join(names, ", ") + ") VALUES (" + placeholders(len(names)) + ")"
		if _, err := t.exec(ctx, q, args...); err != nil {
			return s.conflict(err)
		}
		if s.tab.child != nil && len(elems) > 0 {
			stored, err := s.tab.child.write(ctx, t, out.ID, elems, false)
			if err != nil {
				return err
			}
			out.Attributes[s.tab.child.attr()] = stored
		}
		if err := s.writeKeys(ctx, t, out, false); err != nil {
			return err
		}
		version, err = s.bump(ctx, t, out.ID, time.Time{})
		return err
	})
	if err != nil {
		return nil, err
	}
	out.Meta = resource.Meta{ResourceType: s.rt.Name, Created: now, LastModified: now, Version: strconv.FormatInt(version, 10)}
	return out, nil
}

// checkUnique returns a 409 if another resource than r holds a value of
// r's that must be unique. The unique indexes are what guarantee it; this
// check answers first, before Create takes an id.
func (s *Store) checkUnique(ctx context.Context, t *tx, r *resource.Resource, cols []any) error {
	for _, col := range s.tab.uniqueCols {
		for i, f := range s.tab.fields {
			if f.col != col || cols[i] == nil {
				continue
			}
			scope, args := s.scope(cols[i], r.ID)
			var one int
			err := t.queryRow(ctx, "SELECT 1 FROM "+s.tab.table+" WHERE LOWER("+col+") = LOWER(?) AND id <> ?"+scope, args...).Scan(&one)
			switch {
			case err == nil:
				return s.taken(f.path())
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
		}
	}
	for _, a := range s.keys {
		key, ok := uniqueKey(a, r)
		if !ok {
			continue
		}
		var other string
		err := t.queryRow(ctx, "SELECT id FROM resource_keys WHERE type = ? AND attr = ? AND key = ?", s.rt.Name, a.Name, key).Scan(&other)
		switch {
		case err == nil && other != r.ID:
			return s.taken(a.Name)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return nil
}

func (s *Store) taken(attr string) error {
	return &scim.Error{Status: 409, Type: scim.Uniqueness,
		Detail: fmt.Sprintf("%s is already in use by another %s", attr, s.rt.Name)}
}

// uniqueKey returns the resource_keys key of r's value of a, if r has one.
func uniqueKey(a *schema.Attribute, r *resource.Resource) (string, bool) {
	v, ok := r.Attributes[a.Name]
	if !ok || v == nil {
		return "", false
	}
	key := fmt.Sprint(v)
	if !a.CaseExact {
		key = strings.ToLower(key)
	}
	return key, true
}

// bump gives resource id a new version, the last write of a transaction,
// and sets its lastModified to now unless now is zero.
func (s *Store) bump(ctx context.Context, t *tx, id string, now time.Time) (int64, error) {
	v, err := t.nextVersion(ctx, s.tab.counter)
	if err != nil {
		return 0, err
	}
	set, args := "version = ?", []any{v}
	if !now.IsZero() {
		set, args = set+", last_modified = ?", append(args, s.db.d.timeArg(now))
	}
	scope, args := s.scope(append(args, id)...)
	_, err = t.exec(ctx, "UPDATE "+s.tab.table+" SET "+set+" WHERE id = ?"+scope, args...)
	return v, err
}

// Get implements scim.ResourceHandler.
func (s *Store) Get(ctx context.Context, id string) (*resource.Resource, error) {
	var r *resource.Resource
	err := s.db.readTx(ctx, func(t *tx) error {
		var err error
		r, err = s.get(ctx, t, id)
		return err
	})
	return r, err
}

func (s *Store) get(ctx context.Context, t *tx, id string) (*resource.Resource, error) {
	from, cond, args := s.from()
	r, err := s.scan(t.queryRow(ctx, "SELECT "+s.columns()+" FROM "+from+" WHERE "+cond+s.tab.alias+".id = ?", append(args, id)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.notFound(id)
	}
	if err != nil {
		return nil, err
	}
	if err := s.loadChildren(ctx, t, []*resource.Resource{r}); err != nil {
		return nil, err
	}
	return r, nil
}

// loadChildren fills in the child table's values of rs.
func (s *Store) loadChildren(ctx context.Context, t *tx, rs []*resource.Resource) error {
	if s.tab.child == nil || len(rs) == 0 {
		return nil
	}
	const chunk = 500
	for len(rs) > 0 {
		n := min(chunk, len(rs))
		ids := make([]string, n)
		for i, r := range rs[:n] {
			ids[i] = r.ID
		}
		vals, err := s.tab.child.load(ctx, t, ids)
		if err != nil {
			return err
		}
		for _, r := range rs[:n] {
			if v := vals[r.ID]; len(v) > 0 {
				r.Attributes[s.tab.child.attr()] = v
			}
		}
		rs = rs[n:]
	}
	return nil
}

// Replace implements scim.ResourceHandler.
func (s *Store) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	var out *resource.Resource
	err := s.db.inTx(ctx, func(t *tx) error {
		var err error
		out, err = s.replace(ctx, t, r, version)
		return err
	})
	return out, err
}

// replace is Replace within the transaction t.
func (s *Store) replace(ctx context.Context, t *tx, r *resource.Resource, version string) (*resource.Resource, error) {
	cols, elems, data, err := s.split(r)
	if err != nil {
		return nil, err
	}
	// Check first, so that a failed write takes no time.
	if err := s.lock(ctx, t, r.ID, version); err != nil {
		return nil, err
	}
	if err := s.checkUnique(ctx, t, r, cols); err != nil {
		return nil, err
	}
	out := r.Clone()
	now := s.now()
	set := []string{"last_modified = ?", "external_id = ?"}
	args := []any{s.db.d.timeArg(now), nullString(r.ExternalID)}
	for i, f := range s.tab.fields {
		set = append(set, f.col+" = ?")
		args = append(args, cols[i])
	}
	set, args = append(set, "data = ?"), append(args, data)
	where, args, err := s.match(r.ID, version, args)
	if err != nil {
		return nil, err
	}
	var created nullTime
	err = t.queryRow(ctx, "UPDATE "+s.tab.table+" SET "+strings.Join(set, ", ")+" WHERE "+where+" RETURNING created", args...).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.missing(ctx, t, r.ID)
	}
	if err != nil {
		return nil, s.conflict(err)
	}
	if s.tab.child != nil {
		stored, err := s.tab.child.write(ctx, t, r.ID, elems, true)
		if err != nil {
			return nil, err
		}
		delete(out.Attributes, s.tab.child.attr())
		if len(stored) > 0 {
			out.Attributes[s.tab.child.attr()] = stored
		}
	}
	if err := s.writeKeys(ctx, t, out, true); err != nil {
		return nil, err
	}
	v, err := s.bump(ctx, t, r.ID, time.Time{})
	if err != nil {
		return nil, err
	}
	out.Meta = resource.Meta{ResourceType: s.rt.Name, Created: created.t, LastModified: now, Version: strconv.FormatInt(v, 10)}
	return out, nil
}

// match returns the condition that selects resource id at version (any
// version if ""), with its arguments appended to args.
func (s *Store) match(id, version string, args []any) (string, []any, error) {
	where := "id = ?"
	args = append(args, id)
	if version != "" {
		v, err := strconv.ParseInt(version, 10, 64)
		if err != nil {
			return "", nil, fmt.Errorf("%s %q: %w", s.rt.Name, id, scim.ErrVersionMismatch)
		}
		where += " AND version = ?"
		args = append(args, v)
	}
	scope, args := s.scope(args...)
	return where + scope, args, nil
}

// missing explains why a write to resource id found no row: it does not
// exist, or it has another version.
func (s *Store) missing(ctx context.Context, t *tx, id string) error {
	scope, args := s.scope(id)
	var one int
	err := t.queryRow(ctx, "SELECT 1 FROM "+s.tab.table+" WHERE id = ?"+scope, args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.notFound(id)
	case err != nil:
		return err
	}
	return fmt.Errorf("%s %q: %w", s.rt.Name, id, scim.ErrVersionMismatch)
}

// lock checks that resource id exists at version (any if "") and, in
// PostgreSQL, locks its row until the transaction ends, so that a
// read-modify-write in t cannot lose a concurrent change. (SQLite has one
// writer at a time.)
func (s *Store) lock(ctx context.Context, t *tx, id, version string) error {
	where, args, err := s.match(id, version, nil)
	if err != nil {
		return err
	}
	n, err := t.exec(ctx, "UPDATE "+s.tab.table+" SET version = version WHERE "+where, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return s.missing(ctx, t, id)
	}
	return nil
}

// Delete implements scim.ResourceHandler.
func (s *Store) Delete(ctx context.Context, id string, version string) error {
	return s.db.inTx(ctx, func(t *tx) error {
		where, args, err := s.match(id, version, nil)
		if err != nil {
			return err
		}
		n, err := t.exec(ctx, "DELETE FROM "+s.tab.table+" WHERE "+where, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.missing(ctx, t, id)
		}
		if s.tab.child != nil {
			if err := s.tab.child.remove(ctx, t, id); err != nil {
				return err
			}
		}
		if s.keys != nil {
			_, err = t.exec(ctx, "DELETE FROM resource_keys WHERE type = ? AND id = ?", s.rt.Name, id)
		}
		return err
	})
}

// List implements scim.ResourceHandler. See Store for what runs in the
// database.
func (s *Store) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	from, cond, scopeArgs := s.from()
	where, whereArgs, err := s.sql.Where(q.Filter, scopeArgs)
	var unmapped *filter.UnmappedError
	inMemory := false
	if errors.As(err, &unmapped) {
		where, whereArgs, inMemory = "(1 = 1)", scopeArgs, true
	} else if err != nil {
		return nil, err
	}
	a := s.tab.alias + "."
	order, args := a+"created ASC, "+a+"id ASC", whereArgs
	sortInMemory := false
	if q.Sort != nil {
		o, oargs, err := s.sql.OrderBy(q.Sort, whereArgs)
		switch {
		case errors.As(err, &unmapped):
			sortInMemory = true
		case err != nil:
			return nil, err
		default:
			order, args = o, oargs
		}
	}
	page := new(scim.Page)
	err = s.db.readTx(ctx, func(t *tx) error {
		if inMemory || sortInMemory {
			return s.listInMemory(ctx, t, q, from, cond+where, whereArgs, page)
		}
		// The placeholders of where, order and limit are numbered
		// already; only the scope condition is written with "?".
		if err := t.queryRow(ctx, "SELECT COUNT(*) FROM "+from+" WHERE "+cond+where, whereArgs...).Scan(&page.TotalResults); err != nil {
			return err
		}
		if q.Count == 0 || page.TotalResults < q.StartIndex {
			return nil
		}
		limit, args := s.sql.Limit(q.StartIndex, q.Count, args)
		rows, err := t.query(ctx, "SELECT "+s.columns()+" FROM "+from+" WHERE "+cond+where+" ORDER BY "+order+" "+limit, args...)
		if err != nil {
			return err
		}
		if page.Resources, err = s.scanAll(rows); err != nil {
			return err
		}
		if s.tab.child != nil && !q.Projection.Includes(s.rt, s.tab.child.attr()) {
			// The response leaves the child values out, as Entra ID's
			// excludedAttributes=members: do not read them.
			return nil
		}
		return s.loadChildren(ctx, t, page.Resources)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// listInMemory answers a list whose filter or sort filter.SQL cannot
// translate: it reads the resources that match where, in creation order,
// and filters, sorts and pages them with the filter package.
func (s *Store) listInMemory(ctx context.Context, t *tx, q *scim.Query, from, where string, args []any, page *scim.Page) error {
	a := s.tab.alias + "."
	rows, err := t.query(ctx, "SELECT "+s.columns()+" FROM "+from+" WHERE "+where+" ORDER BY "+a+"created ASC, "+a+"id ASC", args...)
	if err != nil {
		return err
	}
	all, err := s.scanAll(rows)
	if err != nil {
		return err
	}
	if err := s.loadChildren(ctx, t, all); err != nil {
		return err
	}
	if q.Filter != nil {
		all = slices.DeleteFunc(all, func(r *resource.Resource) bool { return !q.Filter.Match(r) })
	}
	if q.Sort != nil {
		slices.SortStableFunc(all, q.Sort.Compare)
	}
	page.TotalResults = len(all)
	if start := q.StartIndex - 1; start < len(all) {
		page.Resources = all[start:min(start+q.Count, len(all))]
	}
	return nil
}

func (s *Store) scanAll(rows *sql.Rows) ([]*resource.Resource, error) {
	defer rows.Close()
	var out []*resource.Resource
	for rows.Next() {
		r, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// writeKeys records r's values of the attributes in s.keys in the
// resource_keys table, for resource types without a table of their own:
// one row per unique value, whose primary key refuses a second.
// checkUnique has looked for conflicts already.
func (s *Store) writeKeys(ctx context.Context, t *tx, r *resource.Resource, replace bool) error {
	if len(s.keys) == 0 {
		return nil
	}
	if replace {
		if _, err := t.exec(ctx, "DELETE FROM resource_keys WHERE type = ? AND id = ?", s.rt.Name, r.ID); err != nil {
			return err
		}
	}
	for _, a := range s.keys {
		if key, ok := uniqueKey(a, r); ok {
			if _, err := t.exec(ctx, "INSERT INTO resource_keys (type, attr, key, id) VALUES (?, ?, ?, ?)", s.rt.Name, a.Name, key, r.ID); err != nil {
				return s.conflict(err)
			}
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
