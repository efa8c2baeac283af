package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/schema"
)

// baseline is what the store is measured against: the SCIM endpoints an
// identity provider uses, written by hand for the app's schema with
// net/http, database/sql and encoding/json, the way a careful developer
// would without the library. Its statements are prepared once; it reads
// a resource's row, emails and groups with one indexed query each; it
// compares case-insensitive strings through scim_fold, so that it uses the
// same indexes as the store (Store.Indexes) and gives the same answers;
// it relies on the unique index on (org_id, scim_fold(email)) for
// uniqueness; it answers PATCH with 204. It parses only the filters that
// identity providers send and that the benchmarks use:
//
//	userName eq "..."
//	emails[type eq "..." and value eq "..."]
//	id eq "..." and members[value eq "..."]
type baseline struct {
	db   *sql.DB
	mux  *http.ServeMux
	base string

	getUser, userByName, usersByEmail, countByEmail, emailsOf, groupsOf *sql.Stmt
	insertUser, insertEmail, updateUser, deleteEmails                   *sql.Stmt
	lockTeam, addMember, removeMember, bumpTeam, teamWithMember         *sql.Stmt
}

const (
	baselinePage = 100
	userCols     = "a.id, a.email, a.full_name, a.is_active, a.department, a.created_at, a.updated_at, a.scim_external_id, a.scim_version"
)

func newBaseline(tb testing.TB, db *sql.DB) *baseline {
	tb.Helper()
	h := &baseline{db: db, mux: http.NewServeMux(), base: "https://example.com/scim/v2"}
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&h.getUser, "SELECT " + userCols + " FROM accounts a WHERE a.id = ? AND a.org_id = ?"},
		{&h.userByName, "SELECT " + userCols + " FROM accounts a WHERE a.org_id = ? AND scim_fold(a.email) = ?"},
		{&h.usersByEmail, "SELECT " + userCols + " FROM accounts a WHERE a.org_id = ? AND a.id IN (SELECT e.account_id FROM account_emails e WHERE scim_fold(e.address) = ? AND scim_fold(e.kind) = ?) ORDER BY a.id LIMIT ?"},
		{&h.countByEmail, "SELECT COUNT(*) FROM accounts a WHERE a.org_id = ? AND a.id IN (SELECT e.account_id FROM account_emails e WHERE scim_fold(e.address) = ? AND scim_fold(e.kind) = ?)"},
		{&h.emailsOf, "SELECT address, kind, is_primary FROM account_emails WHERE account_id = ? ORDER BY address"},
		{&h.groupsOf, "SELECT m.team_id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.account_id = ? ORDER BY m.team_id"},
		{&h.insertUser, "INSERT INTO accounts (org_id, email, full_name, is_active, department, created_at, updated_at, scim_external_id, scim_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id"},
		{&h.insertEmail, "INSERT INTO account_emails (account_id, address, kind, is_primary) VALUES (?, ?, ?, ?)"},
		{&h.updateUser, "UPDATE accounts SET email = ?, full_name = ?, is_active = COALESCE(?, is_active), department = ?, scim_external_id = ?, updated_at = ?, scim_version = scim_version + 1 WHERE id = ? AND org_id = ? RETURNING scim_version, created_at"},
		{&h.deleteEmails, "DELETE FROM account_emails WHERE account_id = ?"},
		{&h.lockTeam, "SELECT scim_version FROM teams WHERE id = ? AND org_id = ?"},
		{&h.addMember, "INSERT INTO team_members (team_id, account_id) SELECT ?, id FROM accounts WHERE id = ? AND org_id = ? ON CONFLICT DO NOTHING"},
		{&h.removeMember, "DELETE FROM team_members WHERE team_id = ? AND account_id = ?"},
		{&h.bumpTeam, "UPDATE teams SET scim_version = scim_version + 1, updated_at = ? WHERE id = ? RETURNING scim_version"},
		{&h.teamWithMember, "SELECT t.id, t.name, t.scim_external_id, t.created_at, t.updated_at, t.scim_version FROM teams t WHERE t.id = ? AND t.org_id = ? AND EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id AND m.account_id = ?)"},
	} {
		stmt, err := db.Prepare(s.sql)
		if err != nil {
			tb.Fatalf("%s: %v", s.sql, err)
		}
		tb.Cleanup(func() { stmt.Close() })
		*s.stmt = stmt
	}
	h.mux.HandleFunc("GET /Users/{id}", h.serveGetUser)
	h.mux.HandleFunc("GET /Users", h.serveListUsers)
	h.mux.HandleFunc("POST /Users", h.serveCreateUser)
	h.mux.HandleFunc("PUT /Users/{id}", h.serveReplaceUser)
	h.mux.HandleFunc("GET /Groups", h.serveListGroups)
	h.mux.HandleFunc("PATCH /Groups/{id}", h.servePatchGroup)
	return h
}

