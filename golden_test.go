package scim_test

import (
	"context"
	"flag"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
	"github.com/scim-go/scim/scimtest"
)

var update = flag.Bool("update", false, "rewrite the responses in testdata/exchanges from the server's answers")

// newTestServer returns a server for Users and Groups on memory handlers
// with predictable ids ("u1", "g1", ...) and timestamps, mounted at
// https://example.com/scim/v2.
func newTestServer(t testing.TB, cfg scim.Config) http.Handler {
	t.Helper()
	users, groups := schema.UserResourceType(), schema.GroupResourceType()
	cfg.Endpoints = []scim.Endpoint{
		{Type: users, Handler: testHandler(users, "u")},
		{Type: groups, Handler: testHandler(groups, "g")},
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://example.com/scim/v2"
	}
	srv, err := scim.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func testHandler(rt *schema.ResourceType, prefix string) *scimtest.MemoryHandler {
	h := scimtest.NewMemoryHandler(rt)
	n := 0
	h.NewID = func() string { n++; return prefix + strconv.Itoa(n) }
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return h
}

// goldens returns the golden conversations of testdata/exchanges by name,
// and their names in order.
func goldens(tb testing.TB) ([]string, map[string]*scimtest.Conversation) {
	tb.Helper()
	convs, err := scimtest.ReadConversations(os.DirFS("testdata/exchanges"), "*.txt")
	if err != nil {
		tb.Fatal(err)
	}
	if len(convs) == 0 {
		tb.Fatal("no golden conversations in testdata/exchanges")
	}
	return slices.Sorted(maps.Keys(convs)), convs
}

// TestExchanges replays every conversation in testdata/exchanges (the
// format of scimtest.Conversation) against a fresh server each; -update
// rewrites the recorded responses.
func TestExchanges(t *testing.T) {
	names, convs := goldens(t)
	for _, name := range names {
		conv := convs[name]
		t.Run(name, func(t *testing.T) {
			cfg, err := conv.Config()
			if err != nil {
				t.Fatal(err)
			}
			srv := newTestServer(t, cfg)
			for i, x := range conv.Exchanges {
				got := scimtest.Record(srv, x)
				if *update {
					conv.Exchanges[i] = got
					continue
				}
				if diff := cmp.Diff(x.Response(), got.Response()); diff != "" {
					t.Errorf("%s: %s %s: response mismatch (-want +got):\n%s", x.Title, x.Method, x.Target, diff)
				}
			}
			if *update {
				if err := os.WriteFile(filepath.Join("testdata", "exchanges", name+".txt"), []byte(conv.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestServerChangesNoReturnedResource replays every conversation with
// handlers that keep what they return, and checks after every exchange
// that the server changed none of it, as scim.ResourceHandler promises: a
// store may return what it keeps.
func TestServerChangesNoReturnedResource(t *testing.T) {
	names, convs := goldens(t)
	for _, name := range names {
		conv := convs[name]
		t.Run(name, func(t *testing.T) {
			cfg, err := conv.Config()
			if err != nil {
				t.Fatal(err)
			}
			users, groups := schema.UserResourceType(), schema.GroupResourceType()
			w := &watched{}
			cfg.Endpoints = []scim.Endpoint{
				{Type: users, Handler: &watchedHandler{testHandler(users, "u"), users, w}},
				{Type: groups, Handler: &watchedHandler{testHandler(groups, "g"), groups, w}},
			}
			srv, err := scim.NewServer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range conv.Exchanges {
				scimtest.Record(srv, x)
				w.check(t, x.Title)
			}
		})
	}
}

// watched keeps the resources handlers returned, with their JSON then.
type watched struct {
	mu   sync.Mutex
	kept []watchedResource
}

type watchedResource struct {
	rt   *schema.ResourceType
	r    *resource.Resource
	json string
}

func (w *watched) keep(rt *schema.ResourceType, r *resource.Resource) {
	if r == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.kept = append(w.kept, watchedResource{rt, r, string(resource.Marshal(rt, r, nil))})
}

func (w *watched) check(t *testing.T, after string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, k := range w.kept {
		if got := string(resource.Marshal(k.rt, k.r, nil)); got != k.json {
			t.Errorf("after %q, a %s a handler returned changed:\nthen %s\nnow  %s", after, k.rt.Name, k.json, got)
		}
	}
}

// watchedHandler is a MemoryHandler whose results are watched.
type watchedHandler struct {
	h  *scimtest.MemoryHandler
	rt *schema.ResourceType
	w  *watched
}

func (h *watchedHandler) Create(ctx context.Context, r *resource.Resource) (*resource.Resource, error) {
	out, err := h.h.Create(ctx, r)
	h.w.keep(h.rt, out)
	return out, err
}

func (h *watchedHandler) Get(ctx context.Context, id string) (*resource.Resource, error) {
	out, err := h.h.Get(ctx, id)
	h.w.keep(h.rt, out)
	return out, err
}

func (h *watchedHandler) Replace(ctx context.Context, r *resource.Resource, version string) (*resource.Resource, error) {
	out, err := h.h.Replace(ctx, r, version)
	h.w.keep(h.rt, out)
	return out, err
}

func (h *watchedHandler) Delete(ctx context.Context, id, version string) error {
	return h.h.Delete(ctx, id, version)
}

func (h *watchedHandler) List(ctx context.Context, q *scim.Query) (*scim.Page, error) {
	page, err := h.h.List(ctx, q)
	if page != nil {
		for _, r := range page.Resources {
			h.w.keep(h.rt, r)
		}
	}
	return page, err
}

func (h *watchedHandler) Patch(ctx context.Context, req *scim.PatchRequest) (*scim.PatchResult, error) {
	res, err := h.h.Patch(ctx, req)
	if res != nil {
		h.w.keep(h.rt, res.Resource)
	}
	return res, err
}

func (h *watchedHandler) GroupsOf(ctx context.Context, memberType string, ids []string) (map[string][]scim.GroupRef, error) {
	return h.h.GroupsOf(ctx, memberType, ids)
}

func (h *watchedHandler) RemoveMember(ctx context.Context, memberType, id string) error {
	return h.h.RemoveMember(ctx, memberType, id)
}
