package filter

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scim-go/scim/schema"
)

// FuzzSQL translates every filter that resolves against the User or the
// Device resource type, with a mapping of every attribute, and proves that
// no literal of the filter can reach the SQL text. Three independent checks
// do so:
//
//  1. Vocabulary (checkSQLText). After the host's own fragments (column
//     expressions, table names, join conditions) are cut out, the SQL must
//     consist only of a fixed set of keywords, the operators = <> < <= > >=,
//     parentheses, commas, placeholders, the quoted strings '!' and the
//     empty string (two single quotes), and the digits 0 and 1 in the fixed
//     forms (1 = 1), (1 = 0), SELECT 1, THEN 1 and ELSE 0. Every right
//     operand of a comparison, LIKE or GLOB is a placeholder, the empty
//     string or one of those constants, and the placeholders are numbered
//     1, 2, ... one per argument. A literal written into the text would
//     have to be made of those tokens alone and sit where none of them
//     may, so a string, number or dateTime cannot slip in.
//  2. Non-interference (the second Where). Every literal of the resolved
//     filter is replaced by a different value of its type; strings by a
//     hostile one full of quotes, comment markers, LIKE and GLOB
//     wildcards, letters whose fold is not their lower case, and
//     placeholders. The SQL text must not change at all, so it cannot
//     depend on what a string literal holds.
//  3. Delivery (checkStringArgs). Each string literal must arrive, in
//     filter order, as its own argument: unchanged (for attributes that
//     are not caseExact, folded with Fold, or lower-cased if the mapping
//     has no Fold), or as a LIKE or GLOB pattern whose only unescaped
//     wildcards are the leading or trailing % or * that co, sw and ew add.
//
// It also checks that Where succeeds (the mapping is complete), that the
// condition is one parenthesised expression, and, for inputs that are
// attribute paths, the same for OrderBy. Each check runs with the mapping
// as it is and with the fields Fold, Exact and Glob set as a host on
// PostgreSQL or SQLite sets them (sqlVariants), whose expressions count as
// the host's fragments.
func FuzzSQL(f *testing.F) {
	for _, s := range sqlFuzzSeeds() {
		f.Add(s)
	}
	user, device := schema.UserResourceType(), sqlDeviceType()
	type target struct {
		rt *schema.ResourceType
		m  *SQL
	}
	var targets []target
	for _, rt := range []*schema.ResourceType{user, device} {
		for _, m := range sqlVariants(fullSQL(rt)) {
			targets = append(targets, target{rt, m})
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tg := range targets {
			if flt, err := Compile(tg.rt, s); err == nil {
				checkWhere(t, tg.rt, tg.m, s, flt)
			}
			if srt, err := ResolveSort(tg.rt, s, "descending"); err == nil {
				checkOrderBy(t, tg.m, srt)
			}
		}
	})
}

// sqlFuzzSeeds returns the parser's seeds, the inputs of the SQL tests, sort
// paths and hostile filters.
func sqlFuzzSeeds() []string {
	seeds := fuzzSeeds()
	for _, tt := range userSQLTests {
		seeds = append(seeds, tt.in)
	}
	for _, tt := range deviceSQLTests {
		seeds = append(seeds, tt.in)
	}
	return append(seeds,
		`userName`, `emails.value`, `emails`, `meta.lastModified`, `groups.display`, `tags`, `parts.kind`, `site.floor`,
		entURN+`:manager`,
		`userName eq "x') OR ('1'='1"`,
		`userName eq "'; DROP TABLE users; --"`,
		`title co "%_!\\'\""`,
		`displayName sw "?" or displayName ew "$1"`,
		`nickName eq "(1 = 1)"`,
		`userName eq "/* */ -- \n"`,
		`userName eq "\u0000"`,
		`emails[value co "' OR 1=1 --" and not (type eq "$2")]`,
		`not (emails[type eq "'" or value ew "!"]) and userName gt "\\"`,
		`externalId eq "ESCAPE '!'"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[not (value eq "'")]`,
		`count gt 1.5 and ratio lt 2 or readings eq 1E30`,
		`name eq "LIMIT 1" and seen gt "2020-01-01T00:00:00Z"`,
		`code eq 1 or link sw true`,
	)
}

