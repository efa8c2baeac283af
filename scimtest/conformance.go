package scimtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/patch"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Store is what Run and TestHandlers check: a store's User and Group
// endpoints over fresh, empty storage, and how to reach its tenants and its
// contents.
type Store struct {
	// Users and Groups are the store's User and Group endpoints, with the
	// resource types as the store serves them: their Endpoint must be
	// "/Users" and "/Groups", and their core schemas schema.UserURN and
	// schema.GroupURN. A type may be cut down to the attributes the store
	// keeps (schema.ResourceType.Subset). A case that needs an attribute a
	// type lacks is skipped, with t.Skip naming the attribute (in
	// TestHandlers, it is not run, and that is not an error).
	Users, Groups scim.Endpoint

	// Tenant, when not nil, says the store is tenanted: it returns ctx as a
	// request of tenant n (0 or 1) arrives at the handlers, as the host's
	// middleware would make it, for example with the tenant's id as a
	// context value. Every case runs as tenant 0; the tenant-isolation case
	// checks that tenant 1 sees none of tenant 0's resources and can reuse
	// its userNames. When nil, that case is skipped.
	Tenant func(ctx context.Context, n int) context.Context

	// Dump, when not nil, returns everything the store keeps, as text (a
	// database's rows, say); the password-storage case checks that no
	// password appears in it as it was sent. It is called with tenant 0's
	// context.
	Dump func(ctx context.Context) (string, error)
}

// Run tests that the handlers of a store, wired into a scim.Server as the
// User and Group endpoints, behave as RFC 7643, RFC 7644 and the contract
// of scim.ResourceHandler demand: create, read, replace and delete
// (RFC 7644 §3.3 to §3.6), uniqueness of userName, versions and
// conditional requests (§3.14), filters of every operator on strings,
// booleans, dateTimes and multi-valued attributes (§3.4.2.2), sorting
// (§3.4.2.3) and stable paging (§3.4.2.4), PATCH (§3.5.2), Bulk (§3.7),
// userName compared under Unicode case folding in uniqueness, filters and
// sorting (RFC 7643 §2.2), passwords never returned nor stored as sent
// (RFC 7643 §4.1.1, §9.2), tenant isolation (RFC 7644 §6), concurrent
// writers, and what the handler itself must return: the sentinel errors,
// atomic compare-and-swap writes and resources that do not share memory
// with the store. It runs each case in a subtest whose failures name the
// rule broken and the section of the RFC or the interface it comes from.
//
// For each case Run calls newStore with the case's subtest; newStore
// returns a Store over fresh, empty storage. It may use t, for example to
// register a t.Cleanup that drops a database, or to call t.Skip. Run then
// builds a Server over Store.Users and Store.Groups and drives it through
// ServeHTTP as a client would, with httptest, and calls the handlers
// directly where the contract is about the handler.
//
// A store that keeps only some attributes serves resource types cut down
// with schema.ResourceType.Subset, and the cases work with the types as
// served: they send, and expect back, only the attributes a type has. A
// case that needs an attribute a type lacks, such as password or a group's
// members, is skipped, with t.Skip naming it; a check within a case that
// needs one is left out, and t.Log says so. The other cases need only
// userName and displayName, which a cut-down type keeps since they are
// required, and the common attributes id, externalId and meta.
//
// A tenanted store sets Store.Tenant. Each request then passes through a
// middleware that puts tenant 0 in its context, as the host's middleware
// would, and the handlers are called directly with that same context; the
// tenant-isolation case acts as tenant 1 as well. For a store that reads
// its tenant from a context key:
//
//	scimtest.Run(t, func(t *testing.T) *scimtest.Store {
//		db := openEmptyTestDatabase(t)
//		users, groups := schema.UserResourceType(), schema.GroupResourceType()
//		return &scimtest.Store{
//			Users:  scim.Endpoint{Type: users, Handler: NewUserStore(db, users)},
//			Groups: scim.Endpoint{Type: groups, Handler: NewGroupStore(db, groups)},
//			Tenant: func(ctx context.Context, n int) context.Context {
//				return context.WithValue(ctx, tenantKey{}, "tenant-"+strconv.Itoa(n))
//			},
//		}
//	})
//
// A handler that also implements scim.Patcher is tested through it; to test
// a store's PATCH through scim.ResourceHandler.Replace as well, run the suite
// again with the handler wrapped in a struct that embeds only
// scim.ResourceHandler.
//
// The cases do not depend on the form of ids or versions, nor on the
// resolution of timestamps, and they take well under a second against
// MemoryHandler. They do not call t.Parallel, so a store that shares one
// database among the cases needs no isolation beyond emptying it. A host
// that knowingly fails a case can leave it out with go test -skip, as in
// -skip 'TestStore/sort$', or with t.Skip in newStore, which sees the
// case's name in t.Name().
func Run(t *testing.T, newStore func(t *testing.T) *Store) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			if why := c.skip(t, st); why != "" {
				t.Skip(why)
			}
			c.run(newSuite(t, st))
		})
	}
}

// TestHandlers runs the cases of Run without package testing, for a host
// that checks its store from a program of its own. It calls newStore once
// per case, as Run does; an error from newStore fails that case. A case
// that Run would skip is not run, and is not an error. TestHandlers returns
// nil when every case run passes, and otherwise one error per failed
// check, each prefixed with its case's name, combined with errors.Join.
//
// A panic in a handler called directly by a case is reported as a failure
// of that case; one in a handler serving a request is answered with 500 by
// the server, which the case reports.
func TestHandlers(newStore func() (*Store, error)) error {
	return testHandlers(newStore, "")
}

// testHandlers runs the case called only, or every case when only is "".
func testHandlers(newStore func() (*Store, error), only string) error {
	var errs []error
	for _, c := range cases {
		if only != "" && c.name != only {
			continue
		}
		col := &collector{name: c.name}
		isolated(col, func() {
			st, err := newStore()
			if err != nil {
				col.Errorf("newStore: %v", err)
				return
			}
			if why := c.skip(col, st); why != "" {
				return
			}
			c.run(newSuite(col, st))
		})
		errs = append(errs, col.errs...)
	}
	return errors.Join(errs...)
}

// isolated runs f on a goroutine of its own and waits for it, so that a
// FailNow of rep, which ends the goroutine as t.FailNow does, ends only f,
// and reports a panic in f to rep as a failure.
func isolated(rep reporter, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				rep.Errorf("panic: %v", v)
			}
		}()
		f()
	}()
	<-done
}

// reporter is what a case needs of a *testing.T. Errorf and Logf are safe
// for concurrent use; FailNow is called only from the case's goroutine.
type reporter interface {
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	FailNow()
}

// collector is the reporter of TestHandlers.
type collector struct {
	name string
	mu   sync.Mutex
	errs []error
}

func (c *collector) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Errorf("%s: %s", c.name, fmt.Sprintf(format, args...)))
}

func (c *collector) Logf(string, ...any) {}

func (c *collector) FailNow() { runtime.Goexit() }

// logWriter passes the server's log lines to a reporter.
type logWriter struct{ r reporter }

func (w logWriter) Write(p []byte) (int, error) {
	w.r.Logf("%s", strings.TrimSpace(string(p)))
	return len(p), nil
}

// A rule is one requirement the suite checks, and where it comes from.
type rule struct {
	ref  string // such as "RFC 7644 §3.3" or "scim.ResourceHandler"
	text string // what it demands
}

// The rules, by topic. A failure is reported as what was observed, then
// the rule's text and reference.
var (
	ruleCreate       = rule{"RFC 7644 §3.3", "a POST that creates a resource answers 201 Created with the resource as stored"}
	ruleCreateID     = rule{"RFC 7643 §3.1", "the service provider gives every resource a non-empty id"}
	ruleLocation     = rule{"RFC 7644 §3.3", "a 201 response has a Location header equal to meta.location, the URI of the resource"}
	ruleMeta         = rule{"RFC 7643 §3.1", "meta has resourceType, created, lastModified and version, and lastModified equals created until the resource is modified"}
	ruleETag         = rule{"RFC 7644 §3.14", "a response with a resource has an ETag header equal to its meta.version"}
	ruleKeep         = rule{"RFC 7643 §4.1, §4.3, scim.ResourceHandler", "the store keeps every attribute value of the User type it serves, core and enterprise extension, that it is given, and returns it as given"}
	ruleGet          = rule{"RFC 7644 §3.4.1", "GET of a resource answers 200 with the resource as it was last written"}
	ruleNotFound     = rule{"RFC 7644 §3.4.1, §3.12", "a request for a resource that does not exist is answered with 404 and a SCIM error"}
	ruleIDCaseExact  = rule{"RFC 7643 §3.1", "id is caseExact: the id of a resource in another case names no resource"}
	ruleReadOnly     = rule{"RFC 7644 §3.14", "reading a resource does not change its version"}
	ruleReplace      = rule{"RFC 7644 §3.5.1", "PUT replaces the resource: attributes the body omits are removed, id and meta.created are kept"}
	ruleDelete       = rule{"RFC 7644 §3.6", "DELETE answers 204 No Content, and then the resource is not found and not listed"}
	ruleList         = rule{"RFC 7644 §3.4.2", "a list response counts every matching resource in totalResults and returns them in Resources"}
	ruleUnique       = rule{"RFC 7643 §4.1.1, RFC 7644 §3.3", "userName is unique among users, compared case-insensitively: a POST that repeats one is 409 uniqueness and stores nothing"}
	ruleUniqueWrite  = rule{"RFC 7643 §4.1.1, RFC 7644 §3.5.1, §3.5.2", "a PUT or PATCH that gives a user another user's userName is 409 uniqueness and changes nothing"}
	ruleUniqueSelf   = rule{"RFC 7643 §4.1.1", "a resource does not conflict with itself: a user may change the case of its own userName"}
	ruleUniqueFreed  = rule{"RFC 7643 §4.1.1", "a userName that was changed or deleted is free for another user"}
	ruleUniqueRace   = rule{"RFC 7643 §4.1.1, RFC 7644 §3.3", "uniqueness holds under concurrency: of simultaneous POSTs of one userName exactly one succeeds"}
	ruleVersion      = rule{"RFC 7644 §3.14, RFC 7643 §3.1", "every write gives the resource a version it has not had before"}
	ruleTimestamps   = rule{"RFC 7643 §3.1", "meta.created never changes, and meta.lastModified never goes back"}
	ruleNotModified  = rule{"RFC 7644 §3.14, RFC 7232 §3.2", "GET with If-None-Match naming the current version answers 304 Not Modified; naming another, 200"}
	ruleStale        = rule{"RFC 7644 §3.14, RFC 7232 §3.1", "PUT, PATCH and DELETE with If-Match naming an older version answer 412 Precondition Failed and change nothing"}
	ruleIfMatch      = rule{"RFC 7644 §3.14", "PUT, PATCH and DELETE with If-Match naming the current version succeed"}
	ruleLostUpdate   = rule{"RFC 7644 §3.14", "concurrent PATCHes of one resource are all applied: none overwrites another's change"}
	ruleFilter       = rule{"RFC 7644 §3.4.2.2", "a filter selects exactly the resources it matches, and totalResults counts them"}
	ruleFilterCase   = rule{"RFC 7644 §3.4.2.2, RFC 7643 §2.2", "strings compare case-insensitively unless the attribute is caseExact, as id and externalId are"}
	ruleFilterMulti  = rule{"RFC 7644 §3.4.2.2", "a filter on a multi-valued attribute matches when any value matches; a value path, when one value satisfies the whole bracketed filter"}
	ruleFilterLogic  = rule{"RFC 7644 §3.4.2.2", "and, or and not combine filters, with not binding tightest and then and"}
	ruleFilterNe     = rule{"RFC 7644 §3.4.2.2 (filter.Filter.Match)", "ne is the negation of eq, so it matches resources without the attribute"}
	ruleFilterTime   = rule{"RFC 7644 §3.4.2.2, RFC 7643 §2.3.5", "dateTimes compare chronologically, whatever the offset they are written with"}
	ruleSort         = rule{"RFC 7644 §3.4.2.3", "sortBy orders ascending, or descending with sortOrder, strings case-insensitively unless caseExact, and totalResults is unchanged"}
	ruleSortMissing  = rule{"RFC 7644 §3.4.2.3 (filter.Sort.Compare)", "resources without a value for sortBy come last in either order"}
	rulePaging       = rule{"RFC 7644 §3.4.2.4, scim.ResourceHandler.List", "pages of startIndex and count list every matching resource exactly once, in one stable order, and report the same totalResults"}
	rulePageFields   = rule{"RFC 7644 §3.4.2", "itemsPerPage is the number of resources in the page, and startIndex is the one requested"}
	ruleCountZero    = rule{"RFC 7644 §3.4.2.4", "count=0 returns no resources, only totalResults"}
	rulePastEnd      = rule{"RFC 7644 §3.4.2.4", "a startIndex past the last result returns no resources, with totalResults"}
	rulePatchAdd     = rule{"RFC 7644 §3.5.2.1", "add sets an attribute, adds values to a multi-valued one (a value already there is not added twice) and merges the sub-attributes of a complex one"}
	rulePatchReplace = rule{"RFC 7644 §3.5.2.3", "replace sets an attribute or sub-attribute, replaces all values of a multi-valued one, or just those its value filter selects, and leaves sub-attributes it does not name"}
	rulePatchRemove  = rule{"RFC 7644 §3.5.2.2", "remove deletes an attribute, a sub-attribute, all values of a multi-valued one, or the values its filter selects"}
	rulePatchMembers = rule{"RFC 7644 §3.5.2", "PATCH adds, removes and replaces a group's members, one or many at a time, by value or by a value filter"}
	rulePatchResult  = rule{"RFC 7644 §3.5.2", "a PATCH answers 200 with the resource as stored after its operations"}
	ruleNoTarget     = rule{"RFC 7644 §3.5.2.2, §3.5.2.3", "remove without a path, and a replace whose value filter matches nothing and has no eq terms to create a value from (patch.Operation.NoTarget), are 400 noTarget"}
	ruleMutability   = rule{"RFC 7644 §3.5.2, §3.12", "a PATCH of a readOnly attribute such as id or groups is 400 mutability"}
	ruleRequired     = rule{"RFC 7643 §2.2, RFC 7644 §3.12", "removing a required attribute is 400 invalidValue"}
	ruleAtomic       = rule{"RFC 7644 §3.5.2", "a PATCH is atomic: when one operation fails, the resource is left as it was"}
	ruleBulkRef      = rule{"RFC 7644 §3.7.2", "a bulkId reference becomes the id of the resource another operation of the request created"}
	ruleBulkResult   = rule{"RFC 7644 §3.7.3", "each operation of a bulk request reports its own status, location and version; one that fails reports its error and the others are applied"}
	rulePassword     = rule{"RFC 7643 §4.1.1, §7", "password is returned never: no response carries it, whatever attributes asks for"}

	ruleUniqueFold = rule{"RFC 7643 §4.1.1, §2.2, RFC 7644 §3.3", "userName is not caseExact, so uniqueness compares userNames by Unicode simple case folding (filter.Fold): \"ÄBC\" and \"äbc\", the Kelvin sign and \"k\", \"ǅ\", \"ǆ\" and \"Ǆ\", \"ß\" and \"ẞ\" make one userName, and \"ß\" and \"ss\" two"}
	ruleFilterFold = rule{"RFC 7644 §3.4.2.2, RFC 7643 §2.2", "a filter compares strings that are not caseExact by Unicode simple case folding, as filter.Filter.Match does: userName eq \"ÄBC\" finds \"äbc\" and not \"abc\""}
	ruleSortFold   = rule{"RFC 7644 §3.4.2.3, RFC 7643 §2.2", "sortBy orders strings that are not caseExact by their Unicode case folding, as filter.Sort.Compare does"}

	rulePasswordStored = rule{"RFC 7643 §9.2, §4.1.1", "a password is never kept as sent, only a hash of it: no resource Get or List returns carries the clear text, nor does anything the store keeps"}

	ruleTenantRead   = rule{"RFC 7644 §6", "a tenant cannot read, change or delete another tenant's resources: to it they do not exist (404)"}
	ruleTenantList   = rule{"RFC 7644 §6", "a tenant's lists, filters and counts see none of another tenant's resources"}
	ruleTenantUnique = rule{"RFC 7644 §6, RFC 7643 §4.1.1", "userName is unique within a tenant: another tenant may take the same one"}
	ruleTenantRef    = rule{"RFC 7644 §6", "a group of one tenant never holds a member of another: such a member is refused with 400 or left out"}

	ruleHandlerNotFound = rule{"scim.ResourceHandler", "Get, Replace, Delete and Patch of an id that does not exist, deleted or malformed, return an error wrapping scim.ErrNotFound"}
	ruleHandlerUnique   = rule{"scim.ResourceHandler", "Create and Replace that break a uniqueness rule return an error wrapping scim.ErrUniqueness"}
	ruleHandlerVersion  = rule{"scim.ResourceHandler, RFC 7644 §3.14", "Replace, Delete and Patch conditioned on a version no longer stored return an error wrapping scim.ErrVersionMismatch and change nothing"}
	ruleHandlerCAS      = rule{"scim.ResourceHandler, RFC 7644 §3.14", "a conditional Replace is one atomic compare-and-swap: of concurrent Replaces conditioned on one version exactly one succeeds"}
	ruleHandlerMeta     = rule{"scim.ResourceHandler", "Create assigns the ID and sets Meta.Created, Meta.LastModified and Meta.Version; Replace keeps the ID and Meta.Created and sets a new Meta.Version"}
	ruleHandlerSnapshot = rule{"scim.ResourceHandler", "a write never changes a resource the handler returned before, nor a map or slice in it: the server reads it after the call, without a lock"}
)

