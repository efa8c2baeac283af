package filter

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/schema"
)

// SQL translates resolved filters, sorts and pages into parameterised SQL
// for a host that keeps the resources of one resource type in relational
// tables. It describes where each attribute is stored: single-valued
// attributes in columns of the resource's own row, multi-valued ones in
// child tables. [SQL.Where], [SQL.OrderBy] and [SQL.Limit] return SQL
// fragments and append the values they compare with to an argument slice;
// no value from a filter is ever written into the SQL text.
//
// A host lists a page of Users like this, with "u" the alias of its users
// table:
//
//	where, args, err := users.Where(q.Filter, nil)
//	order, args, err := users.OrderBy(q.Sort, args)
//	limit, args := users.Limit(q.StartIndex, q.Count, args)
//	rows, err := db.QueryContext(ctx, "SELECT u.id, u.data FROM users u"+
//		" WHERE "+where+" ORDER BY "+order+" "+limit, args...)
//
// and counts the matches with "SELECT COUNT(*) FROM users u WHERE "+where
// and the arguments Where returned.
//
// The generated SQL has the semantics of [Filter.Match] and [Sort.Compare]
// (RFC 7644 §3.4.2.2 and §3.4.2.3), provided the host stores an absent
// value as NULL and each value as SCIM represents it (meta.version, for
// example, as the entity tag W/"..."):
//
//   - a comparison on a multi-valued attribute becomes
//     EXISTS (SELECT 1 FROM <table> WHERE <join> AND <test>), and a value
//     path such as emails[type eq "work" and value co "x"] a single EXISTS
//     whose test holds for one row;
//   - "ne", "not" and "eq null" match resources without the attribute:
//     a negated test on a column reads (col IS NULL OR col <> ?), and on a
//     multi-valued attribute NOT EXISTS (...);
//   - strings of attributes that are not caseExact compare as LOWER(col)
//     with an argument lower-cased in Go, or as Fold(col) with an argument
//     folded by [Fold] when the Fold field is set; co, sw and ew use
//     LIKE ? ESCAPE '!' with %, _ and ! in the argument escaped by "!", or
//     GLOB ? when Glob is set. The escape character is "!" rather than "\"
//     because MySQL reads a backslash inside a string literal as an escape;
//   - "pr" on a string tests that the column is neither NULL nor the empty
//     string, since Match treats "" as absent; on other types it is
//     col IS NOT NULL, and on a complex attribute a test that one of its
//     mapped sub-attributes is present;
//   - booleans, integers and decimals are passed as bool, int64 and float64
//     arguments, and dateTimes as time.Time in UTC, or as text when
//     TimeLayout is set. A number the column's type cannot hold, such as
//     1.5 compared with an integer, is turned into an equivalent
//     comparison, here with 1 or 2, or into a constant, and so is a
//     dateTime finer than the columns' TimePrecision.
//
// Case and order of strings are where databases differ from Go and from
// each other; the fields Fold, Exact and Glob make them agree with Match
// and Sort.Compare, for every string, not only ASCII:
//
//   - With Fold, the host provides a database function, say scim_fold, that
//     computes [Fold], and every comparison and sort on a string attribute
//     that is not caseExact reads scim_fold(col) and compares it with a
//     folded argument. Equality, co, sw and ew then hold exactly when Match
//     says, and gt, ge, lt, le and ORDER BY follow the byte order of
//     strings.Compare if scim_fold(col) compares bytewise: always in SQLite,
//     with COLLATE "C" in PostgreSQL. Without Fold, such strings compare as
//     LOWER(col) with an argument lowered by strings.ToLower. SQLite's
//     LOWER lowers only ASCII letters, so that there a stored "Ä" never
//     equals a filter's "ä"; PostgreSQL's follows the database's locale,
//     and even where that lowers every letter it differs from Fold on
//     some: Fold equates "ſ" with "s" and "ς" with "σ", but keeps "İ" apart
//     from "i".
//   - With Exact, gt, ge, lt and le on caseExact strings, and ORDER BY on
//     any string, compare Exact(col), which a host sets to compare bytewise,
//     as col COLLATE "C" does in PostgreSQL. Without it they follow the
//     column's collation, which gives Match's order only if that is binary,
//     as SQLite's default BINARY or PostgreSQL's "C" is. Equality, co, sw
//     and ew do not need it, so plain indexes on the columns stay usable.
//   - With Glob, co, sw and ew use SQLite's GLOB, which, unlike its LIKE,
//     never ignores case, so that they respect caseExact even without
//     PRAGMA case_sensitive_like=ON. Other databases have no GLOB.
//
// A host on SQLite sets Fold and Glob, on PostgreSQL Fold and Exact. The
// generated SQL then gives exactly the results of Match and Sort.Compare
// for every string, except that a multi-valued attribute sorts by its least
// value (see OrderBy). An index on the expression Fold returns, with
// scim_fold declared deterministic (IMMUTABLE in PostgreSQL), serves eq
// and sorting; like any stored fold, it must be rebuilt when the Unicode
// version behind scim_fold changes. A dateTime column must hold a type that
// compares as time (timestamp with time zone in PostgreSQL), or text in the
// fixed-width layout given as TimeLayout.
//
// Every generated condition, and every sub-expression in it, is enclosed in
// parentheses, so it can follow WHERE or AND whatever surrounds it. A host's
// column expression other than a plain name such as u.user_name is put in
// parentheses too. The conditions are meant for WHERE: for a row that does
// not match they may be NULL rather than FALSE, so a host should not wrap
// them in NOT.
//
// The methods do not modify the SQL value: once set up, it is safe for
// concurrent use.
type SQL struct {
	// Placeholder is the style of the parameter placeholders: Question
	// ("?", the zero value) or Dollar ("$1", "$2", ...).
	Placeholder Placeholder

	// Columns maps the canonical path of each single-valued attribute the
	// host stores in a column, as [Attribute.String] returns it, to an SQL
	// expression for that column: "userName" to "u.user_name",
	// "name.familyName" to "u.family_name", "id", "externalId" and
	// "meta.lastModified" likewise, and
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"
	// to "u.employee_number". A single-valued complex attribute is mapped
	// through its sub-attributes. OrderBy needs "id".
	Columns map[string]string

	// Tables maps the canonical name of each multi-valued attribute, such
	// as "emails" or "urn:example:Ext:tags", to the child table that holds
	// one row per value. A single-valued complex attribute may also be kept
	// in a table, with at most one row per resource. A multi-valued
	// attribute that is not in Tables cannot be translated, even if
	// Columns maps it.
	Tables map[string]SQLTable

	// TimeLayout, if not empty, passes dateTime values as strings
	// formatted in UTC with this layout rather than as time.Time. Text
	// compares as time only in a fixed-width layout such as
	// [TextTimeLayout], which the host must then also store.
	TimeLayout string

	// TimePrecision, if not zero, is the resolution of the dateTime
	// columns: time.Microsecond for PostgreSQL's timestamp with time zone
	// or MySQL's DATETIME(6), whose drivers truncate or round a finer
	// argument. A filter's dateTime that is not a whole multiple of it is
	// then turned into an equivalent comparison, as a number is for an
	// integer column: eq never holds, gt and le compare with the instant
	// rounded down, ge and lt with it rounded up. It assumes the columns
	// hold only such multiples, as they do when they have this resolution.
	TimePrecision time.Duration

	// Fold, if not nil, returns an SQL expression that computes [Fold] of
	// the column expression col, for comparisons and sorts on strings of
	// attributes that are not caseExact: such a comparison reads Fold(col)
	// and takes Fold of the filter's value as its argument (the pattern of
	// co, sw and ew is built from it), and a sort orders by Fold(col), then
	// by the column itself (Exact(col) if Exact is set), then by id; a
	// multi-valued attribute sorts by MIN(Fold(col)). For SQLite, with a
	// function scim_fold registered with the driver that returns
	// filter.Fold of its argument (and NULL for NULL), Fold may be
	//
	//	func(col string) string { return "scim_fold(" + col + ")" }
	//
	// and for PostgreSQL, with such a function scim_fold(text) defined in
	// the database,
	//
	//	func(col string) string { return "(scim_fold(" + col + `) COLLATE "C")` }
	//
	// so that the folded strings order bytewise.
	//
	// col is a column expression from Columns or a table's Columns, in
	// parentheses unless it is a plain name. The result is written into the
	// SQL as it is, as the operand of a comparison, LIKE, GLOB, MIN or
	// ORDER BY, so it must be a single operand, such as a function call,
	// and hold no placeholders. Fold is called while the SQL is written, on
	// the goroutine that calls Where or OrderBy, so it must be safe for
	// concurrent use, as a function of col alone is.
	//
	// If Fold is nil, such strings compare as LOWER(col) with an argument
	// in lower case (strings.ToLower), which agrees with Match for ASCII
	// only; see the type's documentation.
	Fold func(col string) string

	// Exact, if not nil, returns an SQL expression for the column
	// expression col that compares bytewise, as strings.Compare does, for
	// gt, ge, lt and le on strings of caseExact attributes, and for the
	// sort keys of strings: a caseExact string sorts by Exact(col), a
	// string that is not caseExact by Fold(col) and then Exact(col). For
	// PostgreSQL it may be
	//
	//	func(col string) string { return col + ` COLLATE "C"` }
	//
	// It is not used for eq, ne, co, sw and ew, whose results do not depend
	// on the collation, nor for the "id" column that breaks ties in
	// OrderBy, so plain indexes on those columns stay usable. col and the
	// result are as for Fold. If Exact is nil the column is compared and
	// sorted as it is, in the order of its collation.
	Exact func(col string) string

	// Convert, if not nil, is asked for each column that a string is
	// compared with, and returns nil for a column that holds strings, or
	// the function that converts a filter's string into the argument for
	// a column that holds another SQL type: an id or a member's value kept
	// as an integer or a UUID, say. The function returns false when no
	// value of the column can equal the string (an integer id compared with
	// "abc"), which decides eq (never true) and ne (always true) without
	// the database. Such a column supports eq, ne and pr only: any other
	// comparison, and a sort, is an [*UnmappedError], since the column's
	// order is not the order of its values as strings.
	Convert func(col string) func(s string) (any, bool)

	// Glob writes co, sw and ew as col GLOB ?, or, negated,
	// (col IS NULL OR col NOT GLOB ?), instead of with LIKE. It is for
	// SQLite, whose LIKE ignores ASCII case even for caseExact attributes
	// unless PRAGMA case_sensitive_like=ON is set. The argument is a
	// pattern in which GLOB's special characters stand for themselves ("*"
	// written as "[*]", "?" as "[?]" and "[" as "[[]"): "*lit*" for co,
	// "lit*" for sw and "*lit" for ew. For attributes that are not
	// caseExact, col is Fold(col) and lit folded, or, if Fold is nil,
	// LOWER(col) and lit in lower case.
	Glob bool
}

