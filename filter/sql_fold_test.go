package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/schema"
)

// This file tests the SQL fields Fold, Exact and Glob. The mappings are
// userSQL and deviceSQL with the fields set as a host on PostgreSQL
// (pgSQL) or on SQLite (sqliteSQL) sets them, or with one field alone.

func pgSQL(m *SQL) *SQL {
	m.Fold, m.Exact = pgFold, pgExact
	return m
}

func sqliteSQL(m *SQL) *SQL {
	m.Fold, m.Glob = sqliteFold, true
	return m
}

// pgUserSQLTests are for pgSQL(userSQL()).
var pgUserSQLTests = []sqlTest{
	// Strings that are not caseExact compare folded, the argument folded
	// by Fold rather than lower-cased.
	{`userName eq "BJensen"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"bjensen"}},
	{`userName eq "ÄBC"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"äbc"}},
	{`userName eq "\u212Aelvin"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"kelvin"}},
	{`userName eq "ǅ"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"ǆ"}},
	{`userName eq "ſ"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"s"}},
	{`userName eq "ß"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"ß"}},
	{`userName eq "İ"`, `((scim_fold(u.user_name) COLLATE "C") = ?)`, []any{"İ"}},
	{`userName ne "X"`, `(u.user_name IS NULL OR (scim_fold(u.user_name) COLLATE "C") <> ?)`, []any{"x"}},
	{`userName co "50%_Off!"`, `((scim_fold(u.user_name) COLLATE "C") LIKE ? ESCAPE '!')`, []any{"%50!%!_off!!%"}},
	{`userName sw "Ä"`, `((scim_fold(u.user_name) COLLATE "C") LIKE ? ESCAPE '!')`, []any{"ä%"}},
	{`userName ew "ΣΑΣ"`, `((scim_fold(u.user_name) COLLATE "C") LIKE ? ESCAPE '!')`, []any{"%σασ"}},
	{`not (userName sw "Ä")`, `(u.user_name IS NULL OR (scim_fold(u.user_name) COLLATE "C") NOT LIKE ? ESCAPE '!')`, []any{"ä%"}},
	{`userName gt "S"`, `((scim_fold(u.user_name) COLLATE "C") > ?)`, []any{"s"}},
	{`userName le "M"`, `((scim_fold(u.user_name) COLLATE "C") <= ?)`, []any{"m"}},
	{`not (userName le "M")`, `(u.user_name IS NULL OR (scim_fold(u.user_name) COLLATE "C") > ?)`, []any{"m"}},

	// caseExact strings: Exact for order only.
	{`id eq "A"`, `(u.id = ?)`, []any{"A"}},
	{`id gt "A"`, `(u.id COLLATE "C" > ?)`, []any{"A"}},
	{`not (id lt "A")`, `(u.id IS NULL OR u.id COLLATE "C" >= ?)`, []any{"A"}},
	{`externalId sw "A_"`, `(u.external_id LIKE ? ESCAPE '!')`, []any{"A!_%"}},
	{`externalId ne "X"`, `(u.external_id IS NULL OR u.external_id <> ?)`, []any{"X"}},
	{`meta.version le "W/\"3\""`, `(u.version COLLATE "C" <= ?)`, []any{`W/"3"`}},

	// Other types are unchanged.
	{`active eq true`, `(u.active = ?)`, []any{true}},
	{`title pr`, `(u.title <> '')`, nil},
	{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `(u.last_modified > ?)`, []any{utc("2011-05-13T04:42:34Z")}},

	// A column expression that is not a plain name reaches Fold and Exact
	// in parentheses.
	{`timezone eq "UTC"`, `((scim_fold((COALESCE(u.timezone, 'UTC'))) COLLATE "C") = ?)`, []any{"utc"}},
	{
		`not (timezone lt "Europe")`,
		`((COALESCE(u.timezone, 'UTC')) IS NULL OR (scim_fold((COALESCE(u.timezone, 'UTC'))) COLLATE "C") >= ?)`,
		[]any{"europe"},
	},

	// Child tables and value paths.
	{
		`emails[type eq "Work" and value co "@Example.COM"]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (((scim_fold(e.type) COLLATE "C") = ?) AND ((scim_fold(e.value) COLLATE "C") LIKE ? ESCAPE '!'))))`,
		[]any{"work", "%@example.com%"},
	},
	{
		`not (emails.value ew "Ä.ORG")`,
		`(NOT EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((scim_fold(e.value) COLLATE "C") LIKE ? ESCAPE '!')))`,
		[]any{"%ä.org"},
	},
	{
		`emails[not (value gt "M")]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (e.value IS NULL OR (scim_fold(e.value) COLLATE "C") <= ?)))`,
		[]any{"m"},
	},
	{
		`not (` + entURN + `:manager[value eq "X"])`,
		`(u.manager_id IS NULL OR (scim_fold(u.manager_id) COLLATE "C") <> ?)`,
		[]any{"x"},
	},
	{
		`name[not (familyName sw "ǅ")]`,
		`((u.family_name IS NOT NULL OR u.given_name IS NOT NULL) AND (u.family_name IS NULL OR (scim_fold(u.family_name) COLLATE "C") NOT LIKE ? ESCAPE '!'))`,
		[]any{"ǆ%"},
	},
}

