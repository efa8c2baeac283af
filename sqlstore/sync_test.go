package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/sqlstore"
)

// syncUsersEnv sets the number of users of TestInitialSync; it is 2,000
// when unset, so that the test stays fast.
const syncUsersEnv = "SCIM_SYNC_USERS"

// syncClients is the number of clients that send requests at once.
const syncClients = 4

// TestInitialSync is a bounded load test: an identity provider's first
// synchronisation of a directory of N users into an empty database, over a
// real HTTP server on 127.0.0.1, with syncClients clients at once:
//
//  1. users: for each, GET /Users?filter=userName eq "..." (finding
//     none), then POST /Users;
//  2. groups: N/100 of them, looked up by displayName and created alike;
//  3. memberships: each user joins 10 groups, 50 members per PATCH of a
//     group, the groups filled in turn, so that every group grows from
//     none to about 1,000 members during the phase;
//  4. deactivations: 5% of the users, by PATCH replace active false.
//
// It checks that every request succeeds and that the database ends up
// with exactly what was sent, and logs the figures: the time end to end,
// requests per second, p50 and p99 per kind of request, and the median
// latency of the first and the last tenth of each phase, which should be
// alike (targets: p99 under 20 ms, the last tenth within 1.3x of the first,
// PostgreSQL within 1.5x of SQLite). Timings are reported, not enforced.
//
//	SCIM_SYNC_USERS=100000 SCIM_TEST_POSTGRES_DSN=... go test -run TestInitialSync -v -timeout 2h ./sqlstore
func TestInitialSync(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test; it runs without -short")
	}
	n := 2000
	if v := os.Getenv(syncUsersEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			t.Fatalf("%s=%q: want a number of users of at least 1000", syncUsersEnv, v)
		}
	}
	totals := map[string]time.Duration{}
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			totals[d.name] = runSync(t, d, n)
		})
	}
	if s, p := totals["sqlite"], totals["postgres"]; s > 0 && p > 0 {
		t.Logf("%d users: PostgreSQL took %.2fx the time of SQLite (target <= 1.5x)", n, p.Seconds()/s.Seconds())
	}
}

// syncSample is one request's latency.
type syncSample struct {
	kind string
	seq  int // the request's job's place in its phase
	took time.Duration
}

// syncRun is one synchronisation against a server.
type syncRun struct {
	t      *testing.T
	base   string
	client *http.Client
	ctx    context.Context
}

