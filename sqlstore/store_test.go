package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

// TestNewChecksTheMapping checks that a mapping that does not fit the
// resource type or the database is refused by New, with an error naming
// the type and what is at fault.
func TestNewChecksTheMapping(t *testing.T) {
	tests := []struct {
		name string
		edit func(users *sqlstore.Type)
		want string
	}{
		{"no version column", func(u *sqlstore.Type) { u.Version = "" }, "type User: Version is empty"},
		{"an unknown attribute", func(u *sqlstore.Type) { u.Columns["nickName2"] = "x" }, "type User: Columns: nickName2 names no attribute"},
		{"a multi-valued attribute in a column", func(u *sqlstore.Type) { u.Columns["phoneNumbers"] = "phone" }, "phoneNumbers is multi-valued: map it in Children"},
		{"a complex attribute in a column", func(u *sqlstore.Type) { u.Columns["name"] = "n" }, "name is complex: map its sub-attributes"},
		{"a read-only attribute", func(u *sqlstore.Type) { u.Columns["groups"] = "g" }, "groups is multi-valued"},
		{"a column that does not exist", func(u *sqlstore.Type) { u.Columns["nickName"] = "nick" }, "type User: its tables or columns do not fit the mapping"},
		{"externalId with nowhere to go", func(u *sqlstore.Type) { delete(u.Columns, "externalId") }, "externalId has no column, and there is no JSON column"},
		{"a password without a hash", func(u *sqlstore.Type) { u.Columns["password"] = "full_name" }, "password is write-only or never returned, and there is no Config.Hash"},
		{"a column name that is not a plain name", func(u *sqlstore.Type) { u.Columns["title"] = "x; DROP TABLE accounts" }, "is not a plain SQL name"},
		{"a tenant column without Config.Tenant", nil, "Tenant column org_id needs Config.Tenant"},
		{"a child sub-attribute that does not exist", func(u *sqlstore.Type) {
			u.Children["emails"].Columns["kindd"] = "kind"
		}, "emails has no sub-attribute kindd"},
		{"two types in one table", func(u *sqlstore.Type) { u.Table = "TEAMS" }, "types User and Group both map to table teams"},
	}
	d := databases(t)[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			types := appTypes()
			cfg := sqlstore.Config{DB: db, Dialect: d.dialect, Types: types, Tenant: tenantOf}
			if tt.edit != nil {
				tt.edit(&types[0])
			} else {
				cfg.Tenant = nil
			}
			_, err := sqlstore.New(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestServedTypes checks that a type without a JSON column is cut down to
// what its mapping keeps, and that the server advertises only that.
func TestServedTypes(t *testing.T) {
	s, _ := newAppStore(t, databases(t)[0])
	srv := newServer(t, s, scim.Config{})
	doc := must(t, srv, 200, "GET", "/Schemas", "")
	got := map[string][]string{}
	for _, r := range doc["Resources"].([]any) {
		sc := r.(map[string]any)
		var paths []string
		for _, a := range sc["attributes"].([]any) {
			am := a.(map[string]any)
			name := am["name"].(string)
			paths = append(paths, name)
			subs, _ := am["subAttributes"].([]any)
			for _, s := range subs {
				paths = append(paths, name+"."+s.(map[string]any)["name"].(string))
			}
		}
		got[sc["id"].(string)] = paths
	}
	want := map[string][]string{
		schema.UserURN:           {"userName", "name", "name.formatted", "active", "emails", "emails.value", "emails.type", "emails.primary", "groups", "groups.value", "groups.$ref", "groups.display", "groups.type"},
		schema.EnterpriseUserURN: {"department"},
		schema.GroupURN:          {"displayName", "members", "members.value", "members.$ref", "members.type", "members.display"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("served schemas (-want +got):\n%s", diff)
	}
}

// TestUnicodeUserNames checks that userName, which is not caseExact,
// compares under Unicode case folding for uniqueness, filters and sorting,
// on every database and whatever its locale: "ÄBC" and "äbc" are one
// userName, and a lookup by either finds that user and no other.
func TestUnicodeUserNames(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, _ := newAppStore(t, d)
			srv := newServer(t, s, scim.Config{})
			created := map[string]string{}
			for _, name := range []string{"abc", "äbc", "kelvin", "ǆ", "ß", "ss", "Zed", "émile"} {
				doc := must(t, srv, 201, "POST", "/Users", user(name))
				created[name] = doc["id"].(string)
			}
			for _, name := range []string{"ÄBC", "äBc", "\u212Aelvin", "KELVIN", "ǅ", "Ǆ", "SS", "ZED", "ÉMILE"} {
				if code, doc := call(t, srv, "", "POST", "/Users", user(name)); code != 409 || doc["scimType"] != "uniqueness" {
					t.Errorf("POST userName %q: %d %v, want 409 uniqueness", name, code, doc)
				}
			}
			for lookup, want := range map[string]string{"ÄBC": "äbc", "abc": "abc", "\u212AELVIN": "kelvin", "ǅ": "ǆ", "ß": "ß", "sS": "ss"} {
				doc := must(t, srv, 200, "GET", "/Users?filter="+url.QueryEscape(`userName eq "`+lookup+`"`), "")
				if diff := cmp.Diff([]string{created[want]}, ids(doc)); diff != "" {
					t.Errorf("userName eq %q (-want +got):\n%s", lookup, diff)
				}
			}
			doc := must(t, srv, 200, "GET", "/Users?sortBy=userName", "")
			var order []string
			for _, id := range ids(doc) {
				for name, cid := range created {
					if cid == id {
						order = append(order, name)
					}
				}
			}
			// By filter.Fold, byte by byte: "ß" (c3 9f) before "ǆ" (c7 86)
			// and "äbc" (c3 a4) before "émile" (c3 a9).
			want := []string{"abc", "kelvin", "ss", "Zed", "ß", "äbc", "émile", "ǆ"}
			if diff := cmp.Diff(want, order); diff != "" {
				t.Errorf("sortBy=userName (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSecrets checks that a password is stored hashed, never read back,
// kept by a PUT that does not send it and changed by one that does.
func TestSecrets(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			exec(t, db, "ALTER TABLE accounts ADD COLUMN password_hash TEXT")
			types := appTypes()
			types[0].Columns["password"] = "password_hash"
			hash := func(s string) (string, error) {
				sum := sha256.Sum256([]byte(s))
				return "sha256:" + hex.EncodeToString(sum[:]), nil
			}
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: types, Tenant: tenantOf, Hash: hash})
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, s, scim.Config{})
			stored := func() string {
				var h *string
				if err := db.QueryRow("SELECT password_hash FROM accounts").Scan(&h); err != nil {
					t.Fatal(err)
				}
				if h == nil {
					return ""
				}
				return *h
			}
			doc := must(t, srv, 201, "POST", "/Users", user("bjensen", `"password":"t1meMachine"`))
			id := doc["id"].(string)
			want, _ := hash("t1meMachine")
			if got := stored(); got != want {
				t.Errorf("stored %q, want the hash %q", got, want)
			}
			for _, target := range []string{"/Users/" + id, "/Users?attributes=password", "/Users?filter=userName+pr"} {
				if body := must(t, srv, 200, "GET", target, ""); strings.Contains(mustJSON(body), "sha256:") {
					t.Errorf("GET %s returned the stored hash: %v", target, body)
				}
			}
			h, _ := s.Handler("User").Get(context.WithValue(context.Background(), tenantKey{}, "acme"), id)
			if _, ok := h.Attributes["password"]; ok {
				t.Errorf("Get returned a password attribute")
			}
			must(t, srv, 200, "PUT", "/Users/"+id, user("bjensen", `"name":{"formatted":"B J"}`))
			if got := stored(); got != want {
				t.Errorf("after a PUT without password: stored %q, want %q", got, want)
			}
			must(t, srv, 200, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"password","value":"n3w"}`))
			if want, _ := hash("n3w"); stored() != want {
				t.Errorf("after a PATCH of password: stored %q, want %q", stored(), want)
			}
		})
	}
}

func mustJSON(v any) string {
	var b bytes.Buffer
	enc := jsonEncoder(&b)
	enc.Encode(v)
	return b.String()
}

// TestTenants checks that a store with a tenant column serves each tenant
// its own directory: ids, lists, counts, userNames and memberships of one
// tenant are invisible to the other.
func TestTenants(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, db := newAppStore(t, d)
			srv := newServer(t, s, scim.Config{})
			_, u := call(t, srv, "acme", "POST", "/Users", user("bjensen"))
			acmeUser := u["id"].(string)
			_, g := call(t, srv, "acme", "POST", "/Groups", group("Admins", acmeUser))
			acmeGroup := g["id"].(string)

			if code, _ := call(t, srv, "globex", "POST", "/Users", user("BJENSEN")); code != 201 {
				t.Errorf("globex POST of a userName acme has: %d, want 201", code)
			}
			for _, req := range []struct{ method, target, body string }{
				{"GET", "/Users/" + acmeUser, ""},
				{"PUT", "/Users/" + acmeUser, user("x")},
				{"PATCH", "/Users/" + acmeUser, patchOps(`{"op":"replace","path":"active","value":false}`)},
				{"DELETE", "/Users/" + acmeUser, ""},
				{"GET", "/Groups/" + acmeGroup, ""},
				{"PATCH", "/Groups/" + acmeGroup, patchOps(`{"op":"remove","path":"members"}`)},
			} {
				if code, _ := call(t, srv, "globex", req.method, req.target, req.body); code != 404 {
					t.Errorf("globex %s %s: %d, want 404", req.method, req.target, code)
				}
			}
			_, list := call(t, srv, "globex", "GET", "/Users?filter="+url.QueryEscape(`userName eq "bjensen"`), "")
			if list["totalResults"] != 1.0 || slices.Contains(ids(list), acmeUser) {
				t.Errorf("globex lookup of bjensen: %v", list)
			}
			_, list = call(t, srv, "globex", "GET", "/Groups?count=0", "")
			if list["totalResults"] != 0.0 {
				t.Errorf("globex counts %v groups, want 0", list["totalResults"])
			}
			// acme's user cannot join a globex group.
			_, gg := call(t, srv, "globex", "POST", "/Groups", group("Globex", acmeUser))
			if _, ok := gg["members"]; ok {
				t.Errorf("a globex group took acme's user as a member: %v", gg)
			}
			var n int
			db.QueryRow("SELECT COUNT(*) FROM team_members").Scan(&n)
			if n != 1 {
				t.Errorf("%d memberships stored, want acme's one", n)
			}
		})
	}
}

// TestMembers checks the membership rules: unknown members are skipped
// and logged (or refused when so configured), adding a member already there
// changes nothing, and deleting a user or a group removes its memberships
// in the same transaction, giving the groups affected a new version.
func TestMembers(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			var logs bytes.Buffer
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			var events []scim.Event
			srv := newServer(t, s, scim.Config{OnEvent: func(_ context.Context, e scim.Event) { events = append(events, e) }})
			a := must(t, srv, 201, "POST", "/Users", user("alice"))["id"].(string)
			b := must(t, srv, 201, "POST", "/Users", user("bob"))["id"].(string)
			g := must(t, srv, 201, "POST", "/Groups", group("Team", a, "424242", "not-a-number"))
			gid := g["id"].(string)
			wantMembers := []any{map[string]any{"value": a, "type": "User", "display": "alice", "$ref": "https://example.com/scim/v2/Users/" + a}}
			if diff := cmp.Diff(wantMembers, g["members"]); diff != "" {
				t.Errorf("members of a group created with unknown ones (-want +got):\n%s", diff)
			}
			if !strings.Contains(logs.String(), "ids=\"[424242 not-a-number]\"") {
				t.Errorf("the skipped ids were not logged: %s", logs.String())
			}
			v1 := must(t, srv, 200, "GET", "/Groups/"+gid, "")["meta"].(map[string]any)["version"]
			must(t, srv, 200, "PATCH", "/Groups/"+gid, patchOps(`{"op":"add","path":"members","value":[{"value":"`+a+`"}]}`))
			if v := must(t, srv, 200, "GET", "/Groups/"+gid, "")["meta"].(map[string]any)["version"]; v != v1 {
				t.Errorf("re-adding a member changed the version from %v to %v", v1, v)
			}
			must(t, srv, 200, "PATCH", "/Groups/"+gid, patchOps(`{"op":"add","path":"members","value":[{"value":"`+b+`"}]}`))
			groupsOf := must(t, srv, 200, "GET", "/Users/"+b, "")["groups"]
			wantGroups := []any{map[string]any{"value": gid, "display": "Team", "type": "direct", "$ref": "https://example.com/scim/v2/Groups/" + gid}}
			if diff := cmp.Diff(wantGroups, groupsOf); diff != "" {
				t.Errorf("groups of a member (-want +got):\n%s", diff)
			}
			v2 := must(t, srv, 200, "GET", "/Groups/"+gid, "")["meta"].(map[string]any)["version"]
			events = nil
			must(t, srv, 204, "DELETE", "/Users/"+a, "")
			after := must(t, srv, 200, "GET", "/Groups/"+gid, "")
			v3 := after["meta"].(map[string]any)["version"].(string)
			if v3 == v2 {
				t.Errorf("deleting a member left the group's version at %v", v2)
			}
			// The store removes the member within its Delete; the server
			// still reports the group's change, at its new version.
			wantEvents := []scim.Event{
				{Kind: scim.Deleted, Write: scim.Deleted, ResourceType: "User", ID: a},
				{Kind: scim.Patched, Write: scim.Patched, ResourceType: "Group", ID: gid, Version: strings.Trim(strings.TrimPrefix(v3, "W/"), `"`),
					Changes: scim.Changes{Attributes: []string{"members"}, MembersRemoved: []string{a}}},
			}
			if diff := cmp.Diff(wantEvents, events, cmpopts.IgnoreFields(scim.Event{}, "Time")); diff != "" {
				t.Errorf("events of deleting a member (-want +got):\n%s", diff)
			}
			if members := after["members"].([]any); len(members) != 1 || members[0].(map[string]any)["value"] != b {
				t.Errorf("members after deleting %s: %v", a, members)
			}
			must(t, srv, 204, "DELETE", "/Groups/"+gid, "")
			var n int
			db.QueryRow("SELECT COUNT(*) FROM team_members").Scan(&n)
			if n != 0 {
				t.Errorf("%d memberships left after deleting the group", n)
			}

			strict, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf, RejectUnknownMembers: true})
			if err != nil {
				t.Fatal(err)
			}
			ssrv := newServer(t, strict, scim.Config{})
			if code, doc := call(t, ssrv, "", "POST", "/Groups", group("Strict", b, "424242")); code != 400 || doc["scimType"] != "invalidValue" {
				t.Errorf("strict POST with an unknown member: %d %v, want 400 invalidValue", code, doc)
			}
			db.QueryRow("SELECT COUNT(*) FROM teams").Scan(&n)
			if n != 0 {
				t.Errorf("a refused group was stored")
			}
		})
	}
}

