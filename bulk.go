package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/scim-go/scim/internal/clip"
	"github.com/scim-go/scim/resource"
	"github.com/scim-go/scim/schema"
)

// Bulk (RFC 7644 §3.7). Each operation is served as the request it stands
// for, through the same handlers as a single request, so validation, PATCH
// application, versions and errors are exactly those of the single request.
//
// Operations run one at a time, in request order, except that an operation
// that refers to the bulkId of a later POST ("bulkId:qwerty" in its path,
// or in its data where RFC 7644 §3.7.2 puts references: see bulkref.go)
// waits until that POST has run. POSTs whose references
// form a cycle, such as two groups that are members of each other
// (RFC 7644 §3.7.1), are created without the values of multi-valued
// attributes that refer to a resource not created yet, and those values are
// added with a PATCH once every operation has run; a cycle through any other
// attribute is answered 409 Conflict, which §3.7.1 allows. A reference to a
// bulkId that is unknown, or whose POST failed, is an error for the
// referring operation only. With failOnErrors set to N,
// processing stops after the Nth error and the remaining operations are
// left out of the response.

// DefaultBulkMaxOperations and DefaultBulkMaxPayload are the defaults of
// Config.BulkMaxOperations and Config.BulkMaxPayload.
const (
	DefaultBulkMaxOperations = 1000
	DefaultBulkMaxPayload    = 1 << 20
)

type bulkRequest struct {
	FailOnErrors *int            `json:"failOnErrors"`
	Operations   []bulkOperation `json:"Operations"`
	Schemas      []string        `json:"schemas"`
}

type bulkOperation struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId,omitempty"`
	Version string          `json:"version,omitempty"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type bulkResult struct {
	Method   string          `json:"method"`
	BulkID   string          `json:"bulkId,omitempty"`
	Version  string          `json:"version,omitempty"`
	Location string          `json:"location,omitempty"`
	Status   string          `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

// bulk serves POST /Bulk.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.allow(w, r, "POST")
		return
	}
	body, err := s.readBodyLimit(w, r, s.cfg.BulkMaxPayload)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req bulkRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		s.fail(w, r, Errorf(http.StatusBadRequest, InvalidSyntax, "request body is not a BulkRequest: %s", jsonProblem(err)))
		return
	}
	if !hasURN(req.Schemas, schema.BulkRequestURN) {
		s.fail(w, r, Errorf(http.StatusBadRequest, InvalidSyntax, "schemas must list %s", schema.BulkRequestURN))
		return
	}
	if len(req.Operations) > s.cfg.BulkMaxOperations {
		s.fail(w, r, Errorf(http.StatusRequestEntityTooLarge, "", "the request has %d operations; at most %d are allowed", len(req.Operations), s.cfg.BulkMaxOperations))
		return
	}
	failOn := 0 // 0: never stop
	if req.FailOnErrors != nil {
		if *req.FailOnErrors < 1 {
			s.fail(w, r, Errorf(http.StatusBadRequest, InvalidValue, "failOnErrors must be at least 1"))
			return
		}
		failOn = *req.FailOnErrors
	}
	ctx := context.WithValue(r.Context(), baseURLKey{}, s.baseURL(r))
	results := s.runBulk(ctx, r, req.Operations, failOn)
	out, err := json.Marshal(struct {
		Schemas    []string     `json:"schemas"`
		Operations []bulkResult `json:"Operations"`
	}{[]string{schema.BulkResponseURN}, results})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, out)
}

// runBulk runs the operations and returns their results in the order they
// ran.
func (s *Server) runBulk(ctx context.Context, r *http.Request, ops []bulkOperation, failOn int) []bulkResult {
	b := &bulkRun{
		s: s, ctx: ctx, parent: r, ops: ops, results: []bulkResult{},
		created: make(map[string]string),
		failed:  make(map[string]bool),
		state:   make([]int, len(ops)),
		cyclic:  make([]bool, len(ops)),
		defined: make(map[string]int),
	}
	for i, op := range ops {
		if op.BulkID != "" {
			if _, dup := b.defined[op.BulkID]; !dup {
				b.defined[op.BulkID] = i
			}
		}
	}
	for i := range ops {
		if failOn > 0 && b.errors >= failOn {
			break
		}
		b.run(i, failOn)
	}
	b.addLater()
	return b.results
}

type bulkRun struct {
	s       *Server
	ctx     context.Context
	parent  *http.Request
	ops     []bulkOperation
	created map[string]string // bulkId -> id of the created resource
	failed  map[string]bool   // bulkIds whose POST failed
	defined map[string]int    // bulkId -> index of its POST
	state   []int             // 0 not run, 1 running, 2 done
	cyclic  []bool            // POSTs in a reference cycle
	later   []laterValues     // values of cyclic POSTs added at the end
	results []bulkResult
	errors  int
}

