package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"time"

	"github.com/scim-go/scim/schema"
)

// Config describes a store: the database, and for each resource type the
// table that holds it. It is checked once, by New.
type Config struct {
	// DB is the database. The store runs one transaction per write, with
	// the request's context, and leaves the pool's settings to the host:
	// on PostgreSQL keep as many idle connections as requests run at once
	// (DB.SetMaxIdleConns), or connections are opened and closed all the
	// time under load.
	DB *sql.DB

	// Dialect is the SQL the database speaks: SQLite or PostgreSQL.
	Dialect Dialect

	// Types are the resource types the store serves, each with its table.
	Types []Type

	// Tenant, when not nil, returns the tenant a request acts for, from
	// the context the host's middleware filled in; every read, write,
	// uniqueness check and count of a type with a Tenant column is scoped
	// by it, so one store serves many tenants' directories, each isolated
	// from the others. The value is passed to the database as an argument
	// for the tenant column, so its Go type must suit the column's (a
	// string for text, an int64 for an integer). An error fails the
	// request as a handler's error would: return a *scim.Error, such as a
	// 401, to send it as it is.
	Tenant func(ctx context.Context) (any, error)

	// Hash turns the value of a write-only or never-returned attribute,
	// such as password (RFC 7643 §4.1.1), into what is stored in its
	// place: a bcrypt or argon2 hash, say. The store never keeps such a
	// value as sent and never reads it back into a resource. When Hash is
	// nil, New refuses a type that would store one, unless DropSecrets is
	// set.
	Hash func(secret string) (string, error)

	// DropSecrets, with Hash nil, drops write-only and never-returned
	// attributes on write instead of refusing to start.
	DropSecrets bool

	// RejectUnknownMembers answers a write naming a member that no
	// resource of the tenant is with 400 invalidValue. By default the
	// known members of the request are stored and the unknown ones are
	// skipped and logged at Warn level with their ids: identity providers
	// treat a 400 as final and drop the whole group push when one member
	// is unknown, such as a user not provisioned yet.
	RejectUnknownMembers bool

	// MaxScan bounds how many resources a list reads to filter or sort in
	// memory, for a filter or sort on an attribute without a column (one
	// kept in the JSON column); beyond it the request is answered with
	// 400 tooMany (RFC 7644 §3.12). Default 10,000.
	MaxScan int

	// Logger receives warnings, such as skipped members. Nil means
	// slog.Default(). Attribute values are never logged.
	Logger *slog.Logger

	// Now returns the time of a write, for the created and modified
	// columns. Nil means the current time in UTC, to the microsecond.
	Now func() time.Time
}

// Dialect is the SQL a database speaks.
type Dialect int

// The dialects.
const (
	// SQLite, through a driver such as modernc.org/sqlite, with the
	// function scim_fold registered (see FoldValue).
	SQLite Dialect = iota + 1
	// PostgreSQL, through a driver such as github.com/jackc/pgx/v5/stdlib.
	// New creates the function scim_fold if it is missing.
	PostgreSQL
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "SQLite"
	case PostgreSQL:
		return "PostgreSQL"
	}
	return "unknown dialect"
}

// Type maps one resource type onto one table, an existing one of the
// host's or one the store creates (Store.CreateTables). Column names are
// the host's; the store prescribes none.
type Type struct {
	// Resource is the resource type served, such as
	// schema.UserResourceType(). Unless JSON is set, it is cut down to the
	// attributes the mapping keeps (see ResourceType.Subset), and the
	// server advertises only those.
	Resource *schema.ResourceType

	// Table is the table's name, optionally qualified by its schema
	// ("app.accounts").
	Table string

	// ID is the column of the resource's id, its primary key. IDKind says
	// what it holds; a SCIM id is always a string.
	ID     string
	IDKind IDKind

	// NewID returns the id of a new resource. Nil means the database's
	// default for an IntegerID column (an identity or autoincrement column,
	// read back with RETURNING), and a random UUID for the other kinds.
	NewID func() string

	// Version is an integer column the store increments on every write of
	// the resource, for entity tags and compare-and-swap (RFC 7644 §3.14).
	// It is required; a table without one needs, say,
	//
	//	ALTER TABLE accounts ADD COLUMN scim_version BIGINT NOT NULL DEFAULT 1
	//
	// and a host that writes the table itself should increment it too, so
	// that an identity provider's conditional write cannot undo the
	// host's.
	Version string

	// Created and Modified are timestamp columns for meta.created and
	// meta.lastModified; either may be empty. SQLite keeps them as text
	// in filter.TextTimeLayout, PostgreSQL as timestamptz.
	Created, Modified string

	// Tenant is the column that scopes rows by Config.Tenant, or empty.
	Tenant string

	// JSON is a text (or PostgreSQL json/jsonb) column that keeps, as one
	// JSON object, the attributes that have no column of their own, so
	// that none is lost; or empty, to serve only the attributes mapped.
	// Filters and sorts on attributes kept there run in memory, bounded
	// by Config.MaxScan.
	JSON string

	// Columns maps attribute paths to columns of the table: a top-level
	// single-valued attribute ("userName", "active"), a sub-attribute of a
	// single-valued complex one ("name.formatted"), externalId, or either
	// qualified by an extension's URN
	// ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
	// externalId needs a column unless JSON is set.
	Columns map[string]string

	// Children maps multi-valued attributes ("emails") to the tables that
	// hold their values, one row per value.
	Children map[string]Child

	// Members maps the members attribute of a group-like type to the join
	// table that holds its memberships. A User's groups (RFC 7643 §4.1.2)
	// are read from the same table.
	Members *Members
}

// IDKind is what an id column holds.
type IDKind int

// The kinds of id column.
const (
	// TextID: a text column; new ids are random UUIDs unless NewID is set.
	TextID IDKind = iota
	// IntegerID: an integer column; an id that is not a decimal integer
	// names no resource.
	IntegerID
	// UUIDID: a PostgreSQL uuid column (text in SQLite); an id that is not
	// a UUID names no resource.
	UUIDID
)

// Child is a table that holds the values of one multi-valued attribute, one
// row per value.
type Child struct {
	// Table is the table's name.
	Table string
	// Key is its column holding the id of the resource a value belongs
	// to (of the parent's IDKind).
	Key string
	// Columns maps sub-attribute names ("value", "type", "primary") to
	// columns; for an attribute that is not complex, the key is "value".
	// Sub-attributes without a column are not kept (nor served, unless
	// the type has a JSON column, which then keeps the whole attribute).
	Columns map[string]string
	// Order is an integer column that keeps the values in the order they
	// were sent, or empty to return them ordered by value.
	Order string
}

// Members is a join table of memberships: which resources are members of
// which group.
type Members struct {
	// Table is the join table's name.
	Table string
	// Group and Member are its columns holding the group's id and the
	// member's id.
	Group, Member string
	// Type is its column holding the member's resource type, when members
	// may be of more than one type (Users and Groups); empty when every
	// member is a User.
	Type string
	// Types maps resource type names to what Type holds for them, where
	// it is not the name itself (such as "account" for "User").
	Types map[string]string
}
