package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

// orgKey is where the host's authentication middleware puts the
// organisation a request acts for.
type orgKey struct{}

// appMapping declares how an app's existing accounts, teams and
// team_members tables hold SCIM Users and Groups.
func appMapping(db *sql.DB) sqlstore.Config {
	return sqlstore.Config{
		DB:      db,
		Dialect: sqlstore.SQLite,
		Tenant: func(ctx context.Context) (any, error) {
			org, ok := ctx.Value(orgKey{}).(string)
			if !ok {
				return nil, scim.Errorf(401, "", "no organisation")
			}
			return org, nil
		},
		Types: []sqlstore.Type{{
			Resource: schema.UserResourceType(),
			Table:    "accounts", ID: "id", IDKind: sqlstore.IntegerID,
			Version: "scim_version", Created: "created_at", Modified: "updated_at", Tenant: "org_id",
			Columns: map[string]string{
				"userName":                               "email",
				"name.formatted":                         "full_name",
				"active":                                 "is_active",
				"externalId":                             "scim_external_id",
				schema.EnterpriseUserURN + ":department": "department",
			},
		}, {
			Resource: schema.GroupResourceType(),
			Table:    "teams", ID: "id", IDKind: sqlstore.IntegerID,
			Version: "scim_version", Tenant: "org_id",
			Columns: map[string]string{"displayName": "name", "externalId": "scim_external_id"},
			Members: &sqlstore.Members{Table: "team_members", Group: "team_id", Member: "account_id"},
		}},
	}
}

// The app's schema, as its migrations made it, with the two columns SCIM
// needs added to accounts and teams.
const appTables = `
CREATE TABLE accounts (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, email TEXT NOT NULL,
	full_name TEXT, is_active BOOLEAN NOT NULL DEFAULT TRUE, department TEXT,
	created_at TEXT, updated_at TEXT, scim_external_id TEXT, scim_version BIGINT NOT NULL DEFAULT 1);
CREATE TABLE teams (id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL,
	scim_external_id TEXT, scim_version BIGINT NOT NULL DEFAULT 1);
CREATE TABLE team_members (team_id BIGINT NOT NULL REFERENCES teams (id),
	account_id BIGINT NOT NULL REFERENCES accounts (id), PRIMARY KEY (team_id, account_id));`

// A SaaS backend serves its own tables over SCIM by declaring the mapping.
func Example() {
	ctx := context.Background()
	db, done := openExampleDB() // SQLite, with scim_fold registered (see FoldValue)
	defer done()
	if _, err := db.ExecContext(ctx, appTables); err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(ctx, appMapping(db))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateIndexes(ctx); err != nil {
		log.Fatal(err)
	}
	srv, err := scim.NewServer(scim.Config{Endpoints: store.Endpoints(), BaseURL: "https://app.example.com/scim/v2"})
	if err != nil {
		log.Fatal(err)
	}
	send := func(method, target, body string) {
		req := httptest.NewRequestWithContext(context.WithValue(ctx, orgKey{}, "acme"), method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	send("POST", "/Users?excludedAttributes=meta", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Björn@example.com","name":{"formatted":"Björn Borg"}}`)
	send("POST", "/Groups?excludedAttributes=meta", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Tennis","members":[{"value":"1"}]}`)
	send("GET", "/Users?filter=userName+eq+%22BJ%C3%96RN@EXAMPLE.COM%22&attributes=userName,groups", "")
	// Output:
	// 201 {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"Björn@example.com","name":{"formatted":"Björn Borg"},"active":true}
	// 201 {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"1","displayName":"Tennis","members":[{"value":"1","$ref":"https://app.example.com/scim/v2/Users/1","type":"User","display":"Björn@example.com"}]}
	// 200 {"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"Björn@example.com","groups":[{"value":"1","$ref":"https://app.example.com/scim/v2/Groups/1","display":"Tennis","type":"direct"}]}]}
}

func openExampleDB() (*sql.DB, func()) {
	registerFold()
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "app.db")+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		log.Fatal(err)
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }
}
