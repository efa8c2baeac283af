package scimtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/schema"
)

// Target is a deployed SCIM service that CheckEndpoint checks, and what to
// check there.
type Target struct {
	// URL is the service's base URL, under which it serves /Users,
	// /Groups and the discovery endpoints, such as
	// "https://app.example.com/scim/v2". It is required.
	URL string

	// Client sends the requests; nil means http.DefaultClient. It is the
	// Client's to authenticate them, with a Transport that adds an
	// Authorization header, and to bound how long one may take, with its
	// Timeout.
	Client *http.Client

	// Select reports whether to run the check called name: a case of Run
	// by its name, such as "filter-users", or a conversation by its key in
	// Conversations. Nil runs them all. The checks "discovery" and
	// "cleanup" always run.
	Select func(name string) bool

	// Conversations are golden conversations (testdata/exchanges, for
	// example) to replay against the service as their client sent them,
	// by name, in the order of their names. A conversation whose preamble
	// sets server options ("config:" lines) is skipped: the service's
	// options are its own. Within one, an exchange is skipped, and its
	// Result says why, when its filter or sortBy names an attribute the
	// service's resource type lacks, when it names a resource the
	// recording created and this run could not, or when it would change a
	// resource this run did not create.
	Conversations map[string]*Conversation

	// Redact are strings never to show in a Result, such as the token
	// Client sends: each is replaced by "[redacted]" in a response's body
	// and header values as it is read, before any part of it is quoted,
	// so that a service that echoes a request's headers cannot show one,
	// whole or cut short.
	Redact []string
}

// Result is the outcome of one check of CheckEndpoint.
type Result struct {
	// Name names the check: "discovery"; a case of Run, such as
	// "filter-users"; an exchange of a conversation, as the
	// conversation's name, "/" and the exchange's number from 1, such as
	// "entra-users/3"; or "cleanup".
	Name string

	// Rule is what the check demands, and Ref where that comes from, such
	// as "RFC 7644 §3.3".
	Rule, Ref string

	// Skipped says why the check did not run; it is "" when it ran.
	Skipped string

	// Failures are what the check found broken; none when it passed. Each
	// tells what was observed and the rule broken, with its section, and
	// then the request sent and the response received, with bodies cut to
	// 512 bytes. Each is at most a few KiB.
	Failures []string

	// Notes are what a check that ran left out, and why, such as a filter
	// on an attribute the service does not keep.
	Notes []string
}

// Passed reports whether the check ran and found nothing broken.
func (r Result) Passed() bool { return r.Skipped == "" && len(r.Failures) == 0 }

var (
	ruleDiscovery = rule{"RFC 7644 §4, RFC 7643 §5-§7", "the service describes itself at /ServiceProviderConfig, /Schemas and /ResourceTypes, with a User type at /Users and a Group type at /Groups"}
	ruleCleanup   = rule{"RFC 7644 §3.6", "every resource the checks created is deleted afterwards"}
)

