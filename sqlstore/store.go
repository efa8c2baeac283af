package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Store serves the resource types of a Config from their tables. Its
// Endpoints go into a scim.Config; each is a scim.ResourceHandler and a
// scim.Patcher. A Store is safe for concurrent use, by many goroutines and
// by several processes over one PostgreSQL database.
type Store struct {
	cfg    Config
	d      Dialect
	tables []*table
	byName map[string]*table
	// writes serialises write transactions on SQLite, which allows one
	// writer at a time: queued here, a writer never fails with
	// SQLITE_BUSY halfway through a transaction.
	writes sync.Mutex
	// stmts are prepared statements, on SQLite; nil on PostgreSQL.
	stmts *stmtCache
}

// db returns the store's database, outside a transaction.
func (s *Store) db() conn { return conn{s: s} }

// New checks cfg against the database and returns a Store for it. It
// reports, naming the type, attribute and column at fault: a path that
// names no attribute or a multi-valued one in Columns, a column or table
// that does not exist, a required attribute or externalId left without a
// column (when there is no JSON column), a secret without Config.Hash, a
// missing Version column, and a scim_fold function that is missing (in
// SQLite, where it must be registered with the driver; see FoldValue) or
// cannot be created (in PostgreSQL).
func New(ctx context.Context, cfg Config) (*Store, error) {
	s, err := build(cfg)
	if err != nil {
		return nil, err
	}
	if err = checkFold(ctx, cfg.DB, s.d); err != nil {
		return nil, err
	}
	for _, t := range s.tables {
		if err := t.probe(ctx); err != nil {
			return nil, err
		}
		if t.notNull, err = s.notNullColumns(ctx, t.t.Table); err != nil {
			return nil, fmt.Errorf("sqlstore: type %s: reading the columns of %s: %w", t.name, t.t.Table, err)
		}
		for _, ch := range t.children {
			notNull, err := s.notNullColumns(ctx, ch.c.Table)
			if err != nil {
				return nil, fmt.Errorf("sqlstore: type %s: reading the columns of %s: %w", t.name, ch.c.Table, err)
			}
			ch.valued = slices.ContainsFunc(ch.cols, func(c string) bool { return notNull[strings.ToLower(c)] })
		}
		if len(t.children) > 0 {
			t.writeSQL() // with what the children's columns may hold
		}
	}
	return s, nil
}

