package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// The row of a resource is read by one statement: the table's own columns,
// and each child table, the members and the groups as a JSON array built by
// a subquery, so that a resource, or a page of them, costs one round trip
// and is read as one consistent snapshot.

// Positions of the fixed columns of a resource row.
const (
	colID = iota
	colVersion
	colCreated
	colModified
	colJSON
	fixedCols
)

// writeSQL writes the select lists and the filter translation.
func (t *table) writeSQL() {
	d := t.s.d
	for i := range t.selects {
		t.selects[i] = t.selectList(selection(i), t.alias)
		t.returning[i] = t.selectList(selection(i), t.t.Table)
	}
	a := t.alias + "."

	f := d.filterSQL()
	f.Columns = map[string]string{
		"id":                a + t.t.ID,
		"meta.version":      `'W/"' || ` + a + t.t.Version + ` || '"'`,
		"meta.resourceType": "'" + t.name + "'",
	}
	if t.t.Created != "" {
		f.Columns["meta.created"] = a + t.t.Created
	}
	if t.t.Modified != "" {
		f.Columns["meta.lastModified"] = a + t.t.Modified
	}
	for _, c := range t.cols {
		switch {
		case secret(c.leaf):
		case c.path == "externalId":
			f.Columns[c.path] = emptyAsNull(a + c.name)
		default:
			f.Columns[c.path] = a + c.name
		}
	}
	f.Tables = make(map[string]filter.SQLTable)
	for _, ch := range t.children {
		cols := make(map[string]string)
		if ch.subs == nil {
			cols["value"] = ch.alias + "." + ch.cols[0]
		}
		for i, s := range ch.subs {
			cols[s.Name] = ch.alias + "." + ch.cols[i]
		}
		f.Tables[ch.path] = filter.SQLTable{
			From: ch.from(), Key: ch.alias + "." + ch.c.Key, Parent: a + t.t.ID, Columns: cols,
		}
	}
	if m := t.members; m != nil {
		cols := map[string]string{"value": m.alias + "." + m.m.Member}
		if m.m.Type != "" {
			cols["type"] = m.typeExpr()
		}
		f.Tables["members"] = filter.SQLTable{
			From: m.m.Table + " " + m.alias, Key: m.alias + "." + m.m.Group, Parent: a + t.t.ID, Columns: cols,
		}
	}
	if t.groups != nil && len(t.memberOf) == 1 {
		// A filter on a User's groups, such as groups[value eq "..."].
		m := t.memberOf[0]
		tab := filter.SQLTable{
			From:    m.m.Table + " gm",
			Join:    "gm." + m.m.Member + " = " + a + t.t.ID,
			Columns: map[string]string{"value": "gm." + m.m.Group},
		}
		if m.group.display != "" {
			tab.From += " JOIN " + m.group.t.Table + " gg ON gg." + m.group.t.ID + " = gm." + m.m.Group
			tab.Columns["display"] = emptyAsNull("gg." + m.group.display)
		}
		if m.m.Type != "" {
			tab.Join += " AND gm." + m.m.Type + " = '" + m.stored[t.name] + "'"
		}
		f.Tables["groups"] = tab
	}
	f.Convert = t.convert
	t.fsql = f
}

// emptyAsNull returns the expression of the text column col for filters
// and sorts on a value that a resource cannot hold empty, and that the
// store reads as absent when the column holds "": externalId (a
// Resource.ExternalID of "" is none), and the display of a group a
// resource is a member of (a scim.GroupRef's Display of "" is none). There
// the empty string compares as NULL does, so that the database matches
// and sorts the row as Filter.Match and Sort.Compare do the resource read
// from it. Every other text column's "" is read as the empty string, and
// compared as one.
func emptyAsNull(col string) string {
	return "NULLIF(" + col + ", '')"
}

