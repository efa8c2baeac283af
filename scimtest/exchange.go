package scimtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/scim-go/scim"
)

// Conversation is a golden HTTP conversation with a SCIM server: requests,
// and the responses recorded for them. Its text form, which the library's
// own testdata/exchanges files use, is
//
//	commentary, with "config: ..." lines (see Config)
//	### what the exchange shows
//	> METHOD /path?query
//	> Header: value
//	request body (optional, any number of lines)
//	< STATUS
//	< Header: value
//	response body (indented JSON, or nothing)
//
// A host can replay these files against its own storage: parse one, build a
// server with Config, Record each exchange and compare Response with the
// recorded one.
type Conversation struct {
	Preamble  string // the text before the first exchange
	Exchanges []*Exchange
}

// Exchange is one request and its response.
type Exchange struct {
	Title  string
	Method string
	Target string // the request target, such as "/Users?count=1"
	Header http.Header
	Body   string

	Status         int      // 0 when not recorded yet
	ResponseHeader []string // "Name: value", for RecordedHeaders only
	ResponseBody   string   // indented JSON, or ""
}

// RecordedHeaders are the response headers an exchange records.
var RecordedHeaders = []string{"Content-Type", "ETag", "Location", "Allow"}

// ReadConversations parses the conversations in the files of fsys that
// pattern matches (as fs.Glob has it), such as os.DirFS("testdata/exchanges")
// and "*.txt", by their file names without the extension. An error names
// the file at fault.
func ReadConversations(fsys fs.FS, pattern string) (map[string]*Conversation, error) {
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Conversation, len(files))
	for _, file := range files {
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			return nil, err
		}
		c, err := ParseConversation(string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out[strings.TrimSuffix(path.Base(file), path.Ext(file))] = c
	}
	return out, nil
}

// ParseConversation parses the text form of a conversation.
func ParseConversation(text string) (*Conversation, error) {
	c := &Conversation{Preamble: text}
	if i := strings.Index(text, "### "); i >= 0 {
		c.Preamble = text[:i]
	}
	var cur *Exchange
	var body []string
	inResponse := false
	flush := func() {
		if cur == nil {
			return
		}
		b := strings.TrimSpace(strings.Join(body, "\n"))
		if inResponse {
			cur.ResponseBody = b
		} else {
			cur.Body = b
		}
		body = nil
	}
	for i, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "### "):
			flush()
			cur = &Exchange{Title: strings.TrimPrefix(line, "### "), Header: http.Header{}}
			c.Exchanges = append(c.Exchanges, cur)
			inResponse = false
		case cur == nil:
			// commentary
		case strings.HasPrefix(line, "> "):
			l := strings.TrimPrefix(line, "> ")
			if cur.Method == "" {
				var ok bool
				if cur.Method, cur.Target, ok = strings.Cut(l, " "); !ok {
					return nil, fmt.Errorf("line %d: want METHOD TARGET, found %q", i+1, l)
				}
				continue
			}
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				return nil, fmt.Errorf("line %d: want a header, found %q", i+1, l)
			}
			cur.Header.Add(k, v)
		case strings.HasPrefix(line, "< ") || line == "<":
			if !inResponse {
				flush()
				inResponse = true
				// A missing status is 0, for a recording to fill in.
				cur.Status, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "<")))
				continue
			}
			cur.ResponseHeader = append(cur.ResponseHeader, strings.TrimPrefix(line, "< "))
		default:
			body = append(body, line)
		}
	}
	flush()
	return c, nil
}

// String returns the conversation in its text form.
func (c *Conversation) String() string {
	var b strings.Builder
	b.WriteString(c.Preamble)
	for _, x := range c.Exchanges {
		fmt.Fprintf(&b, "### %s\n> %s %s\n", x.Title, x.Method, x.Target)
		for _, k := range slices.Sorted(maps.Keys(x.Header)) {
			for _, v := range x.Header[k] {
				fmt.Fprintf(&b, "> %s: %s\n", k, v)
			}
		}
		if x.Body != "" {
			b.WriteString(x.Body + "\n")
		}
		fmt.Fprintf(&b, "< %d\n", x.Status)
		for _, h := range x.ResponseHeader {
			fmt.Fprintf(&b, "< %s\n", h)
		}
		if x.ResponseBody != "" {
			b.WriteString(x.ResponseBody + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Config returns the server options that the preamble's "config:" lines
// set: "strict" (Config.Strict), "cursor" (CursorPagination),
// "maxbody=N" (MaxBodyBytes),
// "maxvalues=N" (MaxValues), "pagesize=D,M" (DefaultPageSize,
// MaxPageSize), "bulk=N,P" (BulkMaxOperations, BulkMaxPayload) and
// "me=TYPE,ID" (a Config.Me naming that resource).
func (c *Conversation) Config() (scim.Config, error) {
	var cfg scim.Config
	for _, line := range strings.Split(c.Preamble, "\n") {
		opt, ok := strings.CutPrefix(line, "config: ")
		if !ok {
			continue
		}
		key, val, _ := strings.Cut(opt, "=")
		a, b, _ := strings.Cut(val, ",")
		var err error
		switch key {
		case "strict":
			cfg.Strict = true
		case "cursor":
			cfg.CursorPagination = true
		case "maxbody":
			cfg.MaxBodyBytes, err = strconv.ParseInt(val, 10, 64)
		case "maxvalues":
			cfg.MaxValues, err = strconv.Atoi(val)
		case "pagesize":
			if cfg.DefaultPageSize, err = strconv.Atoi(a); err == nil {
				cfg.MaxPageSize, err = strconv.Atoi(b)
			}
		case "bulk":
			if cfg.BulkMaxOperations, err = strconv.Atoi(a); err == nil {
				cfg.BulkMaxPayload, err = strconv.ParseInt(b, 10, 64)
			}
		case "me":
			cfg.Me = func(context.Context) (string, string, error) { return a, b, nil }
		default:
			err = fmt.Errorf("unknown option")
		}
		if err != nil {
			return scim.Config{}, fmt.Errorf("%q: %w", line, err)
		}
	}
	return cfg, nil
}

// Record sends x's request to h and returns a copy of x holding the
// response: its status, RecordedHeaders and indented JSON body.
func Record(h http.Handler, x *Exchange) *Exchange {
	req := httptest.NewRequest(x.Method, x.Target, strings.NewReader(x.Body))
	for k, v := range x.Header {
		req.Header[k] = v
	}
	if x.Body == "" {
		req.ContentLength = 0
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	got := *x
	got.Status = rec.Code
	got.ResponseHeader = nil
	for _, k := range RecordedHeaders {
		if v := rec.Header().Get(k); v != "" {
			got.ResponseHeader = append(got.ResponseHeader, k+": "+v)
		}
	}
	got.ResponseBody = ""
	if b := rec.Body.Bytes(); len(b) > 0 {
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			got.ResponseBody = "NOT JSON: " + string(b)
		} else {
			got.ResponseBody = out.String()
		}
	}
	return &got
}

// Response returns the recorded response as one text, for comparing.
func (x *Exchange) Response() string {
	return strconv.Itoa(x.Status) + "\n" + strings.Join(x.ResponseHeader, "\n") + "\n" + x.ResponseBody
}