func runSync(t *testing.T, d database, n int) time.Duration {
	db := d.open(t)
	exec(t, db, appSchema(d.dialect)...)
	ctx := context.Background()
	s, err := sqlstore.New(ctx, sqlstore.Config{DB: db, Dialect: d.dialect, Types: appTypes(), Tenant: tenantOf})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	// As the store's documentation advises: keep as many connections
	// as requests run at once, and on SQLite checkpoint beside the
	// writer.
	db.SetMaxIdleConns(syncClients)
	if d.dialect == sqlstore.SQLite {
		ckpt, stop := context.WithCancel(ctx)
		defer stop()
		go sqlstore.CheckpointSQLite(ckpt, db, 25*time.Millisecond)
	}
	srv, err := scim.NewServer(scim.Config{Endpoints: s.Endpoints(), PatchNoContent: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv) // listens on 127.0.0.1
	defer hs.Close()
	// Bounded in time as in count: stop before the test binary's deadline.
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-30*time.Second))
		defer cancel()
	}
	tr := &http.Transport{MaxIdleConnsPerHost: syncClients, MaxConnsPerHost: syncClients}
	defer tr.CloseIdleConnections()
	r := &syncRun{t: t, base: hs.URL, client: &http.Client{Transport: tr, Timeout: time.Minute}, ctx: ctx}

	groups := n / 100
	userIDs := make([]string, n)
	groupIDs := make([]string, groups)
	start := time.Now()
	var all []syncSample

	// 1. Users.
	all = append(all, r.phase("users", n, func(i int, rec func(string, time.Duration)) error {
		name := fmt.Sprintf("user%d@example.com", i)
		if err := r.lookup(rec, "GET /Users?filter", "/Users", `userName eq "`+name+`"`); err != nil {
			return err
		}
		id, err := r.create(rec, "POST /Users", "/Users", syncUser(name, i))
		userIDs[i] = id
		return err
	})...)
	// 2. Groups.
	all = append(all, r.phase("groups", groups, func(i int, rec func(string, time.Duration)) error {
		name := fmt.Sprintf("Group %d", i)
		if err := r.lookup(rec, "GET /Groups?filter", "/Groups", `displayName eq "`+name+`"`); err != nil {
			return err
		}
		id, err := r.create(rec, "POST /Groups", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":`+jsonString(name)+`,"externalId":"g-`+strconv.Itoa(i)+`"}`)
		groupIDs[i] = id
		return err
	})...)
	// 3. Memberships: user u joins groups u+j*step (mod groups), j < 10.
	if t.Failed() {
		return 0
	}
	step := groups / 10
	members := make([][]string, groups)
	for u := range n {
		for j := range 10 {
			g := (u + j*step) % groups
			members[g] = append(members[g], userIDs[u])
		}
	}
	type batch struct {
		group string
		ids   []string
	}
	var batches []batch
	for k := 0; ; k++ {
		added := false
		for g, ms := range members {
			if lo := k * 50; lo < len(ms) {
				batches = append(batches, batch{groupIDs[g], ms[lo:min(lo+50, len(ms))]})
				added = true
			}
		}
		if !added {
			break
		}
	}
	all = append(all, r.phase("memberships", len(batches), func(i int, rec func(string, time.Duration)) error {
		vals := make([]string, len(batches[i].ids))
		for k, id := range batches[i].ids {
			vals[k] = `{"value":"` + id + `"}`
		}
		return r.patch(rec, "PATCH /Groups (50 members)", "/Groups/"+batches[i].group,
			`{"op":"add","path":"members","value":[`+strings.Join(vals, ",")+`]}`)
	})...)
	// 4. Deactivations: every 20th user.
	all = append(all, r.phase("deactivations", n/20, func(i int, rec func(string, time.Duration)) error {
		return r.patch(rec, "PATCH /Users (active)", "/Users/"+userIDs[i*20], `{"op":"replace","path":"active","value":false}`)
	})...)
	took := time.Since(start)
	if t.Failed() {
		return 0
	}

	t.Logf("%d users, %d groups, %d memberships: %d requests in %v, %.0f requests/s",
		n, groups, 10*n, len(all), took.Round(time.Millisecond), float64(len(all))/took.Seconds())
	byKind := map[string][]time.Duration{}
	var kinds []string
	for _, s := range all {
		if byKind[s.kind] == nil {
			kinds = append(kinds, s.kind)
		}
		byKind[s.kind] = append(byKind[s.kind], s.took)
	}
	for _, k := range kinds {
		ds := byKind[k]
		slices.Sort(ds)
		p99 := ds[(len(ds)*99+99)/100-1]
		t.Logf("  %-26s %7d requests  p50 %8v  p99 %8v  max %8v", k, len(ds), ds[len(ds)/2].Round(time.Microsecond), p99.Round(time.Microsecond), ds[len(ds)-1].Round(time.Microsecond))
	}

	// What was sent is what is stored.
	for _, c := range []struct {
		what  string
		query string
		want  int
	}{
		{"users", "SELECT COUNT(*) FROM accounts", n},
		{"groups", "SELECT COUNT(*) FROM teams", groups},
		{"memberships", "SELECT COUNT(*) FROM team_members", 10 * n},
		{"inactive users", "SELECT COUNT(*) FROM accounts WHERE NOT is_active", n / 20},
	} {
		var got int
		if err := db.QueryRow(c.query).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%d %s stored, want %d", got, c.what, c.want)
		}
	}
	return took
}

func syncUser(name string, i int) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"e-` + strconv.Itoa(i) + `","userName":` + jsonString(name) + `,"active":true,` +
		`"name":{"formatted":"User ` + strconv.Itoa(i) + `"},` +
		`"emails":[{"value":` + jsonString(name) + `,"type":"work","primary":true}],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Dept ` + strconv.Itoa(i%50) + `"}}`
}