// TestIDsThatNameNothing checks that an id no row can have (not a number
// for an integer id column, or not text PostgreSQL could hold) is 404, not
// a database error.
func TestIDsThatNameNothing(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s, _ := newAppStore(t, d)
			srv := newServer(t, s, scim.Config{})
			for _, id := range []string{"abc", "1.0", "01", "%00", "%FF", "99999999999999999999", "-0"} {
				for _, method := range []string{"GET", "DELETE"} {
					if code, doc := call(t, srv, "", method, "/Users/"+id, ""); code != 404 {
						t.Errorf("%s /Users/%s: %d %v, want 404", method, id, code, doc)
					}
				}
				for _, f := range []string{`id eq "` + id + `"`, `members[value eq "` + id + `"]`} {
					if code, doc := call(t, srv, "", "GET", "/Groups?filter="+url.QueryEscape(f), ""); code != 200 || doc["totalResults"] != 0.0 {
						t.Errorf("filter %s: %d %v, want an empty list", f, code, doc)
					}
				}
			}
		})
	}
}

// TestGetPartial checks that a group read with excludedAttributes=members
// comes without its members, and with them otherwise.
func TestGetPartial(t *testing.T) {
	s, _ := newAppStore(t, databases(t)[0])
	srv := newServer(t, s, scim.Config{})
	u := must(t, srv, 201, "POST", "/Users", user("alice"))["id"].(string)
	g := must(t, srv, 201, "POST", "/Groups", group("G", u))["id"].(string)
	ctx := context.WithValue(context.Background(), tenantKey{}, "acme")
	h := s.Handler("Group")
	got, err := h.GetPartial(ctx, g, resource.NewProjection(h.Type(), nil, []string{"members"}))
	if err != nil || got.Attributes["members"] != nil {
		t.Errorf("GetPartial without members: %v, %v", got.Attributes, err)
	}
	got, err = h.GetPartial(ctx, g, resource.NewProjection(h.Type(), []string{"members.value"}, nil))
	if err != nil || got.Attributes["members"] == nil {
		t.Errorf("GetPartial of members.value: %v, %v", got.Attributes, err)
	}
}

