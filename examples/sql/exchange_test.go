package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/scimtest"
)

// The library's golden conversations, replayed against the SQL stores.
const exchangeDir = "../../testdata/exchanges"

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
					conv, err := scimtest.ParseConversation(string(data))
					if err != nil {
						t.Fatal(err)
					}
					cfg, err := conv.Config()
					if err != nil {
						t.Fatal(err)
					}
					srv := testServer(t, b.open(t), cfg)
					for _, x := range conv.Exchanges {
						got := scimtest.Record(srv, x)
						want, have := x.Response(), got.Response()
						if want == have {
							continue
						}
						want = fmt.Sprintf("%d\n%s\n%s", x.Status, strings.Join(x.ResponseHeader, "\n"), sortMembers(x.ResponseBody))
						have = fmt.Sprintf("%d\n%s\n%s", got.Status, strings.Join(got.ResponseHeader, "\n"), sortMembers(got.ResponseBody))
						if diff := cmp.Diff(want, have); diff != "" {
							t.Errorf("%s: %s %s: response mismatch (-want +got):\n%s", x.Title, x.Method, x.Target, diff)
						} else {
							t.Logf("%s: %s %s: same but for the order of members", x.Title, x.Method, x.Target)
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