// phase runs jobs 0..count-1 on syncClients clients in order, and returns
// the latencies of their requests; it logs the phase's figures.
func (r *syncRun) phase(name string, count int, job func(i int, rec func(kind string, took time.Duration)) error) []syncSample {
	t := r.t
	if t.Failed() || count == 0 {
		return nil
	}
	jobs := make(chan int)
	results := make([][]syncSample, syncClients)
	var wg sync.WaitGroup
	var failed sync.Once
	stop := make(chan struct{})
	start := time.Now()
	for c := range syncClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rec := func(kind string, took time.Duration) {
					results[c] = append(results[c], syncSample{kind, i, took})
				}
				if err := job(i, rec); err != nil {
					failed.Do(func() {
						t.Errorf("%s, job %d: %v", name, i, err)
						close(stop)
					})
					return
				}
			}
		}()
	}
feed:
	for i := range count {
		select {
		case jobs <- i:
		case <-stop:
			break feed
		case <-r.ctx.Done():
			t.Errorf("%s: stopped after %d of %d jobs: %v", name, i, count, r.ctx.Err())
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)
	var out []syncSample
	for _, rs := range results {
		out = append(out, rs...)
	}
	if t.Failed() {
		return out
	}
	t.Logf("phase %s: %d jobs, %d requests in %v, %.0f requests/s", name, count, len(out), took.Round(time.Millisecond), float64(len(out))/took.Seconds())
	// The first and the last tenth of the jobs, per kind of request.
	tenth := max(count/10, 1)
	first, last := map[string][]time.Duration{}, map[string][]time.Duration{}
	var kinds []string
	for _, s := range out {
		if first[s.kind] == nil && last[s.kind] == nil {
			kinds = append(kinds, s.kind)
		}
		switch {
		case s.seq < tenth:
			first[s.kind] = append(first[s.kind], s.took)
		case s.seq >= count-tenth:
			last[s.kind] = append(last[s.kind], s.took)
		}
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		f, l := median(first[k]), median(last[k])
		t.Logf("  %-26s first tenth p50 %8v  last tenth p50 %8v  last/first %.2f (target <= 1.3)",
			k, f.Round(time.Microsecond), l.Round(time.Microsecond), l.Seconds()/f.Seconds())
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// do sends one request and returns its status and body, recording its
// latency under kind.
func (r *syncRun) do(rec func(string, time.Duration), kind, method, path, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(r.ctx, method, r.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	rec(kind, time.Since(start))
	return resp.StatusCode, b, err
}

// lookup finds that no resource matches the filter.
func (r *syncRun) lookup(rec func(string, time.Duration), kind, path, f string) error {
	code, b, err := r.do(rec, kind, http.MethodGet, path+"?filter="+url.QueryEscape(f), "")
	if err != nil {
		return err
	}
	var list struct {
		TotalResults int `json:"totalResults"`
	}
	if code != http.StatusOK || json.Unmarshal(b, &list) != nil || list.TotalResults != 0 {
		return fmt.Errorf("GET %s filter %s: %d %s, want 200 and no resource", path, f, code, b)
	}
	return nil
}

// create POSTs body and returns the new resource's id.
func (r *syncRun) create(rec func(string, time.Duration), kind, path, body string) (string, error) {
	code, b, err := r.do(rec, kind, http.MethodPost, path, body)
	if err != nil {
		return "", err
	}
	var res struct {
		ID string `json:"id"`
	}
	if code != http.StatusCreated || json.Unmarshal(b, &res) != nil || res.ID == "" {
		return "", fmt.Errorf("POST %s: %d %s, want 201", path, code, b)
	}
	return res.ID, nil
}

// patch sends one PATCH operation.
func (r *syncRun) patch(rec func(string, time.Duration), kind, path, op string) error {
	code, b, err := r.do(rec, kind, http.MethodPatch, path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+op+`]}`)
	if err != nil {
		return err
	}
	if code != http.StatusNoContent && code != http.StatusOK {
		return fmt.Errorf("PATCH %s: %d %s, want 204", path, code, b)
	}
	return nil
}