// CheckEndpoint checks a deployed SCIM service over HTTP, as a client
// would, and calls report with the Result of each check, one at a time and
// in order, from the calling goroutine.
//
// It first reads the service's /ServiceProviderConfig, /Schemas and
// /ResourceTypes (the check "discovery"), and works with the User and Group
// types the service describes, as Run does with a store's cut-down types:
// a case that needs an attribute the service does not keep is skipped, as
// is one that needs a feature /ServiceProviderConfig says the service
// lacks (patch, bulk, sort, etag, changePassword). Filters it needs: without
// them it cannot tell its own resources from the others.
//
// It then runs the cases of Run that go through HTTP alone, each with the
// requests and checks Run makes. It leaves out those that call the
// handlers directly or read the storage (the "handler-" cases and
// password-storage) and tenant-isolation, and within uniqueness-unicode
// the check of the handler's error. Next it replays each conversation of
// Target.Conversations, checking each response against the recorded one
// (see below).
//
// The service may hold other resources, which CheckEndpoint neither
// changes nor counts. Everything a check creates is its own: the userName and
// externalId of each user, and the displayName and externalId of each
// group, start with a prefix of the run and the check, such as
// "scimcheck-31415926-07-", which the check adds to what it sends (to
// values, and to the literals of filters on those attributes) and takes
// out of what it receives. Every list it asks for is scoped to its own
// prefix with a filter, such as userName sw "scimcheck-31415926-07-", so
// the counts and pages it checks are of its own resources. After each
// check it deletes what that check created (what a POST or Bulk request
// answered with an id or location); at the end (the check "cleanup") it
// lists what is left with the run's prefix, deletes it, and fails if
// anything of the run's is still there. Besides the ids the service gives
// it, it names only ids that should name no resource, such as
// "no-such-id".
//
// A PATCH answered 204 No Content, which RFC 7644 §3.5.2 allows, is taken
// as answered with the resource a GET then returns. A 429 Too Many
// Requests is retried after its Retry-After, a few times.
//
// A conversation is replayed request by request, as recorded, with the
// names it creates (userName, displayName, externalId) prefixed, and the
// ids, versions (If-Match, If-None-Match) and URLs of the recording
// replaced by the service's own. Each response is compared with the
// recorded one: the status; the Content-Type, and an ETag and Location
// where the recording has them; and the body as JSON, with the service's
// ids and base URL taken back to the recording's, and without what a
// server generates: meta.created, meta.lastModified, meta.version, the
// detail of an error and a member's display. Both sides are cut down to
// the attributes the service's types have, and a page of a list that
// does not hold every result is compared by the attributes of its
// resources only, since servers order resources as they like. An
// exchange whose filter or sortBy names an attribute the service does
// not keep is skipped, as is one that names a resource the service did
// not create.
//
// CheckEndpoint returns an error when t is not valid, or ctx.Err() when
// ctx ended before every check ran; it still deletes what the checks
// created then, for at most a minute.
func CheckEndpoint(ctx context.Context, t Target, report func(Result)) error {
	base := strings.TrimRight(t.URL, "/")
	if u, err := url.Parse(base); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("scimtest: Target.URL %q is not an http or https URL", t.URL)
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	selected := t.Select
	if selected == nil {
		selected = func(string) bool { return true }
	}
	c := &checker{sv: &service{base: base, client: client, redact: redactor(t.Redact)}, prefix: runPrefix()}
	d, res := c.discover(ctx)
	report(res)
	if d != nil {
		for _, tc := range cases {
			if tc.direct || tc.tenant || !selected(tc.name) || ctx.Err() != nil {
				continue
			}
			report(c.runCase(ctx, tc, d))
		}
		for _, name := range slices.Sorted(maps.Keys(t.Conversations)) {
			if !selected(name) || ctx.Err() != nil {
				continue
			}
			c.replay(ctx, name, t.Conversations[name], d, report)
		}
	}
	report(c.cleanup(ctx))
	return ctx.Err()
}

// runPrefix returns the prefix of a run: "scimcheck-", eight random
// digits and "-". A filter's literal that gets the prefix (eq, sw, gt, ...)
// compares as the name alone would; one of co does not get it, and could
// match within the prefix, but no literal the cases give co occurs in one.
func runPrefix() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1e8))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("scimcheck-%08d-", n.Int64())
}

// checker is the state of one CheckEndpoint.
type checker struct {
	sv     *service
	prefix string   // the run's
	n      int      // the namespaces given out, one per check that creates resources
	notes  []string // what could not be deleted after a check, for cleanup
}

// namespace returns a namespace of the run's for one check.
func (c *checker) namespace(ids map[string]string) *namespace {
	c.n++
	return &namespace{prefix: fmt.Sprintf("%s%02d-", c.prefix, c.n), ids: ids}
}

// cleanupTime bounds how long deleting what the checks created may take
// once ctx has ended.
const cleanupTime = time.Minute

// forCleanup returns a context for deleting what a check created: ctx, or
// once ctx has ended, one that lasts cleanupTime more.
func forCleanup(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), cleanupTime)
}

// remove deletes the resources at paths that a check created; a failure
// is noted, for cleanup to report if the resource is still there then.
func (c *checker) remove(ctx context.Context, paths []string) {
	ctx, cancel := forCleanup(ctx)
	defer cancel()
	c.notes = append(c.notes, c.sv.remove(ctx, paths)...)
}