// SQLTable is a child table that holds the values of one attribute, one row
// per value, for [SQL.Tables].
type SQLTable struct {
	// From names the table and its alias, such as "user_emails e".
	From string
	// Join correlates a row of the table with the resource's row, such as
	// "e.user_id = u.id". It may be empty if From does so itself.
	Join string
	// Key and Parent, when both are set and Join is not, correlate the
	// table's rows with the resource's row by a key: Key is the table's
	// column that refers to the resource, such as "e.user_id", and Parent
	// the resource's column it refers to, such as "u.id". A test that one
	// of the values matches is then written
	// (u.id IN (SELECT e.user_id FROM user_emails e WHERE test)), which a
	// database answers from an index on the values without visiting every
	// resource, as it may not for a correlated EXISTS; the other uses
	// correlate with Key = Parent. Key must not be NULL.
	Key, Parent string
	// Columns maps sub-attribute names, such as "value", "type" and
	// "primary", to columns of the table, such as "e.value". For a
	// multi-valued attribute that is not complex, such as a list of
	// strings, the key is "value".
	Columns map[string]string
}

// Placeholder is a style of SQL parameter placeholder.
type Placeholder int

// The placeholder styles.
const (
	// Question writes every parameter as "?", as SQLite and MySQL expect.
	Question Placeholder = iota
	// Dollar numbers the parameters "$1", "$2", ..., as PostgreSQL
	// expects. The first number is one more than the number of arguments
	// passed in, so a host can put its own arguments first.
	Dollar
)