// fullSQL maps every attribute of rt: single-valued ones to columns of a
// table "r", multi-valued ones to child tables. displayName, if rt has it,
// maps to an expression.
func fullSQL(rt *schema.ResourceType) *SQL {
	m := &SQL{Columns: map[string]string{}, Tables: map[string]SQLTable{}}
	n := 0
	add := func(urn string, attrs []*schema.Attribute) {
		for _, a := range attrs {
			key := a.Name
			if urn != "" {
				key = urn + ":" + key
			}
			col := sqlName(key)
			switch {
			case a.MultiValued:
				n++
				alias := "c" + strconv.Itoa(n)
				t := SQLTable{From: "t_" + col + " " + alias, Join: alias + ".owner_id = r.id", Columns: map[string]string{}}
				if a.Type == schema.Complex {
					for _, sub := range a.SubAttributes {
						t.Columns[sub.Name] = alias + "." + sqlName(sub.Name)
					}
				} else {
					t.Columns["value"] = alias + ".v"
				}
				m.Tables[key] = t
			case a.Type == schema.Complex:
				for _, sub := range a.SubAttributes {
					m.Columns[key+"."+sub.Name] = "r." + col + "_" + sqlName(sub.Name)
				}
			default:
				m.Columns[key] = "r." + col
			}
		}
	}
	add("", schema.CommonAttributes())
	add("", rt.Schema.Attributes)
	for _, e := range rt.Extensions {
		add(e.Schema.ID, e.Schema.Attributes)
	}
	if _, ok := m.Columns["displayName"]; ok {
		m.Columns["displayName"] = "COALESCE(r.display_name, r.user_name)"
	}
	return m
}

// sqlVariants returns m as it is and with the fields Fold, Exact and Glob
// set in the combinations hosts use.
func sqlVariants(m *SQL) []*SQL {
	pg, sqlite, other := *m, *m, *m
	pg.Fold, pg.Exact = pgFold, pgExact
	sqlite.Fold, sqlite.Glob = sqliteFold, true
	other.Exact, other.Glob = pgExact, true
	return []*SQL{m, &pg, &sqlite, &other}
}

// The Fold and Exact functions of the tests.
func pgFold(c string) string     { return "(scim_fold(" + c + `) COLLATE "C")` }
func pgExact(c string) string    { return c + ` COLLATE "C"` }
func sqliteFold(c string) string { return "scim_fold(" + c + ")" }

// sqlName turns an attribute path into an SQL name.
func sqlName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b[i] = '_'
		}
	}
	return strings.ToLower(string(b))
}

