package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver

	"github.com/scim-go/scim/filter"
)

// DB is the database behind the stores: SQLite or PostgreSQL, reached
// through database/sql. It is safe for concurrent use.
//
// With SQLite, reads go through a pool of connections and writes through a
// second pool of exactly one connection that begins every transaction with
// BEGIN IMMEDIATE: SQLite allows one writer at a time anyway, and queueing
// writers in Go rather than in SQLite's busy handler means a write
// transaction never fails with SQLITE_BUSY halfway through. The database is
// in WAL mode, so readers see a consistent snapshot while a write is under
// way. With PostgreSQL both pools are the same one.
type DB struct {
	read, write *sql.DB
	d           *dialect
}

// Open opens the database that dsn names, and creates the tables if they
// do not exist: a DSN starting with postgres:// or postgresql:// is a
// PostgreSQL server (through pgx), anything else is a SQLite file, created
// if missing.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := new(DB)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.read, db.write, db.d = pool, pool, postgres
	} else {
		// The file name is a path, not a URI: escape what a URI would read.
		abs, err := filepath.Abs(dsn)
		if err != nil {
			return nil, err
		}
		u := url.URL{Scheme: "file", Path: abs}
		q := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=case_sensitive_like(1)"
		if db.write, err = sql.Open("sqlite", u.String()+q+"&_txlock=immediate"); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(1)
		if db.read, err = sql.Open("sqlite", u.String()+q); err != nil {
			db.write.Close()
			return nil, err
		}
		db.d = sqlite3
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// dialect holds everything that differs between SQLite and PostgreSQL.
// The rest of the SQL is written once, with "?" placeholders that rebind
// turns into "$1", "$2", ... for PostgreSQL.
type dialect struct {
	name        string
	placeholder filter.Placeholder
	// timeLayout is filter.SQL.TimeLayout: SQLite keeps dateTimes as text
	// in filter.TextTimeLayout, so that text order is time order;
	// PostgreSQL as timestamp with time zone.
	timeLayout string
	// timeType and textType are the column types of dateTimes and of
	// strings. PostgreSQL's strings are collated "C", so that they sort by
	// bytes, as Sort.Compare and SQLite do, whatever the database's locale.
	timeType, textType string
	// schema is extra DDL, run before the tables are created.
	schema []string
	// nextVersion returns a statement that yields the next version number
	// for the counter named by its one argument.
	nextVersion func(counter string) (string, []any)
	// readTx are the options of read-only transactions.
	readTx *sql.TxOptions
	// unique reports whether err is a unique-constraint violation, and the
	// name of the index or constraint.
	unique func(err error) (string, bool)
}

var sqlite3 = &dialect{
	name:        "sqlite",
	placeholder: filter.Question,
	timeLayout:  filter.TextTimeLayout,
	timeType:    "TEXT",
	textType:    "TEXT",
	schema: []string{
		`CREATE TABLE IF NOT EXISTS scim_counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)`,
	},
	// The counter's row is locked until the transaction ends, which costs
	// nothing in SQLite: writers take turns anyway. A rolled-back write
	// leaves no gap.
	nextVersion: func(counter string) (string, []any) {
		return `INSERT INTO scim_counters (name, value) VALUES (?, 1)
			ON CONFLICT (name) DO UPDATE SET value = scim_counters.value + 1 RETURNING value`, []any{counter}
	},
	readTx: &sql.TxOptions{ReadOnly: true}, // a deferred BEGIN: a WAL snapshot
	unique: func(err error) (string, bool) {
		var se *sqlite.Error
		// SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY.
		if !errors.As(err, &se) || se.Code() != 2067 && se.Code() != 1555 {
			return "", false
		}
		// "UNIQUE constraint failed: index 'users_user_name'", or
		// "... failed: users.id" for a primary key.
		msg := se.Error()
		if i := strings.Index(msg, "index '"); i >= 0 {
			name := msg[i+len("index '"):]
			if j := strings.IndexByte(name, '\''); j >= 0 {
				return name[:j], true
			}
		}
		return "", true
	},
}

var postgres = &dialect{
	name:        "postgres",
	placeholder: filter.Dollar,
	timeType:    "TIMESTAMPTZ",
	textType:    `TEXT COLLATE "C"`,
	schema: []string{
		`CREATE SEQUENCE IF NOT EXISTS scim_version_users`,
		`CREATE SEQUENCE IF NOT EXISTS scim_version_groups`,
		`CREATE SEQUENCE IF NOT EXISTS scim_version_resources`,
	},
	// A sequence, unlike a counter row, is not a lock that writers of one
	// resource type queue on. Stores take the number as the last step of
	// a write, after every statement that can fail on a constraint, so
	// numbers are only skipped when a commit fails.
	nextVersion: func(counter string) (string, []any) {
		return `SELECT nextval('scim_version_` + counter + `')`, nil
	},
	readTx: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
	unique: func(err error) (string, bool) {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" {
			return pe.ConstraintName, true
		}
		return "", false
	},
}