// laterValues are values of multi-valued attributes that a POST in a
// reference cycle was created without, to be added once their references
// resolve.
type laterValues struct {
	result int    // index of the POST's result
	path   string // the created resource
	values map[string][]any
}

// run runs operation i after the POSTs it refers to.
func (b *bulkRun) run(i, failOn int) {
	if b.state[i] == 2 || (failOn > 0 && b.errors >= failOn) {
		return
	}
	op := &b.ops[i]
	b.state[i] = 1
	for _, ref := range b.s.bulkRefs(op) {
		j, ok := b.defined[ref]
		if !ok || j == i {
			continue // reported when resolving
		}
		switch b.state[j] {
		case 0:
			b.run(j, failOn)
		case 1:
			if strings.EqualFold(op.Method, http.MethodPost) {
				b.cyclic[i] = true // created first, the reference added later
				continue
			}
			b.state[i] = 2
			b.result(op, op.Path, Errorf(http.StatusConflict, "", "bulkId %s is part of a circular reference", clip.Quote(ref)))
			return
		}
	}
	b.state[i] = 2
	if failOn > 0 && b.errors >= failOn {
		return
	}
	b.exec(i)
}

// exec serves operation i as a request of its own.
func (b *bulkRun) exec(i int) {
	op := &b.ops[i]
	method := strings.ToUpper(op.Method)
	if j := b.defined[op.BulkID]; op.BulkID != "" && j != i {
		b.result(op, "", Errorf(http.StatusBadRequest, InvalidValue, "bulkId %s is given to more than one operation", clip.Quote(op.BulkID)))
		return
	}
	var later map[string][]any
	if b.cyclic[i] {
		later = make(map[string][]any)
	}
	path, data, err := b.resolve(op, later)
	if err != nil {
		b.result(op, op.Path, err)
		return
	}
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		b.result(op, path, Errorf(http.StatusBadRequest, InvalidSyntax, "method must be POST, PUT, PATCH or DELETE, found %s", clip.Quote(op.Method)))
		return
	}
	if !b.s.resourcePath(path) {
		b.result(op, "", Errorf(http.StatusBadRequest, InvalidPath, "path %s is not a resource or resource type endpoint", clip.Quote(op.Path)))
		return
	}
	if method == http.MethodPost && op.BulkID == "" {
		b.result(op, path, Errorf(http.StatusBadRequest, InvalidSyntax, "a POST needs a bulkId"))
		return
	}
	ctx := b.ctx
	if op.BulkID != "" {
		ctx = context.WithValue(ctx, bulkIDKey{}, op.BulkID)
	}
	req, reqErr := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(data))
	if reqErr != nil {
		b.result(op, "", Errorf(http.StatusBadRequest, InvalidPath, "path %s is not a valid path", clip.Quote(op.Path)))
		return
	}
	if dotSegment(req.URL.EscapedPath()) {
		// Percent-encoded, as /Users/%2e%2e.
		b.result(op, "", Errorf(http.StatusBadRequest, InvalidPath, "path %s is not a resource or resource type endpoint", clip.Quote(op.Path)))
		return
	}
	req.RequestURI = path
	req.Host = b.parent.Host
	req.TLS = b.parent.TLS
	req.RemoteAddr = b.parent.RemoteAddr
	if len(data) > 0 {
		req.Header.Set("Content-Type", contentType)
	}
	if op.Version != "" {
		req.Header.Set("If-Match", op.Version)
	}
	rec := &recorder{header: make(http.Header)}
	if !b.serve(rec, req) {
		b.result(op, path, &Error{Status: http.StatusInternalServerError, Detail: "internal server error"})
		return
	}
	if rec.status >= 300 && rec.status < 400 {
		// The mux redirects paths it would clean; an operation's path must
		// name its target as it is.
		b.result(op, "", Errorf(http.StatusBadRequest, InvalidPath, "path %s is not a resource or resource type endpoint", clip.Quote(op.Path)))
		return
	}
	res := bulkResult{Method: method, BulkID: op.BulkID, Status: strconv.Itoa(rec.status)}
	if rec.status >= 400 {
		res.Response = rec.body.Bytes()
		if method != http.MethodPost {
			res.Location = b.location(path)
		}
		b.errors++
		if op.BulkID != "" {
			b.failed[op.BulkID] = true
		}
	} else {
		res.Version = rec.header.Get("ETag")
		res.Location = rec.header.Get("Location")
		if res.Location == "" {
			res.Location = b.location(path)
		}
		if method == http.MethodPost && op.BulkID != "" {
			id := createdID(rec.body.Bytes())
			b.created[op.BulkID] = id
			if len(later) > 0 {
				b.later = append(b.later, laterValues{len(b.results), strings.TrimSuffix(path, "/") + "/" + url.PathEscape(id), later})
			}
		}
	}
	b.results = append(b.results, res)
}

