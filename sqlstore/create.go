package sqlstore

import (
	"context"
	"errors"
	"strings"

	"github.com/scim-go/scim/resource"
)

// createInOne creates r on PostgreSQL with one statement, which inserts
// its row and its child rows and reads them back as stored, through
// RETURNING: one round trip where a transaction takes five (BEGIN, the
// row, the child rows, the read, COMMIT). It applies, and reports true,
// only when nothing else needs a transaction: no uniqueness check of the
// store's own (the database's unique indexes enforce them), no members,
// and few enough values for one statement.
func (t *table) createInOne(ctx context.Context, r *resource.Resource, tenant any) (*resource.Resource, bool, error) {
	if t.s.d != PostgreSQL || t.members != nil && len(membersOf(r)) > 0 {
		return nil, false, nil
	}
	for i, c := range t.unique {
		if c.get(r) != nil && !t.enforced(ctx, t.s.db(), i) {
			return nil, false, nil
		}
	}
	// Counted before any value is hashed, so that a create that does not
	// fit hashes its secrets once, in the transaction.
	n := fixedCols + 1 + len(t.cols) // the row's, its tenant's among them
	for _, ch := range t.children {
		n += len(childValues(r, ch)) * (len(ch.cols) + 1)
	}
	if n > maxArgs {
		return nil, false, nil
	}
	cols, args, err := t.insertColumns(r, tenant)
	if err != nil {
		return nil, true, err
	}
	var b strings.Builder
	// The row's CTE takes the table's alias, so that the select list
	// reads it as it reads the table.
	b.WriteString("WITH " + t.alias + " AS (INSERT INTO " + t.t.Table + " (" + strings.Join(cols, ", ") + ") VALUES (" + placeholders(len(cols)) + ") RETURNING *)")
	fresh := make(map[*child]string)
	for _, ch := range t.children {
		elems := childValues(r, ch)
		if len(elems) == 0 {
			continue // the select list reads the table, where it has no rows
		}
		ccols, rows := t.childRows(ch, elems)
		name := "n" + ch.alias
		fresh[ch] = name
		b.WriteString(", " + name + " AS (INSERT INTO " + ch.c.Table + " (" + ch.c.Key + ", " + strings.Join(ccols, ", ") + ") VALUES ")
		one := "((SELECT " + t.t.ID + " FROM " + t.alias + "), " + placeholders(len(ccols)) + ")"
		for j, row := range rows {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, row...)
		}
		b.WriteString(" RETURNING " + strings.Join(ccols, ", ") + ")")
	}
	b.WriteString(" SELECT " + t.selectListFresh(withAll, fresh) + " FROM " + t.alias)
	out, _, err := t.readRow(ctx, t.s.db(), b.String(), args, errors.New("sqlstore: a create returned no row"))
	return out, true, t.s.mapError(err)
}
