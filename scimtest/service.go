package scimtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scim-go/scim/internal/clip"
)

// service is a deployed SCIM service that CheckEndpoint sends requests to.
type service struct {
	base   string // its base URL, without a trailing slash
	client *http.Client
	redact func([]byte) []byte // hides Target.Redact in a response's body and headers
}

// redactor returns the function that replaces each of secrets in a body.
func redactor(secrets []string) func([]byte) []byte {
	var pairs []string
	for _, s := range secrets {
		if s != "" {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	if len(pairs) == 0 {
		return func(b []byte) []byte { return b }
	}
	r := strings.NewReplacer(pairs...)
	return func(b []byte) []byte { return []byte(r.Replace(string(b))) }
}

// wire is one request sent to a service, and its response.
type wire struct {
	key    string // the request as a case made it, such as "GET /Users/1"
	method string
	url    string
	body   []byte // sent

	err    error // when no response came
	status int
	header http.Header
	resp   []byte
	note   string // how the response was come by, when not as sent
}

// The bounds of what is read, and what is quoted in a failure.
const (
	maxResponse = 16 << 20 // bytes of a response body read
	maxQuote    = 512      // bytes of a body quoted in a failure
	maxFailure  = 4096     // bytes of a failure's text, quotes included
)

// describe returns what x sent and received, for a failure, with bodies
// cut to maxQuote bytes.
func (x *wire) describe() string {
	var b strings.Builder
	u := x.url
	if p, err := url.Parse(u); err == nil {
		u = p.Redacted()
	}
	fmt.Fprintf(&b, "sent: %s %s", x.method, u)
	if len(x.body) > 0 {
		b.WriteString(" " + clip.To(string(x.body), maxQuote))
	}
	if x.err != nil {
		fmt.Fprintf(&b, "\nreceived: no response: %v", x.err)
		return b.String()
	}
	fmt.Fprintf(&b, "\nreceived: %d", x.status)
	if x.note != "" {
		b.WriteString(" (" + x.note + ")")
	}
	if len(x.resp) > 0 {
		b.WriteString(" " + clip.To(string(x.resp), maxQuote))
	}
	return b.String()
}

// retries is how often send retries a request answered 429 Too Many
// Requests, and maxRetryWait the longest it waits before one.
const (
	retries      = 5
	maxRetryWait = 10 * time.Second
)

// send sends a request to target, a path under the service's base URL
// with its query, and reads the response. A 429 response is retried after
// its Retry-After, a few times.
func (sv *service) send(ctx context.Context, method, target string, header http.Header, body []byte) *wire {
	x := &wire{method: method, url: sv.base + target, body: body}
	for attempt := 0; ; attempt++ {
		var r io.Reader = http.NoBody
		if len(body) > 0 {
			r = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, x.url, r)
		if err != nil {
			x.err = err
			return x
		}
		for k, v := range header {
			switch http.CanonicalHeaderKey(k) {
			case "Host", "Content-Length", "Authorization", "Connection":
			default:
				req.Header[k] = append([]string(nil), v...)
			}
		}
		if len(body) > 0 && req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/scim+json")
		}
		resp, err := sv.client.Do(req)
		if err != nil {
			x.err = err
			return x
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		resp.Body.Close()
		if err != nil {
			x.err = err
			return x
		}
		if resp.StatusCode == http.StatusTooManyRequests && attempt < retries {
			select {
			case <-ctx.Done():
				x.err = ctx.Err()
				return x
			case <-time.After(retryAfter(resp.Header.Get("Retry-After"))):
			}
			continue
		}
		for _, vs := range resp.Header {
			for i, v := range vs {
				vs[i] = string(sv.redact([]byte(v)))
			}
		}
		x.status, x.header, x.resp = resp.StatusCode, resp.Header, sv.redact(data)
		return x
	}
}

// retryAfter returns how long a Retry-After header in seconds asks to
// wait, within 100ms and maxRetryWait.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n < 0 {
		return time.Second
	}
	return min(max(time.Duration(n)*time.Second, 100*time.Millisecond), maxRetryWait)
}

// exchange sends a request as a check made it, to method path with query
// q, in the namespace ns. A PATCH answered 204 No Content, as RFC 7644
// §3.5.2 allows, is followed by a GET of the resource with the same query,
// whose response stands for the PATCH's.
func (sv *service) exchange(ctx context.Context, ns *namespace, method, path string, q url.Values, header http.Header, body []byte) *wire {
	target := ns.target(method, path, q)
	x := sv.send(ctx, method, target, header, ns.request(method, path, body))
	if method == http.MethodPatch && x.err == nil && x.status == http.StatusNoContent {
		accept := http.Header{}
		if a := header.Values("Accept"); len(a) > 0 {
			accept["Accept"] = a
		}
		get := sv.send(ctx, http.MethodGet, target, accept, nil)
		x.err, x.status, x.header, x.resp = get.err, get.status, get.header, get.resp
		x.note = "answered 204 No Content; this is a GET of the resource after it"
	}
	return x
}