// build checks cfg and compiles its types, without the database.
func build(cfg Config) (*Store, error) {
	if cfg.DB == nil {
		return nil, errors.New("sqlstore: Config.DB is nil")
	}
	if cfg.Dialect != SQLite && cfg.Dialect != PostgreSQL {
		return nil, errors.New("sqlstore: Config.Dialect must be SQLite or PostgreSQL")
	}
	if len(cfg.Types) == 0 {
		return nil, errors.New("sqlstore: Config.Types is empty")
	}
	if cfg.MaxScan <= 0 {
		cfg.MaxScan = 10_000
	}
	s := &Store{cfg: cfg, d: cfg.Dialect, byName: make(map[string]*table)}
	if s.d == SQLite {
		s.stmts = newStmtCache(256)
	}
	byTable := make(map[string]string) // a table, as SQL compares names, to its type
	for i := range cfg.Types {
		t, err := s.compile(i, &cfg.Types[i])
		if err != nil {
			return nil, err
		}
		if s.byName[t.name] != nil {
			return nil, fmt.Errorf("sqlstore: two types named %s", t.name)
		}
		// Rows of two types in one table would be read as either.
		if other, ok := byTable[strings.ToLower(t.t.Table)]; ok {
			return nil, fmt.Errorf("sqlstore: types %s and %s both map to table %s", other, t.name, t.t.Table)
		}
		byTable[strings.ToLower(t.t.Table)] = t.name
		s.tables = append(s.tables, t)
		s.byName[t.name] = t
	}
	if err := s.link(); err != nil {
		return nil, err
	}
	for _, t := range s.tables {
		if err := t.finish(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Endpoints returns the store's resource types, as served (cut down to
// what each mapping keeps), each with its handler, for scim.Config.
func (s *Store) Endpoints() []scim.Endpoint {
	eps := make([]scim.Endpoint, len(s.tables))
	for i, t := range s.tables {
		eps[i] = scim.Endpoint{Type: t.rt, Handler: &Handler{t: t}}
	}
	return eps
}

// DB returns the database the store runs on.
func (s *Store) DB() *sql.DB { return s.cfg.DB }

// Handler returns the handler of the resource type named name, or nil.
func (s *Store) Handler(name string) *Handler {
	if t := s.byName[name]; t != nil {
		return &Handler{t: t}
	}
	return nil
}

func (s *Store) logger() *slog.Logger {
	if s.cfg.Logger != nil {
		return s.cfg.Logger
	}
	return slog.Default()
}

func (s *Store) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// tenant returns the tenant of a request, or nil for a store without one.
func (s *Store) tenant(ctx context.Context) (any, error) {
	if s.cfg.Tenant == nil {
		return nil, nil
	}
	return s.cfg.Tenant(ctx)
}

// table is a Type compiled: its SQL written once, to be reused by every
// request.
type table struct {
	s     *Store
	t     *Type
	rt    *schema.ResourceType // as served
	name  string
	alias string

	cols      []*column          // the columns of mapped attributes, in a fixed order
	byPath    map[string]*column // by canonical path
	unique    []*column          // columns of attributes unique across resources
	uniqueAt  []int              // the position of each of unique in a select list
	uniqueIdx []*uniqueIndex     // the index Indexes declares for each of unique
	secrets   []*column          // columns of write-only or never-returned attributes

	children []*child
	members  *members   // for a type whose members are in a join table
	memberOf []*members // join tables where this type's resources are members
	groups   *schema.Attribute

	// jsonAttrs are the attributes kept in the JSON column, by the key
	// they have in Resource.Attributes.
	jsonSecrets []jsonSecret

	display string // the column a member's display comes from, or ""

	// notNull are the columns that cannot hold NULL: an attribute a write
	// leaves out keeps its value there, or the column's default on insert.
	notNull map[string]bool

	fsql filter.SQL
	// selects are the select lists of a resource row, with or without
	// its members and groups (index: a selection), and returning the same
	// lists for the RETURNING clause of an UPDATE.
	selects, returning [4]string
}

type jsonSecret struct {
	ext  string
	attr *schema.Attribute
}

// column is a single-valued attribute kept in a column of the table.
type column struct {
	path string // canonical: "userName", "name.formatted", "urn:...:department", "externalId"
	name string // the column
	ext  string // the extension's URN, or ""
	top  *schema.Attribute
	sub  *schema.Attribute // when the attribute is a sub-attribute of top
	leaf *schema.Attribute
}

// child is a multi-valued attribute kept in a table of its own.
type child struct {
	attr  *schema.Attribute
	ext   string
	key   string // the attribute's key in Resource.Attributes (or its extension's map)
	path  string // canonical, URN-qualified for an extension
	c     Child
	alias string
	subs  []*schema.Attribute // mapped sub-attributes in schema order; nil for a simple attribute
	cols  []string
	// valued is set when one of cols is declared NOT NULL, so that every
	// row holds a value (see from).
	valued bool
}

// members is a join table of memberships, as the group type maps it.
type members struct {
	group  *table
	m      Members
	alias  string
	types  []*table          // the types whose resources may be members
	stored map[string]string // type name -> value of the Type column
	named  map[string]string // value of the Type column -> type name
	counts memberCounts      // group sizes at versions this store wrote
}

// compile checks one Type and writes what does not depend on other types.
func (s *Store) compile(i int, typ *Type) (*table, error) {
	rt := typ.Resource
	if rt == nil {
		return nil, fmt.Errorf("sqlstore: Config.Types[%d].Resource is nil", i)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("sqlstore: type %s: %s", rt.Name, fmt.Sprintf(format, args...))
	}
	for _, id := range []struct{ what, name string }{{"Table", typ.Table}, {"ID", typ.ID}, {"Version", typ.Version}} {
		if err := identifier(id.what, id.name); err != nil {
			return nil, fail("%v", err)
		}
	}
	for _, id := range []struct{ what, name string }{{"Created", typ.Created}, {"Modified", typ.Modified}, {"Tenant", typ.Tenant}, {"JSON", typ.JSON}} {
		if id.name != "" {
			if err := identifier(id.what, id.name); err != nil {
				return nil, fail("%v", err)
			}
		}
	}
	if typ.Tenant != "" && s.cfg.Tenant == nil {
		return nil, fail("Tenant column %s needs Config.Tenant", typ.Tenant)
	}
	if strings.ContainsAny(rt.Name, `'"\`) {
		return nil, fail("the name may not hold quotes or backslashes")
	}
	t := &table{s: s, t: typ, rt: rt, name: rt.Name, alias: "r", byPath: make(map[string]*column)}
	for _, path := range mapKeys(typ.Columns) {
		name := typ.Columns[path]
		if err := identifier("the column of "+path, name); err != nil {
			return nil, fail("%v", err)
		}
		c, err := newColumn(rt, path, name)
		if err != nil {
			return nil, fail("%v", err)
		}
		if t.byPath[c.path] != nil {
			return nil, fail("%s is mapped twice", c.path)
		}
		t.byPath[c.path] = c
		t.cols = append(t.cols, c)
	}
	if c := t.byPath["displayName"]; c != nil {
		t.display = c.name
	} else if c := t.byPath["userName"]; c != nil {
		t.display = c.name
	}
	n := 0
	for _, path := range mapKeys(typ.Children) {
		ch, err := newChild(rt, path, typ.Children[path])
		if err != nil {
			return nil, fail("%v", err)
		}
		for _, c := range t.children {
			if c.path == ch.path {
				return nil, fail("%s is mapped twice", ch.path)
			}
		}
		ch.alias = fmt.Sprintf("c%d", n)
		n++
		t.children = append(t.children, ch)
	}
	if typ.Members != nil {
		m := typ.Members
		for _, id := range []struct{ what, name string }{{"Members.Table", m.Table}, {"Members.Group", m.Group}, {"Members.Member", m.Member}} {
			if err := identifier(id.what, id.name); err != nil {
				return nil, fail("%v", err)
			}
		}
		if m.Type != "" {
			if err := identifier("Members.Type", m.Type); err != nil {
				return nil, fail("%v", err)
			}
		}
		a := rt.Schema.Attribute("members")
		if a == nil || !a.MultiValued || a.Type != schema.Complex || a.SubAttribute("value") == nil {
			return nil, fail("Members needs a multi-valued complex attribute members with a value sub-attribute")
		}
		t.members = &members{group: t, m: *m, alias: "m", stored: make(map[string]string), named: make(map[string]string)}
	}
	return t, nil
}

// link resolves what refers to other types: the member types of join
// tables, and the groups attribute of member types.
func (s *Store) link() error {
	for _, g := range s.tables {
		m := g.members
		if m == nil {
			continue
		}
		names := []string{"User"}
		if m.m.Type != "" {
			names = nil
			for _, t := range s.tables {
				if t.members == m || refersTo(g.rt.Schema.Attribute("members"), t.name) {
					names = append(names, t.name)
				}
			}
		}
		for _, name := range names {
			mt := s.byName[name]
			if mt == nil {
				return fmt.Errorf("sqlstore: type %s: its members are %s, which the store does not serve", g.name, name)
			}
			v := name
			if stored, ok := m.m.Types[name]; ok {
				v = stored
			}
			if strings.ContainsAny(v, `'\`) {
				return fmt.Errorf("sqlstore: type %s: Members.Types value %q may not hold quotes or backslashes", g.name, v)
			}
			m.types = append(m.types, mt)
			m.stored[name], m.named[v] = v, name
			mt.memberOf = append(mt.memberOf, m)
		}
		for name := range m.m.Types {
			if m.stored[name] == "" {
				return fmt.Errorf("sqlstore: type %s: Members.Types names %s, which cannot be a member", g.name, name)
			}
		}
	}
	return nil
}

// refersTo reports whether the members attribute a may refer to resources
// of the type named name, by its $ref's referenceTypes.
func refersTo(a *schema.Attribute, name string) bool {
	if a == nil {
		return false
	}
	if ref := a.SubAttribute("$ref"); ref != nil {
		return slices.Contains(ref.ReferenceTypes, name)
	}
	return name == "User"
}

// finish cuts the resource type down to what is stored, and writes the
// SQL.
func (t *table) finish() error {
	typ, rt := t.t, t.rt
	fail := func(format string, args ...any) error {
		return fmt.Errorf("sqlstore: type %s: %s", rt.Name, fmt.Sprintf(format, args...))
	}
	if len(t.memberOf) > 0 {
		if a := rt.Schema.Attribute("groups"); a != nil && a.MultiValued && a.Type == schema.Complex {
			t.groups = a
		}
	}
	// What the type keeps: every attribute with the JSON column, else
	// what is mapped.
	var keep []string
	if typ.JSON != "" {
		keep = allPaths(rt)
		for _, ch := range t.children {
			keep = slices.DeleteFunc(keep, func(p string) bool { return strings.HasPrefix(p, ch.path+".") || p == ch.path })
			keep = append(keep, ch.keptPaths()...)
		}
	} else {
		if t.byPath["externalId"] == nil {
			return fail("externalId has no column, and there is no JSON column to keep it: add a column (say scim_external_id TEXT) and map it, or set JSON")
		}
		for _, c := range t.cols {
			keep = append(keep, c.path)
		}
		for _, ch := range t.children {
			keep = append(keep, ch.keptPaths()...)
		}
		if t.members != nil {
			keep = append(keep, "members")
		}
		if t.groups != nil {
			keep = append(keep, "groups")
		}
	}
	if t.members == nil {
		keep = slices.DeleteFunc(keep, func(p string) bool { return p == "members" || strings.HasPrefix(p, "members.") })
	}
	if t.groups == nil {
		keep = slices.DeleteFunc(keep, func(p string) bool { return p == "groups" || strings.HasPrefix(p, "groups.") })
	}
	served, err := rt.Subset(keep...)
	if err != nil {
		return fmt.Errorf("sqlstore: type %s: %w", rt.Name, err)
	}
	if m := t.members; m != nil {
		// Members are of the types the join table holds, so that the
		// server knows a member's type from its value.
		if ref := served.Schema.Attribute("members").SubAttribute("$ref"); ref != nil {
			ref.ReferenceTypes = nil
			for _, mt := range m.types {
				ref.ReferenceTypes = append(ref.ReferenceTypes, mt.name)
			}
		}
	}
	t.rt = served
	// Re-resolve the columns and children against the served type.
	for j, c := range t.cols {
		nc, _ := newColumn(served, c.path, c.name)
		*c = *nc
		if c.leaf.Uniqueness != schema.UniquenessNone && c.path != "externalId" {
			t.unique = append(t.unique, c)
			t.uniqueAt = append(t.uniqueAt, fixedCols+j)
			t.uniqueIdx = append(t.uniqueIdx, &uniqueIndex{name: indexName(t.t.Table, c.name, true), exprs: t.uniqueExprs(c)})
		}
		if secret(c.leaf) {
			if t.s.cfg.Hash == nil && !t.s.cfg.DropSecrets {
				return fail("%s is write-only or never returned, and there is no Config.Hash to store it hashed (or set Config.DropSecrets)", c.path)
			}
			t.secrets = append(t.secrets, c)
		}
	}
	for _, ch := range t.children {
		nc, _ := newChild(served, ch.path, ch.c)
		nc.alias = ch.alias
		*ch = *nc
	}
	if typ.JSON != "" {
		t.eachJSONAttr(func(ext string, a *schema.Attribute) {
			if secret(a) {
				t.jsonSecrets = append(t.jsonSecrets, jsonSecret{ext, a})
			}
		})
		if len(t.jsonSecrets) > 0 && t.s.cfg.Hash == nil && !t.s.cfg.DropSecrets {
			return fail("%s is write-only or never returned and would be kept in the JSON column: set Config.Hash to store it hashed, or Config.DropSecrets", t.jsonSecrets[0].attr.Name)
		}
	}
	t.writeSQL()
	return nil
}

// keptPaths returns the paths of the child's attribute that are kept.
func (ch *child) keptPaths() []string {
	if ch.subs == nil {
		return []string{ch.path}
	}
	var out []string
	for _, s := range ch.subs {
		out = append(out, ch.path+"."+s.Name)
	}
	return out
}

// allPaths returns a path for every top-level attribute of rt.
func allPaths(rt *schema.ResourceType) []string {
	var out []string
	for _, a := range rt.Schema.Attributes {
		out = append(out, a.Name)
	}
	for _, e := range rt.Extensions {
		for _, a := range e.Schema.Attributes {
			out = append(out, e.Schema.ID+":"+a.Name)
		}
	}
	return out
}

// eachJSONAttr calls f for each attribute kept in the JSON column: the
// served type's attributes that have no column, child table or join table.
func (t *table) eachJSONAttr(f func(ext string, a *schema.Attribute)) {
	visit := func(ext string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			if a.Mutability == schema.ReadOnly || t.inColumns(ext, a) || t.childOf(ext, a) != nil || ext == "" && (a.Name == "members" && t.members != nil || a == t.groups) {
				continue
			}
			f(ext, a)
		}
	}
	visit("", t.rt.Schema.Attributes)
	for _, e := range t.rt.Extensions {
		visit(e.Schema.ID, e.Schema.Attributes)
	}
}