// addLater adds the values that POSTs in reference cycles were created
// without, each with a PATCH through the server. If one fails, its POST's
// result reports that failure in place of the 201.
func (b *bulkRun) addLater() {
	for _, l := range b.later {
		var ops []map[string]any
		for _, attr := range slices.Sorted(maps.Keys(l.values)) {
			ops = append(ops, map[string]any{"op": "add", "path": attr, "value": l.values[attr]})
		}
		body, _ := json.Marshal(map[string]any{"schemas": []string{schema.PatchOpURN}, "Operations": ops})
		op := &bulkOperation{Method: http.MethodPatch, Path: l.path, Data: body}
		path, data, err := b.resolve(op, nil)
		res := &b.results[l.result]
		if err != nil {
			res.Status, res.Response = strconv.Itoa(err.Status), mustJSON(err)
			continue
		}
		req, _ := http.NewRequestWithContext(b.ctx, http.MethodPatch, path, bytes.NewReader(data))
		req.RequestURI, req.Host, req.TLS = path, b.parent.Host, b.parent.TLS
		req.Header.Set("Content-Type", contentType)
		rec := &recorder{header: make(http.Header)}
		switch {
		case !b.serve(rec, req):
			res.Status, res.Response = "500", mustJSON(&Error{Status: http.StatusInternalServerError, Detail: "internal server error"})
		case rec.status >= 400:
			res.Status, res.Response = strconv.Itoa(rec.status), rec.body.Bytes()
		default:
			res.Version = rec.header.Get("ETag")
		}
	}
}

func mustJSON(e *Error) json.RawMessage {
	b, _ := e.MarshalJSON()
	return b
}

// serve serves one operation's request, reporting false if a handler
// panicked: the panic fails that operation only (RFC 7644 §3.7).
func (b *bulkRun) serve(w http.ResponseWriter, r *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			b.s.logger().ErrorContext(r.Context(), "scim: panic serving bulk operation",
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
			ok = false
		}
	}()
	b.s.mux.ServeHTTP(w, r)
	return true
}

// location returns the URI of the resource at path, without its query.
func (b *bulkRun) location(path string) string {
	p, _, _ := strings.Cut(path, "?")
	return b.ctx.Value(baseURLKey{}).(string) + p
}

// result records an operation that failed before or while it was served.
// path is where the operation points, for its location; a POST failure
// has none (RFC 7644 §3.7.3).
func (b *bulkRun) result(op *bulkOperation, path string, e *Error) {
	body, _ := e.MarshalJSON()
	res := bulkResult{
		Method: strings.ToUpper(op.Method), BulkID: op.BulkID,
		Status: strconv.Itoa(e.Status), Response: body,
	}
	if res.Method != http.MethodPost && path != "" {
		res.Location = b.location(path)
	}
	b.results = append(b.results, res)
	b.errors++
	if op.BulkID != "" {
		b.failed[op.BulkID] = true
	}
}

// resolve replaces bulkId references in the operation's path and data with
// the ids of the resources those POSTs created.
// When later is not nil, the values of top-level multi-valued attributes
// that refer to a POST not run yet are moved from the data into later.
func (b *bulkRun) resolve(op *bulkOperation, later map[string][]any) (string, []byte, *Error) {
	var problem *Error
	replace := func(ref string) (string, bool) {
		if id, ok := b.created[ref]; ok {
			return id, true
		}
		if problem == nil {
			_, defined := b.defined[ref]
			switch {
			case b.failed[ref]:
				problem = Errorf(http.StatusConflict, "", "bulkId %s refers to an operation that failed", clip.Quote(ref))
			case defined:
				problem = Errorf(http.StatusConflict, "", "bulkId %s is part of a circular reference that cannot be resolved", clip.Quote(ref))
			default:
				problem = Errorf(http.StatusConflict, "", "bulkId %s is not defined by a POST of this request", clip.Quote(ref))
			}
		}
		return "", false
	}
	path := replaceRefs(op.Path, func(ref string) (string, bool) {
		id, ok := replace(ref)
		return url.PathEscape(id), ok
	})
	data := op.Data
	if rt := b.s.typeAt(path); rt != nil && bytes.Contains(data, []byte(bulkPrefix)) {
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&v); err == nil {
			if obj, ok := v.(map[string]any); ok && later != nil {
				b.postpone(rt, obj, later)
			}
			walkDataRefs(rt, op.Method, v, func(s string) string { return replaceRefs(s, replace) })
			data, _ = json.Marshal(v)
		}
	}
	if problem != nil {
		return "", nil, problem
	}
	return path, data, nil
}

