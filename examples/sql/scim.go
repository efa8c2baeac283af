package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

// This file is all it takes to serve the application's accounts and teams
// over SCIM: the mapping from its tables to Users and Groups.

// mapping declares where the application keeps what SCIM carries.
func mapping(db *sql.DB, d sqlstore.Dialect, logger *slog.Logger) sqlstore.Config {
	return sqlstore.Config{
		DB:      db,
		Dialect: d,
		Logger:  logger,
		// Each organisation's accounts and teams are a directory of their
		// own; requireBearer puts the caller's organisation in the context.
		Tenant: func(ctx context.Context) (any, error) {
			if org, ok := ctx.Value(orgKey{}).(string); ok {
				return org, nil
			}
			return nil, scim.Errorf(401, "", "no organisation for this request")
		},
		// Passwords, when an identity provider sends them, are stored as
		// the application stores them: bcrypt hashes.
		Hash: hashPassword,
		Types: []sqlstore.Type{{
			Resource: schema.UserResourceType(),
			Table:    "accounts", ID: "id", IDKind: sqlstore.IntegerID,
			Version: "scim_version", Created: "created_at", Modified: "updated_at", Tenant: "org_id",
			Columns: map[string]string{
				"userName":                               "email",
				"name.formatted":                         "full_name",
				"active":                                 "is_active",
				"password":                               "password_hash",
				"externalId":                             "scim_external_id",
				schema.EnterpriseUserURN + ":department": "department",
			},
		}, {
			Resource: schema.GroupResourceType(),
			Table:    "teams", ID: "id", IDKind: sqlstore.IntegerID,
			Version: "scim_version", Created: "created_at", Modified: "updated_at", Tenant: "org_id",
			Columns: map[string]string{"displayName": "name", "externalId": "scim_external_id"},
			Members: &sqlstore.Members{Table: "team_members", Group: "team_id", Member: "account_id"},
		}},
	}
}

// hashPassword returns the bcrypt hash of password. bcrypt reads at most 72
// bytes, and refuses a longer password with an error that the server would
// answer with 500; it is the client's mistake, so it is answered with 400,
// which does not echo the password.
func hashPassword(password string) (string, error) {
	if len(password) > maxPasswordBytes {
		return "", scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "attribute \"password\": longer than %d bytes", maxPasswordBytes)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// maxPasswordBytes is the most bcrypt takes.
const maxPasswordBytes = 72

// extraType maps a resource type loaded with -schemas to a table the store
// creates, with every attribute kept in a JSON column.
func extraType(rt *schema.ResourceType) sqlstore.Type {
	name := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, rt.Name)
	return sqlstore.Type{
		Resource: rt,
		Table:    fmt.Sprintf("scim_%s", name), ID: "id",
		Version: "version", Created: "created", Modified: "modified", Tenant: "org_id", JSON: "data",
		Columns: map[string]string{"externalId": "external_id"},
	}
}