// runCase runs a case of the suite against the service.
func (c *checker) runCase(ctx context.Context, tc testCase, d *discovered) Result {
	res := Result{Name: tc.name, Rule: tc.about.text, Ref: tc.about.ref}
	if why := tc.lacks(d.users, d.groups); why != "" {
		res.Skipped = why
		return res
	}
	for _, f := range tc.features {
		if !d.supports[f] {
			res.Skipped = fmt.Sprintf("the service does not support %s, which this case needs (/ServiceProviderConfig)", f)
			return res
		}
	}
	h := &liveHandler{ctx: ctx, sv: c.sv, ns: c.namespace(nil)}
	rep := &liveReporter{h: h}
	s := &suite{
		rep:     rep,
		st:      &Store{Users: scim.Endpoint{Type: d.users}, Groups: scim.Endpoint{Type: d.groups}},
		users:   d.users,
		groups:  d.groups,
		baseURL: c.sv.base,
		note:    noteAttr(d.users),
		ctx:     ctx,
		handler: h,
	}
	isolated(rep, func() { tc.run(s) })
	c.remove(ctx, h.created)
	res.Failures, res.Notes = rep.failures, rep.notes
	if err := ctx.Err(); err != nil {
		res.Failures = []string{fmt.Sprintf("interrupted (%v)", err)}
	}
	return res
}

// features are the features of /ServiceProviderConfig (RFC 7643 §5) that
// decide which checks run.
var features = []string{"patch", "bulk", "filter", "changePassword", "sort", "etag"}

// discovered is what the service says of itself.
type discovered struct {
	users, groups *schema.ResourceType
	supports      map[string]bool // by feature
}

var acceptSCIM = http.Header{"Accept": {"application/scim+json"}}

// discover reads the service's discovery endpoints. It returns nil when
// the other checks cannot run.
func (c *checker) discover(ctx context.Context) (*discovered, Result) {
	res := Result{Name: "discovery", Rule: ruleDiscovery.text, Ref: ruleDiscovery.ref}
	res.Notes = []string{fmt.Sprintf("the userName, displayName and externalId of what the checks create start with %s", c.prefix)}
	d := &discovered{supports: make(map[string]bool)}
	answered := false // whether one of the endpoints answered 200
	get := func(target string) []byte {
		x := c.sv.send(ctx, http.MethodGet, target, acceptSCIM, nil)
		if x.err != nil || x.status != http.StatusOK {
			res.Failures = append(res.Failures, fmt.Sprintf("GET %s: want 200 with a JSON body\n%s", target, x.describe()))
			return nil
		}
		answered = true
		return x.resp
	}
	failf := func(format string, args ...any) {
		res.Failures = append(res.Failures, clip.To(fmt.Sprintf(format, args...), maxFailure))
	}

	for _, f := range features {
		d.supports[f] = true
	}
	if body := get("/ServiceProviderConfig"); body != nil {
		var m doc
		if err := decodeJSON(body, &m); err != nil {
			failf("GET /ServiceProviderConfig: %v: %s", err, clip.To(string(body), maxQuote))
		}
		for _, f := range features {
			if v, ok := dig(m, f, "supported").(bool); ok {
				d.supports[f] = v
			} else if m != nil {
				failf("GET /ServiceProviderConfig: no %s.supported (RFC 7643 §5)", f)
			}
		}
	}

	var schemas []*schema.Schema
	if body := get("/Schemas"); body != nil {
		var err error
		if schemas, err = schema.ParseSchemas(body); err != nil {
			failf("GET /Schemas: %v", err)
		}
	}
	var types []*schema.ResourceType
	if body := get("/ResourceTypes"); body != nil && schemas != nil {
		var m doc
		if err := decodeJSON(body, &m); err != nil {
			failf("GET /ResourceTypes: %v: %s", err, clip.To(string(body), maxQuote))
		}
		for _, r := range list(m["Resources"]) {
			rt, err := schema.ParseResourceType(encodeJSON(r), schemas)
			if err != nil {
				failf("GET /ResourceTypes: %v", err)
				continue
			}
			types = append(types, rt)
		}
	}
	if !answered {
		failf("no check ran: the service answered none of its discovery endpoints")
		return nil, res
	}
	for _, t := range []struct {
		rt                   **schema.ResourceType
		endpoint, urn, needs string
		builtin              func() *schema.ResourceType
	}{
		{&d.users, "/Users", schema.UserURN, "userName", schema.UserResourceType},
		{&d.groups, "/Groups", schema.GroupURN, "displayName", schema.GroupResourceType},
	} {
		for _, rt := range types {
			if strings.EqualFold(rt.Endpoint, t.endpoint) && strings.EqualFold(rt.Schema.ID, t.urn) && hasAttr(rt, t.needs) {
				*t.rt = rt
			}
		}
		if *t.rt == nil {
			if types != nil {
				failf("GET /ResourceTypes: no resource type at %s with the core schema %s and its attribute %s", t.endpoint, t.urn, t.needs)
			}
			*t.rt = t.builtin()
			res.Notes = append(res.Notes, fmt.Sprintf("the checks take the %s type to be RFC 7643's, with every attribute", (*t.rt).Name))
		}
	}
	if !d.supports["filter"] {
		failf("the service says it does not support filters, which the checks need to tell their own resources from the others: no check ran")
		return nil, res
	}
	return d, res
}