// postpone moves the values of obj's multi-valued attributes that refer to a
// POST not run yet into later.
func (b *bulkRun) postpone(rt *schema.ResourceType, obj map[string]any, later map[string][]any) {
	pending := func(ref string) bool {
		if _, created := b.created[ref]; !created && !b.failed[ref] {
			_, defined := b.defined[ref]
			return defined
		}
		return false
	}
	for k, v := range obj {
		list, ok := v.([]any)
		attr, sub, _ := resource.ResolvePath(rt, k)
		if !ok || attr == nil || sub != nil || !attr.MultiValued {
			continue
		}
		var keep []any
		for _, e := range list {
			found := false
			// A walk that replaces nothing leaves e as it is.
			walkElemRefs(attr, e, func(s string) string {
				replaceRefs(s, func(ref string) (string, bool) {
					found = found || pending(ref)
					return "", false
				})
				return s
			})
			if found {
				later[k] = append(later[k], e)
			} else {
				keep = append(keep, e)
			}
		}
		if len(keep) < len(list) {
			obj[k] = keep
		}
	}
}

// bulkRefs returns the bulkIds the operation's path and data refer to.
func (s *Server) bulkRefs(op *bulkOperation) []string {
	var refs []string
	collect := func(ref string) (string, bool) {
		refs = append(refs, ref)
		return "", false
	}
	replaceRefs(op.Path, collect)
	if rt := s.typeAt(op.Path); rt != nil && bytes.Contains(op.Data, []byte(bulkPrefix)) {
		var v any
		if json.Unmarshal(op.Data, &v) == nil {
			walkDataRefs(rt, op.Method, v, func(str string) string {
				replaceRefs(str, collect)
				return str
			})
		}
	}
	return refs
}

const bulkPrefix = "bulkId:"

// replaceRefs replaces each "bulkId:X" in s, up to the next "/", "?", '"'
// or the end, by what f returns for X, when f reports a replacement.
func replaceRefs(s string, f func(ref string) (string, bool)) string {
	const prefix = bulkPrefix
	if !strings.Contains(s, prefix) {
		return s
	}
	var out strings.Builder
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		rest := s[i+len(prefix):]
		end := strings.IndexAny(rest, "/?\"")
		if end < 0 {
			end = len(rest)
		}
		ref := rest[:end]
		if id, ok := f(ref); ok {
			out.WriteString(id)
		} else {
			out.WriteString(prefix + ref)
		}
		s = rest[end:]
	}
}

// dotSegment reports whether an escaped path has a "." or ".." segment,
// percent-encoded or not.
func dotSegment(escaped string) bool {
	for _, seg := range strings.Split(escaped, "/") {
		if seg, err := url.PathUnescape(seg); err == nil && (seg == "." || seg == "..") {
			return true
		}
	}
	return false
}

func createdID(body []byte) string {
	var v struct {
		ID string `json:"id"`
	}
	json.Unmarshal(body, &v)
	return v.ID
}

// resourcePath reports whether path is a resource type's endpoint or a
// resource under it, the only targets of a bulk operation.
func (s *Server) resourcePath(path string) bool {
	return s.typeAt(path) != nil
}

// typeAt returns the resource type whose endpoint path is, or is the
// parent of, or nil. A path with "." or ".." segments is neither, even
// where it would lead to one after cleaning.
func (s *Server) typeAt(path string) *schema.ResourceType {
	p, _, _ := strings.Cut(path, "?")
	for _, ep := range s.endpoints {
		rest, ok := strings.CutPrefix(p, ep.rt.Endpoint)
		if !ok {
			continue
		}
		if rest == "" {
			return ep.rt
		}
		id := rest[1:]
		if rest[0] == '/' && id != ".search" && id != "." && id != ".." && !strings.Contains(id, "/") {
			return ep.rt
		}
	}
	return nil
}

func hasURN(list []string, urn string) bool {
	for _, s := range list {
		if strings.EqualFold(s, urn) {
			return true
		}
	}
	return false
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s has the wrong type", te.Field)
	}
	return "malformed JSON"
}

// recorder is the http.ResponseWriter a bulk operation is served into.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// baseURLKey carries the base URL of a bulk request to its operations.
type baseURLKey struct{}