// inColumns reports whether a, or a sub-attribute of it, has a column.
func (t *table) inColumns(ext string, a *schema.Attribute) bool {
	for _, c := range t.cols {
		if c.ext == ext && c.top.Name == a.Name {
			return true
		}
	}
	return false
}

func (t *table) childOf(ext string, a *schema.Attribute) *child {
	for _, ch := range t.children {
		if ch.ext == ext && ch.attr.Name == a.Name {
			return ch
		}
	}
	return nil
}

// secret reports whether a's values must never be stored as sent nor
// read back.
func secret(a *schema.Attribute) bool {
	return a.Mutability == schema.WriteOnly || a.Returned == schema.ReturnedNever
}

// newColumn resolves a path of Type.Columns against rt.
func newColumn(rt *schema.ResourceType, path, name string) (*column, error) {
	top, sub, ext := resource.ResolvePath(rt, path)
	switch {
	case top == nil:
		return nil, fmt.Errorf("Columns: %s names no attribute", path)
	case ext == "" && (strings.EqualFold(top.Name, "id") || strings.EqualFold(top.Name, "meta")):
		return nil, fmt.Errorf("Columns: %s is kept in the ID, Version, Created and Modified columns", path)
	case top.MultiValued || sub != nil && sub.MultiValued:
		return nil, fmt.Errorf("Columns: %s is multi-valued: map it in Children", path)
	case sub == nil && top.Type == schema.Complex:
		return nil, fmt.Errorf("Columns: %s is complex: map its sub-attributes, such as %s.%s", path, top.Name, top.SubAttributes[0].Name)
	case top.Mutability == schema.ReadOnly:
		return nil, fmt.Errorf("Columns: %s is read-only: the service provider sets it", path)
	}
	c := &column{name: name, ext: ext, top: top, sub: sub, leaf: top}
	c.path = top.Name
	if sub != nil {
		c.leaf = sub
		c.path += "." + sub.Name
	}
	if ext != "" {
		c.path = ext + ":" + c.path
	}
	return c, nil
}

