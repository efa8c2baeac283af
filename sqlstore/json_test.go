package sqlstore_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

// fullTypes maps the full RFC User and Group to tables the store creates:
// the attributes filters use most in columns, emails and members in tables
// of their own, and everything else in a JSON column.
func fullTypes() []sqlstore.Type {
	return []sqlstore.Type{{
		Resource: schema.UserResourceType(),
		Table:    "scim_users", ID: "id", Version: "version", Created: "created", Modified: "modified", JSON: "data",
		Columns: map[string]string{"userName": "user_name", "externalId": "external_id", "active": "active", "displayName": "display_name"},
		Children: map[string]sqlstore.Child{
			"emails": {Table: "scim_user_emails", Key: "user_id", Order: "position",
				Columns: map[string]string{"value": "value", "type": "type", "primary": "is_primary", "display": "display"}},
		},
	}, {
		Resource: schema.GroupResourceType(),
		Table:    "scim_groups", ID: "id", Version: "version", Created: "created", Modified: "modified", JSON: "data",
		Columns: map[string]string{"displayName": "display_name", "externalId": "external_id"},
		Members: &sqlstore.Members{Table: "scim_group_members", Group: "group_id", Member: "member_id", Type: "member_type"},
	}}
}

func newFullStore(t testing.TB, d database, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	cfg.DB, cfg.Dialect, cfg.Types = d.open(t), d.dialect, fullTypes()
	ctx := context.Background()
	if err := sqlstore.CreateTables(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.CreateTables(ctx, cfg); err != nil {
		t.Fatalf("CreateTables again: %v", err)
	}
	s, err := sqlstore.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const richUser = `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"externalId": "701984",
	"userName": "bjensen@example.com",
	"name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane"},
	"displayName": "Babs Jensen",
	"nickName": "Babs",
	"profileUrl": "https://login.example.com/bjensen",
	"emails": [
		{"value": "bjensen@example.com", "type": "work", "primary": true},
		{"value": "babs@jensen.org", "type": "home"}
	],
	"addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA", "primary": true}],
	"phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
	"userType": "Employee",
	"title": "Tour Guide",
	"preferredLanguage": "en-US",
	"locale": "en-US",
	"timezone": "America/Los_Angeles",
	"active": true,
	"password": "t1meMachine",
	"x509Certificates": [{"value": "TUlJRE9EQ0NBcUdnQXdJQkFnSUJBREFOQmdrcWhraUc5dzBCQVFVRkFEQkdNUXN3Q1FZRFZRUUdFd0pWVXpFUQ=="}],
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
		"employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
		"division": "Theme Park", "department": "Tour Operations", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
	}
}`

// TestJSONColumn checks a store that keeps every attribute: those without
// a column go to the JSON column and come back as they went in, secrets
// hashed there too; filters on them run in memory, bounded by MaxScan.
func TestJSONColumn(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s := newFullStore(t, d, sqlstore.Config{DropSecrets: true, MaxScan: 3})
			srv := newServer(t, s, scim.Config{})
			created := must(t, srv, 201, "POST", "/Users", richUser)
			id := created["id"].(string)
			got := must(t, srv, 200, "GET", "/Users/"+id, "")
			delete(got, "meta")
			var want map[string]any
			decodeJSON(t, richUser, &want)
			delete(want, "password")
			want["id"] = id
			want["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)["manager"].(map[string]any)["$ref"] =
				"https://example.com/scim/v2/Users/26118915-6090-4610-87e4-49d8ca9f808d"
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round trip (-sent +got):\n%s", diff)
			}
			// A filter on an attribute kept as JSON is answered in memory.
			doc := must(t, srv, 200, "GET", "/Users?filter="+url.QueryEscape(`nickName eq "BABS" and addresses[locality eq "Hollywood"]`), "")
			if ids := ids(doc); len(ids) != 1 || ids[0] != id {
				t.Errorf("nickName filter found %v, want [%s]", ids, id)
			}
			for _, name := range []string{"a", "b", "c"} {
				must(t, srv, 201, "POST", "/Users", user(name))
			}
			if code, doc := call(t, srv, "", "GET", "/Users?filter="+url.QueryEscape(`nickName pr`), ""); code != 400 || doc["scimType"] != "tooMany" {
				t.Errorf("a filter in memory over more than MaxScan users: %d %v, want 400 tooMany", code, doc)
			}
			// Columns still answer from the database.
			if doc := must(t, srv, 200, "GET", "/Users?filter="+url.QueryEscape(`userName sw "B"`)+"&sortBy=displayName", ""); doc["totalResults"] != 2.0 {
				t.Errorf("userName sw \"B\": %v", doc)
			}
		})
	}
}

