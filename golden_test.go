package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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

// An exchange file holds a conversation with one server, as a sequence of
// exchanges:
//
//	### what the exchange shows
//	> METHOD /path?query
//	> Header: value
//	request body (optional, any number of lines)
//	< STATUS
//	< Header: value
//	response body (pretty-printed JSON, or nothing)
//
// Response lines and bodies are rewritten by go test -update. The recorded
// response headers are Content-Type, ETag, Location and Allow.
type exchange struct {
	title   string
	method  string
	target  string
	header  http.Header
	body    string
	status  int
	rheader []string
	rbody   string
}

var recordedHeaders = []string{"Content-Type", "ETag", "Location", "Allow"}

func parseExchanges(t *testing.T, data string) []*exchange {
	t.Helper()
	var out []*exchange
	var cur *exchange
	var body []string
	inResponse := false
	flush := func() {
		if cur == nil {
			return
		}
		text := strings.TrimSpace(strings.Join(body, "\n"))
		if inResponse {
			cur.rbody = text
		} else {
			cur.body = text
		}
		body = nil
	}
	for i, line := range strings.Split(data, "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			cur = &exchange{title: strings.TrimPrefix(line, "### "), header: http.Header{}}
			out = append(out, cur)
			inResponse = false
		case cur == nil:
			// text before the first exchange is commentary
		case strings.HasPrefix(line, "> "):
			l := strings.TrimPrefix(line, "> ")
			if cur.method == "" {
				var ok bool
				cur.method, cur.target, ok = strings.Cut(l, " ")
				if !ok {
					t.Fatalf("line %d: want METHOD TARGET, found %q", i+1, l)
				}
				continue
			}
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				t.Fatalf("line %d: want a header, found %q", i+1, l)
			}
			cur.header.Add(k, v)
		case strings.HasPrefix(line, "< ") || line == "<":
			if !inResponse {
				flush()
				inResponse = true
				// A missing status is 0, for -update to fill in.
				cur.status, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "<")))
				continue
			}
			cur.rheader = append(cur.rheader, strings.TrimPrefix(line, "< "))
		default:
			body = append(body, line)
		}
	}
	flush()
	return out
}

func formatExchanges(preamble string, xs []*exchange) string {
	var b strings.Builder
	b.WriteString(preamble)
	for _, x := range xs {
		fmt.Fprintf(&b, "### %s\n> %s %s\n", x.title, x.method, x.target)
		for _, k := range slices.Sorted(maps.Keys(x.header)) {
			for _, v := range x.header[k] {
				fmt.Fprintf(&b, "> %s: %s\n", k, v)
			}
		}
		if x.body != "" {
			b.WriteString(x.body + "\n")
		}
		fmt.Fprintf(&b, "< %d\n", x.status)
		for _, h := range x.rheader {
			fmt.Fprintf(&b, "< %s\n", h)
		}
		if x.rbody != "" {
			b.WriteString(x.rbody + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

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

// serve sends one exchange's request to h and records the response in a
// copy of the exchange.
func serve(h http.Handler, x *exchange) *exchange {
	req := httptest.NewRequest(x.method, x.target, strings.NewReader(x.body))
	for k, v := range x.header {
		req.Header[k] = v
	}
	if x.body == "" {
		req.ContentLength = 0
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := *x
	got.status = rec.Code
	got.rheader = nil
	for _, k := range recordedHeaders {
		if v := rec.Header().Get(k); v != "" {
			got.rheader = append(got.rheader, k+": "+v)
		}
	}
	got.rbody = ""
	if b := rec.Body.Bytes(); len(b) > 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			got.rbody = "NOT JSON: " + string(b)
		} else {
			got.rbody = out.String()
		}
	}
	return &got
}

// TestExchanges replays every conversation in testdata/exchanges.
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
			text := string(data)
			preamble := text
			if i := strings.Index(text, "### "); i >= 0 {
				preamble = text[:i]
			}
			srv := newTestServer(t, configFor(preamble))
			var got []*exchange
			for _, x := range parseExchanges(t, text) {
				g := serve(srv, x)
				got = append(got, g)
				if *update {
					continue
				}
				want := fmt.Sprintf("%d\n%s\n%s", x.status, strings.Join(x.rheader, "\n"), x.rbody)
				have := fmt.Sprintf("%d\n%s\n%s", g.status, strings.Join(g.rheader, "\n"), g.rbody)
				if diff := cmp.Diff(want, have); diff != "" {
					t.Errorf("%s: %s %s: response mismatch (-want +got):\n%s", x.title, x.method, x.target, diff)
				}
			}
			if *update {
				if err := os.WriteFile(file, []byte(formatExchanges(preamble, got)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// configFor reads server options from an exchange file's preamble: a line
// "config: strict" sets Config.Strict, "config: maxbody=N" MaxBodyBytes, and
// "config: pagesize=D,M" DefaultPageSize and MaxPageSize, and
// "config: bulk=N,P" BulkMaxOperations and BulkMaxPayload, and
// "config: me=TYPE,ID" a Config.Me that names that resource, and
// "config: maxvalues=N" MaxValues.
func configFor(preamble string) scim.Config {
	var cfg scim.Config
	for _, line := range strings.Split(preamble, "\n") {
		opt, ok := strings.CutPrefix(line, "config: ")
		if !ok {
			continue
		}
		switch {
		case opt == "strict":
			cfg.Strict = true
		case strings.HasPrefix(opt, "maxbody="):
			n, _ := strconv.ParseInt(strings.TrimPrefix(opt, "maxbody="), 10, 64)
			cfg.MaxBodyBytes = n
		case strings.HasPrefix(opt, "maxvalues="):
			cfg.MaxValues, _ = strconv.Atoi(strings.TrimPrefix(opt, "maxvalues="))
		case strings.HasPrefix(opt, "me="):
			typ, id, _ := strings.Cut(strings.TrimPrefix(opt, "me="), ",")
			cfg.Me = func(context.Context) (string, string, error) { return typ, id, nil }
		case strings.HasPrefix(opt, "bulk="):
			n, m, _ := strings.Cut(strings.TrimPrefix(opt, "bulk="), ",")
			cfg.BulkMaxOperations, _ = strconv.Atoi(n)
			cfg.BulkMaxPayload, _ = strconv.ParseInt(m, 10, 64)
		case strings.HasPrefix(opt, "pagesize="):
			d, m, _ := strings.Cut(strings.TrimPrefix(opt, "pagesize="), ",")
			cfg.DefaultPageSize, _ = strconv.Atoi(d)
			cfg.MaxPageSize, _ = strconv.Atoi(m)
		}
	}
	return cfg
}