// A testCase is one case of the suite, and the attributes it needs.
type testCase struct {
	name   string
	about  rule     // what the case checks, for CheckEndpoint's report
	users  []string // attribute paths of the User type the case needs
	groups []string // attribute paths of the Group type the case needs
	tenant bool     // the case needs Store.Tenant
	// direct says the case calls the handlers directly, or needs to see
	// the storage: CheckEndpoint, which reaches a service over HTTP only,
	// does not run it.
	direct bool
	// features are the features of /ServiceProviderConfig (RFC 7643 §5)
	// the case needs, besides filter; CheckEndpoint skips it against a
	// service that says it lacks one.
	features []string
	run      func(s *suite)
}

var cases = []testCase{
	{name: "create", about: ruleCreate, run: (*suite).testCreate},
	{name: "get", about: ruleGet, run: (*suite).testGet},
	{name: "replace", about: ruleReplace, run: (*suite).testReplace},
	{name: "delete", about: ruleDelete, features: []string{"patch"}, run: (*suite).testDelete},
	{name: "empty-list", about: ruleList, run: (*suite).testEmptyList},
	{name: "uniqueness", about: ruleUnique, features: []string{"patch"}, run: (*suite).testUniqueness},
	{name: "uniqueness-race", about: ruleUniqueRace, run: (*suite).testUniquenessRace},
	{name: "uniqueness-unicode", about: ruleUniqueFold, features: []string{"patch"}, run: (*suite).testUniquenessUnicode},
	{name: "versions", about: ruleVersion, features: []string{"patch"}, run: (*suite).testVersions},
	{name: "conditional-requests", about: ruleStale, features: []string{"etag", "patch"}, run: (*suite).testConditional},
	{name: "concurrent-writers", about: ruleLostUpdate, features: []string{"patch"}, run: (*suite).testConcurrentWriters},
	{name: "filter-users", about: ruleFilter, run: (*suite).testFilterUsers},
	{name: "filter-groups", about: ruleFilterMulti, run: (*suite).testFilterGroups},
	{name: "filter-datetime", about: ruleFilterTime, features: []string{"patch"}, run: (*suite).testFilterDateTime},
	{name: "filter-unicode", about: ruleFilterFold, features: []string{"sort"}, run: (*suite).testFilterUnicode},
	{name: "sort", about: ruleSort, features: []string{"sort"}, run: (*suite).testSort},
	{name: "paging", about: rulePaging, features: []string{"sort"}, run: (*suite).testPaging},
	{name: "patch-add", about: rulePatchAdd, features: []string{"patch"}, run: (*suite).testPatchAdd},
	{name: "patch-replace", about: rulePatchReplace, features: []string{"patch"}, run: (*suite).testPatchReplace},
	{name: "patch-remove", about: rulePatchRemove, features: []string{"patch"}, run: (*suite).testPatchRemove},
	{name: "patch-errors", about: ruleAtomic, features: []string{"patch"}, run: (*suite).testPatchErrors},
	{name: "patch-members", about: rulePatchMembers, groups: []string{"members.value"}, features: []string{"patch"}, run: (*suite).testPatchMembers},
	{name: "memberships", about: ruleGroupsOf, users: []string{"groups.value"}, groups: []string{"members.value"}, run: (*suite).testMemberships},
	{name: "bulk", about: ruleBulkResult, features: []string{"bulk"}, run: (*suite).testBulk},
	{name: "password", about: rulePassword, users: []string{"password"}, features: []string{"patch", "changePassword"}, run: (*suite).testPassword},
	{name: "password-storage", about: rulePasswordStored, users: []string{"password"}, direct: true, run: (*suite).testPasswordStorage},
	{name: "tenant-isolation", about: ruleTenantRead, tenant: true, run: (*suite).testTenantIsolation},
	{name: "handler-not-found", about: ruleHandlerNotFound, direct: true, run: (*suite).testHandlerNotFound},
	{name: "handler-uniqueness", about: ruleHandlerUnique, direct: true, run: (*suite).testHandlerUniqueness},
	{name: "handler-version-mismatch", about: ruleHandlerVersion, direct: true, run: (*suite).testHandlerVersionMismatch},
	{name: "handler-compare-and-swap", about: ruleHandlerCAS, direct: true, run: (*suite).testHandlerCompareAndSwap},
	{name: "handler-meta", about: ruleHandlerMeta, direct: true, run: (*suite).testHandlerMeta},
	{name: "handler-snapshots", about: ruleHandlerSnapshot, direct: true, run: (*suite).testHandlerSnapshots},
}

// skip checks st, ending the case if it is not a Store the suite can
// run, and returns why c cannot run against it, or "".
func (c testCase) skip(rep reporter, st *Store) string {
	checkStore(rep, st)
	if why := c.lacks(st.Users.Type, st.Groups.Type); why != "" {
		return why
	}
	if c.tenant && st.Tenant == nil {
		return "Store.Tenant is nil: the store is not tenanted"
	}
	return ""
}

// lacks returns which attribute the case needs that users or groups lacks,
// or "".
func (c testCase) lacks(users, groups *schema.ResourceType) string {
	for _, p := range c.users {
		if !hasAttr(users, p) {
			return fmt.Sprintf("the %s resource type has no attribute %s, which this case needs", users.Name, p)
		}
	}
	for _, p := range c.groups {
		if !hasAttr(groups, p) {
			return fmt.Sprintf("the %s resource type has no attribute %s, which this case needs", groups.Name, p)
		}
	}
	return ""
}

// checkStore ends the case if st is not a Store the suite can run.
func checkStore(rep reporter, st *Store) {
	fail := func(format string, args ...any) {
		rep.Errorf("scimtest.Store: "+format, args...)
		rep.FailNow()
	}
	if st == nil {
		fail("newStore returned nil")
	}
	for _, e := range []struct {
		field, endpoint, urn, required string
		ep                             scim.Endpoint
	}{
		{"Users", "/Users", schema.UserURN, "userName", st.Users},
		{"Groups", "/Groups", schema.GroupURN, "displayName", st.Groups},
	} {
		switch rt := e.ep.Type; {
		case rt == nil || rt.Schema == nil:
			fail("%s.Type is nil", e.field)
		case e.ep.Handler == nil:
			fail("%s.Handler is nil", e.field)
		case rt.Endpoint != e.endpoint:
			fail("%s.Type.Endpoint is %q, want %q", e.field, rt.Endpoint, e.endpoint)
		case rt.Schema.ID != e.urn:
			fail("%s.Type's core schema is %q, want %q", e.field, rt.Schema.ID, e.urn)
		case !hasAttr(rt, e.required):
			fail("%s.Type has no attribute %s", e.field, e.required)
		}
	}
}

// suiteBaseURL is the BaseURL of the server the suite builds.
const suiteBaseURL = "https://scim.example.test/v2"

// suite is the state of one case, acting as one tenant.
type suite struct {
	rep           reporter
	st            *Store
	users, groups *schema.ResourceType
	uh, gh        scim.ResourceHandler // nil when the suite reaches a service over HTTP only (CheckEndpoint)
	srv           *scim.Server
	// baseURL is the URL the server is mounted at, which the locations it
	// gives start with.
	baseURL string
	// note is a single-valued string attribute of User that a case may set
	// to anything, to change a user or tell users apart: nickName when the
	// type has it, else another one, or externalId, which every type has.
	note string

	tenant  int             // the tenant the suite acts as
	ctx     context.Context // the tenant's context, for direct calls
	handler http.Handler    // the server behind the tenant's middleware
}

func newSuite(rep reporter, st *Store) *suite {
	srv, err := scim.NewServer(scim.Config{
		Endpoints: []scim.Endpoint{st.Users, st.Groups},
		BaseURL:   suiteBaseURL,
		Logger:    slog.New(slog.NewTextHandler(logWriter{rep}, nil)),
	})
	if err != nil {
		rep.Errorf("scim.NewServer: %v", err)
		rep.FailNow()
	}
	s := &suite{rep: rep, st: st, users: st.Users.Type, groups: st.Groups.Type,
		uh: st.Users.Handler, gh: st.Groups.Handler, srv: srv, baseURL: suiteBaseURL, note: noteAttr(st.Users.Type)}
	return s.as(0)
}

// as returns a copy of s that acts as tenant n: its requests pass through
// a middleware that gives them tenant n's context, and it calls handlers
// with that context. Without Store.Tenant, there is one tenant.
func (s *suite) as(n int) *suite {
	c := *s
	c.tenant, c.ctx, c.handler = n, context.Background(), s.srv
	if tenant := s.st.Tenant; tenant != nil {
		c.ctx = tenant(c.ctx, n)
		c.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.srv.ServeHTTP(w, r.WithContext(tenant(r.Context(), n)))
		})
	}
	return &c
}

// errorf reports a failure of ru: what was observed, then the rule.
func (s *suite) errorf(ru rule, format string, args ...any) {
	s.rep.Errorf("%s: %s (%s)", fmt.Sprintf(format, args...), ru.text, ru.ref)
}

// fatalf reports a failure of ru and ends the case.
func (s *suite) fatalf(ru rule, format string, args ...any) {
	s.errorf(ru, format, args...)
	s.rep.FailNow()
}

// doc is a JSON object.
type doc = map[string]any

// response is a recorded HTTP response.
type response struct {
	req    string // such as "GET /Users/1"
	status int
	header http.Header
	body   []byte
	obj    doc // body decoded as a JSON object, or nil
}

// snippet returns the start of the body, for failure messages.
func (r *response) snippet() string { return clip.To(string(r.body), 400) }

// do sends a request through the server as a client of s's tenant would.
// header holds pairs of header names and values. It is safe for concurrent
// use.
func (s *suite) do(method, target, body string, header ...string) *response {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	r := &response{req: method + " " + target, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if err := json.Unmarshal(r.body, &r.obj); err != nil {
		r.obj = nil
	}
	return r
}

// expect reports a failure of ru unless r has status want, and reports
// whether it had.
func (s *suite) expect(ru rule, r *response, want int) bool {
	if r.status == want {
		return true
	}
	s.errorf(ru, "%s: status %d, want %d; body %s", r.req, r.status, want, r.snippet())
	return false
}

// expectError checks that r is a SCIM error (RFC 7644 §3.12) with the
// status and, if not "", the scimType given.
func (s *suite) expectError(ru rule, r *response, status int, scimType string) bool {
	if !s.expect(ru, r, status) {
		return false
	}
	if !slices.Contains(strs(r.obj["schemas"]), schema.ErrorURN) || str(r.obj, "status") != strconv.Itoa(status) {
		s.errorf(ru, "%s: status %d with a body that is not a SCIM error: %s", r.req, status, r.snippet())
		return false
	}
	if got := str(r.obj, "scimType"); scimType != "" && got != scimType {
		s.errorf(ru, "%s: scimType %q, want %q; body %s", r.req, got, scimType, r.snippet())
		return false
	}
	return true
}

// mustCreate posts body to endpoint and returns the resource created,
// ending the case if it was not.
func (s *suite) mustCreate(endpoint, body string) doc {
	r := s.do("POST", endpoint, body)
	if r.status != http.StatusCreated || str(r.obj, "id") == "" {
		s.fatalf(ruleCreate, "%s: status %d, want 201 with an id; body %s", r.req, r.status, r.snippet())
	}
	return r.obj
}

// mustGet returns the resource at path and its ETag, ending the case if
// the GET fails.
func (s *suite) mustGet(path string) (doc, string) {
	r := s.do("GET", path, "")
	if r.status != http.StatusOK || r.obj == nil {
		s.fatalf(ruleGet, "%s: status %d, want 200; body %s", r.req, r.status, r.snippet())
	}
	return r.obj, r.header.Get("ETag")
}

// checkETag checks that a response carrying a resource has an ETag
// header equal to its meta.version.
func (s *suite) checkETag(r *response) {
	v := str(r.obj, "meta", "version")
	if v == "" || r.header.Get("ETag") != v {
		s.errorf(ruleETag, "%s: ETag %q, meta.version %q", r.req, r.header.Get("ETag"), v)
	}
}

// checkSame reports a failure of ru if the resource at path no longer
// equals want.
func (s *suite) checkSame(ru rule, path string, want doc, what string) {
	got, _ := s.mustGet(path)
	if diff := cmp.Diff(canonical(want), canonical(got)); diff != "" {
		s.errorf(ru, "GET %s after %s differs (-want +got):\n%s", path, what, diff)
	}
}

// checkBody reports a failure of ru unless the resource in r equals the
// one GET returns now.
func (s *suite) checkBody(ru rule, r *response, path string) {
	got, _ := s.mustGet(path)
	if diff := cmp.Diff(canonical(r.obj), canonical(got)); diff != "" {
		s.errorf(ru, "the resource in the response to %s differs from a GET of it after (-response +GET):\n%s", r.req, diff)
	}
}

// list runs a list request with the query parameters given as pairs and
// returns its response, ending the case if it fails.
func (s *suite) list(ru rule, endpoint string, params ...string) *response {
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	target := endpoint
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	r := s.do("GET", target, "")
	if r.status != http.StatusOK || r.obj == nil {
		s.fatalf(ru, "%s: status %d, want 200; body %s", r.req, r.status, r.snippet())
	}
	return r
}

// listed returns the resources of a list response.
func listed(r *response) []doc {
	var out []doc
	for _, v := range list(r.obj["Resources"]) {
		if m, ok := v.(doc); ok {
			out = append(out, m)
		}
	}
	return out
}

// total returns totalResults of a list response, or -1.
func total(r *response) int {
	if f, ok := r.obj["totalResults"].(float64); ok {
		return int(f)
	}
	return -1
}

// keys returns attribute key of each resource.
func keys(res []doc, key string) []string {
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = str(r, key)
	}
	return out
}