// TestGroupMembersOfTwoTypes checks a join table with a type column:
// groups nest, and a member's type decides which table its id names.
func TestGroupMembersOfTwoTypes(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s := newFullStore(t, d, sqlstore.Config{DropSecrets: true})
			srv := newServer(t, s, scim.Config{})
			u := must(t, srv, 201, "POST", "/Users", user("alice", `"displayName":"Alice"`))["id"].(string)
			inner := must(t, srv, 201, "POST", "/Groups", group("Inner", u))["id"].(string)
			outer := must(t, srv, 201, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Outer",
				"members":[{"value":"`+inner+`","type":"Group"},{"value":"`+u+`","type":"User"},{"value":"`+u+`","type":"Group"}]}`)
			want := []any{
				map[string]any{"value": inner, "type": "Group", "display": "Inner", "$ref": "https://example.com/scim/v2/Groups/" + inner},
				map[string]any{"value": u, "type": "User", "display": "Alice", "$ref": "https://example.com/scim/v2/Users/" + u},
			}
			byValue := cmpopts.SortSlices(func(a, b any) bool {
				return a.(map[string]any)["value"].(string) < b.(map[string]any)["value"].(string)
			})
			if diff := cmp.Diff(want, outer["members"], byValue); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
			oid := outer["id"].(string)
			found := must(t, srv, 200, "GET", "/Groups?filter="+url.QueryEscape(`members[type eq "Group" and value eq "`+inner+`"]`), "")
			if diff := cmp.Diff([]string{oid}, ids(found)); diff != "" {
				t.Errorf("groups with Inner as a member (-want +got):\n%s", diff)
			}
			must(t, srv, 204, "DELETE", "/Groups/"+inner, "")
			after := must(t, srv, 200, "GET", "/Groups/"+oid, "")
			if diff := cmp.Diff(want[1:], after["members"]); diff != "" {
				t.Errorf("members after deleting Inner (-want +got):\n%s", diff)
			}
			groups := must(t, srv, 200, "GET", "/Users/"+u, "")["groups"]
			if !strings.Contains(mustJSON(groups), oid) {
				t.Errorf("alice's groups %v lack Outer", groups)
			}
		})
	}
}

// TestJSONSecretKept checks that a password kept in the JSON column, as a
// hash, stays there through a PATCH and a PUT of other attributes, which
// never read it back: the write carries the stored hash over.
func TestJSONSecretKept(t *testing.T) {
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			s := newFullStore(t, d, sqlstore.Config{Hash: sha256Hash})
			srv := newServer(t, s, scim.Config{})
			id := must(t, srv, 201, "POST", "/Users", user("bjensen", `"password":"t1meMa$heen"`))["id"].(string)
			want, err := sha256Hash("t1meMa$heen")
			if err != nil {
				t.Fatal(err)
			}
			stored := func(after string) {
				t.Helper()
				var data string
				if err := s.DB().QueryRow(d.dialect.Rebind("SELECT data FROM scim_users WHERE id = ?"), id).Scan(&data); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(data, want) {
					t.Errorf("after %s, the JSON column %s does not hold the password's hash", after, data)
				}
			}
			stored("POST")
			must(t, srv, 200, "PATCH", "/Users/"+id, patchOps(`{"op":"replace","path":"displayName","value":"Babs"}`))
			stored("a PATCH of displayName")
			must(t, srv, 200, "PUT", "/Users/"+id, user("bjensen", `"nickName":"Babs"`))
			stored("a PUT without the password")
		})
	}
}
