package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/scim-go/scim/schema"
)

// CreateTables creates the tables of cfg's types that do not exist yet,
// with the columns the mapping names, and the indexes of Indexes, for a
// host that starts without tables of its own. On PostgreSQL it also
// creates the function scim_fold. It leaves existing tables as they are:
// it never adds a column to a table of the host's.
func CreateTables(ctx context.Context, cfg Config) error {
	s, err := build(cfg)
	if err != nil {
		return err
	}
	if err := checkFold(ctx, cfg.DB, s.d); err != nil {
		return err
	}
	var stmts []string
	for _, t := range s.tables {
		stmts = append(stmts, t.createTable())
		for _, ch := range t.children {
			stmts = append(stmts, t.createChild(ch))
		}
	}
	for _, t := range s.tables {
		if t.members != nil {
			stmts = append(stmts, t.members.createTable())
		}
	}
	stmts = append(stmts, s.Indexes()...)
	for _, stmt := range stmts {
		if _, err := cfg.DB.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: %s: %w", firstLine(stmt), err)
		}
	}
	return nil
}

// CreateIndexes creates the indexes of Indexes that do not exist yet.
func (s *Store) CreateIndexes(ctx context.Context) error {
	for _, stmt := range s.Indexes() {
		if _, err := s.cfg.DB.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlstore: %s: %w", firstLine(stmt), err)
		}
	}
	return nil
}

// Indexes returns the CREATE INDEX IF NOT EXISTS statements of the indexes
// the store's queries need to stay fast as tables grow, for a host to add
// to its migrations (or to run with CreateIndexes):
//
//   - a unique index on the folded value of each unique attribute
//     (userName), scoped by tenant, which also makes uniqueness hold
//     against writers that bypass the store, and spares a write the
//     store's own check (a query, and on PostgreSQL an advisory lock);
//   - an index on externalId, with the empty string as NULL (the store
//     reads an empty one as none), and on the folded displayName, which
//     identity providers look resources up by;
//   - on each child table, (key, folded value), for reading and deleting a
//     resource's values and testing one of them, and (folded value, key),
//     for finding the resources that hold a value;
//   - on each join table, (member), for a member's groups, and, when
//     member ids are text, (folded member), for finding the groups that
//     hold a member by members.value, which is not caseExact;
//   - (tenant, id) on a tenanted table, for paging a tenant's resources.
//
// "Folded" is scim_fold(column), written as the store's queries write it,
// so that the database uses the index for them.
func (s *Store) Indexes() []string {
	var out []string
	for _, t := range s.tables {
		out = append(out, t.indexes()...)
	}
	return out
}

func (t *table) indexes() []string {
	var out []string
	scope := ""
	if t.t.Tenant != "" {
		scope = t.t.Tenant + ", "
		out = append(out, index(false, t.t.Table, "tenant", t.t.Table, t.t.Tenant+", "+t.t.ID))
	}
	for _, u := range t.uniqueIdx {
		out = append(out, createIndex(true, u.name, t.t.Table, u.exprs))
	}
	if c := t.byPath["externalId"]; c != nil {
		out = append(out, index(false, t.t.Table, c.name+"_set", t.t.Table, scope+emptyAsNull(c.name)))
	}
	if c := t.byPath["displayName"]; c != nil && !isUnique(t, c) {
		out = append(out, index(false, t.t.Table, c.name, t.t.Table, scope+t.keyExpr(c.leaf, c.name)))
	}
	for _, ch := range t.children {
		out = append(out, index(false, ch.c.Table, ch.c.Key, ch.c.Table, ch.c.Key))
		if i := ch.valueIndex(); i >= 0 {
			leaf := ch.attr
			if ch.subs != nil {
				leaf = ch.subs[i]
			}
			v := t.keyExpr(leaf, ch.cols[i])
			out = append(out,
				index(false, ch.c.Table, ch.c.Key+"_"+ch.cols[i], ch.c.Table, ch.c.Key+", "+v),
				index(false, ch.c.Table, ch.cols[i]+"_"+ch.c.Key, ch.c.Table, v+", "+ch.c.Key))
		}
	}
	if m := t.members; m != nil {
		cols := m.m.Member
		if m.m.Type != "" {
			cols += ", " + m.m.Type
		}
		out = append(out, index(false, m.m.Table, m.m.Member, m.m.Table, cols+", "+m.m.Group))
		if v := t.rt.Schema.Attribute("members").SubAttribute("value"); m.kind() == TextID && t.keyExpr(v, m.m.Member) != m.m.Member {
			folded := t.keyExpr(v, m.m.Member)
			if m.m.Type != "" {
				folded += ", " + m.m.Type
			}
			out = append(out, index(false, m.m.Table, m.m.Member+"_folded", m.m.Table, folded+", "+m.m.Group))
		}
	}
	return out
}

