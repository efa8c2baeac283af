package scimtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/scim-go/scim/filter"
	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/schema"
)

// This file replays golden conversations against a deployed service for
// CheckEndpoint.

// replayer is the state of one conversation's replay.
type replayer struct {
	c *checker
	d *discovered

	ns       *namespace        // ns.ids maps the recording's ids to the service's
	recorded map[string]string // the service's ids to the recording's
	creates  map[string]bool   // the ids of the resources the recording created
	versions map[string]string // recorded id, " " and recorded ETag -> the service's ETag
	base     string            // the base URL of the recording, or ""
	created  []string          // the paths of the resources the replay created
}

// replay replays conv, the conversation called name, reporting a Result
// for each exchange, and then deletes what it created.
func (c *checker) replay(ctx context.Context, name string, conv *Conversation, d *discovered, report func(Result)) {
	if strings.HasPrefix(conv.Preamble, "config: ") || strings.Contains(conv.Preamble, "\nconfig: ") {
		report(Result{Name: name, Skipped: "the conversation sets server options (config: lines); the service's options are its own"})
		return
	}
	r := &replayer{
		c:        c,
		d:        d,
		ns:       c.namespace(make(map[string]string)),
		recorded: make(map[string]string),
		creates:  make(map[string]bool),
		versions: make(map[string]string),
	}
	for _, x := range conv.Exchanges {
		var m doc
		if x.Method == http.MethodPost && x.Status/100 == 2 && decodeJSON([]byte(x.ResponseBody), &m) == nil && str(m, "id") != "" {
			r.creates[str(m, "id")] = true
		}
		for _, h := range x.ResponseHeader {
			if loc, ok := strings.CutPrefix(h, "Location: "); ok && r.base == "" {
				r.base = baseOf(loc)
			}
		}
	}
	for i, x := range conv.Exchanges {
		if ctx.Err() != nil {
			break
		}
		report(r.exchange(ctx, fmt.Sprintf("%s/%d", name, i+1), x))
	}
	c.remove(ctx, r.created)
}

// baseOf returns the base URL of a resource's location, or "".
func baseOf(location string) string {
	for _, ep := range []string{"/Users/", "/Groups/"} {
		if i := strings.LastIndex(location, ep); i >= 0 {
			return location[:i]
		}
	}
	return ""
}

// exchange replays one exchange and checks its response.
func (r *replayer) exchange(ctx context.Context, name string, x *Exchange) Result {
	res := Result{Name: name, Rule: x.Title + ": answered as recorded", Ref: exchangeRef(x)}
	path, rawQuery, _ := strings.Cut(x.Target, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		res.Skipped = fmt.Sprintf("its query does not parse: %v", err)
		return res
	}
	if why := r.cannot(path, q, x); why != "" {
		res.Skipped = why
		return res
	}
	header := x.Header.Clone()
	for _, h := range []string{"If-Match", "If-None-Match"} {
		if v, ok := r.versions[lastSegment(path)+" "+header.Get(h)]; ok {
			header.Set(h, v)
		}
	}
	w := r.c.sv.exchange(ctx, r.ns, x.Method, path, q, header, []byte(x.Body))
	r.created = append(r.created, r.c.sv.created(path, w)...)
	body := r.ns.response(w.resp)
	r.learn(x, w, body)
	if problems := r.compare(x, w, body); len(problems) > 0 {
		res.Failures = []string{clip.To(strings.Join(problems, "\n"), maxFailure-2*maxQuote) + "\n" + w.describe()}
	}
	return res
}

// exchangeRef returns the section of RFC 7644 on the request of x.
func exchangeRef(x *Exchange) string {
	path, _, _ := strings.Cut(x.Target, "?")
	resource := strings.Count(strings.Trim(path, "/"), "/") > 0
	switch {
	case path == "/Bulk":
		return "RFC 7644 §3.7"
	case strings.HasSuffix(path, "/.search"):
		return "RFC 7644 §3.4.3"
	case x.Method == http.MethodPost:
		return "RFC 7644 §3.3"
	case x.Method == http.MethodGet && resource:
		return "RFC 7644 §3.4.1"
	case x.Method == http.MethodGet:
		return "RFC 7644 §3.4.2"
	case x.Method == http.MethodPut:
		return "RFC 7644 §3.5.1"
	case x.Method == http.MethodPatch:
		return "RFC 7644 §3.5.2"
	case x.Method == http.MethodDelete:
		return "RFC 7644 §3.6"
	}
	return "RFC 7644 §3"
}