// from returns the FROM item of the child's table for filters and sorts,
// under its alias. A row whose columns are all NULL is read as no value
// (child.elements), so unless one of the columns is declared NOT NULL,
// filters see only the rows that hold a value, as Filter.Match sees the
// values read: a value path such as emails[not (primary eq true)] must not
// find a row of NULLs.
func (ch *child) from() string {
	if ch.valued {
		return ch.c.Table + " " + ch.alias
	}
	var b strings.Builder
	b.WriteString("(SELECT * FROM " + ch.c.Table + " WHERE ")
	for i, c := range ch.cols {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(c + " IS NOT NULL")
	}
	b.WriteString(") " + ch.alias)
	return b.String()
}

// typeExpr returns the expression of a member's resource type name, from
// the join table's Type column.
func (m *members) typeExpr() string {
	col := m.alias + "." + m.m.Type
	if len(m.m.Types) == 0 {
		return col
	}
	var b strings.Builder
	b.WriteString("(CASE " + col)
	for name, v := range m.stored {
		b.WriteString(" WHEN '" + v + "' THEN '" + name + "'")
	}
	b.WriteString(" ELSE " + col + " END)")
	return b.String()
}

// selectList returns the select list of a resource row read with sel,
// the row's table named q: its alias in a query, its own name in the
// RETURNING clause of an UPDATE, which SQLite does not let name an alias.
func (t *table) selectList(sel selection, q string) string {
	return t.selectListOf(sel, q, nil)
}

// selectListFresh is the select list of a row just inserted by the CTE
// named as the table's alias, whose child rows in fresh were inserted by
// the CTEs fresh names: a CTE's rows are not in its table for the rest of
// the statement.
func (t *table) selectListFresh(sel selection, fresh map[*child]string) string {
	return t.selectListOf(sel, t.alias, fresh)
}

func (t *table) selectListOf(sel selection, q string, fresh map[*child]string) string {
	a := q + "."
	cols := []string{a + t.t.ID, a + t.t.Version, "NULL", "NULL", "NULL"}
	if t.t.Created != "" {
		cols[colCreated] = a + t.t.Created
	}
	if t.t.Modified != "" {
		cols[colModified] = a + t.t.Modified
	}
	if t.t.JSON != "" {
		cols[colJSON] = a + t.t.JSON
	}
	for _, c := range t.cols {
		cols = append(cols, a+c.name)
	}
	for _, ch := range t.children {
		if name, ok := fresh[ch]; ok {
			cols = append(cols, t.freshChildSubquery(ch, name))
			continue
		}
		cols = append(cols, t.childSubquery(ch, q))
	}
	if t.members != nil {
		if sel&withMembers != 0 {
			cols = append(cols, t.membersSubquery(q))
		} else {
			cols = append(cols, "NULL")
		}
	}
	for _, m := range t.memberOf {
		if sel&withGroups != 0 && t.groups != nil {
			cols = append(cols, t.groupsSubquery(m, q))
		} else {
			cols = append(cols, "NULL")
		}
	}
	return strings.Join(cols, ", ")
}

// childSubquery returns the subquery that reads a child table's values of
// the row, its table named q, as a JSON array of arrays of its columns.
func (t *table) childSubquery(ch *child, q string) string {
	return t.childAggregate(ch, ch.c.Table+" "+ch.alias+" WHERE "+ch.alias+"."+ch.c.Key+" = "+q+"."+t.t.ID)
}

// freshChildSubquery reads ch's values of a row just inserted from the
// CTE name that inserted them, as childSubquery reads them from the table.
func (t *table) freshChildSubquery(ch *child, name string) string {
	return t.childAggregate(ch, name+" "+ch.alias)
}

// childAggregate returns the subquery that reads ch's values from source,
// a FROM clause that names ch's rows ch.alias.
func (t *table) childAggregate(ch *child, source string) string {
	var exprs []string
	for _, c := range ch.cols {
		exprs = append(exprs, ch.alias+"."+c)
	}
	order := ch.alias + "." + ch.cols[0]
	if ch.c.Order != "" {
		order = ch.alias + "." + ch.c.Order
	}
	return "(SELECT " + t.s.d.jsonArray(exprs, order) + " FROM " + source + ")"
}

