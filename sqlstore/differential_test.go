package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/sqlstore"
)

// The differential test stores random users and groups through the
// server and the store, lists them with random filters, sorts and pages
// (GET /Users, /Groups and /, so that the server parses and resolves them),
// and compares each page and totalResults with an oracle: the resources
// read back through the store's unfiltered list, with meta.location filled
// in as the server presents it, filtered with Filter.Match, sorted with
// Sort.Compare and paged in memory, the filter and sort resolved as the
// server resolves them (Resolve, or ResolveAbsent across resource types).
// It runs on SQLite and, when postgresEnv is set, on PostgreSQL, with two
// mappings: the app's (integer ids, a tenant column, emails in a child
// table, members in a join table) and one with text ids, so that
// comparisons of ids are translated to SQL rather than run in memory.
// Besides the resources created through the server, a few rows are written
// into the tables with SQL, as the host's own application writes them,
// with values the server would refuse (empty names and external ids),
// emails without a value or with several primary ones, and without times
// of creation.
//
// Where the store's order may differ from Sort.Compare the oracle follows
// the store's documented order instead:
//
//   - Ties (resources Compare finds equal) keep the order of the store's
//     unfiltered list, by id, as the store breaks ties by its id column.
//   - A multi-valued attribute sorted in SQL sorts by its least value
//     (filter.SQL.OrderBy), by Fold alone for strings that are not
//     caseExact, among the primary elements if there is one; when the
//     store sorts in memory (a filter or sort it cannot translate), it
//     sorts by Compare, by the first value as read back. A second store
//     over the same database with MaxScan 1 tells which: it answers
//     tooMany exactly when the store works in memory.

// diffEnv is one mapping of one database, with a store and a server over
// it, reused from input to input.
type diffEnv struct {
	name  string
	pg    bool // on PostgreSQL
	text  bool // the mapping with text ids
	db    *sql.DB
	store *sqlstore.Store
	probe *sqlstore.Store // MaxScan 1
	srv   http.Handler
	// tables are emptied before each input, children first.
	tables []string
	// nextID and now are the id (for text ids) and the time of the
	// resource being created.
	nextID string
	now    time.Time
}

// textSchema is a schema whose ids are text, with further attributes
// mapped, a nullable active column and an email order column.
func textSchema(d sqlstore.Dialect) []string {
	ts := "TEXT"
	if d == sqlstore.PostgreSQL {
		ts = "TIMESTAMPTZ"
	}
	return []string{
		`CREATE TABLE people (
			id TEXT PRIMARY KEY,
			user_name TEXT NOT NULL,
			formatted TEXT,
			display_name TEXT,
			nick TEXT,
			active BOOLEAN,
			dept TEXT,
			ext_id TEXT,
			version BIGINT NOT NULL DEFAULT 1,
			created ` + ts + `,
			modified ` + ts + `
		)`,
		`CREATE TABLE people_emails (
			person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
			position INTEGER,
			value TEXT,
			kind TEXT,
			display TEXT,
			is_primary BOOLEAN
		)`,
		`CREATE TABLE crews (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			ext_id TEXT,
			version BIGINT NOT NULL DEFAULT 1,
			created ` + ts + `,
			modified ` + ts + `
		)`,
		`CREATE TABLE crew_members (
			crew_id TEXT NOT NULL REFERENCES crews (id) ON DELETE CASCADE,
			person_id TEXT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
			PRIMARY KEY (crew_id, person_id)
		)`,
	}
}

func textTypes(newID func() string) []sqlstore.Type {
	return []sqlstore.Type{{
		Resource: schema.UserResourceType(),
		Table:    "people", ID: "id", IDKind: sqlstore.TextID, NewID: newID,
		Version: "version", Created: "created", Modified: "modified",
		Columns: map[string]string{
			"userName":                               "user_name",
			"name.formatted":                         "formatted",
			"displayName":                            "display_name",
			"nickName":                               "nick",
			"active":                                 "active",
			"externalId":                             "ext_id",
			schema.EnterpriseUserURN + ":department": "dept",
		},
		Children: map[string]sqlstore.Child{
			"emails": {Table: "people_emails", Key: "person_id", Order: "position", Columns: map[string]string{
				"value": "value", "type": "kind", "display": "display", "primary": "is_primary",
			}},
		},
	}, {
		Resource: schema.GroupResourceType(),
		Table:    "crews", ID: "id", IDKind: sqlstore.TextID, NewID: newID,
		Version: "version", Created: "created", Modified: "modified",
		Columns: map[string]string{"displayName": "name", "externalId": "ext_id"},
		Members: &sqlstore.Members{Table: "crew_members", Group: "crew_id", Member: "person_id"},
	}}
}

