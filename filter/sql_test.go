package filter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/schema"
)

const entURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// userSQL maps Users to a users table "u", emails, group memberships and
// certificates to child tables, and leaves some attributes unmapped on
// purpose: nickName, name.formatted, phoneNumbers, ims, groups.type and
// the enterprise costCenter.
func userSQL() *SQL {
	return &SQL{
		Columns: map[string]string{
			"id":                            "u.id",
			"externalId":                    "u.external_id",
			"userName":                      "u.user_name",
			"name.familyName":               "u.family_name",
			"name.givenName":                "u.given_name",
			"displayName":                   "u.display_name",
			"title":                         "u.title",
			"active":                        "u.active",
			"timezone":                      "COALESCE(u.timezone, 'UTC')",
			"meta.created":                  "u.created",
			"meta.lastModified":             "u.last_modified",
			"meta.version":                  "u.version",
			entURN + ":employeeNumber":      "u.employee_number",
			entURN + ":manager.value":       "u.manager_id",
			entURN + ":manager.displayName": "u.manager_name",
		},
		Tables: map[string]SQLTable{
			"emails": {From: "user_emails e", Join: "e.user_id = u.id", Columns: map[string]string{
				"value": "e.value", "display": "e.display", "type": "e.type", "primary": "e.is_primary",
			}},
			"groups": {From: "group_members gm", Join: "gm.member_id = u.id", Columns: map[string]string{
				"value": "gm.group_id", "display": "gm.group_name",
			}},
			"x509Certificates": {From: "user_certs c", Join: "c.user_id = u.id", Columns: map[string]string{
				"value": "c.der",
			}},
		},
	}
}

const (
	sqlDeviceURN    = "urn:example:params:scim:schemas:core:1.0:Device"
	sqlDeviceExtURN = "urn:example:params:scim:schemas:extension:lab:1.0:Device"
)

// sqlDeviceType has an attribute of every data type, caseExact and not,
// single- and multi-valued, and an extension.
func sqlDeviceType() *schema.ResourceType {
	return &schema.ResourceType{
		Name:     "Device",
		Endpoint: "/Devices",
		Schema: &schema.Schema{
			ID:   sqlDeviceURN,
			Name: "Device",
			Attributes: []*schema.Attribute{
				{Name: "name", Type: schema.String},
				{Name: "code", Type: schema.String, CaseExact: true},
				{Name: "count", Type: schema.Integer},
				{Name: "ratio", Type: schema.Decimal},
				{Name: "enabled", Type: schema.Boolean},
				{Name: "seen", Type: schema.DateTime},
				{Name: "blob", Type: schema.Binary, CaseExact: true},
				{Name: "link", Type: schema.Reference, ReferenceTypes: []string{"external"}},
				{Name: "tags", Type: schema.String, MultiValued: true},
				{Name: "readings", Type: schema.Integer, MultiValued: true},
				{Name: "parts", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
					{Name: "value", Type: schema.String},
					{Name: "kind", Type: schema.String, CaseExact: true},
					{Name: "size", Type: schema.Integer},
					{Name: "primary", Type: schema.Boolean},
				}},
				{Name: "owner", Type: schema.Complex, SubAttributes: []*schema.Attribute{
					{Name: "value", Type: schema.String},
					{Name: "display", Type: schema.String},
				}},
				{Name: "site", Type: schema.Complex, SubAttributes: []*schema.Attribute{
					{Name: "value", Type: schema.String},
					{Name: "floor", Type: schema.Integer},
				}},
			},
		},
		Extensions: []schema.Extension{{Schema: &schema.Schema{
			ID:   sqlDeviceExtURN,
			Name: "Lab",
			Attributes: []*schema.Attribute{
				{Name: "room", Type: schema.String},
				{Name: "labels", Type: schema.String, MultiValued: true},
			},
		}}},
	}
}

// deviceSQL keeps Devices in a table "d"; the single-valued complex
// attribute site lives in a table of its own.
func deviceSQL() *SQL {
	return &SQL{
		Columns: map[string]string{
			"id":                      "d.id",
			"name":                    "d.name",
			"code":                    "d.code",
			"count":                   "d.count",
			"ratio":                   "d.ratio",
			"enabled":                 "d.enabled",
			"seen":                    "d.seen",
			"blob":                    "d.blob",
			"link":                    "d.link",
			"owner.value":             "d.owner_id",
			"owner.display":           "d.owner_name",
			sqlDeviceExtURN + ":room": "d.room",
		},
		Tables: map[string]SQLTable{
			"tags":     {From: "device_tags t", Join: "t.device_id = d.id", Columns: map[string]string{"value": "t.tag"}},
			"readings": {From: "readings r", Join: "r.device_id = d.id", Columns: map[string]string{"value": "r.reading"}},
			"parts": {From: "parts p", Join: "p.device_id = d.id", Columns: map[string]string{
				"value": "p.id", "kind": "p.kind", "size": "p.size", "primary": "p.main",
			}},
			"site":                      {From: "sites s", Join: "s.id = d.site_id", Columns: map[string]string{"value": "s.name", "floor": "s.floor"}},
			sqlDeviceExtURN + ":labels": {From: "lab_labels l", Join: "l.device_id = d.id", Columns: map[string]string{"value": "l.label"}},
		},
	}
}