func lastSegment(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// cannot returns why the exchange x, to path with query q, cannot be
// replayed against the service, or "".
func (r *replayer) cannot(path string, q url.Values, x *Exchange) string {
	if rt := r.typeAt(endpointOf(path)); rt != nil {
		var err error
		if f := q.Get("filter"); f != "" {
			_, err = filter.Compile(rt, f)
		}
		if s := q.Get("sortBy"); err == nil && s != "" {
			_, err = filter.ResolveSort(rt, s, "")
		}
		var ae *filter.AttributeError
		if errors.As(err, &ae) && ae.Undefined {
			return fmt.Sprintf("the service's %s type has no attribute that its filter or sortBy names: %v", rt.Name, err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(r.creates)) {
		if _, ok := r.ns.ids[id]; !ok && (mentions(x.Target, id) || mentions(x.Body, id)) {
			return fmt.Sprintf("it names %s, which the recording created and the service did not", id)
		}
	}
	// A write to a resource this run did not create would change the
	// service's own data: an id the recording never created, sent as it
	// is, may name one of the service's resources.
	if ep, id, ok := strings.Cut(strings.TrimPrefix(path, "/"), "/"); ok && r.typeAt(ep) != nil && x.Method != http.MethodGet {
		if _, mine := r.ns.ids[id]; !mine {
			return fmt.Sprintf("it changes %s/%s, which this run did not create", ep, id)
		}
	}
	return ""
}

// typeAt returns the service's resource type at endpoint, or nil.
func (r *replayer) typeAt(endpoint string) *schema.ResourceType {
	switch endpoint {
	case "Users":
		return r.d.users
	case "Groups":
		return r.d.groups
	}
	return nil
}

// mentions reports whether text holds id as a word of its own.
func mentions(text, id string) bool {
	word := func(c byte) bool {
		return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(text[i:], id)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(id)
		if (start == 0 || !word(text[start-1])) && (end == len(text) || !word(text[end])) {
			return true
		}
		i = start + 1
	}
}

// learn takes from an exchange, whose response w has the body given, the
// service's id for a resource the recording created, and its version for
// the recorded one.
func (r *replayer) learn(x *Exchange, w *wire, body []byte) {
	if w.err != nil || x.Status/100 != 2 || w.status/100 != 2 {
		return
	}
	var rec, got doc
	if decodeJSON([]byte(x.ResponseBody), &rec) != nil || decodeJSON(body, &got) != nil {
		return
	}
	rid, lid := str(rec, "id"), str(got, "id")
	if rid == "" || lid == "" {
		return
	}
	if _, ok := r.ns.ids[rid]; !ok && r.creates[rid] {
		r.ns.ids[rid], r.recorded[lid] = lid, rid
	}
	if v, lv := recordedHeader(x, "ETag"), w.header.Get("ETag"); v != "" && lv != "" {
		r.versions[rid+" "+v] = lv
	}
}

// recordedHeader returns the value of the response header name that x
// records, or "".
func recordedHeader(x *Exchange, name string) string {
	for _, h := range x.ResponseHeader {
		if k, v, ok := strings.Cut(h, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// compare returns how the service's response w, whose body is given out
// of the namespace, differs from the one x records, beyond what
// CheckEndpoint's documentation allows.
func (r *replayer) compare(x *Exchange, w *wire, body []byte) []string {
	if w.err != nil {
		return []string{"no response"}
	}
	var problems []string
	if w.status != x.Status {
		problems = append(problems, fmt.Sprintf("status %d, want %d", w.status, x.Status))
	}
	if ct := recordedHeader(x, "Content-Type"); ct != "" && mediaType(ct) != mediaType(w.header.Get("Content-Type")) {
		problems = append(problems, fmt.Sprintf("Content-Type %q, want %q", w.header.Get("Content-Type"), ct))
	}
	if recordedHeader(x, "ETag") != "" && w.header.Get("ETag") == "" {
		problems = append(problems, "no ETag header, want one (RFC 7644 §3.14)")
	}
	if loc := recordedHeader(x, "Location"); loc != "" {
		if got := r.recordedURL(w.header.Get("Location")); got != loc {
			problems = append(problems, fmt.Sprintf("Location %q, want %q as recorded (%q with the service's ids and base URL)", w.header.Get("Location"), loc, got))
		}
	}
	var rec any
	decodeJSON([]byte(x.ResponseBody), &rec)
	partial := false
	if m, ok := rec.(doc); ok {
		n := number(m["totalResults"])
		partial = n >= 0 && len(list(m["Resources"])) < n
	}
	want := r.shape(r.body([]byte(x.ResponseBody), false), partial)
	got := r.shape(r.body(body, true), partial)
	if diff := cmp.Diff(canonical(want), canonical(got)); diff != "" {
		problems = append(problems, "the body differs, with what a server generates left out (-recorded +received):\n"+diff)
	}
	return problems
}

// mediaType returns the media type of a Content-Type, without parameters.
func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ct
	}
	return mt
}

// body returns a response body as JSON, or as text if it is not JSON, or
// nil if it is empty. From the service, its ids and URLs are taken back to
// the recording's.
func (r *replayer) body(data []byte, fromService bool) any {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var v any
	if decodeJSON(data, &v) != nil {
		return string(data)
	}
	if fromService {
		v = r.fromService(v, "")
	}
	return v
}

// fromService returns v, a value in a response of the service under key,
// with the service's ids of the resources the replay created (as an id,
// the value of a reference, or in a URL) replaced by the recording's, and
// its base URL by the recording's.
func (r *replayer) fromService(v any, key string) any {
	switch v := v.(type) {
	case string:
		if rid, ok := r.recorded[v]; ok && (key == "id" || key == "value") {
			return rid
		}
		return r.recordedURL(v)
	case doc:
		for k, e := range v {
			v[k] = r.fromService(e, k)
		}
	case []any:
		for i, e := range v {
			v[i] = r.fromService(e, key)
		}
	}
	return v
}

// recordedURL returns s, if it is a URL under the service's base URL, as
// the recording would have it; any other s as it is.
func (r *replayer) recordedURL(s string) string {
	rest, ok := strings.CutPrefix(s, r.c.sv.base+"/")
	if !ok {
		return s
	}
	segs := strings.Split(rest, "/")
	for i, seg := range segs {
		if id, err := url.PathUnescape(seg); err == nil {
			if rid, ok := r.recorded[id]; ok {
				segs[i] = rid
			}
		}
	}
	return r.base + "/" + strings.Join(segs, "/")
}

// shape returns v, a response body, with what CheckEndpoint does not
// compare left out: what a server generates, and the attributes the
// service's types lack. A partial page keeps only the names of its
// resources' attributes.
func (r *replayer) shape(v any, partial bool) any {
	m, ok := v.(doc)
	if !ok {
		return v
	}
	schemas := strs(m["schemas"])
	switch {
	case slices.Contains(schemas, schema.ListResponseURN):
		var out []any
		for _, e := range list(m["Resources"]) {
			e = r.shapeResource(e)
			if em, ok := e.(doc); ok && partial {
				var names []any
				for _, k := range slices.Sorted(maps.Keys(em)) {
					names = append(names, k)
				}
				e = names
			}
			out = append(out, e)
		}
		delete(m, "Resources")
		if len(out) > 0 {
			m["Resources"] = out
		}
		return m
	case slices.Contains(schemas, schema.ErrorURN):
		if _, ok := m["detail"]; ok {
			m["detail"] = "(generated)"
		}
		return m
	}
	return r.shapeResource(m)
}

// shapeResource is shape for a User or Group.
func (r *replayer) shapeResource(v any) any {
	m, ok := v.(doc)
	if !ok {
		return v
	}
	var rt *schema.ResourceType
	switch schemas := strs(m["schemas"]); {
	case slices.Contains(schemas, schema.UserURN):
		rt = r.d.users
	case slices.Contains(schemas, schema.GroupURN):
		rt = r.d.groups
	default:
		return m
	}
	if meta, ok := m["meta"].(doc); ok {
		for _, k := range []string{"created", "lastModified", "version"} {
			if _, ok := meta[k]; ok {
				meta[k] = "(generated)"
			}
		}
	}
	for _, e := range list(m["members"]) {
		if em, ok := e.(doc); ok {
			delete(em, "display")
		}
	}
	return prune(rt, m)
}