func (h *baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// The JSON of the resources, in and out.

type bName struct {
	Formatted string `json:"formatted,omitempty"`
}

type bEmail struct {
	Value   string `json:"value,omitempty"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

type bRef struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref"`
	Display string `json:"display,omitempty"`
	Type    string `json:"type,omitempty"`
}

type bEnterprise struct {
	Department string `json:"department,omitempty"`
}

type bMeta struct {
	ResourceType string    `json:"resourceType"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
	Location     string    `json:"location"`
	Version      string    `json:"version"`
}

type bUser struct {
	Schemas    []string     `json:"schemas"`
	ID         string       `json:"id,omitempty"`
	ExternalID string       `json:"externalId,omitempty"`
	UserName   string       `json:"userName"`
	Name       *bName       `json:"name,omitempty"`
	Active     *bool        `json:"active,omitempty"`
	Emails     []bEmail     `json:"emails,omitempty"`
	Groups     []bRef       `json:"groups,omitempty"`
	Enterprise *bEnterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Meta       *bMeta       `json:"meta,omitempty"`
}

type bGroup struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId,omitempty"`
	DisplayName string   `json:"displayName"`
	Meta        *bMeta   `json:"meta"`
}

type bList[T any] struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []T      `json:"Resources"`
}

type bPatch struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

const (
	listURN  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorURN = "urn:ietf:params:scim:api:messages:2.0:Error"
)

func (h *baseline) fail(w http.ResponseWriter, status int, scimType, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"schemas": []string{errorURN}, "status": strconv.Itoa(status), "scimType": scimType, "detail": detail})
}

func (h *baseline) write(w http.ResponseWriter, status int, version string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.fail(w, 500, "", "encoding the response")
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	if version != "" {
		w.Header().Set("ETag", `W/"`+version+`"`)
	}
	w.WriteHeader(status)
	w.Write(b)
}

// scanUser reads a row of userCols.
func scanUser(row interface{ Scan(...any) error }) (*bUser, int64, error) {
	var (
		id                          int64
		email                       string
		name, dept, created, update sql.NullString
		ext                         sql.NullString
		active                      bool
		version                     int64
	)
	if err := row.Scan(&id, &email, &name, &active, &dept, &created, &update, &ext, &version); err != nil {
		return nil, 0, err
	}
	u := &bUser{
		Schemas:    []string{schema.UserURN},
		ID:         strconv.FormatInt(id, 10),
		ExternalID: ext.String,
		UserName:   email,
		Active:     &active,
		Meta: &bMeta{ResourceType: "User", Created: parseTextTime(created.String), LastModified: parseTextTime(update.String),
			Version: `W/"` + strconv.FormatInt(version, 10) + `"`},
	}
	if name.Valid {
		u.Name = &bName{Formatted: name.String}
	}
	if dept.Valid {
		u.Enterprise = &bEnterprise{Department: dept.String}
		u.Schemas = append(u.Schemas, schema.EnterpriseUserURN)
	}
	return u, version, nil
}

func parseTextTime(s string) time.Time {
	t, _ := time.Parse(filter.TextTimeLayout, s)
	return t
}

// fill reads the groups of u, and its emails if emails is set, and sets
// its location.
func (h *baseline) fill(ctx context.Context, q func(*sql.Stmt) *sql.Stmt, u *bUser, id int64, emails bool) error {
	u.Meta.Location = h.base + "/Users/" + u.ID
	if emails {
		if err := h.fillEmails(ctx, q, u, id); err != nil {
			return err
		}
	}
	rows, err := q(h.groupsOf).QueryContext(ctx, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var gid int64
		var name string
		if err := rows.Scan(&gid, &name); err != nil {
			return err
		}
		g := strconv.FormatInt(gid, 10)
		u.Groups = append(u.Groups, bRef{Value: g, Ref: h.base + "/Groups/" + g, Display: name, Type: "direct"})
	}
	return rows.Err()
}