// newDiffEnvs opens each database and returns its two environments: the
// app's mapping and the one with text ids.
func newDiffEnvs(tb testing.TB) [][2]*diffEnv {
	var out [][2]*diffEnv
	for _, d := range databases(tb) {
		db := d.open(tb)
		exec(tb, db, appSchema(d.dialect)...)
		exec(tb, db, textSchema(d.dialect)...)
		var pair [2]*diffEnv
		for i, text := range []bool{false, true} {
			e := &diffEnv{name: d.name + "/app", pg: d.dialect == sqlstore.PostgreSQL, text: text, db: db,
				tables: []string{"team_members", "account_emails", "teams", "accounts"}}
			cfg := sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf,
				Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return e.now }}
			if text {
				e.name = d.name + "/text"
				e.tables = []string{"crew_members", "people_emails", "crews", "people"}
				cfg.Types, cfg.Tenant = textTypes(func() string { return e.nextID }), nil
			}
			var err error
			if e.store, err = sqlstore.New(context.Background(), cfg); err != nil {
				tb.Fatal(err)
			}
			cfg.MaxScan = 1
			if e.probe, err = sqlstore.New(context.Background(), cfg); err != nil {
				tb.Fatal(err)
			}
			e.srv = newServer(tb, e.store, scim.Config{})
			pair[i] = e
		}
		out = append(out, pair)
	}
	return out
}

// FuzzDifferential compares the store's lists with Filter.Match and
// Sort.Compare over random data, filters, sorts and pages; see
// differential_gen_test.go for what is generated. Run it with
//
//	go test -run '^$' -fuzz '^FuzzDifferential$' -parallel 1 ./sqlstore/
//
// Each input takes a few milliseconds on SQLite, tens on PostgreSQL,
// where the minute the fuzzer spends minimizing each new interesting input
// by default (-fuzzminimizetime) is most of the run.
func FuzzDifferential(f *testing.F) {
	for _, seed := range []string{"", "\x00", "\x01", "\x00\x1d\x0c", "\x01\x1d\x0c\x0e\x0e", "ÄBC äbc", "\u212aelvin ſ ǅ", "İi ΣσςẞßSS", "%_!*?[)"} {
		f.Add([]byte(seed))
	}
	envs := newDiffEnvs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		runDifferential(t, envs, data)
	})
}

// TestDifferential runs the generator of FuzzDifferential over a fixed set
// of inputs: 300 on SQLite and the first 40 of them on PostgreSQL; a
// tenth of that with -short or the race detector.
func TestDifferential(t *testing.T) {
	envs := newDiffEnvs(t)
	n, pg := 300, 40
	if testing.Short() || raceEnabled {
		n, pg = 30, 4
	}
	for i := range n {
		sum := sha256.Sum256(binary.LittleEndian.AppendUint64(nil, uint64(i)))
		data := sum[:16]
		use := envs
		if i >= pg {
			use = envs[:1]
		}
		if !runDifferential(t, use, data) {
			t.Fatalf("input %d failed; to rerun it, add it to the fuzz corpus: f.Add([]byte(%q))", i, data)
		}
	}
}

// runDifferential runs one input on each database, and reports whether
// every check passed.
func runDifferential(t testing.TB, envs [][2]*diffEnv, data []byte) bool {
	g := newDiffGen(data)
	text := g.oneIn(2)
	ds := genDataset(g, text)
	ok := true
	for _, pair := range envs {
		e := pair[0]
		if text {
			e = pair[1]
		}
		if !e.run(t, ds, g.clone()) {
			ok = false
		}
	}
	return ok
}