// hostFragments returns every string m may write into SQL, longest first so
// that a replacer cuts out whole fragments: column expressions and what
// Fold and Exact make of them, tables and joins.
func hostFragments(m *SQL) []string {
	var fs []string
	col := func(c string) {
		fs = append(fs, c)
		if m.Fold != nil {
			fs = append(fs, m.Fold(operandOf(c)))
		}
		if m.Exact != nil {
			fs = append(fs, m.Exact(operandOf(c)))
		}
	}
	for _, c := range m.Columns {
		col(c)
	}
	for _, t := range m.Tables {
		fs = append(fs, t.From, t.Join)
		for _, c := range t.Columns {
			col(c)
		}
	}
	slices.SortFunc(fs, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return slices.Compact(fs)
}

func checkWhere(t *testing.T, rt *schema.ResourceType, full *SQL, s string, flt *Filter) {
	t.Helper()
	for _, style := range []Placeholder{Question, Dollar} {
		m := *full
		m.Placeholder = style
		prefix := func() []any {
			if style == Dollar {
				return []any{"tenant"}
			}
			return nil
		}
		where, args, err := m.Where(flt, prefix())
		if err != nil {
			t.Fatalf("Where(%q) with a full mapping: %v", s, err)
		}
		np := len(prefix())
		if err := checkSQLText(&m, where, args, np, true); err != nil {
			t.Fatalf("Where(%q) = %s %v:\n%v", s, where, args, err)
		}
		if err := checkStringArgs(&m, flt.root, args[np:]); err != nil {
			t.Fatalf("Where(%q) = %s %v:\n%v", s, where, args, err)
		}

		// The same filter with other literals gives the same SQL.
		mut, err := Compile(rt, s)
		if err != nil {
			t.Fatal(err)
		}
		k := 0
		mutateLiterals(mut.root, &k)
		where2, args2, err := m.Where(mut, prefix())
		if err != nil {
			t.Fatalf("Where(%q) with other literals: %v", s, err)
		}
		if where2 != where || len(args2) != len(args) {
			t.Fatalf("Where(%q) depends on the literals' values:\n%s %v\n%s %v", s, where, args, where2, args2)
		}
		if err := checkStringArgs(&m, mut.root, args2[np:]); err != nil {
			t.Fatalf("Where(%q) with other literals = %s %v:\n%v", s, where2, args2, err)
		}

		// dateTimes as text.
		m.TimeLayout = TextTimeLayout
		where, args, err = m.Where(flt, prefix())
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSQLText(&m, where, args, np, true); err != nil {
			t.Fatalf("Where(%q) with TimeLayout = %s %v:\n%v", s, where, args, err)
		}
	}
}

func checkOrderBy(t *testing.T, full *SQL, srt *Sort) {
	t.Helper()
	for _, style := range []Placeholder{Question, Dollar} {
		m := *full
		m.Placeholder = style
		order, args, err := m.OrderBy(srt, []any{"tenant"})
		if err != nil {
			t.Fatalf("OrderBy(%s) with a full mapping: %v", srt.Attr, err)
		}
		if err := checkSQLText(&m, order, args, 1, false); err != nil {
			t.Fatalf("OrderBy(%s) = %s %v:\n%v", srt.Attr, order, args, err)
		}
		for _, a := range args[1:] {
			if a != true {
				t.Fatalf("OrderBy(%s) = %s %v: only true may be an argument", srt.Attr, order, args)
			}
		}
	}
}

// sqlKeywords are the words the translation may write.
var sqlKeywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "EXISTS": true, "SELECT": true, "FROM": true, "WHERE": true,
	"IS": true, "NULL": true, "LOWER": true, "LIKE": true, "ESCAPE": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "END": true, "COALESCE": true, "MIN": true, "MAX": true, "ASC": true, "DESC": true,
	"GLOB": true,
}

type sqlToken struct {
	kind byte   // 'h' host fragment, 'w' word, 'p' placeholder, 'q' quoted, 'd' digits, 'o' operator, or '(', ')', ','
	text string // for 'w', 'q' (without quotes), 'd' and 'o'
	n    int    // a $n placeholder's number; 0 for "?"
}

// tokenizeSQL splits s, with every host fragment replaced by \x01.
func tokenizeSQL(s string) ([]sqlToken, error) {
	var toks []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '\x01':
			toks = append(toks, sqlToken{kind: 'h'})
			i++
		case c == '(' || c == ')' || c == ',':
			toks = append(toks, sqlToken{kind: c})
			i++
		case c == '=':
			toks = append(toks, sqlToken{kind: 'o', text: "="})
			i++
		case c == '<' || c == '>':
			j := i + 1
			if j < len(s) && (s[j] == '=' || c == '<' && s[j] == '>') {
				j++
			}
			toks = append(toks, sqlToken{kind: 'o', text: s[i:j]})
			i = j
		case c == '?':
			toks = append(toks, sqlToken{kind: 'p'})
			i++
		case c == '$':
			j := i + 1
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(s[i+1 : j])
			if err != nil || n < 1 || s[i+1] == '0' {
				return nil, fmt.Errorf("bad placeholder at offset %d", i)
			}
			toks = append(toks, sqlToken{kind: 'p', n: n})
			i = j
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			toks = append(toks, sqlToken{kind: 'q', text: s[i+1 : i+1+j]})
			i += j + 2
		case 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || c == '_':
			j := i
			for j < len(s) && ('A' <= s[j] && s[j] <= 'Z' || 'a' <= s[j] && s[j] <= 'z' || s[j] == '_') {
				j++
			}
			toks = append(toks, sqlToken{kind: 'w', text: s[i:j]})
			i = j
		case '0' <= c && c <= '9':
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			toks = append(toks, sqlToken{kind: 'd', text: s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at offset %d", c, i)
		}
	}
	return toks, nil
}