// dig returns the value at path in v, or nil.
func dig(v any, path ...string) any {
	if r, ok := v.(*response); ok {
		v = r.obj
	}
	for _, p := range path {
		m, ok := v.(doc)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// str returns the string at path in v, or "".
func str(v any, path ...string) string {
	s, _ := dig(v, path...).(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func strs(v any) []string {
	var out []string
	for _, e := range list(v) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// canonical returns v with the elements of every array in a fixed order,
// as multi-valued attributes are unordered (RFC 7643 §2.4).
func canonical(v any) any {
	switch v := v.(type) {
	case doc:
		m := make(doc, len(v))
		for k, e := range v {
			m[k] = canonical(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = canonical(e)
		}
		slices.SortFunc(l, func(a, b any) int { return strings.Compare(jsonText(a), jsonText(b)) })
		return l
	}
	return v
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// userJSON returns a User with userName and the attributes given as pairs;
// an extension's attributes are given under its URN.
func userJSON(userName string, kv ...any) string {
	m := doc{"schemas": []any{schema.UserURN}, "userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		m[k] = kv[i+1]
		if strings.HasPrefix(k, "urn:") {
			m["schemas"] = append(m["schemas"].([]any), k)
		}
	}
	return jsonText(m)
}

// groupJSON returns a Group with displayName and the given member ids.
func groupJSON(displayName string, members ...string) string {
	m := doc{"schemas": []any{schema.GroupURN}, "displayName": displayName}
	if len(members) > 0 {
		m["members"] = memberValues(members...)
	}
	return jsonText(m)
}

// groupJSON is groupJSON for a case in which members are incidental: it
// leaves them out when the Group type has none.
func (s *suite) groupJSON(displayName string, members ...string) string {
	if !s.hasMembers() {
		members = nil
	}
	return groupJSON(displayName, members...)
}

// hasMembers reports whether the Group type has members.
func (s *suite) hasMembers() bool { return hasAttr(s.groups, "members.value") }

func memberValues(ids ...string) []any {
	var out []any
	for _, id := range ids {
		out = append(out, doc{"value": id, "type": "User"})
	}
	return out
}

// patchJSON returns a PatchOp request with the operations given.
func patchJSON(ops ...doc) string {
	l := make([]any, len(ops))
	for i, o := range ops {
		l[i] = o
	}
	return jsonText(doc{"schemas": []any{schema.PatchOpURN}, "Operations": l})
}

// op returns a PATCH operation; path "" and value nil are left out.
func op(name, path string, value any) doc {
	o := doc{"op": name}
	if path != "" {
		o["path"] = path
	}
	if value != nil {
		o["value"] = value
	}
	return o
}

// userPath and groupPath return the path of a resource, from its id.
func userPath(id string) string  { return "/Users/" + url.PathEscape(id) }
func groupPath(id string) string { return "/Groups/" + url.PathEscape(id) }

// memberIDs returns the sorted values of a group's members.
func memberIDs(g doc) []string {
	var out []string
	for _, m := range list(g["members"]) {
		out = append(out, str(m, "value"))
	}
	slices.Sort(out)
	return out
}

func sorted(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	if l == nil {
		l = []string{}
	}
	return l
}

// otherCase returns id with the case of its letters swapped, or "" if
// that is id itself.
func otherCase(id string) string {
	o := strings.Map(func(r rune) rune {
		if u := strings.ToUpper(string(r)); u != string(r) {
			return []rune(u)[0]
		}
		return []rune(strings.ToLower(string(r)))[0]
	}, id)
	if o == id {
		return ""
	}
	return o
}

// fullUser is fullUser with only the attributes the User type has.
func (s *suite) fullUser(userName string) string {
	return pruneJSON(s.users, fullUser(userName))
}

// fullUser is a User with a value for most attributes of RFC 7643 §4.1
// and the enterprise extension (§4.3).
func fullUser(userName string) string {
	return userJSON(userName,
		"externalId", "ext-"+userName,
		"name", doc{"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara",
			"middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
		"displayName", "Babs Jensen",
		"nickName", "Babs",
		"profileUrl", "https://login.example.com/"+userName,
		"title", "Tour Guide",
		"userType", "Employee",
		"preferredLanguage", "en-US",
		"locale", "en-US",
		"timezone", "America/Los_Angeles",
		"active", true,
		"password", "t1meMa$heen",
		"emails", []any{
			doc{"value": userName + "@example.com", "type": "work", "primary": true},
			doc{"value": "babs@jensen.org", "type": "home"},
		},
		"phoneNumbers", []any{doc{"value": "555-555-5555", "type": "work"}, doc{"value": "555-555-4444", "type": "mobile"}},
		"ims", []any{doc{"value": "someaimhandle", "type": "aim"}},
		"photos", []any{doc{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}},
		"addresses", []any{doc{"streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA",
			"postalCode": "91608", "country": "USA", "formatted": "100 Universal City Plaza\nHollywood, CA 91608 USA",
			"type": "work", "primary": true}},
		"entitlements", []any{doc{"value": "parking"}},
		"roles", []any{doc{"value": "guide", "type": "staff"}},
		"x509Certificates", []any{doc{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}},
		schema.EnterpriseUserURN, doc{"employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
			"division": "Theme Park", "department": "Tour Operations"},
	)
}

func (s *suite) testCreate() {
	body := s.fullUser("bjensen")
	r := s.do("POST", "/Users", body)
	if !s.expect(ruleCreate, r, http.StatusCreated) || r.obj == nil {
		s.rep.FailNow()
	}
	id := str(r.obj, "id")
	if id == "" {
		s.fatalf(ruleCreateID, "%s: no id in %s", r.req, r.snippet())
	}
	loc := str(r.obj, "meta", "location")
	if h := r.header.Get("Location"); h == "" || h != loc || !strings.HasSuffix(loc, userPath(id)) {
		s.errorf(ruleLocation, "%s: Location %q, meta.location %q, id %q", r.req, h, loc, id)
	}
	s.checkETag(r)
	meta, _ := r.obj["meta"].(doc)
	created, lastModified := str(meta, "created"), str(meta, "lastModified")
	tc, err1 := time.Parse(time.RFC3339Nano, created)
	tm, err2 := time.Parse(time.RFC3339Nano, lastModified)
	if str(meta, "resourceType") != "User" || err1 != nil || err2 != nil || !tc.Equal(tm) || str(meta, "version") == "" {
		s.errorf(ruleMeta, "%s: meta %v", r.req, meta)
	}
	var sent doc
	json.Unmarshal([]byte(body), &sent)
	delete(sent, "password")
	delete(sent, "schemas")
	got := doc{}
	for k := range sent {
		if v, ok := r.obj[k]; ok {
			got[k] = v
		}
	}
	if diff := cmp.Diff(canonical(sent), canonical(got)); diff != "" {
		s.errorf(ruleKeep, "%s: the attributes returned differ from those sent (-sent +returned):\n%s", r.req, diff)
	}
	if _, ok := r.obj["password"]; ok {
		s.errorf(rulePassword, "%s: the response has a password", r.req)
	}
	s.checkBody(ruleGet, r, userPath(id))

	l := s.list(ruleList, "/Users")
	if ids := keys(listed(l), "id"); total(l) != 1 || !slices.Equal(ids, []string{id}) {
		s.errorf(ruleList, "%s after one POST: totalResults %d, ids %q, want 1 and [%q]", l.req, total(l), ids, id)
	}

	// A group with members, and one without.
	g := s.do("POST", "/Groups", s.groupJSON("Tour Guides", id))
	if s.expect(ruleCreate, g, http.StatusCreated) {
		if got := memberIDs(g.obj); s.hasMembers() && !slices.Equal(got, []string{id}) {
			s.errorf(ruleKeep, "%s: members %q, want [%q]", g.req, got, id)
		}
		if str(g.obj, "meta", "resourceType") != "Group" || str(g.obj, "id") == "" {
			s.errorf(ruleMeta, "%s: id %q, meta %v", g.req, str(g.obj, "id"), g.obj["meta"])
		}
		s.checkETag(g)
		s.checkBody(ruleGet, g, groupPath(str(g.obj, "id")))
	}
	e := s.do("POST", "/Groups", groupJSON("Empty"))
	if s.expect(ruleCreate, e, http.StatusCreated) {
		if len(list(e.obj["members"])) > 0 {
			s.errorf(ruleKeep, "%s: a group created without members has members %v", e.req, e.obj["members"])
		}
	}
}

func (s *suite) testGet() {
	u := s.mustCreate("/Users", s.fullUser("bjensen"))
	id := str(u, "id")
	first := s.do("GET", userPath(id), "")
	if s.expect(ruleGet, first, http.StatusOK) {
		s.checkETag(first)
	}
	second := s.do("GET", userPath(id), "")
	if v1, v2 := str(first.obj, "meta", "version"), str(second.obj, "meta", "version"); v1 != v2 || v1 != str(u, "meta", "version") {
		s.errorf(ruleReadOnly, "versions after POST and two GETs: %q, %q, %q", str(u, "meta", "version"), v1, v2)
	}
	s.expectError(ruleNotFound, s.do("GET", "/Users/no-such-id", ""), http.StatusNotFound, "")
	if o := otherCase(id); o != "" {
		s.expectError(ruleIDCaseExact, s.do("GET", userPath(o), ""), http.StatusNotFound, "")
	}
	g := s.mustCreate("/Groups", s.groupJSON("Tour Guides", id))
	s.mustGet(groupPath(str(g, "id")))
	s.expectError(ruleNotFound, s.do("GET", "/Groups/no-such-id", ""), http.StatusNotFound, "")
}

func (s *suite) testReplace() {
	u := s.mustCreate("/Users", s.fullUser("bjensen"))
	id := str(u, "id")
	want := prune(s.users, doc{
		"displayName": "Barbara Jensen",
		"name":        doc{"givenName": "Babs"},
		"emails":      []any{doc{"value": "babs@example.org", "type": "home"}},
		"active":      false,
	})
	body := userJSON("bjensen")
	if len(want) == 0 {
		// None of those: a PUT of the userName alone removes the rest.
		want = doc{}
	} else {
		m := doc{"schemas": []any{schema.UserURN}, "userName": "bjensen"}
		for k, v := range want {
			m[k] = v
		}
		body = jsonText(m)
	}
	r := s.do("PUT", userPath(id), body)
	if !s.expect(ruleReplace, r, http.StatusOK) {
		return
	}
	s.checkETag(r)
	got := doc{}
	for k, v := range r.obj {
		switch k {
		case "schemas", "id", "userName", "meta":
		default:
			got[k] = v
		}
	}
	if diff := cmp.Diff(canonical(want), canonical(got)); diff != "" {
		s.errorf(ruleReplace, "%s: attributes (-want +got):\n%s", r.req, diff)
	}
	if str(r.obj, "id") != id || str(r.obj, "meta", "created") != str(u, "meta", "created") {
		s.errorf(ruleReplace, "%s: id %q and meta.created %q, want %q and %q", r.req,
			str(r.obj, "id"), str(r.obj, "meta", "created"), id, str(u, "meta", "created"))
	}
	if str(r.obj, "meta", "version") == str(u, "meta", "version") {
		s.errorf(ruleVersion, "%s: meta.version %q is the version before", r.req, str(u, "meta", "version"))
	}
	s.checkBody(ruleGet, r, userPath(id))
	s.expectError(ruleNotFound, s.do("PUT", "/Users/no-such-id", body), http.StatusNotFound, "")

	// A group's members are replaced as a whole.
	a := str(s.mustCreate("/Users", userJSON("alice")), "id")
	b := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g := s.mustCreate("/Groups", s.groupJSON("Tour Guides", id, a))
	gr := s.do("PUT", groupPath(str(g, "id")), s.groupJSON("Guides", b))
	if s.expect(ruleReplace, gr, http.StatusOK) {
		if got := memberIDs(gr.obj); s.hasMembers() && !slices.Equal(got, []string{b}) || str(gr.obj, "displayName") != "Guides" {
			s.errorf(ruleReplace, "%s: displayName %q, members %q, want \"Guides\" and [%q]", gr.req, str(gr.obj, "displayName"), got, b)
		}
		s.checkBody(ruleGet, gr, groupPath(str(g, "id")))
	}
}

func (s *suite) testDelete() {
	keep := str(s.mustCreate("/Users", userJSON("keep")), "id")
	gone := str(s.mustCreate("/Users", userJSON("gone")), "id")
	r := s.do("DELETE", userPath(gone), "")
	if s.expect(ruleDelete, r, http.StatusNoContent) && len(r.body) != 0 {
		s.errorf(ruleDelete, "%s: 204 with a body %s", r.req, r.snippet())
	}
	s.expectError(ruleDelete, s.do("GET", userPath(gone), ""), http.StatusNotFound, "")
	s.expectError(ruleDelete, s.do("DELETE", userPath(gone), ""), http.StatusNotFound, "")
	s.expectError(ruleDelete, s.do("PUT", userPath(gone), userJSON("gone")), http.StatusNotFound, "")
	s.expectError(ruleDelete, s.do("PATCH", userPath(gone), patchJSON(op("replace", s.note, "x"))), http.StatusNotFound, "")
	l := s.list(ruleDelete, "/Users")
	if ids := keys(listed(l), "id"); total(l) != 1 || !slices.Equal(ids, []string{keep}) {
		s.errorf(ruleDelete, "%s: totalResults %d, ids %q, want 1 and [%q]", l.req, total(l), ids, keep)
	}
	l = s.list(ruleDelete, "/Users", "filter", fmt.Sprintf("id eq %q", gone))
	if total(l) != 0 || len(listed(l)) != 0 {
		s.errorf(ruleDelete, "%s: totalResults %d, want 0", l.req, total(l))
	}
	s.expectError(ruleNotFound, s.do("DELETE", "/Users/no-such-id", ""), http.StatusNotFound, "")

	g := str(s.mustCreate("/Groups", s.groupJSON("Tour Guides", keep)), "id")
	s.expect(ruleDelete, s.do("DELETE", groupPath(g), ""), http.StatusNoContent)
	s.expectError(ruleDelete, s.do("GET", groupPath(g), ""), http.StatusNotFound, "")
	s.mustGet(userPath(keep))
}

func (s *suite) testEmptyList() {
	for _, ep := range []string{"/Users", "/Groups"} {
		l := s.list(ruleList, ep)
		if total(l) != 0 || len(listed(l)) != 0 {
			s.errorf(ruleList, "%s on an empty store: totalResults %d with %d resources, want 0", l.req, total(l), len(listed(l)))
		}
	}
}

func (s *suite) testUniqueness() {
	bj := s.mustCreate("/Users", userJSON("bjensen"))
	s.expectError(ruleUnique, s.do("POST", "/Users", userJSON("BJensen", s.note, "dup")), http.StatusConflict, "uniqueness")
	l := s.list(ruleUnique, "/Users")
	if total(l) != 1 {
		s.errorf(ruleUnique, "%s after a refused POST: totalResults %d, want 1", l.req, total(l))
	}

	js := s.mustCreate("/Users", userJSON("jsmith", s.note, "J"))
	jsPath := userPath(str(js, "id"))
	s.expectError(ruleUniqueWrite, s.do("PUT", jsPath, userJSON("BJENSEN")), http.StatusConflict, "uniqueness")
	s.checkSame(ruleUniqueWrite, jsPath, js, "a refused PUT")
	s.expectError(ruleUniqueWrite, s.do("PATCH", jsPath, patchJSON(op("replace", "userName", "bjensen"))), http.StatusConflict, "uniqueness")
	s.checkSame(ruleUniqueWrite, jsPath, js, "a refused PATCH")
	s.expectError(ruleUniqueWrite, s.do("PATCH", jsPath, patchJSON(op("replace", "", doc{"userName": "bJensen"}))), http.StatusConflict, "uniqueness")
	s.checkSame(ruleUniqueWrite, jsPath, js, "a refused PATCH")

	bjPath := userPath(str(bj, "id"))
	if r := s.do("PUT", bjPath, userJSON("BJensen")); s.expect(ruleUniqueSelf, r, http.StatusOK) && str(r.obj, "userName") != "BJensen" {
		s.errorf(ruleUniqueSelf, "%s: userName %q, want \"BJensen\"", r.req, str(r.obj, "userName"))
	}
	if r := s.do("PATCH", bjPath, patchJSON(op("replace", "userName", "bjensen"))); s.expect(ruleUniqueSelf, r, http.StatusOK) && str(r.obj, "userName") != "bjensen" {
		s.errorf(ruleUniqueSelf, "%s: userName %q, want \"bjensen\"", r.req, str(r.obj, "userName"))
	}

	// Renamed and deleted userNames are free again.
	s.expect(ruleUniqueFreed, s.do("PATCH", jsPath, patchJSON(op("replace", "userName", "john.smith"))), http.StatusOK)
	s.expect(ruleUniqueFreed, s.do("POST", "/Users", userJSON("JSmith")), http.StatusCreated)
	s.expect(ruleUniqueFreed, s.do("PUT", jsPath, userJSON("jsmith2")), http.StatusOK)
	s.expect(ruleUniqueFreed, s.do("POST", "/Users", userJSON("john.smith")), http.StatusCreated)
	s.expect(ruleUniqueFreed, s.do("DELETE", bjPath, ""), http.StatusNoContent)
	s.expect(ruleUniqueFreed, s.do("POST", "/Users", userJSON("bjensen")), http.StatusCreated)
	l = s.list(ruleUnique, "/Users")
	if got, want := sorted(keys(listed(l), "userName")), []string{"JSmith", "bjensen", "john.smith", "jsmith2"}; !slices.Equal(got, want) {
		s.errorf(ruleUniqueFreed, "%s: userNames %q, want %q", l.req, got, want)
	}
}

func (s *suite) testUniquenessRace() {
	const n = 10
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "race"
			if i%2 == 1 {
				name = "RACE"
			}
			statuses[i] = s.do("POST", "/Users", userJSON(name, s.note, strconv.Itoa(i))).status
		}()
	}
	wg.Wait()
	created, conflicts := 0, 0
	for _, st := range statuses {
		switch st {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
			conflicts++
		}
	}
	if created != 1 || conflicts != n-1 {
		s.errorf(ruleUniqueRace, "%d simultaneous POSTs of userName race: statuses %v, want one 201 and the rest 409", n, statuses)
	}
	l := s.list(ruleUniqueRace, "/Users", "filter", `userName eq "race"`)
	if total(l) != 1 {
		s.errorf(ruleUniqueRace, "%s: totalResults %d, want 1", l.req, total(l))
	}
}

func (s *suite) testVersions() {
	u := s.mustCreate("/Users", userJSON("bjensen"))
	path := userPath(str(u, "id"))
	created := str(u, "meta", "created")
	seen := []string{str(u, "meta", "version")}
	last := u
	step := func(r *response) {
		if !s.expect(ruleVersion, r, http.StatusOK) {
			return
		}
		s.checkETag(r)
		v := str(r.obj, "meta", "version")
		if slices.Contains(seen, v) {
			s.errorf(ruleVersion, "%s: meta.version %q was had before (versions so far %q)", r.req, v, seen)
		}
		seen = append(seen, v)
		if c := str(r.obj, "meta", "created"); c != created {
			s.errorf(ruleTimestamps, "%s: meta.created %q, was %q", r.req, c, created)
		}
		prev, err1 := time.Parse(time.RFC3339Nano, str(last, "meta", "lastModified"))
		now, err2 := time.Parse(time.RFC3339Nano, str(r.obj, "meta", "lastModified"))
		if err1 != nil || err2 != nil || now.Before(prev) {
			s.errorf(ruleTimestamps, "%s: meta.lastModified %q after %q", r.req, str(r.obj, "meta", "lastModified"), str(last, "meta", "lastModified"))
		}
		last = r.obj
		s.checkBody(ruleGet, r, path)
	}
	step(s.do("PUT", path, userJSON("bjensen", s.note, "one")))
	step(s.do("PATCH", path, patchJSON(op("replace", s.note, "two"))))
	if s.can("PATCH adding and removing emails", s.users, "emails.value") {
		step(s.do("PATCH", path, patchJSON(op("add", "emails", []any{doc{"value": "b@example.com"}}))))
		step(s.do("PATCH", path, patchJSON(op("remove", "emails", nil))))
	}
	step(s.do("PUT", path, userJSON("bjensen", s.note, "three")))

	a := str(s.mustCreate("/Users", userJSON("alice")), "id")
	b := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g := s.mustCreate("/Groups", s.groupJSON("Tour Guides", a))
	path = groupPath(str(g, "id"))
	created = str(g, "meta", "created")
	seen = []string{str(g, "meta", "version")}
	last = g
	if s.can("PATCH of a group's members", s.groups, "members.value") {
		step(s.do("PATCH", path, patchJSON(op("add", "members", memberValues(b)))))
		step(s.do("PATCH", path, patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", a), nil))))
		step(s.do("PATCH", path, patchJSON(op("add", "members", memberValues(a)))))
	}
	step(s.do("PATCH", path, patchJSON(op("replace", "displayName", "Guides"))))
	step(s.do("PUT", path, groupJSON("Guides")))
}

func (s *suite) testConditional() {
	u := s.mustCreate("/Users", userJSON("bjensen", s.note, "one"))
	path := userPath(str(u, "id"))
	e1 := str(u, "meta", "version")
	r := s.do("PUT", path, userJSON("bjensen", s.note, "two"))
	if !s.expect(ruleVersion, r, http.StatusOK) {
		s.rep.FailNow()
	}
	current, e2 := s.mustGet(path)
	if e1 == e2 {
		s.fatalf(ruleVersion, "%s: the version %q did not change", r.req, e1)
	}

	r = s.do("GET", path, "", "If-None-Match", e2)
	if s.expect(ruleNotModified, r, http.StatusNotModified) && len(r.body) != 0 {
		s.errorf(ruleNotModified, "%s with If-None-Match %s: 304 with a body %s", r.req, e2, r.snippet())
	}
	s.expect(ruleNotModified, s.do("GET", path, "", "If-None-Match", e1), http.StatusOK)

	s.expectError(ruleStale, s.do("PUT", path, userJSON("bjensen", s.note, "stale"), "If-Match", e1), http.StatusPreconditionFailed, "")
	s.checkSame(ruleStale, path, current, "a PUT with a stale If-Match")
	s.expectError(ruleStale, s.do("PATCH", path, patchJSON(op("replace", s.note, "stale")), "If-Match", e1), http.StatusPreconditionFailed, "")
	s.checkSame(ruleStale, path, current, "a PATCH with a stale If-Match")
	s.expectError(ruleStale, s.do("DELETE", path, "", "If-Match", e1), http.StatusPreconditionFailed, "")
	s.checkSame(ruleStale, path, current, "a DELETE with a stale If-Match")

	r = s.do("PATCH", path, patchJSON(op("replace", s.note, "three")), "If-Match", e2)
	if !s.expect(ruleIfMatch, r, http.StatusOK) {
		return
	}
	e3 := r.header.Get("ETag")
	r = s.do("PUT", path, userJSON("bjensen", s.note, "four"), "If-Match", e3)
	if !s.expect(ruleIfMatch, r, http.StatusOK) {
		return
	}
	e4 := r.header.Get("ETag")
	s.expect(ruleIfMatch, s.do("DELETE", path, "", "If-Match", e4), http.StatusNoContent)
	s.expectError(ruleDelete, s.do("GET", path, ""), http.StatusNotFound, "")

	// Group membership through a stale version.
	if !s.can("PATCH of a group's members with a stale If-Match", s.groups, "members.value") {
		return
	}
	a := str(s.mustCreate("/Users", userJSON("alice")), "id")
	b := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g := s.mustCreate("/Groups", groupJSON("Tour Guides", a))
	gpath := groupPath(str(g, "id"))
	g1 := str(g, "meta", "version")
	s.expect(ruleVersion, s.do("PATCH", gpath, patchJSON(op("replace", "displayName", "Guides"))), http.StatusOK)
	gcur, _ := s.mustGet(gpath)
	s.expectError(ruleStale, s.do("PATCH", gpath, patchJSON(op("add", "members", memberValues(b))), "If-Match", g1), http.StatusPreconditionFailed, "")
	s.checkSame(ruleStale, gpath, gcur, "a PATCH adding a member with a stale If-Match")
	s.expectError(ruleStale, s.do("PATCH", gpath, patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", a), nil)), "If-Match", g1), http.StatusPreconditionFailed, "")
	s.checkSame(ruleStale, gpath, gcur, "a PATCH removing a member with a stale If-Match")
}

func (s *suite) testConcurrentWriters() {
	if s.can("concurrent PATCHes of a group's members", s.groups, "members.value") {
		s.concurrentMembers()
	}

	// Writers of different attributes of one user.
	var attrs []string
	for _, a := range []string{"nickName", "title", "displayName", "userType", "preferredLanguage", "locale", "timezone", "profileUrl", "name.formatted"} {
		if hasAttr(s.users, a) {
			attrs = append(attrs, a)
		}
	}
	attrs = append(attrs, "externalId")
	u := s.mustCreate("/Users", userJSON("busy"))
	upath := userPath(str(u, "id"))
	var wg sync.WaitGroup
	for _, a := range attrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.expect(ruleLostUpdate, s.do("PATCH", upath, patchJSON(op("replace", a, "value-of-"+a))), http.StatusOK)
		}()
	}
	wg.Wait()
	gotU, _ := s.mustGet(upath)
	for _, a := range attrs {
		if got := str(gotU, strings.Split(a, ".")...); got != "value-of-"+a {
			s.errorf(ruleLostUpdate, "after concurrent PATCHes of different attributes: %s is %q, want %q", a, got, "value-of-"+a)
		}
	}
}

// concurrentMembers checks concurrent PATCHes each adding a member to one
// group.
func (s *suite) concurrentMembers() {
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		ids[i] = str(s.mustCreate("/Users", userJSON(fmt.Sprintf("member-%02d", i))), "id")
	}
	g := s.mustCreate("/Groups", groupJSON("Everyone"))
	path := groupPath(str(g, "id"))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.do("PATCH", path, patchJSON(op("add", "members", memberValues(id))))
			s.expect(ruleLostUpdate, r, http.StatusOK)
		}()
	}
	wg.Wait()
	got, _ := s.mustGet(path)
	if diff := cmp.Diff(sorted(ids), memberIDs(got)); diff != "" {
		s.errorf(ruleLostUpdate, "%d concurrent PATCHes each adding one member: members (-want +got):\n%s", n, diff)
	}
}

// userFixture creates the users the filter and sort cases query, and
// returns their ids by userName.
func (s *suite) userFixture() map[string]string {
	users := []string{
		userJSON("alice",
			"externalId", "EXT-a", "title", "Engineer", "active", true, "userType", "Employee",
			"profileUrl", "https://login.example.com/alice",
			"name", doc{"givenName": "Alice", "familyName": "Liddell"},
			"emails", []any{
				doc{"value": "alice@example.com", "type": "work", "primary": true},
				doc{"value": "alice@home.org", "type": "home"},
			},
			schema.EnterpriseUserURN, doc{"employeeNumber": "1001"}),
		userJSON("bob",
			"externalId", "abc-b", "title", "Engineer", "active", false, "userType", "Contractor",
			"name", doc{"givenName": "Bob", "familyName": "Builder"},
			"emails", []any{doc{"value": "bob@example.org", "type": "work"}}),
		userJSON("carol",
			"title", "Manager", "active", true, "userType", "Employee",
			"name", doc{"givenName": "Carol"},
			"emails", []any{
				doc{"value": "carol@example.com", "type": "home"},
				doc{"value": "carol@work.net", "type": "work"},
			},
			schema.EnterpriseUserURN, doc{"employeeNumber": "1003"}),
		userJSON("Dave", "active", true, "nickName", "dave"),
		userJSON("erin",
			"title", "manager", "active", false,
			"name", doc{"givenName": "Erin", "familyName": "Hannon"},
			"emails", []any{doc{"value": "erin@example.com", "type": "work"}}),
	}
	ids := make(map[string]string)
	for _, u := range users {
		r := s.mustCreate("/Users", pruneJSON(s.users, u))
		ids[str(r, "userName")] = str(r, "id")
	}
	return ids
}

// checkFilter checks that filter f on endpoint selects exactly the
// resources whose attribute key is in want. It leaves out a filter that
// names an attribute the endpoint's type lacks.
func (s *suite) checkFilter(ru rule, endpoint, key, f string, want []string) {
	rt := s.users
	if endpoint == "/Groups" {
		rt = s.groups
	}
	if !s.canFilter(rt, f, "") {
		return
	}
	q := s.do("GET", endpoint+"?"+url.Values{"filter": {f}, "count": {"1000"}}.Encode(), "")
	if q.status != http.StatusOK {
		s.errorf(ru, "filter %s: status %d, want 200; body %s", f, q.status, q.snippet())
		return
	}
	got := sorted(keys(listed(q), key))
	if diff := cmp.Diff(sorted(want), got); diff != "" || total(q) != len(want) {
		s.errorf(ru, "filter %s: totalResults %d, matched (-want +got):\n%s", f, total(q), diff)
	}
}

func (s *suite) testFilterUsers() {
	ids := s.userFixture()
	all := []string{"alice", "bob", "carol", "Dave", "erin"}
	ent := schema.EnterpriseUserURN
	tests := []struct {
		ru     rule
		filter string
		want   []string
	}{
		{ruleFilter, `userName eq "alice"`, []string{"alice"}},
		{ruleFilterCase, `userName eq "ALICE"`, []string{"alice"}},
		{ruleFilter, `userName ne "alice"`, []string{"bob", "carol", "Dave", "erin"}},
		{ruleFilter, `userName co "a"`, []string{"alice", "carol", "Dave"}},
		{ruleFilterCase, `userName co "AV"`, []string{"Dave"}},
		{ruleFilterCase, `userName sw "d"`, []string{"Dave"}},
		{ruleFilterCase, `userName ew "N"`, []string{"erin"}},
		{ruleFilterCase, `userName gt "carol"`, []string{"Dave", "erin"}},
		{ruleFilterCase, `userName ge "CAROL"`, []string{"carol", "Dave", "erin"}},
		{ruleFilter, `userName lt "bob"`, []string{"alice"}},
		{ruleFilterCase, `userName le "BOB"`, []string{"alice", "bob"}},
		{ruleFilter, `userName pr`, all},
		{ruleFilterCase, `title eq "manager"`, []string{"carol", "erin"}},
		{ruleFilterNe, `title ne "Manager"`, []string{"alice", "bob", "Dave"}},
		{ruleFilter, `title co "gine"`, []string{"alice", "bob"}},
		{ruleFilterCase, `title sw "MAN"`, []string{"carol", "erin"}},
		{ruleFilter, `title ew "er"`, []string{"alice", "bob", "carol", "erin"}},
		{ruleFilter, `title gt "f"`, []string{"carol", "erin"}},
		{ruleFilter, `title lt "f"`, []string{"alice", "bob"}},
		{ruleFilter, `title ge "engineer"`, []string{"alice", "bob", "carol", "erin"}},
		{ruleFilter, `title le "Engineer"`, []string{"alice", "bob"}},
		{ruleFilter, `title pr`, []string{"alice", "bob", "carol", "erin"}},
		{ruleFilter, `profileUrl sw "https://login.example.com/"`, []string{"alice"}},
		{ruleFilter, `active eq true`, []string{"alice", "carol", "Dave"}},
		{ruleFilter, `active eq false`, []string{"bob", "erin"}},
		{ruleFilter, `active ne false`, []string{"alice", "carol", "Dave"}},
		{ruleFilter, `active pr`, all},
		{ruleFilterCase, `externalId eq "EXT-a"`, []string{"alice"}},
		{ruleFilterCase, `externalId eq "ext-a"`, nil},
		{ruleFilterCase, `externalId sw "abc"`, []string{"bob"}},
		{ruleFilterCase, `externalId co "B"`, nil},
		{ruleFilter, `externalId pr`, []string{"alice", "bob"}},
		{ruleFilter, fmt.Sprintf("id eq %q", ids["carol"]), []string{"carol"}},
		{ruleFilter, fmt.Sprintf("id ne %q", ids["carol"]), []string{"alice", "bob", "Dave", "erin"}},
		{ruleFilter, `id eq "no-such-id"`, nil},
		{ruleFilterMulti, `emails.value eq "bob@example.org"`, []string{"bob"}},
		{ruleFilterCase, `emails.value eq "BOB@EXAMPLE.ORG"`, []string{"bob"}},
		{ruleFilterMulti, `emails.value co "example.com"`, []string{"alice", "carol", "erin"}},
		{ruleFilterMulti, `emails.value ew ".ORG"`, []string{"alice", "bob"}},
		{ruleFilterMulti, `emails.value sw "carol@w"`, []string{"carol"}},
		{ruleFilterMulti, `emails.type eq "home"`, []string{"alice", "carol"}},
		{ruleFilterMulti, `emails pr`, []string{"alice", "bob", "carol", "erin"}},
		{ruleFilterMulti, `emails[type eq "work" and value co "example.com"]`, []string{"alice", "erin"}},
		{ruleFilterMulti, `emails[type eq "home" and value co "example.com"]`, []string{"carol"}},
		{ruleFilterMulti, `emails.type eq "home" and emails.value co "example.com"`, []string{"alice", "carol"}},
		{ruleFilterMulti, `emails[primary eq true]`, []string{"alice"}},
		{ruleFilterMulti, `emails[not (type eq "work")]`, []string{"alice", "carol"}},
		{ruleFilter, `name.givenName eq "bob"`, []string{"bob"}},
		{ruleFilter, `name.familyName pr`, []string{"alice", "bob", "erin"}},
		{ruleFilter, `name.familyName sw "b"`, []string{"bob"}},
		{ruleFilter, ent + `:employeeNumber eq "1001"`, []string{"alice"}},
		{ruleFilter, ent + `:employeeNumber pr`, []string{"alice", "carol"}},
		{ruleFilterLogic, `title eq "engineer" and active eq true`, []string{"alice"}},
		{ruleFilterLogic, `title eq "engineer" or userName eq "dave"`, []string{"alice", "bob", "Dave"}},
		{ruleFilterLogic, `not (title eq "engineer")`, []string{"carol", "Dave", "erin"}},
		{ruleFilterLogic, `not (title pr)`, []string{"Dave"}},
		{ruleFilterLogic, `userName eq "alice" or userName eq "bob" and active eq true`, []string{"alice"}},
		{ruleFilterLogic, `(userName eq "alice" or userName eq "bob") and active eq false`, []string{"bob"}},
		{ruleFilterLogic, `not (active eq true) and userType pr`, []string{"bob"}},
	}
	for _, tt := range tests {
		s.checkFilter(tt.ru, "/Users", "userName", tt.filter, tt.want)
	}
	if o := otherCase(ids["carol"]); o != "" {
		s.checkFilter(ruleIDCaseExact, "/Users", "userName", fmt.Sprintf("id eq %q", o), nil)
	}
}

func (s *suite) testFilterGroups() {
	ids := s.userFixture()
	for _, g := range []string{
		s.groupJSON("Admins", ids["alice"], ids["bob"]),
		s.groupJSON("Staff", ids["alice"], ids["carol"]),
		groupJSON("Empty"),
	} {
		s.mustCreate("/Groups", g)
	}
	tests := []struct {
		ru     rule
		filter string
		want   []string
	}{
		{ruleFilterCase, `displayName eq "admins"`, []string{"Admins"}},
		{ruleFilter, `displayName ne "Admins"`, []string{"Empty", "Staff"}},
		{ruleFilterLogic, `displayName sw "a" or displayName ew "Y"`, []string{"Admins", "Empty"}},
		{ruleFilterMulti, fmt.Sprintf("members.value eq %q", ids["alice"]), []string{"Admins", "Staff"}},
		{ruleFilterMulti, fmt.Sprintf("members.value eq %q", ids["bob"]), []string{"Admins"}},
		{ruleFilterMulti, fmt.Sprintf("members.value eq %q", ids["Dave"]), nil},
		{ruleFilterMulti, fmt.Sprintf("members[value eq %q]", ids["carol"]), []string{"Staff"}},
		{ruleFilterMulti, `members pr`, []string{"Admins", "Staff"}},
		{ruleFilterLogic, `not (members pr)`, []string{"Empty"}},
	}
	for _, tt := range tests {
		s.checkFilter(tt.ru, "/Groups", "displayName", tt.filter, tt.want)
	}
}

func (s *suite) testFilterDateTime() {
	var paths []string
	for _, name := range []string{"d1", "d2", "d3", "d4"} {
		paths = append(paths, userPath(str(s.mustCreate("/Users", userJSON(name)), "id")))
	}
	// d2 is modified after d4 is created.
	s.expect(ruleVersion, s.do("PATCH", paths[1], patchJSON(op("replace", s.note, "later"))), http.StatusOK)
	created := make(map[string]time.Time)
	modified := make(map[string]time.Time)
	var names []string
	var createdText, modifiedText []string
	for _, p := range paths {
		u, _ := s.mustGet(p)
		name := str(u, "userName")
		c, err1 := time.Parse(time.RFC3339Nano, str(u, "meta", "created"))
		m, err2 := time.Parse(time.RFC3339Nano, str(u, "meta", "lastModified"))
		if err1 != nil || err2 != nil {
			s.fatalf(ruleMeta, "GET %s: meta %v", p, u["meta"])
		}
		names = append(names, name)
		created[name], modified[name] = c, m
		createdText = append(createdText, str(u, "meta", "created"))
		modifiedText = append(modifiedText, str(u, "meta", "lastModified"))
	}
	ops := []struct {
		op   string
		test func(c int) bool
	}{
		{"eq", func(c int) bool { return c == 0 }},
		{"ne", func(c int) bool { return c != 0 }},
		{"gt", func(c int) bool { return c > 0 }},
		{"ge", func(c int) bool { return c >= 0 }},
		{"lt", func(c int) bool { return c < 0 }},
		{"le", func(c int) bool { return c <= 0 }},
	}
	plus2 := time.FixedZone("+02:00", 2*60*60)
	for _, attr := range []struct {
		name  string
		times map[string]time.Time
		pivot string // as the store wrote it
	}{
		{"meta.lastModified", modified, modifiedText[2]},
		{"meta.created", created, createdText[1]},
	} {
		pivot, _ := time.Parse(time.RFC3339Nano, attr.pivot)
		for _, o := range ops {
			var want []string
			for _, n := range names {
				if o.test(attr.times[n].Compare(pivot)) {
					want = append(want, n)
				}
			}
			for _, lit := range []string{attr.pivot, pivot.In(plus2).Format(time.RFC3339Nano)} {
				s.checkFilter(ruleFilterTime, "/Users", "userName", fmt.Sprintf("%s %s %q", attr.name, o.op, lit), want)
			}
		}
	}
	s.checkFilter(ruleFilterTime, "/Users", "userName", `meta.lastModified gt "1999-12-31T23:00:00-01:00"`, names)
	s.checkFilter(ruleFilterTime, "/Users", "userName", `meta.created lt "2000-01-01T00:00:00Z"`, nil)
	s.checkFilter(ruleFilter, "/Users", "userName", `meta.lastModified pr`, names)
}

// sortKeys lists the resources of endpoint, filtered and sorted, and
// returns the attribute key of each in order, failing the case if the
// list fails.
func (s *suite) sortKeys(ru rule, endpoint, key string, params ...string) ([]string, int) {
	r := s.list(ru, endpoint, append(params, "count", "1000")...)
	return keys(listed(r), key), total(r)
}

func (s *suite) testSort() {
	s.userFixture()
	tests := []struct {
		ru     rule
		params []string
		want   []string
	}{
		{ruleSort, []string{"sortBy", "userName"}, []string{"alice", "bob", "carol", "Dave", "erin"}},
		{ruleSort, []string{"sortBy", "userName", "sortOrder", "ascending"}, []string{"alice", "bob", "carol", "Dave", "erin"}},
		{ruleSort, []string{"sortBy", "userName", "sortOrder", "descending"}, []string{"erin", "Dave", "carol", "bob", "alice"}},
		{ruleSortMissing, []string{"sortBy", "name.givenName"}, []string{"alice", "bob", "carol", "erin", "Dave"}},
		{ruleSortMissing, []string{"sortBy", "name.givenName", "sortOrder", "descending"}, []string{"erin", "carol", "bob", "alice", "Dave"}},
		{ruleSort, []string{"sortBy", "userName", "sortOrder", "descending", "filter", "active eq true"}, []string{"Dave", "carol", "alice"}},
	}
	for _, tt := range tests {
		var f, sortBy string
		for i := 0; i+1 < len(tt.params); i += 2 {
			switch tt.params[i] {
			case "filter":
				f = tt.params[i+1]
			case "sortBy":
				sortBy = tt.params[i+1]
			}
		}
		if !s.canFilter(s.users, f, sortBy) {
			continue
		}
		got, n := s.sortKeys(tt.ru, "/Users", "userName", tt.params...)
		if !slices.Equal(got, tt.want) || n != len(tt.want) {
			s.errorf(tt.ru, "GET /Users with %q: totalResults %d, order %q, want %d and %q", tt.params, n, got, len(tt.want), tt.want)
		}
	}
	// Titles tie: only the order of the values is fixed.
	if !s.can("sorting by title", s.users, "title") {
		return
	}
	for _, order := range []string{"ascending", "descending"} {
		r := s.list(ruleSort, "/Users", "sortBy", "title", "sortOrder", order, "count", "1000")
		var got []string
		for _, u := range listed(r) {
			got = append(got, strings.ToLower(str(u, "title")))
		}
		want := []string{"engineer", "engineer", "manager", "manager", ""}
		if order == "descending" {
			want = []string{"manager", "manager", "engineer", "engineer", ""}
		}
		ru := ruleSort
		if len(got) == len(want) && got[len(got)-1] != "" {
			ru = ruleSortMissing
		}
		if !slices.Equal(got, want) || total(r) != 5 {
			s.errorf(ru, "%s: totalResults %d, titles in order %q, want 5 and %q", r.req, total(r), got, want)
		}
	}
}

func (s *suite) testPaging() {
	const n = 23
	titles := []string{"x", "y", "z"}
	for i := range n {
		s.mustCreate("/Users", pruneJSON(s.users, userJSON(fmt.Sprintf("page-%02d", i), "title", titles[i%3], "active", i%2 == 0)))
	}
	full := s.list(rulePaging, "/Users", "count", "1000")
	all := keys(listed(full), "id")
	if total(full) != n || len(all) != n || len(sorted(all)) != len(slices.Compact(sorted(all))) {
		s.fatalf(rulePaging, "%s: totalResults %d with %d resources, want %d distinct", full.req, total(full), len(all), n)
	}

	// pages fetches the pages of count resources and returns the
	// concatenation of their keys.
	pages := func(count, want int, key string, params ...string) []string {
		var got []string
		for start := 1; start <= want+count; start += count {
			r := s.list(rulePaging, "/Users", append(params, "startIndex", strconv.Itoa(start), "count", strconv.Itoa(count))...)
			res := listed(r)
			if total(r) != want {
				s.errorf(rulePaging, "%s: totalResults %d, want %d", r.req, total(r), want)
			}
			if wantLen := max(0, min(count, want-start+1)); len(res) != wantLen {
				s.errorf(rulePaging, "%s: %d resources, want %d", r.req, len(res), wantLen)
			}
			if ipp, ok := r.obj["itemsPerPage"].(float64); !ok || int(ipp) != len(res) || r.obj["startIndex"] != float64(start) {
				s.errorf(rulePageFields, "%s: itemsPerPage %v, startIndex %v with %d resources", r.req, r.obj["itemsPerPage"], r.obj["startIndex"], len(res))
			}
			got = append(got, keys(res, key)...)
		}
		return got
	}
	once := func(what string, got, want []string) {
		if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
			s.errorf(rulePaging, "%s: resources over all pages (-want +got):\n%s", what, diff)
		}
	}
	once("pages of 5", pages(5, n, "id"), all)
	once("pages of 1", pages(1, n, "id"), all)
	for _, p := range [][2]int{{2, 5}, {7, 3}, {20, 10}, {23, 1}} {
		r := s.list(rulePaging, "/Users", "startIndex", strconv.Itoa(p[0]), "count", strconv.Itoa(p[1]))
		want := all[p[0]-1 : min(p[0]-1+p[1], n)]
		if got := keys(listed(r), "id"); !slices.Equal(got, want) {
			s.errorf(rulePaging, "%s: ids %q, want %q, as in the list of all", r.req, got, want)
		}
	}

	var active, inactive []string
	for i := range n {
		name := fmt.Sprintf("page-%02d", i)
		if i%2 == 0 {
			active = append(active, name)
		} else {
			inactive = append(inactive, name)
		}
	}
	hasActive := s.can("paging filtered by active", s.users, "active")
	if hasActive {
		once("pages of 4 filtered by active eq true", pages(4, len(active), "userName", "filter", "active eq true"), active)
	}

	if s.can("paging sorted by title", s.users, "title") {
		byTitle := pages(3, n, "userName", "sortBy", "title")
		once("pages of 3 sorted by title", byTitle, keys(listed(full), "userName"))
		titleOf := func(name string) string {
			i, _ := strconv.Atoi(strings.TrimPrefix(name, "page-"))
			return titles[i%3]
		}
		for i := 1; i < len(byTitle); i++ {
			if titleOf(byTitle[i-1]) > titleOf(byTitle[i]) {
				s.errorf(ruleSort, "pages of 3 sorted by title: %s (title %s) comes before %s (title %s)",
					byTitle[i-1], titleOf(byTitle[i-1]), byTitle[i], titleOf(byTitle[i]))
				break
			}
		}
	}

	if hasActive {
		desc := slices.Clone(inactive)
		slices.Reverse(desc)
		if got := pages(4, len(desc), "userName", "filter", "active eq false", "sortBy", "userName", "sortOrder", "descending"); !slices.Equal(got, desc) {
			s.errorf(rulePaging, "pages of 4 filtered by active eq false, sorted by userName descending: %q, want %q", got, desc)
		}
	} else {
		desc := keys(listed(full), "userName")
		slices.Sort(desc)
		slices.Reverse(desc)
		if got := pages(4, n, "userName", "sortBy", "userName", "sortOrder", "descending"); !slices.Equal(got, desc) {
			s.errorf(rulePaging, "pages of 4 sorted by userName descending: %q, want %q", got, desc)
		}
	}

	r := s.list(ruleCountZero, "/Users", "count", "0")
	if total(r) != n || len(listed(r)) != 0 {
		s.errorf(ruleCountZero, "%s: totalResults %d with %d resources, want %d and none", r.req, total(r), len(listed(r)), n)
	}
	if hasActive {
		r = s.list(ruleCountZero, "/Users", "count", "0", "filter", "active eq true")
		if total(r) != len(active) || len(listed(r)) != 0 {
			s.errorf(ruleCountZero, "%s: totalResults %d with %d resources, want %d and none", r.req, total(r), len(listed(r)), len(active))
		}
	}
	r = s.list(rulePastEnd, "/Users", "startIndex", strconv.Itoa(n+1))
	if total(r) != n || len(listed(r)) != 0 {
		s.errorf(rulePastEnd, "%s: totalResults %d with %d resources, want %d and none", r.req, total(r), len(listed(r)), n)
	}
	r = s.list(rulePaging, "/Users", "startIndex", "21")
	if got := keys(listed(r), "id"); !slices.Equal(got, all[20:]) {
		s.errorf(rulePaging, "%s: ids %q, want the last three %q", r.req, got, all[20:])
	}
}

// patchStep sends one PATCH to path and checks that it answers 200 with
// the resource as stored, whose attribute attr (a name, or a name and a
// sub-attribute's joined by a dot) then equals want (nil: absent). It
// returns the resource.
func (s *suite) patchStep(ru rule, path string, body string, attr string, want any) doc {
	r := s.do("PATCH", path, body)
	if !s.expect(ru, r, http.StatusOK) {
		return nil
	}
	s.checkETag(r)
	s.checkBody(rulePatchResult, r, path)
	var got any = r.obj
	ok := true
	names := []string{attr}
	if !strings.HasPrefix(attr, "urn:") {
		names = strings.Split(attr, ".")
	}
	for _, name := range names {
		m, _ := got.(doc)
		got, ok = m[name]
	}
	if !strings.Contains(jsonText(want), `"$ref"`) {
		got = without(got, "$ref")
	}
	if attr == "members" && !strings.Contains(jsonText(want), `"display"`) {
		got = without(got, "display")
	}
	switch {
	case want == nil && ok:
		s.errorf(ru, "PATCH %s %s: %s is %v, want it removed", path, body, attr, got)
	case want != nil:
		if diff := cmp.Diff(canonical(want), canonical(got)); diff != "" {
			s.errorf(ru, "PATCH %s %s: %s (-want +got):\n%s", path, body, attr, diff)
		}
	}
	return r.obj
}

// without returns v, the values of a multi-valued attribute, without
// their sub-attribute sub. The server fills in "$ref" on output from
// "value" (RFC 7643 §4.1.2), and a store may keep a member's "display"
// from the member's own resource, whatever the request sent.
func without(v any, sub string) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = e
		if m, ok := e.(doc); ok {
			if _, ok := m[sub]; ok {
				c := make(doc, len(m))
				for k, v := range m {
					c[k] = v
				}
				delete(c, sub)
				out[i] = c
			}
		}
	}
	return out
}

// A patchCase is one step of a PATCH case: a patchStep, run only when the
// resource type has the attributes the step needs. A step's want may
// depend on the steps before it only if it needs all they need.
type patchCase struct {
	needs []string
	body  string
	attr  string
	want  any
}

// patchSteps runs the steps that rt has the attributes for, in order, and
// logs the others.
func (s *suite) patchSteps(ru rule, rt *schema.ResourceType, path string, steps []patchCase) {
	for _, st := range steps {
		if s.can("PATCH "+st.body, rt, st.needs...) {
			s.patchStep(ru, path, st.body, st.attr, st.want)
		}
	}
}

func (s *suite) testPatchAdd() {
	work := doc{"value": "a@example.com", "type": "work"}
	home := doc{"value": "b@example.com", "type": "home"}
	u := s.mustCreate("/Users", pruneJSON(s.users, userJSON("pat", "emails", []any{work})))
	path := userPath(str(u, "id"))
	ent := schema.EnterpriseUserURN
	emails := []string{"emails.value", "emails.type"}
	name := []string{"title", "name.givenName", "name.familyName"}
	s.patchSteps(rulePatchAdd, s.users, path, []patchCase{
		{nil, patchJSON(op("add", s.note, "Pat")), s.note, "Pat"},
		{emails, patchJSON(op("add", "emails", []any{home})), "emails", []any{work, home}},
		{emails, patchJSON(op("add", "emails", []any{work})), "emails", []any{work, home}},
		{name[:2], patchJSON(op("add", "", doc{"title": "Boss", "name": doc{"givenName": "Pat"}})), "title", "Boss"},
		{name, patchJSON(op("add", "name.familyName", "Smith")), "name", doc{"givenName": "Pat", "familyName": "Smith"}},
		{append(name, "name.middleName"), patchJSON(op("add", "name", doc{"middleName": "Q"})), "name", doc{"givenName": "Pat", "familyName": "Smith", "middleName": "Q"}},
		{[]string{ent + ":department"}, patchJSON(op("add", ent+":department", "Ops")), ent, doc{"department": "Ops"}},
		{[]string{"phoneNumbers.value", "phoneNumbers.type", "active"}, patchJSON(
			op("add", "phoneNumbers", []any{doc{"value": "555-1234", "type": "work"}}),
			op("add", "active", true),
		), "phoneNumbers", []any{doc{"value": "555-1234", "type": "work"}}},
		{[]string{"active"}, patchJSON(op("add", "active", false)), "active", false},
		{[]string{"name.formatted"}, patchJSON(op("add", "name.formatted", "Pat Q Smith")), "name.formatted", "Pat Q Smith"},
	})
	s.expectError(ruleNotFound, s.do("PATCH", "/Users/no-such-id", patchJSON(op("add", s.note, "x"))), http.StatusNotFound, "")
}

func (s *suite) testPatchReplace() {
	work := doc{"value": "a@example.com", "type": "work"}
	home := doc{"value": "b@example.com", "type": "home"}
	u := s.mustCreate("/Users", pruneJSON(s.users, userJSON("pat",
		s.note, "P", "active", true,
		"name", doc{"givenName": "Pat", "familyName": "Smith"},
		"emails", []any{work, home})))
	path := userPath(str(u, "id"))
	name := []string{"name.givenName", "name.familyName"}
	s.patchSteps(rulePatchReplace, s.users, path, []patchCase{
		{nil, patchJSON(op("replace", s.note, "Patty")), s.note, "Patty"},
		{name, patchJSON(op("replace", "name.givenName", "Patricia")), "name", doc{"givenName": "Patricia", "familyName": "Smith"}},
		{[]string{"emails.value", "emails.type"}, patchJSON(op("replace", `emails[type eq "work"].value`, "new@example.com")),
			"emails", []any{doc{"value": "new@example.com", "type": "work"}, home}},
		{name, patchJSON(op("replace", "", doc{s.note: "P2", "name": doc{"familyName": "Jones"}})),
			"name", doc{"givenName": "Patricia", "familyName": "Jones"}},
		{[]string{"emails.value"}, patchJSON(op("replace", "emails", []any{doc{"value": "only@example.com"}})),
			"emails", []any{doc{"value": "only@example.com"}}},
		{[]string{"active"}, patchJSON(op("replace", "active", false)), "active", false},
		{[]string{"title"}, patchJSON(op("replace", "title", "Boss")), "title", "Boss"},
		{[]string{"name.formatted"}, patchJSON(op("replace", "name.formatted", "Pat Smith")), "name.formatted", "Pat Smith"},
	})

	a := str(s.mustCreate("/Users", userJSON("alice")), "id")
	b := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g := s.mustCreate("/Groups", s.groupJSON("Tour Guides", a))
	gpath := groupPath(str(g, "id"))
	s.patchSteps(rulePatchReplace, s.groups, gpath, []patchCase{
		{nil, patchJSON(op("replace", "displayName", "Guides")), "displayName", "Guides"},
		{[]string{"members.value"}, patchJSON(op("replace", "members", memberValues(b))), "members", memberValues(b)},
	})
}

func (s *suite) testPatchRemove() {
	work := doc{"value": "a@example.com", "type": "work"}
	home := doc{"value": "b@example.com", "type": "home"}
	ent := schema.EnterpriseUserURN
	u := s.mustCreate("/Users", pruneJSON(s.users, userJSON("pat",
		s.note, "P", "title", "Boss",
		"name", doc{"givenName": "Pat", "familyName": "Smith"},
		"emails", []any{work, home},
		ent, doc{"department": "Ops", "costCenter": "42"})))
	path := userPath(str(u, "id"))
	var rest any // the extension after its department is removed
	if e := s.users.Extension(ent); e != nil {
		if m := pruneAttrs(e.Attributes, doc{"costCenter": "42"}); len(m) > 0 {
			rest = m
		}
	}
	s.patchSteps(rulePatchRemove, s.users, path, []patchCase{
		{nil, patchJSON(op("remove", s.note, nil)), s.note, nil},
		{[]string{"emails.value", "emails.type"}, patchJSON(op("remove", `emails[type eq "home"]`, nil)), "emails", []any{work}},
		{[]string{"name.givenName", "name.familyName"}, patchJSON(op("remove", "name.givenName", nil)), "name", doc{"familyName": "Smith"}},
		{[]string{ent + ":department"}, patchJSON(op("remove", ent+":department", nil)), ent, rest},
		{[]string{"emails.value"}, patchJSON(op("remove", "emails", nil)), "emails", nil},
	})
	// Title and the whole extension, in one request.
	var ops []doc
	attr := ""
	if s.can("PATCH removing title", s.users, "title") {
		ops, attr = append(ops, op("remove", "title", nil)), "title"
	}
	if s.can("PATCH removing the enterprise extension", s.users, ent+":costCenter") {
		ops = append(ops, op("remove", ent, nil))
		if attr == "" {
			attr = ent
		}
	}
	if len(ops) == 0 {
		return
	}
	s.patchStep(rulePatchRemove, path, patchJSON(ops...), attr, nil)
	got, _ := s.mustGet(path)
	if _, ok := got[ent]; ok {
		s.errorf(rulePatchRemove, "PATCH %s removing %s: the extension is still there: %v", path, ent, got[ent])
	}
}

func (s *suite) testPatchErrors() {
	u := s.mustCreate("/Users", pruneJSON(s.users, userJSON("pat", s.note, "P",
		"emails", []any{doc{"value": "a@example.com", "type": "work"}})))
	path := userPath(str(u, "id"))
	emails := []string{"emails.value", "emails.type"}
	tests := []struct {
		ru       rule
		needs    []string
		body     string
		status   int
		scimType string
	}{
		{ruleNoTarget, nil, patchJSON(op("remove", "", nil)), 400, "noTarget"},
		{ruleNoTarget, emails, patchJSON(op("replace", `emails[type sw "home"].value`, "x@example.com")), 400, "noTarget"},
		{ruleMutability, nil, patchJSON(op("replace", "id", "other")), 400, "mutability"},
		{ruleMutability, []string{"groups.value"}, patchJSON(op("add", "groups", []any{doc{"value": "g"}})), 400, "mutability"},
		{ruleRequired, nil, patchJSON(op("remove", "userName", nil)), 400, "invalidValue"},
		{ruleAtomic, emails, patchJSON(
			op("replace", s.note, "changed"),
			op("add", "emails", []any{doc{"value": "new@example.com"}}),
			op("replace", `emails[type sw "home"].value`, "x@example.com"),
		), 400, "noTarget"},
		{ruleAtomic, nil, patchJSON(
			op("remove", s.note, nil),
			op("remove", "userName", nil),
		), 400, "invalidValue"},
	}
	for _, tt := range tests {
		if !s.can("PATCH "+tt.body, s.users, tt.needs...) {
			continue
		}
		r := s.do("PATCH", path, tt.body)
		if s.expectError(tt.ru, r, tt.status, tt.scimType) {
			s.checkSame(tt.ru, path, u, "PATCH "+tt.body)
		} else {
			s.errorf(tt.ru, "the request was %s", tt.body)
		}
	}

	if !s.can("PATCH of a group's members that fails", s.groups, "members.value") {
		return
	}

	a := str(s.mustCreate("/Users", userJSON("alice")), "id")
	b := str(s.mustCreate("/Users", userJSON("bob")), "id")
	g := s.mustCreate("/Groups", groupJSON("Tour Guides", a))
	gpath := groupPath(str(g, "id"))
	for _, body := range []string{
		patchJSON(op("add", "members", memberValues(b)), op("remove", "displayName", nil)),
		patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", a), nil), op("remove", "displayName", nil)),
		patchJSON(op("remove", "members", nil), op("remove", "displayName", nil)),
	} {
		r := s.do("PATCH", gpath, body)
		if s.expectError(ruleAtomic, r, http.StatusBadRequest, "") {
			s.checkSame(ruleAtomic, gpath, g, "PATCH "+body)
		} else {
			s.errorf(ruleAtomic, "the request was %s", body)
		}
	}
}

func (s *suite) testPatchMembers() {
	var ids []string
	for i := range 5 {
		ids = append(ids, str(s.mustCreate("/Users", userJSON(fmt.Sprintf("m%d", i))), "id"))
	}
	g := s.mustCreate("/Groups", groupJSON("Tour Guides", ids[0], ids[1]))
	path := groupPath(str(g, "id"))
	members := func(idx ...int) []any {
		var l []string
		for _, i := range idx {
			l = append(l, ids[i])
		}
		return memberValues(l...)
	}
	s.patchStep(rulePatchAdd, path, patchJSON(op("add", "members", members(2))), "members", members(0, 1, 2))
	s.patchStep(rulePatchAdd, path, patchJSON(op("add", "members", members(2))), "members", members(0, 1, 2))
	s.patchStep(rulePatchAdd, path, patchJSON(op("add", "members", members(3, 4))), "members", members(0, 1, 2, 3, 4))
	s.patchStep(rulePatchRemove, path, patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", ids[1]), nil)), "members", members(0, 2, 3, 4))
	s.patchStep(rulePatchRemove, path, patchJSON(
		op("remove", fmt.Sprintf("members[value eq %q]", ids[0]), nil),
		op("remove", fmt.Sprintf("members[value eq %q or value eq %q]", ids[3], ids[4]), nil),
	), "members", members(2))
	s.patchStep(rulePatchAdd, path, patchJSON(op("add", "", doc{"members": members(0, 1)})), "members", members(0, 1, 2))
	s.patchStep(rulePatchReplace, path, patchJSON(op("replace", "members", members(4))), "members", members(4))
	s.patchStep(rulePatchRemove, path, patchJSON(op("remove", "members", nil)), "members", nil)
	s.patchStep(rulePatchAdd, path, patchJSON(op("add", "members", members(3))), "members", members(3))
}

func (s *suite) testBulk() {
	s.mustCreate("/Users", userJSON("taken"))
	group := doc{"schemas": []any{schema.GroupURN}, "displayName": "Bulk Group"}
	members := s.can("a bulkId reference in a group's members", s.groups, "members.value")
	if members {
		group["members"] = []any{doc{"type": "User", "value": "bulkId:usr"}}
	}
	req := jsonText(doc{
		"schemas": []any{schema.BulkRequestURN},
		"Operations": []any{
			doc{"method": "POST", "path": "/Groups", "bulkId": "grp", "data": group},
			doc{"method": "POST", "path": "/Users", "bulkId": "usr", "data": doc{
				"schemas": []any{schema.UserURN}, "userName": "bulk-user",
			}},
			doc{"method": "POST", "path": "/Users", "bulkId": "dup", "data": doc{
				"schemas": []any{schema.UserURN}, "userName": "TAKEN",
			}},
		},
	})
	r := s.do("POST", "/Bulk", req)
	if !s.expect(ruleBulkResult, r, http.StatusOK) {
		return
	}
	results := make(map[string]doc)
	for _, o := range list(r.obj["Operations"]) {
		if m, ok := o.(doc); ok {
			results[str(m, "bulkId")] = m
		}
	}
	usr, grp, dup := results["usr"], results["grp"], results["dup"]
	if str(usr, "status") != "201" || str(grp, "status") != "201" {
		s.fatalf(ruleBulkRef, "%s: statuses of the user %q and the group %q, want 201 and 201; body %s", r.req, str(usr, "status"), str(grp, "status"), r.snippet())
	}
	if st := str(dup, "status"); st != "409" || str(dup, "response", "scimType") != "uniqueness" {
		s.errorf(ruleBulkResult, "%s: a POST of a taken userName has status %q and response %v, want 409 uniqueness", r.req, st, dup["response"])
	}
	uloc, gloc := str(usr, "location"), str(grp, "location")
	if !strings.HasPrefix(uloc, s.baseURL+"/Users/") || !strings.HasPrefix(gloc, s.baseURL+"/Groups/") {
		s.fatalf(ruleBulkResult, "%s: locations %q and %q", r.req, uloc, gloc)
	}
	user, uETag := s.mustGet(uloc[len(s.baseURL):])
	if str(user, "userName") != "bulk-user" || str(usr, "version") != uETag {
		s.errorf(ruleBulkResult, "the user created by bulk: userName %q, version %q in the bulk response and %q now", str(user, "userName"), str(usr, "version"), uETag)
	}
	stored, _ := s.mustGet(gloc[len(s.baseURL):])
	if got := memberIDs(stored); members && !slices.Equal(got, []string{str(user, "id")}) {
		s.errorf(ruleBulkRef, "the group created by bulk has members %q, want the new user [%q]", got, str(user, "id"))
	}
	l := s.list(ruleBulkResult, "/Users", "filter", `userName eq "taken"`)
	if total(l) != 1 {
		s.errorf(ruleBulkResult, "%s: totalResults %d after a refused bulk POST, want 1", l.req, total(l))
	}
}

func (s *suite) testPassword() {
	const secret = "t1meMa$heen"
	u := s.do("POST", "/Users", userJSON("bjensen", "password", secret))
	if !s.expect(ruleCreate, u, http.StatusCreated) {
		return
	}
	path := userPath(str(u.obj, "id"))
	responses := []*response{
		u,
		s.do("GET", path, ""),
		s.do("GET", path+"?attributes=password", ""),
		s.do("GET", path+"?attributes=userName,password", ""),
		s.do("GET", "/Users", ""),
		s.do("GET", "/Users?attributes=password", ""),
		s.do("PUT", path, userJSON("bjensen", s.note, "B")),
		s.do("PATCH", path, patchJSON(op("replace", "password", "n3wPassw0rd"))),
		s.do("PATCH", path+"?attributes=password", patchJSON(op("replace", s.note, "C"))),
		s.do("PUT", path, userJSON("bjensen", "password", secret)),
	}
	for _, r := range responses {
		if r.status >= 300 {
			s.errorf(rulePassword, "%s: status %d; body %s", r.req, r.status, r.snippet())
		}
		if strings.Contains(string(r.body), "password") || strings.Contains(string(r.body), "Passw0rd") || strings.Contains(string(r.body), secret) {
			s.errorf(rulePassword, "%s: the response has the password: %s", r.req, r.snippet())
		}
	}
}

func (s *suite) testPasswordStorage() {
	const first, second = "t1meMa$heen", "n3wPassw0rd"
	u := s.mustCreate("/Users", userJSON("bjensen", "password", first))
	id := str(u, "id")
	path := userPath(id)
	s.checkDump(func(dump string) {
		if !strings.Contains(dump, "bjensen") {
			s.fatalf(rulePasswordStored, "Store.Dump does not show the user bjensen just created, so it does not dump what the store keeps:\n%s", clip.To(dump, 2000))
		}
	})
	s.checkNotKept(id, "POST with a password", first)
	s.expect(rulePasswordStored, s.do("PATCH", path, patchJSON(op("replace", "password", second))), http.StatusOK)
	s.checkNotKept(id, "PATCH of the password", first, second)
	s.expect(rulePasswordStored, s.do("PUT", path, userJSON("bjensen", s.note, "B")), http.StatusOK)
	s.checkNotKept(id, "PUT without a password", first, second)
	s.expect(rulePasswordStored, s.do("PUT", path, userJSON("bjensen", "password", first)), http.StatusOK)
	s.checkNotKept(id, "PUT with a password", first, second)

	// What the handler returns when it is given a password.
	r, err := s.uh.Create(s.ctx, s.decode(s.users, userJSON("jsmith", "password", first)))
	if err != nil || r == nil {
		s.fatalf(ruleHandlerMeta, "Create: resource %s, error %v", describe(r), err)
	}
	if strings.Contains(jsonText(r.Attributes), first) {
		s.errorf(rulePasswordStored, "Create returned the password as sent: %v", r.Attributes["password"])
	}
	next := s.replacement(r, userJSON("jsmith", "password", second))
	out, err := s.uh.Replace(s.ctx, next, "")
	if err != nil || out == nil {
		s.fatalf(ruleHandlerMeta, "Replace: resource %s, error %v", describe(out), err)
	}
	if strings.Contains(jsonText(out.Attributes), second) {
		s.errorf(rulePasswordStored, "Replace returned the password as sent: %v", out.Attributes["password"])
	}
	s.checkNotKept(r.ID, "Create and Replace with a password", first, second)
}

// checkNotKept checks that no resource Get or List returns, and nothing
// Store.Dump shows, carries any of the secrets as sent.
func (s *suite) checkNotKept(id, after string, secrets ...string) {
	r, err := s.uh.Get(s.ctx, id)
	if err != nil || r == nil {
		s.fatalf(ruleHandlerNotFound, "Get(%q) of a user just written: resource %s, error %v", id, describe(r), err)
	}
	page, err := s.uh.List(s.ctx, &scim.Query{StartIndex: 1, Count: 100})
	if err != nil || page == nil {
		s.fatalf(ruleList, "List: page %v, error %v", page, err)
	}
	var listed strings.Builder
	for _, r := range page.Resources {
		listed.WriteString(jsonText(r.Attributes))
	}
	for _, secret := range secrets {
		for _, got := range []struct{ what, text string }{{"Get", jsonText(r.Attributes)}, {"List", listed.String()}} {
			if strings.Contains(got.text, secret) {
				s.errorf(rulePasswordStored, "after %s, a resource %s returns carries the password %q", after, got.what, secret)
			}
		}
		s.checkDump(func(dump string) {
			if strings.Contains(dump, secret) {
				s.errorf(rulePasswordStored, "after %s, Store.Dump shows the password %q as sent:\n%s", after, secret, clip.To(dump, 2000))
			}
		})
	}
}

// checkDump calls check with what Store.Dump returns, when the store has
// a Dump.
func (s *suite) checkDump(check func(dump string)) {
	if s.st.Dump == nil {
		return
	}
	dump, err := s.st.Dump(s.ctx)
	if err != nil {
		s.fatalf(rulePasswordStored, "Store.Dump: %v", err)
	}
	check(dump)
}

// decode returns a resource of rt from its JSON, with only the attributes
// rt has, ending the case if it is invalid.
func (s *suite) decode(rt *schema.ResourceType, body string) *resource.Resource {
	r, err := resource.Decode(rt, []byte(pruneJSON(rt, body)), resource.DecodeOptions{})
	if err != nil {
		s.rep.Errorf("suite error: decoding %s: %v", body, err)
		s.rep.FailNow()
	}
	return r
}

// replacement returns the user in body prepared to replace stored as the
// server prepares a PUT body for Replace (resource.Merge): with the id,
// meta and read-only attributes of stored.
func (s *suite) replacement(stored *resource.Resource, body string) *resource.Resource {
	next := s.decode(s.users, body)
	if err := resource.Merge(s.users, stored, next); err != nil {
		s.rep.Errorf("suite error: merging %s: %v", body, err)
		s.rep.FailNow()
	}
	return next
}

// mustCreateDirect creates a user through the handler, ending the case if
// it fails.
func (s *suite) mustCreateDirect(body string) *resource.Resource {
	r, err := s.uh.Create(s.ctx, s.decode(s.users, body))
	if err != nil || r == nil || r.ID == "" {
		s.fatalf(ruleHandlerMeta, "Create: resource %s, error %v", describe(r), err)
	}
	return r
}

// stored returns the user id as the handler stores it now, in its JSON
// form.
func (s *suite) stored(id string) doc {
	return s.storedIn(s.uh, s.users, id)
}

func (s *suite) storedIn(h scim.ResourceHandler, rt *schema.ResourceType, id string) doc {
	r, err := h.Get(s.ctx, id)
	if err != nil || r == nil {
		s.fatalf(ruleHandlerNotFound, "Get(%q) of a %s just written: resource %s, error %v", id, rt.Name, describe(r), err)
	}
	var m doc
	if err := json.Unmarshal(resource.Marshal(rt, r, nil), &m); err != nil {
		s.fatalf(ruleGet, "Get(%q) of a %s: a resource that does not marshal: %v", id, rt.Name, err)
	}
	return m
}

// checkStored reports a failure of ru unless the user id is stored as
// want, from stored.
func (s *suite) checkStored(ru rule, id string, want doc, what string) {
	if diff := cmp.Diff(want, s.stored(id)); diff != "" {
		s.errorf(ru, "after %s, the stored user differs (-before +after):\n%s", what, diff)
	}
}

// describe returns a short description of r for failure messages.
func describe(r *resource.Resource) string {
	if r == nil {
		return "nil"
	}
	return fmt.Sprintf("{ID %q, Meta.Version %q}", r.ID, r.Meta.Version)
}

// describePatch describes what Patch returned, for messages.
func describePatch(r *scim.PatchResult) string {
	if r == nil {
		return "nil"
	}
	return fmt.Sprintf("{Version %q, Resource %s}", r.Version, describe(r.Resource))
}

// patchReq is a PatchRequest for direct calls of Patch.
func patchReq(id string, ops []patch.Operation, version string) *scim.PatchRequest {
	return &scim.PatchRequest{ID: id, Operations: ops, Version: version}
}

// ops parses a PatchOp body for direct calls of Patch.
func (s *suite) ops(rt *schema.ResourceType, body string) []patch.Operation {
	ops, err := patch.Parse(rt, []byte(body), patch.Options{})
	if err != nil {
		s.rep.Errorf("suite error: parsing %s: %v", body, err)
		s.rep.FailNow()
	}
	return ops
}

func (s *suite) testHandlerNotFound() {
	gone := s.mustCreateDirect(userJSON("gone"))
	if err := s.uh.Delete(s.ctx, gone.ID, ""); err != nil {
		s.fatalf(ruleDelete, "Delete(%q): %v", gone.ID, err)
	}
	repl := s.decode(s.users, userJSON("other"))
	for _, id := range []string{gone.ID, "no-such-id", "00000000-0000-0000-0000-000000000000", "9223372036854775807"} {
		if r, err := s.uh.Get(s.ctx, id); !errors.Is(err, scim.ErrNotFound) {
			s.errorf(ruleHandlerNotFound, "Get(%q): resource %s, error %v", id, describe(r), err)
		}
		repl.ID = id
		if r, err := s.uh.Replace(s.ctx, repl.Clone(), ""); !errors.Is(err, scim.ErrNotFound) {
			s.errorf(ruleHandlerNotFound, "Replace of id %q: resource %s, error %v", id, describe(r), err)
		}
		if err := s.uh.Delete(s.ctx, id, ""); !errors.Is(err, scim.ErrNotFound) {
			s.errorf(ruleHandlerNotFound, "Delete(%q): error %v", id, err)
		}
		if p, ok := s.uh.(scim.Patcher); ok {
			if r, err := p.Patch(s.ctx, patchReq(id, s.ops(s.users, patchJSON(op("replace", s.note, "x"))), "")); !errors.Is(err, scim.ErrNotFound) {
				s.errorf(ruleHandlerNotFound, "Patch(%q): resource %s, error %v", id, describePatch(r), err)
			}
		}
		if r, err := s.gh.Get(s.ctx, id); !errors.Is(err, scim.ErrNotFound) {
			s.errorf(ruleHandlerNotFound, "Get(%q) of a group: resource %s, error %v", id, describe(r), err)
		}
	}
	// Through the server, too, whatever the form of the id.
	for _, id := range []string{gone.ID, "no-such-id", "00000000-0000-0000-0000-000000000000", "9223372036854775807"} {
		s.expectError(ruleNotFound, s.do("GET", userPath(id), ""), http.StatusNotFound, "")
		s.expectError(ruleNotFound, s.do("GET", groupPath(id), ""), http.StatusNotFound, "")
	}
}

func (s *suite) testHandlerUniqueness() {
	s.mustCreateDirect(userJSON("bjensen"))
	other := s.mustCreateDirect(userJSON("jsmith"))
	before := s.stored(other.ID)
	if r, err := s.uh.Create(s.ctx, s.decode(s.users, userJSON("BJENSEN"))); !errors.Is(err, scim.ErrUniqueness) {
		s.errorf(ruleHandlerUnique, "Create of a taken userName in another case: resource %s, error %v", describe(r), err)
	}
	next := s.replacement(other, userJSON("bJensen"))
	if r, err := s.uh.Replace(s.ctx, next, other.Meta.Version); !errors.Is(err, scim.ErrUniqueness) {
		s.errorf(ruleHandlerUnique, "Replace giving jsmith the userName bJensen: resource %s, error %v", describe(r), err)
	}
	s.checkStored(ruleHandlerUnique, other.ID, before, "a Replace refused for uniqueness")
	if p, ok := s.uh.(scim.Patcher); ok {
		if r, err := p.Patch(s.ctx, patchReq(other.ID, s.ops(s.users, patchJSON(op("replace", "userName", "BJensen"))), "")); !errors.Is(err, scim.ErrUniqueness) {
			s.errorf(ruleHandlerUnique, "Patch giving jsmith the userName BJensen: resource %s, error %v", describePatch(r), err)
		}
		s.checkStored(ruleHandlerUnique, other.ID, before, "a Patch refused for uniqueness")
	}
}

func (s *suite) testHandlerVersionMismatch() {
	r1 := s.mustCreateDirect(userJSON("bjensen", s.note, "one"))
	next := s.replacement(r1, userJSON("bjensen", s.note, "two"))
	r2, err := s.uh.Replace(s.ctx, next, r1.Meta.Version)
	if err != nil || r2 == nil {
		s.fatalf(ruleHandlerVersion, "Replace conditioned on the current version: resource %s, error %v", describe(r2), err)
	}
	if r2.Meta.Version == r1.Meta.Version {
		s.errorf(ruleHandlerMeta, "Replace: Meta.Version %q did not change", r2.Meta.Version)
	}
	before := s.stored(r1.ID)
	stale := s.replacement(r1, userJSON("bjensen", s.note, "stale"))
	if r, err := s.uh.Replace(s.ctx, stale, r1.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
		s.errorf(ruleHandlerVersion, "Replace conditioned on the version before: resource %s, error %v", describe(r), err)
	}
	s.checkStored(ruleHandlerVersion, r1.ID, before, "a Replace with a stale version")
	if err := s.uh.Delete(s.ctx, r1.ID, r1.Meta.Version); !errors.Is(err, scim.ErrVersionMismatch) {
		s.errorf(ruleHandlerVersion, "Delete conditioned on the version before: error %v", err)
	}
	s.checkStored(ruleHandlerVersion, r1.ID, before, "a Delete with a stale version")
	if p, ok := s.uh.(scim.Patcher); ok {
		bodies := []string{patchJSON(op("replace", s.note, "stale"))}
		if s.can("Patch adding emails with a stale version", s.users, "emails.value") {
			bodies = append(bodies, patchJSON(op("add", "emails", []any{doc{"value": "x@example.com"}})))
		}
		for _, body := range bodies {
			if r, err := p.Patch(s.ctx, patchReq(r1.ID, s.ops(s.users, body), r1.Meta.Version)); !errors.Is(err, scim.ErrVersionMismatch) {
				s.errorf(ruleHandlerVersion, "Patch %s conditioned on the version before: resource %s, error %v", body, describePatch(r), err)
			}
			s.checkStored(ruleHandlerVersion, r1.ID, before, "a Patch with a stale version")
		}
	}
	if p, ok := s.gh.(scim.Patcher); ok && s.can("Patch of a group's members with a stale version", s.groups, "members.value") {
		// Group membership, which a store may patch in place.
		a := s.mustCreateDirect(userJSON("alice"))
		b := s.mustCreateDirect(userJSON("bob"))
		g, err := s.gh.Create(s.ctx, s.decode(s.groups, groupJSON("Tour Guides", a.ID)))
		if err != nil || g == nil {
			s.fatalf(ruleHandlerMeta, "Create of a group: resource %s, error %v", describe(g), err)
		}
		if _, err := p.Patch(s.ctx, patchReq(g.ID, s.ops(s.groups, patchJSON(op("replace", "displayName", "Guides"))), g.Meta.Version)); err != nil {
			s.fatalf(ruleHandlerVersion, "Patch of a group conditioned on its current version: %v", err)
		}
		want := s.storedIn(s.gh, s.groups, g.ID)
		for _, body := range []string{
			patchJSON(op("add", "members", memberValues(b.ID))),
			patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", a.ID), nil)),
			patchJSON(op("remove", "members", nil)),
		} {
			if _, err := p.Patch(s.ctx, patchReq(g.ID, s.ops(s.groups, body), g.Meta.Version)); !errors.Is(err, scim.ErrVersionMismatch) {
				s.errorf(ruleHandlerVersion, "Patch of a group %s conditioned on the version before: error %v", body, err)
			}
			if diff := cmp.Diff(want, s.storedIn(s.gh, s.groups, g.ID)); diff != "" {
				s.errorf(ruleHandlerVersion, "after Patch of a group %s with a stale version, the stored group differs (-before +after):\n%s", body, diff)
			}
		}
	}
	if err := s.uh.Delete(s.ctx, r1.ID, r2.Meta.Version); err != nil {
		s.errorf(ruleHandlerVersion, "Delete conditioned on the current version: %v", err)
	}
}

func (s *suite) testHandlerCompareAndSwap() {
	const n = 10
	r := s.mustCreateDirect(userJSON("bjensen"))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		next := s.replacement(r, userJSON("bjensen", s.note, strconv.Itoa(i)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.uh.Replace(s.ctx, next, r.Meta.Version)
		}()
	}
	wg.Wait()
	ok, mismatch := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, scim.ErrVersionMismatch):
			mismatch++
		}
	}
	if ok != 1 || mismatch != n-1 {
		s.errorf(ruleHandlerCAS, "%d concurrent Replaces conditioned on version %q: %d succeeded and %d returned ErrVersionMismatch (errors %v)", n, r.Meta.Version, ok, mismatch, errs)
	}
}