// TestMembersMaxValues checks that a group never grows past
// Config.MaxValues through member PATCHes, when the store knows the
// group's size from its own last write, when another Store (a replica)
// wrote since, and when members left by a user's deletion.
func TestMembersMaxValues(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			newStore := func() http.Handler {
				s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf})
				if err != nil {
					t.Fatal(err)
				}
				return newServer(t, s, scim.Config{MaxValues: 3})
			}
			a, b := newStore(), newStore()
			var users []string
			for i := range 6 {
				users = append(users, must(t, a, 201, "POST", "/Users", user(fmt.Sprintf("u%d", i)))["id"].(string))
			}
			gid := must(t, a, 201, "POST", "/Groups", group("Team"))["id"].(string)
			add := func(ids ...string) string {
				var vals []string
				for _, id := range ids {
					vals = append(vals, `{"value":"`+id+`"}`)
				}
				return patchOps(`{"op":"add","path":"members","value":[` + strings.Join(vals, ",") + `]}`)
			}
			steps := []struct {
				srv  http.Handler
				body string
				want int
			}{
				{a, add(users[0], users[1]), 200}, // counted: 2
				{a, add(users[2]), 200},           // known from a's write: 3
				{a, add(users[3]), 400},           // 4 > 3
				{a, add(users[2]), 200},           // already there: still 3
				{b, patchOps(`{"op":"remove","path":"members[value eq \"` + users[0] + `\"]"}`), 200},
				{a, add(users[3], users[4]), 400}, // a missed b's write: counted 2, then 4
				{a, add(users[3]), 200},           // 3
			}
			for i, s := range steps {
				if code, doc := call(t, s.srv, "", "PATCH", "/Groups/"+gid, s.body); code != s.want {
					t.Fatalf("step %d: status %d, want %d: %v", i, code, s.want, doc)
				}
			}
			must(t, b, 204, "DELETE", "/Users/"+users[1], "") // the group has 2
			for i, s := range []struct {
				id   string
				want int
			}{{users[4], 200}, {users[5], 400}} {
				if code, doc := call(t, a, "", "PATCH", "/Groups/"+gid, add(s.id)); code != s.want {
					t.Fatalf("after the delete, add %d: status %d, want %d: %v", i, code, s.want, doc)
				}
			}
			members := must(t, a, 200, "GET", "/Groups/"+gid, "")["members"].([]any)
			if len(members) != 3 {
				t.Errorf("the group has %d members, want 3: %v", len(members), members)
			}
		})
	}
}

