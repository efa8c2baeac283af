package scim_test

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
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

// TestExchanges replays every conversation in testdata/exchanges (the
// format of scimtest.Conversation) against a fresh server each; -update
// rewrites the recorded responses.
func TestExchanges(t *testing.T) {
	files, err := filepath.Glob("testdata/exchanges/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no exchange files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			conv, err := scimtest.ParseConversation(string(data))
			if err != nil {
				t.Fatal(err)
			}
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
				if err := os.WriteFile(file, []byte(conv.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