// cleanup lists what is left of the run's resources, deletes it, and
// reports what could not be.
func (c *checker) cleanup(ctx context.Context) Result {
	res := Result{Name: "cleanup", Rule: ruleCleanup.text, Ref: ruleCleanup.ref}
	if c.n == 0 {
		res.Skipped = "no check that creates resources ran"
		return res
	}
	ctx, cancel := forCleanup(ctx)
	defer cancel()
	res.Notes = c.notes
	for _, ep := range []string{"/Groups", "/Users"} {
		paths, err := c.leftovers(ctx, ep)
		if err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("could not list what is left of the run's resources at %s, so whether it deleted all is not known; %v", ep, err))
			continue
		}
		if len(paths) == 0 {
			continue
		}
		res.Notes = append(res.Notes, fmt.Sprintf("%d resources of the run were left at %s after their checks, such as %q", len(paths), ep, paths[:min(len(paths), 5)]))
		res.Failures = append(res.Failures, c.sv.remove(ctx, paths)...)
	}
	return res
}

// maxPages bounds the pages cleanup reads of one endpoint.
const maxPages = 100

// leftovers returns the paths of the resources at endpoint ("/Users" or
// "/Groups") whose userName or displayName starts with the run's prefix.
// It checks the names itself, so that a service that ignores filters
// costs it time but no resource of another's.
func (c *checker) leftovers(ctx context.Context, endpoint string) ([]string, error) {
	attr := scopeAttr(endpointOf(endpoint))
	var paths []string
	for start, page := 1, 0; page < maxPages; page++ {
		q := url.Values{
			"filter":     {attr + " sw " + quoteJSON(c.prefix)},
			"attributes": {attr},
			"startIndex": {strconv.Itoa(start)},
			"count":      {"100"},
		}
		x := c.sv.send(ctx, http.MethodGet, endpoint+"?"+q.Encode(), acceptSCIM, nil)
		var m doc
		if x.err != nil || x.status != http.StatusOK || decodeJSON(x.resp, &m) != nil {
			return paths, fmt.Errorf("want 200 with a list\n%s", x.describe())
		}
		res := list(m["Resources"])
		for _, r := range res {
			name, id := str(r, attr), str(r, "id")
			if id != "" && len(name) >= len(c.prefix) && strings.EqualFold(name[:len(c.prefix)], c.prefix) {
				paths = append(paths, endpoint+"/"+url.PathEscape(id))
			}
		}
		start += len(res)
		if len(res) == 0 || start > number(m["totalResults"]) {
			break
		}
	}
	return paths, nil
}

// number returns v, a JSON number decoded by decodeJSON, as an int, or -1.
func number(v any) int {
	n, ok := v.(json.Number)
	if !ok {
		return -1
	}
	i, err := strconv.Atoi(string(n))
	if err != nil {
		return -1
	}
	return i
}