// pgDeviceSQLTests are for pgSQL(deviceSQL()).
var pgDeviceSQLTests = []sqlTest{
	{`code gt "AbC"`, `(d.code COLLATE "C" > ?)`, []any{"AbC"}},
	{`code eq "AbC"`, `(d.code = ?)`, []any{"AbC"}},
	{`code co "b_C"`, `(d.code LIKE ? ESCAPE '!')`, []any{"%b!_C%"}},
	{`link gt "T"`, `((scim_fold(d.link) COLLATE "C") > ?)`, []any{"t"}},
	{`blob eq "QUJD"`, `(d.blob = ?)`, []any{"QUJD"}},
	{
		`parts[kind lt "x" and value ge "P"]`,
		`(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND ((p.kind COLLATE "C" < ?) AND ((scim_fold(p.id) COLLATE "C") >= ?))))`,
		[]any{"x", "p"},
	},
	{
		`tags ne "Blue"`,
		`(NOT EXISTS (SELECT 1 FROM device_tags t WHERE (t.device_id = d.id) AND ((scim_fold(t.tag) COLLATE "C") = ?)))`,
		[]any{"blue"},
	},
	{`site eq "HQ"`, `(EXISTS (SELECT 1 FROM sites s WHERE (s.id = d.site_id) AND ((scim_fold(s.name) COLLATE "C") = ?)))`, []any{"hq"}},
	{`count gt 1.5`, `(d.count > ?)`, []any{int64(1)}},
}

// sqliteUserSQLTests are for sqliteSQL(userSQL()).
var sqliteUserSQLTests = []sqlTest{
	{`userName eq "ÄBC"`, `(scim_fold(u.user_name) = ?)`, []any{"äbc"}},
	{`userName gt "ſ"`, `(scim_fold(u.user_name) > ?)`, []any{"s"}},
	{`userName ne "X"`, `(u.user_name IS NULL OR scim_fold(u.user_name) <> ?)`, []any{"x"}},

	// GLOB, with its special characters escaped in brackets and LIKE's
	// left alone.
	{`userName co "A*b?C[d]"`, `(scim_fold(u.user_name) GLOB ?)`, []any{"*a[*]b[?]c[[]d]*"}},
	{`userName sw "\u212A"`, `(scim_fold(u.user_name) GLOB ?)`, []any{"k*"}},
	{`userName ew "%_!"`, `(scim_fold(u.user_name) GLOB ?)`, []any{"*%_!"}},
	{`userName co ""`, `(scim_fold(u.user_name) GLOB ?)`, []any{"**"}},
	{`not (userName co "X")`, `(u.user_name IS NULL OR scim_fold(u.user_name) NOT GLOB ?)`, []any{"*x*"}},
	{`externalId sw "A*"`, `(u.external_id GLOB ?)`, []any{"A[*]*"}},
	{`not (externalId ew "Z")`, `(u.external_id IS NULL OR u.external_id NOT GLOB ?)`, []any{"*Z"}},
	{`id gt "A"`, `(u.id > ?)`, []any{"A"}},
	{`timezone co "x"`, `(scim_fold((COALESCE(u.timezone, 'UTC'))) GLOB ?)`, []any{"*x*"}},
	{
		`emails[type eq "work" and not (value co "?")]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((scim_fold(e.type) = ?) AND (e.value IS NULL OR scim_fold(e.value) NOT GLOB ?))))`,
		[]any{"work", "*[?]*"},
	},
	{
		`not (emails co "Ä")`,
		`(NOT EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (scim_fold(e.value) GLOB ?)))`,
		[]any{"*ä*"},
	},
}

