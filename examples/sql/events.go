package main

import (
	"context"
	"database/sql"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/sqlstore"
)

// What the application does when its directory changes: it records every
// change in its audit log (who, what, when, which attributes; never a
// value), and when a user is deactivated or deleted it ends their
// sessions at once, before the identity provider hears that the change is
// done: access ends the moment someone leaves.

// eventTimeout bounds the statements onEvent runs for one event.
const eventTimeout = 10 * time.Second

// onEvent returns the scim.Config.OnEvent of the application.
func onEvent(db *sql.DB, d sqlstore.Dialect, logger *slog.Logger) func(context.Context, scim.Event) {
	insert := d.Rebind(`INSERT INTO audit_log (at, org_id, caller, request_id, kind, resource_type, resource_id,
		attributes, members_added, members_removed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	endSessions := d.Rebind(`DELETE FROM sessions WHERE account_id = ?`)
	return func(ctx context.Context, e scim.Event) {
		// The server calls OnEvent with the request's context freed from its
		// cancellation, and so from its deadline too: give the statements
		// one of their own, so that a locked row cannot hold the response,
		// and the resource's write turn, for ever.
		ctx, cancel := context.WithTimeout(ctx, eventTimeout)
		defer cancel()
		org, _ := ctx.Value(orgKey{}).(string)
		at := any(e.Time.UTC())
		if d == sqlstore.SQLite {
			at = e.Time.UTC().Format(filter.TextTimeLayout)
		}
		if _, err := db.ExecContext(ctx, insert, at, org, e.Caller, e.RequestID, string(e.Kind), e.ResourceType, e.ID,
			strings.Join(e.Attributes, " "), strings.Join(e.MembersAdded, " "), strings.Join(e.MembersRemoved, " ")); err != nil {
			logger.ErrorContext(ctx, "audit log", "kind", string(e.Kind), "type", e.ResourceType, "id", e.ID, "error", err)
		}
		if e.ResourceType == "User" && (e.Kind == scim.Deactivated || e.Kind == scim.Deleted) {
			n, err := endUserSessions(ctx, db, endSessions, e.ID)
			if err != nil {
				logger.ErrorContext(ctx, "ending the sessions of a user who left", "id", e.ID, "error", err)
				return
			}
			logger.InfoContext(ctx, "ended the sessions of a user who left", "id", e.ID, "sessions", n, "kind", string(e.Kind))
		}
	}
}

// endUserSessions deletes the sessions of the account id, so that every
// token it holds stops working, and returns how many there were.
func endUserSessions(ctx context.Context, db *sql.DB, stmt, id string) (int64, error) {
	account, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, stmt, account)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
