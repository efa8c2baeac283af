package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
	"github.com/scim-go/scim/scimtest"
	"github.com/scim-go/scim/sqlstore"
)

// TestExchanges replays the library's golden conversations
// (testdata/exchanges, recorded against scimtest.MemoryHandler) against a
// store that keeps every attribute, on SQLite and, if configured,
// PostgreSQL, and compares each response with the recorded one, as JSON.
//
// What the store does otherwise, and the comparison allows: it lists a
// group's members in the order of their ids rather than the order they
// were added, gives each member the display of its resource rather than
// the one sent, and keeps its own timestamps. A conversation that names as
// a member an id that is no resource's is not replayed: the SQL store never
// stores such a member, where the memory store keeps what it is given.
func TestExchanges(t *testing.T) {
	convs, err := scimtest.ReadConversations(os.DirFS("../testdata/exchanges"), "*.txt")
	if err != nil || len(convs) == 0 {
		t.Fatalf("no golden conversations: %v", err)
	}
	names := slices.Sorted(maps.Keys(convs))
	for _, d := range databases(t) {
		t.Run(d.name, func(t *testing.T) {
			for _, name := range names {
				conv := convs[name]
				t.Run(name, func(t *testing.T) {
					if id := unknownMember(conv); id != "" {
						t.Skipf("the conversation makes %q a member, which names no resource", id)
					}
					cfg, err := conv.Config()
					if err != nil {
						t.Fatal(err)
					}
					store, created := goldenStore(t, d)
					cfg.OnEvent = created
					srv := newServer(t, store, cfg)
					for _, x := range conv.Exchanges {
						got := scimtest.Record(srv, x)
						if diff := cmp.Diff(normalized(x, x), normalized(got, x)); diff != "" {
							t.Errorf("%s: %s %s: response mismatch (-want +got):\n%s", x.Title, x.Method, x.Target, diff)
						}
					}
				})
			}
		})
	}
}

// goldenStore returns a store over fresh tables that numbers resources as
// the recordings do: u1, u2, ... and g1, g2, ..., in the order they are
// created. A create that fails, as one the database's unique index refuses
// does after the store has taken an id, uses no number: the number of the
// next resource is one more than the number of those created, which the
// server's events, passed to created, count.
func goldenStore(t *testing.T, d database) (_ *sqlstore.Store, created func(context.Context, scim.Event)) {
	types := fullTypes()
	var mu sync.Mutex
	count := map[string]int{}
	for i, prefix := range []string{"u", "g"} {
		name := types[i].Resource.Name
		types[i].NewID = func() string {
			mu.Lock()
			defer mu.Unlock()
			return prefix + strconv.Itoa(count[name]+1)
		}
	}
	created = func(_ context.Context, e scim.Event) {
		if e.Kind == scim.Created {
			mu.Lock()
			defer mu.Unlock()
			count[e.ResourceType]++
		}
	}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var clockMu sync.Mutex
	now := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	cfg := sqlstore.Config{DB: d.open(t), Dialect: d.dialect, Types: types, Hash: sha256Hash, Now: now}
	ctx := context.Background()
	if err := sqlstore.CreateTables(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, created
}

// unknownMember returns a member value that conv's requests send and that
// is not an id the store gives (u1, g1, ...), or "".
func unknownMember(conv *scimtest.Conversation) string {
	created := regexp.MustCompile(`^[ug][0-9]+$`)
	found := ""
	var walk func(v any, inMembers bool)
	walk = func(v any, inMembers bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if inMembers && k == "value" {
					if s, ok := e.(string); ok && !created.MatchString(s) && !strings.HasPrefix(s, "bulkId:") && found == "" {
						found = s
					}
				}
				walk(e, strings.EqualFold(k, "members") || inMembers && k != "value" ||
					strings.EqualFold(k, "value") && strings.Contains(strings.ToLower(fmt.Sprint(v["path"])), "members"))
			}
		case []any:
			for _, e := range v {
				walk(e, inMembers)
			}
		}
	}
	for _, x := range conv.Exchanges {
		var body any
		if json.Unmarshal([]byte(x.Body), &body) == nil {
			walk(body, false)
		}
	}
	return found
}

// normalized returns x's status, headers and body, with the differences
// TestExchanges allows taken out: members sorted by value and without
// display, and timestamps blanked.
func normalized(x, recorded *scimtest.Exchange) any {
	var body any
	if err := json.Unmarshal([]byte(x.ResponseBody), &body); err != nil {
		body = x.ResponseBody
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				switch {
				case k == "created" || k == "lastModified":
					if _, err := time.Parse(time.RFC3339, e.(string)); err == nil {
						v[k] = "<time>"
					}
				case k == "members":
					list, _ := e.([]any)
					for _, m := range list {
						if obj, ok := m.(map[string]any); ok {
							delete(obj, "display")
						}
					}
					slices.SortStableFunc(list, func(a, b any) int {
						va, _ := a.(map[string]any)["value"].(string)
						vb, _ := b.(map[string]any)["value"].(string)
						return strings.Compare(va, vb)
					})
					v[k] = walk(list)
				default:
					v[k] = walk(e)
				}
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		}
		return v
	}
	return struct {
		Status  int
		Headers []string
		Body    any
	}{x.Status, x.ResponseHeader, walk(body)}
}