func (h *baseline) fillEmails(ctx context.Context, q func(*sql.Stmt) *sql.Stmt, u *bUser, id int64) error {
	rows, err := q(h.emailsOf).QueryContext(ctx, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e bEmail
		var kind sql.NullString
		var primary sql.NullBool
		if err := rows.Scan(&e.Value, &kind, &primary); err != nil {
			return err
		}
		e.Type, e.Primary = kind.String, primary.Bool
		u.Emails = append(u.Emails, e)
	}
	return rows.Err()
}

func direct(s *sql.Stmt) *sql.Stmt { return s }

func (h *baseline) serveGetUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, 404, "", "User not found")
		return
	}
	u, version, err := scanUser(h.getUser.QueryRowContext(ctx, id, benchTenant))
	if errors.Is(err, sql.ErrNoRows) {
		h.fail(w, 404, "", "User not found")
		return
	}
	if err == nil {
		err = h.fill(ctx, direct, u, id, true)
	}
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	h.write(w, 200, strconv.FormatInt(version, 10), u)
}

// quoted parses a JSON string literal at the start of s, returning it
// and the rest of s.
func quoted(s string) (string, string, bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			var v string
			if json.Unmarshal([]byte(s[:i+1]), &v) != nil {
				return "", "", false
			}
			return v, s[i+1:], true
		}
	}
	return "", "", false
}

// eqClause parses `attr eq "value"` at the start of s, attr compared
// case-insensitively, returning the value and the rest.
func eqClause(s, attr string) (string, string, bool) {
	s = strings.TrimLeft(s, " ")
	if len(s) < len(attr)+4 || !strings.EqualFold(s[:len(attr)], attr) || !strings.EqualFold(s[len(attr):len(attr)+4], " eq ") {
		return "", "", false
	}
	v, rest, ok := quoted(strings.TrimLeft(s[len(attr)+4:], " "))
	return v, strings.TrimLeft(rest, " "), ok
}

func (h *baseline) serveListUsers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := r.URL.Query().Get("filter")
	var rows *sql.Rows
	var err error
	var address, kind string
	byEmail := false
	if v, rest, ok := eqClause(f, "userName"); ok && rest == "" {
		rows, err = h.userByName.QueryContext(ctx, benchTenant, filter.Fold(v))
	} else if len(f) > 7 && strings.EqualFold(f[:7], "emails[") {
		var ok1, ok2 bool
		var rest string
		kind, rest, ok1 = eqClause(f[7:], "type")
		if len(rest) > 4 && strings.EqualFold(rest[:4], "and ") {
			address, rest, ok2 = eqClause(rest[4:], "value")
		}
		if !ok1 || !ok2 || rest != "]" {
			h.fail(w, 400, "invalidFilter", "unsupported filter")
			return
		}
		byEmail = true
		rows, err = h.usersByEmail.QueryContext(ctx, benchTenant, filter.Fold(address), filter.Fold(kind), baselinePage)
	} else {
		h.fail(w, 400, "invalidFilter", "unsupported filter")
		return
	}
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	list := bList[*bUser]{Schemas: []string{listURN}, StartIndex: 1, Resources: []*bUser{}}
	var ids []int64
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			rows.Close()
			h.fail(w, 500, "", "internal error")
			return
		}
		id, _ := strconv.ParseInt(u.ID, 10, 64)
		list.Resources = append(list.Resources, u)
		ids = append(ids, id)
	}
	rows.Close()
	if rows.Err() != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	for i, u := range list.Resources {
		if err := h.fill(ctx, direct, u, ids[i], true); err != nil {
			h.fail(w, 500, "", "internal error")
			return
		}
	}
	list.TotalResults, list.ItemsPerPage = len(list.Resources), len(list.Resources)
	if byEmail && len(list.Resources) == baselinePage {
		if err := h.countByEmail.QueryRowContext(ctx, benchTenant, filter.Fold(address), filter.Fold(kind)).Scan(&list.TotalResults); err != nil {
			h.fail(w, 500, "", "internal error")
			return
		}
	}
	h.write(w, 200, "", list)
}