func TestSQLDeviceTypeIsValid(t *testing.T) {
	if err := sqlDeviceType().Validate(); err != nil {
		t.Fatal(err)
	}
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

type sqlTest struct {
	in   string
	sql  string // with "?" placeholders
	args []any
}

var userSQLTests = []sqlTest{
	// Strings that are not caseExact.
	{`userName eq "BJensen"`, `(LOWER(u.user_name) = ?)`, []any{"bjensen"}},
	{`userName ne "BJensen"`, `(u.user_name IS NULL OR LOWER(u.user_name) <> ?)`, []any{"bjensen"}},
	{`userName co "Jen"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"%jen%"}},
	{`userName sw "J"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"j%"}},
	{`userName ew "@Example.com"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"%@example.com"}},
	{`userName gt "M"`, `(LOWER(u.user_name) > ?)`, []any{"m"}},
	{`userName ge "M"`, `(LOWER(u.user_name) >= ?)`, []any{"m"}},
	{`userName lt "M"`, `(LOWER(u.user_name) < ?)`, []any{"m"}},
	{`userName le "M"`, `(LOWER(u.user_name) <= ?)`, []any{"m"}},
	{`not (userName gt "M")`, `(u.user_name IS NULL OR LOWER(u.user_name) <= ?)`, []any{"m"}},
	{`not (userName ge "M")`, `(u.user_name IS NULL OR LOWER(u.user_name) < ?)`, []any{"m"}},
	{`not (userName lt "M")`, `(u.user_name IS NULL OR LOWER(u.user_name) >= ?)`, []any{"m"}},
	{`not (userName le "M")`, `(u.user_name IS NULL OR LOWER(u.user_name) > ?)`, []any{"m"}},
	{`not (userName co "x")`, `(u.user_name IS NULL OR LOWER(u.user_name) NOT LIKE ? ESCAPE '!')`, []any{"%x%"}},

	// Escaping: LIKE wildcards and the escape character are escaped in the
	// argument; quotes and backslashes travel unchanged.
	{`userName co "50%_off!\\"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{`%50!%!_off!!\%`}},
	{`userName sw "O'Brien"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"o'brien%"}},
	{`userName eq "x') OR ('1'='1"`, `(LOWER(u.user_name) = ?)`, []any{"x') or ('1'='1"}},
	{`userName eq "%_!"`, `(LOWER(u.user_name) = ?)`, []any{"%_!"}},
	{`userName ew "?$1"`, `(LOWER(u.user_name) LIKE ? ESCAPE '!')`, []any{"%?$1"}},

	// caseExact strings: id, externalId, meta.version.
	{`id eq "2819c223-7F76"`, `(u.id = ?)`, []any{"2819c223-7F76"}},
	{`id gt "A"`, `(u.id > ?)`, []any{"A"}},
	{`externalId sw "A_"`, `(u.external_id LIKE ? ESCAPE '!')`, []any{"A!_%"}},
	{`externalId ne "X"`, `(u.external_id IS NULL OR u.external_id <> ?)`, []any{"X"}},
	{`meta.version eq "W/\"3694e05e9dff590\""`, `(u.version = ?)`, []any{`W/"3694e05e9dff590"`}},

	// Booleans.
	{`active eq true`, `(u.active = ?)`, []any{true}},
	{`active eq "False"`, `(u.active = ?)`, []any{false}},
	{`active ne false`, `(u.active IS NULL OR u.active <> ?)`, []any{false}},

	// dateTimes, in UTC.
	{`meta.lastModified gt "2011-05-13T04:42:34Z"`, `(u.last_modified > ?)`, []any{utc("2011-05-13T04:42:34Z")}},
	{`meta.created le "2011-05-13T06:42:34.5+02:00"`, `(u.created <= ?)`, []any{utc("2011-05-13T04:42:34.5Z")}},
	{`not (meta.created lt "2011-05-13T04:42:34Z")`, `(u.created IS NULL OR u.created >= ?)`, []any{utc("2011-05-13T04:42:34Z")}},

	// pr and null.
	{`title pr`, `(u.title <> '')`, nil},
	{`not (title pr)`, `(u.title IS NULL OR u.title = '')`, nil},
	{`title eq null`, `(u.title IS NULL OR u.title = '')`, nil},
	{`title ne null`, `(u.title <> '')`, nil},
	{`active pr`, `(u.active IS NOT NULL)`, nil},
	{`active eq null`, `(u.active IS NULL)`, nil},
	{`meta.lastModified pr`, `(u.last_modified IS NOT NULL)`, nil},
	{`name pr`, `((u.family_name <> '') OR (u.given_name <> ''))`, nil},
	{`not (name pr)`, `((u.family_name IS NULL OR u.family_name = '') AND (u.given_name IS NULL OR u.given_name = ''))`, nil},
	{`meta pr`, `((u.created IS NOT NULL) OR (u.last_modified IS NOT NULL) OR (u.version <> ''))`, nil},
	{`meta[lastModified gt "2011-05-13T04:42:34Z"]`, `(u.last_modified > ?)`, []any{utc("2011-05-13T04:42:34Z")}},
	{
		`meta[not (version eq "W/\"1\"")]`,
		`((u.created IS NOT NULL OR u.last_modified IS NOT NULL OR u.version IS NOT NULL) AND (u.version IS NULL OR u.version <> ?))`,
		[]any{`W/"1"`},
	},

	// Sub-attributes of a single-valued complex attribute.
	{`name.familyName eq "Jensen"`, `(LOWER(u.family_name) = ?)`, []any{"jensen"}},
	{`name[givenName sw "B" and familyName pr]`, `((LOWER(u.given_name) LIKE ? ESCAPE '!') AND (u.family_name <> ''))`, []any{"b%"}},

	// A column expression that is not a plain name.
	{`timezone eq "Europe/Oslo"`, `(LOWER(COALESCE(u.timezone, 'UTC')) = ?)`, []any{"europe/oslo"}},
	{`timezone ne "UTC"`, `((COALESCE(u.timezone, 'UTC')) IS NULL OR LOWER(COALESCE(u.timezone, 'UTC')) <> ?)`, []any{"utc"}},
	{`timezone pr`, `((COALESCE(u.timezone, 'UTC')) <> '')`, nil},

	// and, or, not.
	{
		`userName eq "a" and active eq true and title pr`,
		`((LOWER(u.user_name) = ?) AND (u.active = ?) AND (u.title <> ''))`,
		[]any{"a", true},
	},
	{
		`userName eq "a" or userName eq "b" and title pr`,
		`((LOWER(u.user_name) = ?) OR ((LOWER(u.user_name) = ?) AND (u.title <> '')))`,
		[]any{"a", "b"},
	},
	{
		`(userName eq "a" or userName eq "b") and title pr`,
		`(((LOWER(u.user_name) = ?) OR (LOWER(u.user_name) = ?)) AND (u.title <> ''))`,
		[]any{"a", "b"},
	},
	{
		`not (userName eq "a" or title pr)`,
		`((u.user_name IS NULL OR LOWER(u.user_name) <> ?) AND (u.title IS NULL OR u.title = ''))`,
		[]any{"a"},
	},
	{
		`not (userName eq "a" and not (title pr))`,
		`((u.user_name IS NULL OR LOWER(u.user_name) <> ?) OR (u.title <> ''))`,
		[]any{"a"},
	},
	{`not (not (userName eq "a"))`, `(LOWER(u.user_name) = ?)`, []any{"a"}},
	{
		`not (userName eq "a") and not (title pr or active eq true)`,
		`((u.user_name IS NULL OR LOWER(u.user_name) <> ?) AND (u.title IS NULL OR u.title = '') AND (u.active IS NULL OR u.active <> ?))`,
		[]any{"a", true},
	},
	// Multi-valued attributes: any value, in a child table.
	{
		`emails[type eq "work" and value co "@example.com"]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((LOWER(e.type) = ?) AND (LOWER(e.value) LIKE ? ESCAPE '!'))))`,
		[]any{"work", "%@example.com%"},
	},
	{
		`emails[type eq "work"].value eq "BJ@example.com"`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((LOWER(e.type) = ?) AND (LOWER(e.value) = ?))))`,
		[]any{"work", "bj@example.com"},
	},
	{
		`not (emails[type eq "work"])`,
		`(NOT EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.type) = ?)))`,
		[]any{"work"},
	},
	{
		`emails[not (type eq "work")]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (e.type IS NULL OR LOWER(e.type) <> ?)))`,
		[]any{"work"},
	},
	{
		`emails[primary eq true or value pr]`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((e.is_primary = ?) OR (e.value <> ''))))`,
		[]any{true},
	},
	{
		`emails.value eq "BJ@example.com"`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.value) = ?)))`,
		[]any{"bj@example.com"},
	},
	{
		`emails eq "BJ@example.com"`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.value) = ?)))`,
		[]any{"bj@example.com"},
	},
	{
		`emails ne "BJ@example.com"`,
		`(NOT EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.value) = ?)))`,
		[]any{"bj@example.com"},
	},
	{
		`emails.type eq null`,
		`(NOT EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (e.type <> '')))`,
		nil,
	},
	{
		`emails pr`,
		`(EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND ((e.value <> '') OR (e.display <> '') OR (e.type <> '') OR (e.is_primary IS NOT NULL))))`,
		nil,
	},
	{
		`emails.type eq "work" and emails.value co "x"`,
		`((EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.type) = ?)))` +
			` AND (EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.value) LIKE ? ESCAPE '!'))))`,
		[]any{"work", "%x%"},
	},
	{
		`groups.display co "adm"`,
		`(EXISTS (SELECT 1 FROM group_members gm WHERE (gm.member_id = u.id) AND (LOWER(gm.group_name) LIKE ? ESCAPE '!')))`,
		[]any{"%adm%"},
	},
	{
		`x509Certificates.value eq "TUlJ"`,
		`(EXISTS (SELECT 1 FROM user_certs c WHERE (c.user_id = u.id) AND (c.der = ?)))`,
		[]any{"TUlJ"},
	},

	// URN-qualified attributes.
	{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, `(LOWER(u.user_name) = ?)`, []any{"x"}},
	{entURN + `:employeeNumber eq "701984"`, `(LOWER(u.employee_number) = ?)`, []any{"701984"}},
	{entURN + `:manager.value eq "2611"`, `(LOWER(u.manager_id) = ?)`, []any{"2611"}},
	{entURN + `:manager eq "2611"`, `(LOWER(u.manager_id) = ?)`, []any{"2611"}},
	{entURN + `:manager[value eq "X"]`, `(LOWER(u.manager_id) = ?)`, []any{"x"}},
	{`not (` + entURN + `:manager[value eq "X"])`, `(u.manager_id IS NULL OR LOWER(u.manager_id) <> ?)`, []any{"x"}},
	// A value path that holds for null sub-attributes must also find the
	// complex attribute present, as Match does.
	{
		entURN + `:manager[not (value eq "X")]`,
		`((u.manager_id IS NOT NULL OR u.manager_name IS NOT NULL) AND (u.manager_id IS NULL OR LOWER(u.manager_id) <> ?))`,
		[]any{"x"},
	},
	{
		`not (` + entURN + `:manager[not (value eq "X")])`,
		`((u.manager_id IS NULL AND u.manager_name IS NULL) OR (LOWER(u.manager_id) = ?))`,
		[]any{"x"},
	},
	{
		entURN + `:manager[value pr or displayName eq null]`,
		`((u.manager_id IS NOT NULL OR u.manager_name IS NOT NULL) AND ((u.manager_id <> '') OR (u.manager_name IS NULL OR u.manager_name = '')))`,
		nil,
	},
	{entURN + `:manager pr`, `((u.manager_id <> '') OR (u.manager_name <> ''))`, nil},
}

var deviceSQLTests = []sqlTest{
	// Integers: int64 arguments; a fraction or a number beyond int64 is
	// turned into an equivalent integer comparison or a constant.
	{`count eq 5`, `(d.count = ?)`, []any{int64(5)}},
	{`count eq "7"`, `(d.count = ?)`, []any{int64(7)}},
	{`count ne 5`, `(d.count IS NULL OR d.count <> ?)`, []any{int64(5)}},
	{`count eq 1E3`, `(d.count = ?)`, []any{int64(1000)}},
	{`count eq 5.0`, `(d.count = ?)`, []any{int64(5)}},
	{`count gt 1.5`, `(d.count > ?)`, []any{int64(1)}},
	{`count ge 1.5`, `(d.count >= ?)`, []any{int64(2)}},
	{`count lt 1.5`, `(d.count < ?)`, []any{int64(2)}},
	{`count le 1.5`, `(d.count <= ?)`, []any{int64(1)}},
	{`count gt -1.5`, `(d.count > ?)`, []any{int64(-2)}},
	{`count lt -1.5`, `(d.count < ?)`, []any{int64(-1)}},
	{`not (count ge 1.5)`, `(d.count IS NULL OR d.count < ?)`, []any{int64(2)}},
	{`count eq 1.5`, `(1 = 0)`, nil},
	{`count ne 1.5`, `(1 = 1)`, nil},
	{`count lt 1E30`, `(d.count IS NOT NULL)`, nil},
	{`count le 9223372036854775808`, `(d.count IS NOT NULL)`, nil},
	{`count eq 9223372036854775807`, `(d.count = ?)`, []any{int64(9223372036854775807)}},
	{`count eq -9223372036854775808`, `(d.count = ?)`, []any{int64(-9223372036854775808)}},
	{`count ge -9223372036854775808.0`, `(d.count >= ?)`, []any{int64(-9223372036854775808)}},
	{`count gt 1E30`, `(1 = 0)`, nil},
	{`count ge -1E30`, `(d.count IS NOT NULL)`, nil},
	{`count lt -1E30`, `(1 = 0)`, nil},
	{`not (count lt 1E30)`, `(d.count IS NULL)`, nil},
	{`readings gt 100`, `(EXISTS (SELECT 1 FROM readings r WHERE (r.device_id = d.id) AND (r.reading > ?)))`, []any{int64(100)}},
	{`readings lt 2.5`, `(EXISTS (SELECT 1 FROM readings r WHERE (r.device_id = d.id) AND (r.reading < ?)))`, []any{int64(3)}},
	{`readings eq 2.5`, `(EXISTS (SELECT 1 FROM readings r WHERE (r.device_id = d.id) AND (1 = 0)))`, nil},
	{`readings pr`, `(EXISTS (SELECT 1 FROM readings r WHERE (r.device_id = d.id) AND (r.reading IS NOT NULL)))`, nil},

	// Decimals: float64 arguments.
	{`ratio gt 1.5`, `(d.ratio > ?)`, []any{1.5}},
	{`ratio eq 2`, `(d.ratio = ?)`, []any{2.0}},
	{`ratio ne 0.5`, `(d.ratio IS NULL OR d.ratio <> ?)`, []any{0.5}},
	{`ratio le 25E-1`, `(d.ratio <= ?)`, []any{2.5}},

	// Booleans, dateTimes, binary, references, caseExact strings.
	{`enabled eq "TRUE"`, `(d.enabled = ?)`, []any{true}},
	{`enabled pr`, `(d.enabled IS NOT NULL)`, nil},
	{`seen ge "2020-01-01T11:00:00+01:00"`, `(d.seen >= ?)`, []any{utc("2020-01-01T10:00:00Z")}},
	{`blob sw "Q"`, `(d.blob LIKE ? ESCAPE '!')`, []any{"Q%"}},
	{`blob eq "QUJD"`, `(d.blob = ?)`, []any{"QUJD"}},
	{`blob pr`, `(d.blob <> '')`, nil},
	{`link sw "HTTPS://"`, `(LOWER(d.link) LIKE ? ESCAPE '!')`, []any{"https://%"}},
	{`link gt "T"`, `(LOWER(d.link) > ?)`, []any{"t"}},
	{`code co "b_C"`, `(d.code LIKE ? ESCAPE '!')`, []any{"%b!_C%"}},
	{`code ew "C"`, `(d.code LIKE ? ESCAPE '!')`, []any{"%C"}},
	{`code le "ABC"`, `(d.code <= ?)`, []any{"ABC"}},
	{`name co ""`, `(LOWER(d.name) LIKE ? ESCAPE '!')`, []any{"%%"}},

	// A multi-valued string and a multi-valued complex attribute.
	{`tags eq "Blue"`, `(EXISTS (SELECT 1 FROM device_tags t WHERE (t.device_id = d.id) AND (LOWER(t.tag) = ?)))`, []any{"blue"}},
	{`tags ne "Blue"`, `(NOT EXISTS (SELECT 1 FROM device_tags t WHERE (t.device_id = d.id) AND (LOWER(t.tag) = ?)))`, []any{"blue"}},
	{`tags pr`, `(EXISTS (SELECT 1 FROM device_tags t WHERE (t.device_id = d.id) AND (t.tag <> '')))`, nil},
	{`tags eq null`, `(NOT EXISTS (SELECT 1 FROM device_tags t WHERE (t.device_id = d.id) AND (t.tag <> '')))`, nil},
	{
		`parts[size ge 3 and not (kind eq "nut")]`,
		`(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND ((p.size >= ?) AND (p.kind IS NULL OR p.kind <> ?))))`,
		[]any{int64(3), "nut"},
	},
	{
		`parts[kind eq "Screw" and size gt 5]`,
		`(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND ((p.kind = ?) AND (p.size > ?))))`,
		[]any{"Screw", int64(5)},
	},
	{
		`parts pr`,
		`(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND ((p.id <> '') OR (p.kind <> '') OR (p.size IS NOT NULL) OR (p.main IS NOT NULL))))`,
		nil,
	},
	{`parts eq "P3"`, `(EXISTS (SELECT 1 FROM parts p WHERE (p.device_id = d.id) AND (LOWER(p.id) = ?)))`, []any{"p3"}},

	// Single-valued complex attributes: through Columns, and in a table.
	{`owner eq "U1"`, `(LOWER(d.owner_id) = ?)`, []any{"u1"}},
	{`owner pr`, `((d.owner_id <> '') OR (d.owner_name <> ''))`, nil},
	{`owner[display sw "b" and value eq "u1"]`, `((LOWER(d.owner_name) LIKE ? ESCAPE '!') AND (LOWER(d.owner_id) = ?))`, []any{"b%", "u1"}},
	{`site eq "HQ"`, `(EXISTS (SELECT 1 FROM sites s WHERE (s.id = d.site_id) AND (LOWER(s.name) = ?)))`, []any{"hq"}},
	{`site.floor gt 2`, `(EXISTS (SELECT 1 FROM sites s WHERE (s.id = d.site_id) AND (s.floor > ?)))`, []any{int64(2)}},
	{`site[not (floor eq 2)]`, `(EXISTS (SELECT 1 FROM sites s WHERE (s.id = d.site_id) AND (s.floor IS NULL OR s.floor <> ?)))`, []any{int64(2)}},
	{`site pr`, `(EXISTS (SELECT 1 FROM sites s WHERE (s.id = d.site_id) AND ((s.name <> '') OR (s.floor IS NOT NULL))))`, nil},

	// The extension.
	{sqlDeviceExtURN + `:room eq "R1"`, `(LOWER(d.room) = ?)`, []any{"r1"}},
	{sqlDeviceExtURN + `:labels co "x"`, `(EXISTS (SELECT 1 FROM lab_labels l WHERE (l.device_id = d.id) AND (LOWER(l.label) LIKE ? ESCAPE '!')))`, []any{"%x%"}},
	{sqlDeviceURN + `:count eq 5`, `(d.count = ?)`, []any{int64(5)}},
}

// dollar renumbers the "?" placeholders of s as $n, starting at first.
func dollar(s string, first int) string {
	var b strings.Builder
	n := first
	for _, r := range s {
		if r == '?' {
			b.WriteString("$" + strconv.Itoa(n))
			n++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func runSQLTests(t *testing.T, rt *schema.ResourceType, m *SQL, tests []sqlTest) {
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := Compile(rt, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			q := *m
			q.Placeholder = Question
			where, args, err := q.Where(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.sql, where); diff != "" {
				t.Errorf("Where, Question (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.args, args); diff != "" {
				t.Errorf("Where args (-want +got):\n%s", diff)
			}

			// Dollar, after an argument of the host's.
			q.Placeholder = Dollar
			where, args, err = q.Where(f, []any{"tenant"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dollar(tt.sql, 2), where); diff != "" {
				t.Errorf("Where, Dollar (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(append([]any{"tenant"}, tt.args...), args); diff != "" {
				t.Errorf("Where args, Dollar (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSQLWhereUser(t *testing.T) {
	runSQLTests(t, schema.UserResourceType(), userSQL(), userSQLTests)
}

func TestSQLWhereDevice(t *testing.T) {
	runSQLTests(t, sqlDeviceType(), deviceSQL(), deviceSQLTests)
}

// TestSQLWhereNesting checks that a negated and of ors becomes an or of
// ands, each in parentheses.
func TestSQLWhereNesting(t *testing.T) {
	f, err := Compile(schema.UserResourceType(),
		`not ((userName eq "a" or userName eq "b") and (title pr or active eq false))`)
	if err != nil {
		t.Fatal(err)
	}
	where, args, err := userSQL().Where(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `(((u.user_name IS NULL OR LOWER(u.user_name) <> ?) AND (u.user_name IS NULL OR LOWER(u.user_name) <> ?))` +
		` OR ((u.title IS NULL OR u.title = '') AND (u.active IS NULL OR u.active <> ?)))`
	if diff := cmp.Diff(want, where); diff != "" {
		t.Errorf("Where (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"a", "b", false}, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

func TestSQLWhereNil(t *testing.T) {
	where, args, err := userSQL().Where(nil, []any{1})
	if err != nil || where != "(1 = 1)" || len(args) != 1 {
		t.Errorf("Where(nil) = %q, %v, %v; want (1 = 1), [1], nil", where, args, err)
	}
}

// TestSQLTimePrecision checks that a dateTime finer than the columns'
// resolution, which a driver would truncate, becomes an equivalent
// comparison with the instants around it.
func TestSQLTimePrecision(t *testing.T) {
	const fine, down, up = "2011-05-13T04:42:34.0000005Z", "2011-05-13T04:42:34Z", "2011-05-13T04:42:34.000001Z"
	tests := []sqlTest{
		{`meta.created eq "` + fine + `"`, `(1 = 0)`, nil},
		{`meta.created ne "` + fine + `"`, `(1 = 1)`, nil},
		{`meta.created gt "` + fine + `"`, `(u.created > ?)`, []any{utc(down)}},
		{`meta.created le "` + fine + `"`, `(u.created <= ?)`, []any{utc(down)}},
		{`meta.created ge "` + fine + `"`, `(u.created >= ?)`, []any{utc(up)}},
		{`meta.created lt "` + fine + `"`, `(u.created < ?)`, []any{utc(up)}},
		{`not (meta.created ge "` + fine + `")`, `(u.created IS NULL OR u.created < ?)`, []any{utc(up)}},
		// In another zone, and a whole multiple, which stays as it is.
		{`meta.created gt "2011-05-13T06:42:34.0000005+02:00"`, `(u.created > ?)`, []any{utc(down)}},
		{`meta.created eq "` + up + `"`, `(u.created = ?)`, []any{utc(up)}},
	}
	m := userSQL()
	m.TimePrecision = time.Microsecond
	runSQLTests(t, schema.UserResourceType(), m, tests)
}

func TestSQLTimeLayout(t *testing.T) {
	f, err := Compile(sqlDeviceType(), `seen gt "2020-01-01T11:00:00.5+01:00" or seen lt "0001-01-01T00:00:00Z"`)
	if err != nil {
		t.Fatal(err)
	}
	m := deviceSQL()
	m.TimeLayout = TextTimeLayout
	where, args, err := m.Where(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `((d.seen > ?) OR (d.seen < ?))`; where != want {
		t.Errorf("Where = %q, want %q", where, want)
	}
	want := []any{"2020-01-01T10:00:00.500000000Z", "0001-01-01T00:00:00.000000000Z"}
	if diff := cmp.Diff(want, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

func TestSQLUnmapped(t *testing.T) {
	noID := userSQL()
	delete(noID.Columns, "id")
	listColumn := userSQL()
	listColumn.Columns["phoneNumbers"] = "u.phone_numbers"
	listColumn.Columns["phoneNumbers.value"] = "u.phone"
	emptyTable := userSQL()
	emptyTable.Tables["emails"] = SQLTable{From: "user_emails e", Join: "e.user_id = u.id"}
	noName := userSQL()
	delete(noName.Columns, "name.familyName")
	delete(noName.Columns, "name.givenName")
	tests := []struct {
		m    *SQL
		in   string
		path string
	}{
		{userSQL(), `nickName eq "x"`, "nickName"},
		{userSQL(), `userName eq "a" or nickName pr`, "nickName"},
		{userSQL(), `not (nickName pr)`, "nickName"},
		{userSQL(), `name.formatted co "x"`, "name.formatted"},
		{userSQL(), `name[formatted co "x"]`, "name.formatted"},
		{userSQL(), `phoneNumbers eq "1"`, "phoneNumbers"},
		{userSQL(), `phoneNumbers.type eq "work"`, "phoneNumbers"},
		{userSQL(), `phoneNumbers[type eq "work"]`, "phoneNumbers"},
		{userSQL(), `ims pr`, "ims"},
		{userSQL(), `groups.type eq "direct"`, "groups.type"},
		{userSQL(), `groups[type eq "direct"]`, "groups.type"},
		{userSQL(), entURN + `:costCenter eq "4130"`, entURN + ":costCenter"},
		{userSQL(), entURN + `:manager.$ref pr`, entURN + ":manager.$ref"},
		{listColumn, `phoneNumbers eq "1"`, "phoneNumbers"},
		{emptyTable, `emails pr`, "emails"},
		{emptyTable, `emails.value eq "x"`, "emails.value"},
		{noName, `name pr`, "name"},
		{noID, `userName eq "x"`, ""}, // Where needs no id
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f, err := Compile(schema.UserResourceType(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			where, args, err := tt.m.Where(f, []any{"tenant"})
			if tt.path == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ue *UnmappedError
			if !errors.As(err, &ue) {
				t.Fatalf("Where = %q, %v; want an *UnmappedError", where, err)
			}
			if ue.Path != tt.path {
				t.Errorf("Path = %q, want %q", ue.Path, tt.path)
			}
			if want := "filter: attribute " + strconv.Quote(tt.path) + " is not mapped to SQL"; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if where != "" || len(args) != 1 {
				t.Errorf("on error Where returned %q, %v; want \"\" and the args passed in", where, args)
			}
		})
	}
}

func TestSQLOrderBy(t *testing.T) {
	// The least value among the primary ones if there is one, else among
	// all.
	const emailKey = `(SELECT CASE WHEN MAX(CASE WHEN e.is_primary = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN e.is_primary = ? THEN LOWER(e.value) END) ELSE MIN(LOWER(e.value)) END FROM user_emails e WHERE (e.user_id = u.id))`
	const groupKey = `(SELECT MIN(LOWER(gm.group_name)) FROM group_members gm WHERE (gm.member_id = u.id))`
	// Booleans sort as 0 and 1: PostgreSQL has no MIN(boolean).
	const primaryKey = `(SELECT CASE WHEN MAX(CASE WHEN e.is_primary = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN e.is_primary = ? THEN CASE WHEN e.is_primary THEN 1 WHEN NOT e.is_primary THEN 0 END END) ELSE MIN(CASE WHEN e.is_primary THEN 1 WHEN NOT e.is_primary THEN 0 END) END FROM user_emails e WHERE (e.user_id = u.id))`
	tests := []struct {
		sortBy, order string
		want          string
		args          []any
	}{
		{"", "", `u.id ASC`, nil},
		{"userName", "", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, LOWER(u.user_name) ASC, u.user_name ASC, u.id ASC`, nil},
		{"userName", "descending", `CASE WHEN u.user_name IS NULL THEN 1 ELSE 0 END, LOWER(u.user_name) DESC, u.user_name DESC, u.id ASC`, nil},
		{"id", "descending", `CASE WHEN u.id IS NULL THEN 1 ELSE 0 END, u.id DESC`, nil},
		{"externalId", "", `CASE WHEN u.external_id IS NULL THEN 1 ELSE 0 END, u.external_id ASC, u.id ASC`, nil},
		{"meta.lastModified", "Descending", `CASE WHEN u.last_modified IS NULL THEN 1 ELSE 0 END, u.last_modified DESC, u.id ASC`, nil},
		{"active", "", `CASE WHEN u.active IS NULL THEN 1 ELSE 0 END, u.active ASC, u.id ASC`, nil},
		{"name.familyName", "", `CASE WHEN u.family_name IS NULL THEN 1 ELSE 0 END, LOWER(u.family_name) ASC, u.family_name ASC, u.id ASC`, nil},
		{
			"timezone", "",
			`CASE WHEN (COALESCE(u.timezone, 'UTC')) IS NULL THEN 1 ELSE 0 END, LOWER(COALESCE(u.timezone, 'UTC')) ASC, (COALESCE(u.timezone, 'UTC')) ASC, u.id ASC`,
			nil,
		},
		{entURN + ":manager", "", `CASE WHEN u.manager_id IS NULL THEN 1 ELSE 0 END, LOWER(u.manager_id) ASC, u.manager_id ASC, u.id ASC`, nil},
		{"emails", "", `CASE WHEN ` + emailKey + ` IS NULL THEN 1 ELSE 0 END, ` + emailKey + ` ASC, u.id ASC`, []any{true, true, true, true}},
		{"emails.value", "descending", `CASE WHEN ` + emailKey + ` IS NULL THEN 1 ELSE 0 END, ` + emailKey + ` DESC, u.id ASC`, []any{true, true, true, true}},
		{"groups.display", "", `CASE WHEN ` + groupKey + ` IS NULL THEN 1 ELSE 0 END, ` + groupKey + ` ASC, u.id ASC`, nil},
		{"emails.primary", "descending", `CASE WHEN ` + primaryKey + ` IS NULL THEN 1 ELSE 0 END, ` + primaryKey + ` DESC, u.id ASC`, []any{true, true, true, true}},
	}
	rt := schema.UserResourceType()
	for _, tt := range tests {
		t.Run(tt.sortBy+" "+tt.order, func(t *testing.T) {
			var srt *Sort
			if tt.sortBy != "" {
				var err error
				if srt, err = ResolveSort(rt, tt.sortBy, tt.order); err != nil {
					t.Fatal(err)
				}
			}
			m := userSQL()
			got, args, err := m.OrderBy(srt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderBy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.args, args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			m.Placeholder = Dollar
			got, args, err = m.OrderBy(srt, []any{"tenant"})
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

func TestSQLOrderByDevice(t *testing.T) {
	tests := []struct {
		sortBy, want string
		args         []any
	}{
		{"count", `CASE WHEN d.count IS NULL THEN 1 ELSE 0 END, d.count ASC, d.id ASC`, nil},
		{"code", `CASE WHEN d.code IS NULL THEN 1 ELSE 0 END, d.code ASC, d.id ASC`, nil},
		{
			"tags",
			`CASE WHEN (SELECT MIN(LOWER(t.tag)) FROM device_tags t WHERE (t.device_id = d.id)) IS NULL THEN 1 ELSE 0 END,` +
				` (SELECT MIN(LOWER(t.tag)) FROM device_tags t WHERE (t.device_id = d.id)) ASC, d.id ASC`,
			nil,
		},
		{
			"parts.kind",
			`CASE WHEN (SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind END) ELSE MIN(p.kind) END FROM parts p WHERE (p.device_id = d.id)) IS NULL THEN 1 ELSE 0 END,` +
				` (SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind END) ELSE MIN(p.kind) END FROM parts p WHERE (p.device_id = d.id)) ASC, d.id ASC`,
			[]any{true, true, true, true},
		},
		{
			"site.floor",
			`CASE WHEN (SELECT MIN(s.floor) FROM sites s WHERE (s.id = d.site_id)) IS NULL THEN 1 ELSE 0 END,` +
				` (SELECT MIN(s.floor) FROM sites s WHERE (s.id = d.site_id)) ASC, d.id ASC`,
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.sortBy, func(t *testing.T) {
			srt, err := ResolveSort(sqlDeviceType(), tt.sortBy, "")
			if err != nil {
				t.Fatal(err)
			}
			got, args, err := deviceSQL().OrderBy(srt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("OrderBy (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.args, args); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSQLOrderByJoinless covers a table whose From correlates by itself.
func TestSQLOrderByJoinless(t *testing.T) {
	m := deviceSQL()
	m.Tables["parts"] = SQLTable{From: "LATERAL unnest(d.parts) p", Columns: map[string]string{"kind": "p.kind", "primary": "p.main"}}
	m.Tables["tags"] = SQLTable{From: "LATERAL unnest(d.tags) t", Columns: map[string]string{"value": "t.tag"}}
	for _, tt := range []struct{ sortBy, want string }{
		{"parts.kind", `CASE WHEN (SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind END) ELSE MIN(p.kind) END FROM LATERAL unnest(d.parts) p) IS NULL THEN 1 ELSE 0 END,` +
			` (SELECT CASE WHEN MAX(CASE WHEN p.main = ? THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN p.main = ? THEN p.kind END) ELSE MIN(p.kind) END FROM LATERAL unnest(d.parts) p) ASC, d.id ASC`},
		{"tags", `CASE WHEN (SELECT MIN(LOWER(t.tag)) FROM LATERAL unnest(d.tags) t) IS NULL THEN 1 ELSE 0 END,` +
			` (SELECT MIN(LOWER(t.tag)) FROM LATERAL unnest(d.tags) t) ASC, d.id ASC`},
	} {
		srt, err := ResolveSort(sqlDeviceType(), tt.sortBy, "")
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := m.OrderBy(srt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("OrderBy %s (-want +got):\n%s", tt.sortBy, diff)
		}
	}
	f, err := Compile(sqlDeviceType(), `tags eq "x"`)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := m.Where(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := `(EXISTS (SELECT 1 FROM LATERAL unnest(d.tags) t WHERE (LOWER(t.tag) = ?)))`; got != want {
		t.Errorf("Where = %q, want %q", got, want)
	}
}

func TestSQLOrderByUnmapped(t *testing.T) {
	rt := schema.UserResourceType()
	noID := userSQL()
	delete(noID.Columns, "id")
	for _, tt := range []struct {
		m            *SQL
		sortBy, path string
	}{
		{userSQL(), "nickName", "nickName"},
		{userSQL(), "phoneNumbers", "phoneNumbers"},
		{userSQL(), "groups.type", "groups.type"},
		{noID, "userName", "id"},
		{noID, "", "id"},
	} {
		var srt *Sort
		if tt.sortBy != "" {
			var err error
			if srt, err = ResolveSort(rt, tt.sortBy, ""); err != nil {
				t.Fatal(err)
			}
		}
		got, args, err := tt.m.OrderBy(srt, []any{"tenant"})
		var ue *UnmappedError
		if !errors.As(err, &ue) || ue.Path != tt.path {
			t.Errorf("OrderBy(%q) = %q, %v; want *UnmappedError for %q", tt.sortBy, got, err, tt.path)
		}
		if got != "" || len(args) != 1 {
			t.Errorf("on error OrderBy(%q) returned %q, %v; want \"\" and the args passed in", tt.sortBy, got, args)
		}
	}
}

func TestSQLLimit(t *testing.T) {
	tests := []struct {
		startIndex, count int
		placeholder       Placeholder
		args              []any
		want              string
		wantArgs          []any
	}{
		{1, 10, Question, nil, "LIMIT ? OFFSET ?", []any{int64(10), int64(0)}},
		{21, 10, Question, nil, "LIMIT ? OFFSET ?", []any{int64(10), int64(20)}},
		{0, -5, Question, nil, "LIMIT ? OFFSET ?", []any{int64(0), int64(0)}},
		{-3, 0, Dollar, nil, "LIMIT $1 OFFSET $2", []any{int64(0), int64(0)}},
		{5, 2, Dollar, []any{"a", "b", "c"}, "LIMIT $4 OFFSET $5", []any{"a", "b", "c", int64(2), int64(4)}},
	}
	for _, tt := range tests {
		m := &SQL{Placeholder: tt.placeholder}
		got, args := m.Limit(tt.startIndex, tt.count, tt.args)
		if got != tt.want {
			t.Errorf("Limit(%d, %d) = %q, want %q", tt.startIndex, tt.count, got, tt.want)
		}
		if diff := cmp.Diff(tt.wantArgs, args); diff != "" {
			t.Errorf("Limit(%d, %d) args (-want +got):\n%s", tt.startIndex, tt.count, diff)
		}
	}
}

// TestSQLQuery chains Where, OrderBy and Limit with Dollar placeholders,
// which must number on across the three.
func TestSQLQuery(t *testing.T) {
	rt := schema.UserResourceType()
	f, err := Compile(rt, `userName sw "b" and emails[type eq "work"]`)
	if err != nil {
		t.Fatal(err)
	}
	srt, err := ResolveSort(rt, "emails.value", "")
	if err != nil {
		t.Fatal(err)
	}
	m := userSQL()
	m.Placeholder = Dollar
	args := []any{"tenant"}
	where, args, err := m.Where(f, args)
	if err != nil {
		t.Fatal(err)
	}
	order, args, err := m.OrderBy(srt, args)
	if err != nil {
		t.Fatal(err)
	}
	limit, args := m.Limit(11, 10, args)
	got := where + " ORDER BY " + order + " " + limit
	const key = `(SELECT CASE WHEN MAX(CASE WHEN e.is_primary = $%d THEN 1 ELSE 0 END) = 1 THEN MIN(CASE WHEN e.is_primary = $%d THEN LOWER(e.value) END) ELSE MIN(LOWER(e.value)) END FROM user_emails e WHERE (e.user_id = u.id))`
	want := `((LOWER(u.user_name) LIKE $2 ESCAPE '!') AND (EXISTS (SELECT 1 FROM user_emails e WHERE (e.user_id = u.id) AND (LOWER(e.type) = $3))))` +
		` ORDER BY CASE WHEN ` + fmt.Sprintf(key, 4, 5) + ` IS NULL THEN 1 ELSE 0 END, ` + fmt.Sprintf(key, 6, 7) + ` ASC, u.id ASC` +
		` LIMIT $8 OFFSET $9`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SQL (-want +got):\n%s", diff)
	}
	wantArgs := []any{"tenant", "b%", "work", true, true, true, true, int64(10), int64(10)}
	if diff := cmp.Diff(wantArgs, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{
		"":         "",
		"abc":      "abc",
		"%":        "!%",
		"_":        "!_",
		"!":        "!!",
		`a%b_c!d\`: `a!%b!_c!!d\`,
		"ü%":       "ü!%",
	} {
		if got := escapeLike(in); got != want {
			t.Errorf("escapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkSQLWhere translates the medium filter of BenchmarkParse.
func BenchmarkSQLWhere(b *testing.B) {
	f, err := Compile(schema.UserResourceType(), benchFilters[1].in)
	if err != nil {
		b.Fatal(err)
	}
	m := userSQL()
	m.Placeholder = Dollar
	args := make([]any, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		where, _, err := m.Where(f, args[:0])
		if err != nil {
			b.Fatal(err)
		}
		strSink = where
	}
}