// checkSQLText checks that sql, written by m, is made only of m's
// fragments and the translation's fixed vocabulary, with one placeholder
// per argument after the first nPrefix (see FuzzSQL). If whole, sql must be
// one parenthesised expression.
func checkSQLText(m *SQL, sql string, args []any, nPrefix int, whole bool) error {
	var pairs []string
	for _, f := range hostFragments(m) {
		pairs = append(pairs, f, "\x01")
	}
	toks, err := tokenizeSQL(strings.NewReplacer(pairs...).Replace(sql))
	if err != nil {
		return err
	}
	at := func(i int) sqlToken {
		if i < 0 || i >= len(toks) {
			return sqlToken{}
		}
		return toks[i]
	}
	isWord := func(t sqlToken, w string) bool { return t.kind == 'w' && t.text == w }
	// primaryTest reports whether toks[i] is the "=" of the test for a
	// primary element in a sort key: MAX(...) = 1 THEN.
	primaryTest := func(i int) bool {
		return at(i).kind == 'o' && at(i).text == "=" && at(i-1).kind == ')' &&
			at(i+1).kind == 'd' && at(i+1).text == "1" && isWord(at(i+2), "THEN")
	}
	depth, placeholders := 0, 0
	for i, tok := range toks {
		prev, next := at(i-1), at(i+1)
		switch tok.kind {
		case 'w':
			if !sqlKeywords[tok.text] {
				return fmt.Errorf("token %d: unexpected word %q", i, tok.text)
			}
			switch {
			case tok.text == "LOWER" && m.Fold != nil:
				return fmt.Errorf("token %d: LOWER although the mapping has Fold", i)
			case (tok.text == "LIKE" || tok.text == "ESCAPE") && m.Glob:
				return fmt.Errorf("token %d: %s although the mapping has Glob", i, tok.text)
			case tok.text == "GLOB" && !m.Glob:
				return fmt.Errorf("token %d: GLOB although the mapping has no Glob", i)
			}
			if tok.text == "ESCAPE" && (next.kind != 'q' || next.text != "!") {
				return fmt.Errorf("token %d: ESCAPE not followed by '!'", i)
			}
		case 'q':
			switch {
			case tok.text == "" && prev.kind == 'o' && (prev.text == "=" || prev.text == "<>"):
			case tok.text == "!" && isWord(prev, "ESCAPE"):
			default:
				return fmt.Errorf("token %d: quoted string %q out of place", i, tok.text)
			}
		case 'd':
			constant := prev.kind == 'o' && prev.text == "=" && at(i-2).kind == 'd' && at(i-3).kind == '(' && next.kind == ')'
			switch {
			case tok.text == "1" && prev.kind == '(' && next.kind == 'o' && next.text == "=" && at(i+2).kind == 'd':
			case tok.text == "1" && (constant || isWord(prev, "THEN") || isWord(prev, "SELECT")):
			case tok.text == "1" && primaryTest(i-1):
			case tok.text == "0" && (constant || isWord(prev, "ELSE") || isWord(prev, "THEN")):
			default:
				return fmt.Errorf("token %d: number %s out of place", i, tok.text)
			}
		case 'p':
			if !(prev.kind == 'o' || isWord(prev, "LIKE") || isWord(prev, "GLOB")) {
				return fmt.Errorf("token %d: placeholder not after an operator", i)
			}
			placeholders++
			if m.Placeholder == Dollar && tok.n != nPrefix+placeholders || m.Placeholder == Question && tok.n != 0 {
				return fmt.Errorf("token %d: placeholder %d out of sequence", i, placeholders)
			}
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return fmt.Errorf("token %d: unbalanced )", i)
			}
			if whole && depth == 0 && i != len(toks)-1 {
				return errors.New("not one parenthesised expression")
			}
		}
		if tok.kind == 'o' || isWord(tok, "LIKE") || isWord(tok, "GLOB") {
			switch {
			case next.kind == 'p':
			case next.kind == 'q' && next.text == "":
			case next.kind == 'd' && prev.kind == 'd':
			case primaryTest(i):
			default:
				return fmt.Errorf("token %d: %s not followed by a placeholder", i, tok.text)
			}
		}
	}
	if depth != 0 {
		return errors.New("unbalanced (")
	}
	if whole && (len(toks) == 0 || toks[0].kind != '(') {
		return errors.New("not one parenthesised expression")
	}
	if placeholders != len(args)-nPrefix {
		return fmt.Errorf("%d placeholders for %d arguments", placeholders, len(args)-nPrefix)
	}
	for _, a := range args[nPrefix:] {
		switch a.(type) {
		case string, bool, int64, float64, time.Time:
		default:
			return fmt.Errorf("argument %v of type %T", a, a)
		}
	}
	return nil
}

