package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim"
)

// The library's golden conversations, replayed against the SQL stores.
const exchangeDir = "../../testdata/exchanges"

// An exchange is one request and its recorded response, in the format of
// the library's testdata/exchanges files:
//
//	### what the exchange shows
//	> METHOD /path?query
//	> Header: value
//	request body (optional)
//	< STATUS
//	< Header: value
//	response body (indented JSON, or nothing)
//
// Text before the first "### " is commentary, with "config: ..." lines
// that set server options.
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

func parseExchanges(t *testing.T, data string) []*exchange {
	t.Helper()
	var (
		out        []*exchange
		cur        *exchange
		lines      []string
		inResponse bool
	)
	flush := func() {
		if cur == nil {
			return
		}
		text := strings.TrimSpace(strings.Join(lines, "\n"))
		if inResponse {
			cur.rbody = text
		} else {
			cur.body = text
		}
		lines = nil
	}
	for i, line := range strings.Split(data, "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			cur = &exchange{title: line[4:], header: http.Header{}}
			out = append(out, cur)
			inResponse = false
		case cur == nil:
		case strings.HasPrefix(line, "> "):
			l := line[2:]
			if cur.method == "" {
				method, target, ok := strings.Cut(l, " ")
				if !ok {
					t.Fatalf("line %d: want METHOD TARGET, found %q", i+1, l)
				}
				cur.method, cur.target = method, target
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
				status, err := strconv.Atoi(strings.TrimSpace(line[1:]))
				if err != nil {
					t.Fatalf("line %d: want a status, found %q", i+1, line)
				}
				cur.status = status
				continue
			}
			cur.rheader = append(cur.rheader, line[2:])
		default:
			lines = append(lines, line)
		}
	}
	flush()
	return out
}

// configFor reads the server options of a file's preamble, as the
// library's golden test does.
func configFor(t *testing.T, preamble string) scim.Config {
	var cfg scim.Config
	for _, line := range strings.Split(preamble, "\n") {
		opt, ok := strings.CutPrefix(line, "config: ")
		if !ok {
			continue
		}
		key, val, _ := strings.Cut(opt, "=")
		a, b, _ := strings.Cut(val, ",")
		switch key {
		case "strict":
			cfg.Strict = true
		case "maxbody":
			cfg.MaxBodyBytes, _ = strconv.ParseInt(val, 10, 64)
		case "maxvalues":
			cfg.MaxValues, _ = strconv.Atoi(val)
		case "me":
			cfg.Me = func(context.Context) (string, string, error) { return a, b, nil }
		case "bulk":
			cfg.BulkMaxOperations, _ = strconv.Atoi(a)
			cfg.BulkMaxPayload, _ = strconv.ParseInt(b, 10, 64)
		case "pagesize":
			cfg.DefaultPageSize, _ = strconv.Atoi(a)
			cfg.MaxPageSize, _ = strconv.Atoi(b)
		default:
			t.Fatalf("unknown option %q", line)
		}
	}
	return cfg
}

var recordedHeaders = []string{"Content-Type", "ETag", "Location", "Allow"}

// serve sends x's request to h and returns the response as the exchange
// files record it: status, recorded headers, and indented JSON.
func serve(h http.Handler, x *exchange) (int, []string, string) {
	req := httptest.NewRequest(x.method, x.target, strings.NewReader(x.body))
	for k, v := range x.header {
		req.Header[k] = v
	}
	if x.body == "" {
		req.ContentLength = 0
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var hdr []string
	for _, k := range recordedHeaders {
		if v := rec.Header().Get(k); v != "" {
			hdr = append(hdr, k+": "+v)
		}
	}
	body := ""
	if b := rec.Body.Bytes(); len(b) > 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			body = "NOT JSON: " + string(b)
		} else {
			body = out.String()
		}
	}
	return rec.Code, hdr, body
}

