package scimtest_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// replaceOnly hides every method of a handler but those of
// scim.ResourceHandler, such as MemoryHandler's Patch, so that the server
// applies PATCH itself and stores the result with Replace.
type replaceOnly struct{ scim.ResourceHandler }

// memoryStore returns a Store of MemoryHandlers for users and groups, each
// passed through wrap, with a Dump of what they keep.
func memoryStore(users, groups *schema.ResourceType, wrap func(scim.ResourceHandler) scim.ResourceHandler) *scimtest.Store {
	uh, gh := scimtest.NewMemoryHandler(users), scimtest.NewMemoryHandler(groups)
	return &scimtest.Store{
		Users:  scim.Endpoint{Type: users, Handler: wrap(uh)},
		Groups: scim.Endpoint{Type: groups, Handler: wrap(gh)},
		Dump: func(context.Context) (string, error) {
			return scimtest.Dump(uh) + scimtest.Dump(gh), nil
		},
	}
}

func same(h scim.ResourceHandler) scim.ResourceHandler { return h }

// tenantKey is the context key under which a host's middleware would put
// the tenant of a request.
type tenantKey struct{}

func withTenant(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, tenantKey{}, "tenant-"+strconv.Itoa(n))
}

// tenanted stores the resources of one type for many tenants: a
// MemoryHandler for each, chosen by the tenant in the context. A store of
// groups checks that members name users of the group's tenant, which it
// can do only on Create and Replace; it has no Patch method, so the server
// applies PATCH and writes the result with Replace.
type tenanted struct {
	users *tenanted // for a store of groups: whose users members may name

	rt       *schema.ResourceType
	mu       sync.Mutex
	byTenant map[string]*scimtest.MemoryHandler
}

// tenantedStore returns a tenanted Store of users and groups.
func tenantedStore(users, groups *schema.ResourceType) *scimtest.Store {
	uh := &tenanted{rt: users, byTenant: make(map[string]*scimtest.MemoryHandler)}
	gh := &tenanted{rt: groups, byTenant: make(map[string]*scimtest.MemoryHandler), users: uh}
	return &scimtest.Store{
		Users:  scim.Endpoint{Type: users, Handler: uh},
		Groups: scim.Endpoint{Type: groups, Handler: gh},
		Tenant: withTenant,
		Dump: func(context.Context) (string, error) {
			return uh.dump() + gh.dump(), nil
		},
	}
}

// of returns the handler of the tenant in ctx.
func (h *tenanted) of(ctx context.Context) (*scimtest.MemoryHandler, error) {
	tenant, ok := ctx.Value(tenantKey{}).(string)
	if !ok {
		return nil, errors.New("no tenant in the context")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.byTenant[tenant]
	if m == nil {
		m = scimtest.NewMemoryHandler(h.rt)
		h.byTenant[tenant] = m
	}
	return m, nil
}

// checkMembers refuses members that are not users of the tenant in ctx.
func (h *tenanted) checkMembers(ctx context.Context, r *resource.Resource) error {
	if h.users == nil {
		return nil
	}
	users, err := h.users.of(ctx)
	if err != nil {
		return err
	}
	members, _ := r.Attributes["members"].([]any)
	for _, m := range members {
		id, _ := m.(map[string]any)["value"].(string)
		if _, err := users.Get(ctx, id); errors.Is(err, scim.ErrNotFound) {
			return &scim.Error{Status: 400, Type: scim.InvalidValue, Detail: "members: no such user"}
		} else if err != nil {
			return err
		}
	}
	return nil
}

func (h *tenanted) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	m, err := h.of(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.checkMembers(ctx, r); err != nil {
		return nil, err
	}
	return m.Create(ctx, r)
}

func (h *tenanted) Get(ctx context.Context, id string) (*resource.Resource, error) {
	m, err := h.of(ctx)
	if err != nil {
		return nil, err
	}
	return m.Get(ctx, id)
}

func (h *tenanted) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	m, err := h.of(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.checkMembers(ctx, r); err != nil {
		return nil, err
	}
	return m.Replace(ctx, r, version)
}

func (h *tenanted) Delete(ctx context.Context, id, version string) error {
	m, err := h.of(ctx)
	if err != nil {
		return err
	}
	return m.Delete(ctx, id, version)
}

func (h *tenanted) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	m, err := h.of(ctx)
	if err != nil {
		return nil, err
	}
	return m.List(ctx, q)
}