func (s *suite) testHandlerMeta() {
	r := s.mustCreateDirect(userJSON("bjensen"))
	if r.Meta.Created.IsZero() || r.Meta.LastModified.IsZero() || r.Meta.Version == "" {
		s.errorf(ruleHandlerMeta, "Create: Meta %+v", r.Meta)
	}
	got, err := s.uh.Get(s.ctx, r.ID)
	if err != nil || got == nil || got.ID != r.ID || got.Meta.Version != r.Meta.Version || !got.Meta.Created.Equal(r.Meta.Created) {
		s.errorf(ruleHandlerMeta, "Get after Create: resource %s, error %v; Create returned %s", describe(got), err, describe(r))
	}
	next := s.replacement(r, userJSON("bjensen", s.note, "B"))
	out, err := s.uh.Replace(s.ctx, next, "")
	if err != nil || out == nil {
		s.fatalf(ruleHandlerMeta, "Replace without a version: resource %s, error %v", describe(out), err)
	}
	if out.ID != r.ID || !out.Meta.Created.Equal(r.Meta.Created) || out.Meta.LastModified.Before(r.Meta.LastModified) ||
		out.Meta.Version == "" || out.Meta.Version == r.Meta.Version {
		s.errorf(ruleHandlerMeta, "Replace: ID %q, Meta %+v after Create's ID %q and Meta %+v", out.ID, out.Meta, r.ID, r.Meta)
	}
	if got := s.noteOf(out); got != "B" {
		s.errorf(ruleHandlerMeta, "Replace: returned %s %v, want \"B\"", s.note, got)
	}
	g, err := s.gh.Create(s.ctx, s.decode(s.groups, s.groupJSON("Tour Guides", r.ID)))
	if err != nil || g == nil || g.ID == "" || g.Meta.Created.IsZero() || g.Meta.LastModified.IsZero() || g.Meta.Version == "" {
		s.errorf(ruleHandlerMeta, "Create of a group: resource %s, error %v", describe(g), err)
	}
}

