// Package sqlstore serves SCIM resource types from a host's own SQL tables:
// instead of writing a scim.ResourceHandler, the host declares how its
// tables hold Users and Groups, and the store does the rest.
//
// A SaaS backend with accounts, teams and team_members tables maps them like
// this (see the package example for a complete server):
//
//	store, err := sqlstore.New(ctx, sqlstore.Config{
//		DB: db, Dialect: sqlstore.PostgreSQL,
//		Tenant: func(ctx context.Context) (any, error) { return orgFrom(ctx) },
//		Hash:   func(p string) (string, error) { b, err := bcrypt.GenerateFromPassword([]byte(p), 12); return string(b), err },
//		Types: []sqlstore.Type{{
//			Resource: schema.UserResourceType(),
//			Table:    "accounts", ID: "id", IDKind: sqlstore.IntegerID,
//			Version:  "scim_version", Created: "created_at", Modified: "updated_at", Tenant: "org_id",
//			Columns: map[string]string{
//				"userName": "email", "name.formatted": "full_name", "active": "is_active",
//				"externalId": "scim_external_id",
//				schema.EnterpriseUserURN + ":department": "department",
//			},
//		}, {
//			Resource: schema.GroupResourceType(),
//			Table:    "teams", ID: "id", IDKind: sqlstore.IntegerID,
//			Version:  "scim_version", Tenant: "org_id",
//			Columns:  map[string]string{"displayName": "name", "externalId": "scim_external_id"},
//			Members:  &sqlstore.Members{Table: "team_members", Group: "team_id", Member: "account_id"},
//		}},
//	})
//	srv, err := scim.NewServer(scim.Config{Endpoints: store.Endpoints()})
//
// Each type has a table of its own: New refuses two types mapped to one
// table.
//
// # What it does
//
//   - Reads: a resource, or a page of them, is one SELECT; child tables,
//     members and a User's groups (RFC 7643 §4.1.2, from the same join
//     table) come in the same statement, so a list costs no query per
//     resource.
//   - Lists: filters, sorts and pages run in the database through
//     filter.SQL, value paths on child tables and the join table included.
//     A filter or sort on an attribute kept in the JSON column runs in
//     memory over at most Config.MaxScan resources, beyond which the
//     request is answered with 400 tooMany.
//   - Writes: one transaction per request (on PostgreSQL, a create that
//     needs nothing else is one statement), so a failed request leaves
//     nothing behind. Every write increments the Version column; PUT,
//     PATCH and DELETE with a version are compare-and-swaps on it (RFC
//     7644 §3.14), with the row locked for the transaction.
//   - Uniqueness (userName): with the unique index of Indexes, the
//     database enforces it, and a write that violates it is answered 409
//     naming the attribute. Without the index, the store checks it in the
//     write's transaction, scoped by tenant; on PostgreSQL, writers of one
//     value take turns on an advisory lock, so replicas over one database
//     cannot both take it. A store asks the database whether the index
//     exists at its first write, and again a minute after finding it
//     absent. PUT and PATCH check only a value they change.
//   - Memberships: adding members is one INSERT ... SELECT, removing them
//     one DELETE, whatever the group's size; a member id that names no
//     resource of the tenant is never stored (skipped and logged, or
//     refused with Config.RejectUnknownMembers); deleting a resource
//     removes its memberships in the same transaction, and the groups it
//     left get a new version.
//   - Tenancy: with Config.Tenant and a Type's Tenant column, every
//     statement is scoped by the request's tenant.
//   - Secrets: write-only and never-returned attributes (password) are
//     stored only as Config.Hash makes them, and never read back.
//   - Cut-down types: without a JSON column, a type is served and
//     advertised with only the attributes it maps (ResourceType.Subset).
//
// # Case
//
// Strings of attributes that are not caseExact compare under Unicode case
// folding, exactly as Filter.Match does, through the database function
// scim_fold, whatever the database's locale: "ÄBC" and "äbc", or "kelvin"
// and "\u212Aelvin", are one userName on SQLite and on PostgreSQL alike. On
// PostgreSQL, New creates the function (or replaces an outdated one; a
// role that may not create functions has an owner run PostgresFoldSQL);
// SQLite takes functions from the driver, so a host registers FoldValue
// once (see FoldValue).
//
// # Databases
//
// SQLite (such as modernc.org/sqlite, pure Go) and PostgreSQL (such as
// github.com/jackc/pgx/v5/stdlib) are supported, with identical results.
// The package needs database/sql only; the host brings the driver.
//
// On SQLite, open the database in WAL mode with a busy timeout, and have
// transactions take the write lock as they begin. With modernc, the DSN
// that examples/sql uses:
//
//	file:scim.db?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=wal_autocheckpoint(4000)&_pragma=temp_store(memory)&_pragma=cache_size(-65536)&_txlock=immediate
//
// A Store lets one write transaction run at a time, and readers see a
// snapshot meanwhile; the immediate lock makes a second process, or a
// second Store over the same file, wait its turn instead of failing with
// SQLITE_BUSY when a transaction that has read turns to write. Under a
// steady stream of writes, run CheckpointSQLite beside the server, so that
// requests do not pay for copying the log back into the database; the
// raised wal_autocheckpoint leaves that to it, as a backstop. Statement
// journals kept in memory (temp_store) matter for a PATCH adding 50
// members to a large group, which touches a page of the join table's index
// per member: SQLite otherwise writes the journal that could undo the
// statement to a temporary file. A page cache that holds the join table's
// indexes (cache_size, 64 MiB, for a million memberships) keeps such a
// PATCH as fast at the end of an initial sync as at its start; each
// connection has its own, so bound the pool (sql.DB.SetMaxOpenConns).
//
// On PostgreSQL, size the pool for the requests that run at once
// (sql.DB.SetMaxIdleConns as well as SetMaxOpenConns), or connections are
// opened and closed under load.
//
// Every query runs with the request's context, so a request that is
// abandoned, or that passes the deadline the host's server gives it,
// stops its query.
//
// # Indexes
//
// Indexes returns the indexes the store's queries need, written as the
// queries use them (on scim_fold(column) for case-insensitive strings);
// CreateIndexes creates them, and CreateTables creates whole tables for a
// host that has none.
package sqlstore