// uniqueExprs is what the unique index of c indexes: its key, scoped by
// tenant.
func (t *table) uniqueExprs(c *column) string {
	e := t.keyExpr(c.leaf, c.name)
	if t.t.Tenant != "" {
		e = t.t.Tenant + ", " + e
	}
	return e
}

func isUnique(t *table, c *column) bool {
	for _, u := range t.unique {
		if u == c {
			return true
		}
	}
	return false
}

// keyExpr is the indexed expression of a column holding values of a: its
// folded value for a string that is not caseExact.
func (t *table) keyExpr(a *schema.Attribute, col string) string {
	if (a.Type == schema.String || a.Type == schema.Reference) && !a.CaseExact {
		return t.s.d.fold(col)
	}
	return col
}

// valueIndex returns the position in ch.cols of the column of the
// attribute's values ("value"), or -1.
func (ch *child) valueIndex() int {
	if ch.subs == nil {
		return 0
	}
	for i, s := range ch.subs {
		if s.Name == "value" {
			return i
		}
	}
	return -1
}

// index returns a CREATE INDEX statement named after table and what.
func index(unique bool, table, what, on, exprs string) string {
	return createIndex(unique, indexName(table, what, unique), on, exprs)
}

// createIndex returns the statement that creates the index name on the
// expressions exprs of table on.
func createIndex(unique bool, name, on, exprs string) string {
	u := ""
	if unique {
		u = "UNIQUE "
	}
	return "CREATE " + u + "INDEX IF NOT EXISTS " + name + " ON " + on + " (" + exprs + ")"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// idType is the column type of ids of kind k in tables the store creates;
// key is set for a primary key.
func (d Dialect) idType(k IDKind, key bool) string {
	switch {
	case k == IntegerID && key && d == SQLite:
		return "INTEGER PRIMARY KEY"
	case k == IntegerID && key:
		return "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
	case k == IntegerID:
		return "BIGINT"
	case k == UUIDID && d == PostgreSQL:
		if key {
			return "UUID PRIMARY KEY"
		}
		return "UUID"
	case key:
		return "TEXT PRIMARY KEY"
	}
	return "TEXT"
}

func (t *table) createTable() string {
	d := t.s.d
	cols := []string{t.t.ID + " " + d.idType(t.t.IDKind, true)}
	if t.t.Tenant != "" {
		cols = append(cols, t.t.Tenant+" TEXT NOT NULL")
	}
	cols = append(cols, t.t.Version+" BIGINT NOT NULL DEFAULT 1")
	if t.t.Created != "" {
		cols = append(cols, t.t.Created+" "+d.timeType())
	}
	if t.t.Modified != "" {
		cols = append(cols, t.t.Modified+" "+d.timeType())
	}
	for _, c := range t.cols {
		cols = append(cols, c.name+" "+d.sqlType(c.leaf))
	}
	if t.t.JSON != "" {
		typ := "TEXT"
		if d == PostgreSQL {
			typ = "JSONB"
		}
		cols = append(cols, t.t.JSON+" "+typ)
	}
	return "CREATE TABLE IF NOT EXISTS " + t.t.Table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
}

func (t *table) createChild(ch *child) string {
	d := t.s.d
	cols := []string{ch.c.Key + " " + d.idType(t.t.IDKind, false) + " NOT NULL REFERENCES " + t.t.Table + " (" + t.t.ID + ") ON DELETE CASCADE"}
	for i, col := range ch.cols {
		a := ch.attr
		if ch.subs != nil {
			a = ch.subs[i]
		}
		cols = append(cols, col+" "+d.sqlType(a))
	}
	if ch.c.Order != "" {
		cols = append(cols, ch.c.Order+" BIGINT")
	}
	return "CREATE TABLE IF NOT EXISTS " + ch.c.Table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
}

func (m *members) createTable() string {
	g := m.group
	d := g.s.d
	member := m.m.Member + " " + d.idType(m.kind(), false) + " NOT NULL"
	if len(m.types) == 1 {
		mt := m.types[0]
		member += " REFERENCES " + mt.t.Table + " (" + mt.t.ID + ") ON DELETE CASCADE"
	}
	cols := []string{
		m.m.Group + " " + d.idType(g.t.IDKind, false) + " NOT NULL REFERENCES " + g.t.Table + " (" + g.t.ID + ") ON DELETE CASCADE",
		member,
	}
	key := m.m.Group + ", " + m.m.Member
	if m.m.Type != "" {
		cols = append(cols, m.m.Type+" TEXT NOT NULL")
		key += ", " + m.m.Type
	}
	cols = append(cols, "PRIMARY KEY ("+key+")")
	return "CREATE TABLE IF NOT EXISTS " + m.m.Table + " (\n\t" + strings.Join(cols, ",\n\t") + "\n)"
}