// sqliteDeviceSQLTests are for sqliteSQL(deviceSQL()).
var sqliteDeviceSQLTests = []sqlTest{
	{`code co "b*"`, `(d.code GLOB ?)`, []any{"*b[*]*"}},
	{`parts[kind sw "S"]`, `(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND (p.kind GLOB ?)))`, []any{"S*"}},
	{
		`not (parts[kind ew "[x]"])`,
		`(NOT EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND (p.kind GLOB ?)))`,
		[]any{"*[[]x]"},
	},
	{sqlDeviceExtURN + `:labels co "Ä"`, `(EXISTS (SELECT 1 FROM lab_labels l WHERE (l.device_id = d.id) AND (scim_fold(l.label) GLOB ?)))`, []any{"*ä*"}},
	{`blob sw "QU"`, `(d.blob GLOB ?)`, []any{"QU*"}},
}

// globUserSQLTests are for userSQL() with Glob alone: strings that are not
// caseExact keep LOWER and a lower-cased pattern.
var globUserSQLTests = []sqlTest{
	{`userName co "Ä*"`, `(LOWER(u.user_name) GLOB ?)`, []any{"*ä[*]*"}},
	{`userName eq "ÄBC"`, `(LOWER(u.user_name) = ?)`, []any{"äbc"}},
	{`userName eq "ſ"`, `(LOWER(u.user_name) = ?)`, []any{"ſ"}},
	{`not (externalId co "?")`, `(u.external_id IS NULL OR u.external_id NOT GLOB ?)`, []any{"*[?]*"}},
	{`id gt "A"`, `(u.id > ?)`, []any{"A"}},
}