// membersSubquery reads the members of the row, its table named q, as
// [value, type, display] arrays, the display from the member's own row.
func (t *table) membersSubquery(q string) string {
	m := t.members
	al := m.alias
	from := m.m.Table + " " + al
	typ := "NULL"
	if m.m.Type != "" {
		typ = al + "." + m.m.Type
	}
	var displays []string
	for i, mt := range m.types {
		if mt.display == "" {
			continue
		}
		da := "d" + strconv.Itoa(i)
		on := da + "." + mt.t.ID + " = " + al + "." + m.m.Member
		if m.m.Type != "" {
			on = al + "." + m.m.Type + " = '" + m.stored[mt.name] + "' AND " + on
		}
		from += " LEFT JOIN " + mt.t.Table + " " + da + " ON " + on
		displays = append(displays, da+"."+mt.display)
	}
	display := "NULL"
	switch len(displays) {
	case 0:
	case 1:
		display = displays[0]
	default:
		display = "COALESCE(" + strings.Join(displays, ", ") + ")"
	}
	return "(SELECT " + t.s.d.jsonArray([]string{al + "." + m.m.Member, typ, display}, al+"."+m.m.Member) +
		" FROM " + from + " WHERE " + al + "." + m.m.Group + " = " + q + "." + t.t.ID + ")"
}

// groupsSubquery reads the groups of the join table m the row, its table
// named q, is a member of, as [value, display] arrays.
func (t *table) groupsSubquery(m *members, q string) string {
	g := m.group
	display := "NULL"
	from := m.m.Table + " gm"
	if g.display != "" {
		from += " JOIN " + g.t.Table + " gg ON gg." + g.t.ID + " = gm." + m.m.Group
		display = "gg." + g.display
	}
	where := "gm." + m.m.Member + " = " + q + "." + t.t.ID
	if m.m.Type != "" {
		where += " AND gm." + m.m.Type + " = '" + m.stored[t.name] + "'"
	}
	return "(SELECT " + t.s.d.jsonArray([]string{"gm." + m.m.Group, display}, "gm."+m.m.Group) + " FROM " + from + " WHERE " + where + ")"
}

// convert is filter.SQL.Convert for the table's filters: the columns
// that hold the ids of resources with integer or UUID ids (the table's
// own, a member's, and a group's a resource is a member of) take a
// filter's string converted to such an id, and compare with it exactly,
// as the ids' only spelling. Text ids are compared as the strings of
// their attribute: members.value and groups.value are not caseExact, so
// that members[value eq "A"] finds the member "a", as Filter.Match does.
func (t *table) convert(col string) func(string) (any, bool) {
	if t.t.IDKind != TextID && col == t.alias+"."+t.t.ID {
		return t.idArg
	}
	if m := t.members; m != nil && m.kind() != TextID && col == m.alias+"."+m.m.Member {
		return m.memberArg
	}
	for _, m := range t.memberOf {
		if m.group.t.IDKind != TextID && col == "gm."+m.m.Group {
			return m.group.idArg
		}
	}
	return nil
}

// probe checks that the tables and columns of the mapping exist, by
// selecting them from no row.
func (t *table) probe(ctx context.Context) error {
	q := "SELECT " + t.selects[3] + " FROM " + t.t.Table + " " + t.alias + " WHERE 1 = 0"
	if t.t.Tenant != "" {
		q = "SELECT " + t.alias + "." + t.t.Tenant + ", " + t.selects[3] + " FROM " + t.t.Table + " " + t.alias + " WHERE 1 = 0"
	}
	rows, err := t.s.cfg.DB.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("sqlstore: type %s: its tables or columns do not fit the mapping: %w", t.name, err)
	}
	return rows.Close()
}

// sqlType is the column type of a's values in tables the store creates.
func (d Dialect) sqlType(a *schema.Attribute) string {
	switch a.Type {
	case schema.Boolean:
		return "BOOLEAN"
	case schema.Integer:
		return "BIGINT"
	case schema.Decimal:
		if d == PostgreSQL {
			return "DOUBLE PRECISION"
		}
		return "REAL"
	case schema.DateTime:
		return d.timeType()
	}
	return "TEXT"
}