// noteOf returns the value of s.note in r.
func (s *suite) noteOf(r *resource.Resource) any {
	if s.note == "externalId" {
		return r.ExternalID
	}
	return r.Attributes[s.note]
}

// setNote sets s.note in r to v.
func (s *suite) setNote(r *resource.Resource, v string) {
	if s.note == "externalId" {
		r.ExternalID = v
		return
	}
	if r.Attributes == nil {
		r.Attributes = make(map[string]any)
	}
	r.Attributes[s.note] = v
}

// snapshots keeps resources a handler returned, each with its JSON as it
// was returned, to check later that no write changed them.
type snapshots struct {
	s    *suite
	kept []snapshot
}

type snapshot struct {
	what string
	rt   *schema.ResourceType
	r    *resource.Resource
	json string
}

func (sn *snapshots) keep(what string, rt *schema.ResourceType, r *resource.Resource) {
	if r != nil {
		sn.kept = append(sn.kept, snapshot{what, rt, r, string(resource.Marshal(rt, r, nil))})
	}
}

// check reports every kept resource that changed since it was returned.
func (sn *snapshots) check(after string) {
	for _, k := range sn.kept {
		if got := string(resource.Marshal(k.rt, k.r, nil)); got != k.json {
			sn.s.errorf(ruleHandlerSnapshot, "the resource %s returned changed after %s:\nthen %s\nnow  %s", k.what, after, k.json, got)
		}
	}
}