func (h *tenanted) dump() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, tenant := range slices.Sorted(maps.Keys(h.byTenant)) {
		fmt.Fprintf(&b, "%s:\n%s", tenant, scimtest.Dump(h.byTenant[tenant]))
	}
	return b.String()
}

// cutTypes returns User and Group cut down to what an application's
// accounts table might keep.
func cutTypes(t testing.TB) (users, groups *schema.ResourceType) {
	users, err := schema.UserResourceType().Subset("userName", "name.formatted", "emails", "active", "groups",
		schema.EnterpriseUserURN+":department")
	if err != nil {
		t.Fatal(err)
	}
	groups, err = schema.GroupResourceType().Subset("displayName", "members")
	if err != nil {
		t.Fatal(err)
	}
	return users, groups
}

// runSkips runs the suite and returns the names of the cases it skipped.
func runSkips(t *testing.T, newStore func(t *testing.T) *scimtest.Store) []string {
	var mu sync.Mutex
	var skipped []string
	scimtest.Run(t, func(t *testing.T) *scimtest.Store {
		t.Cleanup(func() {
			if t.Skipped() {
				mu.Lock()
				defer mu.Unlock()
				skipped = append(skipped, path.Base(t.Name()))
			}
		})
		return newStore(t)
	})
	slices.Sort(skipped)
	return skipped
}

func TestConformance(t *testing.T) {
	full := func() (users, groups *schema.ResourceType) {
		return schema.UserResourceType(), schema.GroupResourceType()
	}
	tests := []struct {
		name     string
		newStore func(t *testing.T) *scimtest.Store
		skipped  []string
	}{
		{
			name: "native-patch",
			newStore: func(t *testing.T) *scimtest.Store {
				users, groups := full()
				return memoryStore(users, groups, same)
			},
			skipped: []string{"tenant-isolation"},
		},
		{
			name: "replace-patch",
			newStore: func(t *testing.T) *scimtest.Store {
				users, groups := full()
				return memoryStore(users, groups, func(h scim.ResourceHandler) scim.ResourceHandler { return replaceOnly{h} })
			},
			skipped: []string{"tenant-isolation"},
		},
		{
			name: "tenanted",
			newStore: func(t *testing.T) *scimtest.Store {
				return tenantedStore(full())
			},
		},
		{
			// Every case skipped, and every check left out, lacks an
			// attribute.
			name: "cut-down",
			newStore: func(t *testing.T) *scimtest.Store {
				return tenantedStore(cutTypes(t))
			},
			skipped: []string{"password", "password-storage"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.skipped, runSkips(t, tt.newStore)); diff != "" {
				t.Errorf("cases skipped (-want +got):\n%s", diff)
			}
		})
	}
}

func ExampleTestHandlers() {
	err := scimtest.TestHandlers(func() (*scimtest.Store, error) {
		users, groups := schema.UserResourceType(), schema.GroupResourceType()
		return &scimtest.Store{
			Users:  scim.Endpoint{Type: users, Handler: scimtest.NewMemoryHandler(users)},
			Groups: scim.Endpoint{Type: groups, Handler: scimtest.NewMemoryHandler(groups)},
		}, nil
	})
	fmt.Println(err)
	// Output: <nil>
}

// ignoresVersions writes whatever version a write is conditioned on.
type ignoresVersions struct{ scim.ResourceHandler }

func (h ignoresVersions) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	return h.ResourceHandler.Replace(ctx, r, "")
}

func (h ignoresVersions) Delete(ctx context.Context, id, version string) error {
	return h.ResourceHandler.Delete(ctx, id, "")
}

// rotates lists its resources in an order that turns on every call.
type rotates struct {
	scim.ResourceHandler
	mu    sync.Mutex
	calls int
}

