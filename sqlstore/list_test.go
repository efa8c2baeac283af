package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/sqlstore"
)

// The tests of this file list resources that the differential test
// (differential_test.go) once found listed otherwise than Filter.Match and
// Sort.Compare say, each with the rows that showed it, most of them
// written as a host's own application writes them.

// listed is what a list response holds: its totalResults and the ids of
// its page, in order.
type listed struct {
	Total int
	IDs   []string
}

// listCase is a list request and the response it must get.
type listCase struct {
	target string // such as "/Users?" + query(...)
	want   listed
}

// query encodes list parameters given as name, value pairs.
func query(params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return v.Encode()
}

// checkLists sends each case's request to srv and compares the response
// with the case's.
func checkLists(t *testing.T, srv http.Handler, cases []listCase) {
	t.Helper()
	for _, c := range cases {
		code, doc := call(t, srv, "", "GET", c.target, "")
		if code != 200 {
			t.Errorf("GET %s: status %d: %v", c.target, code, doc)
			continue
		}
		total, _ := doc["totalResults"].(float64)
		got := listed{Total: int(total), IDs: ids(doc)}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("GET %s (-want +got):\n%s", c.target, diff)
		}
	}
}

// hostExec runs statements written with "?" placeholders, as a host's own
// application writes its tables.
func hostExec(t testing.TB, db *sql.DB, d sqlstore.Dialect, stmt string, args ...any) {
	t.Helper()
	if _, err := db.Exec(d.Rebind(stmt), args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// newTextStore opens an empty database with the schema of the mapping
// with text ids (textSchema) and returns a store over it.
func newTextStore(t testing.TB, d database) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	db := d.open(t)
	exec(t, db, textSchema(d.dialect)...)
	s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: textTypes(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestListMetaLocation checks filters and sorts on meta.location, which
// has no column: the store evaluates them in memory, with the location
// the server presents, under its BaseURL or the request's.
func TestListMetaLocation(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, _ := newAppStore(t, d)
			srv := newServer(t, s, scim.Config{})
			for _, name := range []string{"alice", "bob"} {
				must(t, srv, 201, "POST", "/Users", user(name))
			}
			must(t, srv, 201, "POST", "/Groups", group("Sales"))
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", "meta.location pr"), listed{2, []string{"1", "2"}}},
				{"/Users?" + query("filter", `meta.location eq "https://example.com/scim/v2/Users/2"`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `meta.location sw "HTTPS://EXAMPLE.COM/scim/v2/Users/"`), listed{2, []string{"1", "2"}}},
				{"/Users?" + query("filter", `meta.location ew "/Groups/1"`), listed{0, nil}},
				{"/Users?" + query("sortBy", "meta.location", "sortOrder", "descending"), listed{2, []string{"2", "1"}}},
				{"/Groups?" + query("filter", `meta.location eq "https://example.com/scim/v2/Groups/1"`), listed{1, []string{"1"}}},
				{"/?" + query("filter", `meta.location sw "https://example.com/scim/v2/Groups/"`), listed{1, []string{"1"}}},
				{"/?" + query("filter", `meta.resourceType eq "User"`, "sortBy", "meta.location", "sortOrder", "descending"), listed{2, []string{"2", "1"}}},
			})
			// Without a BaseURL, the base URL is the request's.
			srv, err := scim.NewServer(scim.Config{Endpoints: s.Endpoints()})
			if err != nil {
				t.Fatal(err)
			}
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `meta.location eq "http://example.com/Users/1"`), listed{1, []string{"1"}}},
			})
		})
	}
}

// TestListMembersTextIDs checks that members.value and groups.value,
// which are not caseExact, compare case-insensitively when ids are text,
// as Filter.Match compares them, even where the host's ids differ only in
// case.
func TestListMembersTextIDs(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newTextStore(t, d)
			for _, id := range []string{"a", "A", "b"} {
				hostExec(t, db, d.dialect, "INSERT INTO people (id, user_name) VALUES (?, ?)", id, "user-"+id)
			}
			for _, id := range []string{"Crew", "other"} {
				hostExec(t, db, d.dialect, "INSERT INTO crews (id, name) VALUES (?, ?)", id, "name-"+id)
			}
			hostExec(t, db, d.dialect, "INSERT INTO crew_members (crew_id, person_id) VALUES ('Crew', 'a'), ('other', 'b')")
			srv := newServer(t, s, scim.Config{})
			checkLists(t, srv, []listCase{
				{"/Groups?" + query("filter", `members[value eq "A"]`), listed{1, []string{"Crew"}}},
				{"/Groups?" + query("filter", `members.value eq "A"`), listed{1, []string{"Crew"}}},
				{"/Groups?" + query("filter", `members[value eq "a"]`), listed{1, []string{"Crew"}}},
				{"/Groups?" + query("filter", `members[value ne "A"]`), listed{1, []string{"other"}}},
				{"/Groups?" + query("filter", `not (members[value eq "A"])`), listed{1, []string{"other"}}},
				{"/Groups?" + query("filter", `id eq "crew"`), listed{0, nil}},
				{"/Users?" + query("filter", `groups[value eq "CREW"]`), listed{1, []string{"a"}}},
				{"/Users?" + query("filter", `groups.value eq "crew"`), listed{1, []string{"a"}}},
				{"/Users?" + query("filter", `id eq "A"`), listed{1, []string{"A"}}},
			})
		})
	}
}