func (s *suite) testHandlerSnapshots() {
	sn := &snapshots{s: s}
	out, err := s.uh.Create(s.ctx, s.decode(s.users, s.fullUser("bjensen")))
	if err != nil || out == nil {
		s.fatalf(ruleHandlerMeta, "Create: resource %s, error %v", describe(out), err)
	}
	id := out.ID
	sn.keep("Create", s.users, out)
	got, err := s.uh.Get(s.ctx, id)
	if err != nil || got == nil {
		s.fatalf(ruleHandlerNotFound, "Get(%q) of a user just created: resource %s, error %v", id, describe(got), err)
	}
	sn.keep("Get", s.users, got)
	page, err := s.uh.List(s.ctx, &scim.Query{StartIndex: 1, Count: 10})
	if err != nil || page == nil || len(page.Resources) != 1 {
		s.fatalf(ruleList, "List: page %v, error %v", page, err)
	}
	sn.keep("List", s.users, page.Resources[0])

	next := s.replacement(got, s.fullUser("bjensen"))
	s.setNote(next, "Replaced")
	rep, err := s.uh.Replace(s.ctx, next, got.Meta.Version)
	if err != nil {
		s.fatalf(ruleHandlerVersion, "Replace conditioned on the current version: %v", err)
	}
	sn.check("a Replace")
	sn.keep("Replace", s.users, rep)
	if p, ok := s.uh.(scim.Patcher); ok {
		body := patchJSON(op("replace", s.note, "Patched"))
		if v, ok := pruneValue(s.users.Schema.Attribute("emails"), []any{doc{"value": "new@example.com", "type": "other"}}); ok {
			body = patchJSON(op("add", "emails", v))
		}
		pr, err := p.Patch(s.ctx, patchReq(id, s.ops(s.users, body), ""))
		if err != nil {
			s.fatalf(rulePatchAdd, "Patch: %v", err)
		}
		sn.check("a Patch")
		if pr != nil {
			sn.keep("Patch", s.users, pr.Resource)
		}
	}

	// A group's members, which a store may change in place, one at a time.
	p, ok := s.gh.(scim.Patcher)
	if !ok || !s.can("a group's members changed by Patch", s.groups, "members.value") {
		return
	}
	var members []string
	for i := range 3 {
		u, err := s.uh.Create(s.ctx, s.decode(s.users, userJSON(fmt.Sprintf("member%d", i))))
		if err != nil {
			s.fatalf(ruleHandlerMeta, "Create: %v", err)
		}
		members = append(members, u.ID)
	}
	g, err := s.gh.Create(s.ctx, s.decode(s.groups, s.groupJSON("Tour Guides", members[0])))
	if err != nil || g == nil {
		s.fatalf(ruleHandlerMeta, "Create of a group: resource %s, error %v", describe(g), err)
	}
	sn.keep("Create of a group", s.groups, g)
	for i, body := range []string{
		patchJSON(op("add", "members", []any{doc{"value": members[1]}})),
		patchJSON(op("add", "members", []any{doc{"value": members[2]}})),
		patchJSON(op("remove", fmt.Sprintf("members[value eq %q]", members[0]), nil)),
		patchJSON(op("remove", "members", []any{doc{"value": members[1]}})),
		patchJSON(op("add", "members", []any{doc{"value": members[0]}})),
	} {
		cur, err := s.gh.Get(s.ctx, g.ID)
		if err != nil {
			s.fatalf(ruleHandlerNotFound, "Get of a group: %v", err)
		}
		sn.keep(fmt.Sprintf("Get of a group before PATCH %d", i+1), s.groups, cur)
		if _, err := p.Patch(s.ctx, patchReq(g.ID, s.ops(s.groups, body), "")); err != nil {
			s.fatalf(rulePatchAdd, "Patch %s of a group: %v", body, err)
		}
		sn.check(fmt.Sprintf("PATCH %d of a group, %s", i+1, body))
	}
}