// TextTimeLayout is a layout for [SQL.TimeLayout] under which text order is
// time order: UTC with nine fractional digits, such as
// "2011-05-13T04:42:34.000000000Z". A host that stores dateTimes as text,
// as is common with SQLite, stores t.UTC().Format(TextTimeLayout).
const TextTimeLayout = "2006-01-02T15:04:05.000000000Z"

// UnmappedError reports an attribute that a filter or sort uses but the
// [SQL] description does not map: a single-valued attribute missing from
// Columns, a multi-valued one missing from Tables, or a sub-attribute
// missing from its table's Columns. It is a limit of the host's storage,
// not a mistake in the request: a host can answer it with 400 and scimType
// invalidFilter, or fall back to filtering in memory with [Filter.Match].
type UnmappedError struct {
	// Path is the attribute's canonical path, such as "nickName",
	// "emails.display" or, for a multi-valued attribute without a table,
	// "emails".
	Path string
}

// Error names the attribute.
func (e *UnmappedError) Error() string {
	return "filter: attribute " + clip.Quote(e.Path) + " is not mapped to SQL"
}

// Where returns an SQL condition that holds for the resources f matches,
// with parameters in the placeholder style and their values appended to
// args. $n placeholders are numbered from len(args)+1. For a nil f it
// returns "(1 = 1)", so the result can always follow WHERE or AND.
//
// It returns an [*UnmappedError] for an attribute s does not map; on error
// args is returned unchanged.
func (s *SQL) Where(f *Filter, args []any) (string, []any, error) {
	if f == nil {
		return "(1 = 1)", args, nil
	}
	w := sqlWriter{s: s, args: args, b: make([]byte, 0, 128)}
	if err := w.cond(f.root, false, nil); err != nil {
		return "", args, err
	}
	return string(w.b), w.args, nil
}

