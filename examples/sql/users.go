package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// NewUsers returns the store of Users (schema.UserResourceType, with the
// enterprise extension) in the users and user_emails tables.
//
// Columns hold userName, name.formatted, name.familyName, name.givenName,
// displayName, title, userType, preferredLanguage, locale, timezone,
// active, nickName and, from the enterprise extension, employeeNumber,
// costCenter, organization, division, department and manager.value;
// user_emails holds the emails. Filters and sorts on these run in the
// database; the other attributes are kept as JSON in users.data, and a
// filter or sort on one of them is evaluated in memory (see Store).
func NewUsers(db *DB, rt *schema.ResourceType) *Store {
	const ent = schema.EnterpriseUserURN
	fs := fields(rt, "",
		"userName=user_name",
		"name.formatted=formatted_name",
		"name.familyName=family_name",
		"name.givenName=given_name",
		"displayName=display_name",
		"nickName=nick_name",
		"title=title",
		"userType=user_type",
		"preferredLanguage=preferred_language",
		"locale=locale",
		"timezone=timezone",
		"active=active",
	)
	if rt.Extension(ent) != nil {
		fs = append(fs, fields(rt, ent,
			"employeeNumber=employee_number",
			"costCenter=cost_center",
			"organization=organization",
			"division=division",
			"department=department",
			"manager.value=manager_id",
		)...)
	}
	return newStore(db, rt, tableDef{
		table:      "users",
		alias:      "u",
		counter:    "users",
		fields:     fs,
		child:      emails{},
		unique:     map[string]string{"users_user_name": "userName"},
		uniqueCols: []string{"user_name"},
	})
}

// emails keeps a user's emails in user_emails, one row per email, in the
// order they were given.
type emails struct{}

func (emails) attr() string { return "emails" }

func (emails) sqlTable() filter.SQLTable {
	return filter.SQLTable{
		From: "user_emails e",
		Join: "e.user_id = u.id",
		Columns: map[string]string{
			"value":   "e.value",
			"display": "e.display",
			"type":    "e.type",
			"primary": "e.is_primary",
		},
	}
}

func (emails) load(ctx context.Context, t *tx, ids []string) (map[string][]any, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query(ctx, "SELECT user_id, value, display, type, is_primary FROM user_emails WHERE user_id IN ("+placeholders(len(ids))+") ORDER BY user_id, pos", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string][]any)
	for rows.Next() {
		var id string
		var value, display, typ sql.NullString
		var primary sql.NullBool
		if err := rows.Scan(&id, &value, &display, &typ, &primary); err != nil {
			return nil, err
		}
		m := make(map[string]any, 4)
		if value.Valid {
			m["value"] = value.String
		}
		if display.Valid {
			m["display"] = display.String
		}
		if typ.Valid {
			m["type"] = typ.String
		}
		if primary.Valid {
			m["primary"] = primary.Bool
		}
		out[id] = append(out[id], m)
	}
	return out, rows.Err()
}

func (emails) write(ctx context.Context, t *tx, id string, elems []any, replace bool) ([]any, error) {
	if replace {
		if err := (emails{}).remove(ctx, t, id); err != nil {
			return nil, err
		}
	}
	rows := make([][]any, len(elems))
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("emails[%d] is a %T", i, e)
		}
		rows[i] = []any{id, i, m["value"], m["display"], m["type"], m["primary"]}
	}
	if len(rows) > 0 {
		if err := insertRows(ctx, t, "user_emails", []string{"user_id", "pos", "value", "display", "type", "is_primary"}, rows, false); err != nil {
			return nil, err
		}
	}
	return elems, nil
}

func (emails) remove(ctx context.Context, t *tx, id string) error {
	_, err := t.exec(ctx, "DELETE FROM user_emails WHERE user_id = ?", id)
	return err
}