// checkStringArgs checks that the string arguments, which m.Where appends in
// filter order, carry the string literals of the resolved filter n.
func checkStringArgs(m *SQL, n node, args []any) error {
	var want []*compareNode
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *andNode:
			walk(n.l)
			walk(n.r)
		case *orNode:
			walk(n.l)
			walk(n.r)
		case *notNode:
			walk(n.x)
		case *valuePathNode:
			walk(n.filter)
		case *compareNode:
			if isText(n.typ) {
				want = append(want, n)
			}
		}
	}
	walk(n)
	var got []string
	for _, a := range args {
		if s, ok := a.(string); ok {
			got = append(got, s)
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("%d string arguments for %d string literals", len(got), len(want))
	}
	for i, c := range want {
		lit := c.lit.s
		switch {
		case !c.caseExact && m.Fold != nil:
			lit = Fold(c.lit.s)
		case !c.caseExact:
			lit = strings.ToLower(c.lit.s)
		}
		wild, unescape := "%", unescapeLike
		if m.Glob {
			wild, unescape = "*", unescapeGlob
		}
		arg, ok := got[i], true
		switch c.op {
		case Co:
			arg, ok = strings.CutPrefix(arg, wild)
			if ok {
				arg, ok = strings.CutSuffix(arg, wild)
			}
		case Sw:
			arg, ok = strings.CutSuffix(arg, wild)
		case Ew:
			arg, ok = strings.CutPrefix(arg, wild)
		}
		if ok && (c.op == Co || c.op == Sw || c.op == Ew) {
			arg, ok = unescape(arg)
		}
		if !ok || arg != lit {
			return fmt.Errorf("argument %d is %q, not literal %q for %s", i, got[i], lit, c.op)
		}
	}
	return nil
}

