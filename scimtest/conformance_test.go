package scimtest_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

// replaceOnly hides every method of a handler but those of
// scim.ResourceHandler, such as MemoryHandler's Patch, so that the server
// applies PATCH itself and stores the result with Replace.
type replaceOnly struct{ scim.ResourceHandler }

func TestConformance(t *testing.T) {
	t.Run("native-patch", func(t *testing.T) {
		scimtest.Run(t, func(t *testing.T, users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler) {
			return scimtest.NewMemoryHandler(users), scimtest.NewMemoryHandler(groups)
		})
	})
	t.Run("replace-patch", func(t *testing.T) {
		scimtest.Run(t, func(t *testing.T, users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler) {
			return replaceOnly{scimtest.NewMemoryHandler(users)}, replaceOnly{scimtest.NewMemoryHandler(groups)}
		})
	})
}

func ExampleTestHandlers() {
	err := scimtest.TestHandlers(func(users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler, error) {
		return scimtest.NewMemoryHandler(users), scimtest.NewMemoryHandler(groups), nil
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
type caches struct {
	scim.ResourceHandler
	mu    sync.Mutex
	cache map[string]*resource.Resource
}

func (h *caches) Get(ctx context.Context, id string) (*resource.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r, ok := h.cache[id]; ok {
		return r, nil
	}
	r, err := h.ResourceHandler.Get(ctx, id)
	if err == nil {
		h.cache[id] = r
	}
	return r, err
}

func (h *caches) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	h.mu.Lock()
	delete(h.cache, r.ID)
	h.mu.Unlock()
	return h.ResourceHandler.Replace(ctx, r, version)
}

func (h *caches) Delete(ctx context.Context, id, version string) error {
	h.mu.Lock()
	delete(h.cache, id)
	h.mu.Unlock()
	return h.ResourceHandler.Delete(ctx, id, version)
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

// TestConformanceFindsBrokenStores checks that the suite fails stores
// with known faults, in the cases that test for them.
func TestConformanceFindsBrokenStores(t *testing.T) {
	memory := func(wrap func(scim.ResourceHandler) scim.ResourceHandler) func(users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler, error) {
		return func(users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler, error) {
			return wrap(scimtest.NewMemoryHandler(users)), wrap(scimtest.NewMemoryHandler(groups)), nil
		}
	}
	tests := []struct {
		name        string
		newHandlers func(users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler, error)
		want        []string // cases that must fail
		rule        string   // text the failures must cite
	}{
		{
			name: "versions ignored",
			newHandlers: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return ignoresVersions{h}
			}),
			want: []string{"handler-version-mismatch", "handler-compare-and-swap"},
			rule: "RFC 7644 §3.14",
		},
		{
			name: "userName not unique",
			newHandlers: func(users, groups *schema.ResourceType) (scim.ResourceHandler, scim.ResourceHandler, error) {
				lax := schema.UserResourceType()
				lax.Schema.Attribute("userName").Uniqueness = schema.UniquenessNone
				return scimtest.NewMemoryHandler(lax), scimtest.NewMemoryHandler(groups), nil
			},
			want: []string{"uniqueness", "uniqueness-race", "handler-uniqueness", "bulk"},
			rule: "RFC 7643 §4.1.1",
		},
		{
			name: "order not stable",
			newHandlers: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &rotates{ResourceHandler: h}
			}),
			want: []string{"paging", "sort"},
			rule: "RFC 7644 §3.4.2.4",
		},
		{
			name: "stored resources shared",
			newHandlers: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return &caches{ResourceHandler: h, cache: make(map[string]*resource.Resource)}
			}),
			want: []string{"handler-copies"},
			rule: "resources a handler takes and returns share no maps or slices",
		},
		{
			name: "not found without ErrNotFound",
			newHandlers: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return plainNotFound{h}
			}),
			want: []string{"get", "delete", "handler-not-found"},
			rule: "wrapping scim.ErrNotFound",
		},
		{
			name: "attribute dropped",
			newHandlers: memory(func(h scim.ResourceHandler) scim.ResourceHandler {
				return dropsPhones{h}
			}),
			want: []string{"create"},
			rule: "the store keeps every attribute value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := scimtest.TestHandlers(tt.newHandlers)
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