// run stores ds, then generates queries with g and checks them.
func (e *diffEnv) run(t testing.TB, ds *dataset, g *diffGen) bool {
	t.Helper()
	for _, table := range e.tables {
		if _, err := e.db.Exec("DELETE FROM " + table); err != nil {
			t.Fatal(err)
		}
	}
	// Users, whose userNames are unique under filter.Fold.
	created := map[string]int{} // id -> index in ds.users
	userIDs := make([]string, len(ds.users))
	folds := map[string]bool{}
	for i, body := range ds.users {
		e.nextID, e.now = ds.textIDs[i], ds.times[i]
		userName := body["userName"].(string)
		code, doc := call(t, e.srv, "", "POST", "/Users", mustMarshal(t, body))
		fold := filter.Fold(userName)
		switch {
		case code == 201 && !folds[fold]:
			userIDs[i] = doc["id"].(string)
			created[userIDs[i]] = i
			folds[fold] = true
		case code == 409 && folds[fold]:
		case code == 400 && userName == "":
		default:
			t.Errorf("%s: POST /Users %s: %d %v (userName taken: %v)", e.name, mustMarshal(t, body), code, doc, folds[fold])
			return false
		}
	}
	foreign := map[string]bool{}
	for _, body := range ds.foreign {
		userName := body["userName"].(string)
		code, doc := call(t, e.srv, "globex", "POST", "/Users", mustMarshal(t, body))
		fold := filter.Fold(userName)
		switch {
		case code == 201 && !foreign[fold]:
			foreign[fold] = true
		case code == 409 && foreign[fold]:
		case code == 400 && userName == "":
		default:
			t.Errorf("%s: POST /Users as globex %s: %d %v", e.name, mustMarshal(t, body), code, doc)
			return false
		}
	}
	groupIDs := map[string]int{}
	for i, grp := range ds.groups {
		e.nextID, e.now = ds.textIDs[len(ds.users)+i], ds.times[len(ds.users)+i]
		body := maps.Clone(grp.body)
		var members []any
		for _, m := range grp.members {
			id := "424242"
			if m >= 0 && userIDs[m] != "" {
				id = userIDs[m]
			}
			members = append(members, map[string]any{"value": id})
		}
		if members != nil {
			body["members"] = members
		}
		code, doc := call(t, e.srv, "", "POST", "/Groups", mustMarshal(t, body))
		if code == 400 && body["displayName"] == "" {
			continue // displayName is required
		}
		if code != 201 {
			t.Errorf("%s: POST /Groups %s: %d %v", e.name, mustMarshal(t, body), code, doc)
			return false
		}
		groupIDs[doc["id"].(string)] = i
	}

	e.writeHostRows(t, ds, userIDs, created, groupIDs)

	users, ok := e.base(t, "User", created)
	if !ok {
		return false
	}
	groups, ok := e.base(t, "Group", groupIDs)
	if !ok {
		return false
	}
	q := &qgen{diffGen: g, p: makeValuePools(users, groups, created, groupIDs)}
	for _, r := range append(slices.Clone(users), groups...) {
		q.times = append(q.times, r.Meta.Created, r.Meta.LastModified)
	}
	for range 1 + g.intn(5) {
		if !e.check(t, q.query(), users, groups) {
			return false
		}
	}
	return true
}