// TestPatchKeepsChildRows checks that a PATCH or a PUT writes a child
// table's rows again only when it changes their values: rows it leaves
// alone keep what the host stores beside them, here a column the mapping
// does not name.
func TestPatchKeepsChildRows(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			exec(t, db, "ALTER TABLE account_emails ADD COLUMN verified_by TEXT")
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf})
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, s, scim.Config{})
			id := must(t, srv, 201, "POST", "/Users", user("alice", `"emails":[{"value":"alice@example.com","type":"work"}]`))["id"].(string)
			exec(t, db, "UPDATE account_emails SET verified_by = 'host'")
			verified := func() []string {
				rows, err := db.Query("SELECT COALESCE(verified_by, '-') FROM account_emails ORDER BY address")
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []string
				for rows.Next() {
					var v string
					if err := rows.Scan(&v); err != nil {
						t.Fatal(err)
					}
					out = append(out, v)
				}
				return out
			}
			must(t, srv, 200, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"active","value":false}`))
			if got := verified(); !slices.Equal(got, []string{"host"}) {
				t.Errorf("after a PATCH of active, the email rows' host column is %v, want [host]", got)
			}
			must(t, srv, 200, "PATCH", "/Users/"+id, patchOps(`{"op":"add","path":"emails","value":[{"value":"bob@example.com","type":"home"}]}`))
			if got := verified(); !slices.Equal(got, []string{"-", "-"}) {
				t.Errorf("after a PATCH of emails, the email rows' host column is %v, want them written again", got)
			}
			emails := must(t, srv, 200, "GET", "/Users/"+id, "")["emails"].([]any)
			if len(emails) != 2 {
				t.Errorf("emails after the add: %v", emails)
			}
			// PUT alike: the whole user again, its emails as stored.
			exec(t, db, "UPDATE account_emails SET verified_by = 'host'")
			whole := user("alice", `"emails":[{"value":"alice@example.com","type":"work"},{"value":"bob@example.com","type":"home"}]`, `"active":false`)
			must(t, srv, 200, "PUT", "/Users/"+id, whole)
			if got := verified(); !slices.Equal(got, []string{"host", "host"}) {
				t.Errorf("after a PUT that keeps the emails, the email rows' host column is %v, want [host host]", got)
			}
			// The same emails in another order: the rows hold no order.
			reordered := user("alice", `"emails":[{"value":"bob@example.com","type":"home"},{"value":"alice@example.com","type":"work"}]`, `"active":true`)
			must(t, srv, 200, "PUT", "/Users/"+id, reordered)
			if got := verified(); !slices.Equal(got, []string{"host", "host"}) {
				t.Errorf("after a PUT of the emails in another order, the email rows' host column is %v, want [host host]", got)
			}
			must(t, srv, 200, "PUT", "/Users/"+id, user("alice", `"emails":[{"value":"alice@example.com","type":"work"}]`))
			if got := verified(); !slices.Equal(got, []string{"-"}) {
				t.Errorf("after a PUT that changes the emails, the email rows' host column is %v, want them written again", got)
			}
		})
	}
}

// TestUniqueIndex checks that a userName taken under Unicode case folding
// is refused alike, with 409 naming the attribute and nothing stored,
// whether the database's unique index enforces it or the store's own
// check does, when the index is created while the store runs, and when a
// host's case-sensitive index has the name Indexes gives the folded one.
func TestUniqueIndex(t *testing.T) {
	defer sqlstore.SetAbsenceTTL(0)()
	for _, d := range databases(t) {
		for _, indexed := range []string{"indexed", "unindexed", "indexed later", "host's index of that name"} {
			t.Run(d.name+"/"+indexed, func(t *testing.T) {
				db := d.open(t)
				exec(t, db, appSchema(d.dialect)...)
				s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf})
				if err != nil {
					t.Fatal(err)
				}
				switch indexed {
				case "indexed":
					if err := s.CreateIndexes(context.Background()); err != nil {
						t.Fatal(err)
					}
				case "host's index of that name":
					// A constraint UNIQUE (org_id, email) of the host's,
					// which PostgreSQL names as Indexes names the folded
					// one: it compares case-sensitively, and must not
					// stand in for it; CreateIndexes then leaves it.
					exec(t, db, "CREATE UNIQUE INDEX accounts_email_key ON accounts (org_id, email)")
					if err := s.CreateIndexes(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				srv := newServer(t, s, scim.Config{})
				must(t, srv, 201, "POST", "/Users", user("ǅemal"))
				bob := must(t, srv, 201, "POST", "/Users", user("bob"))["id"].(string)
				if indexed == "indexed later" {
					if err := s.CreateIndexes(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
				want := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:Error"},
					"status": "409", "scimType": "uniqueness", "detail": "userName is already in use by another User"}
				for _, c := range []struct{ method, target, body string }{
					{"POST", "/Users", user("ǆEMAL")},
					{"PUT", "/Users/" + bob, user("ǄEMAL")},
					{"PATCH", "/Users/" + bob, patchOps(`{"op":"replace","path":"userName","value":"ǆemal"}`)},
				} {
					code, doc := call(t, srv, "", c.method, c.target, c.body)
					if code != 409 {
						t.Errorf("%s %s: status %d, want 409: %v", c.method, c.target, code, doc)
						continue
					}
					if diff := cmp.Diff(want, doc); diff != "" {
						t.Errorf("%s %s (-want +got):\n%s", c.method, c.target, diff)
					}
				}
				var n int
				if err := db.QueryRow("SELECT COUNT(*) FROM accounts").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if got := must(t, srv, 200, "GET", "/Users/"+bob, "")["userName"]; n != 2 || got != "bob" {
					t.Errorf("after the refusals: %d accounts, bob's userName %v; want 2 and bob", n, got)
				}
				// A case-only change of one's own userName is no conflict.
				must(t, srv, 200, "PATCH", "/Users/"+bob, patchOps(`{"op":"replace","path":"userName","value":"BOB"}`))
			})
		}
	}
}

// TestCreateManyValues checks a create whose child rows are too many for
// one statement on PostgreSQL, and one with a few, on both databases:
// every value is stored and read back, in the response and by GET.
func TestCreateManyValues(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.open(t)
			exec(t, db, appSchema(d.dialect)...)
			s, err := sqlstore.New(context.Background(), sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateIndexes(context.Background()); err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, s, scim.Config{})
			for _, n := range []int{2, 1500} {
				var emails []string
				for i := range n {
					emails = append(emails, fmt.Sprintf(`{"value":"a%04d@example.com","type":"work"}`, i))
				}
				name := fmt.Sprintf("many%d", n)
				created := must(t, srv, 201, "POST", "/Users", user(name, `"emails":[`+strings.Join(emails, ",")+`]`))
				got := must(t, srv, 200, "GET", "/Users/"+created["id"].(string), "")
				for _, r := range []map[string]any{created, got} {
					es, _ := r["emails"].([]any)
					if len(es) != n {
						t.Fatalf("%s: %d emails, want %d", name, len(es), n)
					}
					if v := es[n-1].(map[string]any)["value"]; v != fmt.Sprintf("a%04d@example.com", n-1) {
						t.Errorf("%s: last email %v", name, v)
					}
				}
				var stored int
				if err := db.QueryRow("SELECT COUNT(*) FROM account_emails e JOIN accounts a ON a.id = e.account_id WHERE a.email = '" + name + "'").Scan(&stored); err != nil {
					t.Fatal(err)
				}
				if stored != n {
					t.Errorf("%s: %d email rows stored, want %d", name, stored, n)
				}
			}
		})
	}
}