// OrderBy returns the list of sort keys that follows ORDER BY for srt,
// appending any parameter values to args. It orders as [Sort.Compare]:
// resources without a value last in either direction, strings of
// attributes that are not caseExact by LOWER(col), or Fold(col) if the
// Fold field is set, and then by col, or Exact(col) if Exact is set, and
// ties by the "id" column in ascending order, so paging is stable. For
// userName ascending it returns
//
//	CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, LOWER(u.user_name) ASC, u.user_name ASC, u.id ASC
//
// and with PostgreSQL's Fold and Exact of the field docs
//
//	CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, (scim_fold(u.user_name) COLLATE "C") ASC, u.user_name COLLATE "C" ASC, u.id ASC
//
// A multi-valued attribute sorts by its least value among the elements
// whose "primary" column is true if there is one, else among all of them:
// a table has no element order, so the "first value" of RFC 7644
// §3.4.2.3 becomes the least one. As in [Sort.Compare], a primary element
// without a value sorts its resource last, whatever the other elements
// hold. Strings that are not caseExact compare there by Fold(col) (or
// LOWER(col)) alone, with ties broken by id. For a nil srt OrderBy returns
// the id column alone.
//
// It returns an [*UnmappedError] if s does not map the sort attribute or
// "id"; on error args is returned unchanged.
func (s *SQL) OrderBy(srt *Sort, args []any) (string, []any, error) {
	id, ok := s.Columns["id"]
	if !ok {
		return "", args, &UnmappedError{Path: "id"}
	}
	w := sqlWriter{s: s, args: args, b: make([]byte, 0, 128)}
	if srt == nil {
		w.col(id)
		w.str(" ASC")
		return string(w.b), w.args, nil
	}
	dir := " ASC"
	if srt.Descending {
		dir = " DESC"
	}
	a := srt.Attr
	leaf := a.Leaf()
	fold := isText(leaf.Type) && !leaf.CaseExact
	// The form of the column as a sort key: Exact(col) for strings, also
	// after Fold(col) for those that are not caseExact.
	key := plainCol
	if isText(leaf.Type) {
		key = exactCol
	}
	t, inTable, err := s.table(a)
	if err != nil {
		return "", args, err
	}
	if inTable {
		col, err := tableColumn(a, t)
		if err == nil && w.convert(col) != nil {
			err = &UnmappedError{Path: a.String()}
		}
		if err != nil {
			return "", args, err
		}
		primary := ""
		if p := a.Attr.SubAttribute("primary"); a.Attr.MultiValued && p != nil && p.Type == schema.Boolean {
			primary = t.Columns[p.Name]
		}
		if fold {
			key = foldCol
		}
		boolean := leaf.Type == schema.Boolean
		w.str("CASE WHEN ")
		w.sortKey(t, col, key, primary, boolean)
		w.str(" IS NULL THEN 1 ELSE 0 END, ")
		w.sortKey(t, col, key, primary, boolean)
		w.str(dir)
	} else {
		col, err := s.column(a)
		if err == nil && w.convert(col) != nil {
			err = &UnmappedError{Path: a.String()}
		}
		if err != nil {
			return "", args, err
		}
		w.str("CASE WHEN ")
		w.col(col)
		w.str(" IS NULL THEN 1 ELSE 0 END, ")
		if fold {
			w.operand(col, foldCol)
			w.str(dir)
			w.str(", ")
		}
		w.operand(col, key)
		w.str(dir)
		if col == id {
			return string(w.b), w.args, nil
		}
	}
	w.str(", ")
	w.col(id)
	w.str(" ASC")
	return string(w.b), w.args, nil
}

// Limit returns "LIMIT ? OFFSET ?" for the page that starts at the 1-based
// startIndex and holds at most count resources (RFC 7644 §3.4.2.4),
// appending the limit and the offset to args as int64 values. A startIndex
// below 1 counts as 1 and a negative count as 0.
func (s *SQL) Limit(startIndex, count int, args []any) (string, []any) {
	startIndex = max(startIndex, 1)
	count = max(count, 0)
	w := sqlWriter{s: s, args: args, b: make([]byte, 0, 24)}
	w.str("LIMIT ")
	w.arg(int64(count))
	w.str(" OFFSET ")
	w.arg(int64(startIndex - 1))
	return string(w.b), w.args
}

// table returns the child table that holds a's values, and whether there is
// one. A multi-valued attribute without a table is an *UnmappedError.
func (s *SQL) table(a Attribute) (SQLTable, bool, error) {
	if !a.Attr.MultiValued && a.Attr.Type != schema.Complex {
		return SQLTable{}, false, nil
	}
	key := a.Attr.Name
	if a.URN != "" {
		key = a.URN + ":" + key
	}
	if t, ok := s.Tables[key]; ok {
		return t, true, nil
	}
	if a.Attr.MultiValued {
		return SQLTable{}, false, &UnmappedError{Path: key}
	}
	return SQLTable{}, false, nil
}

// tableColumn returns the column of t that holds a's leaf.
func tableColumn(a Attribute, t SQLTable) (string, error) {
	name := "value"
	if a.Sub != nil {
		if a.Sub.MultiValued {
			return "", &UnmappedError{Path: a.String()}
		}
		name = a.Sub.Name
	}
	col, ok := t.Columns[name]
	if !ok {
		return "", &UnmappedError{Path: a.String()}
	}
	return col, nil
}

// column returns the column that holds a, a single-valued attribute or a
// sub-attribute of a single-valued complex attribute.
func (s *SQL) column(a Attribute) (string, error) {
	if a.Sub != nil && a.Sub.MultiValued {
		return "", &UnmappedError{Path: a.String()}
	}
	col, ok := s.Columns[a.String()]
	if !ok {
		return "", &UnmappedError{Path: a.String()}
	}
	return col, nil
}