// created returns the paths, under the base URL, of the resources x
// created: by a POST to path, or by the operations of a Bulk request.
func (sv *service) created(path string, x *wire) []string {
	if x.err != nil || x.method != http.MethodPost || x.status < 200 || x.status > 299 {
		return nil
	}
	var m doc
	if decodeJSON(x.resp, &m) != nil {
		return nil
	}
	switch path {
	case "/Users", "/Groups":
		if id := str(m, "id"); id != "" {
			return []string{path + "/" + url.PathEscape(id)}
		}
	case "/Bulk":
		var out []string
		for _, o := range list(m["Operations"]) {
			if strings.EqualFold(str(o, "method"), http.MethodPost) && strings.HasPrefix(str(o, "status"), "2") {
				if p := sv.pathOf(str(o, "location")); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	return nil
}

// pathOf returns the path of a resource under the base URL from its
// location, such as "/Users/2819c223", or "".
func (sv *service) pathOf(location string) string {
	if p, ok := strings.CutPrefix(location, sv.base+"/"); ok {
		return "/" + p
	}
	u, err := url.Parse(location)
	if err != nil {
		return ""
	}
	for _, ep := range []string{"/Users/", "/Groups/"} {
		if i := strings.LastIndex(u.EscapedPath(), ep); i >= 0 {
			return u.EscapedPath()[i:]
		}
	}
	return ""
}

// remove deletes the resources at paths, the last first, and returns a
// failure for each that is still there.
func (sv *service) remove(ctx context.Context, paths []string) []string {
	var failures []string
	for i := len(paths) - 1; i >= 0; i-- {
		x := sv.send(ctx, http.MethodDelete, paths[i], nil, nil)
		switch {
		case x.err == nil && (x.status == http.StatusNoContent || x.status == http.StatusOK || x.status == http.StatusNotFound):
		default:
			failures = append(failures, fmt.Sprintf("could not delete %s, which a check created\n%s", paths[i], x.describe()))
		}
	}
	return failures
}

// liveHandler is what a case of the suite sends its requests to when
// CheckEndpoint runs it: it sends each to the service, in the case's
// namespace, and answers with the service's response, out of it. It is
// safe for concurrent use.
type liveHandler struct {
	ctx context.Context
	sv  *service
	ns  *namespace

	mu      sync.Mutex
	recent  []*wire  // the last requests, newest last, for failures
	created []string // the paths of the resources the case created
}

// keepRecent is how many requests a liveHandler keeps for failures.
const keepRecent = 32

func (h *liveHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	x := h.sv.exchange(h.ctx, h.ns, r.Method, r.URL.Path, r.URL.Query(), r.Header, body)
	x.key = r.Method + " " + r.RequestURI
	h.mu.Lock()
	h.recent = append(h.recent, x)
	if len(h.recent) > keepRecent {
		h.recent = h.recent[1:]
	}
	h.created = append(h.created, h.sv.created(r.URL.Path, x)...)
	h.mu.Unlock()
	if x.err != nil {
		http.Error(w, "scimtest: no response from the service: "+x.err.Error(), http.StatusBadGateway)
		return
	}
	for k, v := range x.header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(x.status)
	w.Write(h.ns.response(x.resp))
}

// about returns the request that a failure message msg is about: the
// latest whose request as the case made it msg quotes, or else the latest
// of all; nil when there was none.
func (h *liveHandler) about(msg string) *wire {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.recent) - 1; i >= 0; i-- {
		if strings.Contains(msg, h.recent[i].key) {
			return h.recent[i]
		}
	}
	if len(h.recent) > 0 {
		return h.recent[len(h.recent)-1]
	}
	return nil
}

// liveReporter is the reporter of a case that CheckEndpoint runs: it
// collects failures, each followed by the request it is about, and notes.
type liveReporter struct {
	h *liveHandler

	mu       sync.Mutex
	failures []string
	notes    []string
}

func (r *liveReporter) Errorf(format string, args ...any) {
	msg := clip.To(fmt.Sprintf(format, args...), maxFailure-2*maxQuote)
	if x := r.h.about(msg); x != nil {
		msg += "\n" + x.describe()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, msg)
}

func (r *liveReporter) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *liveReporter) FailNow() { runtime.Goexit() }