func (h *rotates) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	all, err := h.ResourceHandler.List(ctx, &scim.Query{Filter: q.Filter, Sort: q.Sort, StartIndex: 1, Count: math.MaxInt32})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.calls++
	k := h.calls
	h.mu.Unlock()
	res := all.Resources
	if len(res) > 0 {
		k %= len(res)
		res = append(slices.Clone(res[k:]), res[:k]...)
	}
	page := &scim.Page{TotalResults: all.TotalResults}
	if start := q.StartIndex - 1; start < len(res) {
		page.Resources = res[start:min(start+q.Count, len(res))]
	}
	return page, nil
}

// caches answers Get from a cache of the resources it returned before.
// overwrites keeps the resources Get returns and overwrites them in place
// when a Replace changes their resource, as a store of live objects would.
type overwrites struct {
	scim.ResourceHandler
	mu  sync.Mutex
	out map[string][]*resource.Resource
}

func (h *overwrites) Get(ctx context.Context, id string) (*resource.Resource, error) {
	r, err := h.ResourceHandler.Get(ctx, id)
	if err == nil {
		h.mu.Lock()
		h.out[id] = append(h.out[id], r)
		h.mu.Unlock()
	}
	return r, err
}

func (h *overwrites) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	res, err := h.ResourceHandler.Replace(ctx, r, version)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, old := range h.out[res.ID] {
		old.Attributes = maps.Clone(res.Attributes)
		old.Meta = res.Meta
	}
	return res, nil
}

// plainNotFound reports a missing resource with an error of its own.
type plainNotFound struct{ scim.ResourceHandler }

func (h plainNotFound) Get(ctx context.Context, id string) (*resource.Resource, error) {
	r, err := h.ResourceHandler.Get(ctx, id)
	if errors.Is(err, scim.ErrNotFound) {
		return nil, errors.New("sql: no rows in result set")
	}
	return r, err
}

// dropsPhones does not store phone numbers.
type dropsPhones struct{ scim.ResourceHandler }

func (h dropsPhones) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	r = r.Clone()
	delete(r.Attributes, "phoneNumbers")
	return h.ResourceHandler.Create(ctx, r)
}

// foldsASCII keeps userName unique as SQLite's LOWER would: comparing
// ASCII letters case-insensitively, and other letters exactly. It wraps a
// handler whose type has no uniqueness.
type foldsASCII struct {
	scim.ResourceHandler
	mu sync.Mutex
}

func lowerASCII(v any) string {
	s, _ := v.(string)
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func (h *foldsASCII) check(ctx context.Context, r *resource.Resource) error {
	all, err := h.ResourceHandler.List(ctx, &scim.Query{StartIndex: 1, Count: math.MaxInt32})
	if err != nil {
		return err
	}
	for _, o := range all.Resources {
		if o.ID != r.ID && lowerASCII(o.Attributes["userName"]) == lowerASCII(r.Attributes["userName"]) {
			return scim.ErrUniqueness
		}
	}
	return nil
}

func (h *foldsASCII) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.check(ctx, r); err != nil {
		return nil, err
	}
	return h.ResourceHandler.Create(ctx, r)
}

func (h *foldsASCII) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.check(ctx, r); err != nil {
		return nil, err
	}
	return h.ResourceHandler.Replace(ctx, r, version)
}

// keepsPasswords keeps the passwords it is given as they are, beside the
// handler, and returns them from Get.
type keepsPasswords struct {
	scim.ResourceHandler
	mu    sync.Mutex
	clear map[string]any
}

func (h *keepsPasswords) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	password := r.Attributes["password"]
	out, err := h.ResourceHandler.Create(ctx, r)
	if err == nil && password != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.clear[out.ID] = password
	}
	return out, err
}

func (h *keepsPasswords) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	password := r.Attributes["password"]
	out, err := h.ResourceHandler.Replace(ctx, r, version)
	if err == nil && password != nil {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.clear[out.ID] = password
	}
	return out, err
}

func (h *keepsPasswords) Get(ctx context.Context, id string) (*resource.Resource, error) {
	r, err := h.ResourceHandler.Get(ctx, id)
	h.mu.Lock()
	defer h.mu.Unlock()
	if p, ok := h.clear[id]; ok && err == nil {
		r.Attributes["password"] = p
	}
	return r, err
}