// TestExchanges replays every golden conversation of the library against
// the SQL stores, on SQLite and, if configured, PostgreSQL, and compares
// each response with the recorded one.
//
// The one difference allowed: a group's members come back ordered by value
// rather than in the order they were added (the memory handler's order),
// so when a response differs from the recorded one, both are compared
// again with every "members" array sorted by value. Any other difference
// fails.
func TestExchanges(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(exchangeDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no exchange files in " + exchangeDir)
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, file := range files {
				t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
					data, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					text := string(data)
					preamble, _, _ := strings.Cut(text, "### ")
					srv := testServer(t, b.open(t), configFor(t, preamble))
					for _, x := range parseExchanges(t, text) {
						status, hdr, body := serve(srv, x)
						want := fmt.Sprintf("%d\n%s\n%s", x.status, strings.Join(x.rheader, "\n"), x.rbody)
						got := fmt.Sprintf("%d\n%s\n%s", status, strings.Join(hdr, "\n"), body)
						if want == got {
							continue
						}
						want = fmt.Sprintf("%d\n%s\n%s", x.status, strings.Join(x.rheader, "\n"), sortMembers(x.rbody))
						got = fmt.Sprintf("%d\n%s\n%s", status, strings.Join(hdr, "\n"), sortMembers(body))
						if diff := cmp.Diff(want, got); diff != "" {
							t.Errorf("%s: %s %s: response mismatch (-want +got):\n%s", x.title, x.method, x.target, diff)
						} else {
							t.Logf("%s: %s %s: same but for the order of members", x.title, x.method, x.target)
						}
					}
				})
			}
		})
	}
}

// sortMembers returns the JSON text body, indented, with the elements of
// every "members" array sorted by their "value". Everything else, the
// order of object keys included, stays as it is.
func sortMembers(body string) string {
	if body == "" || strings.HasPrefix(body, "NOT JSON") {
		return body
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	v, err := readJSON(dec)
	if err != nil {
		return "BAD JSON: " + err.Error() + "\n" + body
	}
	var b strings.Builder
	v.write(&b, "")
	return b.String()
}

// jsonValue is a JSON value that keeps the order of object members.
type jsonValue struct {
	keys []string     // an object's keys, in order
	vals []*jsonValue // an object's values, or an array's elements
	obj  bool
	arr  bool
	lit  string // a literal's JSON text
}

func readJSON(dec *json.Decoder) (*jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		v := &jsonValue{obj: true}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			e, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			key := k.(string)
			if key == "members" && e.arr {
				slices.SortStableFunc(e.vals, func(a, b *jsonValue) int { return strings.Compare(a.get("value"), b.get("value")) })
			}
			v.keys, v.vals = append(v.keys, key), append(v.vals, e)
		}
		_, err := dec.Token()
		return v, err
	case json.Delim('['):
		v := &jsonValue{arr: true}
		for dec.More() {
			e, err := readJSON(dec)
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, e)
		}
		_, err := dec.Token()
		return v, err
	}
	b, err := json.Marshal(tok)
	return &jsonValue{lit: string(b)}, err
}

// get returns the JSON text of an object's member k, or "".
func (v *jsonValue) get(k string) string {
	for i, key := range v.keys {
		if key == k {
			return v.vals[i].lit
		}
	}
	return ""
}

func (v *jsonValue) write(w io.StringWriter, indent string) {
	switch {
	case v.obj || v.arr:
		open, end := "[", "]"
		if v.obj {
			open, end = "{", "}"
		}
		w.WriteString(open)
		for i, e := range v.vals {
			if i > 0 {
				w.WriteString(",")
			}
			w.WriteString("\n" + indent + "  ")
			if v.obj {
				k, _ := json.Marshal(v.keys[i])
				w.WriteString(string(k) + ": ")
			}
			e.write(w, indent+"  ")
		}
		if len(v.vals) > 0 {
			w.WriteString("\n" + indent)
		}
		w.WriteString(end)
	default:
		w.WriteString(v.lit)
	}
}