func (h *baseline) readUser(w http.ResponseWriter, r *http.Request) (*bUser, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var u bUser
	if err == nil {
		err = json.Unmarshal(body, &u)
	}
	if err != nil || u.UserName == "" {
		h.fail(w, 400, "invalidValue", "a User needs a userName")
		return nil, false
	}
	return &u, true
}

// columns returns the column values of u.
func (u *bUser) columns() (name, dept, ext, active any) {
	if u.Name != nil && u.Name.Formatted != "" {
		name = u.Name.Formatted
	}
	if u.Enterprise != nil && u.Enterprise.Department != "" {
		dept = u.Enterprise.Department
	}
	if u.ExternalID != "" {
		ext = u.ExternalID
	}
	if u.Active != nil {
		active = *u.Active
	}
	return
}

func uniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func (h *baseline) insertEmails(ctx context.Context, tx *sql.Tx, id int64, emails []bEmail) error {
	if len(emails) == 0 {
		return nil
	}
	ins := tx.StmtContext(ctx, h.insertEmail)
	for _, e := range emails {
		var kind any
		if e.Type != "" {
			kind = e.Type
		}
		if _, err := ins.ExecContext(ctx, id, e.Value, kind, e.Primary); err != nil {
			return err
		}
	}
	return nil
}

func (h *baseline) serveCreateUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u, ok := h.readUser(w, r)
	if !ok {
		return
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	at := now.Format(filter.TextTimeLayout)
	name, dept, ext, active := u.columns()
	if active == nil {
		active = true
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	defer tx.Rollback()
	var id int64
	err = tx.StmtContext(ctx, h.insertUser).QueryRowContext(ctx, benchTenant, u.UserName, name, active, dept, at, at, ext).Scan(&id)
	if uniqueViolation(err) {
		h.fail(w, 409, "uniqueness", "userName is already in use")
		return
	}
	if err == nil {
		err = h.insertEmails(ctx, tx, id, u.Emails)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	b := active.(bool)
	u.ID, u.Active, u.Groups = strconv.FormatInt(id, 10), &b, nil
	u.Meta = &bMeta{ResourceType: "User", Created: now, LastModified: now, Location: h.base + "/Users/" + u.ID, Version: `W/"1"`}
	w.Header().Set("Location", u.Meta.Location)
	h.write(w, 201, "1", u)
}

func (h *baseline) serveReplaceUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, 404, "", "User not found")
		return
	}
	u, ok := h.readUser(w, r)
	if !ok {
		return
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	name, dept, ext, active := u.columns()
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	defer tx.Rollback()
	var version int64
	var created string
	err = tx.StmtContext(ctx, h.updateUser).QueryRowContext(ctx, u.UserName, name, active, dept, ext, now.Format(filter.TextTimeLayout), id, benchTenant).Scan(&version, &created)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		h.fail(w, 404, "", "User not found")
		return
	case uniqueViolation(err):
		h.fail(w, 409, "uniqueness", "userName is already in use")
		return
	}
	if err == nil {
		_, err = tx.StmtContext(ctx, h.deleteEmails).ExecContext(ctx, id)
	}
	if err == nil {
		err = h.insertEmails(ctx, tx, id, u.Emails)
	}
	u.ID, u.Groups = strconv.FormatInt(id, 10), nil
	v := strconv.FormatInt(version, 10)
	u.Meta = &bMeta{ResourceType: "User", Created: parseTextTime(created), LastModified: now, Version: `W/"` + v + `"`}
	if err == nil {
		err = h.fill(ctx, func(s *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, s) }, u, id, false)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	if u.Active == nil {
		t := true
		u.Active = &t
	}
	h.write(w, 200, v, u)
}