// TestConformanceFindsBrokenStores checks that the suite fails stores
// with known faults, in the cases that test for them.
func TestConformanceFindsBrokenStores(t *testing.T) {
	memory := func(wrap func(scim.ResourceHandler) scim.ResourceHandler) func() (*scimtest.Store, error) {
		return func() (*scimtest.Store, error) {
			return memoryStore(schema.UserResourceType(), schema.GroupResourceType(), wrap), nil
		}
	}
	// withLaxUsers returns a store whose users are kept by a handler over
	// a User type without uniqueness, wrapped by wrap.
	withLaxUsers := func(wrap func(scim.ResourceHandler) scim.ResourceHandler) func() (*scimtest.Store, error) {
		return func() (*scimtest.Store, error) {
			lax := schema.UserResourceType()
			lax.Schema.Attribute("userName").Uniqueness = schema.UniquenessNone
			st := memoryStore(schema.UserResourceType(), schema.GroupResourceType(), same)
			st.Users.Handler = wrap(scimtest.NewMemoryHandler(lax))
			return st, nil
		}
	}
	tests := []struct {
		name     string
		newStore func() (*scimtest.Store, error)
		want     []string // cases that must fail
		only     string   // the one case to run, for a store that races with the server
		rule     string   // text the failures must cite
	}{
		{
			name: "versions ignored",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return ignoresVersions{h}
			}),
			want: []string{"handler-version-mismatch", "handler-compare-and-swap"},
			rule: "RFC 7644 §3.14",
		},
		{
			name:     "userName not unique",
			newStore: withLaxUsers(same),
			want:     []string{"uniqueness", "uniqueness-race", "uniqueness-unicode", "handler-uniqueness", "bulk"},
			rule:     "RFC 7643 §4.1.1",
		},
		{
			name: "userName folded as ASCII",
			newStore: withLaxUsers(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &foldsASCII{ResourceHandler: h}
			}),
			want: []string{"uniqueness-unicode"},
			rule: "Unicode simple case folding",
		},
		{
			name: "order not stable",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &rotates{ResourceHandler: h}
			}),
			want: []string{"paging", "sort"},
			rule: "RFC 7644 §3.4.2.4",
		},
		{
			name: "returned resources overwritten",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &overwrites{ResourceHandler: h, out: make(map[string][]*resource.Resource)}
			}),
			want: []string{"handler-snapshots"},
			only: "handler-snapshots",
			rule: "a write never changes a resource the handler returned before",
		},
		{
			name: "not found without ErrNotFound",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return plainNotFound{h}
			}),
			want: []string{"get", "delete", "handler-not-found"},
			rule: "wrapping scim.ErrNotFound",
		},
		{
			name: "attribute dropped",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return dropsPhones{h}
			}),
			want: []string{"create"},
			rule: "the store keeps every attribute value",
		},
		{
			name: "password kept as sent",
			newStore: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &keepsPasswords{ResourceHandler: h, clear: make(map[string]any)}
			}),
			want: []string{"password-storage"},
			rule: "RFC 7643 §9.2",
		},
		{
			name: "tenants not told apart",
			newStore: func() (*scimtest.Store, error) {
				st := memoryStore(schema.UserResourceType(), schema.GroupResourceType(), same)
				st.Tenant = func(ctx context.Context, n int) context.Context { return ctx }
				return st, nil
			},
			want: []string{"tenant-isolation"},
			rule: "RFC 7644 §6",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.only != "" {
				err = scimtest.HandlersCase(tt.newStore, tt.only)
			} else {
				err = scimtest.TestHandlers(tt.newStore)
			}
			if err == nil {
				t.Fatal("TestHandlers passed a broken store")
			}
			failed := make(map[string]bool)
			cited := false
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				name, _, _ := strings.Cut(e.Error(), ": ")
				failed[name] = true
				cited = cited || strings.Contains(e.Error(), tt.rule)
			}
			for _, name := range tt.want {
				if !failed[name] {
					t.Errorf("case %s passed", name)
				}
			}
			if !cited {
				t.Errorf("no failure cites %q", tt.rule)
			}
			if t.Failed() {
				t.Logf("TestHandlers:\n%v", err)
			}
		})
	}
}