// subColumns returns the columns that hold the sub-attributes of the
// complex attribute a, in t or, if t is nil, in Columns, with the
// sub-attributes, in schema order. Unmapped sub-attributes are left out.
func (s *SQL) subColumns(a Attribute, t *SQLTable) (cols []string, subs []*schema.Attribute) {
	for _, sub := range a.Attr.SubAttributes {
		var col string
		var ok bool
		if t != nil {
			col, ok = t.Columns[sub.Name]
		} else {
			col, ok = s.Columns[Attribute{URN: a.URN, Attr: a.Attr, Sub: sub}.String()]
		}
		if ok && !sub.MultiValued {
			cols = append(cols, col)
			subs = append(subs, sub)
		}
	}
	return cols, subs
}

// sqlWriter builds one SQL fragment and its arguments.
//
// Filters are written in negation normal form: cond pushes every "not" down
// to the comparisons by De Morgan's laws, and writes each comparison in a
// positive form, such as (LOWER(col) = ?), or a negative one, such as
// (col IS NULL OR LOWER(col) <> ?). Either form is TRUE exactly when Match
// holds for it, and FALSE or NULL otherwise; since the only connectives
// left are AND and OR, which never turn NULL into TRUE, the whole condition
// is TRUE exactly for the matching rows. No NOT is written except in the
// two-valued NOT EXISTS and in NOT LIKE or NOT GLOB after an IS NULL test.
type sqlWriter struct {
	s    *SQL
	b    []byte
	args []any
}

func (w *sqlWriter) str(s string) { w.b = append(w.b, s...) }

// arg writes a placeholder for v and appends v to the arguments.
func (w *sqlWriter) arg(v any) {
	w.args = append(w.args, v)
	if w.s.Placeholder == Dollar {
		w.b = append(w.b, '$')
		w.b = strconv.AppendInt(w.b, int64(len(w.args)), 10)
		return
	}
	w.b = append(w.b, '?')
}

// col writes a host's column expression as an operand: in parentheses
// unless it is a plain, possibly qualified or quoted, name. Inside a
// function call such as LOWER(...) it needs none and is written with str.
func (w *sqlWriter) col(c string) {
	if plainName(c) {
		w.str(c)
		return
	}
	w.b = append(w.b, '(')
	w.b = append(w.b, c...)
	w.b = append(w.b, ')')
}

// plainName reports whether the column expression c is a plain, possibly
// qualified or quoted, name.
func plainName(c string) bool {
	for i := 0; i < len(c); i++ {
		switch b := c[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9',
			b == '_', b == '.', b == '"', b == '`', b == '[', b == ']', b >= 0x80:
			continue
		}
		return false
	}
	return true
}

// operandOf returns the column expression c as col writes it.
func operandOf(c string) string {
	if plainName(c) {
		return c
	}
	return "(" + c + ")"
}

// A colForm is how a comparison or sort key reads a column.
type colForm int

const (
	plainCol colForm = iota // the column as it is
	foldCol                 // Fold(col), or LOWER(col) if SQL.Fold is nil
	exactCol                // Exact(col), or the column if SQL.Exact is nil
)

// operand writes the column c in form f.
func (w *sqlWriter) operand(c string, f colForm) {
	switch {
	case f == foldCol && w.s.Fold != nil:
		w.str(w.s.Fold(operandOf(c)))
	case f == foldCol:
		w.str("LOWER(")
		w.str(c)
		w.str(")")
	case f == exactCol && w.s.Exact != nil:
		w.str(w.s.Exact(operandOf(c)))
	default:
		w.col(c)
	}
}

// cond writes n, negated if neg. tab is the table of the enclosing value
// path, or nil at the top level and in a value path over a complex
// attribute mapped through Columns.
func (w *sqlWriter) cond(n node, neg bool, tab *SQLTable) error {
	switch n := n.(type) {
	case *notNode:
		return w.cond(n.x, !neg, tab)
	case *andNode, *orNode:
		w.str("(")
		if err := w.junction(n, neg, junction(n, neg), tab); err != nil {
			return err
		}
		w.str(")")
		return nil
	case *presentNode:
		return w.present(n, neg, tab)
	case *compareNode:
		return w.leaf(n.attr, n.inElem, neg, tab, func(col string, neg bool) error { return w.compare(n, col, neg) })
	case *valuePathNode:
		return w.valuePath(n, neg)
	case noValue:
		// An attribute the resource type does not define (ResolveAbsent).
		if neg {
			w.str("(1 = 1)")
		} else {
			w.str("(1 = 0)")
		}
		return nil
	}
	return errorString("filter: cannot translate a filter node to SQL")
}

// junction returns the connective n becomes when negated if neg: " AND "
// or " OR ", or "" if n is neither an "and" nor an "or".
func junction(n node, neg bool) string {
	switch n.(type) {
	case *andNode:
		if neg {
			return " OR "
		}
		return " AND "
	case *orNode:
		if neg {
			return " AND "
		}
		return " OR "
	}
	return ""
}