// newChild resolves a key of Type.Children against rt.
func newChild(rt *schema.ResourceType, path string, c Child) (*child, error) {
	a, sub, ext := resource.ResolvePath(rt, path)
	switch {
	case a == nil:
		return nil, fmt.Errorf("Children: %s names no attribute", path)
	case sub != nil || !a.MultiValued:
		return nil, fmt.Errorf("Children: %s is not a multi-valued attribute", path)
	case a.Mutability == schema.ReadOnly:
		return nil, fmt.Errorf("Children: %s is read-only", path)
	}
	for _, id := range []struct{ what, name string }{{"Table", c.Table}, {"Key", c.Key}} {
		if err := identifier("Children["+path+"]."+id.what, id.name); err != nil {
			return nil, err
		}
	}
	if c.Order != "" {
		if err := identifier("Children["+path+"].Order", c.Order); err != nil {
			return nil, err
		}
	}
	ch := &child{attr: a, ext: ext, key: a.Name, path: a.Name, c: c}
	if ext != "" {
		ch.path = ext + ":" + a.Name
	}
	if a.Type != schema.Complex {
		col, ok := c.Columns["value"]
		if !ok || len(c.Columns) != 1 {
			return nil, fmt.Errorf("Children: %s holds simple values: map exactly \"value\" to a column", path)
		}
		if err := identifier("Children["+path+"].Columns[value]", col); err != nil {
			return nil, err
		}
		ch.cols = []string{col}
		return ch, nil
	}
	seen := 0
	for _, s := range a.SubAttributes {
		col, ok := lookupFold(c.Columns, s.Name)
		if !ok {
			continue
		}
		if s.MultiValued || s.Type == schema.Complex {
			return nil, fmt.Errorf("Children: %s.%s is not a simple single value", path, s.Name)
		}
		if err := identifier("Children["+path+"].Columns["+s.Name+"]", col); err != nil {
			return nil, err
		}
		ch.subs = append(ch.subs, s)
		ch.cols = append(ch.cols, col)
		seen++
	}
	if seen != len(c.Columns) {
		for k := range c.Columns {
			if a.SubAttribute(k) == nil {
				return nil, fmt.Errorf("Children: %s has no sub-attribute %s", path, k)
			}
		}
	}
	if seen == 0 {
		return nil, fmt.Errorf("Children: %s maps no sub-attribute", path)
	}
	return ch, nil
}

func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

func mapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// notNullColumns returns the columns of table declared NOT NULL.
func (s *Store) notNullColumns(ctx context.Context, table string) (map[string]bool, error) {
	q := `SELECT name FROM pragma_table_info(?) WHERE "notnull"`
	if s.d == PostgreSQL {
		q = `SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attnotnull`
	}
	rows, err := s.cfg.DB.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]bool)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out[strings.ToLower(name)] = true
	}
	return out, rows.Err()
}