// TestListTimePrecision checks filters on dateTimes between two
// microseconds: PostgreSQL keeps microseconds and its driver truncates a
// finer argument, SQLite keeps nanoseconds, and both answer as
// Filter.Match does.
func TestListTimePrecision(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			now := t0
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf,
				Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, s, scim.Config{})
			must(t, srv, 201, "POST", "/Users", user("alice"))
			now = t0.Add(time.Microsecond)
			must(t, srv, 201, "POST", "/Users", user("bob"))
			const between = "2024-01-01T00:00:00.0000005Z"
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `meta.created eq "`+between+`"`), listed{0, nil}},
				{"/Users?" + query("filter", `meta.created ne "`+between+`"`), listed{2, []string{"1", "2"}}},
				{"/Users?" + query("filter", `meta.created gt "`+between+`"`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `meta.created ge "`+between+`"`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `meta.lastModified lt "`+between+`"`), listed{1, []string{"1"}}},
				{"/Users?" + query("filter", `meta.lastModified le "`+between+`"`), listed{1, []string{"1"}}},
				{"/Users?" + query("filter", `meta.created eq "2024-01-01T00:00:00.000001Z"`), listed{1, []string{"2"}}},
			})
		})
	}
}

// TestListEmptyExternalID checks an external id that a host's row holds
// as the empty string: the store reads it as none, since a resource cannot
// hold an empty one, and filters and sorts take it as none too. Other
// strings, such as a formatted name, are read and compared as the empty
// string.
func TestListEmptyExternalID(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newAppStore(t, d)
			for _, u := range []struct {
				id             int
				ext, formatted any
			}{{1, "", ""}, {2, "x", nil}, {3, nil, "F"}} {
				hostExec(t, db, d.dialect, "INSERT INTO accounts (id, org_id, email, scim_external_id, full_name) VALUES (?, 'acme', ?, ?, ?)",
					u.id, fmt.Sprint("user", u.id), u.ext, u.formatted)
			}
			hostExec(t, db, d.dialect, "INSERT INTO teams (id, org_id, name, scim_external_id) VALUES (1, 'acme', 'Sales', ''), (2, 'acme', 'Ops', 'y')")
			srv := newServer(t, s, scim.Config{})
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `externalId eq ""`), listed{0, nil}},
				{"/Users?" + query("filter", `externalId lt "a"`), listed{0, nil}},
				{"/Users?" + query("filter", `externalId sw ""`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `externalId pr`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `not (externalId lt "a")`), listed{3, []string{"1", "2", "3"}}},
				{"/Users?" + query("sortBy", "externalId"), listed{3, []string{"2", "1", "3"}}},
				{"/Users?" + query("sortBy", "externalId", "sortOrder", "descending"), listed{3, []string{"2", "1", "3"}}},
				{"/Groups?" + query("filter", `externalId eq ""`), listed{0, nil}},
				{"/Groups?" + query("filter", `not (externalId pr)`), listed{1, []string{"1"}}},
				{"/Users?" + query("filter", `name.formatted eq ""`), listed{1, []string{"1"}}},
				{"/Users?" + query("sortBy", "name.formatted"), listed{3, []string{"1", "3", "2"}}},
			})
		})
	}
}