func mustMarshal(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeHostRows writes the rows of ds that the host writes itself, and
// adds their ids to users and groups, at indexes after those of the
// resources created through the server.
func (e *diffEnv) writeHostRows(t testing.TB, ds *dataset, userIDs []string, users, groups map[string]int) {
	t.Helper()
	rebind := sqlstore.SQLite.Rebind
	if e.pg {
		rebind = sqlstore.PostgreSQL.Rebind
	}
	insert := func(stmt string, args ...any) string {
		var id any
		if err := e.db.QueryRow(rebind(stmt)+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %s: %v", e.name, stmt, err)
		}
		return fmt.Sprint(id)
	}
	exec := func(stmt string, args ...any) {
		if _, err := e.db.Exec(rebind(stmt), args...); err != nil {
			t.Fatalf("%s: %s: %v", e.name, stmt, err)
		}
	}
	// key is an id as the key columns hold it: the app's as integers.
	key := func(id string) any {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && !e.text {
			return n
		}
		return id
	}
	at := func(r hostRow) any {
		if t, ok := r.at.(time.Time); ok && !e.pg {
			return t.Format(filter.TextTimeLayout)
		}
		return r.at
	}
	for i, r := range ds.hostUsers {
		var id string
		if e.text {
			id = insert("INSERT INTO people (id, user_name, formatted, active, ext_id, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
				r.id, r.name, r.formatted, r.active, r.externalID, at(r), at(r))
		} else {
			id = insert("INSERT INTO accounts (org_id, email, full_name, is_active, scim_external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				"acme", r.name, r.formatted, r.active, r.externalID, at(r), at(r))
		}
		users[id] = len(ds.users) + i
		for k, m := range r.emails {
			stmt, args := "INSERT INTO account_emails (account_id, address, kind, is_primary) VALUES (?, ?, ?, ?)", []any{key(id), m[0], m[1], m[2]}
			if e.text {
				stmt, args = "INSERT INTO people_emails (person_id, position, value, kind, is_primary) VALUES (?, ?, ?, ?, ?)", []any{key(id), k, m[0], m[1], m[2]}
			} else if args[1] == nil {
				args[1] = "" // address is NOT NULL
			}
			exec(stmt, args...)
		}
	}
	for i, r := range ds.hostGroups {
		var id string
		if e.text {
			id = insert("INSERT INTO crews (id, name, ext_id, created, modified) VALUES (?, ?, ?, ?, ?)",
				r.id, r.name, r.externalID, at(r), at(r))
		} else {
			id = insert("INSERT INTO teams (org_id, name, scim_external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
				"acme", r.name, r.externalID, at(r), at(r))
		}
		groups[id] = len(ds.groups) + i
		seen := map[string]bool{}
		for _, m := range r.members {
			member := userIDs[m]
			if member == "" || seen[member] {
				continue
			}
			seen[member] = true
			if e.text {
				exec("INSERT INTO crew_members (crew_id, person_id) VALUES (?, ?)", id, member)
			} else {
				exec("INSERT INTO team_members (team_id, account_id) VALUES (?, ?)", key(id), key(member))
			}
		}
	}
}

// base reads every resource of a type through the store's unfiltered
// list, in its order, checks that they are the ones created, and fills in
// meta.location as the server presents it.
func (e *diffEnv) base(t testing.TB, typ string, want map[string]int) ([]*resource.Resource, bool) {
	h := e.store.Handler(typ)
	page, err := h.List(context.Background(), &scim.Query{StartIndex: 1, Count: 1 << 20})
	if err != nil {
		t.Fatalf("%s: listing every %s: %v", e.name, typ, err)
	}
	got := map[string]bool{}
	for _, r := range page.Resources {
		got[r.ID] = true
		r.Meta.Location = "https://example.com/scim/v2" + h.Type().Endpoint + "/" + url.PathEscape(r.ID)
	}
	missing := false
	for id := range want {
		missing = missing || !got[id]
	}
	if len(got) != len(want) || missing || page.TotalResults != len(want) {
		t.Errorf("%s: the unfiltered list of %s has %d resources %v (totalResults %d), want the %d created: %v",
			e.name, typ, len(got), got, page.TotalResults, len(want), want)
		return nil, false
	}
	return page.Resources, true
}

// makeValuePools collects the values of the resources as stored, in the order
// they were created (which does not depend on the database).
func makeValuePools(users, groups []*resource.Resource, userIdx, groupIdx map[string]int) valuePools {
	p := valuePools{
		pGroupType:    {"direct", "indirect", "Direct"},
		pVersion:      {`W/"1"`, `W/"2"`, `w/"1"`, "1"},
		pResourceType: {"User", "Group", "user", "GROUP"},
		pLocation:     {"https://example.com/scim/v2/Users", "https://example.com/scim/v2/Groups/"},
	}
	add := func(k valuePool, v any) {
		if s, ok := v.(string); ok {
			p[k] = append(p[k], s)
		}
	}
	users = slices.Clone(users)
	slices.SortFunc(users, func(a, b *resource.Resource) int { return userIdx[a.ID] - userIdx[b.ID] })
	groups = slices.Clone(groups)
	slices.SortFunc(groups, func(a, b *resource.Resource) int { return groupIdx[a.ID] - groupIdx[b.ID] })
	for _, r := range users {
		a := r.Attributes
		add(pUserID, r.ID)
		add(pUserExt, r.ExternalID)
		add(pLocation, r.Meta.Location)
		add(pUserName, a["userName"])
		add(pDisplay, a["displayName"])
		add(pNick, a["nickName"])
		if m, ok := a["name"].(map[string]any); ok {
			add(pFormatted, m["formatted"])
		}
		if m, ok := a[schema.EnterpriseUserURN].(map[string]any); ok {
			add(pDept, m["department"])
		}
		list, _ := a["emails"].([]any)
		for _, v := range list {
			m, _ := v.(map[string]any)
			add(pEmail, m["value"])
			add(pEmailType, m["type"])
			add(pEmailDisplay, m["display"])
		}
	}
	for _, r := range groups {
		add(pGroupID, r.ID)
		add(pGroupExt, r.ExternalID)
		add(pGroupName, r.Attributes["displayName"])
		add(pLocation, r.Meta.Location)
	}
	return p
}

// listResult is a list response: its status, totalResults and the ids of its
// page.
type listResult struct {
	status int
	total  int
	ids    []string
}

// check runs a query through the server and compares its response with
// the oracle's.
func (e *diffEnv) check(t testing.TB, d dquery, users, groups []*resource.Resource) bool {
	t.Helper()
	v := url.Values{}
	for _, p := range [][2]string{{"filter", d.filter}, {"sortBy", d.sortBy}, {"sortOrder", d.sortOrder}, {"startIndex", d.start}, {"count", d.count}} {
		if p[1] != "" {
			v.Set(p[0], p[1])
		}
	}
	target := d.endpoint + "?" + v.Encode()
	code, doc := call(t, e.srv, "", "GET", target, "")
	got := listResult{status: code}
	if code == 200 {
		total, _ := doc["totalResults"].(float64)
		got.total = int(total)
		got.ids = ids(doc)
		if n, _ := doc["itemsPerPage"].(float64); int(n) != len(got.ids) {
			t.Errorf("%s: GET %s: itemsPerPage %v for %d resources", e.name, target, doc["itemsPerPage"], len(got.ids))
			return false
		}
	}
	want := e.oracle(t, d, users, groups)
	if got.status == want.status && (got.status != 200 || got.total == want.total && slices.Equal(got.ids, want.ids)) {
		return true
	}
	detail := ""
	if code != 200 {
		detail = fmt.Sprint(doc)
	}
	t.Errorf("%s: GET %s\n\tfilter=%s sortBy=%s sortOrder=%s startIndex=%s count=%s\n\tgot  %d, totalResults %d, ids %q %s\n\twant %d, totalResults %d, ids %q\n%s",
		e.name, d.endpoint, d.filter, d.sortBy, d.sortOrder, d.start, d.count,
		got.status, got.total, got.ids, detail, want.status, want.total, want.ids, e.explain(got.ids, want.ids, users, groups))
	return false
}

// explain shows the resources on one page and not the other, or, if both
// pages hold the same ones, those of both.
func (e *diffEnv) explain(got, want []string, users, groups []*resource.Resource) string {
	var show []string
	for _, id := range got {
		if !slices.Contains(want, id) {
			show = append(show, id)
		}
	}
	for _, id := range want {
		if !slices.Contains(got, id) {
			show = append(show, id)
		}
	}
	if len(show) == 0 {
		show = want
	}
	var b strings.Builder
	for i, id := range show {
		if i == 8 {
			b.WriteString("\t...\n")
			break
		}
		for _, r := range users {
			if r.ID == id {
				fmt.Fprintf(&b, "\tUser %s\n", resource.Marshal(e.store.Handler("User").Type(), r, nil))
			}
		}
		for _, r := range groups {
			if r.ID == id {
				fmt.Fprintf(&b, "\tGroup %s\n", resource.Marshal(e.store.Handler("Group").Type(), r, nil))
			}
		}
	}
	return b.String()
}

// listPart is the share of one resource type in the oracle's answer.
type listPart struct {
	h     *sqlstore.Handler
	all   []*resource.Resource
	flt   *filter.Filter
	srt   *filter.Sort
	match []*resource.Resource
}

// oracle computes the response to d: it resolves the filter and sort as
// the server does (list.go, search.go), filters with Filter.Match, sorts
// as described at the top of this file, and pages.
func (e *diffEnv) oracle(t testing.TB, d dquery, users, groups []*resource.Resource) listResult {
	bad := listResult{status: 400}
	const defaultPageSize, maxPageSize = 100, 1000
	start, count := 1, defaultPageSize
	if d.start != "" {
		n, _ := strconv.Atoi(d.start)
		start = max(n, 1)
	}
	if d.count != "" {
		n, _ := strconv.Atoi(d.count)
		count = min(max(n, 0), maxPageSize)
	}
	parts := []*listPart{{h: e.store.Handler("User"), all: users}, {h: e.store.Handler("Group"), all: groups}}
	switch d.endpoint {
	case "/Users":
		parts = parts[:1]
	case "/Groups":
		parts = parts[1:]
	}
	root := d.endpoint == "/"
	var expr filter.Expr
	if d.filter != "" {
		var err error
		urns := parts[0].h.Type().SchemaURNs()
		if expr, err = (&filter.Parser{SchemaURNs: urns}).Parse(d.filter); err != nil {
			return bad
		}
	}
	var srt *filter.Sort
	defined := false
	for _, p := range parts {
		rt := p.h.Type()
		if expr != nil {
			var err error
			p.flt, err = filter.Resolve(rt, expr)
			if root && isUndefined(err) {
				p.flt, err = filter.ResolveAbsent(rt, expr)
			} else if err == nil {
				defined = true
			}
			if err != nil {
				return bad
			}
		}
		if d.sortBy != "" {
			var err error
			p.srt, err = filter.ResolveSort(rt, d.sortBy, d.sortOrder)
			switch {
			case root && isUndefined(err):
			case err != nil:
				return bad
			case srt == nil:
				srt = p.srt
			}
		}
	}
	if expr != nil && !defined || d.sortBy != "" && srt == nil {
		return bad
	}
	total := 0
	for _, p := range parts {
		for _, r := range p.all {
			if p.flt == nil || p.flt.Match(r) {
				p.match = append(p.match, r)
			}
		}
		if p.srt != nil {
			e.sort(t, p)
		}
		total += len(p.match)
	}
	var items []*resource.Resource
	for _, p := range parts {
		m := p.match
		if root && srt != nil {
			// The server merges the first startIndex+count of each type.
			m = m[:min(len(m), start-1+count)]
		}
		items = append(items, m...)
	}
	if root && srt != nil {
		if start > total {
			items = nil
		}
		slices.SortStableFunc(items, srt.Compare)
	}
	out := listResult{status: 200, total: total, ids: []string{}}
	if start-1 < len(items) {
		for _, r := range items[start-1 : min(start-1+count, len(items))] {
			out.ids = append(out.ids, r.ID)
		}
	}
	if len(out.ids) == 0 {
		out.ids = nil
	}
	return out
}

func isUndefined(err error) bool {
	var ae *filter.AttributeError
	return errors.As(err, &ae) && ae.Undefined
}

// sort sorts p's matches as the store does: by Sort.Compare, but for a
// multi-valued attribute sorted in SQL by its least value.
func (e *diffEnv) sort(t testing.TB, p *listPart) {
	cmp := p.srt.Compare
	if p.srt.Attr.Attr.MultiValued && len(p.match) > 1 {
		_, err := e.probe.Handler(p.h.Type().Name).List(context.Background(),
			&scim.Query{Filter: p.flt, Sort: p.srt, StartIndex: 1, Count: 1})
		var se *scim.Error
		switch {
		case errors.As(err, &se) && se.Type == scim.TooMany:
		default:
			// An error other than tooMany fails the request to the
			// server too, and is reported there.
			cmp = leastCompare(p.srt)
		}
	}
	slices.SortStableFunc(p.match, cmp)
}

// leastCompare compares resources by the least value of a multi-valued
// attribute, among its primary values if one is primary, as
// filter.SQL.OrderBy sorts: strings that are not caseExact by their Fold
// alone.
func leastCompare(srt *filter.Sort) func(a, b *resource.Resource) int {
	a := srt.Attr
	leaf := a.Leaf()
	hasPrimary := false
	if p := a.Attr.SubAttribute("primary"); p != nil && p.Type == schema.Boolean {
		hasPrimary = true
	}
	less := func(x, y any) int {
		switch x := x.(type) {
		case string:
			y := y.(string)
			if leaf.CaseExact {
				return strings.Compare(x, y)
			}
			return strings.Compare(filter.Fold(x), filter.Fold(y))
		case bool:
			switch y := y.(bool); {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
		panic(fmt.Sprintf("cannot compare %T", x))
	}
	key := func(r *resource.Resource) any {
		list, _ := r.Attributes[a.Attr.Name].([]any)
		var elems []map[string]any
		for _, v := range list {
			if m, ok := v.(map[string]any); ok {
				elems = append(elems, m)
			}
		}
		if hasPrimary {
			var primary []map[string]any
			for _, m := range elems {
				if m["primary"] == true {
					primary = append(primary, m)
				}
			}
			if len(primary) > 0 {
				elems = primary
			}
		}
		var least any
		for _, m := range elems {
			if v := m[a.Sub.Name]; v != nil && (least == nil || less(v, least) < 0) {
				least = v
			}
		}
		return least
	}
	return func(x, y *resource.Resource) int {
		kx, ky := key(x), key(y)
		switch {
		case kx == nil && ky == nil:
			return 0
		case kx == nil:
			return 1
		case ky == nil:
			return -1
		}
		c := less(kx, ky)
		if srt.Descending {
			return -c
		}
		return c
	}
}