// junction writes the operands of a chain of op, such as a and b and c,
// without parentheses between them.
func (w *sqlWriter) junction(n node, neg bool, op string, tab *SQLTable) error {
	for {
		x, ok := n.(*notNode)
		if !ok {
			break
		}
		n, neg = x.x, !neg
	}
	if junction(n, neg) != op {
		return w.cond(n, neg, tab)
	}
	var l, r node
	switch n := n.(type) {
	case *andNode:
		l, r = n.l, n.r
	case *orNode:
		l, r = n.l, n.r
	}
	if err := w.junction(l, neg, op, tab); err != nil {
		return err
	}
	w.str(op)
	return w.junction(r, neg, op, tab)
}

// leaf writes test for the column that holds a's leaf: directly, or inside
// EXISTS if a's values are rows of a child table.
func (w *sqlWriter) leaf(a Attribute, inElem, neg bool, tab *SQLTable, test func(col string, neg bool) error) error {
	if inElem && tab != nil {
		col, err := tableColumn(a, *tab)
		if err != nil {
			return err
		}
		return test(col, neg)
	}
	if !inElem {
		t, ok, err := w.s.table(a)
		if err != nil {
			return err
		}
		if ok {
			col, err := tableColumn(a, t)
			if err != nil {
				return err
			}
			return w.exists(t, neg, func() error { return test(col, false) })
		}
	}
	col, err := w.s.column(a)
	if err != nil {
		return err
	}
	return test(col, neg)
}

// exists writes (EXISTS (SELECT 1 FROM t WHERE join AND inner)), or NOT
// EXISTS if neg.
//
// With t's Key and Parent, a positive test is written
// (Parent IN (SELECT Key FROM t WHERE inner)) instead.
func (w *sqlWriter) exists(t SQLTable, neg bool, inner func() error) error {
	switch {
	case !neg && t.keyed():
		w.str("(")
		w.col(t.Parent)
		w.str(" IN (SELECT ")
		w.str(t.Key)
		w.str(" FROM ")
	case neg:
		w.str("(NOT EXISTS (SELECT 1 FROM ")
	default:
		w.str("(EXISTS (SELECT 1 FROM ")
	}
	w.str(t.From)
	w.str(" WHERE ")
	if join := t.join(); join != "" && (neg || !t.keyed()) {
		w.str("(")
		w.str(join)
		w.str(") AND ")
	}
	if err := inner(); err != nil {
		return err
	}
	w.str("))")
	return nil
}

// keyed reports whether t is correlated by Key and Parent.
func (t *SQLTable) keyed() bool { return t.Join == "" && t.Key != "" && t.Parent != "" }

// join returns the condition that correlates t's rows with the resource's.
func (t *SQLTable) join() string {
	if t.keyed() {
		return t.Key + " = " + t.Parent
	}
	return t.Join
}

// constant writes a condition that is always true or always false.
func (w *sqlWriter) constant(v bool) {
	if v {
		w.str("(1 = 1)")
	} else {
		w.str("(1 = 0)")
	}
}

// present writes the "pr" test.
func (w *sqlWriter) present(n *presentNode, neg bool, tab *SQLTable) error {
	a := n.attr
	if a.Sub != nil || a.Attr.Type != schema.Complex {
		return w.leaf(a, n.inElem, neg, tab, func(col string, neg bool) error { w.presentColumn(a.Leaf(), col, neg); return nil })
	}
	// A complex value is present when one of its sub-attributes is.
	t, ok, err := w.s.table(a)
	if err != nil {
		return err
	}
	if ok {
		cols, subs := w.s.subColumns(a, &t)
		if len(cols) == 0 {
			return &UnmappedError{Path: a.String()}
		}
		return w.exists(t, neg, func() error { w.anyPresent(cols, subs, false); return nil })
	}
	cols, subs := w.s.subColumns(a, nil)
	if len(cols) == 0 {
		return &UnmappedError{Path: a.String()}
	}
	w.anyPresent(cols, subs, neg)
	return nil
}

// anyPresent writes a test that one of cols is present, or none if neg.
func (w *sqlWriter) anyPresent(cols []string, subs []*schema.Attribute, neg bool) {
	if len(cols) == 1 {
		w.presentColumn(subs[0], cols[0], neg)
		return
	}
	w.str("(")
	for i, col := range cols {
		if i > 0 {
			if neg {
				w.str(" AND ")
			} else {
				w.str(" OR ")
			}
		}
		w.presentColumn(subs[i], col, neg)
	}
	w.str(")")
}

// presentColumn writes the "pr" test for a column that holds values of a.
func (w *sqlWriter) presentColumn(a *schema.Attribute, col string, neg bool) {
	text := isText(a.Type) && w.convert(col) == nil
	switch {
	case text && neg:
		w.str("(")
		w.col(col)
		w.str(" IS NULL OR ")
		w.col(col)
		w.str(" = '')")
	case text:
		w.str("(")
		w.col(col)
		w.str(" <> '')")
	case neg:
		w.str("(")
		w.col(col)
		w.str(" IS NULL)")
	default:
		w.str("(")
		w.col(col)
		w.str(" IS NOT NULL)")
	}
}