// rebind turns the "?" placeholders of q into the dialect's. The SQL
// written in this package has no "?" anywhere else.
func (d *dialect) rebind(q string) string {
	if d.placeholder != filter.Dollar || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// timeArg converts t to the value a dateTime column holds.
func (d *dialect) timeArg(t time.Time) any {
	if d.timeLayout != "" {
		return t.UTC().Format(d.timeLayout)
	}
	return t.UTC()
}

// ddl returns the statements that create the tables and indexes.
//
// Indexes: LOWER(user_name) is unique, which is what makes userName unique
// case-insensitively (RFC 7643 §4.1.1) and answers userName eq lookups;
// external_id answers externalId eq; (created, id) is the default list
// order. group_members is keyed by (group_id, LOWER(value)): one member
// per value, found without reading the others, and LOWER(value) finds a
// user's groups. Both databases use an index on an expression when a query
// has the same expression, as filter.SQL writes it for attributes that are
// not caseExact.
func (d *dialect) ddl() []string {
	r := strings.NewReplacer("TIME", d.timeType, "STR", d.textType)
	stmts := append([]string(nil), d.schema...)
	for _, s := range []string{
		`CREATE TABLE IF NOT EXISTS users (
			id STR PRIMARY KEY,
			version BIGINT NOT NULL,
			created TIME NOT NULL,
			last_modified TIME NOT NULL,
			external_id STR,
			user_name STR NOT NULL,
			formatted_name STR,
			family_name STR,
			given_name STR,
			display_name STR,
			nick_name STR,
			title STR,
			user_type STR,
			preferred_language STR,
			locale STR,
			timezone STR,
			active BOOLEAN,
			employee_number STR,
			cost_center STR,
			organization STR,
			division STR,
			department STR,
			manager_id STR,
			data TEXT NOT NULL
		)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS users_user_name ON users (LOWER(user_name))`,
		`CREATE INDEX IF NOT EXISTS users_external_id ON users (external_id)`,
		`CREATE INDEX IF NOT EXISTS users_created ON users (created, id)`,
		`CREATE TABLE IF NOT EXISTS user_emails (
			user_id STR NOT NULL,
			pos INTEGER NOT NULL,
			value STR,
			display STR,
			type STR,
			is_primary BOOLEAN,
			PRIMARY KEY (user_id, pos)
		)`,
		`CREATE INDEX IF NOT EXISTS user_emails_value ON user_emails (LOWER(value))`,
		`CREATE TABLE IF NOT EXISTS groups (
			id STR PRIMARY KEY,
			version BIGINT NOT NULL,
			created TIME NOT NULL,
			last_modified TIME NOT NULL,
			external_id STR,
			display_name STR,
			data TEXT NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS groups_display_name ON groups (LOWER(display_name))`,
		`CREATE INDEX IF NOT EXISTS groups_external_id ON groups (external_id)`,
		`CREATE INDEX IF NOT EXISTS groups_created ON groups (created, id)`,
		`CREATE TABLE IF NOT EXISTS group_members (
			group_id STR NOT NULL,
			value STR NOT NULL,
			ref STR,
			type STR,
			display STR
		)`,
		`CREATE UNIQUE INDEX IF NOT EXISTS group_members_key ON group_members (group_id, LOWER(value))`,
		`CREATE INDEX IF NOT EXISTS group_members_value ON group_members (LOWER(value))`,
		`CREATE TABLE IF NOT EXISTS resources (
			type STR NOT NULL,
			id STR NOT NULL,
			version BIGINT NOT NULL,
			created TIME NOT NULL,
			last_modified TIME NOT NULL,
			external_id STR,
			data TEXT NOT NULL,
			PRIMARY KEY (type, id)
		)`,
		`CREATE INDEX IF NOT EXISTS resources_external_id ON resources (type, external_id)`,
		`CREATE INDEX IF NOT EXISTS resources_created ON resources (type, created, id)`,
		`CREATE TABLE IF NOT EXISTS resource_keys (
			type STR NOT NULL,
			attr STR NOT NULL,
			key STR NOT NULL,
			id STR NOT NULL,
			PRIMARY KEY (type, attr, key)
		)`,
		`CREATE INDEX IF NOT EXISTS resource_keys_id ON resource_keys (type, id)`,
	} {
		stmts = append(stmts, r.Replace(s))
	}
	return stmts
}

func (db *DB) migrate(ctx context.Context) error {
	for _, s := range db.d.ddl() {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("creating tables: %w", err)
		}
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// tx wraps a transaction with the dialect, rebinding placeholders.
type tx struct {
	tx *sql.Tx
	d  *dialect
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, t.d.rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// nextVersion takes the next version number of counter.
func (t *tx) nextVersion(ctx context.Context, counter string) (int64, error) {
	q, args := t.d.nextVersion(counter)
	var v int64
	err := t.queryRow(ctx, q, args...).Scan(&v)
	return v, err
}

// inTx runs f in a write transaction, committing if it returns nil and
// rolling back otherwise, so a failed request changes nothing.
func (db *DB) inTx(ctx context.Context, f func(t *tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(&tx{sqlTx, db.d}); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// readTx runs f in a read-only transaction, which sees one snapshot of the
// database across its statements.
func (db *DB) readTx(ctx context.Context, f func(t *tx) error) error {
	sqlTx, err := db.read.BeginTx(ctx, db.d.readTx)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	return f(&tx{sqlTx, db.d})
}

// insertRows inserts rows into table in batches, one statement per batch.
// With ignoreDuplicates, a row that would break a unique index is skipped.
func insertRows(ctx context.Context, t *tx, table string, cols []string, rows [][]any, ignoreDuplicates bool) error {
	const maxArgs = 900
	per := max(1, maxArgs/len(cols))
	one := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, row := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, row...)
		}
		if ignoreDuplicates {
			b.WriteString(" ON CONFLICT DO NOTHING")
		}
		if _, err := t.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// placeholders returns "?, ?, ..." with n placeholders.
func placeholders(n int) string {
	return strings.Repeat("?, ", n-1) + "?"
}