// unescapeLike decodes a LIKE pattern with escape character "!" that must
// match only literally: every %, _ and ! is escaped.
func unescapeLike(p string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '%', '_':
			return "", false
		case '!':
			if i+1 == len(p) || !strings.ContainsRune("%_!", rune(p[i+1])) {
				return "", false
			}
			i++
			b.WriteByte(p[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// unescapeGlob decodes a GLOB pattern that must match only literally:
// every *, ? and [ is written as a bracket expression holding it alone.
func unescapeGlob(p string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*', '?':
			return "", false
		case '[':
			if i+2 >= len(p) || !strings.ContainsRune("*?[", rune(p[i+1])) || p[i+2] != ']' {
				return "", false
			}
			b.WriteByte(p[i+1])
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// hostileString is what mutateLiterals puts in place of string literals.
const hostileString = "x'); DROP TABLE users; -- /* ?$1 ESCAPE '!' %_!\\ \" ÄÖſ\u212A *?[^]] GLOB \x00"

// mutateLiterals replaces each literal of the resolved filter n by another
// value of its type that the translation must treat alike: strings by
// hostileString and a number, booleans by their negation, dateTimes by an
// earlier time, integers by others. Integer attributes compared with
// non-integers are left alone, since a fraction changes the SQL.
func mutateLiterals(n node, k *int) {
	switch n := n.(type) {
	case *andNode:
		mutateLiterals(n.l, k)
		mutateLiterals(n.r, k)
	case *orNode:
		mutateLiterals(n.l, k)
		mutateLiterals(n.r, k)
	case *notNode:
		mutateLiterals(n.x, k)
	case *valuePathNode:
		mutateLiterals(n.filter, k)
	case *compareNode:
		*k++
		l := &n.lit
		switch n.typ {
		case schema.String, schema.Reference, schema.Binary:
			l.s = hostileString + strconv.Itoa(*k)
			l.fold, l.lower = Fold(l.s), strings.ToLower(l.s)
		case schema.Boolean:
			l.b = !l.b
		case schema.DateTime:
			l.t = l.t.Add(-time.Duration(*k) * 7 * time.Hour)
		case schema.Decimal:
			l.f = -l.f - 1
		case schema.Integer:
			if l.isInt {
				l.i = ^l.i
			}
		}
	}
}

// TestSQLCheckerRejects shows that checkSQLText and checkStringArgs catch
// literals in the SQL text, so that FuzzSQL's checks are not vacuous.
func TestSQLCheckerRejects(t *testing.T) {
	m := userSQL()
	for _, tt := range []struct {
		sql  string
		args []any
	}{
		{`(LOWER(u.user_name) = 'bjensen')`, nil},
		{`(LOWER(u.user_name) = bjensen)`, nil},
		{`(u.active = 1)`, nil},
		{`(u.active = TRUE)`, nil},
		{`(u.user_name = ?) OR (1 = 1)`, []any{"x"}},
		{`(u.user_name = ?) -- x`, []any{"x"}},
		{`(u.user_name = ?); DROP TABLE users`, []any{"x"}},
		{`(u.user_name = ?)`, nil},
		{`(u.user_name = ?)`, []any{"x", "y"}},
		{`(u.user_name = ?) AND (u.title = 'x')`, []any{"x"}},
		{`(u.user_name LIKE ? ESCAPE '\')`, []any{"x"}},
		{`(u.user_name = ? AND u.title = 2)`, []any{"x"}},
		{`(u.created > 2011-05-13)`, nil},
		{`((1 = 1) OR (u.title = ?)`, []any{"x"}},
		{`(u.title = ?)`, []any{struct{}{}}},
	} {
		if err := checkSQLText(m, tt.sql, tt.args, 0, true); err == nil {
			t.Errorf("checkSQLText accepts %s %v", tt.sql, tt.args)
		}
	}
	d := *m
	d.Placeholder = Dollar
	for _, sql := range []string{`(u.user_name = $1)`, `((u.user_name = $3) OR (u.title = $2))`, `(u.user_name = ?)`} {
		if err := checkSQLText(&d, sql, []any{"tenant", "x", "y"}, 1, true); err == nil {
			t.Errorf("checkSQLText accepts %s", sql)
		}
	}
	if err := checkSQLText(&d, `((LOWER(u.user_name) = $2) OR (u.title <> ''))`, []any{"tenant", "x"}, 1, true); err != nil {
		t.Errorf("checkSQLText rejects a good condition: %v", err)
	}

	f, err := Compile(schema.UserResourceType(), `userName co "a%b" and title sw "x"`)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]any{
		{"%a%b%", "x%"},   // % not escaped
		{"%a!%b%", "%x%"}, // co for sw
		{"%a!%b%"},
		{"a!%b", "x%"},
	} {
		if err := checkStringArgs(m, f.root, args); err == nil {
			t.Errorf("checkStringArgs accepts %q", args)
		}
	}
	if err := checkStringArgs(m, f.root, []any{"%a!%b%", "x%"}); err != nil {
		t.Errorf("checkStringArgs rejects good arguments: %v", err)
	}

	g := *m
	g.Glob, g.Fold = true, sqliteFold
	f, err = Compile(schema.UserResourceType(), `userName co "A*[\u212A" and title sw "?"`)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]any{
		{"*a*[k*", "[?]*"},     // * not escaped
		{"*a[*][[]k*", "?*"},   // ? not escaped
		{"*a[*][[]K*", "[?]*"}, // not folded
		{"%a[*][[]k%", "[?]*"}, // LIKE wildcards
		{"*a[*][[]k*", "*[?]*"},
	} {
		if err := checkStringArgs(&g, f.root, args); err == nil {
			t.Errorf("checkStringArgs with Glob accepts %q", args)
		}
	}
	if err := checkStringArgs(&g, f.root, []any{"*a[*][[]k*", "[?]*"}); err != nil {
		t.Errorf("checkStringArgs with Glob rejects good arguments: %v", err)
	}
	for _, sql := range []string{
		`(LOWER(u.user_name) GLOB ?)`,
		`(scim_fold(u.user_name) LIKE ? ESCAPE '!')`,
		`(scim_fold(u.user_name) GLOB ? ESCAPE '!')`,
	} {
		if err := checkSQLText(&g, sql, []any{"x"}, 0, true); err == nil {
			t.Errorf("checkSQLText with Fold and Glob accepts %s", sql)
		}
	}
	if err := checkSQLText(&g, `(scim_fold(u.user_name) GLOB ?)`, []any{"x"}, 0, true); err != nil {
		t.Errorf("checkSQLText with Fold and Glob rejects a good condition: %v", err)
	}
	if err := checkSQLText(m, `(u.user_name GLOB ?)`, []any{"x"}, 0, true); err == nil {
		t.Error("checkSQLText without Glob accepts GLOB")
	}
}