// valuePath writes a value path such as emails[type eq "work"].
func (w *sqlWriter) valuePath(n *valuePathNode, neg bool) error {
	a := n.attr
	t, ok, err := w.s.table(a)
	if err != nil {
		return err
	}
	if ok {
		return w.exists(t, neg, func() error { return w.cond(n.filter, false, &t) })
	}
	// A single-valued complex attribute mapped through Columns. Match finds
	// nothing when the attribute is absent, which the sub-attributes'
	// columns cannot tell apart from a value whose sub-attributes are all
	// null; a filter that can hold for null columns, such as
	// name[not (familyName eq "x")], needs an explicit test.
	if matchesNull(n.filter, neg) == neg {
		// For a positive value path the filter cannot hold for null
		// columns; for a negated one it holds for them anyway.
		return w.cond(n.filter, neg, nil)
	}
	cols, _ := w.s.subColumns(a, nil)
	if len(cols) == 0 {
		return &UnmappedError{Path: a.String()}
	}
	w.str("((")
	for i, col := range cols {
		switch {
		case i == 0:
		case neg:
			w.str(" AND ")
		default:
			w.str(" OR ")
		}
		w.col(col)
		if neg {
			w.str(" IS NULL")
		} else {
			w.str(" IS NOT NULL")
		}
	}
	if neg {
		w.str(") OR ")
	} else {
		w.str(") AND ")
	}
	if err := w.cond(n.filter, neg, nil); err != nil {
		return err
	}
	w.str(")")
	return nil
}

// matchesNull reports whether n, negated if neg, may be written as a
// condition that is TRUE when every column it reads is NULL: only a
// negative comparison or "pr" test is.
func matchesNull(n node, neg bool) bool {
	switch n := n.(type) {
	case *notNode:
		return matchesNull(n.x, !neg)
	case *andNode:
		if neg {
			return matchesNull(n.l, neg) || matchesNull(n.r, neg)
		}
		return matchesNull(n.l, neg) && matchesNull(n.r, neg)
	case *orNode:
		if neg {
			return matchesNull(n.l, neg) && matchesNull(n.r, neg)
		}
		return matchesNull(n.l, neg) || matchesNull(n.r, neg)
	}
	return neg
}

// compare writes the comparison n on col.
func (w *sqlWriter) compare(n *compareNode, col string, neg bool) error {
	op := n.op
	switch n.typ {
	case schema.String, schema.Reference, schema.Binary:
		if conv := w.convert(col); conv != nil {
			if op != Eq {
				return &UnmappedError{Path: n.attr.String()}
			}
			arg, ok := conv(n.lit.s)
			if !ok {
				w.constant(neg)
				return nil
			}
			w.test(col, plainCol, op, arg, neg)
			return nil
		}
		s, form := n.lit.s, plainCol
		switch {
		case !n.caseExact && w.s.Fold != nil:
			s, form = n.lit.fold, foldCol
		case !n.caseExact:
			s, form = n.lit.lower, foldCol
		case op == Gt || op == Ge || op == Lt || op == Le:
			form = exactCol
		}
		switch op {
		case Co, Sw, Ew:
			s = w.pattern(op, s)
		}
		w.test(col, form, op, s, neg)
	case schema.Boolean:
		w.test(col, plainCol, op, n.lit.b, neg)
	case schema.DateTime:
		t := n.lit.t.UTC()
		if p := w.s.TimePrecision; p > 0 {
			if down := t.Truncate(p); !down.Equal(t) {
				// No stored value is t: compare with its neighbours.
				switch op {
				case Gt, Le:
					t = down
				case Ge, Lt:
					t = down.Add(p)
				default:
					w.constant(neg)
					return nil
				}
			}
		}
		if w.s.TimeLayout != "" {
			w.test(col, plainCol, op, t.Format(w.s.TimeLayout), neg)
		} else {
			w.test(col, plainCol, op, t, neg)
		}
	case schema.Integer, schema.Decimal:
		arg, op, outcome := number(n)
		switch outcome {
		case numPresent:
			w.presentColumn(n.attr.Leaf(), col, neg)
		case numNever:
			w.constant(neg)
		default:
			w.test(col, plainCol, op, arg, neg)
		}
	default:
		// Resolve refuses comparisons with complex values.
		w.constant(neg)
	}
	return nil
}

// convert returns the function that converts strings compared with col,
// or nil if col holds strings.
func (w *sqlWriter) convert(col string) func(string) (any, bool) {
	if w.s.Convert == nil {
		return nil
	}
	return w.s.Convert(col)
}

// test writes (col op ?), or if neg (col IS NULL OR col !op ?), with col
// in form f.
func (w *sqlWriter) test(col string, f colForm, op Op, arg any, neg bool) {
	w.str("(")
	if neg {
		w.col(col)
		w.str(" IS NULL OR ")
	}
	w.operand(col, f)
	w.str(w.sqlOp(op, neg))
	w.arg(arg)
	if (op == Co || op == Sw || op == Ew) && !w.s.Glob {
		w.str(" ESCAPE '!'")
	}
	w.str(")")
}