// TestListEmptyGroupName checks the groups of the members of a group
// whose name a host's row holds as the empty string: the store reads the
// group's displayName as the empty string, and its members' groups
// without a display, as a scim.GroupRef has none when it is empty, and
// filters and sorts on groups.display take it as none too.
func TestListEmptyGroupName(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newAppStore(t, d)
			for id := 1; id <= 3; id++ {
				hostExec(t, db, d.dialect, "INSERT INTO accounts (id, org_id, email) VALUES (?, 'acme', ?)", id, fmt.Sprint("user", id))
			}
			hostExec(t, db, d.dialect, "INSERT INTO teams (id, org_id, name) VALUES (1, 'acme', ''), (2, 'acme', 'Sales')")
			hostExec(t, db, d.dialect, "INSERT INTO team_members (team_id, account_id) VALUES (1, 1), (2, 2)")
			srv := newServer(t, s, scim.Config{})
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `groups.display lt "0"`), listed{0, nil}},
				{"/Users?" + query("filter", `groups[display eq ""]`), listed{0, nil}},
				{"/Users?" + query("filter", `groups.display pr`), listed{1, []string{"2"}}},
				{"/Users?" + query("filter", `groups[value eq "1" and not (display pr)]`), listed{1, []string{"1"}}},
				{"/Users?" + query("sortBy", "groups.display"), listed{3, []string{"2", "1", "3"}}},
				{"/Groups?" + query("filter", `displayName eq ""`), listed{1, []string{"1"}}},
			})
		})
	}
}

// TestListEmailRowOfNulls checks that a row of a child table whose columns
// are all NULL, which the store reads as no value, is no value to filters
// either.
func TestListEmailRowOfNulls(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newTextStore(t, d)
			for _, id := range []string{"a", "b", "c"} {
				hostExec(t, db, d.dialect, "INSERT INTO people (id, user_name) VALUES (?, ?)", id, "user-"+id)
			}
			hostExec(t, db, d.dialect, "INSERT INTO people_emails (person_id) VALUES ('a'), ('b')")
			hostExec(t, db, d.dialect, "INSERT INTO people_emails (person_id, is_primary) VALUES ('b', ?)", false)
			hostExec(t, db, d.dialect, "INSERT INTO people_emails (person_id, value) VALUES ('c', '')")
			srv := newServer(t, s, scim.Config{})
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `emails[not (primary eq true)]`), listed{2, []string{"b", "c"}}},
				{"/Users?" + query("filter", `not (emails[not (primary eq true)])`), listed{1, []string{"a"}}},
				{"/Users?" + query("filter", `emails[not (value pr)]`), listed{2, []string{"b", "c"}}},
				{"/Users?" + query("filter", `emails[value eq ""]`), listed{1, []string{"c"}}},
				{"/Users?" + query("filter", `emails pr`), listed{1, []string{"b"}}},
				{"/Users?" + query("filter", `emails.primary eq false`), listed{1, []string{"b"}}},
			})
		})
	}
}

// TestListMixedIDKinds checks filters on ids in a store whose Users have
// text ids and whose Groups have integer ids, in id columns of the same
// name: each type's ids are taken as its own kind.
func TestListMixedIDKinds(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			id := "INTEGER PRIMARY KEY"
			if d.dialect == sqlstore.PostgreSQL {
				id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
			}
			exec(t, db, textSchema(d.dialect)...)
			exec(t, db,
				`CREATE TABLE squads (id `+id+`, name TEXT NOT NULL, ext_id TEXT, version BIGINT NOT NULL DEFAULT 1)`,
				`CREATE TABLE squad_members (squad_id BIGINT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (squad_id, person_id))`)
			types := textTypes(nil)
			types[1] = sqlstore.Type{
				Resource: types[1].Resource, Table: "squads", ID: "id", IDKind: sqlstore.IntegerID, Version: "version",
				Columns: map[string]string{"displayName": "name", "externalId": "ext_id"},
				Members: &sqlstore.Members{Table: "squad_members", Group: "squad_id", Member: "person_id"},
			}
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: types})
			if err != nil {
				t.Fatal(err)
			}
			hostExec(t, db, d.dialect, "INSERT INTO people (id, user_name) VALUES ('abc', 'alice'), ('7', 'bob')")
			hostExec(t, db, d.dialect, "INSERT INTO squads (id, name) VALUES (7, 'Sales')")
			hostExec(t, db, d.dialect, "INSERT INTO squad_members (squad_id, person_id) VALUES (7, 'abc')")
			srv := newServer(t, s, scim.Config{})
			checkLists(t, srv, []listCase{
				{"/Users?" + query("filter", `id eq "abc"`), listed{1, []string{"abc"}}},
				{"/Users?" + query("filter", `id eq "7"`), listed{1, []string{"7"}}},
				{"/Users?" + query("filter", `groups[value eq "7"]`), listed{1, []string{"abc"}}},
				{"/Groups?" + query("filter", `id eq "7"`), listed{1, []string{"7"}}},
				{"/Groups?" + query("filter", `id eq "07"`), listed{0, nil}},
				{"/Groups?" + query("filter", `members[value eq "ABC"]`), listed{1, []string{"7"}}},
			})
		})
	}
}