func (h *baseline) servePatchGroup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	gid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, 404, "", "Group not found")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	var p bPatch
	if err == nil {
		err = json.Unmarshal(body, &p)
	}
	if err != nil || len(p.Operations) == 0 {
		h.fail(w, 400, "invalidSyntax", "not a PatchOp")
		return
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	defer tx.Rollback()
	var version int64
	err = tx.StmtContext(ctx, h.lockTeam).QueryRowContext(ctx, gid, benchTenant).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		h.fail(w, 404, "", "Group not found")
		return
	}
	if err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	var changed int64
	for _, o := range p.Operations {
		op := strings.ToLower(o.Op)
		switch {
		case op == "add" && strings.EqualFold(o.Path, "members"):
			var vals []struct {
				Value string `json:"value"`
			}
			if json.Unmarshal(o.Value, &vals) != nil {
				h.fail(w, 400, "invalidValue", "members: not a list of members")
				return
			}
			add := tx.StmtContext(ctx, h.addMember)
			for _, v := range vals {
				uid, err := strconv.ParseInt(v.Value, 10, 64)
				if err != nil {
					continue // names no user
				}
				res, err := add.ExecContext(ctx, gid, uid, benchTenant)
				if err != nil {
					h.fail(w, 500, "", "internal error")
					return
				}
				n, _ := res.RowsAffected()
				changed += n
			}
		case op == "remove" && len(o.Path) > 8 && strings.EqualFold(o.Path[:8], "members["):
			v, rest, ok := eqClause(o.Path[8:], "value")
			uid, err := strconv.ParseInt(v, 10, 64)
			if !ok || rest != "]" || err != nil {
				h.fail(w, 400, "noTarget", "no member matches "+o.Path)
				return
			}
			res, err := tx.StmtContext(ctx, h.removeMember).ExecContext(ctx, gid, uid)
			if err != nil {
				h.fail(w, 500, "", "internal error")
				return
			}
			n, _ := res.RowsAffected()
			if n == 0 {
				h.fail(w, 400, "noTarget", "no member matches "+o.Path)
				return
			}
			changed += n
		default:
			h.fail(w, 400, "invalidPath", "unsupported operation")
			return
		}
	}
	if changed > 0 {
		now := time.Now().UTC().Truncate(time.Microsecond).Format(filter.TextTimeLayout)
		if err := tx.StmtContext(ctx, h.bumpTeam).QueryRowContext(ctx, now, gid).Scan(&version); err != nil {
			h.fail(w, 500, "", "internal error")
			return
		}
	}
	if err := tx.Commit(); err != nil {
		h.fail(w, 500, "", "internal error")
		return
	}
	w.Header().Set("ETag", `W/"`+strconv.FormatInt(version, 10)+`"`)
	w.WriteHeader(http.StatusNoContent)
}

func (h *baseline) serveListGroups(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := q.Get("filter")
	gv, rest, ok1 := eqClause(f, "id")
	var uv string
	ok2 := false
	if len(rest) > 12 && strings.EqualFold(rest[:12], "and members[") {
		uv, rest, ok2 = eqClause(rest[12:], "value")
	}
	if !ok1 || !ok2 || rest != "]" || !strings.EqualFold(q.Get("excludedAttributes"), "members") {
		h.fail(w, 400, "invalidFilter", "unsupported filter")
		return
	}
	list := bList[*bGroup]{Schemas: []string{listURN}, StartIndex: 1, Resources: []*bGroup{}}
	gid, err1 := strconv.ParseInt(gv, 10, 64)
	uid, err2 := strconv.ParseInt(uv, 10, 64)
	if err1 == nil && err2 == nil {
		var (
			id, version       int64
			name              string
			ext, created, upd sql.NullString
		)
		err := h.teamWithMember.QueryRowContext(ctx, gid, benchTenant, uid).Scan(&id, &name, &ext, &created, &upd, &version)
		switch {
		case err == nil:
			g := strconv.FormatInt(id, 10)
			list.Resources = append(list.Resources, &bGroup{
				Schemas: []string{schema.GroupURN}, ID: g, ExternalID: ext.String, DisplayName: name,
				Meta: &bMeta{ResourceType: "Group", Created: parseTextTime(created.String), LastModified: parseTextTime(upd.String),
					Location: h.base + "/Groups/" + g, Version: `W/"` + strconv.FormatInt(version, 10) + `"`},
			})
		case !errors.Is(err, sql.ErrNoRows):
			h.fail(w, 500, "", "internal error")
			return
		}
	}
	list.TotalResults, list.ItemsPerPage = len(list.Resources), len(list.Resources)
	h.write(w, 200, "", list)
}