// exactUserSQLTests are for userSQL() with Exact alone.
var exactUserSQLTests = []sqlTest{
	{`userName gt "M"`, `(LOWER(u.user_name) > ?)`, []any{"m"}},
	{`userName co "M"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"%m%"}},
	{`id gt "A"`, `(u.id COLLATE "C" > ?)`, []any{"A"}},
	{`externalId co "A"`, `(u.external_id LIKE ? ESCAPE '!')`, []any{"%A%"}},
}

func TestSQLWhereFold(t *testing.T) {
	user, device := schema.UserResourceType(), sqlDeviceType()
	t.Run("PostgreSQL/User", func(t *testing.T) { runSQLTests(t, user, pgSQL(userSQL()), pgUserSQLTests) })
	t.Run("PostgreSQL/Device", func(t *testing.T) { runSQLTests(t, device, pgSQL(deviceSQL()), pgDeviceSQLTests) })
	t.Run("SQLite/User", func(t *testing.T) { runSQLTests(t, user, sqliteSQL(userSQL()), sqliteUserSQLTests) })
	t.Run("SQLite/Device", func(t *testing.T) { runSQLTests(t, device, sqliteSQL(deviceSQL()), sqliteDeviceSQLTests) })
	glob := userSQL()
	glob.Glob = true
	t.Run("Glob", func(t *testing.T) { runSQLTests(t, user, glob, globUserSQLTests) })
	exact := userSQL()
	exact.Exact = pgExact
	t.Run("Exact", func(t *testing.T) { runSQLTests(t, user, exact, exactUserSQLTests) })
}

type orderByTest struct {
	sortBy, order string
	want          string // with "?" placeholders
	args          []any
}

func runOrderByTests(t *testing.T, rt *schema.ResourceType, m *SQL, tests []orderByTest) {
	for _, tt := range tests {
		t.Run(tt.sortBy+" "+tt.order, func(t *testing.T) {
			srt, err := ResolveSort(rt, tt.sortBy, tt.order)
			if err != nil {
				t.Fatal(err)
			}
			q := *m
			q.Placeholder = Question
			got, args, err := q.OrderBy(srt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderBy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.args, args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			q.Placeholder = Dollar
			got, args, err = q.OrderBy(srt, []any{"tenant"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dollar(tt.want, 2), got); diff != "" {
				t.Errorf("OrderBy, Dollar (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(append([]any{"tenant"}, tt.args...), args); diff != "" {
				t.Errorf("args, Dollar (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSQLOrderByFold(t *testing.T) {
	user, device := schema.UserResourceType(), sqlDeviceType()
	const (
		pgEmailKey   = `(SELECT CASE WHEN MAX(CASE WHEN e.is_primary = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN e.is_primary = ? THEN (scim_fold(e.value) COLLATE "C") END) ELSE MIN((scim_fold(e.value) COLLATE "C")) END FROM user_emails e WHERE (e.user_id = u.id))`
		pgPartKey    = `(SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind COLLATE "C" END) ELSE MIN(p.kind COLLATE "C") END FROM parts p WHERE (p.device_id = d.id))`
		pgTagKey     = `(SELECT MIN((scim_fold(t.tag) COLLATE "C")) FROM device_tags t WHERE (t.device_id = d.id))`
		floorKey     = `(SELECT MIN(s.floor) FROM sites s WHERE (s.id = d.site_id))`
		sqliteTagKey = `(SELECT MIN(scim_fold(t.tag)) FROM device_tags t WHERE (t.device_id = d.id))`
		partKey      = `(SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind END) ELSE MIN(p.kind) END FROM parts p WHERE (p.device_id = d.id))`
	)
	t.Run("PostgreSQL/User", func(t *testing.T) {
		runOrderByTests(t, user, pgSQL(userSQL()), []orderByTest{
			// Fold(col), then Exact(col), then the id as it is.
			{"userName", "", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, (scim_fold(u.user_name) COLLATE "C") ASC, u.user_name COLLATE "C" ASC, u.id ASC`, nil},
			{"userName", "descending", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, (scim_fold(u.user_name) COLLATE "C") DESC, u.user_name COLLATE "C" DESC, u.id ASC`, nil},
			{
				"timezone", "",
				`CASE WHEN (COALESCE(u.timezone, 'UTC')) IS NULL THEN 1 ELSE 0 END, (scim_fold((COALESCE(u.timezone, 'UTC'))) COLLATE "C") ASC,` +
					` (COALESCE(u.timezone, 'UTC')) COLLATE "C" ASC, u.id ASC`,
				nil,
			},
			// caseExact strings sort by Exact(col), the id included when
			// it is the sort key.
			{"externalId", "", `CASE WHEN u.external_id IS NULL THEN 1 ELSE 0 END, u.external_id COLLATE "C" ASC, u.id ASC`, nil},
			{"id", "descending", `CASE WHEN u.id IS NULL THEN 1 ELSE 0 END, u.id COLLATE "C" DESC`, nil},
			{"meta.version", "", `CASE WHEN u.version IS NULL THEN 1 ELSE 0 END, u.version COLLATE "C" ASC, u.id ASC`, nil},
			// Other types as they are.
			{"meta.lastModified", "", `CASE WHEN u.last_modified IS NULL THEN 1 ELSE 0 END, u.last_modified ASC, u.id ASC`, nil},
			{"active", "", `CASE WHEN u.active IS NULL THEN 1 ELSE 0 END, u.active ASC, u.id ASC`, nil},
			// A multi-valued attribute by MIN(Fold(col)).
			{"emails", "", `CASE WHEN ` + pgEmailKey + ` IS NULL THEN 1 ELSE 0 END, ` + pgEmailKey + ` ASC, u.id ASC`, []any{true, true, true, true}},
		})
	})
	t.Run("PostgreSQL/Device", func(t *testing.T) {
		runOrderByTests(t, device, pgSQL(deviceSQL()), []orderByTest{
			{"code", "", `CASE WHEN d.code IS NULL THEN 1 ELSE 0 END, d.code COLLATE "C" ASC, d.id ASC`, nil},
			{"count", "", `CASE WHEN d.count IS NULL THEN 1 ELSE 0 END, d.count ASC, d.id ASC`, nil},
			{"tags", "descending", `CASE WHEN ` + pgTagKey + ` IS NULL THEN 1 ELSE 0 END, ` + pgTagKey + ` DESC, d.id ASC`, nil},
			{"parts.kind", "", `CASE WHEN ` + pgPartKey + ` IS NULL THEN 1 ELSE 0 END, ` + pgPartKey + ` ASC, d.id ASC`, []any{true, true, true, true}},
			{"site.floor", "", `CASE WHEN ` + floorKey + ` IS NULL THEN 1 ELSE 0 END, ` + floorKey + ` ASC, d.id ASC`, nil},
		})
	})
	t.Run("SQLite/User", func(t *testing.T) {
		runOrderByTests(t, user, sqliteSQL(userSQL()), []orderByTest{
			{"userName", "", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, scim_fold(u.user_name) ASC, u.user_name ASC, u.id ASC`, nil},
			{"externalId", "", `CASE WHEN u.external_id IS NULL THEN 1 ELSE 0 END, u.external_id ASC, u.id ASC`, nil},
		})
	})
	t.Run("SQLite/Device", func(t *testing.T) {
		runOrderByTests(t, device, sqliteSQL(deviceSQL()), []orderByTest{
			{"tags", "", `CASE WHEN ` + sqliteTagKey + ` IS NULL THEN 1 ELSE 0 END, ` + sqliteTagKey + ` ASC, d.id ASC`, nil},
			{"parts.kind", "", `CASE WHEN ` + partKey + ` IS NULL THEN 1 ELSE 0 END, ` + partKey + ` ASC, d.id ASC`, []any{true, true, true, true}},
		})
	})
	exact := userSQL()
	exact.Exact = pgExact
	t.Run("Exact", func(t *testing.T) {
		runOrderByTests(t, user, exact, []orderByTest{
			{"userName", "", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, LOWER(u.user_name) ASC, u.user_name COLLATE "C" ASC, u.id ASC`, nil},
		})
	})
}

// TestSQLFoldArgumentIsFold checks that the argument is Fold of the
// literal, which differs from strings.ToLower for some letters.
func TestSQLFoldArgumentIsFold(t *testing.T) {
	rt := schema.UserResourceType()
	for _, lit := range []string{"ſ", "ς", "µ", "İ", "\u212A", "ǅ", "ẞ", "Ω", "\u2126"} {
		f, err := Compile(rt, `userName eq "`+lit+`"`)
		if err != nil {
			t.Fatal(err)
		}
		_, args, err := sqliteSQL(userSQL()).Where(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{Fold(lit)}, args); diff != "" {
			t.Errorf("%q: args (-want +got):\n%s", lit, diff)
		}
	}
}

func TestEscapeGlob(t *testing.T) {
	for in, want := range map[string]string{
		"":        "",
		"abc":     "abc",
		"*":       "[*]",
		"?":       "[?]",
		"[":       "[[]",
		"]":       "]",
		"[^a-z]*": "[[]^a-z][*]",
		"%_!\\":   "%_!\\",
		"ü*?":     "ü[*][?]",
	} {
		if got := escapeGlob(in); got != want {
			t.Errorf("escapeGlob(%q) = %q, want %q", in, got, want)
		}
	}
}