// pattern returns the LIKE or GLOB pattern for co, sw or ew with s.
func (w *sqlWriter) pattern(op Op, s string) string {
	if w.s.Glob {
		switch op {
		case Co:
			return "*" + escapeGlob(s) + "*"
		case Sw:
			return escapeGlob(s) + "*"
		}
		return "*" + escapeGlob(s)
	}
	switch op {
	case Co:
		return "%" + escapeLike(s) + "%"
	case Sw:
		return escapeLike(s) + "%"
	}
	return "%" + escapeLike(s)
}

// sqlOp returns the SQL operator for op, or for its negation if neg.
func (w *sqlWriter) sqlOp(op Op, neg bool) string {
	if w.s.Glob && (op == Co || op == Sw || op == Ew) {
		if neg {
			return " NOT GLOB "
		}
		return " GLOB "
	}
	return sqlOp(op, neg)
}

// sqlOp returns the SQL operator for op, or for its negation if neg, with
// LIKE for co, sw and ew.
func sqlOp(op Op, neg bool) string {
	switch op {
	case Eq:
		if neg {
			return " <> "
		}
		return " = "
	case Gt:
		if neg {
			return " <= "
		}
		return " > "
	case Ge:
		if neg {
			return " < "
		}
		return " >= "
	case Lt:
		if neg {
			return " >= "
		}
		return " < "
	case Le:
		if neg {
			return " > "
		}
		return " <= "
	}
	if neg {
		return " NOT LIKE "
	}
	return " LIKE "
}

// escapeLike escapes the LIKE wildcards % and _ and the escape character !
// in s.
func escapeLike(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '%' || c == '_' || c == '!' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '%' || c == '_' || c == '!' {
			b = append(b, '!')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// escapeGlob escapes GLOB's special characters *, ? and [ in s, each as a
// bracket expression that matches only itself.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, "*?[") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// The outcomes of a numeric comparison that number can decide without the
// database.
const (
	numCompare = iota // compare in the database
	numPresent        // holds for every value: true when there is one
	numNever          // holds for no value
)

// number returns the argument and operator for a comparison with a number,
// or the comparison's outcome if it does not depend on the value. An
// integer attribute is compared with an int64, so that the database need
// not convert: 1.5 becomes > 1 for gt and >= 2 for ge, an equality with it
// never holds, and a number beyond the int64 range holds for every value or
// for none.
func number(n *compareNode) (any, Op, int) {
	l, op := n.lit, n.op
	switch {
	case n.typ == schema.Decimal:
		return l.f, op, numCompare
	case l.isInt:
		return l.i, op, numCompare
	}
	const two63 = 1 << 63
	switch f := l.f; {
	case f >= two63:
		if op == Lt || op == Le {
			return nil, op, numPresent
		}
		return nil, op, numNever
	case f < -two63:
		if op == Gt || op == Ge {
			return nil, op, numPresent
		}
		return nil, op, numNever
	case f == math.Trunc(f):
		return int64(f), op, numCompare
	case op == Gt || op == Le:
		return int64(math.Floor(f)), op, numCompare
	case op == Ge || op == Lt:
		return int64(math.Ceil(f)), op, numCompare
	}
	return nil, op, numNever
}

// isText reports whether values of type t are strings.
func isText(t schema.Type) bool {
	return t == schema.String || t == schema.Reference || t == schema.Binary
}

// sortKey writes the value a multi-valued attribute sorts by, as one
// subquery over its rows: the least value of col in form f among the
// primary rows if there is one, else among all rows, so that, as in
// Sort.Compare, a primary element without a value gives none rather than
// another element's. With primary "p" and col "e.value" it writes
//
//	(SELECT CASE WHEN MAX(CASE WHEN p = ? THEN 1 ELSE 0 END) = 1
//	 THEN MIN(CASE WHEN p = ? THEN e.value END) ELSE MIN(e.value) END FROM ...)
//
// A boolean column sorts as 0 for false and 1 for true, since PostgreSQL
// has no MIN of booleans.
func (w *sqlWriter) sortKey(t SQLTable, col string, f colForm, primary string, boolean bool) {
	value := func() {
		switch {
		case boolean:
			w.str("CASE WHEN ")
			w.col(col)
			w.str(" THEN 1 WHEN NOT ")
			w.col(col)
			w.str(" THEN 0 END")
		case f == foldCol || f == exactCol && w.s.Exact != nil:
			w.operand(col, f)
		default:
			w.col(col)
		}
	}
	isPrimary := func() {
		w.col(primary)
		w.str(" = ")
		w.arg(true)
	}
	w.str("(SELECT ")
	if primary != "" {
		w.str("CASE WHEN MAX(CASE WHEN ")
		isPrimary()
		w.str(" THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN ")
		isPrimary()
		w.str(" THEN ")
		value()
		w.str(" END) ELSE ")
	}
	w.str("MIN(")
	value()
	w.str(")")
	if primary != "" {
		w.str(" END")
	}
	w.str(" FROM ")
	w.str(t.From)
	if join := t.join(); join != "" {
		w.str(" WHERE (")
		w.str(join)
		w.str(")")
	}
	w.str(")")
}
